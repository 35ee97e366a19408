// Package doctor reads how a repository is set up on GitHub and says, point
// by point, whether the gate can be bypassed there: the default branch's
// rulesets and classic protection, CODEOWNERS over the trusted paths and the
// Terraform files, the environments that hold the write token, and the
// actions the workflows run. Each point that fails says the exact setting to
// change. `jit-gate doctor` prints the result; apply mode's check blocks
// with trust.anchor on every failing point.
//
// The gate's own verdict only means something when GitHub makes it
// unavoidable: a merge without the gate's check, an approval that outlives
// a push, a workflow change nobody reviewed, a branch that may use the write
// token, or an action a tag can swap, each lets a change reach the apply
// without a second person's approval.
package doctor

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/settings"
)

// Point ids (stable: scripts and the trust.anchor messages use them).
const (
	PointPullRequest   = "branch.pull_request"
	PointDismissStale  = "branch.dismiss_stale"
	PointLastPush      = "branch.last_push"
	PointCodeOwners    = "branch.code_owners"
	PointRequiredCheck = "branch.required_check"
	PointForcePush     = "branch.force_push"
	PointDeletion      = "branch.deletion"
	PointBypass        = "branch.bypass"
	PointMergeQueue    = "branch.merge_queue"
	PointOwnersFile    = "codeowners.file"
	PointOwnersTrust   = "codeowners.trust_paths"
	PointOwnersTF      = "codeowners.terraform"
	PointApplyEnv      = "environment.apply"
	PointScheduledEnv  = "environment.scheduled"
	PointPinned        = "actions.pinned"
)

// Point is one thing checked: what was found and, when it fails, the
// setting to change.
type Point struct {
	ID      string `json:"id"`
	OK      bool   `json:"ok"`
	Summary string `json:"summary"`
	Fix     string `json:"fix,omitempty"`
}

// Verdicts.
const (
	VerdictPass  = "pass"  // the gate cannot be bypassed
	VerdictFail  = "fail"  // a point fails
	VerdictError = "error" // the repository could not be read
)

// Result is doctor's whole answer, the `--format json` object.
type Result struct {
	Verdict       string  `json:"verdict"`
	Repository    string  `json:"repository"`
	DefaultBranch string  `json:"default_branch"`
	Commit        string  `json:"commit"`   // where CODEOWNERS and the workflows were read
	Settings      string  `json:"settings"` // where the settings came from
	Points        []Point `json:"points"`
	Error         string  `json:"error,omitempty"`
}

// Failing returns the points that fail.
func (r Result) Failing() []Point {
	var out []Point
	for _, p := range r.Points {
		if !p.OK {
			out = append(out, p)
		}
	}
	return out
}

// Config says what to check.
type Config struct {
	Owner, Repo string
	// Ref is the commit whose CODEOWNERS and workflows are read; "" is the
	// default branch's head.
	Ref string
	// Settings are the trusted settings to check against; nil reads them
	// at Ref.
	Settings *settings.Settings
}

// Run reads the repository and checks every point. An error (a setting the
// token cannot read, GitHub failing) is returned with a Result of verdict
// error: doctor never passes what it could not see.
//
// API calls: 1 for the repository, 1 for the default branch's head when no
// Ref is given, the settings' (1 or 2) unless given, 1 for the branch's
// rules (per 100), 1 per ruleset with rules there, 1 for classic protection,
// 1 for the tree, 1 for CODEOWNERS, 1 per workflow or local action file, 1
// for the environments (per 100) and 1 per environment with custom branch
// policies; for a bypass actor to compare, 1 per team or user named in
// bypass_actors.
func Run(ctx context.Context, client *github.Client, cfg Config) (Result, error) {
	res := Result{Repository: cfg.Owner + "/" + cfg.Repo, Points: []Point{}}
	fail := func(err error) (Result, error) {
		res.Verdict, res.Error = VerdictError, err.Error()
		return res, err
	}
	r := &reader{ctx: ctx, client: client, owner: cfg.Owner, repo: cfg.Repo}
	repo, _, err := client.Repositories.Get(ctx, cfg.Owner, cfg.Repo)
	if err != nil {
		return fail(fmt.Errorf("reading repository %s: %w", res.Repository, ghclient.Explain(err)))
	}
	res.DefaultBranch = repo.GetDefaultBranch()
	if res.Commit = cfg.Ref; res.Commit == "" {
		c, _, err := client.Repositories.GetCommit(ctx, cfg.Owner, cfg.Repo, res.DefaultBranch, nil)
		if err != nil {
			return fail(fmt.Errorf("reading the head of the default branch %s: %w", res.DefaultBranch, ghclient.Explain(err)))
		}
		res.Commit = c.GetSHA()
	}
	s := cfg.Settings
	if s == nil {
		loaded, err := settings.Load(ctx, client, cfg.Owner, cfg.Repo, res.Commit)
		if err != nil {
			return fail(err)
		}
		s = &loaded
	}
	res.Settings = s.Source

	steps := []func(*reader, *settings.Settings, *Result) error{checkBranch, checkCodeOwners, checkEnvironments, checkWorkflows}
	for _, step := range steps {
		if err := step(r, s, &res); err != nil {
			return fail(err)
		}
	}
	res.Verdict = VerdictPass
	if len(res.Failing()) > 0 {
		res.Verdict = VerdictFail
	}
	return res, nil
}

// reader is one run's contact with GitHub, with the tree read once.
type reader struct {
	ctx         context.Context
	client      *github.Client
	owner, repo string
	tree        []string // paths of the files at the commit
}

// get reads one GitHub API path (relative to the API root, its segments
// escaped by the caller) into v.
func (r *reader) get(path string, v any) (*github.Response, error) {
	req, err := r.client.NewRequest("GET", path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := r.client.Do(r.ctx, req, v)
	return resp, ghclient.Explain(err)
}

// pages reads every page of a list endpoint that answers a JSON array.
func pages[T any](r *reader, path string) ([]T, error) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return ghclient.All(func(o github.ListOptions) ([]T, *github.Response, error) {
		var page []T
		resp, err := r.get(fmt.Sprintf("%s%sper_page=%d&page=%d", path, sep, o.PerPage, max(o.Page, 1)), &page)
		return page, resp, err
	})
}

// repoPath is repos/OWNER/REPO/ with both escaped, then the rest.
func (r *reader) repoPath(rest string, args ...any) string {
	return fmt.Sprintf("repos/%s/%s/", url.PathEscape(r.owner), url.PathEscape(r.repo)) + fmt.Sprintf(rest, args...)
}

// files returns the paths of the files at commit, read once.
func (r *reader) files(commit string) ([]string, error) {
	if r.tree != nil {
		return r.tree, nil
	}
	tree, _, err := r.client.Git.GetTree(r.ctx, r.owner, r.repo, commit, true)
	if err != nil {
		return nil, fmt.Errorf("reading the files at %s: %w", commit, ghclient.Explain(err))
	}
	if tree.GetTruncated() {
		return nil, fmt.Errorf("the tree at %s has more files than GitHub lists at once: cannot check CODEOWNERS and the workflows", commit)
	}
	r.tree = []string{}
	for _, e := range tree.Entries {
		if e.GetType() == "blob" {
			r.tree = append(r.tree, e.GetPath())
		}
	}
	return r.tree, nil
}

// content reads a file at commit.
func (r *reader) content(commit, path string) (string, error) {
	file, _, _, err := r.client.Repositories.GetContents(r.ctx, r.owner, r.repo, path, &github.RepositoryContentGetOptions{Ref: commit})
	if err != nil {
		return "", fmt.Errorf("reading %s at %s: %w", path, commit, ghclient.Explain(err))
	}
	if file == nil {
		return "", fmt.Errorf("reading %s at %s: it is not a file", path, commit)
	}
	return file.GetContent()
}
