package gate

import (
	"slices"
	"strings"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

// BreakGlassCommits lists the commits (lowercase, sorted, once each) whose
// merged pull request the break-glass follow-up reads in drift mode: those
// that granted a break-glass elevation whose review window has closed by
// now. Elevations applied together share a commit, so the caller's lookups
// grow with applies, not with elevations.
func BreakGlassCommits(p *plan.Plan, o Options, now time.Time) []string {
	commits := []string{}
	if o.Mode != ModeDrift {
		return commits
	}
	for _, d := range overdueBreakGlass(newView(p, Facts{Now: now}, o)) {
		if c := strings.ToLower(d.el.GrantedByCommit); c != "" && !slices.Contains(commits, c) {
			commits = append(commits, c)
		}
	}
	slices.Sort(commits)
	return commits
}

// overdue is a break-glass elevation in state whose post-hoc review window
// has closed.
type overdue struct {
	address   string
	el        *policy.Elevation
	pol       *policy.Policy // nil when policy_id resolves to no policy
	why       string         // why pol is nil
	grantedAt time.Time
	deadline  time.Time
}

// overdueBreakGlass lists the break-glass elevations of the state (the
// plan's before values) whose review_within has run out. The policy as it
// is in state decides; an elevation whose policy cannot be found, or whose
// policy sets no window, is overdue at once: any doubt resolves to review.
func overdueBreakGlass(v *view) []overdue {
	var out []overdue
	for i := range v.plan.Elevations {
		ec := &v.plan.Elevations[i]
		el := ec.Before
		if el == nil || !el.BreakGlass {
			continue
		}
		granted, err := time.Parse(time.RFC3339, el.GrantedAt)
		if err != nil {
			continue // never granted: nothing to review
		}
		d := overdue{address: ec.Address, el: el, grantedAt: granted, deadline: granted}
		if pc, why := v.policyFor(el.PolicyID); pc == nil {
			d.why = why
		} else {
			d.pol = pc.Before
			if d.pol == nil {
				d.pol = pc.After
			}
			d.deadline = granted.Add(d.pol.BreakGlass.ReviewWithin)
		}
		if !v.facts.Now.Before(d.deadline) {
			out = append(out, d)
		}
	}
	return out
}

// breakGlassUnreviewed checks, in drift mode, that every break-glass
// elevation whose review window has closed got its post-hoc approvals: the
// policy's required_approvals of APPROVED reviews, submitted after the
// grant on the pull request merged as its granted_by_commit, that the
// gate's counting accepts for the policy's approvers. Its grant is then
// revoked (jit-gate revoke --unreviewed). A late approval still ends the finding (the review happened;
// the audit shows when), so the drift check stays red only while none exists.
func breakGlassUnreviewed(v *view) []Violation {
	if v.opts.Mode != ModeDrift {
		return nil
	}
	var out []Violation
	for _, d := range overdueBreakGlass(v) {
		subject := d.el.Principal + "'s break-glass elevation to " + d.el.Scope + " (granted " + d.el.GrantedAt + ")"
		if d.pol == nil {
			out = append(out, violation(d.address, "%s: %s, so nobody can be counted as its reviewer", subject, d.why))
			continue
		}
		commit := strings.ToLower(d.el.GrantedByCommit)
		facts, fetched := v.facts.PostHoc[commit]
		switch {
		case commit == "":
			out = append(out, violation(d.address, "%s was applied outside a workflow run (no granted_by_commit): there is no pull request to review it on", subject))
			continue
		case !fetched:
			out = append(out, violation(d.address, "%s: the reviews of commit %s were not read (GITHUB_TOKEN and --repo are needed), so no post-hoc approval can be counted", subject, commit))
			continue
		case !facts.HasPR:
			out = append(out, violation(d.address, "%s: commit %s is not the merge of any pull request, so there is nowhere to review it", subject, commit))
			continue
		}
		// Only reviews given after the grant are post-hoc.
		reviews := slices.DeleteFunc(slices.Clone(facts.Reviews), func(r Review) bool { return !r.SubmittedAt.After(d.grantedAt) })
		// The post-hoc review is the review the grant skipped: the policy's
		// own required_approvals, whatever break_glass lowered them to.
		t := count(decisive(reviews), facts, d.pol.Approvers, d.el.Principal)
		need := max(d.pol.ApprovalsRequired(false), 1)
		if len(t.approvedBy) >= need {
			continue
		}
		msg := "%s has %d of %d post-hoc approvals (required_approvals) on pull request #%d from policy %q approvers; break_glass.review_within %s ended %s"
		args := []any{subject, len(t.approvedBy), need, facts.Number, d.pol.DisplayName(), policy.FormatDuration(d.pol.BreakGlass.ReviewWithin), d.deadline.UTC().Format(time.RFC3339)}
		if len(t.vetoedBy) > 0 {
			msg += "; changes requested by %s"
			args = append(args, strings.Join(t.vetoedBy, ", "))
		}
		out = append(out, violation(d.address, msg, args...))
	}
	return out
}
