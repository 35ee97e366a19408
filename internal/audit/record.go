package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/prfacts"
	"github.com/jitgate/terraform-provider-jit/internal/report"
	"github.com/jitgate/terraform-provider-jit/internal/seal"
	"github.com/jitgate/terraform-provider-jit/internal/settings"
	"github.com/jitgate/terraform-provider-jit/internal/sweep"
)

// Trail is where records go and who may write them: the repository, the
// gate's account and the seal keys.
type Trail struct {
	Owner, Repo string
	Identity    Identity
	Keys        *seal.Keyring
	// IssueLimit is how many comments an audit-log issue may take before
	// the log goes on in a new one; 0 is GitHub's limit (DefaultIssueLimit).
	IssueLimit int
}

func (t Trail) repo() string { return t.Owner + "/" + t.Repo }

// RecordRun is one run of `jit-gate record`, after an apply.
type RecordRun struct {
	Trail
	Plan    *plan.Plan
	State   []Grant // the state after the apply, for exact times; nil: the plan's only
	Outcome string  // Outcome*
	// Mode apply records the pull request merged as Commit (none when no
	// pull request's merge made it); drift records a scheduled or manual
	// run, with the break-glass follow-up.
	Mode   gate.Mode
	Commit string // GITHUB_SHA
	RunURL string
	Now    time.Time
	Swept  []sweep.Outcome // what jit-gate sweep did in this run, if it ran
	// Settings are the trusted settings the pull request is judged by
	// (TrustedSettings); the zero value is settings.Default.
	Settings settings.Settings
	// Clock waits while GitHub associates a merge commit with its pull
	// request; nil is the system clock.
	Clock clock.Clock
}

// Recorded is where a run's record went.
type Recorded struct {
	Record   Record
	Issue    int   // the audit-log issue of its (last) part; 0 when there was nothing to record
	Seq      []int // its positions in the trail, one per part
	PR       int   // the first pull request it was copied to; 0 when none
	PRs      []int // every pull request it was copied to (copyTargets)
	Comments int   // comments posted (parts already there from an earlier attempt are not posted again)
}

// Write writes the audit record of one apply to the audit log, and copies
// it to the merged pull request. Approvers are the gate's own count on that
// pull request, from gate.Evaluate. A run with nothing to record posts
// nothing. Posting is idempotent: a record already in the log (a retry, a
// rerun of the same workflow run) is not posted again.
//
// API calls: apply mode, 1 to find the pull request and 4 to read it (+1
// per team approver); drift mode, the break-glass follow-up's (see
// prfacts.PostHoc); then GET /user unless the gate's login is configured,
// 1 to list the audit-log issues and 1 or 2 per issue to find the end of
// the log, 1 per part, and on a pull request 1 (per 100 comments) to look
// for copies and 1 per part.
func Write(ctx context.Context, client *github.Client, run RecordRun) (Recorded, error) {
	rec := Record{Kind: KindApply, Repo: run.repo(), Outcome: run.Outcome, Commit: run.Commit, RunURL: run.RunURL, RecordedAt: run.Now}
	opts := gate.Options{Mode: run.Mode, Settings: run.Settings, AfterApply: true}
	src := prfacts.Source{Owner: run.Owner, Repo: run.Repo, Now: run.Now, Clock: run.Clock}
	switch run.Mode {
	case gate.ModeApply:
		src.MergeCommit = run.Commit
	case gate.ModeDrift:
		rec.Kind, rec.NoPR = KindDrift, "scheduled or manual run"
	default:
		return Recorded{}, fmt.Errorf("record: mode %q: want apply or drift", run.Mode)
	}
	if !run.Keys.CanSeal() {
		return Recorded{}, seal.ErrNoKey
	}
	facts, err := prfacts.Gather(ctx, client, src, gate.NeedsOf(run.Plan, opts, run.Now))
	switch {
	case errors.Is(err, prfacts.ErrNoMergedPR):
		// Nothing approved it; what it did is recorded all the same.
		rec.NoPR = "commit " + run.Commit + " is not the merge of any pull request"
	case err != nil:
		return Recorded{}, err
	}
	if run.Mode == gate.ModeApply {
		// Each request is recorded with the pull request that introduced
		// it, which the next apply's attribution starts from.
		if err := BindFacts(ctx, client, BindRun{Trail: run.Trail, Commit: run.Commit, PR: facts.Number, Clock: run.Clock}, run.Plan, &facts); err != nil {
			return Recorded{}, err
		}
	}
	rec.PR = facts.Number
	fill(&rec, run.Plan, gate.Evaluate(run.Plan, facts, opts), run.State)
	rec.Swept = run.Swept
	return writeRecord(ctx, client, run.Trail, rec, run.Now)
}

// writeRecord writes rec to the log (and its copy to rec.PR): see Write.
func writeRecord(ctx context.Context, client *github.Client, t Trail, rec Record, now time.Time) (Recorded, error) {
	rec.normalize()
	out := Recorded{Record: rec}
	if rec.Empty() && !rec.judges() {
		return out, nil
	}
	if !t.Keys.CanSeal() {
		return out, seal.ErrNoKey
	}
	parts, err := split(rec, report.MaxCommentBytes-markerRoom)
	if err != nil {
		return out, err
	}
	self, err := GateLogin(ctx, client, t.Identity)
	if err != nil {
		return out, err
	}
	w, err := openLedger(ctx, client, t.Owner, t.Repo, self, t.Keys, t.IssueLimit, now)
	if err != nil {
		return out, err
	}
	rid := rec.id()
	marker := seal.Marker{Kind: seal.KindRecord, Head: orNone(rec.Commit), Extra: map[string]string{"outcome": rec.Outcome}}
	var posted []entry
	for i, p := range parts {
		partNo := ""
		if len(parts) > 1 {
			partNo = strconv.Itoa(i+1) + "/" + strconv.Itoa(len(parts))
		}
		before := len(w.tail)
		e, err := w.appendPart(ctx, rid, partNo, marker, p.content, len(parts)-1-i)
		if err != nil {
			return out, err
		}
		if len(w.tail) > before && w.tail[len(w.tail)-1].ID == e.ID {
			out.Comments++
		}
		posted = append(posted, e)
		out.Issue = e.Number
		out.Seq = append(out.Seq, e.seq)
	}
	for _, pr := range rec.copyTargets() {
		n, err := w.copyTo(ctx, pr, posted)
		out.Comments += n
		if err != nil {
			return out, fmt.Errorf("copying record %d to pull request #%d: %w", out.Seq[0], pr, err)
		}
		out.PRs = append(out.PRs, pr)
	}
	if len(out.PRs) > 0 {
		out.PR = out.PRs[0]
	}
	return out, nil
}

// copyTargets are the pull requests a record is copied to, where reviewers
// look: the one merged as its commit, unless the record only says the
// commit was judged, and every one a grant is attributed to, which
// introduced it.
func (rec Record) copyTargets() []int {
	var out []int
	if rec.PR > 0 && !rec.Empty() {
		out = append(out, rec.PR)
	}
	for _, g := range rec.Grants {
		if rec.Kind == KindApply && g.PR > 0 && !slices.Contains(out, g.PR) {
			out = append(out, g.PR)
		}
	}
	return out
}

// fill adds to rec the grants and revocations of the plan, as the gate
// reported them, the policy changes it governed, the shadow access it
// found and the break-glass reviews it found overdue. Times come from the
// state after a successful apply where the state holds the object the
// apply created or revoked; otherwise they are AtApply.
func fill(rec *Record, p *plan.Plan, r gate.Report, state []Grant) {
	changes := map[string]*plan.ElevationChange{}
	for i := range p.Elevations {
		changes[p.Elevations[i].Address] = &p.Elevations[i]
	}
	applied := map[string]Grant{}
	if rec.Outcome == OutcomeSuccess {
		for _, g := range state {
			applied[g.Address] = g
		}
	}
	blocked := map[string]bool{}
	for _, v := range r.Violations {
		blocked[v.Address] = true
	}
	verdict := func(address string) string {
		if blocked[address] || r.Verdict == gate.VerdictError {
			return gate.VerdictBlocked
		}
		return gate.VerdictPass
	}
	for _, e := range r.Elevations {
		ec := changes[e.Address]
		g := RecordGrant{
			Address: e.Address, Policy: e.Policy, Principal: e.Principal, Scope: e.Scope, Duration: e.Duration, BreakGlass: e.BreakGlass,
			ApprovedBy: e.ApprovedBy, From: AtApply, To: AtApply + " + " + e.Duration, PR: e.PR, Verdict: verdict(e.Address),
		}
		if ec.After != nil {
			g.Reason, g.Ticket, g.ContentKey = ec.After.Reason, ec.After.Ticket, policy.ContentKey(ec.After)
		}
		// The state's object is this grant when it is not the one the plan
		// replaces (an apply that failed halfway leaves the old one).
		if s, ok := applied[e.Address]; ok && s.ID != "" && (ec.Before == nil || s.ID != ec.Before.ID) {
			g.ID, g.From, g.To = s.ID, s.GrantedAt, s.ExpiresAt
		}
		rec.Grants = append(rec.Grants, g)
	}
	for _, v := range r.Revocations {
		rv := RecordRevocation{Address: v.Address, Principal: v.Principal, Scope: v.Scope, Why: v.Why, At: AtApply}
		if ec := changes[v.Address]; ec.Before != nil {
			rv.ID, rv.From, rv.ExpiresAt = ec.Before.ID, ec.Before.GrantedAt, ec.Before.ExpiresAt
			if s, ok := applied[v.Address]; ok && s.ID == ec.Before.ID && s.RevokedAt != "" {
				rv.At = s.RevokedAt
			}
		}
		rec.Revocations = append(rec.Revocations, rv)
	}
	for _, pc := range r.Policies {
		rec.Policies = append(rec.Policies, RecordPolicy{
			Address: pc.Address, Action: pc.Action, Loosened: pc.Loosened, ApprovalsRequired: pc.ApprovalsRequired,
			ApprovedBy: pc.ApprovedBy, Verdict: verdict(pc.Address),
		})
	}
	rec.Shadow = r.Shadow
	for _, v := range r.Violations {
		if v.Rule == gate.RuleBreakGlassUnreviewed {
			rec.Unreviewed = append(rec.Unreviewed, RecordFinding{Address: v.Address, Message: v.Message})
		}
	}
}

// Revoked is one revocation jit-gate revoke made, for RecordRevocations.
type Revoked struct {
	Address, ID, Principal, Scope string
	Why                           string // gate.Revoke*
	GrantedAt, ExpiresAt, At      string // RFC 3339 UTC
}

// RecordRevocations records what jit-gate revoke took away, without a plan,
// as one record of the audit log (commit is GITHUB_SHA, "" when none). A
// run that revoked nothing posts nothing.
func RecordRevocations(ctx context.Context, client *github.Client, t Trail, commit, runURL string, now time.Time, revoked []Revoked) (Recorded, error) {
	rec := Record{Kind: KindRevoke, Repo: t.repo(), Outcome: OutcomeSuccess, Commit: commit, RunURL: runURL, RecordedAt: now}
	for _, r := range revoked {
		rec.Revocations = append(rec.Revocations, RecordRevocation{
			Address: r.Address, ID: r.ID, Principal: r.Principal, Scope: r.Scope, Why: r.Why, From: r.GrantedAt, ExpiresAt: r.ExpiresAt, At: r.At,
		})
	}
	return writeRecord(ctx, client, t, rec, now)
}
