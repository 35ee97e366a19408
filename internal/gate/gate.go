// Package gate holds jit-gate's rules as pure functions: a plan model and the
// pull request's facts in, a report of findings out. Nothing here does I/O.
package gate

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
)

// ParseMode validates a --mode value.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case ModePR, ModeApply, ModeDrift:
		return m, nil
	}
	return "", fmt.Errorf("unknown mode %q: want pr, apply or drift", s)
}

// TeamsNeeded lists the teams ("org/slug", lowercase, sorted, once each)
// named by the approvers and requesters of every policy in the plan, before
// and after, and by o.GovernanceApprovers, so the caller fetches each
// membership once.
func TeamsNeeded(p *plan.Plan, o Options) []string {
	teams := []string{}
	add := func(entries []string) {
		for _, s := range entries {
			if t, ok := teamRef(s); ok && !slices.Contains(teams, t) {
				teams = append(teams, t)
			}
		}
	}
	for _, pc := range p.Policies {
		for _, pol := range []*plan.Policy{pc.Before, pc.After} {
			if pol != nil {
				add(pol.Approvers)
				add(pol.Requesters)
			}
		}
	}
	add(o.GovernanceApprovers)
	slices.Sort(teams)
	return teams
}

// teamRef returns the lowercase "org/slug" of a "team:ORG/SLUG" entry.
func teamRef(s string) (string, bool) {
	if len(s) < 5 || !strings.EqualFold(s[:5], "team:") {
		return "", false
	}
	return strings.ToLower(s[5:]), true
}

// ErrorReport is the report for a run that could not evaluate, e.g. a plan
// that plan.Read refused. It never passes.
func ErrorReport(mode Mode, err error) Report {
	r := emptyReport(mode, "")
	r.Verdict = VerdictError
	r.Violations = append(r.Violations, Violation{Rule: RulePlanInvalid, Message: err.Error()})
	return r
}

func emptyReport(mode Mode, head string) Report {
	return Report{
		Mode: string(mode), HeadSHA: head,
		Elevations: []ElevationReport{}, Policies: []PolicyReport{}, Revocations: []Revocation{},
		Drift: []DriftReport{}, Shadow: []ShadowAccess{}, Violations: []Violation{},
	}
}

// HardMaxDuration is the ceiling no policy raises (DESIGN: 168h).
const HardMaxDuration = 168 * time.Hour

// Elevation attributes set by users; every one forces replacement, so an
// in-place update touching one is judged like a new request.
var elevationUserAttrs = []string{"policy_id", "principal", "scope", "reason", "duration", "ticket", "break_glass"}

// Policy attributes the provider computes; changing only these is not a
// governance change.
var policyComputedAttrs = []string{"id", "fingerprint", "version", "observed"}

// unknownShown stands for a value Terraform only knows after apply.
const unknownShown = "(known after apply)"

// Evaluate applies every rule to the plan.
func Evaluate(p *plan.Plan, f Facts, o Options) Report {
	e := newEvaluator(p, f, o)
	e.elevations()
	e.governance()
	e.maxActive()
	e.loosenAndUse()
	e.drift()
	e.shadow()
	e.breakGlass()
	// Further rules are added here as methods of the same shape: read
	// e.plan and e.facts, call e.violate.
	return e.finish()
}

type evaluator struct {
	plan  *plan.Plan
	facts Facts
	opts  Options
	r     Report

	live     map[string][]*plan.PolicyChange // policies present after the plan, by id and by name
	gone     map[string]*plan.PolicyChange   // policies the plan deletes or forgets, by id and name
	decisive []Review                        // each reviewer's latest decisive review, by login

	requests    []*plan.ElevationChange // elevations to be granted by this plan
	loosened    map[*plan.PolicyChange][]string
	changes     int // changes that are not revocations
	revocations int
}

func newEvaluator(p *plan.Plan, f Facts, o Options) *evaluator {
	e := &evaluator{
		plan: p, facts: f, opts: o, r: emptyReport(o.Mode, f.HeadSHA),
		live: map[string][]*plan.PolicyChange{}, gone: map[string]*plan.PolicyChange{},
		loosened: map[*plan.PolicyChange][]string{},
	}
	for i := range p.Policies {
		pc := &p.Policies[i]
		if pol := pc.After; pol != nil {
			for _, k := range policyKeys(pol) {
				e.live[k] = append(e.live[k], pc)
			}
		} else if pc.Before != nil {
			for _, k := range policyKeys(pc.Before) {
				e.gone[k] = pc
			}
		}
	}
	latest := map[string]Review{}
	for _, r := range f.Reviews {
		switch strings.ToUpper(r.State) {
		case StateApproved, StateChangesRequested, StateDismissed:
			latest[strings.ToLower(r.Login)] = r
		}
	}
	for _, r := range latest {
		e.decisive = append(e.decisive, r)
	}
	slices.SortFunc(e.decisive, func(a, b Review) int { return cmp.Compare(strings.ToLower(a.Login), strings.ToLower(b.Login)) })
	return e
}

// policyKeys are the values an elevation's policy_id may use for a policy.
func policyKeys(p *plan.Policy) []string {
	keys := []string{}
	for _, k := range []string{p.ID, p.Name} {
		if k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// policyFor resolves policy_id to the one policy present after the plan.
func (e *evaluator) policyFor(id string) (*plan.PolicyChange, string) {
	switch l := e.live[id]; len(l) {
	case 1:
		return l[0], ""
	case 0:
		if pc, ok := e.gone[id]; ok {
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

func (e *evaluator) violate(rule, address, format string, args ...any) {
	e.r.Violations = append(e.r.Violations, Violation{Rule: rule, Address: address, Message: fmt.Sprintf(format, args...)})
}

func (e *evaluator) elevations() {
	for i := range e.plan.Elevations {
		ec := &e.plan.Elevations[i]
		switch ec.Action {
		case plan.ActionNoOp, plan.ActionRead:
		case plan.ActionCreate, plan.ActionReplace:
			e.request(ec)
		case plan.ActionReplaceCreateFirst:
			e.request(ec)
			if el := ec.Before; el != nil && (active(el.Status) || el.RevokedAt == "") {
				e.violate(RuleCreateBeforeDestroy, ec.Address, "%s on %s is replaced with create_before_destroy: the new grant is made while the old one holds the access, "+
					"so the old one's destroy takes it away again; remove create_before_destroy from jit_elevation (the default order revokes, then grants)",
					shown(el, "principal", el.Principal), shown(el, "scope", el.Scope))
			}
		case plan.ActionCreateForget:
			e.forget(ec)
			e.request(ec)
		case plan.ActionForget:
			e.forget(ec)
		case plan.ActionDelete:
			if ec.Before != nil {
				e.revoke(ec, ec.Before, RevokeDestroyed)
			}
		case plan.ActionUpdate:
			switch {
			case slices.ContainsFunc(elevationUserAttrs, func(a string) bool { return slices.Contains(ec.Changed, a) }):
				e.request(ec)
			case expires(ec):
				e.revoke(ec, ec.Before, RevokeExpired)
			case foundAgain(ec):
				e.revoke(ec, ec.Before, RevokeDrift)
			}
			// Any other update changes computed attributes only
			// (history, previous_access...): not a change of access.
		}
	}
}

func active(status string) bool { return status != "expired" && status != "revoked" }

// expires: the plan revokes an elevation whose time is up.
func expires(ec *plan.ElevationChange) bool {
	return ec.Before != nil && ec.After != nil &&
		(ec.Before.Status == "active" || ec.Before.Status == "pending") && ec.After.Status == "expired"
}

// foundAgain: the refresh saw an expired or revoked grant back at the target,
// and the plan removes it again.
func foundAgain(ec *plan.ElevationChange) bool {
	return ec.Before != nil && ec.After != nil && !active(ec.Before.Status) &&
		ec.Before.RevokedAt == "" && ec.After.IsUnknown("revoked_at")
}

func (e *evaluator) revoke(ec *plan.ElevationChange, el *plan.Elevation, why string) {
	e.revocations++
	e.r.Revocations = append(e.r.Revocations, Revocation{Address: ec.Address, Principal: el.Principal, Scope: el.Scope, Why: why})
}

// forget: Terraform stops managing an elevation without revoking it, so a
// live grant would outlive its duration with nothing left to expire it.
func (e *evaluator) forget(ec *plan.ElevationChange) {
	e.changes++
	if b := ec.Before; b != nil && active(b.Status) {
		e.violate(RulePolicyDuration, ec.Address,
			"forgetting the elevation leaves %s's grant of %s in place with nothing to expire it; destroy it instead",
			b.Principal, b.Scope)
	}
}

// unknownRule says which rule cannot be checked when a user-set elevation
// attribute is unknown at plan time.
var unknownRule = map[string]string{
	"policy_id": RulePolicyMissing, "principal": RulePolicyRequester, "scope": RulePolicyScope,
	"reason": RulePolicyReason, "ticket": RulePolicyReason, "duration": RulePolicyDuration,
	"break_glass": RuleApprovalInsufficient,
}

// request checks an elevation the plan grants against its policy.
func (e *evaluator) request(ec *plan.ElevationChange) {
	e.changes++
	el := ec.After
	if el == nil {
		return
	}
	e.requests = append(e.requests, ec)
	rep := ElevationReport{
		Address: ec.Address, Action: string(ec.Action),
		Principal: shown(el, "principal", el.Principal), Scope: shown(el, "scope", el.Scope),
		Duration: shown(el, "duration", formatDuration(el.Duration)), Policy: shown(el, "policy_id", el.PolicyID),
		BreakGlass: el.BreakGlass, ApprovedBy: []string{}, NotCounted: []NotCounted{},
	}
	defer func() { e.r.Elevations = append(e.r.Elevations, rep) }()
	for _, a := range elevationUserAttrs {
		if el.IsUnknown(a) {
			e.violate(unknownRule[a], ec.Address, "%s is unknown at plan time; a request must be known to be reviewed", a)
		}
	}
	if el.IsUnknown("policy_id") {
		return
	}
	pc, why := e.policyFor(el.PolicyID)
	if pc == nil {
		e.violate(RulePolicyMissing, ec.Address, "%s", why)
		return
	}
	pol, name := pc.After, policyName(pc.After)
	e.checkScope(ec, pol, name)
	e.checkDuration(ec, pol, name)
	e.checkReason(ec, pol, name)
	e.checkRequester(ec, pol, name)

	required := pol.RequiredApprovals
	if el.BreakGlass {
		if !pol.BreakGlass.Enabled {
			e.violate(RuleApprovalInsufficient, ec.Address, "break_glass is requested but policy %q does not enable break_glass", name)
		} else {
			required = pol.BreakGlass.RequiredApprovals
		}
	}
	rep.ApprovalsRequired = required
	for _, a := range []string{"required_approvals", "approvers", "break_glass"} {
		if pol.IsUnknown(a) && (a != "break_glass" || el.BreakGlass) {
			e.violate(RuleApprovalInsufficient, ec.Address, "policy %q %s is unknown at plan time", name, a)
		}
	}
	t := e.count(pol.Approvers, el.Principal)
	rep.ApprovedBy, rep.NotCounted = t.approvedBy, t.notCounted
	if len(t.approvedBy) < required {
		kind := "approvals"
		if el.BreakGlass && pol.BreakGlass.Enabled {
			kind = "break-glass approvals (break_glass.required_approvals)"
		}
		e.violate(RuleApprovalInsufficient, ec.Address, "%d of %d required %s from policy %q approvers", len(t.approvedBy), required, kind, name)
	}
	for _, login := range t.vetoedBy {
		e.violate(RuleApprovalVetoed, ec.Address, "%s, an approver of policy %q, requested changes", login, name)
	}
}

func shown(el *plan.Elevation, attr, v string) string {
	if el.IsUnknown(attr) {
		return unknownShown
	}
	return v
}

func policyName(p *plan.Policy) string {
	if p.Name != "" {
		return p.Name
	}
	return p.ID
}

func (e *evaluator) checkScope(ec *plan.ElevationChange, pol *plan.Policy, name string) {
	el := ec.After
	switch {
	case el.IsUnknown("scope"):
	case pol.IsUnknown("scopes"):
		e.violate(RulePolicyScope, ec.Address, "policy %q scopes are unknown at plan time", name)
	default:
		if _, err := scope.Parse(el.Scope); err != nil {
			e.violate(RulePolicyScope, ec.Address, "%v", err)
			return
		}
		if !slices.ContainsFunc(pol.Scopes, func(p string) bool { return scope.MatchString(p, el.Scope) }) {
			e.violate(RulePolicyScope, ec.Address, "scope %q is not allowed by policy %q scopes [%s]", el.Scope, name, strings.Join(pol.Scopes, ", "))
		}
	}
}

func (e *evaluator) checkDuration(ec *plan.ElevationChange, pol *plan.Policy, name string) {
	el := ec.After
	if el.IsUnknown("duration") {
		return
	}
	limit, limitName, attr := pol.MaxDuration, "max_duration", "max_duration"
	if el.BreakGlass && pol.BreakGlass.Enabled {
		limit, limitName, attr = pol.BreakGlass.MaxDuration, "break_glass.max_duration", "break_glass"
	}
	switch {
	case pol.IsUnknown(attr):
		e.violate(RulePolicyDuration, ec.Address, "policy %q %s is unknown at plan time", name, limitName)
	case el.Duration <= 0:
		e.violate(RulePolicyDuration, ec.Address, "duration %s must be positive: every grant expires", formatDuration(el.Duration))
	case el.Duration > limit:
		e.violate(RulePolicyDuration, ec.Address, "duration %s exceeds policy %q %s %s", formatDuration(el.Duration), name, limitName, formatDuration(limit))
	case el.Duration > HardMaxDuration:
		e.violate(RulePolicyDuration, ec.Address, "duration %s exceeds the hard ceiling %s", formatDuration(el.Duration), formatDuration(HardMaxDuration))
	}
}

func (e *evaluator) checkReason(ec *plan.ElevationChange, pol *plan.Policy, name string) {
	el, rule := ec.After, pol.Reason
	if pol.IsUnknown("reason") {
		e.violate(RulePolicyReason, ec.Address, "policy %q reason rules are unknown at plan time", name)
		return
	}
	if !el.IsUnknown("reason") {
		// Trimmed so that padding cannot make up the length.
		if n := utf8.RuneCountInString(strings.TrimSpace(el.Reason)); n < rule.MinLength {
			e.violate(RulePolicyReason, ec.Address, "reason is %d characters, below policy %q reason.min_length %d", n, name, rule.MinLength)
		}
		e.checkPattern(ec.Address, name, "reason", el.Reason, "reason.pattern", rule.Pattern)
	}
	if el.IsUnknown("ticket") {
		return
	}
	ticket := strings.TrimSpace(el.Ticket)
	if rule.TicketRequired && ticket == "" {
		e.violate(RulePolicyReason, ec.Address, "ticket is empty but policy %q sets reason.ticket_required", name)
	}
	if ticket != "" {
		e.checkPattern(ec.Address, name, "ticket", el.Ticket, "reason.ticket_pattern", rule.TicketPattern)
	}
}

func (e *evaluator) checkPattern(address, name, what, value, attr, pattern string) {
	if pattern == "" {
		return
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		e.violate(RulePolicyReason, address, "policy %q %s %q is not a valid RE2 expression: %v", name, attr, pattern, err)
		return
	}
	if !re.MatchString(value) {
		e.violate(RulePolicyReason, address, "%s %q does not match policy %q %s %q", what, value, name, attr, pattern)
	}
}

func (e *evaluator) checkRequester(ec *plan.ElevationChange, pol *plan.Policy, name string) {
	el := ec.After
	switch {
	case el.IsUnknown("principal"):
	case !scope.ValidLogin(el.Principal):
		e.violate(RulePolicyRequester, ec.Address, "principal %q is not a valid GitHub login", el.Principal)
	case pol.IsUnknown("requesters"):
		e.violate(RulePolicyRequester, ec.Address, "policy %q requesters are unknown at plan time", name)
	case len(pol.Requesters) > 0 && !e.listed(pol.Requesters, el.Principal):
		e.violate(RulePolicyRequester, ec.Address, "principal %q is not among policy %q requesters [%s]", el.Principal, name, strings.Join(pol.Requesters, ", "))
	}
}

// listed reports whether login is in a list of logins and "team:ORG/SLUG"
// entries; a team whose members were not fetched has none.
func (e *evaluator) listed(list []string, login string) bool {
	for _, entry := range list {
		if team, ok := teamRef(entry); ok {
			if slices.ContainsFunc(e.facts.TeamMembers[team], func(m string) bool { return strings.EqualFold(m, login) }) {
				return true
			}
		} else if strings.EqualFold(entry, login) {
			return true
		}
	}
	return false
}

type tally struct {
	approvedBy []string
	notCounted []NotCounted
	vetoedBy   []string
}

// count applies DESIGN's approval counting to the decisive reviews. principal
// is "" where the principal rule does not apply (governance).
func (e *evaluator) count(approvers []string, principal string) tally {
	t := tally{approvedBy: []string{}, notCounted: []NotCounted{}}
	for _, r := range e.decisive {
		approver := e.listed(approvers, r.Login)
		switch strings.ToUpper(r.State) {
		case StateChangesRequested:
			if approver {
				t.vetoedBy = append(t.vetoedBy, r.Login)
			}
		case StateApproved:
			// Identity reasons first: re-approving cannot cure them, while
			// "stale" tells an eligible approver to approve again.
			why := ""
			switch {
			case r.Bot || strings.HasSuffix(strings.ToLower(r.Login), "[bot]"):
				why = WhyBot
			case strings.EqualFold(r.Login, e.facts.Author):
				why = WhyAuthor
			case principal != "" && strings.EqualFold(r.Login, principal):
				why = WhyPrincipal
			case slices.ContainsFunc(e.facts.Committers, func(c string) bool { return strings.EqualFold(c, r.Login) }):
				why = WhyCommitter
			case !approver:
				why = WhyNotApprover
			case e.facts.HeadSHA == "" || r.CommitID != e.facts.HeadSHA:
				why = WhyStale
			}
			if why == "" {
				t.approvedBy = append(t.approvedBy, r.Login)
			} else {
				t.notCounted = append(t.notCounted, NotCounted{Login: r.Login, Why: why})
			}
		}
	}
	return t
}

// governance checks every policy change that is not computed-only.
func (e *evaluator) governance() {
	for i := range e.plan.Policies {
		pc := &e.plan.Policies[i]
		switch pc.Action {
		case plan.ActionNoOp, plan.ActionRead:
			continue
		case plan.ActionUpdate:
			if !slices.ContainsFunc(pc.Changed, func(a string) bool { return !slices.Contains(policyComputedAttrs, a) }) {
				continue
			}
		}
		e.changes++
		b, a := pc.Before, pc.After
		rep := PolicyReport{Address: pc.Address, Action: string(pc.Action), Loosened: []string{}, ApprovedBy: []string{}, NotCounted: []NotCounted{}}
		if b != nil && a != nil {
			rep.Loosened = loosened(b, a)
			e.loosened[pc] = rep.Loosened
		}
		name := ""
		for _, p := range []*plan.Policy{b, a} {
			if p != nil {
				rep.ApprovalsRequired = max(rep.ApprovalsRequired, p.GovernanceApprovals)
				name = policyName(p)
			}
		}
		// Second-party approval is never optional, even if the numbers are
		// unknown or missing.
		rep.ApprovalsRequired = max(rep.ApprovalsRequired, 1)
		approvers, from := e.opts.GovernanceApprovers, "--governance-approvers"
		if b != nil {
			approvers, from = b.Approvers, fmt.Sprintf("approvers of policy %q as it was before", name)
		}
		t := e.count(approvers, "")
		rep.ApprovedBy, rep.NotCounted = t.approvedBy, t.notCounted
		switch {
		case b == nil && len(approvers) == 0:
			e.violate(RulePolicyGovernance, pc.Address, "creating policy %q needs %d governance approvals, but no --governance-approvers are configured to give them", name, rep.ApprovalsRequired)
		case len(t.approvedBy) < rep.ApprovalsRequired:
			e.violate(RulePolicyGovernance, pc.Address, "%d of %d required governance_approvals to %s policy %q from %s", len(t.approvedBy), rep.ApprovalsRequired, pc.Action, name, from)
		}
		for _, login := range t.vetoedBy {
			e.violate(RuleApprovalVetoed, pc.Address, "%s, one of the %s, requested changes", login, from)
		}
		e.r.Policies = append(e.r.Policies, rep)
	}
}

// loosened lists the thresholds of a policy that get weaker from b to a.
// An attribute unknown at plan time counts as loosened: it could be anything.
func loosened(b, a *plan.Policy) []string {
	bg, ag := b.BreakGlass, a.BreakGlass
	both := bg.Enabled && ag.Enabled
	checks := []struct {
		name, attr string
		weaker     bool
	}{
		{"max_duration", "max_duration", a.MaxDuration > b.MaxDuration},
		{"required_approvals", "required_approvals", a.RequiredApprovals < b.RequiredApprovals},
		{"approvers", "approvers", added(b.Approvers, a.Approvers)},
		{"requesters", "requesters", len(b.Requesters) > 0 && (len(a.Requesters) == 0 || added(b.Requesters, a.Requesters))},
		{"scopes", "scopes", widened(b.Scopes, a.Scopes)},
		{"reason.min_length", "reason", a.Reason.MinLength < b.Reason.MinLength},
		{"reason.pattern", "reason", b.Reason.Pattern != "" && a.Reason.Pattern != b.Reason.Pattern},
		{"reason.ticket_required", "reason", b.Reason.TicketRequired && !a.Reason.TicketRequired},
		{"reason.ticket_pattern", "reason", b.Reason.TicketPattern != "" && a.Reason.TicketPattern != b.Reason.TicketPattern},
		{"max_active_per_principal", "max_active_per_principal", b.MaxActivePerPrincipal > 0 && (a.MaxActivePerPrincipal == 0 || a.MaxActivePerPrincipal > b.MaxActivePerPrincipal)},
		{"break_glass.enabled", "break_glass", !bg.Enabled && ag.Enabled},
		{"break_glass.max_duration", "break_glass", both && ag.MaxDuration > bg.MaxDuration},
		{"break_glass.required_approvals", "break_glass", both && ag.RequiredApprovals < bg.RequiredApprovals},
		{"break_glass.review_within", "break_glass", both && bg.ReviewWithin > 0 && (ag.ReviewWithin == 0 || ag.ReviewWithin > bg.ReviewWithin)},
		{"governance_approvals", "governance_approvals", a.GovernanceApprovals < b.GovernanceApprovals},
		{"standing", "standing", added(keys(b.Standing), keys(a.Standing))},
		{"exclusive", "exclusive", b.Exclusive && !a.Exclusive},
	}
	out := []string{}
	for _, c := range checks {
		name := c.name
		if a.IsUnknown(c.attr) {
			name = c.attr
		} else if !c.weaker {
			continue
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// added reports whether after has an entry (case-insensitively) not in before.
func added(before, after []string) bool {
	return slices.ContainsFunc(after, func(x string) bool {
		return !slices.ContainsFunc(before, func(y string) bool { return strings.EqualFold(x, y) })
	})
}

// widened reports whether after allows a scope that no pattern of before
// allowed. A pattern is covered when an old pattern matches it as if it were a
// scope: `*` only matches `*`, so a new wildcard is never covered by a name.
func widened(before, after []string) bool {
	return slices.ContainsFunc(after, func(x string) bool {
		px, err := scope.ParsePattern(x)
		if err != nil {
			return true
		}
		return !slices.ContainsFunc(before, func(y string) bool {
			py, err := scope.ParsePattern(y)
			return err == nil && scope.Match(py, px)
		})
	})
}

// maxActive counts, per principal and policy, the elevations that are live
// in the plan's after state, and flags requests that go over the limit.
func (e *evaluator) maxActive() {
	type key struct {
		pc        *plan.PolicyChange
		principal string
	}
	held := map[key]int{}
	for _, ec := range e.plan.Elevations {
		el := ec.After
		if el == nil || !active(el.Status) {
			continue
		}
		if pc, _ := e.policyFor(el.PolicyID); pc != nil {
			held[key{pc, strings.ToLower(el.Principal)}]++
		}
	}
	for _, ec := range e.requests {
		el := ec.After
		pc, _ := e.policyFor(el.PolicyID)
		if pc == nil || el.IsUnknown("policy_id") || el.IsUnknown("principal") {
			continue
		}
		pol, name := pc.After, policyName(pc.After)
		n := held[key{pc, strings.ToLower(el.Principal)}]
		switch {
		case pol.IsUnknown("max_active_per_principal"):
			e.violate(RulePolicyMaxActive, ec.Address, "policy %q max_active_per_principal is unknown at plan time", name)
		case pol.MaxActivePerPrincipal > 0 && n > pol.MaxActivePerPrincipal:
			e.violate(RulePolicyMaxActive, ec.Address, "principal %q would hold %d active elevations under policy %q, above max_active_per_principal %d",
				el.Principal, n, name, pol.MaxActivePerPrincipal)
		}
	}
}

// loosenAndUse blocks a request under a policy the same plan creates or
// loosens: the policy change must land, with its own review, first.
func (e *evaluator) loosenAndUse() {
	for _, ec := range e.requests {
		el := ec.After
		if el.IsUnknown("policy_id") {
			continue
		}
		pc, _ := e.policyFor(el.PolicyID)
		switch {
		case pc == nil:
		case pc.Before == nil:
			e.violate(RuleLoosenAndUse, ec.Address, "policy %q is created by this plan; apply it on its own before requesting elevations under it", policyName(pc.After))
		case len(e.loosened[pc]) > 0:
			e.violate(RuleLoosenAndUse, ec.Address, "this plan loosens policy %q (%s) and requests an elevation under it; land the policy change on its own first",
				policyName(pc.After), strings.Join(e.loosened[pc], ", "))
		}
	}
}

func (e *evaluator) drift() {
	for _, d := range e.plan.Drift {
		attrs := slices.Clone(d.Attributes)
		if attrs == nil {
			attrs = []string{}
		}
		e.r.Drift = append(e.r.Drift, DriftReport{Address: d.Address, Attributes: attrs})
		if e.opts.Mode != ModeDrift || lifecycleDrift(d) {
			continue
		}
		if d.Action == plan.ActionDelete {
			e.violate(RuleDriftUnexpected, d.Address, "%s was deleted outside Terraform", d.Type)
		} else {
			e.violate(RuleDriftUnexpected, d.Address, "%s changed outside Terraform: %s", d.Type, strings.Join(attrs, ", "))
		}
	}
}

// lifecycleDrift is a refresh the provider itself expects: a policy's holders
// change with every grant and revocation (access.shadow judges them), and an
// accepted invitation turns a pending elevation active. Anything else this
// provider's resources show (access removed or added back by hand) is drift.
func lifecycleDrift(d plan.Drift) bool {
	switch d.Type {
	case plan.TypePolicy:
		return slices.Equal(d.Attributes, []string{"observed"})
	case plan.TypeElevation:
		return slices.Equal(d.Attributes, []string{"history", "status"})
	}
	return false
}

// shadow finds, from the refreshed state, everyone who holds a policy's
// concrete scope without standing or an elevation in force that covers it.
func (e *evaluator) shadow() {
	covered := map[string]int{} // login and team or repository -> highest level rank held by elevation
	for _, ec := range e.plan.Elevations {
		el := ec.Before
		if el == nil || !(active(el.Status) || el.RevokedAt == "") {
			continue
		}
		sc, err := scope.Parse(el.Scope)
		if err != nil {
			continue
		}
		k := holderKey(el.Principal, sc)
		covered[k] = max(covered[k], scope.Rank(sc.Kind, sc.Level))
	}
	for _, pc := range e.plan.Policies {
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
				e.r.Shadow = append(e.r.Shadow, ShadowAccess{Address: pc.Address, Scope: s, Principal: login})
				if e.opts.Mode == ModeDrift {
					e.violate(RuleAccessShadow, pc.Address, "%s holds %s without standing or an elevation in force: a shadow admin path", login, s)
				}
			}
		}
	}
}

func holderKey(login string, sc scope.Scope) string {
	return strings.ToLower(login) + " " + sc.Resource()
}

func (e *evaluator) finish() Report {
	r := e.r
	e.changes += len(e.plan.Others)
	r.RevocationOnly = e.revocations > 0 && e.changes == 0
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
	slices.SortFunc(r.Violations, func(a, b Violation) int {
		return cmp.Or(cmp.Compare(a.Address, b.Address), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Message, b.Message))
	})
	return r
}

// formatDuration writes a duration as people do: 2h, 1h30m, 45m.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
