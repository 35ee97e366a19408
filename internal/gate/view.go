package gate

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
)

// view is the plan and the facts as every rule sees them, computed once by
// newView and never changed after: rules only read it.
type view struct {
	plan     *plan.Plan
	facts    Facts
	opts     Options
	decisive []Review // each reviewer's latest decisive review, by login

	live map[string][]*plan.PolicyChange // policies present after the plan, by id and by name
	gone map[string]*plan.PolicyChange   // policies the plan deletes or forgets, by id and name

	requests    []request               // elevations the plan grants (el nil: the plan has no values for one)
	forgotten   []*plan.ElevationChange // elevations Terraform stops managing
	revocations []Revocation            // access the plan takes away
	governed    []governed              // policy changes that need governance approval
	loosened    map[*plan.PolicyChange][]string
	shadow      []ShadowAccess

	covered  map[string]int             // holderKey -> highest level rank an elevation in force holds
	scopes   []governedScope            // every policy's concrete scopes (outside.go)
	outside  []outside                  // changes the jit rules do not judge (outside.go)
	govTally *tally                     // the governance approvers' approvals, counted once
	held     []heldAccess               // requests whose principal already holds the scope (held.go)
	overlaps map[string][]OverlapReport // by request address: elevations in force it overlaps
}

// request is an elevation the plan grants, with its policy.
type request struct {
	*plan.ElevationChange
	el  *policy.Elevation  // the elevation as requested (After)
	pc  *plan.PolicyChange // the policy policy_id resolves to; nil when none
	pol *policy.Policy     // pc.After
	why string             // why pc is nil
	tal tally              // approvals, when pol is set
	pr  int                // the pull request it is judged on; 0: unbound (apply mode)
}

// governed is a policy change that needs governance approval.
type governed struct {
	*plan.PolicyChange
	name      string
	loosened  []string
	required  int
	approvers []string
	from      string // who approvers are, for messages
	tal       tally
}

// Policy attributes the provider computes; changing only these is not a
// governance change.
var policyComputedAttrs = []string{"id", "fingerprint", "version", "observed"}

func newView(p *plan.Plan, f Facts, o Options) *view {
	v := requestView(p, f, o)
	for i := range p.Policies {
		v.govern(&p.Policies[i])
	}
	v.covered = inForceCoverage(p)
	v.shadow = shadowAccess(p, v.covered, o.Settings.TokenAccounts)
	v.overlaps = map[string][]OverlapReport{}
	live := liveByResource(p)
	for _, rq := range v.requests {
		v.overlaps[rq.Address] = overlapsOf(rq.ElevationChange, live)
	}
	v.scopes = governedScopes(p)
	v.judgeOutside()
	v.judgeHeld()
	return v
}

// requestView is the first part of the view: the policies by id and the
// elevations sorted into requests, revocations and forgotten ones.
func requestView(p *plan.Plan, f Facts, o Options) *view {
	v := &view{
		plan: p, facts: f, opts: o, decisive: decisive(f.Reviews),
		live: map[string][]*plan.PolicyChange{}, gone: map[string]*plan.PolicyChange{},
		loosened: map[*plan.PolicyChange][]string{},
	}
	for i := range p.Policies {
		pc := &p.Policies[i]
		if pol := pc.After; pol != nil {
			for _, k := range policyKeys(pol) {
				v.live[k] = append(v.live[k], pc)
			}
		} else if pc.Before != nil {
			for _, k := range policyKeys(pc.Before) {
				v.gone[k] = pc
			}
		}
	}
	for i := range p.Elevations {
		v.classify(&p.Elevations[i])
	}
	return v
}

// revocationOnly: the plan takes access away and changes nothing else, so
// a scheduled workflow may apply it without review.
func (v *view) revocationOnly() bool {
	return len(v.revocations) > 0 && len(v.requests)+len(v.forgotten)+len(v.governed)+len(v.plan.Others) == 0 &&
		!slices.ContainsFunc(v.outside, func(o outside) bool { return o.Rule != "" })
}

// policyKeys are the values an elevation's policy_id may use for a policy.
func policyKeys(p *policy.Policy) []string {
	keys := []string{}
	for _, k := range []string{p.ID, p.Name} {
		if k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// policyFor resolves policy_id to the one policy present after the plan.
func (v *view) policyFor(id string) (*plan.PolicyChange, string) {
	switch l := v.live[id]; len(l) {
	case 1:
		return l[0], ""
	case 0:
		if pc, ok := v.gone[id]; ok {
			return nil, fmt.Sprintf("policy_id %q refers to policy %s, which this plan removes", id, pc.Address)
		}
		return nil, fmt.Sprintf("policy_id %q matches no jit_optout_policy in the plan", id)
	default:
		addrs := make([]string, len(l))
		for i, pc := range l {
			addrs[i] = pc.Address
		}
		return nil, fmt.Sprintf("policy_id %q is ambiguous: it matches %s", id, strings.Join(addrs, ", "))
	}
}

// classify sorts one elevation change into requests, revocations and
// forgotten elevations.
func (v *view) classify(ec *plan.ElevationChange) {
	switch ec.Action {
	case plan.ActionCreate, plan.ActionReplace, plan.ActionReplaceCreateFirst:
		v.request(ec)
	case plan.ActionCreateForget:
		v.forget(ec)
		v.request(ec)
	case plan.ActionForget:
		v.forget(ec)
	case plan.ActionDelete:
		if ec.Before != nil {
			v.revoke(ec, RevokeDestroyed)
		}
	case plan.ActionUpdate:
		switch {
		case slices.ContainsFunc(policy.RequestAttributes, func(a string) bool { return slices.Contains(ec.Changed, a) }):
			v.request(ec)
		case expires(ec):
			v.revoke(ec, RevokeExpired)
		case foundAgain(ec):
			v.revoke(ec, RevokeDrift)
		}
		// Any other update changes computed attributes only
		// (history, previous_access...): not a change of access.
	}
}

// expires: the plan revokes an elevation whose time is up.
func expires(ec *plan.ElevationChange) bool {
	return ec.Before != nil && ec.After != nil && policy.Live(ec.Before.Status) && ec.After.Status == policy.StatusExpired
}

// foundAgain: the refresh saw an expired or revoked grant back at the target,
// and the plan removes it again.
func foundAgain(ec *plan.ElevationChange) bool {
	return ec.Before != nil && ec.After != nil && ec.Before.FoundAgain() && ec.After.IsUnknown("revoked_at")
}

func (v *view) revoke(ec *plan.ElevationChange, why string) {
	el := ec.Before
	v.revocations = append(v.revocations, Revocation{Address: ec.Address, Principal: el.Principal, Scope: el.Scope, Why: why})
}

func (v *view) forget(ec *plan.ElevationChange) {
	v.forgotten = append(v.forgotten, ec)
}

func (v *view) request(ec *plan.ElevationChange) {
	el := ec.After
	rq := request{ElevationChange: ec, el: el}
	if el != nil && !el.IsUnknown("policy_id") {
		rq.pc, rq.why = v.policyFor(el.PolicyID)
	}
	f, reviews, bound := v.boundFacts(ec.Address)
	if bound {
		rq.pr = f.Number
	}
	if rq.pc != nil {
		rq.pol = rq.pc.After
		rq.tal = count(reviews, f, rq.pol.Approvers, el.Principal)
	}
	v.requests = append(v.requests, rq)
}

// govern records a policy change that is not computed-only, with who may
// approve it and how many must.
func (v *view) govern(pc *plan.PolicyChange) {
	switch pc.Action {
	case plan.ActionNoOp, plan.ActionRead:
		return
	case plan.ActionUpdate:
		if !slices.ContainsFunc(pc.Changed, func(a string) bool { return !slices.Contains(policyComputedAttrs, a) }) {
			return
		}
	}
	b, a := pc.Before, pc.After
	g := governed{PolicyChange: pc, loosened: []string{}}
	if b != nil && a != nil {
		g.loosened = policy.Loosened(b, a)
		v.loosened[pc] = g.loosened
	}
	for _, p := range []*policy.Policy{b, a} {
		if p != nil {
			g.required = max(g.required, p.GovernanceApprovals)
			g.name = p.DisplayName()
		}
	}
	// Second-party approval is never optional, even if the numbers are
	// unknown or missing.
	g.required = max(g.required, 1)
	g.approvers, g.from = v.opts.Settings.GovernanceApprovers, "governance_approvers of "+cmp.Or(v.opts.Settings.Source, "the trusted settings")
	if b != nil {
		g.approvers, g.from = b.Approvers, fmt.Sprintf("approvers of policy %q as it was before", g.name)
	}
	g.tal = count(v.decisive, v.facts, g.approvers, "")
	v.governed = append(v.governed, g)
}

// inForceCoverage maps each principal and team or repository to the
// highest level rank an elevation in force (as the refreshed state shows
// it) holds there.
func inForceCoverage(p *plan.Plan) map[string]int {
	covered := map[string]int{}
	for _, ec := range p.Elevations {
		el := ec.Before
		if el == nil || !inForce(el) {
			continue
		}
		sc, err := scope.Parse(el.Scope)
		if err != nil {
			continue
		}
		k := holderKey(el.Principal, sc)
		covered[k] = max(covered[k], scope.Rank(sc.Kind, sc.Level))
	}
	return covered
}

// shadowAccess finds, from the refreshed state, everyone who holds a
// policy's concrete scope without standing or an elevation in force that
// covers it. The provider's token accounts are marked as such.
func shadowAccess(p *plan.Plan, covered map[string]int, tokenAccounts []string) []ShadowAccess {
	out := []ShadowAccess{}
	for _, pc := range p.Policies {
		pol := pc.Before
		if pol == nil {
			continue
		}
		standing := map[string]bool{}
		for login := range pol.Standing {
			standing[strings.ToLower(login)] = true
		}
		for _, s := range slices.Sorted(maps.Keys(pol.Observed)) {
			sc, err := scope.Parse(s)
			if err != nil {
				continue
			}
			for _, login := range pol.Observed[s] {
				if standing[strings.ToLower(login)] || covered[holderKey(login, sc)] >= scope.Rank(sc.Kind, sc.Level) {
					continue
				}
				token := slices.ContainsFunc(tokenAccounts, func(t string) bool { return strings.EqualFold(t, login) })
				out = append(out, ShadowAccess{Address: pc.Address, Scope: s, Principal: login, TokenAccount: token})
			}
		}
	}
	return out
}

// inForce: the elevation's grant may be in place, as far as the state
// tells: it has not ended, or it was found again after it ended.
func inForce(el *policy.Elevation) bool { return !policy.Ended(el.Status) || el.RevokedAt == "" }

func holderKey(login string, sc scope.Scope) string {
	return strings.ToLower(login) + " " + sc.Resource()
}
