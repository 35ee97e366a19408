package audit

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/prfacts"
	"github.com/jitgate/terraform-provider-jit/internal/report"
)

const (
	token    = "gate-token"
	prHead   = "1111111111111111111111111111111111111111"
	mergeSHA = "2222222222222222222222222222222222222222"
	mainSHA  = "3333333333333333333333333333333333333333" // the default branch at a scheduled run
)

var applied = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// world is a fake GitHub where alice's pull request was approved by bob
// (and by mona, whom it elevates) and merged as mergeSHA, and a client for
// the gate's account, gatekeeper.
func world(t *testing.T) (*githubfake.Fake, *github.Client, int) {
	t.Helper()
	f := githubfake.New()
	t.Cleanup(f.Close)
	for _, u := range []string{"alice", "bob", "mona", "carol", "lead", "mallory", "gatekeeper"} {
		f.AddUser(u)
	}
	f.AddOrg("acme")
	f.AddRepo("acme", "infra")
	// The gate's account reads PRs, comments and opens the labelled audit
	// issue: on GitHub that takes push.
	f.SetCollaborator("acme", "infra", "gatekeeper", "push")
	f.AddToken(token, "gatekeeper")
	n := f.AddPullRequest("acme", "infra", githubfake.PullRequest{Author: "alice"})
	f.AddCommit("acme", "infra", n, prHead, "alice", "alice")
	f.AddReview("acme", "infra", n, "bob", "APPROVED", prHead)
	f.AddReview("acme", "infra", n, "mona", "APPROVED", prHead)
	f.MergePR("acme", "infra", n, mergeSHA)
	c, err := ghclient.New(ghclient.Config{Token: token, BaseURL: f.URL(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return f, c, n
}

var oncall = &policy.Policy{
	ID: "oncall", Name: "oncall", Scopes: []string{"github:team:acme/oncall"}, MaxDuration: 4 * time.Hour,
	RequiredApprovals: 1, Approvers: []string{"bob", "carol"}, Reason: policy.Reason{MinLength: 20}, GovernanceApprovals: 1,
	BreakGlass: policy.BreakGlass{Enabled: true, MaxDuration: time.Hour, ReviewWithin: time.Hour},
}

func res(name string) plan.Resource {
	return plan.Resource{Address: "jit_elevation." + name, Mode: "managed", Type: plan.TypeElevation, Name: name}
}

// applyPlan grants mona oncall for 2h, and revokes carol's expired grant.
func applyPlan() *plan.Plan {
	old := &policy.Elevation{ID: "elev-old", PolicyID: "oncall", Principal: "carol", Scope: "github:team:acme/oncall", Reason: "earlier incident, long gone",
		Duration: time.Hour, Status: "active", GrantedAt: "2026-02-28T09:00:00Z", ExpiresAt: "2026-02-28T10:00:00Z"}
	expired := *old
	expired.Status, expired.Unknown = "expired", []string{"history", "revoked_at"}
	return &plan.Plan{
		Policies: []plan.PolicyChange{{Resource: plan.Resource{Address: "jit_optout_policy.oncall", Type: plan.TypePolicy}, Action: plan.ActionNoOp, Before: oncall, After: oncall}},
		Elevations: []plan.ElevationChange{
			{Resource: res("mona"), Action: plan.ActionCreate, After: &policy.Elevation{PolicyID: "oncall", Principal: "mona", Scope: "github:team:acme/oncall",
				Reason: "pager storm on payments @lead", Ticket: "INC-4711", Duration: 2 * time.Hour,
				Unknown: []string{"expires_at", "granted_at", "granted_by_commit", "history", "id", "status"}}},
			{Resource: res("carol"), Action: plan.ActionUpdate, Changed: []string{"history", "revoked_at", "status"}, Before: old, After: &expired},
		},
	}
}

// stateAfter is the state the apply of applyPlan leaves.
func stateAfter() []Grant {
	return []Grant{
		{Address: "jit_elevation.carol", Elevation: policy.Elevation{ID: "elev-old", PolicyID: "oncall", Principal: "carol", Scope: "github:team:acme/oncall", Status: "expired",
			GrantedAt: "2026-02-28T09:00:00Z", ExpiresAt: "2026-02-28T10:00:00Z", RevokedAt: "2026-03-01T10:00:05Z"}},
		{Address: "jit_elevation.mona", Elevation: policy.Elevation{ID: "elev-new", PolicyID: "oncall", Principal: "mona", Scope: "github:team:acme/oncall", Status: "active",
			GrantedAt: "2026-03-01T10:00:03Z", ExpiresAt: "2026-03-01T12:00:03Z", GrantedByCommit: mergeSHA}},
	}
}

func run(p *plan.Plan, state []Grant, outcome string, mode gate.Mode, commit string) RecordRun {
	return RecordRun{Plan: p, State: state, Outcome: outcome, Mode: mode, Owner: "acme", Repo: "infra", Commit: commit,
		RunURL: "https://github.com/acme/infra/actions/runs/7", Now: applied.Add(time.Minute)}
}

func TestRecordOnMergedPR(t *testing.T) {
	f, c, n := world(t)
	ctx := context.Background()
	f.ResetCalls()
	got, err := Record(ctx, c, run(applyPlan(), stateAfter(), report.OutcomeSuccess, gate.ModeApply, mergeSHA))
	if err != nil {
		t.Fatal(err)
	}
	if got.Number != n || got.Issue || got.Comments != 1 {
		t.Fatalf("Recorded = %+v", got)
	}
	// commits/{sha}/pulls, the pull request, its reviews, its commits, its
	// branch's pushes, the comment.
	if calls := f.TotalCalls(); calls != 6 {
		t.Errorf("%d calls: %v", calls, f.AllCalls())
	}
	comments := f.Comments("acme", "infra", n)
	if len(comments) != 1 || comments[0].Author != "gatekeeper" {
		t.Fatalf("comments = %+v", comments)
	}
	body := comments[0].Body
	m, integrity, _ := report.CheckSeal(body)
	if m.Kind != report.KindRecord || m.Head != mergeSHA || integrity != report.Intact {
		t.Errorf("marker %+v, %s", m, integrity)
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

	// Without the state, times are the plan's.
	if _, err := Record(ctx, c, run(applyPlan(), nil, report.OutcomeSuccess, gate.ModeApply, mergeSHA)); err != nil {
		t.Fatal(err)
	}
	comments = f.Comments("acme", "infra", n)
	if len(comments) != 2 || !strings.Contains(comments[1].Body, "| jit\\_elevation\\.mona | none | mona | github:team:acme/oncall | at apply | at apply \\+ 2h |") ||
		!strings.Contains(comments[1].Body, "| 2026\\-02\\-28T09:00:00Z | at apply | expired |") {
		t.Errorf("plan-only record:\n%s", comments[len(comments)-1].Body)
	}
}

func TestRecordFailedApply(t *testing.T) {
	f, c, n := world(t)
	if _, err := Record(context.Background(), c, run(applyPlan(), stateAfter(), report.OutcomeFailure, gate.ModeApply, mergeSHA)); err != nil {
		t.Fatal(err)
	}
	body := f.Comments("acme", "infra", n)[0].Body
	if !strings.Contains(body, "**Outcome: failure.** The apply did not complete: nothing below may be taken as granted or revoked.") ||
		!strings.Contains(body, "#### Grants planned, not confirmed (1)") || strings.Contains(body, "elev\\-new") {
		t.Errorf("failure record:\n%s", body)
	}
	// The audit takes no approvers from it.
	grants := stateAfter()
	if err := Join(context.Background(), c, "acme", "infra", "gatekeeper", grants); err != nil {
		t.Fatal(err)
	}
	if g := grants[1]; g.PR != n || g.Record != RecordMissing || len(g.Approvers) != 0 {
		t.Errorf("joined = %+v", g)
	}
}

// A run without a pull request writes to the audit-log issue, one comment
// per run, and opens the issue the first time.
func TestRecordWithoutPR(t *testing.T) {
	f, c, _ := world(t)
	ctx := context.Background()
	revocation := applyPlan()
	revocation.Elevations = revocation.Elevations[1:]

	got, err := Record(ctx, c, run(revocation, stateAfter(), report.OutcomeSuccess, gate.ModeDrift, mainSHA))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Issue || got.Comments != 1 {
		t.Fatalf("Recorded = %+v", got)
	}
	issue := got.Number
	f.ResetCalls()
	if got, err = Record(ctx, c, run(revocation, stateAfter(), report.OutcomeSuccess, gate.ModeDrift, mainSHA)); err != nil || got.Number != issue {
		t.Fatalf("second run: %+v, %v", got, err)
	}
	// GET /user, the labelled issues, the comment.
	if calls := f.TotalCalls(); calls != 3 {
		t.Errorf("%d calls: %v", calls, f.AllCalls())
	}
	// Apply mode on a commit no pull request merged: the same issue.
	if got, err = Record(ctx, c, run(revocation, stateAfter(), report.OutcomeSuccess, gate.ModeApply, mainSHA)); err != nil || got.Number != issue {
		t.Fatalf("apply without pull request: %+v, %v", got, err)
	}
	// Nothing applied, nothing overdue: nothing to say.
	if got, err = Record(ctx, c, run(revocation, stateAfter(), report.OutcomeSkipped, gate.ModeDrift, mainSHA)); err != nil || got.Number != 0 {
		t.Fatalf("skipped run: %+v, %v", got, err)
	}

	var issues []githubfake.Issue
	for _, is := range f.Issues("acme", "infra") {
		if slices.Contains(is.Labels, prfacts.AuditLabel) {
			issues = append(issues, is)
		}
	}
	if len(issues) != 1 || issues[0].Number != issue || issues[0].Author != "gatekeeper" {
		t.Fatalf("audit-log issues = %+v", issues)
	}
	comments := f.Comments("acme", "infra", issue)
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
}

// In a drift run, a break-glass elevation whose review window has closed
// without a post-hoc approval is recorded on the audit-log issue, even when
// nothing was applied; an approval after the grant ends it.
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
	r := run(p, nil, report.OutcomeSkipped, gate.ModeDrift, mainSHA)
	r.Now = grantedAt.Add(2 * time.Hour)

	got, err := Record(ctx, c, r)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Issue || got.Comments != 1 || len(got.Record.Unreviewed) != 1 {
		t.Fatalf("Recorded = %+v", got)
	}
	body := f.Comments("acme", "infra", got.Number)[0].Body
	for _, want := range []string{
		"**Outcome: skipped.** Nothing was applied in this run.",
		"| jit\\_elevation\\.bg | " + report.Escape("mona's break-glass elevation to github:team:acme/oncall (granted "+bg.GrantedAt+") has no post-hoc approval on pull request #1 from policy \"oncall\" approvers"),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("follow-up record lacks %q:\n%s", want, body)
		}
	}

	f.AddReview("acme", "infra", n, "carol", "APPROVED", prHead)
	if got, err = Record(ctx, c, r); err != nil || got.Number != 0 {
		t.Errorf("after carol's post-hoc approval: %+v, %v; want nothing to record", got, err)
	}
}

func TestJoinAndVerify(t *testing.T) {
	f, c, n := world(t)
	ctx := context.Background()
	if _, err := Record(ctx, c, run(applyPlan(), stateAfter(), report.OutcomeSuccess, gate.ModeApply, mergeSHA)); err != nil {
		t.Fatal(err)
	}
	revocation := applyPlan()
	revocation.Elevations = revocation.Elevations[1:]
	drift, err := Record(ctx, c, run(revocation, stateAfter(), report.OutcomeSuccess, gate.ModeDrift, mainSHA))
	if err != nil {
		t.Fatal(err)
	}
	// A lookalike record by someone else, naming another approver.
	forged, _ := report.RecordBodies(report.Record{Outcome: report.OutcomeSuccess, Commit: mergeSHA, PR: n,
		Grants: []report.RecordGrant{{Address: "jit_elevation.mona", ApprovedBy: []string{"mallory"}}}})
	forgedID := f.AddComment("acme", "infra", n, "mallory", forged[0])

	grants := stateAfter()
	f.ResetCalls()
	if err := Join(ctx, c, "acme", "infra", "gatekeeper", grants); err != nil {
		t.Fatal(err)
	}
	if calls := f.TotalCalls(); calls != 2 {
		t.Errorf("%d calls for one commit: %v", calls, f.AllCalls())
	}
	if g := grants[0]; g.Record != RecordNoCommit || g.PR != 0 {
		t.Errorf("carol = %+v", g)
	}
	if g := grants[1]; g.PR != n || g.Record != RecordIntact || !slices.Equal(g.Approvers, []string{"bob"}) {
		t.Errorf("mona = %+v", g)
	}

	v, err := Verify(ctx, c, "acme", "infra", "gatekeeper", []int{n, drift.Number})
	if err != nil {
		t.Fatal(err)
	}
	if v.Comments != 3 || len(v.Findings) != 1 || v.Findings[0].Comment != forgedID || v.Findings[0].Problem != ProblemForeign {
		t.Errorf("before any edit: %+v", v)
	}

	// An admin edits the gate's record by hand to add an approver.
	record := f.Comments("acme", "infra", n)[0]
	f.EditCommentAsUser(record.ID, "lead", strings.Replace(record.Body, "| no | bob |", "| no | bob, lead |", 1))
	grants = stateAfter()
	if err := Join(ctx, c, "acme", "infra", "gatekeeper", grants); err != nil {
		t.Fatal(err)
	}
	if g := grants[1]; g.Record != RecordEdited || len(g.Approvers) != 0 {
		t.Errorf("after the edit, mona = %+v", g)
	}

	targets, err := VerifyTargets(ctx, c, "acme", "infra", "gatekeeper", append(stateAfter(), Grant{Elevation: policy.Elevation{GrantedByCommit: strings.ToUpper(mergeSHA)}}, Grant{Elevation: policy.Elevation{GrantedByCommit: mainSHA}}))
	if err != nil || !slices.Equal(targets, []int{drift.Number, n}) {
		t.Fatalf("VerifyTargets = %v, %v; want [%d %d]", targets, err, drift.Number, n)
	}
	v, err = Verify(ctx, c, "acme", "infra", "gatekeeper", targets)
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	for _, f := range v.Findings {
		problems = append(problems, f.Problem)
	}
	if !slices.Equal(problems, []string{ProblemEdited, ProblemForeign}) || v.Findings[0].Comment != record.ID || v.Findings[0].Author != "gatekeeper" {
		t.Errorf("findings = %+v", v.Findings)
	}
	md := v.Markdown()
	for _, want := range []string{"### ❌ jit-gate audit --verify: 2 comments fail verification", "Gate account: gatekeeper · Checked: #2, #1 · Gate comments: 3", "| edited after posting"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}

	// Seen by another account, every gate comment is foreign.
	if v, _ := Verify(ctx, c, "acme", "infra", "github-actions[bot]", []int{drift.Number}); len(v.Findings) != 1 || v.Findings[0].Problem != ProblemForeign {
		t.Errorf("as another gate account: %+v", v)
	}
}
