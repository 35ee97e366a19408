package lifecycle

import (
	"context"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/target"
	"github.com/jitgate/terraform-provider-jit/internal/target/ghtarget"
)

var (
	ctx = context.Background()
	now = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
)

// world: org acme with team ops, org member alice, and a target over it
// with a fresh snapshot on every call to tg.
type world struct{ f *githubfake.Fake }

func newWorld(t *testing.T) *world {
	t.Helper()
	f := githubfake.New()
	t.Cleanup(f.Close)
	f.AddUser("owner")
	f.AddToken("tok", "owner")
	f.AddOrg("acme")
	f.SetOrgMember("acme", "owner", "admin")
	f.AddUser("alice")
	f.SetOrgMember("acme", "alice", "member")
	f.AddTeam("acme", "ops")
	return &world{f: f}
}

func (w *world) tg(t *testing.T) target.Target {
	t.Helper()
	c, err := ghclient.New(ghclient.Config{Token: "tok", BaseURL: w.f.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return ghtarget.New(c)
}

func (w *world) role(login string) string {
	role, _, _ := w.f.TeamMembership("acme", "ops", login)
	return role
}

// first is alice's elevation in force at acme/ops, granted from nothing.
func (w *world) first() *policy.Elevation {
	return &policy.Elevation{ID: "elev-1", Principal: "alice", PrincipalID: w.f.UserID("alice"), Scope: "github:team:acme/ops",
		Status: policy.StatusActive, ExpiresAt: stamp(now.Add(time.Hour)), PreviousAccess: "none"}
}

func entry(el *policy.Elevation) policy.Overlap {
	return policy.Overlap{ID: el.ID, Principal: el.Principal, PrincipalID: el.PrincipalID, Scope: el.Scope,
		Status: el.Status, ExpiresAt: el.ExpiresAt, PreviousAccess: el.PreviousAccess}
}

func TestGrantOverAnOverlapRecordsItsPreviousAccess(t *testing.T) {
	w := newWorld(t)
	w.f.SetTeamMembership("acme", "ops", "alice", "member", "active") // first's grant
	first := w.first()
	second := &policy.Elevation{Principal: "alice", Scope: "github:team:acme/ops:maintainer", Overlaps: []policy.Overlap{entry(first)}}

	g, err := GrantAccess(ctx, w.tg(t), second, now)
	if err != nil {
		t.Fatal(err)
	}
	if g.Previous != target.None || g.Event.Event != policy.EventGranted || g.User.ID != first.PrincipalID {
		t.Errorf("grant = %+v, want previous none (first's), granted, alice's ID", g)
	}
	if w.role("alice") != "maintainer" {
		t.Errorf("alice is %q in ops", w.role("alice"))
	}

	// Its expiry keeps what first still gives.
	second.PrincipalID, second.Status, second.PreviousAccess, second.ExpiresAt = g.User.ID, g.Status, g.Previous.Encode(), stamp(now)
	res, err := Restore(ctx, w.tg(t), second, now)
	if err != nil {
		t.Fatal(err)
	}
	if res.To.Encode() != "member" || len(res.Kept) != 1 || w.role("alice") != "member" {
		t.Errorf("restore to %s kept %v; alice is %q, want member kept by first", res.To.Encode(), res.Kept, w.role("alice"))
	}
}

// An overlaps entry of another account (the login taken again since) says
// nothing about this principal's own access.
func TestOverlapOfAnotherAccountIsIgnored(t *testing.T) {
	w := newWorld(t)
	w.f.SetTeamMembership("acme", "ops", "alice", "member", "active")
	first := w.first()
	first.PrincipalID++
	second := &policy.Elevation{Principal: "alice", Scope: "github:team:acme/ops", Overlaps: []policy.Overlap{entry(first)}}
	g, err := GrantAccess(ctx, w.tg(t), second, now)
	if err != nil {
		t.Fatal(err)
	}
	if g.Previous.Encode() != "member" || g.Event.Event != policy.EventAlreadyHeld {
		t.Errorf("grant = %+v, want alice's standing member, already held", g)
	}
}

func TestRefresh(t *testing.T) {
	w := newWorld(t)
	w.f.SetTeamMembership("acme", "ops", "alice", "member", "active")
	alice := w.f.UserID("alice")

	t.Run("a state without the ID gets it", func(t *testing.T) {
		el := w.first()
		el.PrincipalID = 0
		r, err := Refresh(ctx, w.tg(t), el, now)
		if err != nil || r.User.ID != alice || r.Status != policy.StatusActive || len(r.Events) != 0 {
			t.Errorf("refresh = %+v, %v; want alice's ID, still active", r, err)
		}
	})
	t.Run("past expiry with the access gone: the plan's to record", func(t *testing.T) {
		el := &policy.Elevation{ID: "elev-2", Principal: "alice", PrincipalID: alice, Scope: "github:team:acme/ops:maintainer",
			Status: policy.StatusActive, ExpiresAt: stamp(now.Add(-time.Minute)), PreviousAccess: "member"}
		r, err := Refresh(ctx, w.tg(t), el, now)
		if err != nil || r.Status != policy.StatusActive || r.RevokedAt != "" {
			t.Errorf("refresh = %+v, %v; want nothing changed", r, err)
		}
	})
	t.Run("lost to an overlapped elevation's expiry", func(t *testing.T) {
		older := w.first()
		older.ExpiresAt = stamp(now.Add(-time.Minute))
		el := &policy.Elevation{ID: "elev-3", Principal: "alice", PrincipalID: alice, Scope: "github:team:acme/ops:maintainer",
			Status: policy.StatusActive, ExpiresAt: stamp(now.Add(time.Hour)), PreviousAccess: "none", Overlaps: []policy.Overlap{entry(older)}}
		r, err := Refresh(ctx, w.tg(t), el, now)
		if err != nil || r.Status != policy.StatusActive || r.RevokedAt == "" || len(r.Events) != 0 {
			t.Errorf("refresh = %+v, %v; want active with revoked_at set", r, err)
		}
		el.RevokedAt = r.RevokedAt
		if !Lost(el, now) {
			t.Error("Lost = false")
		}
		tg := w.tg(t)
		_, ev, err := Reassert(ctx, tg, el, now)
		if err != nil || ev == nil || ev.Event != policy.EventReasserted || w.role("alice") != "maintainer" {
			t.Errorf("reassert: %+v, %v; alice is %q", ev, err, w.role("alice"))
		}
		if _, ev, _ := Reassert(ctx, tg, el, now); ev != nil {
			t.Errorf("a second reassert wrote again: %+v", ev)
		}
	})
	t.Run("removed outside Terraform", func(t *testing.T) {
		w.f.SetTeamMembership("acme", "ops", "alice", "", "")
		r, err := Refresh(ctx, w.tg(t), w.first(), now)
		if err != nil || r.Status != policy.StatusRevoked || len(r.Events) != 1 || r.Events[0].Event != policy.EventRevokedExternally {
			t.Errorf("refresh = %+v, %v; want revoked externally", r, err)
		}
	})
	t.Run("renamed", func(t *testing.T) {
		w.f.SetTeamMembership("acme", "ops", "alice", "member", "active")
		el := w.first()
		w.f.RenameUser("alice", "alicia")
		r, err := Refresh(ctx, w.tg(t), el, now)
		if err != nil || r.User.Login != "alicia" || len(r.Events) != 1 || r.Events[0].Event != policy.EventRenamed {
			t.Errorf("refresh = %+v, %v; want alicia, renamed", r, err)
		}
	})
}

func TestRestoreNeverRaisesAndReassertNeedsForce(t *testing.T) {
	w := newWorld(t)
	el := w.first()
	el.ExpiresAt = stamp(now.Add(-time.Minute))
	if _, ev, err := Reassert(ctx, w.tg(t), el, now); err != nil || ev != nil || w.role("alice") != "" {
		t.Errorf("reassert past expiry: %+v, %v; alice is %q", ev, err, w.role("alice"))
	}
	el.PreviousAccess = "maintainer" // recorded higher than held: never raised
	if _, err := Restore(ctx, w.tg(t), el, now); err != nil || w.role("alice") != "" {
		t.Errorf("restore: %v; alice is %q", err, w.role("alice"))
	}
}
