// Package ghtarget implements target.Target for GitHub teams and repositories.
//
// Everything it knows about a team or repository comes from a snapshot:
// the lists GitHub offers (members, maintainers, child teams, collaborators,
// invitations, the org's owners and base role), loaded once per process and
// shared by every caller, then patched by every write this process makes.
// Reading, granting and revoking many elevations therefore costs those lists
// once per team or repository, plus one write per elevation that changes
// something; a write that fails drops the snapshot, and a fresh one decides
// whether GitHub applied it after all.
//
// Users are identified by their GitHub ID, as the lists name them, so a
// renamed account is followed; a login is looked up only for someone the
// lists do not name.
package ghtarget

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
	"github.com/jitgate/terraform-provider-jit/internal/target"
)

// Target grants and revokes GitHub team memberships and repository
// permissions. It is safe for concurrent use.
type Target struct {
	gh       *github.Client
	snaps    cache[*snapshot]
	invites  cache[*invitations]
	orgs     cache[*orgFacts]
	ownerIDs cache[map[int64]bool]
	users    users
}

var _ target.Target = (*Target)(nil)

// New returns a Target that talks to GitHub through client.
func New(client *github.Client) *Target {
	return &Target{gh: client, users: users{byID: map[int64]target.User{}, byLogin: map[string]target.User{}}}
}

// holding is one user's access at a team or repository.
type holding struct {
	user   target.User
	access target.Access
	// rest is the level left when the direct part is removed: membership
	// through a child team, repository access through teams, org ownership
	// or the org's base role.
	rest  string
	owner bool // an org owner: GitHub reads their team role as maintainer
	// member: an org member, to whom the org's base role applies (known
	// when the base role is).
	member   bool
	inviteID int64 // a repository invitation: open (access.Pending) or expired
	expired  bool
}

// snapshot is the shared view of one team or repository.
type snapshot struct {
	mu        sync.Mutex
	users     map[int64]*holding
	logins    map[string]int64 // lowercase login -> ID
	base      string           // repositories: the org's base role, "" for none or not shown
	baseKnown bool
}

func newSnapshot() *snapshot {
	return &snapshot{users: map[int64]*holding{}, logins: map[string]int64{}}
}

// add records h, replacing what was known about its user.
func (s *snapshot) add(h *holding) {
	s.users[h.user.ID] = h
	s.logins[lower(h.user.Login)] = h.user.ID
}

// locate finds who: a copy of their holding (nil when they hold nothing
// here) and the user as GitHub names them now when the lists do.
func (s *snapshot) locate(who target.User) (*holding, target.User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := who.ID
	if id == 0 {
		id = s.logins[lower(who.Login)]
	}
	if h := s.users[id]; h != nil {
		c := *h
		return &c, c.user
	}
	return nil, who
}

// patch applies change to who's holding (created if missing) after a write;
// a holding left with nothing is dropped.
func (s *snapshot) patch(who target.User, change func(h *holding)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.users[who.ID]
	if h == nil {
		h = &holding{user: who}
	}
	change(h)
	if h.access == target.None && h.rest == "" && h.inviteID == 0 {
		delete(s.users, who.ID)
		return
	}
	s.add(h)
}

// Inspect returns what who holds at the scope's team or repository,
// answered from the shared snapshot, and who as GitHub names them now.
func (t *Target) Inspect(ctx context.Context, who target.User, s scope.Scope) (target.Access, target.User, error) {
	snap, err := t.snapshot(ctx, s)
	if err != nil {
		return target.None, who, err
	}
	h, user := snap.locate(who)
	if h != nil {
		return h.access, user, nil
	}
	if who.ID == 0 {
		// Someone the lists do not name: their ID is still recorded.
		if user, err = t.identify(ctx, who); err != nil {
			return target.None, who, err
		}
	}
	if s.Kind != scope.KindTeam {
		return target.None, user, nil
	}
	inv, user, err := t.pendingMembership(ctx, user, s)
	return inv, user, err
}

// HeldLevel is the effective level login holds at the scope's team or
// repository, from the shared snapshot alone: someone its lists do not name
// holds nothing there (a pending invitation is not access yet). Unlike
// Inspect it never looks the account up, so the gate's cost does not grow
// with the number of requests.
func (t *Target) HeldLevel(ctx context.Context, login string, s scope.Scope) (string, error) {
	snap, err := t.snapshot(ctx, s)
	if err != nil {
		return "", err
	}
	if h, _ := snap.locate(target.User{Login: login}); h != nil {
		return h.access.Level, nil
	}
	return "", nil
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
	snap.mu.Lock()
	var hs []target.Holder
	for _, h := range snap.users {
		if scope.Covers(s.Kind, h.access.Level, s.Level) {
			hs = append(hs, target.Holder{Login: lower(h.user.Login), Level: h.access.Level})
		}
	}
	snap.mu.Unlock()
	slices.SortFunc(hs, func(a, b target.Holder) int { return strings.Compare(a.Login, b.Login) })
	return hs, nil
}

// Grant gives who the scope's level and returns what they held before and
// after. When they already hold the level (or an invitation to it is
// outstanding), nothing is written and after equals before. If the write
// fails, a fresh snapshot decides: a write GitHub applied although its
// response was lost (5xx after retries, timeout) is adopted as a success.
func (t *Target) Grant(ctx context.Context, who target.User, s scope.Scope) (before, after target.Access, _ target.User, _ error) {
	if err := checkConcrete(s); err != nil {
		return target.None, target.None, who, err
	}
	cur, user, err := t.current(ctx, who, s, true)
	if err != nil {
		return target.None, target.None, who, fmt.Errorf("grant %s to %s: %w", s, who.Login, err)
	}
	if holds(s, cur.access) {
		return cur.access, cur.access, user, nil
	}
	if s.Kind == scope.KindTeam {
		after, err = t.grantTeam(ctx, user, s)
	} else {
		after, err = t.grantRepo(ctx, user, s, cur)
	}
	if err != nil {
		t.invalidate(s)
		if now, _, rerr := t.current(ctx, user, s, false); rerr == nil && holds(s, now.access) {
			return cur.access, now.access, user, nil
		}
		return cur.access, target.None, user, fmt.Errorf("grant %s to %s: %w", s, user.Login, ghclient.Explain(err))
	}
	return cur.access, after, user, nil
}

// Restore brings who's direct access back down to prev, in a way GitHub
// accepts: never below the org's base role (the direct grant is removed
// instead), never by writing a membership that was only inherited through
// a child team, cancelling the org invitation a pending team membership
// came with, and deleting an expired repository invitation. It never raises
// access: if what who holds is already at or below prev (someone removed it
// by hand), nothing is written. As in Grant, a failed write whose effect is
// visible in a fresh snapshot counts as done.
func (t *Target) Restore(ctx context.Context, who target.User, s scope.Scope, prev target.Access) (target.User, error) {
	if err := checkConcrete(s); err != nil {
		return who, err
	}
	if scope.Rank(s.Kind, prev.Direct) < 0 {
		return who, fmt.Errorf("restore %s for %s: previous access %q is not a %s level", s, who.Login, prev.Direct, s.Kind)
	}
	cur, user, err := t.current(ctx, who, s, false)
	if err != nil {
		return who, fmt.Errorf("restore %s for %s: %w", s, who.Login, err)
	}
	if restored(s, cur, prev) {
		return user, nil
	}
	if s.Kind == scope.KindTeam {
		err = t.restoreTeam(ctx, user, s, cur, prev)
	} else {
		err = t.restoreRepo(ctx, user, s, cur, prev)
	}
	if err != nil {
		t.invalidate(s)
		if now, _, rerr := t.current(ctx, user, s, false); rerr == nil && restored(s, now, prev) {
			return user, nil
		}
		return user, fmt.Errorf("restore %s for %s to %s: %w", s, user.Login, prev.Encode(), ghclient.Explain(err))
	}
	return user, nil
}

// current is who's holding at the scope's team or repository (zero when
// none) and who as GitHub names them now. A user the lists do not name is
// looked up when a write may follow (write) or their pending team
// invitation must be found.
func (t *Target) current(ctx context.Context, who target.User, s scope.Scope, write bool) (holding, target.User, error) {
	snap, err := t.snapshot(ctx, s)
	if err != nil {
		return holding{}, who, err
	}
	h, user := snap.locate(who)
	if h != nil {
		return *h, user, nil
	}
	if write {
		if user, err = t.identify(ctx, who); err != nil {
			return holding{}, who, err
		}
		if h, user = snap.locate(user); h != nil {
			return *h, user, nil
		}
	}
	if s.Kind != scope.KindTeam {
		return holding{user: user}, user, nil
	}
	inv, user, err := t.pendingMembership(ctx, user, s)
	return holding{user: user, access: inv}, user, err
}

// holds reports whether a already gives the scope's level, or an invitation
// to it is outstanding: either way Grant has nothing to write.
func holds(s scope.Scope, a target.Access) bool {
	return scope.Covers(s.Kind, a.Level, s.Level) || (a.Pending && scope.Covers(s.Kind, a.Direct, s.Level))
}

// restored reports whether h's direct part is at or below prev's and no
// expired invitation is left to delete.
func restored(s scope.Scope, h holding, prev target.Access) bool {
	return !h.expired && scope.Rank(s.Kind, h.access.Direct) <= scope.Rank(s.Kind, prev.Direct)
}

// Preflight reads the principal's account (GET /users/{username}, once per
// process), what it
// holds at the scope (the shared snapshot a refresh loads anyway), and for a
// repository the token's own permissions on it. GitHub tells nobody whether a
// token may change a team's members short of trying, so a team scope's
// write permission is not judged here.
func (t *Target) Preflight(ctx context.Context, principal string, s scope.Scope) (string, error) {
	if err := checkConcrete(s); err != nil {
		return "", err
	}
	// Through the per-process account cache the grant uses too, so a plan
	// and its apply look each account up once.
	who, err := t.identify(ctx, target.User{Login: principal})
	if err != nil {
		return "", err
	}
	if _, _, err := t.Inspect(ctx, who, s); err != nil {
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

func (t *Target) snapshot(ctx context.Context, s scope.Scope) (*snapshot, error) {
	if err := checkKind(s); err != nil {
		return nil, err
	}
	return t.snaps.get(ctx, cacheKey(s), func(ctx context.Context) (*snapshot, error) {
		if s.Kind == scope.KindTeam {
			return t.loadTeam(ctx, s.Owner, s.Name)
		}
		return t.loadRepo(ctx, s.Owner, s.Name)
	})
}

func cacheKey(s scope.Scope) string { return s.Resource() }

// invalidate drops everything known about the scope's team or repository,
// so the next read sees GitHub as it is.
func (t *Target) invalidate(s scope.Scope) {
	t.snaps.invalidate(cacheKey(s))
	t.invites.invalidate(cacheKey(s))
}

// users remembers the accounts looked up by login or ID in this process.
type users struct {
	mu      sync.Mutex
	byID    map[int64]target.User
	byLogin map[string]target.User
}

// identify returns who with their ID and current login: by ID when known
// (following a rename), else by login.
func (t *Target) identify(ctx context.Context, who target.User) (target.User, error) {
	t.users.mu.Lock()
	u, ok := t.users.byID[who.ID]
	if who.ID == 0 {
		u, ok = t.users.byLogin[lower(who.Login)]
	}
	t.users.mu.Unlock()
	if ok {
		return u, nil
	}
	var gu *github.User
	var err error
	if who.ID != 0 {
		gu, _, err = t.gh.Users.GetByID(ctx, who.ID)
	} else {
		gu, _, err = t.gh.Users.Get(ctx, ghclient.Seg(who.Login))
	}
	switch {
	case ghclient.IsNotFound(err) && who.ID != 0:
		return who, fmt.Errorf("GitHub account %d (last known as %s) no longer exists", who.ID, who.Login)
	case ghclient.IsNotFound(err):
		return who, fmt.Errorf("principal %q is not a GitHub account (GET /users/%s answered 404 Not Found): check the login's spelling", who.Login, who.Login)
	case err != nil:
		return who, fmt.Errorf("look up GitHub account %s: %w", who.Login, ghclient.Explain(err))
	}
	u = target.User{ID: gu.GetID(), Login: gu.GetLogin()}
	t.users.mu.Lock()
	t.users.byID[u.ID], t.users.byLogin[lower(u.Login)] = u, u
	t.users.mu.Unlock()
	return u, nil
}

func userOf(u *github.User) target.User {
	return target.User{ID: u.GetID(), Login: u.GetLogin()}
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

func asErrorResponse(err error, er **github.ErrorResponse) bool {
	return errors.As(err, er) && (*er).Response != nil
}
