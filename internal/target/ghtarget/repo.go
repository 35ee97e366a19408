package ghtarget

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
	"github.com/jitgate/terraform-provider-jit/internal/target"
)

// loadRepo reads everyone's effective permission, the direct collaborators,
// the invitations (expired ones too) and what else gives access: the org's
// owners and base role, and the repository's teams.
//
// GitHub lists direct collaborators with their effective permission, so a
// direct grant is only known exactly when it exceeds what the user gets
// otherwise. When that matches or exceeds the listed level, the direct grant
// is hidden behind it and is taken as the lowest level: a restore then never
// leaves more than the user had, and their effective access does not change.
func (t *Target) loadRepo(ctx context.Context, owner, repo string) (*snapshot, error) {
	effective, err := t.collaborators(ctx, owner, repo, "all")
	if err != nil {
		return nil, err
	}
	direct, err := t.collaborators(ctx, owner, repo, "direct")
	if err != nil {
		return nil, err
	}
	invites, err := t.repoInvitations(ctx, owner, repo)
	if err != nil {
		return nil, err
	}
	facts, err := t.org(ctx, owner)
	if err != nil {
		return nil, err
	}
	other, err := t.indirect(ctx, owner, repo, facts, len(direct) > 0)
	if err != nil {
		return nil, err
	}
	snap := newSnapshot()
	snap.base, snap.baseKnown = facts.base, facts.baseKnown
	holdingOf := func(u *github.User) *holding {
		id := u.GetID()
		if h := snap.users[id]; h != nil {
			return h
		}
		h := &holding{user: userOf(u), member: facts.isOrg && !other.outside[id]}
		h.rest = other.grants[id]
		if h.member {
			h.rest = higher(h.rest, facts.base)
		}
		snap.add(h)
		return h
	}
	for _, u := range effective {
		holdingOf(u).access.Level = userLevel(u)
	}
	for _, u := range direct {
		h := holdingOf(u)
		h.access.Direct = userLevel(u)
		if scope.Rank(scope.KindRepo, h.access.Direct) <= scope.Rank(scope.KindRepo, h.rest) {
			h.access.Direct = scope.Levels(scope.KindRepo)[0]
		}
	}
	for _, inv := range invites {
		h := holdingOf(inv.Invitee)
		if h.access.Direct != "" {
			continue
		}
		h.inviteID, h.expired = inv.ID, inv.Expired
		if !inv.Expired {
			h.access.Direct, h.access.Pending = repoLevel(inv.Permissions), true
		}
	}
	return snap, nil
}

// repoInvitation is a repository invitation with the expired flag, which
// go-github v60 does not decode: GitHub keeps listing an invitation after
// its 7 days, expired, and it can no longer be accepted.
type repoInvitation struct {
	ID          int64        `json:"id"`
	Invitee     *github.User `json:"invitee"`
	Permissions string       `json:"permissions"`
	Expired     bool         `json:"expired"`
}

func (t *Target) repoInvitations(ctx context.Context, owner, repo string) ([]*repoInvitation, error) {
	invites, err := ghclient.All(func(lo github.ListOptions) ([]*repoInvitation, *github.Response, error) {
		q := url.Values{"per_page": {strconv.Itoa(lo.PerPage)}}
		if lo.Page > 0 {
			q.Set("page", strconv.Itoa(lo.Page))
		}
		req, err := t.gh.NewRequest(http.MethodGet, fmt.Sprintf("repos/%s/%s/invitations?%s", ghclient.Seg(owner), ghclient.Seg(repo), q.Encode()), nil)
		if err != nil {
			return nil, nil, err
		}
		var out []*repoInvitation
		resp, err := t.gh.Do(ctx, req, &out)
		return out, resp, err
	})
	return invites, repoErr(owner, repo, err)
}

// indirectAccess is the access a repository's users get other than as direct
// collaborators, by user ID.
type indirectAccess struct {
	outside map[int64]bool   // direct collaborators who are not org members
	grants  map[int64]string // org owners and team members
}

// indirect reads what org ownership and teams give on a repository, and
// who among its collaborators is outside the org; a user's repository has
// none of them. The teams only matter when there are direct collaborators
// whose grant they may hide.
func (t *Target) indirect(ctx context.Context, owner, repo string, facts *orgFacts, teams bool) (indirectAccess, error) {
	ia := indirectAccess{outside: map[int64]bool{}, grants: map[int64]string{}}
	if !facts.isOrg {
		return ia, nil
	}
	if facts.base != "" {
		outside, err := t.collaborators(ctx, owner, repo, "outside")
		if err != nil {
			return ia, err
		}
		for _, u := range outside {
			ia.outside[u.GetID()] = true
		}
	}
	if teams {
		list, err := ghclient.All(func(lo github.ListOptions) ([]*github.Team, *github.Response, error) {
			return t.gh.Repositories.ListTeams(ctx, ghclient.Seg(owner), ghclient.Seg(repo), &lo)
		})
		if err != nil {
			return ia, repoErr(owner, repo, err)
		}
		for _, team := range list {
			level := repoLevel(team.GetPermission())
			members, err := ghclient.All(func(lo github.ListOptions) ([]*github.User, *github.Response, error) {
				return t.gh.Teams.ListTeamMembersBySlug(ctx, ghclient.Seg(owner), ghclient.Seg(team.GetSlug()), &github.TeamListTeamMembersOptions{ListOptions: lo})
			})
			if err != nil {
				return ia, fmt.Errorf("list members of team %s/%s: %w", owner, team.GetSlug(), ghclient.Explain(err))
			}
			for _, m := range members {
				ia.grants[m.GetID()] = higher(ia.grants[m.GetID()], level)
			}
		}
	}
	for id := range facts.owners {
		ia.grants[id] = "admin"
	}
	return ia, nil
}

func (t *Target) collaborators(ctx context.Context, owner, repo, affiliation string) ([]*github.User, error) {
	users, err := ghclient.All(func(lo github.ListOptions) ([]*github.User, *github.Response, error) {
		return t.gh.Repositories.ListCollaborators(ctx, ghclient.Seg(owner), ghclient.Seg(repo), &github.ListCollaboratorsOptions{Affiliation: affiliation, ListOptions: lo})
	})
	return users, repoErr(owner, repo, err)
}

// grantRepo raises an invitation that is still open, as GitHub keeps one
// invitation per user, or else sets the collaborator permission: 204 means it
// applied, 201 with an invitation means the user must accept first (an
// expired invitation is replaced by a new one).
func (t *Target) grantRepo(ctx context.Context, who target.User, s scope.Scope, cur holding) (target.Access, error) {
	if cur.access.Pending {
		if _, _, err := t.gh.Repositories.UpdateInvitation(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name), cur.inviteID, invitationPermission(s.Level)); err != nil {
			return target.None, err
		}
		after := target.Access{Level: cur.access.Level, Direct: s.Level, Pending: true}
		t.patch(s, who, func(h *holding) { h.access = after })
		return after, nil
	}
	inv, _, err := t.gh.Repositories.AddCollaborator(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name), ghclient.Seg(who.Login), &github.RepositoryAddCollaboratorOptions{Permission: s.Level})
	if err != nil {
		return target.None, err
	}
	if inv.GetID() != 0 {
		after := target.Access{Level: cur.access.Level, Direct: s.Level, Pending: true}
		t.patch(s, who, func(h *holding) { h.access, h.inviteID, h.expired = after, inv.GetID(), false })
		return after, nil
	}
	after := target.Access{Level: higher(s.Level, cur.rest), Direct: s.Level}
	t.patch(s, who, func(h *holding) { h.access = after })
	return after, nil
}

// restoreRepo lowers a collaborator or invitation to prev. An expired
// invitation is deleted first: it gives nothing and can never be accepted.
// An org member cannot be given less than the org's base role (GitHub
// answers 422), so when the base role already gives prev the direct grant
// is removed instead; when the base role is hidden from the token, GitHub's
// 422 tells the same.
func (t *Target) restoreRepo(ctx context.Context, who target.User, s scope.Scope, cur holding, prev target.Access) error {
	if cur.expired {
		if _, err := t.gh.Repositories.DeleteInvitation(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name), cur.inviteID); err != nil && !ghclient.IsNotFound(err) {
			return err
		}
		t.patch(s, who, func(h *holding) { h.inviteID, h.expired = 0, false })
		if scope.Rank(s.Kind, cur.access.Direct) <= scope.Rank(s.Kind, prev.Direct) {
			return nil
		}
	}
	removeDirect := func() error {
		if _, err := t.gh.Repositories.RemoveCollaborator(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name), ghclient.Seg(who.Login)); err != nil {
			return err
		}
		t.patch(s, who, func(h *holding) { h.access = target.Access{Level: h.rest} })
		return nil
	}
	switch {
	case cur.access.Pending && prev.Direct == "":
		if _, err := t.gh.Repositories.DeleteInvitation(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name), cur.inviteID); err != nil && !ghclient.IsNotFound(err) {
			return err
		}
		t.patch(s, who, func(h *holding) { h.access, h.inviteID = target.Access{Level: h.rest}, 0 })
		return nil
	case cur.access.Pending:
		if _, _, err := t.gh.Repositories.UpdateInvitation(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name), cur.inviteID, invitationPermission(prev.Direct)); err != nil {
			return err
		}
		t.patch(s, who, func(h *holding) { h.access.Direct = prev.Direct })
		return nil
	case prev.Direct == "":
		return removeDirect()
	}
	snap, _ := t.snaps.peek(cacheKey(s))
	if snap != nil && snap.baseKnown && cur.member && scope.Rank(s.Kind, prev.Direct) <= scope.Rank(s.Kind, snap.base) {
		return removeDirect()
	}
	_, _, err := t.gh.Repositories.AddCollaborator(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name), ghclient.Seg(who.Login), &github.RepositoryAddCollaboratorOptions{Permission: prev.Direct})
	if belowBaseRole(err) {
		return removeDirect()
	}
	if err != nil {
		return err
	}
	t.patch(s, who, func(h *holding) { h.access = target.Access{Level: higher(prev.Direct, h.rest), Direct: prev.Direct} })
	return nil
}

// belowBaseRole reports GitHub's refusal to set an org member's permission
// below the org's base role.
func belowBaseRole(err error) bool {
	var er *github.ErrorResponse
	return asErrorResponse(err, &er) && er.Response.StatusCode == http.StatusUnprocessableEntity &&
		strings.HasPrefix(er.Message, "Cannot assign")
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
