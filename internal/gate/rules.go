package gate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

// The rules of the table in gate.go, each a function of the view alone.

func violation(address, format string, args ...any) Violation {
	return Violation{Address: address, Message: fmt.Sprintf(format, args...)}
}

// fromFindings turns the policy package's findings on one request into
// violations: unknown or not, the gate blocks on every one.
func fromFindings(rq request, findings []policy.Finding) []Violation {
	out := make([]Violation, len(findings))
	for i, f := range findings {
		out[i] = Violation{Address: rq.Address, Message: f.Message}
	}
	return out
}

// perRequest runs check on every request the plan has values for.
func perRequest(v *view, check func(request) []Violation) []Violation {
	var out []Violation
	for _, rq := range v.requests {
		if rq.el != nil {
			out = append(out, check(rq)...)
		}
	}
	return out
}

// policyMissing: policy_id names exactly one policy that exists after the plan.
func policyMissing(v *view) []Violation {
	return perRequest(v, func(rq request) []Violation {
		switch {
		case rq.el.IsUnknown("policy_id"):
			return []Violation{violation(rq.Address, "policy_id is unknown at plan time; a request must be known to be reviewed")}
		case rq.pc == nil:
			return []Violation{violation(rq.Address, "%s", rq.why)}
		}
		return nil
	})
}

func policyScope(v *view) []Violation {
	return perRequest(v, func(rq request) []Violation { return fromFindings(rq, policy.CheckScope(rq.el, rq.pol)) })
}

// policyDuration: every grant within its limits, and none left in place
// with nothing to expire it.
func policyDuration(v *view) []Violation {
	out := perRequest(v, func(rq request) []Violation { return fromFindings(rq, policy.CheckDuration(rq.el, rq.pol)) })
	for _, ec := range v.forgotten {
		if b := ec.Before; b != nil && !policy.Ended(b.Status) {
			out = append(out, violation(ec.Address, "forgetting the elevation leaves %s's grant of %s in place with nothing to expire it; destroy it instead",
				b.Principal, b.Scope))
		}
	}
	return out
}

func policyReason(v *view) []Violation {
	return perRequest(v, func(rq request) []Violation { return fromFindings(rq, policy.CheckReason(rq.el, rq.pol)) })
}

func policyRequester(v *view) []Violation {
	return perRequest(v, func(rq request) []Violation {
		return fromFindings(rq, policy.CheckRequester(rq.el, rq.pol, v.facts.members))
	})
}

// maxActive counts, per principal and policy, the elevations that are live
// in the plan's after state, and flags requests that go over the limit.
func maxActive(v *view) []Violation {
	type key struct {
		pc        *plan.PolicyChange
		principal string
	}
	held := map[key]int{}
	for _, ec := range v.plan.Elevations {
		el := ec.After
		if el == nil || policy.Ended(el.Status) {
			continue
		}
		if pc, _ := v.policyFor(el.PolicyID); pc != nil {
			held[key{pc, strings.ToLower(el.Principal)}]++
		}
	}
	return perRequest(v, func(rq request) []Violation {
		if rq.pc == nil || rq.el.IsUnknown("principal") {
			return nil
		}
		n := held[key{rq.pc, strings.ToLower(rq.el.Principal)}]
		switch name := rq.pol.DisplayName(); {
		case rq.pol.IsUnknown("max_active_per_principal"):
			return []Violation{violation(rq.Address, "policy %q max_active_per_principal is unknown at plan time", name)}
		case rq.pol.MaxActivePerPrincipal > 0 && n > rq.pol.MaxActivePerPrincipal:
			return []Violation{violation(rq.Address, "principal %q would hold %d active elevations under policy %q, above max_active_per_principal %d",
				rq.el.Principal, n, name, rq.pol.MaxActivePerPrincipal)}
		}
		return nil
	})
}

// approvalInsufficient: every request has the approvals its policy requires
// (the break-glass number for a break-glass request), from its approvers.
func approvalInsufficient(v *view) []Violation {
	return perRequest(v, func(rq request) []Violation {
		out := fromFindings(rq, policy.CheckBreakGlass(rq.el, rq.pol))
		if rq.pol == nil {
			return out
		}
		el, pol, name := rq.el, rq.pol, rq.pol.DisplayName()
		for _, a := range []string{"required_approvals", "approvers", "break_glass"} {
			if pol.IsUnknown(a) && (a != "break_glass" || el.BreakGlass) {
				out = append(out, violation(rq.Address, "policy %q %s is unknown at plan time", name, a))
			}
		}
		// An unbound request has no pull request to count on:
		// approval.unbound says so, and what to do.
		if required := pol.ApprovalsRequired(el.BreakGlass); len(rq.tal.approvedBy) < required && (v.opts.Mode != ModeApply || rq.pr != 0) {
			kind := "approvals"
			if el.BreakGlass && pol.BreakGlass.Enabled {
				kind = "break-glass approvals (break_glass.required_approvals)"
			}
			out = append(out, violation(rq.Address, "%d of %d required %s from policy %q approvers", len(rq.tal.approvedBy), required, kind, name))
		}
		return out
	})
}

// approvalVetoed: no approver of a request or a policy change requested changes.
func approvalVetoed(v *view) []Violation {
	out := perRequest(v, func(rq request) []Violation {
		var out []Violation
		for _, login := range rq.tal.vetoedBy {
			out = append(out, violation(rq.Address, "%s, an approver of policy %q, requested changes", login, rq.pol.DisplayName()))
		}
		return out
	})
	for _, g := range v.governed {
		for _, login := range g.tal.vetoedBy {
			out = append(out, violation(g.Address, "%s, one of the %s, requested changes", login, g.from))
		}
	}
	return out
}

// governance: creating, changing or deleting a policy has governance_approvals
// (the larger of before and after) from the approvers of the policy as it
// was, or from the governance approvers for a new one.
func governance(v *view) []Violation {
	var out []Violation
	for _, g := range v.governed {
		switch {
		case g.Before == nil && len(g.approvers) == 0:
			out = append(out, violation(g.Address, "creating policy %q needs %d governance approvals, but the trusted settings (%s) name no governance_approvers to give them",
				g.name, g.required, cmp.Or(v.opts.Settings.Source, "defaults")))
		case len(g.tal.approvedBy) < g.required:
			out = append(out, violation(g.Address, "%d of %d required governance_approvals to %s policy %q from %s", len(g.tal.approvedBy), g.required, g.Action, g.name, g.from))
		}
	}
	return out
}

// loosenAndUse blocks a request under a policy the same plan creates or
// loosens: the policy change must land, with its own review, first.
func loosenAndUse(v *view) []Violation {
	return perRequest(v, func(rq request) []Violation {
		switch pc := rq.pc; {
		case pc == nil:
		case pc.Before == nil:
			return []Violation{violation(rq.Address, "policy %q is created by this plan; apply it on its own before requesting elevations under it", rq.pol.DisplayName())}
		case len(v.loosened[pc]) > 0:
			return []Violation{violation(rq.Address, "this plan loosens policy %q (%s) and requests an elevation under it; land the policy change on its own first",
				rq.pol.DisplayName(), strings.Join(v.loosened[pc], ", "))}
		}
		return nil
	})
}

// driftUnexpected: in drift mode, nothing changed outside Terraform but the
// provider's own lifecycle.
func driftUnexpected(v *view) []Violation {
	if v.opts.Mode != ModeDrift {
		return nil
	}
	var out []Violation
	for _, d := range v.plan.Drift {
		switch {
		case lifecycleDrift(d):
		case d.Action == plan.ActionDelete:
			out = append(out, violation(d.Address, "%s was deleted outside Terraform", d.Type))
		default:
			out = append(out, violation(d.Address, "%s changed outside Terraform: %s", d.Type, strings.Join(d.Attributes, ", ")))
		}
	}
	return out
}

// lifecycleDrift is a refresh the provider itself expects: a policy's holders
// change with every grant and revocation (access.shadow judges them), an
// accepted invitation turns a pending elevation active, a renamed principal
// is followed by ID (history, principal_login), and a state written before
// IDs were recorded gets the principal's (principal_id, principal_login).
// Anything else this provider's resources show (access removed or added
// back by hand) is drift.
func lifecycleDrift(d plan.Drift) bool {
	switch d.Type {
	case plan.TypePolicy:
		return slices.Equal(d.Attributes, []string{"observed"})
	case plan.TypeElevation:
		return slices.Equal(d.Attributes, []string{"history", "status"}) || slices.Equal(d.Attributes, []string{"history", "principal_login"}) ||
			slices.Equal(d.Attributes, []string{"principal_id", "principal_login"})
	}
	return false
}

// accessShadow: in drift mode, nobody holds a policy's concrete scope
// without standing or an elevation in force.
func accessShadow(v *view) []Violation {
	if v.opts.Mode != ModeDrift {
		return nil
	}
	var out []Violation
	for _, s := range v.shadow {
		if !s.TokenAccount {
			out = append(out, violation(s.Address, "%s holds %s without standing or an elevation in force: a shadow admin path", s.Principal, s.Scope))
		}
	}
	return out
}

// createBeforeDestroy: replacing an elevation that holds a grant with
// create_before_destroy grants the new one while the old grant is in place,
// so the old one's destroy takes it away again.
func createBeforeDestroy(v *view) []Violation {
	var out []Violation
	for _, ec := range v.plan.Elevations {
		if el := ec.Before; ec.Action == plan.ActionReplaceCreateFirst && el != nil && inForce(el) {
			out = append(out, violation(ec.Address, "%s on %s is replaced with create_before_destroy: the new grant is made while the old one holds the access, "+
				"so the old one's destroy takes it away again; remove create_before_destroy from jit_elevation (the default order revokes, then grants)",
				shown(el, "principal", el.Principal), shown(el, "scope", el.Scope)))
		}
	}
	return out
}
