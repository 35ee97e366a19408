package audit

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/prfacts"
	"github.com/jitgate/terraform-provider-jit/internal/report"
	"github.com/jitgate/terraform-provider-jit/internal/seal"
)

// entries reads the record comment's JSON line.
func entries(t *testing.T, body string) Record {
	t.Helper()
	rec, err := parseLine(seal.Content(body))
	if err != nil {
		t.Fatalf("%v:\n%s", err, body)
	}
	return rec
}

func TestRecordOnMergedPR(t *testing.T) {
	f, c, n := world(t)
	ctx := context.Background()
	f.ResetCalls()
	got, err := Write(ctx, c, run(t, applyPlan(), stateAfter(), OutcomeSuccess, gate.ModeApply, mergeSHA))
	if err != nil {
		t.Fatal(err)
	}
	log := theLog(t, f)
	if got.Issue != log || got.PR != n || !slices.Equal(got.Seq, []int{1}) || got.Comments != 2 {
		t.Fatalf("Recorded = %+v", got)
	}
	// commits/{sha}/pulls, the pull request, its reviews, its commits, its
	// branch's pushes; attribution: the labelled issues, the gate's own
	// (none: the induction starts here), the merge commit's parent; the
	// labelled issues, opening the log, the record; the pull request's
	// comments, the copy.
	if calls := f.TotalCalls(); calls != 13 {
		t.Errorf("%d calls: %v", calls, f.AllCalls())
	}
	logged := f.Comments("acme", "infra", log)
	copied := f.Comments("acme", "infra", n)
	if len(logged) != 1 || logged[0].Author != "gatekeeper" || len(copied) != 1 || copied[0].Author != "gatekeeper" {
		t.Fatalf("log %+v, pull request %+v", logged, copied)
	}
	keys := keyring(t, sealKey, "")
	body := logged[0].Body
	m, st, _ := keys.Check(seal.Binding{Repo: "acme/infra", Number: log}, body)
	if m.Kind != seal.KindRecord || m.Head != mergeSHA || st != seal.Valid || m.Extra[seal.FieldSeq] != "1" || m.Extra[seal.FieldPrev] != noPrev {
		t.Errorf("marker %+v, %s", m, st)
	}
	cm, cst, _ := keys.Check(seal.Binding{Repo: "acme/infra", Number: n}, copied[0].Body)
	if cst != seal.Valid || cm.Extra[seal.FieldSeq] != "1" || seal.Content(copied[0].Body) != seal.Content(body) {
		t.Errorf("copy: %+v, %s", cm, cst)
	}
	for _, want := range []string{
		"Pull request: #1 · Run: [https://github\\.com/acme/infra/actions/runs/7](https://github.com/acme/infra/actions/runs/7)",
		// mona approved her own elevation: not counted.
		"| jit\\_elevation\\.mona | elev\\-new | mona | github:team:acme/oncall | 2026\\-03\\-01T10:00:03Z | 2026\\-03\\-01T12:00:03Z | pager storm on payments @\u200dlead | INC\\-4711 | no | bob |",
		"| jit\\_elevation\\.carol | carol | github:team:acme/oncall | 2026\\-02\\-28T09:00:00Z | 2026\\-03\\-01T10:00:05Z | expired |",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("record lacks %q:\n%s", want, body)
		}
	}
	// The JSON line is the ledger: per grant its content key, the pull
	// request it is attributed to and the gate's verdict; the commit.
	rec := entries(t, body)
	mona := applyPlan().Elevations[0].After
	if rec.Kind != KindApply || rec.Commit != mergeSHA || rec.PR != n || rec.Repo != "acme/infra" || len(rec.Grants) != 1 || len(rec.Revocations) != 1 {
		t.Fatalf("record = %+v", rec)
	}
	if g := rec.Grants[0]; g.ID != "elev-new" || g.ContentKey != policy.ContentKey(mona) || g.PR != n || g.Verdict != gate.VerdictPass ||
		!slices.Equal(g.ApprovedBy, []string{"bob"}) || g.Reason != mona.Reason || g.From != "2026-03-01T10:00:03Z" || g.Duration != "2h" {
		t.Errorf("grant = %+v", g)
	}
	if r := rec.Revocations[0]; r.ID != "elev-old" || r.At != "2026-03-01T10:00:05Z" || r.Why != gate.RevokeExpired || r.ExpiresAt != "2026-02-28T10:00:00Z" {
		t.Errorf("revocation = %+v", r)
	}

	// Without the state, times are the plan's; the record goes next in
	// the trail, chained to the first.
	f.ResetCalls()
	got, err = Write(ctx, c, run(t, applyPlan(), nil, OutcomeSuccess, gate.ModeApply, mergeSHA))
	if err != nil || !slices.Equal(got.Seq, []int{2}) {
		t.Fatalf("second record: %+v, %v", got, err)
	}
	// The pull request's 5; attribution: the labelled issues and the log
	// (this commit was judged: a rerun); the labelled issues, the log's
	// last page, the record; the pull request's comments, the copy.
	if calls := f.TotalCalls(); calls != 12 {
		t.Errorf("%d calls for a record once the log exists: %v", calls, f.AllCalls())
	}
	logged = f.Comments("acme", "infra", log)
	m2, _ := seal.Parse(logged[1].Body)
	if len(logged) != 2 || m2.Extra[seal.FieldPrev] != m.Extra[seal.FieldMAC] ||
		!strings.Contains(logged[1].Body, "| jit\\_elevation\\.mona | none | mona | github:team:acme/oncall | at apply | at apply \\+ 2h |") ||
		!strings.Contains(logged[1].Body, "| 2026\\-02\\-28T09:00:00Z | at apply | expired |") {
		t.Errorf("plan-only record:\n%s", logged[len(logged)-1].Body)
	}
}

func TestRecordFailedApply(t *testing.T) {
	f, c, _ := world(t)
	if _, err := Write(context.Background(), c, run(t, applyPlan(), stateAfter(), OutcomeFailure, gate.ModeApply, mergeSHA)); err != nil {
		t.Fatal(err)
	}
	body := f.Comments("acme", "infra", theLog(t, f))[0].Body
	if !strings.Contains(body, "**Outcome: failure.** The apply did not complete: nothing below may be taken as granted or revoked.") ||
		!strings.Contains(body, "#### Grants planned, not confirmed (1)") || strings.Contains(body, "elev\\-new") {
		t.Errorf("failure record:\n%s", body)
	}
	// The audit takes no grant from it.
	l, err := ReadLog(context.Background(), c, trail(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	grants := Join(stateAfter(), l)
	if g := grants[1]; g.Record != RecordMissing || len(g.Approvers) != 0 || len(l.Timeline()) != 0 {
		t.Errorf("joined = %+v, timeline %+v", g, l.Timeline())
	}
}

// A run without a pull request records in the log alone; a rerun of the
// same workflow run finds its record there and posts nothing.
func TestRecordWithoutPR(t *testing.T) {
	f, c, _ := world(t)
	ctx := context.Background()
	got, err := Write(ctx, c, run(t, revocationPlan(), stateAfter(), OutcomeSuccess, gate.ModeDrift, mainSHA))
	if err != nil {
		t.Fatal(err)
	}
	log := theLog(t, f)
	if got.Issue != log || got.PR != 0 || got.Comments != 1 {
		t.Fatalf("Recorded = %+v", got)
	}
	f.ResetCalls()
	again := run(t, revocationPlan(), stateAfter(), OutcomeSuccess, gate.ModeDrift, mainSHA)
	again.Now = again.Now.Add(time.Minute) // a rerun of the same run, later
	if got, err = Write(ctx, c, again); err != nil || got.Comments != 0 || !slices.Equal(got.Seq, []int{1}) {
		t.Fatalf("rerun: %+v, %v", got, err)
	}
	// The labelled issues, the last page of the log.
	if calls := f.TotalCalls(); calls != 2 {
		t.Errorf("%d calls: %v", calls, f.AllCalls())
	}
	next := again
	next.RunURL = "https://github.com/acme/infra/actions/runs/8"
	if got, err = Write(ctx, c, next); err != nil || got.Comments != 1 || !slices.Equal(got.Seq, []int{2}) {
		t.Fatalf("next run: %+v, %v", got, err)
	}
	// Apply mode on a commit no pull request merged: the log alone.
	if got, err = Write(ctx, c, run(t, revocationPlan(), stateAfter(), OutcomeSuccess, gate.ModeApply, mainSHA)); err != nil || got.PR != 0 || !slices.Equal(got.Seq, []int{3}) {
		t.Fatalf("apply without pull request: %+v, %v", got, err)
	}
	// Nothing applied, nothing overdue: nothing to say.
	if got, err = Write(ctx, c, run(t, revocationPlan(), stateAfter(), OutcomeSkipped, gate.ModeDrift, mainSHA)); err != nil || got.Issue != 0 {
		t.Fatalf("skipped run: %+v, %v", got, err)
	}
	comments := f.Comments("acme", "infra", log)
	if len(comments) != 3 {
		t.Fatalf("%d comments on the audit-log issue, want 3", len(comments))
	}
	for _, want := range []string{
		"Pull request: none (scheduled or manual run)",
		"#### Revocations (1)",
		"| jit\\_elevation\\.carol | carol | github:team:acme/oncall | 2026\\-02\\-28T09:00:00Z | 2026\\-03\\-01T10:00:05Z | expired |",
	} {
		if !strings.Contains(comments[0].Body, want) {
			t.Errorf("drift record lacks %q:\n%s", want, comments[0].Body)
		}
	}
	if !strings.Contains(comments[2].Body, "Pull request: none (commit "+mainSHA+" is not the merge of any pull request)") {
		t.Errorf("apply record without pull request:\n%s", comments[2].Body)
	}
	// Without a key nothing is recorded: an unsealed record would vouch for nothing.
	nokey := run(t, revocationPlan(), stateAfter(), OutcomeSuccess, gate.ModeDrift, mainSHA)
	nokey.Keys = keyring(t, "", sealKey)
	if _, err := Write(ctx, c, nokey); err != seal.ErrNoKey {
		t.Errorf("without a sealing key: %v", err)
	}
}

// A POST whose answer is lost may have landed: the record is looked for
// before posting again, so it is never there twice, even through a client
// that retries server errors.
func TestRecordIdempotentWhenAnswersAreLost(t *testing.T) {
	for _, landed := range []bool{true, false} {
		f, _, n := world(t)
		c, err := ghclient.New(ghclient.Config{Token: token, BaseURL: f.URL(), MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		// The first comment the gate posts fails with 502: after it took
		// effect (the answer was lost), or before.
		f.InjectFault(githubfake.Fault{Method: "POST", PathPrefix: "/repos/acme/infra/issues/", Status: 502, AfterApply: landed})
		got, err := Write(context.Background(), c, run(t, applyPlan(), stateAfter(), OutcomeSuccess, gate.ModeApply, mergeSHA))
		if err != nil {
			t.Fatalf("landed %v: %v", landed, err)
		}
		logged, copied := f.Comments("acme", "infra", got.Issue), f.Comments("acme", "infra", n)
		if len(logged) != 1 || len(copied) != 1 {
			t.Errorf("landed %v: %d records in the log, %d copies, want one each", landed, len(logged), len(copied))
		}
		posts := f.Calls("POST /repos/{owner}/{repo}/issues/{issue_number}/comments")
		if want := map[bool]int{true: 2, false: 3}[landed]; posts != want {
			t.Errorf("landed %v: %d comment POSTs, want %d", landed, posts, want)
		}
	}
}

// In a drift run, a break-glass elevation whose review window has closed
// without a post-hoc approval is recorded, even when nothing was applied;
// an approval after the grant ends it.
func TestRecordBreakGlassFollowUp(t *testing.T) {
	f, c, n := world(t)
	ctx := context.Background()
	// The grant came right after bob's up-front approval, on the fake's clock.
	facts, err := prfacts.Fetch(ctx, c, "acme", "infra", n, nil)
	if err != nil {
		t.Fatal(err)
	}
	grantedAt := facts.Reviews[0].SubmittedAt.Add(time.Second)
	bg := &policy.Elevation{ID: "elev-bg", PolicyID: "oncall", Principal: "mona", Scope: "github:team:acme/oncall", Reason: "payments down, no time to wait",
		Duration: time.Hour, BreakGlass: true, Status: "active", GrantedAt: grantedAt.Format(time.RFC3339), ExpiresAt: grantedAt.Add(time.Hour).Format(time.RFC3339),
		GrantedByCommit: mergeSHA}
	p := &plan.Plan{
		Policies:   applyPlan().Policies,
		Elevations: []plan.ElevationChange{{Resource: res("bg"), Action: plan.ActionNoOp, Before: bg, After: bg}},
	}
	r := run(t, p, nil, OutcomeSkipped, gate.ModeDrift, mainSHA)
	r.Now = grantedAt.Add(2 * time.Hour)

	got, err := Write(ctx, c, r)
	if err != nil {
		t.Fatal(err)
	}
	if got.Issue == 0 || got.Comments != 1 || len(got.Record.Unreviewed) != 1 {
		t.Fatalf("Recorded = %+v", got)
	}
	body := f.Comments("acme", "infra", got.Issue)[0].Body
	msg := "mona's break-glass elevation to github:team:acme/oncall (granted " + bg.GrantedAt + ") has 0 of 1 post-hoc approvals (required_approvals) on pull request #1 from policy \"oncall\" approvers"
	if !strings.Contains(body, "**Outcome: skipped.** Nothing was applied in this run.") || !strings.Contains(body, "| jit\\_elevation\\.bg | "+report.Escape(msg)) {
		t.Errorf("follow-up record:\n%s", body)
	}
	if rec := entries(t, body); len(rec.Unreviewed) != 1 || rec.Unreviewed[0].Address != "jit_elevation.bg" || !strings.HasPrefix(rec.Unreviewed[0].Message, msg) {
		t.Errorf("entries = %+v", rec.Unreviewed)
	}

	f.AddReview("acme", "infra", n, "carol", "APPROVED", prHead)
	if got, err = Write(ctx, c, r); err != nil || got.Issue != 0 {
		t.Errorf("after carol's post-hoc approval: %+v, %v; want nothing to record", got, err)
	}
}

// A policy change is recorded with what it loosened and who approved it.
func TestRecordPolicyChange(t *testing.T) {
	f, c, n := world(t)
	looser := *oncall
	looser.MaxDuration, looser.RequiredApprovals = 8*time.Hour, 1
	p := &plan.Plan{Policies: []plan.PolicyChange{{Resource: plan.Resource{Address: "jit_optout_policy.oncall", Type: plan.TypePolicy},
		Action: plan.ActionUpdate, Changed: []string{"max_duration"}, Before: oncall, After: &looser}}}
	got, err := Write(context.Background(), c, run(t, p, nil, OutcomeSuccess, gate.ModeApply, mergeSHA))
	if err != nil || got.PR != n {
		t.Fatalf("Recorded = %+v, %v", got, err)
	}
	body := f.Comments("acme", "infra", got.Issue)[0].Body
	rec := entries(t, body)
	if len(rec.Policies) != 1 || !slices.Equal(rec.Policies[0].Loosened, []string{"max_duration"}) || !slices.Equal(rec.Policies[0].ApprovedBy, []string{"bob"}) ||
		rec.Policies[0].Verdict != gate.VerdictPass {
		t.Errorf("policies = %+v", rec.Policies)
	}
	if !strings.Contains(body, "| jit\\_optout\\_policy\\.oncall | update | max\\_duration | 1 of 1 | bob |") {
		t.Errorf("record:\n%s", body)
	}
}

// The count of comments GitHub gave when listing the log is stale once the
// lost post lands: the next page is read too, so the record is found.
func TestRecordFoundOnAPageTheCountDidNotSay(t *testing.T) {
	f, c, _ := world(t)
	ctx := context.Background()
	if _, err := Write(ctx, c, run(t, revocationPlan(), stateAfter(), OutcomeSuccess, gate.ModeDrift, mainSHA)); err != nil {
		t.Fatal(err)
	}
	log := theLog(t, f)
	for range 99 {
		f.AddComment("acme", "infra", log, "bob", "+1")
	}
	f.InjectFault(githubfake.Fault{Method: "POST", PathPrefix: "/repos/acme/infra/issues/", Status: 502, AfterApply: true})
	next := run(t, revocationPlan(), stateAfter(), OutcomeSuccess, gate.ModeDrift, mainSHA)
	next.RunURL += "/next"
	got, err := Write(ctx, c, next)
	if err != nil || !slices.Equal(got.Seq, []int{2}) {
		t.Fatalf("Recorded = %+v, %v", got, err)
	}
	if n := len(f.Comments("acme", "infra", log)); n != 101 {
		t.Errorf("%d comments on the log, want 101: the record once", n)
	}
}
