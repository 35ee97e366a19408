package ghtarget

import (
	"context"
	"fmt"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
	"github.com/jitgate/terraform-provider-jit/internal/target"
)

// loadRepo reads everyone's effective permission, the direct collaborators and
// the pending invitations of a repository.
func (t *Target) loadRepo(ctx context.Context, owner, repo string) (snapshot, error) {
	effective, err := t.collaborators(ctx, owner, repo, "all")
	if err != nil {
		return nil, err
	}
	direct, err := t.directAccess(ctx, owner, repo)
	if err != nil {
		return nil, err
	}
	snap := snapshot{}
	for _, u := range effective {
		snap[lower(u.GetLogin())] = target.Access{Level: userLevel(u)}
	}
	for login, st := range direct {
		a := snap[login]
		a.Direct, a.Pending = st.Direct, st.Pending
		snap[login] = a
	}
	return snap, nil
}

// repoState reads one principal's state: the effective permission from the
// per-user endpoint, the direct part from the direct collaborators and
// invitations, as GitHub has no per-user endpoint for those.
func (t *Target) repoState(ctx context.Context, owner, repo, login string) (state, error) {
	direct, err := t.directAccess(ctx, owner, repo)
	if err != nil {
		return state{}, err
	}
	st := direct[lower(login)]
	p, _, err := t.gh.Repositories.GetPermissionLevel(ctx, ghclient.Seg(owner), ghclient.Seg(repo), ghclient.Seg(login))
	switch {
	case ghclient.IsNotFound(err): // the repository exists: the user has no access
	case err != nil:
		return state{}, fmt.Errorf("read %s's permission on %s/%s: %w", login, owner, repo, ghclient.Explain(err))
	default:
		st.Level = userLevel(p.GetUser())
		if st.Level == "" {
			st.Level = repoLevel(p.GetPermission())
		}
	}
	return st, nil
}

// directAccess returns, by lowercase login, each direct collaborator's
// permission and each pending invitation (Direct with Pending and inviteID).
//
// GitHub lists direct collaborators with their effective permission, so a
// direct grant is only known exactly when it exceeds what the user gets
// otherwise (org ownership, base permission, teams). When those match or
// exceed the listed level, the direct grant is hidden behind them and is
// taken as the lowest level: a restore then never leaves more than the user
// had, and their effective access does not change.
func (t *Target) directAccess(ctx context.Context, owner, repo string) (map[string]state, error) {
	users, err := t.collaborators(ctx, owner, repo, "direct")
	if err != nil {
		return nil, err
	}
	invites, err := ghclient.All(func(lo github.ListOptions) ([]*github.RepositoryInvitation, *github.Response, error) {
		return t.gh.Repositories.ListInvitations(ctx, ghclient.Seg(owner), ghclient.Seg(repo), &lo)
	})
	if err != nil {
		return nil, repoErr(owner, repo, err)
	}
	var other indirectAccess
	if len(users) > 0 {
		if other, err = t.indirect(ctx, owner, repo); err != nil {
			return nil, err
		}
	}
	out := make(map[string]state, len(users)+len(invites))
	for _, u := range users {
		login := lower(u.GetLogin())
		level := userLevel(u)
		if scope.Rank(scope.KindRepo, level) <= scope.Rank(scope.KindRepo, other.level(login)) {
			level = scope.Levels(scope.KindRepo)[0]
		}
		out[login] = state{Access: target.Access{Direct: level}}
	}
	for _, inv := range invites {
		login := lower(inv.GetInvitee().GetLogin())
		if _, ok := out[login]; ok {
			continue
		}
		out[login] = state{
			Access:   target.Access{Direct: repoLevel(inv.GetPermissions()), Pending: true},
			inviteID: inv.GetID(),
		}
	}
	return out, nil
}

// indirectAccess is the access a repository's users get other than as direct
// collaborators.
type indirectAccess struct {
	base    string            // the org base permission, for org members
	outside map[string]bool   // direct collaborators who are not org members
	grants  map[string]string // org owners and team members, by lowercase login
}

func (ia indirectAccess) level(login string) string {
	if ia.outside[login] {
		return ia.grants[login]
	}
	return higher(ia.grants[login], ia.base)
}

// indirect reads what org ownership, the org base permission and teams give
// on a repository; a user's repository has none of them.
func (t *Target) indirect(ctx context.Context, owner, repo string) (indirectAccess, error) {
	org, _, err := t.gh.Organizations.Get(ctx, ghclient.Seg(owner))
	if ghclient.IsNotFound(err) {
		return indirectAccess{}, nil
	}
	if err != nil {
		return indirectAccess{}, fmt.Errorf("read organization %s: %w", owner, ghclient.Explain(err))
	}
	// GitHub shows the base permission to org owners only; without it, no
	// direct grant is taken as hidden behind it.
	ia := indirectAccess{
		base:    repoLevel(org.GetDefaultRepoPermission()),
		outside: map[string]bool{},
		grants:  map[string]string{},
	}
	if ia.base != "" {
		outside, err := t.collaborators(ctx, owner, repo, "outside")
		if err != nil {
			return indirectAccess{}, err
		}
		for _, u := range outside {
			ia.outside[lower(u.GetLogin())] = true
		}
	}
	teams, err := ghclient.All(func(lo github.ListOptions) ([]*github.Team, *github.Response, error) {
		return t.gh.Repositories.ListTeams(ctx, ghclient.Seg(owner), ghclient.Seg(repo), &lo)
	})
	if err != nil {
		return indirectAccess{}, repoErr(owner, repo, err)
	}
	for _, team := range teams {
		level := repoLevel(team.GetPermission())
		members, err := ghclient.All(func(lo github.ListOptions) ([]*github.User, *github.Response, error) {
			return t.gh.Teams.ListTeamMembersBySlug(ctx, ghclient.Seg(owner), ghclient.Seg(team.GetSlug()), &github.TeamListTeamMembersOptions{ListOptions: lo})
		})
		if err != nil {
			return indirectAccess{}, fmt.Errorf("list members of team %s/%s: %w", owner, team.GetSlug(), ghclient.Explain(err))
		}
		for _, m := range members {
			login := lower(m.GetLogin())
			ia.grants[login] = higher(ia.grants[login], level)
		}
	}
	owners, err := ghclient.All(func(lo github.ListOptions) ([]*github.User, *github.Response, error) {
		return t.gh.Organizations.ListMembers(ctx, ghclient.Seg(owner), &github.ListMembersOptions{Role: "admin", ListOptions: lo})
	})
	if err != nil {
		return indirectAccess{}, fmt.Errorf("list owners of organization %s: %w", owner, ghclient.Explain(err))
	}
	for _, u := range owners {
		ia.grants[lower(u.GetLogin())] = "admin"
	}
	return ia, nil
}

func (t *Target) collaborators(ctx context.Context, owner, repo, affiliation string) ([]*github.User, error) {
	users, err := ghclient.All(func(lo github.ListOptions) ([]*github.User, *github.Response, error) {
		return t.gh.Repositories.ListCollaborators(ctx, ghclient.Seg(owner), ghclient.Seg(repo), &github.ListCollaboratorsOptions{Affiliation: affiliation, ListOptions: lo})
	})
	return users, repoErr(owner, repo, err)
}

// grantRepo raises an invitation that is still pending, as GitHub keeps one
// invitation per user, or else sets the collaborator permission: 204 means it
// applied, 201 with an invitation means the user must accept first.
func (t *Target) grantRepo(ctx context.Context, principal string, s scope.Scope, cur state) (target.Access, error) {
	invited := target.Access{Level: cur.Level, Direct: s.Level, Pending: true}
	if cur.Pending {
		_, _, err := t.gh.Repositories.UpdateInvitation(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name), cur.inviteID, invitationPermission(s.Level))
		return invited, err
	}
	inv, _, err := t.gh.Repositories.AddCollaborator(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name), ghclient.Seg(principal), &github.RepositoryAddCollaboratorOptions{Permission: s.Level})
	switch {
	case err != nil:
		return target.None, err
	case inv.GetID() != 0:
		return invited, nil
	}
	return active(s.Level), nil
}

func (t *Target) restoreRepo(ctx context.Context, principal string, s scope.Scope, prev target.Access, cur state) error {
	var err error
	switch {
	case cur.Pending && prev.Direct == "":
		_, err = t.gh.Repositories.DeleteInvitation(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name), cur.inviteID)
	case cur.Pending:
		_, _, err = t.gh.Repositories.UpdateInvitation(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name), cur.inviteID, invitationPermission(prev.Direct))
	case prev.Direct == "":
		_, err = t.gh.Repositories.RemoveCollaborator(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name), ghclient.Seg(principal))
	default:
		_, _, err = t.gh.Repositories.AddCollaborator(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name), ghclient.Seg(principal), &github.RepositoryAddCollaboratorOptions{Permission: prev.Direct})
	}
	return err
}

// userLevel is a collaborator's permission: role_name when it is a base role,
// else (a custom role) the highest base permission it includes.
func userLevel(u *github.User) string {
	if l := repoLevel(u.GetRoleName()); l != "" {
		return l
	}
	levels := scope.Levels(scope.KindRepo)
	for i := len(levels) - 1; i >= 0; i-- {
		if u.Permissions[levels[i]] {
			return levels[i]
		}
	}
	return ""
}

// repoLevel maps GitHub's names for repository roles (collaborator
// permissions, role names, invitation permissions) to the scope's levels;
// anything else, such as "none" or a custom role, is "".
func repoLevel(name string) string {
	switch name {
	case "read":
		return "pull"
	case "write":
		return "push"
	}
	if scope.Rank(scope.KindRepo, name) > 0 {
		return name
	}
	return ""
}

// higher returns the higher of two repository levels.
func higher(a, b string) string {
	if scope.Rank(scope.KindRepo, b) > scope.Rank(scope.KindRepo, a) {
		return b
	}
	return a
}

// invitationPermission is the name the invitations API uses for a level.
func invitationPermission(level string) string {
	switch level {
	case "pull":
		return "read"
	case "push":
		return "write"
	}
	return level
}

func repoErr(owner, repo string, err error) error {
	if ghclient.IsNotFound(err) {
		return fmt.Errorf("repository %s/%s not found or not visible to the token", owner, repo)
	}
	return ghclient.Explain(err)
}
