package audit

import (
	"context"
	"fmt"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/settings"
)

// TrustedIdentity reads gate_login from the trusted settings of
// owner/repo, at a commit the run may trust: in apply mode the first parent
// of commit (what the merged pull request could not change), else commit
// itself, or the default branch when there is none. flag is --gate-login.
// API calls: 1 or 2 to read the file, and 1 more in apply mode or without
// a commit.
func TrustedIdentity(ctx context.Context, client *github.Client, owner, repo string, mode gate.Mode, commit, flag string) (Identity, error) {
	ref := commit
	switch {
	case ref == "":
		r, _, err := client.Repositories.Get(ctx, owner, repo)
		if err != nil {
			return Identity{}, fmt.Errorf("reading %s/%s for its default branch: %w", owner, repo, ghclient.Explain(err))
		}
		ref = r.GetDefaultBranch()
	case mode == gate.ModeApply:
		c, _, err := client.Repositories.GetCommit(ctx, owner, repo, commit, nil)
		if err != nil {
			return Identity{}, fmt.Errorf("reading commit %s of %s/%s for its first parent: %w", commit, owner, repo, ghclient.Explain(err))
		}
		if len(c.Parents) > 0 {
			ref = c.Parents[0].GetSHA()
		}
	}
	s, err := settings.Load(ctx, client, owner, repo, ref)
	if err != nil {
		return Identity{}, err
	}
	return Identity{Trusted: s.GateLogin, Flag: flag}, nil
}
