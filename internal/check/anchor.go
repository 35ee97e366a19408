package check

import (
	"context"
	"fmt"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/doctor"
	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/settings"
)

// anchor runs jit-gate doctor's checks for apply mode: CODEOWNERS and the
// workflows as they are at the commit applied, the rulesets, protection and
// environments as they are now, against the trusted settings s (read at the
// merge commit's first parent). Each failing point becomes a trust.anchor
// violation; what cannot be read is an error.
func anchor(ctx context.Context, client *github.Client, cfg Config, s settings.Settings) (*gate.Anchor, error) {
	res, err := doctor.Run(ctx, client, doctor.Config{Owner: cfg.Owner, Repo: cfg.Repo, Ref: cfg.MergeCommit, Settings: &s})
	if err != nil {
		return nil, fmt.Errorf("checking the repository's protection (trust.anchor): %w", err)
	}
	out := &gate.Anchor{Weaknesses: []gate.Weakness{}}
	for _, p := range res.Failing() {
		out.Weaknesses = append(out.Weaknesses, gate.Weakness{Point: p.ID, Summary: p.Summary, Fix: p.Fix})
	}
	return out, nil
}
