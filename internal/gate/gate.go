// Package gate holds jit-gate's rules as pure functions: a plan model and the
// pull request's facts in, a report of findings out. Nothing here does I/O.
//
// Evaluate computes a view of the plan and the facts once (view.go), runs
// every rule of the table below on it, each a function of the view alone,
// and projects the report rows from the view (project.go). A new rule is one
// entry in the table and one function in rules.go; what it needs from the
// plan that no other rule computes goes into the view.
package gate

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/settings"
)

// rule is one entry of the rulebook: a stable id and the check that finds
// its violations. Checks leave Violation.Rule empty; Evaluate sets it, so a
// check reports under its own id only.
type rule struct {
	id    string
	check func(*view) []Violation
}

// rulebook is every rule, in DESIGN's order.
var rulebook = []rule{
	{RulePolicyMissing, policyMissing},
	{RulePolicyScope, policyScope},
	{RulePolicyDuration, policyDuration},
	{RulePolicyReason, policyReason},
	{RulePolicyRequester, policyRequester},
	{RulePolicyMaxActive, maxActive},
	{RuleApprovalInsufficient, approvalInsufficient},
	{RuleApprovalVetoed, approvalVetoed},
	{RuleApprovalUnbound, approvalUnbound},
	{RulePolicyGovernance, governance},
	{RuleLoosenAndUse, loosenAndUse},
	{RuleDriftUnexpected, driftUnexpected},
	{RuleBreakGlassUnreviewed, breakGlassUnreviewed},
	{RuleAccessShadow, accessShadow},
	{RuleCreateBeforeDestroy, createBeforeDestroy},
	{RuleAuditUnrecorded, auditUnrecorded},
	{RulePlanUnguarded, planUnguarded},
	{RulePlanEscape, planEscape},
	{RuleAccessBypass, accessBypass},
	{RuleGateTrust, gateTrust},
	{RuleAccessShadow, heldShadow},
	{RuleOverlap, overlap},
	{RuleTrustAnchor, trustAnchor},
}

// Evaluate applies every rule to the plan.
func Evaluate(p *plan.Plan, f Facts, o Options) Report {
	if o.Settings.Provider == "" {
		// Zero settings (a caller that has no repository); settings.Parse
		// always fills the provider.
		o.Settings = settings.Default("defaults")
	}
	v := newView(p, f, o)
	var violations []Violation
	for _, r := range rulebook {
		for _, viol := range r.check(v) {
			viol.Rule = r.id
			violations = append(violations, viol)
		}
	}
	return project(v, violations)
}

// ParseMode validates a --mode value.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case ModePR, ModeApply, ModeDrift:
		return m, nil
	}
	return "", fmt.Errorf("unknown mode %q: want pr, apply or drift", s)
}

// Needs is what judging a plan needs from GitHub, decided before anything is
// fetched so that each fact is read once.
type Needs struct {
	PR bool // the pull request's facts: pr and apply modes
	// PostHoc lists, in drift mode, the commits whose merged pull requests
	// review break-glass elevations (see BreakGlassCommits).
	PostHoc []string
	Teams   []policy.Team // see TeamsNeeded
	// Records: the plan removes elevations, so the audit records must say
	// whether each one's grant is recorded (Facts.Recorded).
	Records bool
	// Held and Files are what a check before the apply reads besides (see
	// CheckNeedsOf): what requested principals hold now, and the pull
	// request's changed files.
	Held  []Holding
	Files bool
	// Anchor: apply mode checks the repository's protection (trust.anchor).
	Anchor bool
}

// GitHub reports whether anything must be read at all.
func (n Needs) GitHub() bool {
	return n.PR || len(n.PostHoc) > 0 || n.Records || len(n.Held) > 0 || n.Anchor
}

// NeedsOf decides what judging p in o.Mode at now needs from the pull
// request and its reviews, as a record after the apply reads them.
func NeedsOf(p *plan.Plan, o Options, now time.Time) Needs {
	return Needs{PR: o.Mode != ModeDrift, PostHoc: BreakGlassCommits(p, o, now), Teams: TeamsNeeded(p, o), Records: len(removals(p)) > 0}
}

// CheckNeedsOf is NeedsOf for a check, before the apply: it also reads what
// each requested principal holds now (HeldNeeded) and the pull request's
// changed files (gate.trust); after the apply both would tell of the apply
// itself. Apply mode checks the repository's protection (trust.anchor)
// before it writes anything.
func CheckNeedsOf(p *plan.Plan, o Options, now time.Time) Needs {
	n := NeedsOf(p, o, now)
	n.Held, n.Files = HeldNeeded(p, o), n.PR
	n.Anchor = o.Mode == ModeApply
	return n
}

// TeamsNeeded lists the teams (sorted, once each) named by the approvers and
// requesters of every policy in the plan, before and after, and by the
// settings' governance approvers, so the caller fetches each membership once.
func TeamsNeeded(p *plan.Plan, o Options) []policy.Team {
	var entries []string
	for _, pc := range p.Policies {
		for _, pol := range []*policy.Policy{pc.Before, pc.After} {
			if pol != nil {
				entries = append(append(entries, pol.Approvers...), pol.Requesters...)
			}
		}
	}
	teams := policy.Teams(append(entries, o.Settings.GovernanceApprovers...))
	slices.SortFunc(teams, func(a, b policy.Team) int { return cmp.Compare(a.Key(), b.Key()) })
	return teams
}

// ErrorReport is the report for a run that could not evaluate, e.g. a plan
// that plan.Read refused. It never passes.
func ErrorReport(mode Mode, err error) Report {
	r := emptyReport(mode, "")
	r.Verdict = VerdictError
	r.Violations = append(r.Violations, Violation{Rule: RulePlanInvalid, Message: err.Error()})
	return r
}
