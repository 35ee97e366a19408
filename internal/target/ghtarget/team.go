package ghtarget

import (
	"context"
	"fmt"
	"sync"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
	"github.com/jitgate/terraform-provider-jit/internal/target"
)

// loadTeam reads a team's maintainers and all members (GitHub lists members
// without their role, hence two lists), the members of its child teams and
// the org's owners. GitHub lists a child team's members as members of the
// parent and reads an owner's role as maintainer, so without the last two a
// restore would write memberships nobody had.
func (t *Target) loadTeam(ctx context.Context, org, slug string) (*snapshot, error) {
	members := func(slug, role string) ([]*github.User, error) {
		users, err := ghclient.All(func(lo github.ListOptions) ([]*github.User, *github.Response, error) {
			return t.gh.Teams.ListTeamMembersBySlug(ctx, ghclient.Seg(org), ghclient.Seg(slug), &github.TeamListTeamMembersOptions{Role: role, ListOptions: lo})
		})
		return users, teamErr(org, slug, err)
	}
	maintainers, err := members(slug, "maintainer")
	if err != nil {
		return nil, err
	}
	all, err := members(slug, "all")
	if err != nil {
		return nil, err
	}
	children, err := ghclient.All(func(lo github.ListOptions) ([]*github.Team, *github.Response, error) {
		return t.gh.Teams.ListChildTeamsByParentSlug(ctx, ghclient.Seg(org), ghclient.Seg(slug), &lo)
	})
	if err != nil {
		return nil, teamErr(org, slug, err)
	}
	inherited := map[int64]bool{}
	for _, c := range children {
		users, err := members(c.GetSlug(), "all")
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			inherited[u.GetID()] = true
		}
	}
	owners, err := t.owners(ctx, org)
	if err != nil {
		return nil, err
	}
	maintains := map[int64]bool{}
	for _, u := range maintainers {
		maintains[u.GetID()] = true
	}
	snap := newSnapshot()
	for _, u := range all {
		id := u.GetID()
		h := &holding{user: userOf(u), owner: owners[id]}
		h.access = active("member")
		if maintains[id] {
			h.access = active("maintainer")
		}
		// The direct role is hidden behind what inheritance and ownership
		// give; it is then taken as the least it can be, so a restore
		// never leaves more than the user had.
		switch {
		case inherited[id] && (h.owner || !maintains[id]):
			h.access.Direct = ""
		case h.owner:
			h.access.Direct = "member"
		}
		if inherited[id] {
			h.rest = "member"
			if h.owner {
				h.rest = "maintainer"
			}
		}
		snap.add(h)
	}
	return snap, nil
}

// invitations are a team's pending memberships by lowercase login: GitHub
// lists them as org invitations, which name the invitee's login only.
type invitations struct {
	mu      sync.Mutex
	byLogin map[string]target.Access
}

// pendingMembership returns who's pending membership of the scope's team.
// The invitations are loaded only when someone asked about is not a member,
// so refreshing elevations of members costs no call for them; who's current
// login is looked up only when there are invitations to match.
func (t *Target) pendingMembership(ctx context.Context, who target.User, s scope.Scope) (target.Access, target.User, error) {
	inv, err := t.invites.get(ctx, cacheKey(s), func(ctx context.Context) (*invitations, error) {
		return t.loadTeamInvitations(ctx, s.Owner, s.Name)
	})
	if err != nil {
		return target.None, who, err
	}
	inv.mu.Lock()
	n := len(inv.byLogin)
	inv.mu.Unlock()
	if n == 0 {
		return target.None, who, nil
	}
	if who.ID != 0 {
		if who, err = t.identify(ctx, who); err != nil {
			return target.None, who, err
		}
	}
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.byLogin[lower(who.Login)], who, nil
}

func (t *Target) loadTeamInvitations(ctx context.Context, org, slug string) (*invitations, error) {
	invites, err := ghclient.All(func(lo github.ListOptions) ([]*github.Invitation, *github.Response, error) {
		return t.gh.Teams.ListPendingTeamInvitationsBySlug(ctx, ghclient.Seg(org), ghclient.Seg(slug), &lo)
	})
	if err != nil {
		return nil, teamErr(org, slug, err)
	}
	out := &invitations{byLogin: map[string]target.Access{}}
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
		out.byLogin[login] = a
	}
	return out, nil
}

// teamMembership reads login's membership of a team known to exist.
func (t *Target) teamMembership(ctx context.Context, org, slug, login string) (target.Access, error) {
	m, _, err := t.gh.Teams.GetTeamMembershipBySlug(ctx, ghclient.Seg(org), ghclient.Seg(slug), ghclient.Seg(login))
	if ghclient.IsNotFound(err) {
		return target.None, nil
	}
	if err != nil {
		return target.None, fmt.Errorf("read %s's membership of team %s/%s: %w", login, org, slug, ghclient.Explain(err))
	}
	return membershipAccess(m)
}

// setPending records (or, with a zero a, forgets) who's pending membership
// after a write, if the team's invitations are loaded; if they are not, the
// load will see the write.
func (t *Target) setPending(s scope.Scope, who target.User, a target.Access) {
	inv, ok := t.invites.peek(cacheKey(s))
	if !ok {
		return
	}
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if a == target.None {
		delete(inv.byLogin, lower(who.Login))
	} else {
		inv.byLogin[lower(who.Login)] = a
	}
}

func (t *Target) grantTeam(ctx context.Context, who target.User, s scope.Scope) (target.Access, error) {
	m, _, err := t.gh.Teams.AddTeamMembershipBySlug(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name), ghclient.Seg(who.Login), &github.TeamAddTeamMembershipOptions{Role: s.Level})
	if err != nil {
		return target.None, err
	}
	after, err := membershipAccess(m)
	if err != nil {
		return target.None, err
	}
	if after.Pending {
		t.setPending(s, who, after)
		return after, nil
	}
	// An owner's role reads maintainer whatever was asked for.
	after.Direct = s.Level
	t.patch(s, who, func(h *holding) { h.access = after })
	return after, nil
}

// restoreTeam lowers a membership to prev. Removing the direct membership
// leaves what a child team gives; removing a pending one also cancels the
// org invitation it came with when no other team's is waiting on it, as
// GitHub leaves that invitation open.
func (t *Target) restoreTeam(ctx context.Context, who target.User, s scope.Scope, cur holding, prev target.Access) error {
	if prev.Direct == "" {
		if _, err := t.gh.Teams.RemoveTeamMembershipBySlug(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name), ghclient.Seg(who.Login)); err != nil && !ghclient.IsNotFound(err) {
			return err
		}
		if cur.access.Pending {
			t.setPending(s, who, target.None)
			return t.cancelOrgInvitation(ctx, s.Owner, who.Login)
		}
		t.patch(s, who, func(h *holding) { h.access = target.Access{Level: h.rest} })
		return nil
	}
	m, _, err := t.gh.Teams.AddTeamMembershipBySlug(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name), ghclient.Seg(who.Login), &github.TeamAddTeamMembershipOptions{Role: prev.Direct})
	if err != nil {
		return err
	}
	if m.GetState() == "pending" {
		t.setPending(s, who, target.Access{Direct: prev.Direct, Pending: true})
		return nil
	}
	t.patch(s, who, func(h *holding) {
		h.access = active(prev.Direct)
		if h.owner {
			h.access.Level = "maintainer"
		}
	})
	return nil
}

// patch applies change to who's holding in the scope's snapshot after a
// write; a snapshot dropped meanwhile is loaded afresh and sees the write.
func (t *Target) patch(s scope.Scope, who target.User, change func(h *holding)) {
	if snap, ok := t.snaps.peek(cacheKey(s)); ok {
		snap.patch(who, change)
	}
}

// cancelOrgInvitation cancels login's open invitation to org if it no
// longer brings them into any team.
func (t *Target) cancelOrgInvitation(ctx context.Context, org, login string) error {
	invites, err := ghclient.All(func(lo github.ListOptions) ([]*github.Invitation, *github.Response, error) {
		return t.gh.Organizations.ListPendingOrgInvitations(ctx, ghclient.Seg(org), &lo)
	})
	if err != nil {
		return fmt.Errorf("list invitations to organization %s: %w", org, ghclient.Explain(err))
	}
	for _, inv := range invites {
		if lower(inv.GetLogin()) != lower(login) || inv.GetTeamCount() > 0 {
			continue
		}
		req, err := t.gh.NewRequest("DELETE", fmt.Sprintf("orgs/%s/invitations/%d", ghclient.Seg(org), inv.GetID()), nil)
		if err != nil {
			return err
		}
		if _, err := t.gh.Do(ctx, req, nil); err != nil && !ghclient.IsNotFound(err) {
			return fmt.Errorf("cancel %s's invitation to organization %s: %w", login, org, ghclient.Explain(err))
		}
	}
	return nil
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
