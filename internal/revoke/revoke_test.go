package revoke

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/target/ghtarget"
)

var ctx = context.Background()

const token = "tok-owner"

// t0 is when the tests' grants were made; the run is an hour later.
var (
	t0  = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	now = t0.Add(time.Hour)
)

// world is a fake GitHub with org acme (owner "owner"), team acme/ops,
// repository acme/app and org members alice and bob.
type world struct {
	f *githubfake.Fake
}

func newWorld(t *testing.T) *world {
	t.Helper()
	f := githubfake.New()
	t.Cleanup(f.Close)
	f.AddUser("owner")
	f.AddToken(token, "owner")
	f.AddOrg("acme")
	f.SetOrgMember("acme", "owner", "admin")
	for _, u := range []string{"alice", "bob"} {
		f.AddUser(u)
		f.SetOrgMember("acme", u, "member")
	}
	f.AddTeam("acme", "ops")
	f.AddRepo("acme", "app")
	return &world{f: f}
}

// target returns a Target with a fresh snapshot cache, as a new run has.
func (w *world) target(t *testing.T) *ghtarget.Target {
	t.Helper()
	c, err := ghclient.New(ghclient.Config{Token: token, BaseURL: w.f.URL(), MaxRetries: 1, MinWait: time.Millisecond, MaxWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return ghtarget.New(c)
}

func (w *world) run(t *testing.T, els []plan.StateElevation, dry bool) []Outcome {
	t.Helper()
	return Run(ctx, w.target(t), els, Options{DryRun: dry, Clock: clock.NewVirtual(now)})
}

func (w *world) writes() int {
	n := 0
	for route, c := range w.f.AllCalls() {
		if !strings.HasPrefix(route, "GET ") {
			n += c
		}
	}
	return n
}

// el is an elevation of login, granted at t0+granted, lasting d.
func (w *world) el(addr, login, scope, status string, granted, d time.Duration, prev string) plan.StateElevation {
	return plan.StateElevation{Address: addr, Elevation: policy.Elevation{
		ID: "elev-" + addr, Principal: login, PrincipalID: w.f.UserID(login), Scope: scope, Status: status,
		GrantedAt: stamp(t0.Add(granted)), ExpiresAt: stamp(t0.Add(granted + d)), PreviousAccess: prev,
	}}
}

func stamp(t time.Time) string { return t.Format(time.RFC3339) }

func ended(e plan.StateElevation, status string) plan.StateElevation {
	e.Status, e.RevokedAt = status, e.ExpiresAt
	return e
}

func wantResults(t *testing.T, got []Outcome, want map[string]string) {
	t.Helper()
	have := map[string]string{}
	for _, o := range got {
		have[o.Address] = o.Why + "/" + o.Result
	}
	if fmt.Sprint(have) != fmt.Sprint(want) {
		t.Errorf("outcomes = %v, want %v\n%+v", have, want, got)
	}
}

func (w *world) wantRole(t *testing.T, login, role string) {
	t.Helper()
	got, _, _ := w.f.TeamMembership("acme", "ops", login)
	if got != role {
		t.Errorf("%s's role in ops = %q, want %q", login, got, role)
	}
}

func TestExpiredIsRevokedWithItsLagAndOnlyOnce(t *testing.T) {
	w := newWorld(t)
	w.f.SetTeamMembership("acme", "ops", "alice", "member", "active")
	els := []plan.StateElevation{w.el("jit_elevation.a", "alice", "github:team:acme/ops", "active", 0, 30*time.Minute, "none")}

	got := w.run(t, els, false)
	wantResults(t, got, map[string]string{"jit_elevation.a": "expired/revoked"})
	w.wantRole(t, "alice", "")
	if lag, ok := got[0].Lag(); !ok || lag != 30*time.Minute {
		t.Errorf("lag = %v (%v), want 30m: expired at t0+30m, gone at t0+1h", lag, ok)
	}

	w.f.ResetCalls()
	got = w.run(t, els, false)
	wantResults(t, got, map[string]string{"jit_elevation.a": "expired/already_gone"})
	if n := w.writes(); n != 0 {
		t.Errorf("second run wrote %d times, want none", n)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	w := newWorld(t)
	w.f.SetTeamMembership("acme", "ops", "alice", "member", "active")
	got := w.run(t, []plan.StateElevation{w.el("jit_elevation.a", "alice", "github:team:acme/ops", "active", 0, time.Minute, "none")}, true)
	wantResults(t, got, map[string]string{"jit_elevation.a": "expired/would_revoke"})
	if n := w.writes(); n != 0 {
		t.Errorf("dry run wrote %d times", n)
	}
	w.wantRole(t, "alice", "member")
}

// An extension: b was granted while a held the access. When a expires, b
// still covers it: nothing is taken away. When b expires too, everything
// goes, whatever b recorded as previous access.
func TestOverlapKeepsAccessUntilTheLastExpires(t *testing.T) {
	for _, tt := range []struct{ name, prevB string }{
		{"declared", "none"},     // b named a in overlaps: a's previous access
		{"undeclared", "member"}, // b saw a's grant as previous access
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.f.SetTeamMembership("acme", "ops", "alice", "member", "active")
			a := w.el("jit_elevation.a", "alice", "github:team:acme/ops", "active", 0, 30*time.Minute, "none")
			b := w.el("jit_elevation.b", "alice", "github:team:acme/ops", "active", 20*time.Minute, 2*time.Hour, tt.prevB)

			got := w.run(t, []plan.StateElevation{a, b}, false)
			wantResults(t, got, map[string]string{"jit_elevation.a": "expired/already_gone"})
			if len(got) == 1 && (fmt.Sprint(got[0].KeptBy) != "[jit_elevation.b]" || got[0].RestoredTo != "member") {
				t.Errorf("outcome = %+v, want member kept by jit_elevation.b", got[0])
			}
			if n := w.writes(); n != 0 {
				t.Errorf("%d writes while b is in force", n)
			}
			w.wantRole(t, "alice", "member")

			// a's expiry applied (status expired); later b expires too.
			b.ExpiresAt = stamp(t0.Add(50 * time.Minute))
			got = w.run(t, []plan.StateElevation{ended(a, policy.StatusExpired), b}, false)
			wantResults(t, got, map[string]string{"jit_elevation.b": "expired/revoked"})
			w.wantRole(t, "alice", "")
		})
	}
}

// An elevation that ended and whose access is gone needs nothing, and
// costs no write.
func TestEndedAndGoneIsNothing(t *testing.T) {
	w := newWorld(t)
	old := ended(w.el("jit_elevation.old", "alice", "github:team:acme/ops", "active", 0, time.Minute, "none"), policy.StatusExpired)
	wantResults(t, w.run(t, []plan.StateElevation{old}, false), map[string]string{})
	if n := w.writes(); n != 0 {
		t.Errorf("%d writes", n)
	}
}

// A maintainer elevation expires while a member elevation is in force: the
// restore goes down to member, not to nothing.
func TestExpiryRestoresToTheHighestInForce(t *testing.T) {
	w := newWorld(t)
	w.f.SetTeamMembership("acme", "ops", "alice", "maintainer", "active")
	a := w.el("jit_elevation.a", "alice", "github:team:acme/ops", "active", 0, 2*time.Hour, "none")
	b := w.el("jit_elevation.b", "alice", "github:team:acme/ops:maintainer", "active", 10*time.Minute, 20*time.Minute, "none")

	got := w.run(t, []plan.StateElevation{a, b}, false)
	wantResults(t, got, map[string]string{"jit_elevation.b": "expired/revoked"})
	w.wantRole(t, "alice", "member")
}

// An old elevation's found-again rule never takes a newer elevation's
// access; access given back by hand after it ended is taken away.
func TestFoundAgainSparesNewerElevations(t *testing.T) {
	w := newWorld(t)
	w.f.SetTeamMembership("acme", "ops", "alice", "member", "active")
	old := ended(w.el("jit_elevation.old", "alice", "github:team:acme/ops", "active", -3*time.Hour, time.Hour, "none"), policy.StatusExpired)
	newer := w.el("jit_elevation.new", "alice", "github:team:acme/ops", "active", 30*time.Minute, time.Hour, "none")

	got := w.run(t, []plan.StateElevation{old, newer}, false)
	wantResults(t, got, map[string]string{})
	w.wantRole(t, "alice", "member")

	got = w.run(t, []plan.StateElevation{old}, false)
	wantResults(t, got, map[string]string{"jit_elevation.old": "found_again/revoked"})
	w.wantRole(t, "alice", "")
}

// Standing access that came after an elevation long ended is not lowered
// to what stood before that elevation: a later elevation restores to what
// it found.
func TestBaselineIgnoresElevationsEndedBeforeTheGrant(t *testing.T) {
	w := newWorld(t)
	w.f.SetTeamMembership("acme", "ops", "alice", "maintainer", "active")
	old := ended(w.el("jit_elevation.old", "alice", "github:team:acme/ops:maintainer", "active", -5*time.Hour, time.Hour, "none"), policy.StatusExpired)
	later := w.el("jit_elevation.later", "alice", "github:team:acme/ops:maintainer", "active", 0, 30*time.Minute, "member")

	got := w.run(t, []plan.StateElevation{old, later}, false)
	wantResults(t, got, map[string]string{"jit_elevation.later": "expired/revoked"})
	w.wantRole(t, "alice", "member")
}

// A renamed principal is revoked under the new login; the account now
// holding the old login is left alone.
func TestRenamedPrincipalIsRevoked(t *testing.T) {
	w := newWorld(t)
	w.f.SetTeamMembership("acme", "ops", "alice", "member", "active")
	a := w.el("jit_elevation.a", "alice", "github:team:acme/ops", "active", 0, time.Minute, "none")
	w.f.RenameUser("alice", "alicia")
	w.f.AddUser("alice")
	w.f.SetTeamMembership("acme", "ops", "alice", "member", "active")

	got := w.run(t, []plan.StateElevation{a}, false)
	wantResults(t, got, map[string]string{"jit_elevation.a": "expired/revoked"})
	if len(got) == 1 && got[0].Login != "alicia" {
		t.Errorf("login = %q, want alicia", got[0].Login)
	}
	if _, _, ok := w.f.TeamMembership("acme", "ops", "alicia"); ok {
		t.Error("alicia still in ops")
	}
	w.wantRole(t, "alice", "member")
}

// One revocation failing does not stop the others, and is reported.
func TestFailureIsReportedAndTheRestRun(t *testing.T) {
	w := newWorld(t)
	w.f.SetTeamMembership("acme", "ops", "alice", "member", "active")
	w.f.SetCollaborator("acme", "app", "bob", "admin")
	w.f.InjectFault(githubfake.Fault{Method: "DELETE", PathPrefix: "/orgs/acme/teams/ops/", Times: -1})
	els := []plan.StateElevation{
		w.el("jit_elevation.a", "alice", "github:team:acme/ops", "active", 0, time.Minute, "none"),
		w.el("jit_elevation.b", "bob", "github:repo:acme/app:admin", "active", 0, time.Minute, "none"),
	}
	got := w.run(t, els, false)
	wantResults(t, got, map[string]string{"jit_elevation.a": "expired/failed", "jit_elevation.b": "expired/revoked"})
	if _, ok := w.f.Collaborator("acme", "app", "bob"); ok {
		t.Error("bob is still a collaborator")
	}
}

// Nothing is ever added: an elevation in force whose access is missing is
// left as it is.
func TestNeverAddsAccess(t *testing.T) {
	w := newWorld(t)
	els := []plan.StateElevation{
		w.el("jit_elevation.a", "alice", "github:team:acme/ops", "active", 0, time.Minute, "none"),
		w.el("jit_elevation.b", "alice", "github:team:acme/ops:maintainer", "active", 0, 3*time.Hour, "member"),
	}
	got := w.run(t, els, false)
	wantResults(t, got, map[string]string{"jit_elevation.a": "expired/already_gone"})
	if n := w.writes(); n != 0 {
		t.Errorf("%d writes", n)
	}
	w.wantRole(t, "alice", "")
}

// A break-glass grant whose post-hoc review is overdue goes at once,
// though it has not expired; another elevation in force for the same
// principal keeps what it covers, and the record says why.
func TestUnreviewedBreakGlassIsRevoked(t *testing.T) {
	w := newWorld(t)
	w.f.SetTeamMembership("acme", "ops", "alice", "maintainer", "active")
	w.f.SetTeamMembership("acme", "ops", "bob", "maintainer", "active")
	bg := w.el("jit_elevation.bg", "alice", "github:team:acme/ops:maintainer", "active", 0, 4*time.Hour, "none")
	bg.BreakGlass = true
	bobBG := w.el("jit_elevation.bob_bg", "bob", "github:team:acme/ops:maintainer", "active", 0, 4*time.Hour, "none")
	bobBG.BreakGlass = true
	member := w.el("jit_elevation.member", "bob", "github:team:acme/ops", "active", 0, 4*time.Hour, "none")
	els := []plan.StateElevation{bg, bobBG, member}

	// Without the drift check's finding, nothing is due.
	wantResults(t, w.run(t, els, false), map[string]string{})

	opts := Options{Clock: clock.NewVirtual(now), Unreviewed: map[string]bool{"jit_elevation.bg": true, "jit_elevation.bob_bg": true}}
	got := Run(ctx, w.target(t), els, opts)
	wantResults(t, got, map[string]string{"jit_elevation.bg": "break_glass_unreviewed/revoked", "jit_elevation.bob_bg": "break_glass_unreviewed/revoked"})
	w.wantRole(t, "alice", "")
	w.wantRole(t, "bob", "member") // bob's reviewed elevation keeps membership
	if _, ok := got[0].Lag(); ok {
		t.Error("an early revocation has no expiry lag")
	}
	recs := Records(Result{Outcomes: got})
	if len(recs) != 2 || recs[0].Why != "break_glass_unreviewed" {
		t.Errorf("records = %+v", recs)
	}
}
