package prfacts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
)

// associationWaits are the pauses before each new lookup of the pull
// request merged as a commit: right after a merge GitHub may not list it
// yet among the commit's pull requests. 7 seconds in all, then the commit
// counts as pushed without a pull request, which approves nothing.
var associationWaits = []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}

// MergedPR is FindMergedPR, asked again after each of associationWaits
// (on clk) while GitHub lists no pull request merged as sha: 1 call, and 1
// per retry.
func MergedPR(ctx context.Context, client *github.Client, clk clock.Clock, owner, repo, sha string) (int, error) {
	if clk == nil {
		clk = clock.System()
	}
	for i := 0; ; i++ {
		n, err := FindMergedPR(ctx, client, owner, repo, sha)
		if !errors.Is(err, ErrNoMergedPR) || i == len(associationWaits) {
			return n, err
		}
		if err := clk.Sleep(ctx, associationWaits[i]); err != nil {
			return 0, err
		}
	}
}

// FirstParent returns the first parent of commit sha, "" for a root
// commit: 1 call.
func FirstParent(ctx context.Context, client *github.Client, owner, repo, sha string) (string, error) {
	c, _, err := client.Repositories.GetCommit(ctx, ghclient.Seg(owner), ghclient.Seg(repo), ghclient.Seg(sha), &github.ListOptions{PerPage: 1})
	if err != nil {
		return "", fmt.Errorf("reading commit %s of %s/%s: %w", sha, owner, repo, ghclient.Explain(err))
	}
	if len(c.Parents) == 0 {
		return "", nil
	}
	if p := c.Parents[0].GetSHA(); p != "" {
		return p, nil
	}
	return "", fmt.Errorf("commit %s of %s/%s: GitHub returned a parent without a SHA", sha, owner, repo)
}

// Others reads the facts of the pull requests numbers (about 4 calls
// each), for requests attributed to another pull request than the run's;
// team members are the run's, read once.
func Others(ctx context.Context, client *github.Client, owner, repo string, numbers []int) (map[int]gate.Facts, error) {
	out := map[int]gate.Facts{}
	for _, n := range numbers {
		if _, done := out[n]; done {
			continue
		}
		f, err := Fetch(ctx, client, owner, repo, n, nil)
		if err != nil {
			return nil, err
		}
		out[n] = f
	}
	return out, nil
}
