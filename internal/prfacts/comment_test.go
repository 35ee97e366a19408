package prfacts

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
	"github.com/jitgate/terraform-provider-jit/internal/report"
)

func body(t *testing.T, headSHA, text string) string {
	t.Helper()
	m, err := report.Marker{Kind: report.KindCheck, Head: headSHA}.Format()
	if err != nil {
		t.Fatal(err)
	}
	return m + "\n" + text
}

func TestUpsertComment(t *testing.T) {
	f, c, n := world(t)
	ctx := context.Background()
	const head2 = "2222222222222222222222222222222222222222"
	// Enough chatter that the gate's comments land on a later page.
	for range 130 {
		f.AddComment("acme", "infra", n, "bob", "lgtm")
	}
	// Someone else forges the gate's marker for the current head.
	forged := f.AddComment("acme", "infra", n, "mallory", body(t, head, "**Verdict: pass**"))

	self, err := Self(ctx, c, "")
	if err != nil || self != "gatekeeper" {
		t.Fatalf("Self = %q, %v", self, err)
	}
	if err := UpsertComment(ctx, c, "acme", "infra", n, self, body(t, head, "first run")); err != nil {
		t.Fatal(err)
	}
	if err := UpsertComment(ctx, c, "acme", "infra", n, self, body(t, head, "rerun, same head")); err != nil {
		t.Fatal(err)
	}
	if err := UpsertComment(ctx, c, "acme", "infra", n, self, body(t, head2, "new head")); err != nil {
		t.Fatal(err)
	}
	apply, _ := report.Marker{Kind: report.KindApply, Head: head2}.Format()
	if err := UpsertComment(ctx, c, "acme", "infra", n, self, apply+"\napplied"); err != nil {
		t.Fatal(err)
	}

	var mine []githubfake.Comment
	for _, cm := range f.Comments("acme", "infra", n) {
		switch {
		case cm.ID == forged:
			if cm.Body != body(t, head, "**Verdict: pass**") || cm.LastEditedBy != "" {
				t.Errorf("forged comment was touched: %+v", cm)
			}
		case cm.Author == "gatekeeper":
			mine = append(mine, cm)
		}
	}
	if len(mine) != 3 {
		t.Fatalf("gate comments = %+v, want 3 (one per head and kind)", mine)
	}
	for i, want := range []string{"rerun, same head", "new head", "applied"} {
		if !strings.HasSuffix(mine[i].Body, "\n"+want) {
			t.Errorf("gate comment %d = %q, want it to end with %q", i, mine[i].Body, want)
		}
	}
	if got := f.Calls("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}"); got != 1 {
		t.Errorf("%d PATCH calls, want 1", got)
	}
	if got := f.Calls("POST /repos/{owner}/{repo}/issues/{issue_number}/comments"); got != 3 {
		t.Errorf("%d POST calls, want 3", got)
	}
	if got := f.Calls("DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}"); got != 0 {
		t.Errorf("%d DELETE calls, want none", got)
	}
	if got := f.Calls("GET /repos/{owner}/{repo}/issues/{issue_number}/comments"); got != 4*2 {
		t.Errorf("%d list calls, want 2 pages for each of 4 upserts", got)
	}
}

// TestUpsertIgnoresLookalikes: a marker that is not on the first line, or a
// comment by the gate's account without a marker, is not the gate's report.
func TestUpsertIgnoresLookalikes(t *testing.T) {
	f, c, n := world(t)
	ctx := context.Background()
	quoted := f.AddComment("acme", "infra", n, "gatekeeper", "> quoting\n"+body(t, head, "old"))
	if err := UpsertComment(ctx, c, "acme", "infra", n, "gatekeeper", body(t, head, "report")); err != nil {
		t.Fatal(err)
	}
	comments := f.Comments("acme", "infra", n)
	if len(comments) != 2 || comments[0].ID != quoted || comments[0].LastEditedBy != "" {
		t.Errorf("comments = %+v", comments)
	}
	if err := UpsertComment(ctx, c, "acme", "infra", n, "gatekeeper", "no marker"); err == nil {
		t.Error("UpsertComment accepted a body without marker")
	}
}

func TestSelfInstallationToken(t *testing.T) {
	f, c, _ := world(t)
	ctx := context.Background()
	// An installation token may not read /user: GitHub answers 403.
	f.InjectFault(githubfake.Fault{Method: "GET", PathPrefix: "/user", Status: http.StatusForbidden, Times: -1})
	if got, err := Self(ctx, c, ActionsBot); err != nil || got != ActionsBot {
		t.Errorf("Self = %q, %v; want %q", got, err, ActionsBot)
	}
	if _, err := Self(ctx, c, ""); err == nil {
		t.Error("Self guessed an identity outside Actions")
	}
	f.ClearFaults()
	f.InjectFault(githubfake.Fault{Method: "GET", PathPrefix: "/user", Status: http.StatusBadGateway, Times: -1})
	if _, err := Self(ctx, c, ActionsBot); err == nil {
		t.Error("Self guessed an identity after a server error")
	}
}
