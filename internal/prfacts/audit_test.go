package prfacts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

func TestAuditIssue(t *testing.T) {
	f, c, _ := world(t)
	ctx := context.Background()
	// Lookalikes: someone else's labelled issue, the gate's unlabelled one.
	f.AddIssue("acme", "infra", githubfake.Issue{Title: "jit-gate audit log", Author: "mallory", Labels: []string{AuditLabel}})
	f.AddIssue("acme", "infra", githubfake.Issue{Title: "unrelated", Author: "gatekeeper", Labels: []string{"bug"}})

	if got, err := FindAuditIssue(ctx, c, "acme", "infra", "gatekeeper"); err != nil || got != 0 {
		t.Fatalf("FindAuditIssue before any = %d, %v", got, err)
	}
	first, err := EnsureAuditIssue(ctx, c, "acme", "infra", "gatekeeper")
	if err != nil {
		t.Fatal(err)
	}
	again, err := EnsureAuditIssue(ctx, c, "acme", "infra", "GateKeeper")
	if err != nil || again != first {
		t.Fatalf("second EnsureAuditIssue = %d, %v; want %d", again, err, first)
	}
	var mine []githubfake.Issue
	for _, is := range f.Issues("acme", "infra") {
		if is.Author == "gatekeeper" && slices.Contains(is.Labels, AuditLabel) {
			mine = append(mine, is)
		}
	}
	if len(mine) != 1 || mine[0].Number != first || mine[0].Title != auditTitle {
		t.Errorf("audit-log issues = %+v, want one, #%d", mine, first)
	}

	if err := AddComment(ctx, c, "acme", "infra", first, body(t, head, "entry")); err != nil {
		t.Fatal(err)
	}
	f.AddComment("acme", "infra", first, "bob", "not a gate comment")
	forged := f.AddComment("acme", "infra", first, "mallory", body(t, head, "forged"))
	got, err := GateComments(ctx, c, "acme", "infra", first)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Author != "gatekeeper" || got[1].ID != forged || got[1].Author != "mallory" || got[1].URL == "" {
		t.Errorf("GateComments = %+v", got)
	}
}

// PostHoc reads each commit's merged pull request once and the teams once,
// whatever the number of commits.
func TestPostHoc(t *testing.T) {
	f, c, n := world(t)
	ctx := context.Background()
	f.AddCommit("acme", "infra", n, head, "alice", "alice")
	f.AddReview("acme", "infra", n, "Carol", "APPROVED", head)
	const merge = "2222222222222222222222222222222222222222"
	f.MergePR("acme", "infra", n, merge)
	const direct = "3333333333333333333333333333333333333333" // pushed without a pull request

	f.ResetCalls()
	got, err := PostHoc(ctx, c, "acme", "infra", []string{merge, direct}, []policy.Team{{Org: "acme", Slug: "admins"}, {Org: "acme", Slug: "sre"}})
	if err != nil {
		t.Fatal(err)
	}
	facts := got[merge]
	if !facts.HasPR || facts.Number != n || facts.Author != "alice" || len(facts.Reviews) != 1 || !slices.Equal(facts.TeamMembers["acme/admins"], []string{"carol"}) {
		t.Errorf("facts of %s = %+v", merge, facts)
	}
	if f, ok := got[direct]; !ok || f.HasPR {
		t.Errorf("facts of %s = %+v, %v; want present without a pull request", direct, f, ok)
	}
	// 2 teams, then per commit: commits/{sha}/pulls, and for the merged one
	// the pull request, its reviews, its commits and its branch's pushes.
	if calls := f.TotalCalls(); calls != 2+2+4 {
		t.Errorf("%d calls: %v", calls, f.AllCalls())
	}

	f.ResetCalls()
	if got, err := PostHoc(ctx, c, "acme", "infra", nil, []policy.Team{{Org: "acme", Slug: "admins"}}); err != nil || len(got) != 0 || f.TotalCalls() != 0 {
		t.Errorf("PostHoc of no commits = %v, %v after %d calls", got, err, f.TotalCalls())
	}
	f.InjectFault(githubfake.Fault{Method: "GET", PathPrefix: "/repos/acme/infra/commits/", Status: 404, Times: -1})
	if _, err := PostHoc(ctx, c, "acme", "infra", []string{merge}, nil); err == nil || errors.Is(err, ErrNoMergedPR) {
		t.Errorf("PostHoc through a failing API = %v, want an error", err)
	}
}

func TestFindMergedPRSentinel(t *testing.T) {
	_, c, _ := world(t)
	_, err := FindMergedPR(context.Background(), c, "acme", "infra", fmt.Sprintf("%040d", 4))
	if !errors.Is(err, ErrNoMergedPR) || err.Error() != "commit 0000000000000000000000000000000000000004 in acme/infra is not the merge of any pull request: nothing approved it" {
		t.Errorf("err = %v", err)
	}
}
