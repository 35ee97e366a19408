package ghtarget

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
	"github.com/jitgate/terraform-provider-jit/internal/target"
)

var ctx = context.Background()

const token = "tok-owner"

// newFake returns a fake with org acme (owner "owner"), team acme/admins,
// repository acme/app, org member alice and bob, who is not an org member.
func newFake(t *testing.T) *githubfake.Fake {
	t.Helper()
	f := githubfake.New()
	t.Cleanup(f.Close)
	for _, u := range []string{"owner", "alice", "bob"} {
		f.AddUser(u)
	}
	f.AddToken(token, "owner")
	f.AddOrg("acme")
	f.SetOrgMember("acme", "owner", "admin")
	f.SetOrgMember("acme", "alice", "member")
	f.AddTeam("acme", "admins")
	f.AddRepo("acme", "app")
	return f
}

// newTarget returns a Target over a fresh client (and so a fresh snapshot
// cache), retrying quickly.
func newTarget(t *testing.T, f *githubfake.Fake) *Target {
	t.Helper()
	c, err := ghclient.New(ghclient.Config{Token: token, BaseURL: f.URL(), MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return New(c)
}

func mustScope(t *testing.T, s string) scope.Scope {
	t.Helper()
	sc, err := scope.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// writes counts the requests that change state.
func writes(f *githubfake.Fake) int {
	n := 0
	for route, c := range f.AllCalls() {
		if !strings.HasPrefix(route, "GET ") {
			n += c
		}
	}
	return n
}

func wantAccess(t *testing.T, what string, got, want target.Access) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
}

func grant(t *testing.T, tg *Target, principal string, s scope.Scope) (before, after target.Access) {
	t.Helper()
	before, after, _, err := tg.Grant(ctx, target.User{Login: principal}, s)
	if err != nil {
		t.Fatalf("Grant(%s, %s): %v", principal, s, err)
	}
	return before, after
}

func restore(t *testing.T, tg *Target, principal string, s scope.Scope, prev target.Access) {
	t.Helper()
	if _, err := tg.Restore(ctx, target.User{Login: principal}, s, prev); err != nil {
		t.Fatalf("Restore(%s, %s, %+v): %v", principal, s, prev, err)
	}
}

func inspect(tg *Target, login string, s scope.Scope) (target.Access, error) {
	a, _, err := tg.Inspect(ctx, target.User{Login: login}, s)
	return a, err
}

func wantTeamMembership(t *testing.T, f *githubfake.Fake, login, wantRole, wantState string) {
	t.Helper()
	role, state, _ := f.TeamMembership("acme", "admins", login)
	if role != wantRole || state != wantState {
		t.Errorf("membership of %s = %q %q, want %q %q", login, role, state, wantRole, wantState)
	}
}

var member = target.Access{Level: "member", Direct: "member"}

func TestTeamGrantToOrgMemberAndRestore(t *testing.T) {
	f := newFake(t)
	tg := newTarget(t, f)
	s := mustScope(t, "github:team:acme/admins")

	before, after := grant(t, tg, "alice", s)
	wantAccess(t, "before", before, target.None)
	wantAccess(t, "after", after, member)
	wantTeamMembership(t, f, "alice", "member", "active")

	restore(t, tg, "alice", s, before)
	wantTeamMembership(t, f, "alice", "", "")
}

func TestTeamGrantToNonOrgMemberIsPending(t *testing.T) {
	f := newFake(t)
	tg := newTarget(t, f)
	s := mustScope(t, "github:team:acme/admins:maintainer")

	_, after := grant(t, tg, "bob", s)
	pending := target.Access{Direct: "maintainer", Pending: true}
	wantAccess(t, "after", after, pending)
	wantTeamMembership(t, f, "bob", "maintainer", "pending")
	got, err := inspect(tg, "bob", s)
	if err != nil {
		t.Fatal(err)
	}
	wantAccess(t, "Inspect", got, pending)

	restore(t, tg, "bob", s, target.None)
	wantTeamMembership(t, f, "bob", "", "")
}

func TestTeamMaintainerAskingMemberWritesNothing(t *testing.T) {
	f := newFake(t)
	f.SetTeamMembership("acme", "admins", "alice", "maintainer", "active")
	tg := newTarget(t, f)
	s := mustScope(t, "github:team:acme/admins")

	before, after := grant(t, tg, "alice", s)
	maintainer := target.Access{Level: "maintainer", Direct: "maintainer"}
	wantAccess(t, "before", before, maintainer)
	wantAccess(t, "after", after, maintainer)
	restore(t, tg, "alice", s, before)
	if n := writes(f); n != 0 {
		t.Errorf("%d writes, want none: %v", n, f.AllCalls())
	}
	wantTeamMembership(t, f, "alice", "maintainer", "active")
}

func TestTeamMemberToMaintainerAndBack(t *testing.T) {
	f := newFake(t)
	f.SetTeamMembership("acme", "admins", "alice", "member", "active")
	tg := newTarget(t, f)
	s := mustScope(t, "github:team:acme/admins:maintainer")

	before, after := grant(t, tg, "alice", s)
	wantAccess(t, "before", before, member)
	wantAccess(t, "after", after, target.Access{Level: "maintainer", Direct: "maintainer"})
	wantTeamMembership(t, f, "alice", "maintainer", "active")

	restore(t, tg, "alice", s, before)
	wantTeamMembership(t, f, "alice", "member", "active")
}

func TestRestoreNeverRaises(t *testing.T) {
	f := newFake(t)
	tg := newTarget(t, f)
	s := mustScope(t, "github:team:acme/admins:maintainer")

	// Removed by hand during the elevation: restoring "member" must not re-add.
	restore(t, tg, "alice", s, member)
	wantTeamMembership(t, f, "alice", "", "")
	if n := writes(f); n != 0 {
		t.Errorf("%d writes, want none", n)
	}
}

func TestRepoOutsideCollaboratorIsInvited(t *testing.T) {
	f := newFake(t)
	tg := newTarget(t, f)
	s := mustScope(t, "github:repo:acme/app:push")

	before, after := grant(t, tg, "bob", s)
	wantAccess(t, "before", before, target.None)
	invited := target.Access{Direct: "push", Pending: true}
	wantAccess(t, "after", after, invited)
	if invs := f.Invitations("acme", "app"); len(invs) != 1 || invs[0].Login != "bob" || invs[0].Permission != "push" {
		t.Fatalf("invitations = %+v, want bob's for push", invs)
	}
	got, err := inspect(tg, "bob", s)
	if err != nil {
		t.Fatal(err)
	}
	wantAccess(t, "Inspect", got, invited)

	restore(t, tg, "bob", s, before)
	if invs := f.Invitations("acme", "app"); len(invs) != 0 {
		t.Errorf("invitations after restore = %+v, want none", invs)
	}
}

func TestRepoPendingInvitationRaisedAndRestored(t *testing.T) {
	f := newFake(t)
	f.InviteCollaborator("acme", "app", "bob", "pull")
	tg := newTarget(t, f)
	s := mustScope(t, "github:repo:acme/app:maintain")

	before, after := grant(t, tg, "bob", s)
	wantAccess(t, "before", before, target.Access{Direct: "pull", Pending: true})
	wantAccess(t, "after", after, target.Access{Direct: "maintain", Pending: true})
	if invs := f.Invitations("acme", "app"); len(invs) != 1 || invs[0].Permission != "maintain" {
		t.Fatalf("invitations = %+v, want one for maintain", invs)
	}

	restore(t, tg, "bob", s, before)
	if invs := f.Invitations("acme", "app"); len(invs) != 1 || invs[0].Permission != "pull" {
		t.Errorf("invitations after restore = %+v, want one for pull", invs)
	}
}

func TestRepoOrgMemberGetsDirectPermission(t *testing.T) {
	f := newFake(t)
	tg := newTarget(t, f)
	s := mustScope(t, "github:repo:acme/app:push")

	before, after := grant(t, tg, "alice", s)
	wantAccess(t, "before", before, target.None)
	wantAccess(t, "after", after, target.Access{Level: "push", Direct: "push"})
	if p, _ := f.Collaborator("acme", "app", "alice"); p != "push" {
		t.Errorf("alice's direct permission = %q, want push", p)
	}

	restore(t, tg, "alice", s, before)
	if p, ok := f.Collaborator("acme", "app", "alice"); ok {
		t.Errorf("alice still a collaborator with %q", p)
	}
}

func TestRepoPushThroughTeamAskingPushWritesNothing(t *testing.T) {
	f := newFake(t)
	f.AddTeam("acme", "devs")
	f.SetTeamMembership("acme", "devs", "alice", "member", "active")
	f.SetTeamRepoPermission("acme", "devs", "acme", "app", "push")
	tg := newTarget(t, f)
	s := mustScope(t, "github:repo:acme/app:push")

	before, after := grant(t, tg, "alice", s)
	wantAccess(t, "before", before, target.Access{Level: "push"})
	wantAccess(t, "after", after, before)
	restore(t, tg, "alice", s, before)
	if n := writes(f); n != 0 {
		t.Errorf("%d writes, want none: %v", n, f.AllCalls())
	}
}

func TestRepoDirectPullToAdminAndBack(t *testing.T) {
	f := newFake(t)
	f.SetCollaborator("acme", "app", "alice", "pull")
	tg := newTarget(t, f)
	s := mustScope(t, "github:repo:acme/app:admin")

	before, after := grant(t, tg, "alice", s)
	wantAccess(t, "before", before, target.Access{Level: "pull", Direct: "pull"})
	wantAccess(t, "after", after, target.Access{Level: "admin", Direct: "admin"})
	if p, _ := f.Collaborator("acme", "app", "alice"); p != "admin" {
		t.Errorf("alice's direct permission = %q, want admin", p)
	}

	restore(t, tg, "alice", s, before)
	if p, _ := f.Collaborator("acme", "app", "alice"); p != "pull" {
		t.Errorf("alice's direct permission after restore = %q, want pull", p)
	}
}

// GitHub lists direct collaborators with their effective permission; a
// direct pull behind a team's push must not be taken for a direct push, or
// the restore would raise it.
func TestRepoDirectGrantBehindTeamIsNotRaisedOnRestore(t *testing.T) {
	f := newFake(t)
	f.AddTeam("acme", "devs")
	f.SetTeamMembership("acme", "devs", "alice", "member", "active")
	f.SetTeamRepoPermission("acme", "devs", "acme", "app", "push")
	f.SetCollaborator("acme", "app", "alice", "pull")
	tg := newTarget(t, f)
	s := mustScope(t, "github:repo:acme/app:admin")

	got, err := inspect(tg, "alice", s)
	if err != nil {
		t.Fatal(err)
	}
	wantAccess(t, "Inspect", got, target.Access{Level: "push", Direct: "pull"})

	before, _ := grant(t, tg, "alice", s)
	wantAccess(t, "before", before, got)
	restore(t, tg, "alice", s, before)
	if p, _ := f.Collaborator("acme", "app", "alice"); p != "pull" {
		t.Errorf("alice's direct permission after restore = %q, want pull", p)
	}
	if p := f.EffectivePermission("acme", "app", "alice"); p != "push" {
		t.Errorf("alice's effective permission after restore = %q, want push", p)
	}
}

// GitHub shows the org base permission to org owners only, as
// default_repository_permission; the wrapper shows it whatever the fake's
// rule, so this test is only about reading it.
func TestRepoDirectGrantBehindBasePermission(t *testing.T) {
	f := newFake(t)
	f.SetOrgBasePermission("acme", "write")
	f.SetCollaborator("acme", "app", "alice", "pull")
	f.SetCollaborator("acme", "app", "bob", "push")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/orgs/acme" {
			f.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		f.ServeHTTP(rec, r)
		var org map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &org); err != nil {
			t.Error(err)
		}
		org["default_repository_permission"] = "write"
		w.WriteHeader(rec.Code)
		_ = json.NewEncoder(w).Encode(org)
	}))
	t.Cleanup(srv.Close)
	c, err := ghclient.New(ghclient.Config{Token: token, BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	tg := New(c)
	s := mustScope(t, "github:repo:acme/app:admin")

	for login, want := range map[string]target.Access{
		"alice": {Level: "push", Direct: "pull"}, // behind the base permission
		"bob":   {Level: "push", Direct: "push"}, // outside collaborators get no base permission
	} {
		got, err := inspect(tg, login, s)
		if err != nil {
			t.Fatal(err)
		}
		wantAccess(t, "Inspect("+login+")", got, want)
	}
}

// seedTeams puts n users on two teams, alternating, half of them maintainers.
func seedTeams(f *githubfake.Fake, n int) []string {
	f.AddTeam("acme", "ops")
	var logins []string
	for i := range n {
		login := fmt.Sprintf("user%02d", i)
		f.AddUser(login)
		role := "member"
		if i%4 < 2 {
			role = "maintainer"
		}
		f.SetTeamMembership("acme", []string{"admins", "ops"}[i%2], login, role, "active")
		logins = append(logins, login)
	}
	return logins
}

// inspectAll inspects each principal's elevation on its team concurrently and
// returns the API calls it took.
func inspectAll(t *testing.T, f *githubfake.Fake, logins []string) int {
	t.Helper()
	tg := newTarget(t, f)
	f.ResetCalls()
	var wg sync.WaitGroup
	for i, login := range logins {
		wg.Go(func() {
			s := mustScope(t, "github:team:acme/"+[]string{"admins", "ops"}[i%2])
			got, err := inspect(tg, login, s)
			if err != nil {
				t.Error(err)
				return
			}
			if got.Level == "" || got.Direct != got.Level || got.Pending {
				t.Errorf("Inspect(%s) = %+v, want an active membership", login, got)
			}
		})
	}
	wg.Wait()
	return f.TotalCalls()
}

func TestInspectSharesOneSnapshotPerTeam(t *testing.T) {
	f := newFake(t)
	logins := seedTeams(f, 50)

	at10 := inspectAll(t, f, logins[:10])
	at50 := inspectAll(t, f, logins)
	t.Logf("API calls to inspect elevations on 2 teams: 10 → %d, 50 → %d", at10, at50)
	if at10 != at50 {
		t.Errorf("calls grow with the number of elevations: %d for 10, %d for 50", at10, at50)
	}
	// Per team: maintainers, all members and child teams; per org: its
	// owners. Pending invitations are only read when someone asked about is
	// not a member.
	if at50 != 7 {
		t.Errorf("%d calls for 50 elevations on 2 teams, want 7: %v", at50, f.AllCalls())
	}
}

func TestInspectReadsTeamInvitationsOnlyForNonMembers(t *testing.T) {
	f := newFake(t)
	logins := seedTeams(f, 10)
	f.AddUser("newbie")
	f.SetTeamMembership("acme", "admins", "newbie", "maintainer", "pending")
	tg := newTarget(t, f)
	f.ResetCalls()
	for _, login := range append(logins, "newbie", "newbie") {
		if _, err := inspect(tg, login, mustScope(t, "github:team:acme/admins")); err != nil {
			t.Fatal(err)
		}
	}
	got, err := inspect(tg, "newbie", mustScope(t, "github:team:acme/admins"))
	if err != nil {
		t.Fatal(err)
	}
	wantAccess(t, "Inspect(newbie)", got, target.Access{Direct: "maintainer", Pending: true})
	if n := f.Calls("GET /orgs/{org}/teams/{team_slug}/invitations"); n != 1 {
		t.Errorf("invitations listed %d times, want once for all non-members", n)
	}
}

func TestInspectSharesOneSnapshotPerRepo(t *testing.T) {
	f := newFake(t)
	f.AddTeam("acme", "devs")
	f.SetTeamRepoPermission("acme", "devs", "acme", "app", "push")
	var logins []string
	for i := range 50 {
		login := fmt.Sprintf("user%02d", i)
		f.AddUser(login)
		if i%2 == 0 {
			f.SetCollaborator("acme", "app", login, "admin")
		} else {
			f.SetTeamMembership("acme", "devs", login, "member", "active")
		}
		logins = append(logins, login)
	}
	tg := newTarget(t, f)
	s := mustScope(t, "github:repo:acme/app:push")
	f.ResetCalls()
	var wg sync.WaitGroup
	for i, login := range logins {
		wg.Go(func() {
			got, err := inspect(tg, login, s)
			if err != nil {
				t.Error(err)
				return
			}
			want := target.Access{Level: "push"}
			if i%2 == 0 {
				want = target.Access{Level: "admin", Direct: "admin"}
			}
			wantAccess(t, "Inspect("+login+")", got, want)
		})
	}
	wg.Wait()
	// Collaborators (all, direct), invitations, the org, its owners, the
	// repository's teams and the members of its one team.
	t.Logf("API calls to inspect 50 elevations on 1 repository: %d", f.TotalCalls())
	if n := f.TotalCalls(); n != 7 {
		t.Errorf("%d calls, want 7: %v", n, f.AllCalls())
	}
}

func TestGrantInvalidatesSnapshot(t *testing.T) {
	f := newFake(t)
	tg := newTarget(t, f)
	s := mustScope(t, "github:team:acme/admins")

	got, err := inspect(tg, "alice", s)
	if err != nil {
		t.Fatal(err)
	}
	wantAccess(t, "Inspect before grant", got, target.None)
	grant(t, tg, "alice", s)
	if got, err = inspect(tg, "ALICE", s); err != nil {
		t.Fatal(err)
	}
	wantAccess(t, "Inspect after grant", got, member)
}

func TestFailedLoadIsRetried(t *testing.T) {
	f := newFake(t)
	f.InjectFault(githubfake.Fault{Method: "GET", PathPrefix: "/orgs/acme/teams/admins/members", Times: 3})
	tg := newTarget(t, f)
	s := mustScope(t, "github:team:acme/admins")

	if _, err := inspect(tg, "alice", s); err == nil {
		t.Fatal("Inspect succeeded through a failing API")
	}
	if _, err := inspect(tg, "alice", s); err != nil {
		t.Fatalf("Inspect after the API recovered: %v", err)
	}
}

func TestPendingTeamInvitationKeepsItsRole(t *testing.T) {
	f := newFake(t)
	f.SetTeamMembership("acme", "admins", "bob", "maintainer", "pending")
	tg := newTarget(t, f)

	got, err := inspect(tg, "bob", mustScope(t, "github:team:acme/admins"))
	if err != nil {
		t.Fatal(err)
	}
	wantAccess(t, "Inspect", got, target.Access{Direct: "maintainer", Pending: true})
}

func TestLargeTeamIsReadFully(t *testing.T) {
	f := newFake(t)
	for i := range 250 {
		login := fmt.Sprintf("m%03d", i)
		f.AddUser(login)
		f.SetTeamMembership("acme", "admins", login, "member", "active")
	}
	tg := newTarget(t, f)

	hs, err := tg.Holders(ctx, mustScope(t, "github:team:acme/admins"))
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 250 || hs[0].Login != "m000" || hs[249].Login != "m249" {
		t.Fatalf("Holders = %d holders (first %+v), want m000..m249", len(hs), hs[0])
	}
	if n := f.Calls("GET /orgs/{org}/teams/{team_slug}/members"); n != 4 {
		t.Errorf("%d member list calls, want 4 (3 pages of all, 1 of maintainers)", n)
	}
}

func TestHolders(t *testing.T) {
	f := newFake(t)
	f.SetTeamMembership("acme", "admins", "alice", "maintainer", "active")
	f.AddUser("carol")
	f.SetTeamMembership("acme", "admins", "carol", "member", "active")
	f.SetTeamMembership("acme", "admins", "bob", "member", "pending")
	f.SetCollaborator("acme", "app", "alice", "maintain")
	f.SetCollaborator("acme", "app", "carol", "triage")
	tg := newTarget(t, f)

	tests := []struct {
		scope string
		want  []target.Holder
	}{
		{"github:team:acme/admins", []target.Holder{{Login: "alice", Level: "maintainer"}, {Login: "carol", Level: "member"}}},
		{"github:team:acme/admins:maintainer", []target.Holder{{Login: "alice", Level: "maintainer"}}},
		// The org owner holds admin on every repository.
		{"github:repo:acme/app:push", []target.Holder{{Login: "alice", Level: "maintain"}, {Login: "owner", Level: "admin"}}},
		{"github:repo:acme/app:triage", []target.Holder{{Login: "alice", Level: "maintain"}, {Login: "carol", Level: "triage"}, {Login: "owner", Level: "admin"}}},
	}
	for _, tt := range tests {
		got, err := tg.Holders(ctx, mustScope(t, tt.scope))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("Holders(%s) = %v, want %v", tt.scope, got, tt.want)
		}
	}
}

func TestLostGrantResponseIsAdopted(t *testing.T) {
	f := newFake(t)
	f.InjectFault(githubfake.Fault{Method: "PUT", PathPrefix: "/orgs/acme/teams/admins/memberships/", Times: -1, AfterApply: true})
	tg := newTarget(t, f)

	_, after, _, err := tg.Grant(ctx, target.User{Login: "alice"}, mustScope(t, "github:team:acme/admins"))
	if err != nil {
		t.Fatalf("Grant: %v", err)
	}
	wantAccess(t, "after", after, member)
	wantTeamMembership(t, f, "alice", "member", "active")
	if n := f.Calls("PUT /orgs/{org}/teams/{team_slug}/memberships/{username}"); n != 3 {
		t.Errorf("%d PUTs, want 3 (all retries answered 502)", n)
	}
}

func TestLostRestoreResponseIsAdopted(t *testing.T) {
	f := newFake(t)
	f.SetCollaborator("acme", "app", "alice", "admin")
	f.InjectFault(githubfake.Fault{Method: "DELETE", PathPrefix: "/repos/acme/app/", Times: -1, AfterApply: true})
	tg := newTarget(t, f)

	if _, err := tg.Restore(ctx, target.User{Login: "alice"}, mustScope(t, "github:repo:acme/app:admin"), target.None); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if p, ok := f.Collaborator("acme", "app", "alice"); ok {
		t.Errorf("alice still a collaborator with %q", p)
	}
}

func TestFailedGrantIsAnError(t *testing.T) {
	f := newFake(t)
	f.InjectFault(githubfake.Fault{Method: "PUT", Times: -1})
	tg := newTarget(t, f)

	if _, _, _, err := tg.Grant(ctx, target.User{Login: "alice"}, mustScope(t, "github:repo:acme/app:push")); err == nil || !strings.Contains(err.Error(), "502") {
		t.Fatalf("Grant error = %v, want the 502", err)
	}
}

func TestMissingTeamOrRepoIsAClearError(t *testing.T) {
	f := newFake(t)
	tg := newTarget(t, f)

	for _, tt := range []struct{ scope, want string }{
		{"github:team:acme/nope", "team acme/nope not found or not visible to the token"},
		{"github:repo:acme/nope:push", "repository acme/nope not found or not visible to the token"},
	} {
		s := mustScope(t, tt.scope)
		if _, err := inspect(tg, "alice", s); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Inspect(%s) error = %v, want %q", tt.scope, err, tt.want)
		}
		if _, _, _, err := tg.Grant(ctx, target.User{Login: "alice"}, s); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Grant(%s) error = %v, want %q", tt.scope, err, tt.want)
		}
		if _, err := tg.Restore(ctx, target.User{Login: "alice"}, s, target.None); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Restore(%s) error = %v, want %q", tt.scope, err, tt.want)
		}
	}
}

func TestIsOrgOwner(t *testing.T) {
	f := newFake(t)
	tg := newTarget(t, f)
	for login, want := range map[string]bool{"owner": true, "alice": false, "bob": false} {
		got, err := tg.IsOrgOwner(ctx, "acme", login)
		if err != nil || got != want {
			t.Errorf("IsOrgOwner(%s) = %v, %v; want %v", login, got, err, want)
		}
	}
}

// Preflight writes nothing, and tells a token that can read a repository's
// collaborators but not change them from one that can.
func TestPreflightNamesTheMissingWritePermission(t *testing.T) {
	f := newFake(t)
	f.AddInstallationToken("tok-reader", githubfake.Installation{App: "reader", Account: "acme",
		Permissions: map[string]string{"members": "read", "administration": "read"}})
	reader, err := ghclient.New(ghclient.Config{Token: "tok-reader", BaseURL: f.URL()})
	if err != nil {
		t.Fatal(err)
	}
	sc := mustScope(t, "github:repo:acme/app:push")
	f.ResetCalls()
	cannot, err := New(reader).Preflight(ctx, "alice", sc)
	if err != nil || !strings.Contains(cannot, "administration=write") {
		t.Errorf("read-only app: %q, %v", cannot, err)
	}
	cannot, err = newTarget(t, f).Preflight(ctx, "alice", sc)
	if err != nil || cannot != "" {
		t.Errorf("org owner: %q, %v", cannot, err)
	}
	if _, err := newTarget(t, f).Preflight(ctx, "nobody-here", sc); err == nil || !strings.Contains(err.Error(), `"nobody-here" is not a GitHub account`) {
		t.Errorf("unknown principal: %v", err)
	}
	for route, n := range f.AllCalls() {
		if !strings.HasPrefix(route, "GET ") && n > 0 {
			t.Errorf("preflight wrote: %s", route)
		}
	}
}
