package prfacts

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

const (
	head  = "1111111111111111111111111111111111111111"
	token = "gate-token"
)

// world is a fake GitHub with an org, two teams, a repository and a pull
// request by alice, and a client for the gate's account.
func world(t *testing.T) (*githubfake.Fake, *github.Client, int) {
	t.Helper()
	f := githubfake.New()
	t.Cleanup(f.Close)
	for _, u := range []string{"alice", "bob", "Carol", "dave", "gatekeeper", "mallory", "web-flow"} {
		f.AddUser(u)
	}
	f.AddBot("renovate[bot]")
	f.AddOrg("acme")
	f.AddTeam("acme", "admins")
	f.AddTeam("acme", "sre")
	f.SetTeamMembership("acme", "admins", "Carol", "maintainer", "active")
	f.SetTeamMembership("acme", "admins", "dave", "member", "pending")
	f.SetTeamMembership("acme", "sre", "bob", "member", "active")
	f.AddRepo("acme", "infra")
	n := f.AddPullRequest("acme", "infra", githubfake.PullRequest{Author: "alice", HeadSHA: "0000000000000000000000000000000000000001"})
	// The gate's account reads the PR, lists the teams and writes comments
	// and labelled issues, which on GitHub takes org membership and push.
	f.SetOrgMember("acme", "gatekeeper", "member")
	f.SetCollaborator("acme", "infra", "gatekeeper", "push")
	f.AddToken(token, "gatekeeper")
	return f, client(t, f), n
}

func client(t *testing.T, f *githubfake.Fake) *github.Client {
	t.Helper()
	c, err := ghclient.New(ghclient.Config{Token: token, BaseURL: f.URL(), MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFetch(t *testing.T) {
	f, c, n := world(t)
	f.AddCommit("acme", "infra", n, "0000000000000000000000000000000000000002", "alice", "web-flow")
	f.AddCommit("acme", "infra", n, "0000000000000000000000000000000000000003", "", "mallory")
	f.AddCommit("acme", "infra", n, head, "ALICE", "")
	for i := range 248 {
		f.AddReview("acme", "infra", n, []string{"bob", "Carol", "dave"}[i%3], "COMMENTED", head)
	}
	f.AddReview("acme", "infra", n, "renovate[bot]", "APPROVED", head)
	f.AddReview("acme", "infra", n, "Carol", "APPROVED", head)
	f.ResetCalls()

	facts, err := Fetch(context.Background(), c, "acme", "infra", n, []policy.Team{{Org: "acme", Slug: "admins"}, {Org: "acme", Slug: "sre"}, {Org: "acme", Slug: "admins"}})
	if err != nil {
		t.Fatal(err)
	}
	if !facts.HasPR || facts.Number != n || facts.Author != "alice" || facts.HeadSHA != head {
		t.Errorf("facts = %+v", facts)
	}
	if len(facts.Reviews) != 250 {
		t.Fatalf("%d reviews, want all 250", len(facts.Reviews))
	}
	last := facts.Reviews[249]
	if last.Login != "Carol" || last.State != gate.StateApproved || last.CommitID != head || last.Bot || last.SubmittedAt.IsZero() {
		t.Errorf("last review = %+v", last)
	}
	if bot := facts.Reviews[248]; !bot.Bot {
		t.Errorf("bot review = %+v", bot)
	}
	if want := []string{"alice", "mallory"}; !slices.Equal(facts.Committers, want) {
		t.Errorf("committers = %v, want %v", facts.Committers, want)
	}
	want := map[string][]string{"acme/admins": {"carol"}, "acme/sre": {"bob"}}
	if fmt.Sprint(facts.TeamMembers) != fmt.Sprint(want) {
		t.Errorf("team members = %v, want %v (pending members left out)", facts.TeamMembers, want)
	}
	calls := map[string]int{
		"GET /repos/{owner}/{repo}/pulls/{pull_number}":         1,
		"GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews": 3, // 100 per page
		"GET /repos/{owner}/{repo}/pulls/{pull_number}/commits": 1,
		"GET /repos/{owner}/{repo}/activity":                    1, // one page of pushes
		"GET /orgs/{org}/teams/{team_slug}/members":             2, // each team once
	}
	for route, n := range calls {
		if got := f.Calls(route); got != n {
			t.Errorf("%s: %d calls, want %d", route, got, n)
		}
	}
	if f.TotalCalls() != 8 {
		t.Errorf("%d calls in all: %v", f.TotalCalls(), f.AllCalls())
	}
}

// TestFetchCallsFlat: the facts cost the same for a plan with 1 elevation as
// for one with 100; only pages and teams add calls.
func TestFetchCallsFlat(t *testing.T) {
	f, c, n := world(t)
	f.AddCommit("acme", "infra", n, head, "alice", "alice")
	f.AddReview("acme", "infra", n, "Carol", "APPROVED", head)

	planWith := func(elevations int) *plan.Plan {
		p := &plan.Plan{Policies: []plan.PolicyChange{{
			Resource: plan.Resource{Address: "jit_optout_policy.ops", Type: plan.TypePolicy, Name: "ops"},
			Action:   plan.ActionNoOp,
			Before:   &policy.Policy{ID: "ops", Name: "ops", Approvers: []string{"team:acme/admins", "bob"}, Requesters: []string{"team:acme/sre"}},
			After:    &policy.Policy{ID: "ops", Name: "ops", Approvers: []string{"team:acme/admins", "bob"}, Requesters: []string{"team:acme/sre"}},
		}}}
		for i := range elevations {
			p.Elevations = append(p.Elevations, plan.ElevationChange{
				Resource: plan.Resource{Address: fmt.Sprintf("jit_elevation.e%d", i), Type: plan.TypeElevation},
				Action:   plan.ActionCreate,
				After:    &policy.Elevation{PolicyID: "ops", Principal: fmt.Sprintf("user%d", i), Scope: "github:team:acme/sre", Duration: time.Hour},
			})
		}
		return p
	}
	var counts []int
	for _, elevations := range []int{1, 100} {
		f.ResetCalls()
		p := planWith(elevations)
		opts := gate.Options{Mode: gate.ModePR}
		if _, err := Fetch(context.Background(), c, "acme", "infra", n, gate.TeamsNeeded(p, opts)); err != nil {
			t.Fatal(err)
		}
		counts = append(counts, f.TotalCalls())
	}
	t.Logf("calls for 1 and 100 elevations: %v", counts)
	if counts[0] != counts[1] || counts[0] != 6 {
		t.Errorf("calls for 1 and 100 elevations = %v, want 6 each", counts)
	}
}

func TestFetchTooManyCommits(t *testing.T) {
	f, c, n := world(t)
	for i := range 251 {
		f.AddCommit("acme", "infra", n, fmt.Sprintf("%040x", i+16), "alice", "alice")
	}
	_, err := Fetch(context.Background(), c, "acme", "infra", n, nil)
	if err == nil || !strings.Contains(err.Error(), "251 commits") {
		t.Errorf("err = %v, want a refusal naming 251 commits", err)
	}
}

func TestFetchFailsClosed(t *testing.T) {
	f, c, n := world(t)
	f.InjectFault(githubfake.Fault{Method: "GET", PathPrefix: "/repos/acme/infra/pulls/", Status: http.StatusBadGateway, Times: -1})
	if _, err := Fetch(context.Background(), c, "acme", "infra", n, nil); err == nil {
		t.Error("Fetch passed through a persistent 502")
	}
	f.ClearFaults()
	if _, err := Fetch(context.Background(), c, "acme", "infra", n, []policy.Team{{Org: "acme", Slug: "nope"}}); err == nil {
		t.Error("Fetch passed with a team that does not exist")
	}
	if _, err := Fetch(context.Background(), c, "acme", "infra", 999, nil); err == nil {
		t.Error("Fetch passed for a missing pull request")
	}
}

func TestFindMergedPR(t *testing.T) {
	f, c, n := world(t)
	f.AddCommit("acme", "infra", n, head, "alice", "alice")
	other := f.AddPullRequest("acme", "infra", githubfake.PullRequest{Author: "bob"})
	f.AddCommit("acme", "infra", other, head, "alice", "alice") // the same commit, in an open PR
	const merge = "2222222222222222222222222222222222222222"

	if _, err := FindMergedPR(context.Background(), c, "acme", "infra", merge); err == nil {
		t.Error("FindMergedPR found a PR before any merge")
	}
	if _, err := FindMergedPR(context.Background(), c, "acme", "infra", head); err == nil {
		t.Error("FindMergedPR accepted a head commit of open PRs")
	}
	f.MergePR("acme", "infra", n, merge)
	got, err := FindMergedPR(context.Background(), c, "acme", "infra", merge)
	if err != nil || got != n {
		t.Errorf("FindMergedPR = %d, %v; want %d", got, err, n)
	}
}

// With Actions' GITHUB_TOKEN the gate reads the pull request, but GitHub
// does not let that token list an org's team members: approvers named by
// team cannot be resolved, and the error says which permission is missing
// instead of passing or failing obscurely.
func TestFetchWithGitHubTokenCannotResolveTeams(t *testing.T) {
	f, _, n := world(t)
	f.AddActionsToken("ghs_run", "acme", "infra", map[string]string{"contents": "read", "pull-requests": "write", "issues": "write"})
	c, err := ghclient.New(ghclient.Config{Token: "ghs_run", BaseURL: f.URL(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Fetch(context.Background(), c, "acme", "infra", n, nil); err != nil {
		t.Fatalf("without teams: %v", err)
	}
	_, err = Fetch(context.Background(), c, "acme", "infra", n, []policy.Team{{Org: "acme", Slug: "admins"}})
	if err == nil || !strings.Contains(err.Error(), "listing members of team acme/admins") || !strings.Contains(err.Error(), "needs the GitHub permission members=read") {
		t.Fatalf("err = %v, want one naming the team and members=read", err)
	}
}
