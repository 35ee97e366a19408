package request

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/report"
)

// Body is the pull request's description: the request, escaped as every
// comment of the gate is, since all of it may come from an issue form.
func (d *Draft) Body(note string) string {
	var b strings.Builder
	b.WriteString("Request for just-in-time access, written by `jit-gate request`.\n\n")
	b.WriteString("| | |\n| --- | --- |\n")
	row := func(k, v string) { fmt.Fprintf(&b, "| %s | %s |\n", k, v) }
	row("Principal", report.Escape(d.Principal))
	row("Scope", report.Escape(d.Scope))
	row("Duration", report.Escape(d.Duration))
	row("Policy", report.Escape(d.Request.Policy))
	row("Reason", report.Escape(d.Reason))
	if d.Ticket != "" {
		row("Ticket", report.Escape(d.Ticket))
	}
	if d.BreakGlass {
		row("Break-glass", "yes: post-hoc review required")
	}
	approvers := append(append([]string{}, d.Reviewers...), teamRefs(d.TeamReviewers)...)
	fmt.Fprintf(&b, "\nNeeds %d approval(s) on the head commit from %s; not from the principal, the author of this pull request or anyone who pushed to it.\n",
		d.Approvals, report.List(approvers))
	if note != "" {
		b.WriteString("\n" + report.Escape(note) + "\n")
	}
	return b.String()
}

func teamRefs(teams []string) []string {
	out := make([]string, len(teams))
	for i, t := range teams {
		out[i] = policy.TeamPrefix + t
	}
	return out
}

// Commands are the shell commands that propose the draft by hand, with
// every value quoted for a POSIX shell.
func (d *Draft) Commands() string {
	reviewers := append(append([]string{}, d.Reviewers...), d.TeamReviewers...)
	lines := []string{
		"git switch -c " + shellQuote(d.Branch),
		"git add " + shellQuote(d.File),
		"git commit -m " + shellQuote(d.Title),
		"git push -u origin " + shellQuote(d.Branch),
		"gh pr create --title " + shellQuote(d.Title) + " --body-file - <<'EOF'",
	}
	if len(reviewers) > 0 {
		lines[len(lines)-1] = "gh pr create --title " + shellQuote(d.Title) + " --reviewer " + shellQuote(strings.Join(reviewers, ",")) + " --body-file - <<'EOF'"
	}
	// Every line of the body starts with text of ours, so none ends the here-document.
	return strings.Join(lines, "\n") + "\n" + d.Body("") + "EOF\n"
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// Opened is the pull request Open made.
type Opened struct {
	Number int
	URL    string
}

// Open proposes the draft through the GitHub API, without a checkout: a
// branch from the default branch's head, the file committed to it through
// the contents API, the pull request, and review requests to the policy's
// approvers. repoDir is the module's directory inside the repository
// (forward slashes, no ".."). GitHub refuses to request a review from the
// pull request's author or from someone without access to the repository;
// such an approver is reported in the error, after the pull request exists.
func (d *Draft) Open(ctx context.Context, client *github.Client, owner, repo, repoDir, note string) (*Opened, error) {
	o, r := ghclient.Seg(owner), ghclient.Seg(repo)
	rp, _, err := client.Repositories.Get(ctx, o, r)
	if err != nil {
		return nil, fmt.Errorf("reading repository %s/%s: %w", owner, repo, ghclient.Explain(err))
	}
	base := rp.GetDefaultBranch()
	ref, _, err := client.Git.GetRef(ctx, o, r, "heads/"+base)
	if err != nil {
		return nil, fmt.Errorf("reading branch %s of %s/%s: %w", base, owner, repo, ghclient.Explain(err))
	}
	if _, _, err := client.Git.CreateRef(ctx, o, r, &github.Reference{Ref: github.String("refs/heads/" + d.Branch), Object: ref.Object}); err != nil {
		return nil, fmt.Errorf("creating branch %s: %w", d.Branch, ghclient.Explain(err))
	}
	file := path.Join(repoDir, filepath.Base(d.File))
	if _, _, err := client.Repositories.CreateFile(ctx, o, r, file, &github.RepositoryContentFileOptions{
		Message: github.String(d.Title), Content: d.HCL, Branch: github.String(d.Branch),
	}); err != nil {
		return nil, fmt.Errorf("committing %s to branch %s: %w", file, d.Branch, ghclient.Explain(err))
	}
	pr, _, err := client.PullRequests.Create(ctx, o, r, &github.NewPullRequest{
		Title: github.String(d.Title), Head: github.String(d.Branch), Base: github.String(base), Body: github.String(d.Body(note)),
	})
	if err != nil {
		return nil, fmt.Errorf("opening the pull request from %s: %w", d.Branch, ghclient.Explain(err))
	}
	opened := &Opened{Number: pr.GetNumber(), URL: pr.GetHTMLURL()}
	if len(d.Reviewers)+len(d.TeamReviewers) == 0 {
		return opened, nil
	}
	var slugs []string
	for _, t := range d.TeamReviewers {
		org, slug, _ := strings.Cut(t, "/")
		if strings.EqualFold(org, owner) {
			slugs = append(slugs, slug)
		}
	}
	if _, _, err := client.PullRequests.RequestReviewers(ctx, o, r, pr.GetNumber(), github.ReviewersRequest{
		Reviewers: d.Reviewers, TeamReviewers: slugs,
	}); err != nil {
		return opened, fmt.Errorf("pull request #%d is open, but requesting reviews from %s failed: %w",
			pr.GetNumber(), strings.Join(append(append([]string{}, d.Reviewers...), teamRefs(d.TeamReviewers)...), ", "), ghclient.Explain(err))
	}
	return opened, nil
}
