package gate

import (
	"slices"
	"strings"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

// alicesInForce is alice's elevation in force at acme/api admin, as the state
// holds it.
func alicesInForce() *policy.Elevation {
	return elevation(func(e *policy.Elevation) {
		e.ID, e.Status, e.PrincipalID, e.PrincipalLogin, e.Unknown = "elev-cur", policy.StatusActive, 42, "alice", nil
		e.GrantedAt, e.ExpiresAt, e.PreviousAccess = "2026-03-01T09:00:00Z", "2026-03-01T11:00:00Z", "push"
	})
}

// entry is the overlaps entry real Terraform writes for el.
func entry(el *policy.Elevation) policy.Overlap {
	return policy.Overlap{ID: el.ID, Principal: el.Principal, PrincipalID: el.PrincipalID, Scope: el.Scope,
		Status: el.Status, ExpiresAt: el.ExpiresAt, PreviousAccess: el.PreviousAccess}
}

func overlapScenario(mods ...func(req *policy.Elevation, cur *plan.ElevationChange)) Report {
	p, f := scenario()
	cur := alicesInForce()
	curChange := plan.ElevationChange{Resource: res(plan.TypeElevation, "cur"), Action: plan.ActionNoOp, Before: cur, After: cur}
	req := firstElevation(p)
	for _, m := range mods {
		m(req, &curChange)
	}
	p.Elevations = append(p.Elevations, curChange)
	return Evaluate(p, f, Options{Mode: ModePR})
}

func TestOverlapDeclaredPassesAndIsShown(t *testing.T) {
	r := overlapScenario(func(req *policy.Elevation, cur *plan.ElevationChange) {
		req.Overlaps = []policy.Overlap{entry(cur.Before)}
	})
	if r.Verdict != VerdictPass {
		t.Fatalf("verdict %s: %s", r.Verdict, messages(r))
	}
	want := []OverlapReport{{Address: "jit_elevation.cur", Scope: "github:repo:acme/api:admin", ExpiresAt: "2026-03-01T11:00:00Z", Declared: true}}
	if got := r.Elevations[0].Overlaps; !slices.Equal(got, want) {
		t.Errorf("overlaps = %+v, want %+v", got, want)
	}
}

// The attacks: an extension that does not name the elevation it extends
// (its grant would read as alice's own access and outlive both), an entry
// written by hand with a later expiry or another previous access (the
// revocation would keep the access), and one naming no real elevation.
func TestOverlapRefusals(t *testing.T) {
	tests := []struct {
		name, message string
		mod           func(req *policy.Elevation, cur *plan.ElevationChange)
	}{
		{"undeclared", "jit_elevation.cur is in force for alice", func(*policy.Elevation, *plan.ElevationChange) {}},
		{"undeclared, renamed principal", "jit_elevation.cur is in force for Alicia", func(req *policy.Elevation, cur *plan.ElevationChange) {
			req.Principal = "Alicia"
			cur.Before.PrincipalLogin = "alicia"
		}},
		{"later expiry written by hand", `overlaps entry "elev-cur" does not match jit_elevation.cur`, func(req *policy.Elevation, cur *plan.ElevationChange) {
			o := entry(cur.Before)
			o.ExpiresAt = "2099-01-01T00:00:00Z"
			req.Overlaps = []policy.Overlap{o}
		}},
		{"previous access written by hand", `does not match jit_elevation.cur`, func(req *policy.Elevation, cur *plan.ElevationChange) {
			o := entry(cur.Before)
			o.PreviousAccess = "admin"
			req.Overlaps = []policy.Overlap{o}
		}},
		{"made-up elevation", `overlaps lists elevation "elev-nope", which is no jit_elevation of the state`, func(req *policy.Elevation, cur *plan.ElevationChange) {
			o := entry(cur.Before)
			o.ID = "elev-nope"
			req.Overlaps = []policy.Overlap{entry(cur.Before), o}
		}},
		{"unknown at plan time", "overlaps is unknown at plan time", func(req *policy.Elevation, cur *plan.ElevationChange) {
			req.Overlaps, req.Unknown = []policy.Overlap{entry(cur.Before)}, append(req.Unknown, "overlaps")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := overlapScenario(tt.mod)
			if r.Verdict != VerdictBlocked || !slices.Contains(rules(r), RuleOverlap) || !strings.Contains(messages(r), tt.message) {
				t.Errorf("verdict %s, violations:\n%s\nwant %s with %q", r.Verdict, messages(r), RuleOverlap, tt.message)
			}
		})
	}
}

// An in-place change that rewrites an existing elevation's overlaps is
// checked as a request's are, though it needs no approval.
func TestOverlapEntriesOfAnUpdateAreChecked(t *testing.T) {
	p, f := scenario()
	cur := alicesInForce()
	ext := alicesInForce()
	ext.ID, ext.Scope = "elev-ext", "github:repo:acme/api:admin"
	forged := entry(cur)
	forged.Status = policy.StatusActive
	forged.ExpiresAt = "2099-01-01T00:00:00Z"
	after := *ext
	after.Overlaps = []policy.Overlap{forged}
	p.Elevations = []plan.ElevationChange{
		{Resource: res(plan.TypeElevation, "cur"), Action: plan.ActionNoOp, Before: cur, After: cur},
		{Resource: res(plan.TypeElevation, "ext"), Action: plan.ActionUpdate, Changed: []string{"overlaps"}, Before: ext, After: &after},
	}
	r := Evaluate(p, f, Options{Mode: ModeDrift})
	if r.Verdict != VerdictBlocked || !strings.Contains(messages(r), "does not match jit_elevation.cur") {
		t.Errorf("verdict %s:\n%s", r.Verdict, messages(r))
	}
}

// Two new elevations of one principal at one repository are requested one
// at a time: neither could reference the other, and both would be granted
// at once.
func TestOverlapTwoRequestsAtOnce(t *testing.T) {
	p, f := scenario()
	p.Elevations = append(p.Elevations, create("again", elevation(func(e *policy.Elevation) { e.Principal = "ALICE" })))
	r := Evaluate(p, f, Options{Mode: ModePR})
	if !slices.Contains(rules(r), RuleOverlap) || !strings.Contains(messages(r), "in one plan: request one, then the other") {
		t.Errorf("violations:\n%s", messages(r))
	}
}
