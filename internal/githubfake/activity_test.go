package githubfake

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-github/v60/github"
)

// activityItem is the part of a repository activity the tests read.
type activityItem struct {
	Before, After, Ref string
	ActivityType       string `json:"activity_type"`
	Actor              *github.User
}

// activityPage reads one page of GET /repos/{owner}/{repo}/activity.
func activityPage(t *testing.T, c *github.Client, repo string, q url.Values) ([]activityItem, *github.Response) {
	t.Helper()
	var items []activityItem
	resp, err := do(c, http.MethodGet, "repos/"+repo+"/activity?"+q.Encode(), nil, &items)
	if err != nil {
		t.Fatalf("activity of %s?%s: %v", repo, q.Encode(), err)
	}
	return items, resp
}

func TestActivityListsPushesToPullRequestBranches(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	n := f.AddPullRequest("acme", "api", PullRequest{Author: "alice", HeadRef: "feature", BaseSHA: "b0"})
	f.AddCommit("acme", "api", n, "c1", "alice", "alice")
	// bob pushes a commit whose email GitHub links to nobody.
	f.PushToPull("acme", "api", n, PullPush{Pusher: "bob", Commits: []SeedCommit{{SHA: "c2"}, {SHA: "c3"}}})
	f.PushToPull("acme", "api", n, PullPush{Commits: []SeedCommit{{SHA: "c4", Author: "alice"}}, Force: true})

	items, resp := activityPage(t, c, "acme/api", url.Values{"ref": {"feature"}})
	want := []activityItem{
		{Before: "c3", After: "c4", Ref: "refs/heads/feature", ActivityType: "force_push"},
		{Before: "c1", After: "c3", Ref: "refs/heads/feature", ActivityType: "push"},
		{Before: zeroSHA, After: "c1", Ref: "refs/heads/feature", ActivityType: "branch_creation"},
	}
	actors := []string{"alice", "bob", "alice"}
	if len(items) != len(want) || resp.After != "" {
		t.Fatalf("activity = %+v (next %q), want %d pushes on one page", items, resp.After, len(want))
	}
	for i, it := range items {
		if it.Before != want[i].Before || it.After != want[i].After || it.Ref != want[i].Ref || it.ActivityType != want[i].ActivityType ||
			it.Actor.GetLogin() != actors[i] {
			t.Errorf("activity %d = %+v by %s, want %+v by %s", i, it, it.Actor.GetLogin(), want[i], actors[i])
		}
	}

	// The commits have their parents, and the force push replaced them.
	commits, _, err := c.PullRequests.ListCommits(ctx, "acme", "api", n, nil)
	if err != nil || len(commits) != 1 || commits[0].GetSHA() != "c4" || len(commits[0].Parents) != 1 || commits[0].Parents[0].GetSHA() != "b0" {
		t.Fatalf("commits after the force push = %v, %v", commits, err)
	}

	// Cursor pagination, both ways, and filters.
	first, resp := activityPage(t, c, "acme/api", url.Values{"ref": {"refs/heads/feature"}, "per_page": {"2"}})
	if len(first) != 2 || resp.After == "" {
		t.Fatalf("first page = %+v, next %q", first, resp.After)
	}
	rest, resp := activityPage(t, c, "acme/api", url.Values{"ref": {"feature"}, "per_page": {"2"}, "after": {resp.After}})
	if len(rest) != 1 || rest[0].ActivityType != "branch_creation" || resp.After != "" || resp.Before == "" {
		t.Fatalf("second page = %+v (next %q, prev %q)", rest, resp.After, resp.Before)
	}
	back, _ := activityPage(t, c, "acme/api", url.Values{"ref": {"feature"}, "per_page": {"2"}, "before": {resp.Before}})
	if len(back) != 2 || back[0].After != "c4" {
		t.Errorf("previous page = %+v", back)
	}
	if byBob, _ := activityPage(t, c, "acme/api", url.Values{"actor": {"BOB"}}); len(byBob) != 1 || byBob[0].After != "c3" {
		t.Errorf("actor=bob: %+v", byBob)
	}
	if asc, _ := activityPage(t, c, "acme/api", url.Values{"direction": {"asc"}, "activity_type": {"push"}}); len(asc) != 1 || asc[0].After != "c3" {
		t.Errorf("pushes only: %+v", asc)
	}
	_, err = do(c, http.MethodGet, "repos/acme/api/activity?after=bogus", nil, &[]activityItem{})
	wantStatus(t, err, http.StatusUnprocessableEntity)
}

func TestActivityOfForkAndBranches(t *testing.T) {
	f := newFake(t)
	f.AddRepo("bob", "api")
	f.AddToken("tok-bob", "bob")
	n := f.AddPullRequest("acme", "api", PullRequest{Author: "bob", HeadRepo: "bob/api", HeadRef: "main"})
	f.AddCommit("acme", "api", n, "f1", "", "")

	pr, _, err := client(t, f, adminToken).PullRequests.Get(ctx, "acme", "api", n)
	if err != nil || pr.GetHead().GetRepo().GetFullName() != "bob/api" || pr.GetHead().GetLabel() != "bob:main" || pr.GetBase().GetRepo().GetFullName() != "acme/api" {
		t.Fatalf("pull request from a fork = %+v, %v", pr.GetHead(), err)
	}
	if items, _ := activityPage(t, client(t, f, "tok-bob"), "bob/api", url.Values{}); len(items) != 1 || items[0].After != "f1" || items[0].Actor.GetLogin() != "bob" {
		t.Errorf("the fork's activity = %+v", items)
	}
	if items, _ := activityPage(t, client(t, f, adminToken), "acme/api", url.Values{}); len(items) != 0 {
		t.Errorf("the base repository's activity = %+v, want none", items)
	}
	// A workflow token reaches its own repository only.
	f.AddActionsToken("tok-actions", "acme", "api", map[string]string{"contents": "read"})
	_, err = do(client(t, f, "tok-actions"), http.MethodGet, "repos/bob/api/activity", nil, &[]activityItem{})
	wantStatus(t, err, http.StatusNotFound)

	// Pushes to a repository's branches are its activity too.
	base := f.PushCommit("acme", "api", RepoCommit{Author: "admin", Branch: "main", Files: map[string]string{"a": "1"}})
	f.PushCommit("acme", "api", RepoCommit{Parents: []string{base}, Author: "alice", Branch: "main", Files: map[string]string{"a": "2"}})
	other := f.PushCommit("acme", "api", RepoCommit{Author: "alice", Files: map[string]string{"b": "1"}})
	f.SetBranch("acme", "api", "main", other)
	f.PushCommit("acme", "api", RepoCommit{Parents: []string{base}, Author: "alice", Pusher: "admin", Branch: "main"})
	items, _ := activityPage(t, client(t, f, adminToken), "acme/api", url.Values{"ref": {"main"}, "direction": {"asc"}})
	kinds := []string{"branch_creation", "push", "force_push"}
	if len(items) != 3 {
		t.Fatalf("main's activity = %+v", items)
	}
	for i, it := range items {
		if it.ActivityType != kinds[i] {
			t.Errorf("main's activity %d = %s, want %s", i, it.ActivityType, kinds[i])
		}
	}
	if items[2].Actor.GetLogin() != "admin" {
		t.Errorf("the force push's actor = %s, want admin", items[2].Actor.GetLogin())
	}
}
