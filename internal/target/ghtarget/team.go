package ghtarget

import (
	"context"
	"fmt"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
	"github.com/jitgate/terraform-provider-jit/internal/target"
)

// loadTeam reads a team's maintainers and all members. GitHub lists members
// without their role, hence two lists.
func (t *Target) loadTeam(ctx context.Context, org, slug string) (snapshot, error) {
	members := func(role string) ([]*github.User, error) {
		return ghclient.All(func(lo github.ListOptions) ([]*github.User, *github.Response, error) {
			return t.gh.Teams.ListTeamMembersBySlug(ctx, ghclient.Seg(org), ghclient.Seg(slug), &github.TeamListTeamMembersOptions{Role: role, ListOptions: lo})
		})
	}
	maintainers, err := members("maintainer")
	if err != nil {
		return nil, teamErr(org, slug, err)
	}
	all, err := members("all")
	if err != nil {
		return nil, teamErr(org, slug, err)
	}
	snap := snapshot{}
	for _, u := range all {
		snap[lower(u.GetLogin())] = active("member")
	}
	for _, u := range maintainers {
		snap[lower(u.GetLogin())] = active("maintainer")
	}
	return snap, nil
}

// loadTeamInvitations reads a team's pending invitations. It is loaded only
// when someone asked about is not a member, so refreshing elevations of
// members costs no call for it.
func (t *Target) loadTeamInvitations(ctx context.Context, org, slug string) (snapshot, error) {
	invites, err := ghclient.All(func(lo github.ListOptions) ([]*github.Invitation, *github.Response, error) {
		return t.gh.Teams.ListPendingTeamInvitationsBySlug(ctx, ghclient.Seg(org), ghclient.Seg(slug), &lo)
	})
	if err != nil {
		return nil, teamErr(org, slug, err)
	}
	snap := snapshot{}
	for _, inv := range invites {
		login := lower(inv.GetLogin())
		if login == "" { // email-only invitations name no login
			continue
		}
		// The invitation carries the org role, not the team role the user
		// will get: only the membership tells, one call per invitee.
		a, err := t.teamMembership(ctx, org, slug, login)
		if err != nil {
			return nil, err
		}
		snap[login] = a
	}
	return snap, nil
}

// teamMembership reads login's membership of the team. GitHub answers 404 both
// for a non-member and for a missing team, so a 404 is told apart by reading
// the team.
func (t *Target) teamMembership(ctx context.Context, org, slug, login string) (target.Access, error) {
	m, _, err := t.gh.Teams.GetTeamMembershipBySlug(ctx, ghclient.Seg(org), ghclient.Seg(slug), ghclient.Seg(login))
	if ghclient.IsNotFound(err) {
		if _, _, err := t.gh.Teams.GetTeamBySlug(ctx, ghclient.Seg(org), ghclient.Seg(slug)); err != nil {
			return target.None, teamErr(org, slug, err)
		}
		return target.None, nil
	}
	if err != nil {
		return target.None, fmt.Errorf("read %s's membership of team %s/%s: %w", login, org, slug, ghclient.Explain(err))
	}
	return membershipAccess(m)
}

func (t *Target) grantTeam(ctx context.Context, principal string, s scope.Scope) (target.Access, error) {
	m, _, err := t.gh.Teams.AddTeamMembershipBySlug(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name), ghclient.Seg(principal), &github.TeamAddTeamMembershipOptions{Role: s.Level})
	if err != nil {
		return target.None, err
	}
	return membershipAccess(m)
}

func (t *Target) restoreTeam(ctx context.Context, principal string, s scope.Scope, prev target.Access) error {
	var err error
	if prev.Direct == "" {
		// Also cancels a pending membership, with its invitation.
		_, err = t.gh.Teams.RemoveTeamMembershipBySlug(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name), ghclient.Seg(principal))
	} else {
		_, _, err = t.gh.Teams.AddTeamMembershipBySlug(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name), ghclient.Seg(principal), &github.TeamAddTeamMembershipOptions{Role: prev.Direct})
	}
	return err
}

// membershipAccess converts a team membership: a pending one is an invitation
// the user has not accepted (they are not an org member yet) and gives nothing.
func membershipAccess(m *github.Membership) (target.Access, error) {
	role := m.GetRole()
	if scope.Rank(scope.KindTeam, role) < 1 {
		return target.None, fmt.Errorf("unexpected team role %q", role)
	}
	if m.GetState() == "pending" {
		return target.Access{Direct: role, Pending: true}, nil
	}
	return active(role), nil
}

func active(level string) target.Access {
	return target.Access{Level: level, Direct: level}
}

// teamErr names the team when GitHub does not know it, rather than letting a
// 404 read as "no access".
func teamErr(org, slug string, err error) error {
	if ghclient.IsNotFound(err) {
		return fmt.Errorf("team %s/%s not found or not visible to the token", org, slug)
	}
	return ghclient.Explain(err)
}
