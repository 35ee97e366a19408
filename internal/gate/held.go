package gate

import (
	"strings"

	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
)

// No laundering: a request for someone who already holds its scope, with
// neither standing nor another elevation in force, is shadow access. The
// grant would find the access in place and record it as the principal's
// previous access, which expiry restores: the shadow admin path would
// outlive the elevation, looking approved. The gate judges it, not the
// provider: only the gate sees standing, every other elevation in force and
// the refreshed holders together (the provider's apply sees neither the
// other elevations' state nor, for a policy the plan leaves unchanged, its
// standing).

// Holding is a principal whose access at a scope's team or repository the
// gate must read from GitHub, since the plan does not show it (the scope is
// not one the policy observes).
type Holding struct {
	Principal string
	Scope     scope.Scope
}

// HeldKey is Facts.Held's key for a principal at a scope's team or repository.
func HeldKey(principal string, sc scope.Scope) string { return holderKey(principal, sc) }

// heldAccess is a request whose principal holds its scope already (level
// set), or may (level "": GitHub was not read).
type heldAccess struct {
	request
	sc    scope.Scope
	level string
}

// HeldNeeded lists the holdings judging p's requests needs from GitHub.
func HeldNeeded(p *plan.Plan, o Options) []Holding {
	v := requestView(p, Facts{}, o)
	var out []Holding
	for _, rq := range v.requests {
		if sc, ok := requested(rq); ok {
			if _, shown := observedLevel(rq.pc, rq.el.Principal, sc); !shown {
				out = append(out, Holding{Principal: rq.el.Principal, Scope: sc})
			}
		}
	}
	return out
}

// requested is the concrete scope a request is judged at, when its
// principal and scope are known and valid and its policy allows the scope
// (other rules block the rest).
func requested(rq request) (scope.Scope, bool) {
	if rq.el == nil || rq.pol == nil || rq.el.IsUnknown("principal") || !scope.ValidLogin(rq.el.Principal) || len(policy.CheckScope(rq.el, rq.pol)) > 0 {
		return scope.Scope{}, false
	}
	sc, err := scope.Parse(rq.el.Scope)
	return sc, err == nil
}

// observedLevel reads what principal holds at sc from the policy's observed
// holders (as refreshed for this plan), which list everyone holding each
// concrete scope at its level or higher; shown is false when the policy
// does not observe sc.
func observedLevel(pc *plan.PolicyChange, principal string, sc scope.Scope) (level string, shown bool) {
	if pc.Before == nil {
		return "", false
	}
	holders, shown := pc.Before.Observed[sc.String()]
	for _, h := range holders {
		if strings.EqualFold(h, principal) {
			return sc.Level, true
		}
	}
	return "", shown
}

// judgeHeld finds the requests whose principal already holds the scope,
// with neither standing nor an elevation in force (an extension) covering it.
func (v *view) judgeHeld() {
	for _, rq := range v.requests {
		sc, ok := requested(rq)
		if !ok || standingIn(rq.pc, rq.el.Principal) || v.covered[holderKey(rq.el.Principal, sc)] >= scope.Rank(sc.Kind, sc.Level) {
			continue
		}
		level, shown := observedLevel(rq.pc, rq.el.Principal, sc)
		if !shown {
			var fetched bool
			level, fetched = v.facts.Held[HeldKey(rq.el.Principal, sc)]
			if !fetched {
				// Without a pull request nothing approves the request
				// anyway; with one, its holdings were to be read.
				if v.facts.HasPR && !v.opts.AfterApply {
					v.held = append(v.held, heldAccess{request: rq, sc: sc})
				}
				continue
			}
		}
		if level != "" && scope.Covers(sc.Kind, level, sc.Level) {
			v.held = append(v.held, heldAccess{request: rq, sc: sc, level: level})
			v.addShadow(ShadowAccess{Address: rq.pc.Address, Scope: sc.String(), Principal: rq.el.Principal})
		}
	}
}

// standingIn: login is standing in the policy as it was before the plan
// and still is after it.
func standingIn(pc *plan.PolicyChange, login string) bool {
	in := func(p *policy.Policy) bool {
		for l := range p.Standing {
			if strings.EqualFold(l, login) {
				return true
			}
		}
		return false
	}
	return pc.Before != nil && in(pc.Before) && (pc.After == nil || in(pc.After))
}

func (v *view) addShadow(s ShadowAccess) {
	for _, have := range v.shadow {
		if have == s {
			return
		}
	}
	v.shadow = append(v.shadow, s)
}

// heldShadow: in every mode, a request never launders shadow access.
func heldShadow(v *view) []Violation {
	out := make([]Violation, len(v.held))
	for i, h := range v.held {
		if h.level == "" {
			out[i] = violation(h.Address, "cannot tell whether %s already holds %s: GitHub was not read; a grant over shadow access would record it as previous access that expiry leaves in place",
				h.el.Principal, h.sc)
			continue
		}
		out[i] = violation(h.Address, "%s already holds %s (%s) with neither standing nor another elevation in force: a shadow admin path, which the grant would record as previous access that expiry leaves in place; remove it first",
			h.el.Principal, h.sc, h.level)
	}
	return out
}
