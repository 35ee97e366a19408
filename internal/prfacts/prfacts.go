// Package prfacts reads the pull request facts the gate's rules need, once
// per run, whatever the size of the plan. It only reads: the gate's
// comments and audit records are internal/audit's.
package prfacts

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/target/ghtarget"
)

// maxListedCommits is how many commits GitHub's "list commits on a pull
// request" endpoint returns at most, whatever the pagination.
const maxListedCommits = 250

// webFlow is the account GitHub records as committer of commits made in its
// web UI (merges of the base branch, suggestions); it approves nothing.
const webFlow = "web-flow"

// Fetch reads the facts of pull request owner/repo#number: author, head
// commit, every review, every commit's author and committer, who pushed
// them (from the head branch's activity, see pushers), and the active
// members of each team in teams (as gate.TeamsNeeded lists them).
// The number of API calls depends only on the number of pages and of teams.
// Now is left for the caller to set.
func Fetch(ctx context.Context, client *github.Client, owner, repo string, number int, teams []policy.Team) (gate.Facts, error) {
	pr, err := getPR(ctx, client, owner, repo, number)
	if err != nil {
		return gate.Facts{}, err
	}
	return fetchRead(ctx, client, owner, repo, pr, teams)
}

func getPR(ctx context.Context, client *github.Client, owner, repo string, number int) (*github.PullRequest, error) {
	pr, _, err := client.PullRequests.Get(ctx, ghclient.Seg(owner), ghclient.Seg(repo), number)
	if err != nil {
		return nil, fmt.Errorf("reading pull request %s/%s#%d: %w", owner, repo, number, ghclient.Explain(err))
	}
	return pr, nil
}

// fetchRead is Fetch of a pull request already read.
func fetchRead(ctx context.Context, client *github.Client, owner, repo string, pr *github.PullRequest, teams []policy.Team) (gate.Facts, error) {
	number := pr.GetNumber()
	facts := gate.Facts{
		HasPR:   true,
		Number:  number,
		Author:  pr.GetUser().GetLogin(),
		HeadSHA: pr.GetHead().GetSHA(),
	}
	if facts.Author == "" || facts.HeadSHA == "" {
		return gate.Facts{}, fmt.Errorf("pull request %s/%s#%d: GitHub returned no author or head commit", owner, repo, number)
	}

	reviews, err := ghclient.All(func(o github.ListOptions) ([]*github.PullRequestReview, *github.Response, error) {
		return client.PullRequests.ListReviews(ctx, ghclient.Seg(owner), ghclient.Seg(repo), number, &o)
	})
	if err != nil {
		return gate.Facts{}, fmt.Errorf("listing reviews of %s/%s#%d: %w", owner, repo, number, ghclient.Explain(err))
	}
	for _, r := range reviews {
		// A deleted account ("ghost") has no user; a pending review is not
		// submitted and only its author can see it. Neither decides anything.
		if r.GetUser().GetLogin() == "" || r.GetState() == "PENDING" {
			continue
		}
		facts.Reviews = append(facts.Reviews, gate.Review{
			Login:       r.GetUser().GetLogin(),
			Bot:         isBot(r.GetUser()),
			State:       r.GetState(),
			CommitID:    r.GetCommitID(),
			SubmittedAt: r.GetSubmittedAt().Time,
		})
	}

	commits, err := ghclient.All(func(o github.ListOptions) ([]*github.RepositoryCommit, *github.Response, error) {
		return client.PullRequests.ListCommits(ctx, ghclient.Seg(owner), ghclient.Seg(repo), number, &o)
	})
	if err != nil {
		return gate.Facts{}, fmt.Errorf("listing commits of %s/%s#%d: %w", owner, repo, number, ghclient.Explain(err))
	}
	// GitHub stops listing at 250 commits; committers beyond that would be
	// invisible and could approve their own changes.
	if len(commits) < pr.GetCommits() {
		return gate.Facts{}, fmt.Errorf("pull request %s/%s#%d has %d commits but GitHub lists only %d (at most %d): cannot tell who pushed to it",
			owner, repo, number, pr.GetCommits(), len(commits), maxListedCommits)
	}
	if facts.Pushers, err = pushers(ctx, client, pr, commits); err != nil {
		return gate.Facts{}, fmt.Errorf("%s/%s: %w", owner, repo, err)
	}
	seen := map[string]bool{}
	for _, c := range commits {
		for _, u := range []*github.User{c.GetAuthor(), c.GetCommitter()} {
			login := u.GetLogin()
			if login == "" || strings.EqualFold(login, webFlow) || seen[strings.ToLower(login)] {
				continue
			}
			seen[strings.ToLower(login)] = true
			facts.Committers = append(facts.Committers, login)
		}
	}

	facts.TeamMembers, err = teamMembers(ctx, client, teams)
	if err != nil {
		return gate.Facts{}, err
	}
	return facts, nil
}

// files lists the files pull request pr changes, every page. GitHub lists
// at most 3000 whatever the pagination; FilesTotal is its count of all, so
// the gate can tell when some are missing.
func files(ctx context.Context, client *github.Client, owner, repo string, pr *github.PullRequest, facts *gate.Facts) error {
	listed, err := ghclient.All(func(o github.ListOptions) ([]*github.CommitFile, *github.Response, error) {
		return client.PullRequests.ListFiles(ctx, ghclient.Seg(owner), ghclient.Seg(repo), pr.GetNumber(), &o)
	})
	if err != nil {
		return fmt.Errorf("listing files of %s/%s#%d: %w", owner, repo, pr.GetNumber(), ghclient.Explain(err))
	}
	facts.Files = make([]gate.ChangedFile, len(listed))
	for i, f := range listed {
		facts.Files[i] = gate.ChangedFile{Path: f.GetFilename(), Previous: f.GetPreviousFilename(), Status: f.GetStatus()}
	}
	facts.FilesTotal = max(pr.GetChangedFiles(), len(listed))
	return nil
}

// held reads what each principal holds at its scope's team or repository,
// through the target code the provider grants with (one snapshot per team
// or repository, however many requests).
func held(ctx context.Context, client *github.Client, holdings []gate.Holding) (map[string]string, error) {
	t := ghtarget.New(client)
	out := map[string]string{}
	for _, h := range holdings {
		level, err := t.HeldLevel(ctx, h.Principal, h.Scope)
		if err != nil {
			return nil, fmt.Errorf("reading what %s holds at %s: %w", h.Principal, h.Scope.Resource(), err)
		}
		out[gate.HeldKey(h.Principal, h.Scope)] = level
	}
	return out, nil
}

// teamMembers lists the active members of each team, keyed by
// policy.Team.Key, with lowercase logins.
func teamMembers(ctx context.Context, client *github.Client, teams []policy.Team) (map[string][]string, error) {
	members := map[string][]string{}
	for _, t := range teams {
		if _, done := members[t.Key()]; done {
			continue
		}
		users, err := ghclient.All(func(o github.ListOptions) ([]*github.User, *github.Response, error) {
			return client.Teams.ListTeamMembersBySlug(ctx, ghclient.Seg(t.Org), ghclient.Seg(t.Slug), &github.TeamListTeamMembersOptions{Role: "all", ListOptions: o})
		})
		if err != nil {
			return nil, fmt.Errorf("listing members of team %s: %w", t.Key(), ghclient.Explain(err))
		}
		logins := make([]string, 0, len(users))
		for _, u := range users {
			if u.GetLogin() != "" {
				logins = append(logins, strings.ToLower(u.GetLogin()))
			}
		}
		members[t.Key()] = logins
	}
	return members, nil
}

// ErrNoMergedPR is FindMergedPR's error for a commit that no pull request's
// merge produced.
var ErrNoMergedPR = errors.New("not the merge of any pull request: nothing approved it")

// PostHoc reads, for the break-glass follow-up, the facts of the pull
// request merged as each commit (see gate.BreakGlassCommits), keyed by the
// commit as given; a commit no pull request's merge produced gets facts with
// HasPR false. Team members are read once for all of them, so the calls are
// 1 per team plus about 5 per commit.
func PostHoc(ctx context.Context, client *github.Client, owner, repo string, commits []string, teams []policy.Team) (map[string]gate.Facts, error) {
	out := map[string]gate.Facts{}
	if len(commits) == 0 {
		return out, nil
	}
	members, err := teamMembers(ctx, client, teams)
	if err != nil {
		return nil, err
	}
	for _, sha := range commits {
		number, err := FindMergedPR(ctx, client, owner, repo, sha)
		if errors.Is(err, ErrNoMergedPR) {
			out[sha] = gate.Facts{}
			continue
		}
		if err != nil {
			return nil, err
		}
		facts, err := Fetch(ctx, client, owner, repo, number, nil)
		if err != nil {
			return nil, err
		}
		facts.TeamMembers = members
		out[sha] = facts
	}
	return out, nil
}

// FindMergedPR returns the pull request whose merge produced commit sha: the
// merged one among the commit's pull requests with merge_commit_sha == sha.
// A commit pushed without a pull request is ErrNoMergedPR: nobody approved it.
func FindMergedPR(ctx context.Context, client *github.Client, owner, repo, sha string) (int, error) {
	prs, err := ghclient.All(func(o github.ListOptions) ([]*github.PullRequest, *github.Response, error) {
		return client.PullRequests.ListPullRequestsWithCommit(ctx, ghclient.Seg(owner), ghclient.Seg(repo), ghclient.Seg(sha), &o)
	})
	if err != nil {
		return 0, fmt.Errorf("listing pull requests of commit %s in %s/%s: %w", sha, owner, repo, ghclient.Explain(err))
	}
	for _, pr := range prs {
		if pr.MergedAt != nil && strings.EqualFold(pr.GetMergeCommitSHA(), sha) {
			return pr.GetNumber(), nil
		}
	}
	return 0, fmt.Errorf("commit %s in %s/%s is %w", sha, owner, repo, ErrNoMergedPR)
}

// isBot reports whether u is a bot account; apps' logins end in "[bot]" even
// where the type is missing.
func isBot(u *github.User) bool {
	return u.GetType() == "Bot" || strings.HasSuffix(strings.ToLower(u.GetLogin()), "[bot]")
}
