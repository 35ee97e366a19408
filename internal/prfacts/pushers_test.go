package prfacts

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

func commitsOf(chain ...string) []*github.RepositoryCommit {
	var out []*github.RepositoryCommit
	parent := "base"
	for _, sha := range chain {
		out = append(out, &github.RepositoryCommit{SHA: github.String(sha), Parents: []*github.Commit{{SHA: github.String(parent)}}})
		parent = sha
	}
	return out
}

func TestAttribute(t *testing.T) {
	opened := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	before, after := opened.Add(-time.Hour), opened.Add(time.Hour)
	by := func(login string) *github.User {
		if login == "" {
			return nil
		}
		return &github.User{Login: github.String(login)}
	}
	p := func(from, to, login string, at time.Time) push {
		return push{Before: from, After: to, Actor: by(login), Timestamp: at}
	}
	tests := []struct {
		name    string
		pushes  []push
		commits []*github.RepositoryCommit
		want    []string
		missing string
	}{
		{"each push brings its commits", []push{p(zeroSHA, "c1", "alice", before), p("c1", "c3", "carol", after)},
			commitsOf("c1", "c2", "c3"), []string{"alice", "carol"}, ""},
		// A force push that keeps c1 and rewrites the rest brings c2' and c3'.
		{"force push", []push{p(zeroSHA, "c1", "alice", before), p("c1", "c2", "bob", after), p("c2", "c3x", "carol", after)},
			[]*github.RepositoryCommit{commitsOf("c1")[0], {SHA: github.String("c2x"), Parents: []*github.Commit{{SHA: github.String("c1")}}},
				{SHA: github.String("c3x"), Parents: []*github.Commit{{SHA: github.String("c2x")}}}},
			[]string{"alice", "bob", "carol"}, ""},
		// A push long ago to a branch of the same name brought none of the PR's
		// commits: its actor did not push to this pull request.
		{"old push to the same branch name", []push{p(zeroSHA, "old", "mallory", before), p(zeroSHA, "c1", "alice", before)},
			commitsOf("c1"), []string{"alice"}, ""},
		// Any push since the PR was opened counts, even one later undone.
		{"push undone since", []push{p(zeroSHA, "c1", "alice", before), p("c1", "gone", "dave", after), p("gone", "c1", "alice", after)},
			commitsOf("c1"), []string{"alice", "dave"}, ""},
		{"deleted account and web-flow name no one", []push{p(zeroSHA, "c1", "", before), p("c1", "c2", "web-flow", after)},
			commitsOf("c1", "c2"), nil, ""},
		{"deletion brings nothing", []push{p(zeroSHA, "c1", "alice", before), p("c1", zeroSHA, "bob", after)},
			commitsOf("c1"), []string{"alice"}, ""},
		{"a commit no push brought", []push{p(zeroSHA, "c1", "alice", before)}, commitsOf("c1", "c2"), []string{"alice"}, "c2"},
		{"no activity at all", nil, commitsOf("c1"), nil, "c1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, missing := attribute(tt.pushes, tt.commits, opened)
			if !slices.Equal(got, tt.want) || missing != tt.missing {
				t.Errorf("attribute = %v, missing %q; want %v, %q", got, missing, tt.want, tt.missing)
			}
		})
	}
}

func TestFetchPushers(t *testing.T) {
	f, c, n := world(t)
	// Carol pushes a commit whose e-mail GitHub links to no account.
	f.AddCommit("acme", "infra", n, "0000000000000000000000000000000000000002", "alice", "alice")
	f.PushToPull("acme", "infra", n, githubfake.PullPush{Pusher: "Carol", Commits: []githubfake.SeedCommit{{SHA: head}}})
	facts, err := Fetch(context.Background(), c, "acme", "infra", n, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(facts.Pushers, []string{"alice", "Carol"}) || !slices.Equal(facts.Committers, []string{"alice"}) {
		t.Errorf("pushers %v, committers %v", facts.Pushers, facts.Committers)
	}

	// More pushes than a page: every page is read.
	for i := range 120 {
		f.SetHead("acme", "infra", n, []string{head, "0000000000000000000000000000000000000002"}[i%2])
	}
	f.ResetCalls()
	if _, err := Fetch(context.Background(), c, "acme", "infra", n, nil); err != nil {
		t.Fatal(err)
	}
	if got := f.Calls("GET /repos/{owner}/{repo}/activity"); got != 2 {
		t.Errorf("%d activity pages read, want 2", got)
	}
}

func TestFetchFailsWhenPushersAreUnknown(t *testing.T) {
	f, c, n := world(t)
	f.AddCommit("acme", "infra", n, head, "alice", "alice")
	f.InjectFault(githubfake.Fault{Method: "GET", PathPrefix: "/repos/acme/infra/activity", Status: http.StatusForbidden})
	_, err := Fetch(context.Background(), c, "acme", "infra", n, nil)
	if err == nil || !strings.Contains(err.Error(), "cannot tell who pushed to it") || !strings.Contains(err.Error(), "GET /repos/acme/infra/activity") {
		t.Errorf("activity unreadable: %v", err)
	}

	// A pull request from a fork the token does not reach.
	f.AddUser("erin")
	f.AddRepo("erin", "infra")
	fork := f.AddPullRequest("acme", "infra", githubfake.PullRequest{Author: "erin", HeadRepo: "erin/infra", HeadRef: "main"})
	f.AddCommit("acme", "infra", fork, head, "", "")
	_, err = Fetch(context.Background(), c, "acme", "infra", fork, nil)
	if err == nil || !strings.Contains(err.Error(), "erin/infra") || !strings.Contains(err.Error(), "404") {
		t.Errorf("fork unreadable: %v", err)
	}
	// Once the token reaches the fork, its pushes are read there.
	f.SetCollaborator("erin", "infra", "gatekeeper", "pull")
	facts, err := Fetch(context.Background(), c, "acme", "infra", fork, nil)
	if err != nil || !slices.Equal(facts.Pushers, []string{"erin"}) {
		t.Errorf("fork readable: pushers %v, %v", facts.Pushers, err)
	}
}
