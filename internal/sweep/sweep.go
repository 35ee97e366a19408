// Package sweep removes shadow access under exclusive policies: access to a
// policy's concrete scope held by someone with neither standing nor an
// elevation in force.
//
// It works from the gate's view of a refreshed plan rather than inside the
// provider because Terraform plans a policy before the elevations that
// reference it: the policy alone cannot tell an elevated principal from a
// shadow one, and removing an active elevation's access is never acceptable.
// The gate sees every elevation in the plan, so it can.
package sweep

import (
	"context"
	"fmt"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
	"github.com/jitgate/terraform-provider-jit/internal/target"
)

// Removal is one shadow holder to bring below an exclusive policy's scope.
type Removal struct {
	Policy    string `json:"policy"` // the policy's address
	Scope     string `json:"scope"`
	Principal string `json:"principal"`
	// LeaveAt is the direct level left after removal: the level just below
	// the scope's ("" is none), so access the policy does not govern stays.
	LeaveAt string `json:"leave_at"`
}

// Results of a removal.
const (
	Removed  = "removed"
	OrgOwner = "org_owner" // never lowered: reported instead
	Indirect = "indirect"  // still held through a team, the org or a base permission
	Failed   = "failed"
)

// Outcome is what happened to one removal.
type Outcome struct {
	Removal
	Result string `json:"result"`
	Detail string `json:"detail,omitempty"`
}

// Plan lists the removals for the shadow access the gate reported, keeping
// only policies that are exclusive after the plan. It never names standing
// principals or holders of an elevation in force: the gate's shadow list
// already excludes them.
func Plan(p *plan.Plan, shadow []gate.ShadowAccess) []Removal {
	exclusive := map[string]bool{}
	for _, pc := range p.Policies {
		if pc.Before != nil && pc.After != nil && pc.After.Exclusive {
			exclusive[pc.Address] = true
		}
	}
	var out []Removal
	for _, s := range shadow {
		sc, err := scope.Parse(s.Scope)
		if err != nil || !exclusive[s.Address] || s.TokenAccount {
			continue
		}
		levels := scope.Levels(sc.Kind)
		leave := ""
		if r := scope.Rank(sc.Kind, sc.Level); r > 1 {
			leave = levels[r-2]
		}
		out = append(out, Removal{Policy: s.Address, Scope: s.Scope, Principal: s.Principal, LeaveAt: leave})
	}
	return out
}

// Target is what Apply needs of GitHub.
type Target interface {
	target.Target
	IsOrgOwner(ctx context.Context, org, login string) (bool, error)
}

// Apply carries out the removals one by one and reports each. An org owner
// is never lowered; access that stays because it comes from elsewhere is
// reported as indirect.
func Apply(ctx context.Context, t Target, removals []Removal) []Outcome {
	out := make([]Outcome, 0, len(removals))
	for _, r := range removals {
		out = append(out, apply(ctx, t, r))
	}
	return out
}

func apply(ctx context.Context, t Target, r Removal) Outcome {
	o := Outcome{Removal: r}
	fail := func(err error) Outcome { o.Result, o.Detail = Failed, err.Error(); return o }
	sc, err := scope.Parse(r.Scope)
	if err != nil {
		return fail(err)
	}
	owner, err := t.IsOrgOwner(ctx, sc.Owner, r.Principal)
	if err != nil {
		return fail(err)
	}
	if owner {
		o.Result, o.Detail = OrgOwner, fmt.Sprintf("%s owns organization %s; its access is not lowered", r.Principal, sc.Owner)
		return o
	}
	who := target.User{Login: r.Principal}
	if _, err := t.Restore(ctx, who, sc, target.Access{Level: r.LeaveAt, Direct: r.LeaveAt}); err != nil {
		return fail(err)
	}
	now, _, err := t.Inspect(ctx, who, sc)
	if err != nil {
		return fail(err)
	}
	if scope.Covers(sc.Kind, now.Level, sc.Level) {
		o.Result, o.Detail = Indirect, fmt.Sprintf("%s still holds %s (%s) through a team, the organization or its base permission", r.Principal, sc, now.Level)
		return o
	}
	o.Result = Removed
	return o
}
