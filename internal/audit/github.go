package audit

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/prfacts"
	"github.com/jitgate/terraform-provider-jit/internal/report"
)

// What backs a joined grant's approvers (Grant.Record).
const (
	RecordIntact   = "recorded"              // the gate's intact record entry lists the grant
	RecordEdited   = string(report.Edited)   // only an entry edited after posting lists it: not trusted
	RecordUnsealed = string(report.Unsealed) // only an entry without a hash lists it: not trusted
	RecordMissing  = "missing"               // the pull request carries no record entry for it
	RecordNoPR     = "no_pr"                 // granted_by_commit is no pull request's merge
	RecordNoCommit = "no_commit"             // applied outside a workflow run: granted_by_commit is null
)

// Join fills in each grant's pull request (the one merged as its
// granted_by_commit) and its approvers, as the gate's record entry of a
// successful apply on that pull request lists them. Only entries the gate's
// own account (self) wrote and that are intact count. Grants applied
// together share a commit, so the calls are 2 per distinct commit (more only
// for pull requests with over 100 comments), whatever the number of grants.
func Join(ctx context.Context, client *github.Client, owner, repo, self string, grants []Grant) error {
	type found struct {
		pr       int
		comments []prfacts.Comment
	}
	byCommit := map[string]*found{}
	for i := range grants {
		g := &grants[i]
		commit := strings.ToLower(g.GrantedByCommit)
		if commit == "" {
			g.Record = RecordNoCommit
			continue
		}
		f := byCommit[commit]
		if f == nil {
			f = &found{}
			pr, err := prfacts.FindMergedPR(ctx, client, owner, repo, commit)
			switch {
			case errors.Is(err, prfacts.ErrNoMergedPR):
			case err != nil:
				return err
			default:
				f.pr = pr
				if f.comments, err = prfacts.GateComments(ctx, client, owner, repo, pr); err != nil {
					return err
				}
			}
			byCommit[commit] = f
		}
		if f.pr == 0 {
			g.Record = RecordNoPR
			continue
		}
		g.PR, g.Record = f.pr, RecordMissing
		for _, c := range f.comments {
			m, integrity, _ := report.CheckSeal(c.Body)
			if !strings.EqualFold(c.Author, self) || m.Kind != report.KindRecord || !strings.EqualFold(m.Head, commit) {
				continue
			}
			approvers, ok := report.RecordedApprovers(c.Body, g.Address)
			switch {
			case !ok:
			case integrity == report.Intact:
				g.Approvers, g.Record = approvers, RecordIntact
			case g.Record != RecordIntact:
				g.Record = string(integrity)
			}
		}
	}
	return nil
}

// Problems Verify reports.
const (
	ProblemEdited   = string(report.Edited)   // the content no longer matches the marker's hash
	ProblemUnsealed = string(report.Unsealed) // the gate's comment has no hash: its content cannot be vouched for
	ProblemForeign  = "foreign"               // another account than the gate's posted a comment with its marker
)

// Finding is one comment that fails verification.
type Finding struct {
	Number  int    `json:"number"` // pull request or issue
	Comment int64  `json:"comment_id"`
	URL     string `json:"url"`
	Author  string `json:"author"`
	Kind    string `json:"kind"` // the marker's
	Head    string `json:"head"`
	Problem string `json:"problem"`
}

// Verification is the result of Verify.
type Verification struct {
	Self     string    `json:"gate_login"`
	Checked  []int     `json:"checked"`  // pull requests and issues whose comments were read
	Comments int       `json:"comments"` // gate comments among them
	Findings []Finding `json:"findings"`
}

// VerifyTargets is what `audit --verify` checks without --pr: the audit-log
// issue, if there is one, and the pull requests merged as the commits that
// granted access (the state's granted_by_commit values). Checked comments
// are those that stand behind a grant; gate comments on other pull requests
// are reached with --pr.
func VerifyTargets(ctx context.Context, client *github.Client, owner, repo, self string, grants []Grant) ([]int, error) {
	targets := []int{}
	issue, err := prfacts.FindAuditIssue(ctx, client, owner, repo, self)
	if err != nil {
		return nil, err
	}
	if issue != 0 {
		targets = append(targets, issue)
	}
	seen := map[string]bool{}
	for _, g := range grants {
		commit := strings.ToLower(g.GrantedByCommit)
		if commit == "" || seen[commit] {
			continue
		}
		seen[commit] = true
		pr, err := prfacts.FindMergedPR(ctx, client, owner, repo, commit)
		if errors.Is(err, prfacts.ErrNoMergedPR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !slices.Contains(targets, pr) {
			targets = append(targets, pr)
		}
	}
	return targets, nil
}

// Verify reads the comments of each pull request or issue in numbers and
// reports every gate comment that was edited after posting (its hash no
// longer matches), that carries no hash, or whose marker someone other than
// self posted.
func Verify(ctx context.Context, client *github.Client, owner, repo, self string, numbers []int) (Verification, error) {
	v := Verification{Self: self, Checked: numbers, Findings: []Finding{}}
	for _, n := range numbers {
		comments, err := prfacts.GateComments(ctx, client, owner, repo, n)
		if err != nil {
			return v, err
		}
		for _, c := range comments {
			v.Comments++
			m, integrity, _ := report.CheckSeal(c.Body)
			problem := ""
			switch {
			case !strings.EqualFold(c.Author, self):
				problem = ProblemForeign
			case integrity == report.Edited:
				problem = ProblemEdited
			case integrity == report.Unsealed:
				problem = ProblemUnsealed
			}
			if problem != "" {
				v.Findings = append(v.Findings, Finding{Number: n, Comment: c.ID, URL: c.URL, Author: c.Author, Kind: m.Kind, Head: m.Head, Problem: problem})
			}
		}
	}
	return v, nil
}
