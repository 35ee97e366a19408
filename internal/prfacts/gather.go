package prfacts

import (
	"context"
	"fmt"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
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
	// Opened is the pull request as Open read it, so Gather reads it no
	// more; nil makes Gather find and read it.
	Opened *Opened
	// Clock waits between lookups of the pull request merged as
	// MergeCommit (see MergedPR); nil is the system clock.
	Clock clock.Clock
}

// Opened is a run's pull request, read once.
type Opened struct {
	pr          *github.PullRequest
	src         Source
	mergeCommit string // apply mode: the merge commit that found it
}

// Number is the pull request's number.
func (o *Opened) Number() int { return o.pr.GetNumber() }

// Open finds the run's pull request (the merged one of MergeCommit when
// there is one, asked again for a few seconds while GitHub lists none,
// else PR) and reads it: 1 call, 1 more to find it in apply mode. A MergeCommit that no pull request's merge produced is
// ErrNoMergedPR.
func Open(ctx context.Context, client *github.Client, src Source) (*Opened, error) {
	number := src.PR
	if src.MergeCommit != "" {
		var err error
		if number, err = MergedPR(ctx, client, src.Clock, src.Owner, src.Repo, src.MergeCommit); err != nil {
			return nil, err
		}
	}
	pr, err := getPR(ctx, client, src.Owner, src.Repo, number)
	if err != nil {
		return nil, err
	}
	return &Opened{pr: pr, src: src, mergeCommit: src.MergeCommit}, nil
}

// SettingsCommit is the commit the run's trusted settings are read at, one
// the pull request cannot change: its base commit in pr mode, the merge
// commit's first parent (the default branch just before the merge) in
// apply mode, which costs 1 call.
func (o *Opened) SettingsCommit(ctx context.Context, client *github.Client) (string, error) {
	owner, repo := o.src.Owner, o.src.Repo
	if o.mergeCommit == "" {
		if sha := o.pr.GetBase().GetSHA(); sha != "" {
			return sha, nil
		}
		return "", fmt.Errorf("pull request %s/%s#%d: GitHub returned no base commit to read the trusted settings at", owner, repo, o.Number())
	}
	c, _, err := client.Repositories.GetCommit(ctx, ghclient.Seg(owner), ghclient.Seg(repo), ghclient.Seg(o.mergeCommit), &github.ListOptions{PerPage: 1})
	if err != nil {
		return "", fmt.Errorf("reading merge commit %s of %s/%s: %w", o.mergeCommit, owner, repo, ghclient.Explain(err))
	}
	if len(c.Parents) == 0 || c.Parents[0].GetSHA() == "" {
		return "", fmt.Errorf("merge commit %s of %s/%s has no parent to read the trusted settings at", o.mergeCommit, owner, repo)
	}
	return c.Parents[0].GetSHA(), nil
}

// Gather is the one fact-fetching stage of a run (check and record): it
// reads what needs lists, each once. A MergeCommit that no pull request's
// merge produced is ErrNoMergedPR, returned with facts that hold no pull
// request, for the caller to decide: check cannot judge approvals without
// one, record writes to the audit-log issue instead.
func Gather(ctx context.Context, client *github.Client, src Source, needs gate.Needs) (gate.Facts, error) {
	facts := gate.Facts{Now: src.Now}
	if needs.PR {
		opened := src.Opened
		if opened == nil {
			var err error
			if opened, err = Open(ctx, client, src); err != nil {
				return facts, err
			}
		}
		pr, err := fetchRead(ctx, client, src.Owner, src.Repo, opened.pr, needs.Teams)
		if err != nil {
			return facts, err
		}
		if needs.Files {
			if err := files(ctx, client, src.Owner, src.Repo, opened.pr, &pr); err != nil {
				return facts, err
			}
		}
		if src.EventHead != "" {
			pr.HeadSHA = src.EventHead
		}
		facts, facts.Now = pr, src.Now
	}
	if len(needs.Held) > 0 {
		var err error
		if facts.Held, err = held(ctx, client, needs.Held); err != nil {
			return gate.Facts{Now: src.Now}, err
		}
	}
	if len(needs.PostHoc) > 0 {
		var err error
		if facts.PostHoc, err = PostHoc(ctx, client, src.Owner, src.Repo, needs.PostHoc, needs.Teams); err != nil {
			return gate.Facts{Now: src.Now}, err
		}
	}
	return facts, nil
}
