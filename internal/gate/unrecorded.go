package gate

import (
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

// RuleAuditUnrecorded (added beside DESIGN's ids): the plan forgets an
// elevation, or destroys one that has ended, whose grant no audit record
// holds, so the trail would lose it. `jit-gate prune` archives ended
// elevations first.
const RuleAuditUnrecorded = "audit.unrecorded"

// removals are the plan's elevations whose object leaves the state without
// taking access away: forgotten (`removed` with destroy = false), or
// destroyed (or replaced) once ended. Destroying one that may still hold
// its grant is a revocation, which never waits: its record is the apply's.
func removals(p *plan.Plan) []*plan.ElevationChange {
	var out []*plan.ElevationChange
	for i := range p.Elevations {
		ec := &p.Elevations[i]
		if ec.Before == nil || ec.Before.ID == "" {
			continue
		}
		switch ec.Action {
		case plan.ActionForget, plan.ActionCreateForget:
			out = append(out, ec)
		case plan.ActionDelete, plan.ActionReplace, plan.ActionReplaceCreateFirst:
			if policy.Ended(ec.Before.Status) {
				out = append(out, ec)
			}
		}
	}
	return out
}

// auditUnrecorded: no elevation leaves the state without taking access
// away unless a trusted audit record holds its grant. Facts.Recorded nil
// means the records could not be read: every such removal is then blocked,
// as nothing says it is recorded.
func auditUnrecorded(v *view) []Violation {
	var out []Violation
	for _, ec := range removals(v.plan) {
		b := ec.Before
		switch {
		case v.facts.Recorded == nil:
			out = append(out, violation(ec.Address, "the audit records were not read: cannot tell whether %s's grant of %s (%s) is recorded before this plan removes it",
				b.Principal, b.Scope, b.ID))
		case !v.facts.Recorded[b.ID]:
			out = append(out, violation(ec.Address, "removing this elevation would lose %s's grant of %s (%s) from the audit trail: no audit record holds it; run `jit-gate prune` to archive it first",
				b.Principal, b.Scope, b.ID))
		}
	}
	return out
}
