// Package ghtarget implements target.Target for GitHub teams and repositories.
//
// Reads for Inspect and Holders come from a per-team / per-repository
// snapshot that is loaded once and shared by every caller in the process, so
// a Terraform refresh of many elevations costs a few list calls per team or
// repository instead of one call per elevation. Grant and Restore always read
// the principal's state fresh before writing, and drop the snapshot after.
package ghtarget

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
	"github.com/jitgate/terraform-provider-jit/internal/target"
)

// Target grants and revokes GitHub team memberships and repository
// permissions. It is safe for concurrent use.
type Target struct {
	gh    *github.Client
	cache cache
}

var _ target.Target = (*Target)(nil)

// New returns a Target that talks to GitHub through client.
func New(client *github.Client) *Target {
	return &Target{gh: client, cache: cache{entries: map[string]*entry{}}}
}

// Inspect returns what principal holds at the scope's team or repository,
// answered from the shared snapshot.
func (t *Target) Inspect(ctx context.Context, principal string, s scope.Scope) (target.Access, error) {
	snap, err := t.snapshot(ctx, s)
	if err != nil {
		return target.None, err
	}
	if a, ok := snap[lower(principal)]; ok || s.Kind != scope.KindTeam {
		return a, nil
	}
	invites, err := t.cache.get(ctx, invitationsKey(s), func(ctx context.Context) (snapshot, error) {
		return t.loadTeamInvitations(ctx, s.Owner, s.Name)
	})
	if err != nil {
		return target.None, err
	}
	return invites[lower(principal)], nil
}

// Holders lists, sorted by lowercase login, everyone whose effective level at
// the scope's team or repository is the scope's level or higher. Pending
// invitations hold nothing yet and are not listed.
func (t *Target) Holders(ctx context.Context, s scope.Scope) ([]target.Holder, error) {
	if err := checkConcrete(s); err != nil {
		return nil, err
	}
	snap, err := t.snapshot(ctx, s)
	if err != nil {
		return nil, err
	}
	var hs []target.Holder
	for login, a := range snap {
		if scope.Covers(s.Kind, a.Level, s.Level) {
			hs = append(hs, target.Holder{Login: login, Level: a.Level})
		}
	}
	slices.SortFunc(hs, func(a, b target.Holder) int { return strings.Compare(a.Login, b.Login) })
	return hs, nil
}

// Grant gives principal the scope's level and returns the fresh state read
// before the write along with the resulting access. When the principal
// already holds the level (or an invitation to it is outstanding), nothing is
// written and after equals before. If the write fails, a fresh read decides:
// a write GitHub applied although its response was lost (5xx after retries,
// timeout) is adopted as a success.
func (t *Target) Grant(ctx context.Context, principal string, s scope.Scope) (before, after target.Access, err error) {
	if err := checkConcrete(s); err != nil {
		return target.None, target.None, err
	}
	defer t.invalidate(s)
	cur, err := t.read(ctx, principal, s)
	if err != nil {
		return target.None, target.None, fmt.Errorf("grant %s to %s: %w", s, principal, ghclient.Explain(err))
	}
	if holds(s, cur.Access) {
		return cur.Access, cur.Access, nil
	}
	if s.Kind == scope.KindTeam {
		after, err = t.grantTeam(ctx, principal, s)
	} else {
		after, err = t.grantRepo(ctx, principal, s, cur)
	}
	if err != nil {
		if now, rerr := t.read(ctx, principal, s); rerr == nil && holds(s, now.Access) {
			return cur.Access, now.Access, nil
		}
		return cur.Access, target.None, fmt.Errorf("grant %s to %s: %w", s, principal, ghclient.Explain(err))
	}
	return cur.Access, after, nil
}

// Restore brings principal's direct access back down to prev. It never
// raises access: if what the principal holds now is already at or below prev
// (for instance someone removed it by hand), nothing is written. As in Grant,
// a failed write whose effect is visible on a fresh read counts as done.
func (t *Target) Restore(ctx context.Context, principal string, s scope.Scope, prev target.Access) error {
	if err := checkConcrete(s); err != nil {
		return err
	}
	if scope.Rank(s.Kind, prev.Direct) < 0 {
		return fmt.Errorf("restore %s for %s: previous access %q is not a %s level", s, principal, prev.Direct, s.Kind)
	}
	defer t.invalidate(s)
	cur, err := t.read(ctx, principal, s)
	if err != nil {
		return fmt.Errorf("restore %s for %s: %w", s, principal, ghclient.Explain(err))
	}
	if restored(s, cur.Access, prev) {
		return nil
	}
	if s.Kind == scope.KindTeam {
		err = t.restoreTeam(ctx, principal, s, prev)
	} else {
		err = t.restoreRepo(ctx, principal, s, prev, cur)
	}
	if err != nil {
		if now, rerr := t.read(ctx, principal, s); rerr == nil && restored(s, now.Access, prev) {
			return nil
		}
		return fmt.Errorf("restore %s for %s to %s: %w", s, principal, prev.Encode(), ghclient.Explain(err))
	}
	return nil
}

// state is a principal's fresh access at one team or repository, with what a
// write needs to change it.
type state struct {
	target.Access
	inviteID int64 // the pending repository invitation, 0 if none
}

// read returns principal's current state, straight from GitHub.
func (t *Target) read(ctx context.Context, principal string, s scope.Scope) (state, error) {
	if s.Kind == scope.KindTeam {
		a, err := t.teamMembership(ctx, s.Owner, s.Name, principal)
		return state{Access: a}, err
	}
	return t.repoState(ctx, s.Owner, s.Name, principal)
}

// holds reports whether a already gives the scope's level, or an invitation
// to it is outstanding: either way Grant has nothing to write.
func holds(s scope.Scope, a target.Access) bool {
	return scope.Covers(s.Kind, a.Level, s.Level) || (a.Pending && scope.Covers(s.Kind, a.Direct, s.Level))
}

// restored reports whether a's direct part is at or below prev's.
func restored(s scope.Scope, a, prev target.Access) bool {
	return scope.Rank(s.Kind, a.Direct) <= scope.Rank(s.Kind, prev.Direct)
}

// Preflight reads the principal's account (GET /users/{username}), what it
// holds at the scope (the shared snapshot a refresh loads anyway), and for a
// repository the token's own permissions on it. GitHub tells nobody whether a
// token may change a team's members short of trying, so a team scope's
// write permission is not judged here.
func (t *Target) Preflight(ctx context.Context, principal string, s scope.Scope) (string, error) {
	if err := checkConcrete(s); err != nil {
		return "", err
	}
	if _, _, err := t.gh.Users.Get(ctx, ghclient.Seg(principal)); err != nil {
		if ghclient.IsNotFound(err) {
			return "", fmt.Errorf("principal %q is not a GitHub account (GET /users/%s answered 404 Not Found): check the login's spelling", principal, principal)
		}
		return "", fmt.Errorf("read the account %s: %w", principal, ghclient.Explain(err))
	}
	if _, err := t.Inspect(ctx, principal, s); err != nil {
		return "", fmt.Errorf("read what %s holds at %s: %w", principal, s.Resource(), err)
	}
	if s.Kind != scope.KindRepo {
		return "", nil
	}
	r, _, err := t.gh.Repositories.Get(ctx, ghclient.Seg(s.Owner), ghclient.Seg(s.Name))
	if err != nil {
		return "", fmt.Errorf("read repository %s/%s: %w", s.Owner, s.Name, repoErr(s.Owner, s.Name, err))
	}
	if p := r.GetPermissions(); p != nil && !p["admin"] {
		return fmt.Sprintf("the token cannot change the collaborators of %s/%s: granting and revoking need admin on the repository (a GitHub App needs administration=write; a fine-grained token, Administration: read and write)", s.Owner, s.Name), nil
	}
	return "", nil
}

// IsOrgOwner reports whether login is an active owner of org. Exclusive
// policies use it to never lower an org owner's access, which GitHub would
// not let them remove anyway.
func (t *Target) IsOrgOwner(ctx context.Context, org, login string) (bool, error) {
	m, _, err := t.gh.Organizations.GetOrgMembership(ctx, ghclient.Seg(login), ghclient.Seg(org))
	if ghclient.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s's membership of organization %s: %w", login, org, ghclient.Explain(err))
	}
	return m.GetRole() == "admin" && m.GetState() == "active", nil
}

// snapshot is the shared, read-only view of one team or repository: everyone
// with any access or a pending invitation, by lowercase login.
type snapshot map[string]target.Access

func (t *Target) snapshot(ctx context.Context, s scope.Scope) (snapshot, error) {
	if err := checkKind(s); err != nil {
		return nil, err
	}
	return t.cache.get(ctx, cacheKey(s), func(ctx context.Context) (snapshot, error) {
		if s.Kind == scope.KindTeam {
			return t.loadTeam(ctx, s.Owner, s.Name)
		}
		return t.loadRepo(ctx, s.Owner, s.Name)
	})
}

func cacheKey(s scope.Scope) string { return s.Resource() }

func invitationsKey(s scope.Scope) string { return cacheKey(s) + "#invitations" }

// invalidate drops everything cached about the scope's team or repository, so
// the next read sees a write.
func (t *Target) invalidate(s scope.Scope) {
	t.cache.invalidate(cacheKey(s))
	t.cache.invalidate(invitationsKey(s))
}

func checkKind(s scope.Scope) error {
	if s.Target != "github" || (s.Kind != scope.KindTeam && s.Kind != scope.KindRepo) {
		return fmt.Errorf("scope %s is not a GitHub team or repository scope", s)
	}
	return nil
}

func checkConcrete(s scope.Scope) error {
	if err := checkKind(s); err != nil {
		return err
	}
	if !s.Concrete() || scope.Rank(s.Kind, s.Level) < 1 {
		return fmt.Errorf("scope %s is not a concrete scope", s)
	}
	return nil
}

func lower(login string) string { return strings.ToLower(login) }
