package prfacts

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
)

// Who pushed a pull request's commits comes from GitHub, not from the
// commits' e-mails, which anyone can set: the repository activity API names
// the account behind every push to a branch (its actor), with the commits
// before and after it.

// zeroSHA is the before of a branch's creation and the after of its deletion.
const zeroSHA = "0000000000000000000000000000000000000000"

// maxActivityPages bounds the activity read for one branch (100 pushes a
// page); a branch with more pushes than that cannot be judged.
const maxActivityPages = 50

// push is one entry of GET /repos/{owner}/{repo}/activity.
type push struct {
	Before       string       `json:"before"`
	After        string       `json:"after"`
	ActivityType string       `json:"activity_type"`
	Timestamp    time.Time    `json:"timestamp"`
	Actor        *github.User `json:"actor"`
}

// pushers returns the logins of everyone who pushed to the pull request's
// head branch (in its head repository, a fork's included): the actor of
// every push that brought one of the PR's commits onto the branch, and of
// every push to it since the PR was opened. Every commit must be brought by
// a push GitHub lists, or who pushed it is unknown and this fails: so does
// an activity GitHub will not show (a fork the token cannot read, a head
// repository deleted).
func pushers(ctx context.Context, client *github.Client, pr *github.PullRequest, commits []*github.RepositoryCommit) ([]string, error) {
	head := pr.GetHead()
	repo := head.GetRepo()
	owner, name, branch := repo.GetOwner().GetLogin(), repo.GetName(), head.GetRef()
	if owner == "" || name == "" || branch == "" {
		return nil, fmt.Errorf("pull request #%d: GitHub names no head repository or branch (a deleted fork?): cannot tell who pushed to it", pr.GetNumber())
	}
	pushes, err := branchPushes(ctx, client, owner, name, branch)
	if err != nil {
		return nil, fmt.Errorf("pull request #%d: cannot tell who pushed to it: %w", pr.GetNumber(), err)
	}

	out, missing := attribute(pushes, commits, pr.GetCreatedAt().Time)
	if missing != "" {
		return nil, fmt.Errorf("commit %s of pull request #%d was brought by no push GitHub lists for branch %s of %s/%s: cannot tell who pushed it",
			missing, pr.GetNumber(), branch, owner, name)
	}
	return out, nil
}

// attribute finds the pushers among pushes (see pushers) and the first of
// the commits that no push brought, "" when every one was.
func attribute(pushes []push, commits []*github.RepositoryCommit, opened time.Time) ([]string, string) {
	parents := map[string][]string{}
	for _, c := range commits {
		parents[c.GetSHA()] = []string{}
		for _, p := range c.Parents {
			parents[c.GetSHA()] = append(parents[c.GetSHA()], p.GetSHA())
		}
	}
	// reach is the set of the PR's commits reachable from sha.
	reach := func(sha string) map[string]bool {
		out := map[string]bool{}
		todo := []string{sha}
		for len(todo) > 0 {
			s := todo[len(todo)-1]
			todo = todo[:len(todo)-1]
			if _, ok := parents[s]; !ok || out[s] {
				continue
			}
			out[s] = true
			todo = append(todo, parents[s]...)
		}
		return out
	}

	covered := map[string]bool{}
	var out []string
	seen := map[string]bool{}
	for _, p := range pushes {
		if p.After == "" || p.After == zeroSHA {
			continue // a deletion brings nothing
		}
		before := reach(p.Before)
		brought := false
		for sha := range reach(p.After) {
			if !before[sha] {
				covered[sha], brought = true, true
			}
		}
		login := p.Actor.GetLogin()
		// A push by an account GitHub no longer knows (deleted) names no one
		// who could approve.
		if login == "" || strings.EqualFold(login, webFlow) || seen[strings.ToLower(login)] {
			continue
		}
		if brought || !p.Timestamp.Before(opened) {
			seen[strings.ToLower(login)] = true
			out = append(out, login)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Compare(strings.ToLower(a), strings.ToLower(b)) })
	for _, c := range commits {
		if !covered[c.GetSHA()] {
			return out, c.GetSHA()
		}
	}
	return out, ""
}

// branchPushes lists the activity of a branch, every page (GitHub pages it
// by cursor).
func branchPushes(ctx context.Context, client *github.Client, owner, repo, branch string) ([]push, error) {
	q := url.Values{"ref": {"refs/heads/" + branch}, "per_page": {fmt.Sprint(ghclient.PerPage)}}
	var out []push
	for range maxActivityPages {
		req, err := client.NewRequest("GET", fmt.Sprintf("repos/%s/%s/activity?%s", url.PathEscape(owner), url.PathEscape(repo), q.Encode()), nil)
		if err != nil {
			return nil, err
		}
		var page []push
		resp, err := client.Do(ctx, req, &page)
		if err != nil {
			return nil, fmt.Errorf("listing the activity of %s/%s: %w", owner, repo, ghclient.Explain(err))
		}
		out = append(out, page...)
		if resp.After == "" {
			return out, nil
		}
		q.Set("after", resp.After)
	}
	return nil, fmt.Errorf("branch %s of %s/%s has more than %d pushes", branch, owner, repo, maxActivityPages*ghclient.PerPage)
}
