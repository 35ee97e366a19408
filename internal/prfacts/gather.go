package prfacts

import (
	"context"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
)

// Source is where a run's pull request facts come from.
type Source struct {
	Owner, Repo string
	PR          int    // the pull request; 0 in apply mode, where MergeCommit finds it
	MergeCommit string // apply mode: the commit applied (GITHUB_SHA), a pull request's merge
	// EventHead is, in pr mode, the head commit the plan was made from, as
	// the event names it: approvals count on that commit even if the pull
	// request has moved on since. Apply mode judges the merged pull
	// request's final head, as GitHub reports it.
	EventHead string
	Now       time.Time
}

// Gather is the one fact-fetching stage of a run (check and record): it
// reads what needs lists, each once. A MergeCommit that no pull request's
// merge produced is ErrNoMergedPR, returned with facts that hold no pull
// request, for the caller to decide: check cannot judge approvals without
// one, record writes to the audit-log issue instead.
func Gather(ctx context.Context, client *github.Client, src Source, needs gate.Needs) (gate.Facts, error) {
	facts := gate.Facts{Now: src.Now}
	if needs.PR {
		number := src.PR
		if number == 0 {
			var err error
			if number, err = FindMergedPR(ctx, client, src.Owner, src.Repo, src.MergeCommit); err != nil {
				return facts, err
			}
		}
		pr, err := Fetch(ctx, client, src.Owner, src.Repo, number, needs.Teams)
		if err != nil {
			return facts, err
		}
		if src.EventHead != "" {
			pr.HeadSHA = src.EventHead
		}
		facts, facts.Now = pr, src.Now
	}
	if len(needs.PostHoc) > 0 {
		var err error
		if facts.PostHoc, err = PostHoc(ctx, client, src.Owner, src.Repo, needs.PostHoc, needs.Teams); err != nil {
			return gate.Facts{Now: src.Now}, err
		}
	}
	return facts, nil
}
