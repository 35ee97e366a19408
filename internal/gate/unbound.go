package gate

import (
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

// RuleApprovalUnbound: in apply mode, an elevation is granted only on the
// approvals of the pull request that introduced it (DESIGN, "The whole
// plan is judged"); one the gate cannot attribute to exactly one pull
// request is blocked.
const RuleApprovalUnbound = "approval.unbound"

// Bound is the pull request a created or replaced elevation is attributed
// to in apply mode (internal/audit's Bind decides it). PR 0 is unbound:
// Why says why, and what to do.
type Bound struct {
	PR  int
	Via string // how it was attributed: the merge that introduced it, or the record that did before
	Why string
}

// boundFacts are the facts of the pull request rq is attributed to, and
// whether it has one. Outside apply mode every request is judged on the run's
// own pull request.
func (v *view) boundFacts(address string) (Facts, []Review, bool) {
	if v.opts.Mode != ModeApply {
		return v.facts, v.decisive, true
	}
	b, ok := v.facts.Bound[address]
	switch {
	case !ok || b.PR == 0:
		return Facts{}, nil, false
	case b.PR == v.facts.Number:
		return v.facts, v.decisive, true
	}
	f, ok := v.facts.PRs[b.PR]
	if !ok {
		return Facts{}, nil, false
	}
	f.TeamMembers = v.facts.TeamMembers
	return f, decisive(f.Reviews), true
}

// approvalUnbound: in apply mode, every request is attributed to the pull
// request that introduced it, whose approvals were read.
func approvalUnbound(v *view) []Violation {
	if v.opts.Mode != ModeApply {
		return nil
	}
	return perRequest(v, func(rq request) []Violation {
		b, ok := v.facts.Bound[rq.Address]
		switch {
		case !ok:
			return []Violation{violation(rq.Address, "the pull request that introduced this elevation was not determined, so no approval can be counted for it")}
		case b.PR == 0:
			return []Violation{violation(rq.Address, "%s", b.Why)}
		case b.PR != v.facts.Number:
			if _, read := v.facts.PRs[b.PR]; !read {
				return []Violation{violation(rq.Address, "the reviews of pull request #%d, which introduced it, were not read", b.PR)}
			}
		}
		return nil
	})
}

// Requested is a created or replaced elevation of a plan, as attribution
// sees it: its address and policy.ContentKey.
type Requested struct {
	Address, ContentKey string
}

// Requests lists the plan's created or replaced elevations (those the
// rules judge as requests), in plan order.
func Requests(p *plan.Plan) []Requested {
	var out []Requested
	for _, rq := range requestView(p, Facts{}, Options{}).requests {
		r := Requested{Address: rq.Address}
		if rq.el != nil {
			r.ContentKey = policy.ContentKey(rq.el)
		}
		out = append(out, r)
	}
	return out
}
