package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/prfacts"
	"github.com/jitgate/terraform-provider-jit/internal/report"
	"github.com/jitgate/terraform-provider-jit/internal/sweep"
)

// RecordRun is one run of `jit-gate record`, after an apply.
type RecordRun struct {
	Plan    *plan.Plan
	State   []Grant // the state after the apply, for exact times; nil: the plan's only
	Outcome string  // report.Outcome*
	// Mode apply records on the pull request merged as Commit (on the
	// audit-log issue if there is none); drift records on the audit-log
	// issue, with the break-glass follow-up.
	Mode         gate.Mode
	Owner, Repo  string
	Commit       string // GITHUB_SHA
	RunURL       string
	Installation string // the login to use when the token cannot name itself (prfacts.Self)
	Now          time.Time
	Swept        []sweep.Outcome // what jit-gate sweep did in this run, if it ran
}

// Recorded is where a run's entries went.
type Recorded struct {
	Record   report.Record
	Number   int  // the pull request or audit-log issue; 0 when there was nothing to record
	Issue    bool // Number is the audit-log issue
	Comments int
}

// Record writes the audit entries of one apply: one comment (more only when
// it would not fit) on the merged pull request, or on the audit-log issue for
// runs without one. Approvers are the gate's own count on that pull request,
// from gate.Evaluate. A run with nothing to record posts nothing.
//
// API calls: apply mode, 1 to find the pull request, 4 to read it (+1 per
// team approver), 1 per comment; drift mode, the break-glass follow-up's
// (see prfacts.PostHoc, none without overdue reviews), then 2 to find the
// audit-log issue (+1 to open it the first time) and 1 per comment.
func Record(ctx context.Context, client *github.Client, run RecordRun) (Recorded, error) {
	opts := gate.Options{Mode: run.Mode}
	rec := report.Record{Outcome: run.Outcome, Commit: run.Commit, RunURL: run.RunURL, RecordedAt: run.Now}
	src := prfacts.Source{Owner: run.Owner, Repo: run.Repo, Now: run.Now}
	switch run.Mode {
	case gate.ModeApply:
		src.MergeCommit = run.Commit
	case gate.ModeDrift:
		rec.NoPR = "scheduled or manual run"
	default:
		return Recorded{}, fmt.Errorf("record: mode %q: want apply or drift", run.Mode)
	}
	facts, err := prfacts.Gather(ctx, client, src, gate.NeedsOf(run.Plan, opts, run.Now))
	switch {
	case errors.Is(err, prfacts.ErrNoMergedPR):
		// Nothing approved it; what it did is recorded all the same.
		rec.NoPR = "commit " + run.Commit + " is not the merge of any pull request"
	case err != nil:
		return Recorded{}, err
	}
	rec.PR = facts.Number
	fill(&rec, run.Plan, gate.Evaluate(run.Plan, facts, opts), run.State)
	rec.Swept = run.Swept

	out := Recorded{Record: rec, Number: rec.PR}
	if rec.Empty() {
		return Recorded{Record: rec}, nil
	}
	bodies, err := report.RecordBodies(rec)
	if err != nil {
		return out, err
	}
	if out.Number == 0 {
		self, err := prfacts.Self(ctx, client, run.Installation)
		if err != nil {
			return out, err
		}
		if out.Number, err = prfacts.EnsureAuditIssue(ctx, client, run.Owner, run.Repo, self); err != nil {
			return out, err
		}
		out.Issue = true
	}
	for _, body := range bodies {
		if err := prfacts.AddComment(ctx, client, run.Owner, run.Repo, out.Number, body); err != nil {
			return out, err
		}
		out.Comments++
	}
	return out, nil
}

// fill adds to rec the grants and revocations of the plan, as the gate
// reported them, the shadow access it found and the break-glass reviews it
// found overdue. Times come
// from the state after a successful apply where the state holds the object
// the apply created or revoked; otherwise they are report.AtApply.
func fill(rec *report.Record, p *plan.Plan, r gate.Report, state []Grant) {
	changes := map[string]*plan.ElevationChange{}
	for i := range p.Elevations {
		changes[p.Elevations[i].Address] = &p.Elevations[i]
	}
	applied := map[string]Grant{}
	if rec.Outcome == report.OutcomeSuccess {
		for _, g := range state {
			applied[g.Address] = g
		}
	}
	for _, e := range r.Elevations {
		ec := changes[e.Address]
		g := report.RecordGrant{
			Address: e.Address, Principal: e.Principal, Scope: e.Scope, BreakGlass: e.BreakGlass, ApprovedBy: e.ApprovedBy,
			From: report.AtApply, To: report.AtApply + " + " + e.Duration,
		}
		if ec.After != nil {
			g.Reason, g.Ticket = ec.After.Reason, ec.After.Ticket
		}
		// The state's object is this grant when it is not the one the plan
		// replaces (an apply that failed halfway leaves the old one).
		if s, ok := applied[e.Address]; ok && s.ID != "" && (ec.Before == nil || s.ID != ec.Before.ID) {
			g.ID, g.From, g.To = s.ID, s.GrantedAt, s.ExpiresAt
		}
		rec.Grants = append(rec.Grants, g)
	}
	for _, v := range r.Revocations {
		rv := report.RecordRevocation{Address: v.Address, Principal: v.Principal, Scope: v.Scope, Why: v.Why, At: report.AtApply}
		ec := changes[v.Address]
		if ec.Before != nil {
			rv.From = ec.Before.GrantedAt
			if s, ok := applied[v.Address]; ok && s.ID == ec.Before.ID && s.RevokedAt != "" {
				rv.At = s.RevokedAt
			}
		}
		rec.Revocations = append(rec.Revocations, rv)
	}
	rec.Shadow = r.Shadow
	for _, v := range r.Violations {
		if v.Rule == gate.RuleBreakGlassUnreviewed {
			rec.Unreviewed = append(rec.Unreviewed, v)
		}
	}
}
