package gate

import (
	"github.com/jitgate/terraform-provider-jit/internal/lifecycle"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
)

// RuleOverlap (added beside DESIGN's ids): a request for a principal at a
// team or repository where another elevation holds its grant lists that
// one in overlaps; every overlaps entry is a real elevation of the plan,
// with the values the plan gives it; and one principal's elevations at one
// team or repository are requested one at a time.
//
// Terraform plans each elevation on its own: one cannot see another's
// state unless it references it. The reference in overlaps is what lets the
// newer one record the principal's own access rather than the older one's
// grant, keep what the older one gives when it expires first, and give its
// access back when the older one's expiry takes it. The gate sees every
// elevation of the plan, so it is where a missing or forged reference is
// caught.
const RuleOverlap = "elevation.overlap"

// OverlapReport is an elevation holding its grant (as the state tells) for
// the principal and team or repository of a requested one.
type OverlapReport struct {
	Address   string `json:"address"`
	Scope     string `json:"scope"`
	ExpiresAt string `json:"expires_at"`
	Declared  bool   `json:"declared"` // listed in the request's overlaps
}

// overlapsOf lists, for a request, the elevations of the plan's prior
// state that hold a grant for the same principal at the same team or
// repository, and that the plan keeps. (One the plan destroys cannot be
// referenced; if the request is granted before that destroy, it records
// the destroyed one's grant as the principal's access and then loses its
// own with it: less access, never more.)
func overlapsOf(rq *plan.ElevationChange, live map[string][]*plan.ElevationChange) []OverlapReport {
	el := rq.After
	out := []OverlapReport{}
	if el == nil || el.IsUnknown("principal") || el.IsUnknown("scope") {
		return out
	}
	declared := map[string]bool{}
	for _, o := range el.Overlaps {
		declared[o.ID] = true
	}
	for _, ec := range live[resourceKey(el)] {
		if ec.Address == rq.Address || !lifecycle.SamePrincipal(el, ec.Before) {
			continue
		}
		out = append(out, OverlapReport{Address: ec.Address, Scope: ec.Before.Scope, ExpiresAt: ec.Before.ExpiresAt, Declared: declared[ec.Before.ID]})
	}
	return out
}

// liveByResource indexes the elevations whose prior state holds a grant and
// that the plan keeps, by team or repository, so a request is compared with
// those of its own team or repository only (a plan of thousands of
// elevations would otherwise compare every pair).
func liveByResource(p *plan.Plan) map[string][]*plan.ElevationChange {
	live := map[string][]*plan.ElevationChange{}
	for i := range p.Elevations {
		ec := &p.Elevations[i]
		if ec.Before == nil || ec.After == nil || !policy.Live(ec.Before.Status) {
			continue
		}
		if k := resourceKey(ec.Before); k != "" {
			live[k] = append(live[k], ec)
		}
	}
	return live
}

// resourceKey is the team or repository of el's scope; "" when it does not
// parse, which lifecycle.SameGroup matches with nothing either. Within one
// key, lifecycle.SamePrincipal alone tells one group.
func resourceKey(el *policy.Elevation) string {
	s, err := scope.Parse(el.Scope)
	if err != nil {
		return ""
	}
	return s.Resource()
}

func overlap(v *view) []Violation {
	var out []Violation
	earlier := map[string][]request{} // requests with a known principal, by team or repository
	for _, rq := range v.requests {
		if rq.el == nil {
			continue
		}
		for _, o := range v.overlaps[rq.Address] {
			if !o.Declared {
				out = append(out, violation(rq.Address, "%s is in force for %s at the same team or repository (%s, until %s): list it, overlaps = [%s], so neither elevation's expiry takes the other's access",
					o.Address, rq.el.Principal, o.Scope, o.ExpiresAt, o.Address))
			}
		}
		if rq.el.IsUnknown("principal") {
			continue
		}
		k := resourceKey(rq.el)
		for _, other := range earlier[k] {
			if lifecycle.SamePrincipal(rq.el, other.el) {
				out = append(out, violation(rq.Address, "%s and %s request access for %s at the same team or repository in one plan: request one, then the other listing it in overlaps",
					other.Address, rq.Address, rq.el.Principal))
			}
		}
		if k != "" {
			earlier[k] = append(earlier[k], rq)
		}
	}
	for i := range v.plan.Elevations {
		out = append(out, checkOverlapEntries(v, &v.plan.Elevations[i])...)
	}
	return out
}

// checkOverlapEntries: every overlaps entry of an elevation the plan
// creates or changes is an elevation of the prior state, of the same
// principal at the same team or repository, with exactly the values the
// plan gives it: an entry made up or edited by hand would keep access past
// its expiry.
func checkOverlapEntries(v *view, ec *plan.ElevationChange) []Violation {
	el := ec.After
	if el == nil || ec.Action == plan.ActionNoOp {
		return nil
	}
	if el.IsUnknown("overlaps") {
		return []Violation{violation(ec.Address, "overlaps is unknown at plan time: the elevations it lists must be in the state already")}
	}
	var out []Violation
	for _, o := range el.Overlaps {
		var match *plan.ElevationChange
		for i := range v.plan.Elevations {
			if b := v.plan.Elevations[i].Before; b != nil && b.ID == o.ID && v.plan.Elevations[i].Address != ec.Address {
				match = &v.plan.Elevations[i]
			}
		}
		if match == nil {
			out = append(out, violation(ec.Address, "overlaps lists elevation %q, which is no jit_elevation of the state", o.ID))
			continue
		}
		planned := match.After
		if planned == nil {
			planned = match.Before
		}
		if !lifecycle.SameGroup(el, planned) || o.Principal != planned.Principal || o.PrincipalID != planned.PrincipalID || o.Scope != planned.Scope ||
			o.Status != planned.Status || o.ExpiresAt != planned.ExpiresAt || o.PreviousAccess != planned.PreviousAccess {
			out = append(out, violation(ec.Address, "overlaps entry %q does not match %s as the plan has it: reference the resource (overlaps = [%s]) rather than writing its values",
				o.ID, match.Address, match.Address))
		}
	}
	return out
}
