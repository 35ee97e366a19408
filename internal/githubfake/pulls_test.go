package githubfake

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
)

func TestPullRequestReviewsAndCommits(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	n := f.AddPullRequest("acme", "api", PullRequest{Author: "alice", Title: "Add thing"})
	f.AddCommit("acme", "api", n, "sha1", "alice", "alice")
	r1 := f.AddReview("acme", "api", n, "admin", "APPROVED", "")
	f.AddCommit("acme", "api", n, "sha2", "", "dependabot[bot]")
	r2 := f.AddReview("acme", "api", n, "bob", "CHANGES_REQUESTED", "")
	f.DismissReview("acme", "api", n, r2)

	pr, _, err := c.PullRequests.Get(ctx, "acme", "api", n)
	if err != nil {
		t.Fatal(err)
	}
	if pr.GetNumber() != n || pr.GetState() != "open" || pr.GetMerged() || pr.GetUser().GetLogin() != "alice" || pr.GetHead().GetSHA() != "sha2" || pr.GetBase().GetRef() != "main" {
		t.Fatalf("pr = %+v", pr)
	}

	reviews, _, err := c.PullRequests.ListReviews(ctx, "acme", "api", n, nil)
	if err != nil || len(reviews) != 2 {
		t.Fatalf("reviews = %v, %v", reviews, err)
	}
	if reviews[0].GetID() != r1 || reviews[0].GetState() != "APPROVED" || reviews[0].GetCommitID() != "sha1" || reviews[0].GetUser().GetLogin() != "admin" {
		t.Errorf("first review = %+v", reviews[0])
	}
	if reviews[1].GetState() != "DISMISSED" || reviews[1].GetCommitID() != "sha2" {
		t.Errorf("second review = %+v", reviews[1])
	}
	if !reviews[1].GetSubmittedAt().After(reviews[0].GetSubmittedAt().Time) {
		t.Error("submitted_at must increase")
	}

	commits, _, err := c.PullRequests.ListCommits(ctx, "acme", "api", n, nil)
	if err != nil || len(commits) != 2 {
		t.Fatalf("commits = %v, %v", commits, err)
	}
	if commits[0].GetAuthor().GetLogin() != "alice" || commits[1].Author != nil || commits[1].GetCommitter().GetType() != "Bot" || commits[1].GetCommit().GetAuthor().GetName() == "" {
		t.Errorf("commits = %+v %+v", commits[0], commits[1])
	}

	_, _, err = c.PullRequests.Get(ctx, "acme", "api", 99)
	wantStatus(t, err, http.StatusNotFound)
}

func TestPullsForCommit(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	n := f.AddPullRequest("acme", "api", PullRequest{Author: "alice", HeadSHA: "head1"})
	other := f.AddPullRequest("acme", "api", PullRequest{Author: "bob"})
	f.AddCommit("acme", "api", other, "c1", "bob", "bob")
	f.MergePR("acme", "api", n, "merge1")

	prs, _, err := c.PullRequests.ListPullRequestsWithCommit(ctx, "acme", "api", "merge1", nil)
	if err != nil || len(prs) != 1 || prs[0].GetNumber() != n || prs[0].GetMergeCommitSHA() != "merge1" || prs[0].GetState() != "closed" || prs[0].MergedAt == nil {
		t.Fatalf("prs for merge commit = %v, %v", prs, err)
	}
	prs, _, err = c.PullRequests.ListPullRequestsWithCommit(ctx, "acme", "api", "c1", nil)
	if err != nil || len(prs) != 1 || prs[0].GetNumber() != other {
		t.Fatalf("prs for head commit = %v, %v", prs, err)
	}
	prs, _, err = c.PullRequests.ListPullRequestsWithCommit(ctx, "acme", "api", "unknown", nil)
	if err != nil || len(prs) != 0 {
		t.Fatalf("prs for unknown commit = %v, %v", prs, err)
	}
	pr, _, _ := c.PullRequests.Get(ctx, "acme", "api", n)
	if !pr.GetMerged() {
		t.Error("merged PR reports merged=false")
	}
}

func TestCommentLimitAndEditing(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	f.AddToken("tok-alice", "alice")
	f.SetCollaborator("acme", "api", "alice", "triage") // may read and comment, not edit others' comments
	n := f.AddPullRequest("acme", "api", PullRequest{Author: "alice"})

	body := strings.Repeat("é", maxCommentLen) // characters, not bytes, count
	cm, resp, err := c.Issues.CreateComment(ctx, "acme", "api", n, &github.IssueComment{Body: &body})
	mustOK(t, resp, err, http.StatusCreated)
	if cm.GetUser().GetLogin() != "admin" {
		t.Fatalf("comment author = %q", cm.GetUser().GetLogin())
	}

	long := body + "x"
	_, _, err = c.Issues.CreateComment(ctx, "acme", "api", n, &github.IssueComment{Body: &long})
	er := wantStatus(t, err, http.StatusUnprocessableEntity)
	if er.Message != "Validation Failed" || len(er.Errors) != 1 || er.Errors[0].Resource != "IssueComment" || er.Errors[0].Code != "custom" || er.Errors[0].Field != "body" || er.Errors[0].Message != "body is too long (maximum is 65536 characters)" {
		t.Fatalf("error = %+v", er)
	}
	_, _, err = c.Issues.EditComment(ctx, "acme", "api", cm.GetID(), &github.IssueComment{Body: &long})
	wantStatus(t, err, http.StatusUnprocessableEntity)

	// Without write access, only the author may edit (see TestCommentEditRights).
	other := "edited by alice"
	alice := client(t, f, "tok-alice")
	_, _, err = alice.Issues.EditComment(ctx, "acme", "api", cm.GetID(), &github.IssueComment{Body: &other})
	wantStatus(t, err, http.StatusForbidden)
	_, err = alice.Issues.DeleteComment(ctx, "acme", "api", cm.GetID())
	wantStatus(t, err, http.StatusForbidden)

	short := "short"
	edited, _, err := c.Issues.EditComment(ctx, "acme", "api", cm.GetID(), &github.IssueComment{Body: &short})
	if err != nil || edited.GetBody() != "short" || !edited.GetUpdatedAt().After(edited.GetCreatedAt().Time) {
		t.Fatalf("edit = %v, %v", edited, err)
	}

	// Someone editing in the web UI keeps the author.
	f.EditCommentAsUser(cm.GetID(), "alice", "tampered")
	got, _, err := c.Issues.GetComment(ctx, "acme", "api", cm.GetID())
	if err != nil || got.GetBody() != "tampered" || got.GetUser().GetLogin() != "admin" {
		t.Fatalf("comment = %v, %v", got, err)
	}
	comments := f.Comments("acme", "api", n)
	if len(comments) != 1 || comments[0].LastEditedBy != "alice" || comments[0].Author != "admin" {
		t.Fatalf("Comments = %+v", comments)
	}

	listed, _, err := c.Issues.ListComments(ctx, "acme", "api", n, nil)
	if err != nil || len(listed) != 1 {
		t.Fatalf("list = %v, %v", listed, err)
	}
	if listed[0].GetAuthorAssociation() != "MEMBER" {
		t.Errorf("author_association = %q", listed[0].GetAuthorAssociation())
	}
	resp, err = c.Issues.DeleteComment(ctx, "acme", "api", cm.GetID())
	mustOK(t, resp, err, http.StatusNoContent)
	if len(f.Comments("acme", "api", n)) != 0 {
		t.Error("comment not deleted")
	}
	if f.Calls("DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}") != 2 {
		t.Error("DELETE calls are counted")
	}
	_, _, err = c.Issues.CreateComment(ctx, "acme", "api", 404, &github.IssueComment{Body: &short})
	wantStatus(t, err, http.StatusNotFound)
}

// An issue takes as many comments as GitHub allows (2,500; fewer here),
// then refuses more with 403, edits still allowed.
func TestCommentCountLimit(t *testing.T) {
	f := newFake(t, WithCommentLimit(3))
	c := client(t, f, adminToken)
	n := f.AddIssue("acme", "api", Issue{Title: "log", Author: "admin"})
	body := "entry"
	var last *github.IssueComment
	for range 3 {
		cm, resp, err := c.Issues.CreateComment(ctx, "acme", "api", n, &github.IssueComment{Body: &body})
		mustOK(t, resp, err, http.StatusCreated)
		last = cm
	}
	_, _, err := c.Issues.CreateComment(ctx, "acme", "api", n, &github.IssueComment{Body: &body})
	if er := wantStatus(t, err, http.StatusForbidden); er.Message != "Commenting is disabled on issues with more than 3 comments" {
		t.Errorf("message = %q", er.Message)
	}
	if _, resp, err := c.Issues.EditComment(ctx, "acme", "api", last.GetID(), &github.IssueComment{Body: &body}); err != nil {
		t.Errorf("edit on a full issue: %v, %v", resp, err)
	}
	if is, _, err := c.Issues.Get(ctx, "acme", "api", n); err != nil || is.GetComments() != 3 {
		t.Errorf("issue comments = %d, %v", is.GetComments(), err)
	}
}

func TestIssuesByLabel(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	f.AddPullRequest("acme", "api", PullRequest{Author: "alice"})
	title, body := "JIT audit log", "entries"
	labels := []string{"jit-audit", "log"}
	created, resp, err := c.Issues.Create(ctx, "acme", "api", &github.IssueRequest{Title: &title, Body: &body, Labels: &labels})
	mustOK(t, resp, err, http.StatusCreated)
	if created.GetNumber() != 2 || created.GetUser().GetLogin() != "admin" {
		t.Fatalf("issue number %d (issues and PRs share numbers), user %q", created.GetNumber(), created.GetUser().GetLogin())
	}
	f.AddIssue("acme", "api", Issue{Title: "other", Author: "bob", Labels: []string{"bug"}})

	found, _, err := c.Issues.ListByRepo(ctx, "acme", "api", &github.IssueListByRepoOptions{Labels: []string{"JIT-AUDIT"}})
	if err != nil || len(found) != 1 || found[0].GetNumber() != 2 || found[0].IsPullRequest() {
		t.Fatalf("by label = %v, %v", found, err)
	}
	all, _, err := c.Issues.ListByRepo(ctx, "acme", "api", nil)
	if err != nil || len(all) != 3 || all[0].GetNumber() != 3 || !all[2].IsPullRequest() {
		t.Fatalf("all open, newest first, PRs included = %v, %v", all, err)
	}

	asIssue, _, err := c.Issues.Get(ctx, "acme", "api", 1)
	if err != nil || !asIssue.IsPullRequest() {
		t.Fatalf("PR as issue = %v, %v", asIssue, err)
	}
	closed := "closed"
	_, _, err = c.Issues.Edit(ctx, "acme", "api", 2, &github.IssueRequest{State: &closed})
	if err != nil {
		t.Fatal(err)
	}
	found, _, _ = c.Issues.ListByRepo(ctx, "acme", "api", &github.IssueListByRepoOptions{Labels: []string{"jit-audit"}})
	if len(found) != 0 {
		t.Fatalf("closed issue listed by default: %v", found)
	}
	found, _, _ = c.Issues.ListByRepo(ctx, "acme", "api", &github.IssueListByRepoOptions{Labels: []string{"jit-audit"}, State: "all"})
	if len(found) != 1 || found[0].GetState() != "closed" || found[0].ClosedAt == nil {
		t.Fatalf("state=all: %v", found)
	}
	if issues := f.Issues("acme", "api"); len(issues) != 2 || issues[0].Labels[0] != "jit-audit" {
		t.Fatalf("Issues = %+v", issues)
	}
}

// GitHub lists a merged pull request among its merge commit's pull requests
// only a moment after the merge.
func TestPullsForCommitAfterAMoment(t *testing.T) {
	clk := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	f := newFake(t, WithClock(clk))
	c := client(t, f, adminToken)
	n := f.AddPullRequest("acme", "api", PullRequest{Author: "alice", HeadSHA: "head1"})
	f.SetAssociationDelay(5 * time.Second)
	f.MergePR("acme", "api", n, "merge1")
	if prs, _, err := c.PullRequests.ListPullRequestsWithCommit(ctx, "acme", "api", "merge1", nil); err != nil || len(prs) != 0 {
		t.Fatalf("at once: %v, %v", prs, err)
	}
	clk.Advance(10 * time.Second)
	if prs, _, err := c.PullRequests.ListPullRequestsWithCommit(ctx, "acme", "api", "merge1", nil); err != nil || len(prs) != 1 {
		t.Fatalf("a moment later: %v, %v", prs, err)
	}
}
