package prfacts

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/report"
)

// AuditLabel marks the audit-log issue, where runs without a pull request
// (scheduled drift checks, manual runs) write their entries.
const AuditLabel = "jit-audit"

const (
	auditTitle = "jit-gate audit log"
	auditBody  = "Runs of `jit-gate record` that have no pull request (scheduled drift checks, manual runs) write their audit entries here, one comment per run. " +
		"Each comment is sealed with a hash of its content: `jit-gate audit --verify` reports any edited after posting, or posted by another account than the gate's. " +
		"Keep this issue: the gate finds it by its label `" + AuditLabel + "` and its author."
)

// FindAuditIssue returns the number of the audit-log issue, or 0 if there is
// none: the oldest issue, open or closed, labelled AuditLabel and opened by
// self. Anyone who may label issues could label another one; only the gate's
// own counts.
func FindAuditIssue(ctx context.Context, client *github.Client, owner, repo, self string) (int, error) {
	issues, err := ghclient.All(func(o github.ListOptions) ([]*github.Issue, *github.Response, error) {
		return client.Issues.ListByRepo(ctx, ghclient.Seg(owner), ghclient.Seg(repo), &github.IssueListByRepoOptions{
			Labels: []string{AuditLabel}, State: "all", Sort: "created", Direction: "asc", ListOptions: o,
		})
	})
	if err != nil {
		return 0, fmt.Errorf("listing issues labelled %s in %s/%s: %w", AuditLabel, owner, repo, ghclient.Explain(err))
	}
	for _, is := range issues {
		if !is.IsPullRequest() && strings.EqualFold(is.GetUser().GetLogin(), self) {
			return is.GetNumber(), nil
		}
	}
	return 0, nil
}

// EnsureAuditIssue returns the audit-log issue, opening it first if there is
// none.
func EnsureAuditIssue(ctx context.Context, client *github.Client, owner, repo, self string) (int, error) {
	n, err := FindAuditIssue(ctx, client, owner, repo, self)
	if err != nil || n != 0 {
		return n, err
	}
	title, body := auditTitle, auditBody
	is, _, err := client.Issues.Create(ctx, ghclient.Seg(owner), ghclient.Seg(repo), &github.IssueRequest{Title: &title, Body: &body, Labels: &[]string{AuditLabel}})
	if err != nil {
		return 0, fmt.Errorf("opening the audit-log issue in %s/%s: %w", owner, repo, ghclient.Explain(err))
	}
	return is.GetNumber(), nil
}

// AddComment posts body as a new comment on owner/repo#number. Audit entries
// are only ever added: a rerun records again rather than rewriting history.
func AddComment(ctx context.Context, client *github.Client, owner, repo string, number int, body string) error {
	if _, _, err := client.Issues.CreateComment(ctx, ghclient.Seg(owner), ghclient.Seg(repo), number, &github.IssueComment{Body: &body}); err != nil {
		return fmt.Errorf("commenting on %s/%s#%d: %w", owner, repo, number, ghclient.Explain(err))
	}
	return nil
}

// Comment is a comment that carries the gate's marker, whoever wrote it.
type Comment struct {
	ID     int64
	Author string
	Body   string
	URL    string
}

// GateComments lists the comments of owner/repo#number (all pages) whose
// first line is the gate's marker, oldest first.
func GateComments(ctx context.Context, client *github.Client, owner, repo string, number int) ([]Comment, error) {
	comments, err := ghclient.All(func(o github.ListOptions) ([]*github.IssueComment, *github.Response, error) {
		return client.Issues.ListComments(ctx, ghclient.Seg(owner), ghclient.Seg(repo), number, &github.IssueListCommentsOptions{ListOptions: o})
	})
	if err != nil {
		return nil, fmt.Errorf("listing comments of %s/%s#%d: %w", owner, repo, number, ghclient.Explain(err))
	}
	var out []Comment
	for _, c := range comments {
		if _, ok := report.ParseMarker(c.GetBody()); ok {
			out = append(out, Comment{ID: c.GetID(), Author: c.GetUser().GetLogin(), Body: c.GetBody(), URL: c.GetHTMLURL()})
		}
	}
	return out, nil
}
