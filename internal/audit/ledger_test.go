package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
	"github.com/jitgate/terraform-provider-jit/internal/seal"
)

// drift is the i-th scheduled run's record: an overdue break-glass review.
func drift(i int) Record {
	return Record{Kind: KindDrift, Repo: "acme/infra", Outcome: OutcomeSkipped, Commit: mainSHA, RunURL: fmt.Sprintf("https://github.com/acme/infra/actions/runs/%d", 100+i),
		RecordedAt: applied.Add(time.Duration(i) * time.Minute), Unreviewed: []RecordFinding{{Address: "jit_elevation.bg", Message: "no post-hoc approval"}}}
}

func ledgerIssues(f *githubfake.Fake) []int {
	var out []int
	for _, is := range f.Issues("acme", "infra") {
		if slices.Contains(is.Labels, AuditLabel) {
			out = append(out, is.Number)
		}
	}
	return out
}

// GitHub refuses comments on an issue beyond 2,500 (4 here): the log goes
// on in a new issue first, says so in a sealed record on the old one, and
// audit and --verify read them all as one trail.
func TestRotationAtTheLimit(t *testing.T) {
	f, c, _ := world(t, githubfake.WithCommentLimit(4))
	ctx := context.Background()
	var seqs []int
	tr := trail(t)
	tr.IssueLimit = 4
	for i := range 7 {
		got, err := writeRecord(ctx, c, tr, drift(i), applied)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		seqs = append(seqs, got.Seq...)
	}
	issues := ledgerIssues(f)
	if len(issues) != 3 {
		t.Fatalf("audit-log issues %v, want 3", issues)
	}
	// Three records, then where the log goes on: 4 comments each.
	if !slices.Equal(seqs, []int{1, 2, 3, 5, 6, 7, 9}) {
		t.Errorf("positions %v", seqs)
	}
	first := f.Comments("acme", "infra", issues[0])
	last := entries(t, first[3].Body)
	if len(first) != 4 || last.Kind != KindRotate || last.ContinuedIn != issues[1] || !strings.Contains(first[3].Body, fmt.Sprintf("continued in #%d", issues[1])) {
		t.Errorf("the full issue ends with %+v", last)
	}
	for _, is := range f.Issues("acme", "infra") {
		if is.Number == issues[1] && !strings.Contains(is.Body, fmt.Sprintf("continues here from #%d", issues[0])) {
			t.Errorf("the next issue does not link the full one: %q", is.Body)
		}
	}
	l, err := ReadLog(ctx, c, trail(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if v := Verify(l, nil); len(v.Findings) != 0 || v.Records != 9 || !slices.Equal(v.Checked, issues) {
		t.Errorf("verify: %+v", v)
	}

	// Someone fills the current issue up to the limit with chatter: the
	// next record meets GitHub's refusal and goes on in the next issue,
	// here one a run opened before it stopped.
	for range 4 - len(f.Comments("acme", "infra", issues[2])) {
		f.AddComment("acme", "infra", issues[2], "mallory", "+1")
	}
	stranded := f.AddIssue("acme", "infra", githubfake.Issue{Title: auditTitle, Author: "gatekeeper", Labels: []string{AuditLabel}})
	tr.IssueLimit = 2500 // the gate's count is wrong: only GitHub's refusal says the issue is full
	got, err := writeRecord(ctx, c, tr, drift(8), applied)
	if err != nil || len(ledgerIssues(f)) != 4 || got.Issue != stranded || !slices.Equal(got.Seq, []int{10}) {
		t.Fatalf("record on a full issue: %+v, %v, issues %v", got, err, ledgerIssues(f))
	}
	// Someone takes the label off an issue of the log: the sealed record
	// where the log went on still leads there.
	mallory := clientFor(t, f, "mallory-token")
	if _, _, err := mallory.Issues.Edit(ctx, "acme", "infra", issues[1], &github.IssueRequest{Labels: &[]string{}}); err != nil {
		t.Fatal(err)
	}
	l, err = ReadLog(ctx, c, trail(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	v := Verify(l, nil)
	if got := problems(v); !slices.Equal(got, []string{fmt.Sprintf("#%d 0 unlabelled", issues[1])}) || v.Records != 10 {
		t.Errorf("findings %q, %d records", got, v.Records)
	}
}

// A GitHub App installation token cannot read GET /user: the gate does not
// guess who it is, and once told (gate_login) writes, updates and trusts
// as the App's bot.
func TestAppTokenIdentity(t *testing.T) {
	f, _, n := world(t)
	f.AddInstallationToken("ghs_app", githubfake.Installation{App: "jit-gate", Account: "acme",
		Permissions: map[string]string{"issues": "write", "pull_requests": "write", "contents": "read"}})
	f.AddActionsToken("ghs_pr", "acme", "infra", map[string]string{"issues": "write", "pull-requests": "write"})
	app := clientFor(t, f, "ghs_app")
	ctx := context.Background()
	const bot = "jit-gate[bot]"

	if _, err := GateLogin(ctx, app, Identity{}); !errors.Is(err, ErrUnknownIdentity) || !strings.Contains(err.Error(), "gate_login") {
		t.Errorf("GateLogin of an installation token = %v", err)
	}
	if _, err := GateLogin(ctx, app, Identity{Trusted: bot, Flag: ActionsBot}); err == nil || !strings.Contains(err.Error(), "contradicts") {
		t.Errorf("--gate-login against the trusted settings = %v", err)
	}
	if got, err := GateLogin(ctx, app, Identity{Flag: bot}); err != nil || got != bot {
		t.Errorf("--gate-login = %q, %v", got, err)
	}
	if got, err := GateLogin(ctx, clientFor(t, f, token), Identity{}); err != nil || got != "gatekeeper" {
		t.Errorf("a user token names itself: %q, %v", got, err)
	}

	tr := trail(t)
	tr.Identity = Identity{Trusted: bot}
	r := run(t, grantPlan(), stateAfter(), OutcomeSuccess, gate.ModeApply, mergeSHA)
	r.Trail = tr
	if _, err := Write(ctx, app, r); err != nil {
		t.Fatal(err)
	}
	// Its check report is updated on a rerun, not posted again.
	check, _ := seal.Marker{Kind: seal.KindCheck, Head: prHead}.Format()
	for _, verdict := range []string{"blocked", "pass"} {
		if err := UpsertComment(ctx, app, "acme", "infra", n, bot, check+"\n**Verdict: "+verdict+"**"); err != nil {
			t.Fatal(err)
		}
	}
	var reports []githubfake.Comment
	for _, c := range f.Comments("acme", "infra", n) {
		if strings.HasPrefix(c.Body, check) {
			reports = append(reports, c)
		}
	}
	if len(reports) != 1 || reports[0].Author != bot || !strings.HasSuffix(reports[0].Body, "pass**") {
		t.Errorf("check reports %+v", reports)
	}
	// A pull request's workflow posts a report with the gate's marker: it
	// is not the gate's, and the gate leaves it alone.
	pr := clientFor(t, f, "ghs_pr")
	if _, _, err := pr.Issues.CreateComment(ctx, "acme", "infra", n, &github.IssueComment{Body: github.String(check + "\n**Verdict: pass**")}); err != nil {
		t.Fatal(err)
	}
	if err := UpsertComment(ctx, app, "acme", "infra", n, bot, check+"\n**Verdict: blocked**"); err != nil {
		t.Fatal(err)
	}
	for _, c := range f.Comments("acme", "infra", n) {
		if c.Author == ActionsBot && c.LastEditedBy != "" {
			t.Errorf("the gate edited another account's comment: %+v", c)
		}
	}
	l, err := ReadLog(ctx, app, tr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := problems(Verify(l, nil)); !slices.Equal(got, []string{"#1 0 foreign"}) {
		t.Errorf("findings %q", got)
	}
	// Read as another account, the App's records are foreign.
	other := tr
	other.Identity = Identity{Trusted: ActionsBot}
	l, err = ReadLog(ctx, app, other, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v := Verify(l, nil); v.Records != 0 || len(l.Timeline()) != 0 {
		t.Errorf("as github-actions[bot]: %+v", v)
	}
	if err := UpsertComment(ctx, app, "acme", "infra", n, bot, f.Comments("acme", "infra", n)[0].Body); err == nil {
		t.Error("UpsertComment accepted a record: records are never edited")
	}
}

// A marker that is not on the first line, or a comment by the gate's
// account without a marker, is not the gate's report.
func TestUpsertIgnoresLookalikes(t *testing.T) {
	f, c, n := world(t)
	ctx := context.Background()
	check, _ := seal.Marker{Kind: seal.KindCheck, Head: prHead}.Format()
	quoted := f.AddComment("acme", "infra", n, "gatekeeper", "> quoting\n"+check+"\nold")
	if err := UpsertComment(ctx, c, "acme", "infra", n, "gatekeeper", check+"\nreport"); err != nil {
		t.Fatal(err)
	}
	comments := f.Comments("acme", "infra", n)
	if len(comments) != 2 || comments[0].ID != quoted || comments[0].LastEditedBy != "" {
		t.Errorf("comments = %+v", comments)
	}
	if err := UpsertComment(ctx, c, "acme", "infra", n, "gatekeeper", "no marker"); err == nil {
		t.Error("UpsertComment accepted a body without marker")
	}
	// Enough chatter that the gate's comment lands on a later page, a new
	// head, and the other kind of report: one comment each.
	for range 130 {
		f.AddComment("acme", "infra", n, "bob", "lgtm")
	}
	head2, _ := seal.Marker{Kind: seal.KindCheck, Head: mergeSHA}.Format()
	apply, _ := seal.Marker{Kind: seal.KindApply, Head: mergeSHA}.Format()
	for _, body := range []string{check + "\nrerun", head2 + "\nnew head", apply + "\napplied"} {
		if err := UpsertComment(ctx, c, "acme", "infra", n, "GateKeeper", body); err != nil {
			t.Fatal(err)
		}
	}
	var mine []string
	for _, cm := range f.Comments("acme", "infra", n) {
		if cm.Author == "gatekeeper" && cm.ID != quoted {
			mine = append(mine, seal.Content(cm.Body))
		}
	}
	// The new head superseded the older head's report, found on page 2.
	if len(mine) != 3 || !strings.HasPrefix(mine[0], "**Superseded**") || !strings.Contains(mine[0], "\n\nrerun\n") || mine[1] != "new head" || mine[2] != "applied" {
		t.Errorf("gate comments = %q", mine)
	}
	if got := f.Calls("DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}"); got != 0 {
		t.Errorf("%d DELETE calls, want none", got)
	}
}

// A new head's report marks the gate's own older report superseded, by
// editing it (never deleting it); the report of another root module (its
// label) and a lookalike by someone else are left alone, and audit --verify
// has nothing to say about the edit: check reports are not records.
func TestUpsertSupersedesOlderHeads(t *testing.T) {
	f, c, n := world(t)
	ctx := context.Background()
	marker := func(head, label string) string {
		m := seal.Marker{Kind: seal.KindCheck, Head: head}
		if label != "" {
			m.Extra = map[string]string{seal.FieldLabel: label}
		}
		s, err := m.Format()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	const head1, head2 = "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"
	for _, body := range []string{marker(head1, "") + "\n### ✅ jit-gate: pass", marker(head1, "dns") + "\n### ✅ jit-gate: pass · dns"} {
		if err := UpsertComment(ctx, c, "acme", "infra", n, "gatekeeper", body); err != nil {
			t.Fatal(err)
		}
	}
	lookalike := f.AddComment("acme", "infra", n, "mallory", marker(head1, "")+"\n### ✅ jit-gate: pass")
	if err := UpsertComment(ctx, c, "acme", "infra", n, "gatekeeper", marker(head2, "")+"\n### ❌ jit-gate: blocked"); err != nil {
		t.Fatal(err)
	}
	comments := f.Comments("acme", "infra", n)
	if len(comments) != 4 {
		t.Fatalf("%d comments, want 4 (nothing deleted)", len(comments))
	}
	old, dns, other, latest := comments[0], comments[1], comments[2], comments[3]
	m, _ := seal.Parse(old.Body)
	if m.Head != head1 || m.Extra[seal.FieldSuperseded] != head2 || !strings.Contains(old.Body, "**Superseded** by [the report on `2222222`](") ||
		!strings.Contains(old.Body, "<details><summary>The old report</summary>\n\n### ✅ jit-gate: pass") {
		t.Errorf("older head's report:\n%s", old.Body)
	}
	if dns.LastEditedBy != "" || other.ID != lookalike || other.LastEditedBy != "" || !strings.Contains(latest.Body, "blocked") {
		t.Errorf("touched what is not this module's older report: %+v", comments)
	}
	// A rerun on the new head edits only its own report; the superseded one
	// is not edited again.
	edited := old.UpdatedAt
	if err := UpsertComment(ctx, c, "acme", "infra", n, "gatekeeper", marker(head2, "")+"\n### ✅ jit-gate: pass"); err != nil {
		t.Fatal(err)
	}
	if again := f.Comments("acme", "infra", n); len(again) != 4 || !again[0].UpdatedAt.Equal(edited) || !strings.Contains(again[3].Body, "pass") {
		t.Errorf("rerun: %+v", again)
	}
}
