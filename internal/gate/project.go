package gate

import (
	"cmp"
	"slices"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

// unknownShown stands for a value Terraform only knows after apply.
const unknownShown = "(known after apply)"

func emptyReport(mode Mode, head string) Report {
	return Report{
		Mode: string(mode), HeadSHA: head,
		Elevations: []ElevationReport{}, Policies: []PolicyReport{}, Revocations: []Revocation{},
		Drift: []DriftReport{}, Shadow: []ShadowAccess{}, Unguarded: []Unguarded{}, Violations: []Violation{},
	}
}

// project builds the report from the view and the rules' violations: the
// rows come from the view alone, the verdict from the violations.
func project(v *view, violations []Violation) Report {
	r := emptyReport(v.opts.Mode, v.facts.HeadSHA)
	for _, rq := range v.requests {
		el := rq.el
		if el == nil {
			continue
		}
		row := ElevationReport{
			Address: rq.Address, Action: string(rq.Action),
			Principal: shown(el, "principal", el.Principal), Scope: shown(el, "scope", el.Scope),
			Duration: shown(el, "duration", policy.FormatDuration(el.Duration)), Policy: shown(el, "policy_id", el.PolicyID),
			BreakGlass: el.BreakGlass, ApprovedBy: []string{}, NotCounted: []NotCounted{}, Overlaps: v.overlaps[rq.Address], PR: rq.pr,
			Reason: shown(el, "reason", el.Reason), Ticket: shown(el, "ticket", el.Ticket), ExpiresAt: el.ExpiresAt, Approvers: []string{},
		}
		if rq.pol != nil {
			row.Approvers = append(row.Approvers, rq.pol.Approvers...)
			row.ApprovalsRequired = rq.pol.ApprovalsRequired(el.BreakGlass)
			row.ApprovedBy, row.NotCounted = rq.tal.approvedBy, rq.tal.notCounted
		}
		r.Elevations = append(r.Elevations, row)
	}
	for _, g := range v.governed {
		r.Policies = append(r.Policies, PolicyReport{
			Address: g.Address, Action: string(g.Action), Loosened: g.loosened,
			ApprovalsRequired: g.required, ApprovedBy: g.tal.approvedBy, NotCounted: g.tal.notCounted,
		})
	}
	r.Revocations = append(r.Revocations, v.revocations...)
	for _, d := range v.plan.Drift {
		if lifecycleDrift(d) && v.opts.Mode != ModeDrift {
			// The provider's own bookkeeping (holders change with every
			// grant): not what a pull request's reviewer must act on. The
			// drift check lists it; access.shadow judges the holders.
			continue
		}
		r.Drift = append(r.Drift, DriftReport{Address: d.Address, Attributes: append([]string{}, d.Attributes...)})
	}
	r.Shadow = append(r.Shadow, v.shadow...)
	r.Unguarded = slices.Grow(r.Unguarded, len(v.outside))
	for i := range v.outside {
		r.Unguarded = append(r.Unguarded, v.outside[i].Unguarded)
	}
	r.Violations = append(r.Violations, violations...)

	r.RevocationOnly = v.revocationOnly()
	r.Verdict = VerdictPass
	if len(r.Violations) > 0 {
		r.Verdict = VerdictBlocked
	}
	slices.SortStableFunc(r.Elevations, func(a, b ElevationReport) int { return cmp.Compare(a.Address, b.Address) })
	slices.SortStableFunc(r.Policies, func(a, b PolicyReport) int { return cmp.Compare(a.Address, b.Address) })
	slices.SortStableFunc(r.Revocations, func(a, b Revocation) int { return cmp.Compare(a.Address, b.Address) })
	slices.SortStableFunc(r.Drift, func(a, b DriftReport) int { return cmp.Compare(a.Address, b.Address) })
	slices.SortStableFunc(r.Shadow, func(a, b ShadowAccess) int {
		return cmp.Or(cmp.Compare(a.Address, b.Address), cmp.Compare(a.Scope, b.Scope), cmp.Compare(a.Principal, b.Principal))
	})
	slices.SortStableFunc(r.Unguarded, func(a, b Unguarded) int { return cmp.Compare(a.Address, b.Address) })
	slices.SortFunc(r.Violations, func(a, b Violation) int {
		return cmp.Or(cmp.Compare(a.Address, b.Address), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Message, b.Message))
	})
	return r
}

func shown(el *policy.Elevation, attr, v string) string {
	if el.IsUnknown(attr) {
		return unknownShown
	}
	return v
}
