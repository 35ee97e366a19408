package main

import (
	"context"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/audit"
	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/seal"
	"github.com/jitgate/terraform-provider-jit/internal/settings"
)

// trailArgs are the flags and environment every command that reads or
// writes the audit trail takes; the commands' configurations embed them.
type trailArgs struct {
	token, apiURL, owner, repo, gateLogin, sha string
	keys                                       *seal.Keyring
}

// trailFromEnv fills what the workflow's environment gives; owner, repo,
// gate login and keys come from flags and the seal-key variables.
func trailFromEnv(getenv func(string) string) trailArgs {
	return trailArgs{token: getenv("GITHUB_TOKEN"), apiURL: getenv("GITHUB_API_URL"), sha: getenv("GITHUB_SHA")}
}

// openTrail connects to GitHub and reads the trusted settings for mode at
// sha, which say who the gate is (audit.Trail.Trusted).
func openTrail(ctx context.Context, a trailArgs, mode gate.Mode) (*github.Client, audit.Trail, settings.Settings, error) {
	client, err := newClient(a.token, a.apiURL)
	if err != nil {
		return nil, audit.Trail{}, settings.Settings{}, err
	}
	t := audit.Trail{Owner: a.owner, Repo: a.repo, Identity: audit.Identity{Flag: a.gateLogin}, Keys: a.keys}
	s, err := t.Trusted(ctx, client, mode, a.sha)
	return client, t, s, err
}
