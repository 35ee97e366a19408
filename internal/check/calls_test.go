package check

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
	"github.com/jitgate/terraform-provider-jit/internal/settings"
)

// The GitHub API calls of one pr-mode check, counted by the fake per route:
// with and without the settings file at the base commit, and with 1, 100
// and 101 changed files. The plan (testdata/plans/expired.json) revokes an
// expired elevation under a policy with one team among its approvers.
func TestCheckAPICalls(t *testing.T) {
	for _, tt := range []struct {
		settings bool
		files    int
		want     map[string]int
	}{
		{false, 1, map[string]int{"contents": 1, "commit": 1, "files": 1}},
		{true, 1, map[string]int{"contents": 1, "files": 1}},
		{false, 100, map[string]int{"contents": 1, "commit": 1, "files": 1}},
		{true, 100, map[string]int{"contents": 1, "files": 1}},
		{true, 101, map[string]int{"contents": 1, "files": 2}},
	} {
		t.Run(fmt.Sprintf("settings %v, %d files", tt.settings, tt.files), func(t *testing.T) {
			f, client := callWorld(t)
			files := map[string]string{"main.tf": "# infra\n"}
			if tt.settings {
				files[settings.Path] = "governance_approvers: [carol, team:acme/leads]\n"
			}
			base := f.PushCommit("acme", "infra", githubfake.RepoCommit{Files: files, Branch: "main", Author: "alice"})
			n := f.AddPullRequest("acme", "infra", githubfake.PullRequest{Author: "alice", BaseSHA: base})
			f.AddCommit("acme", "infra", n, strings.Repeat("a", 40), "alice", "alice")
			changed := make([]githubfake.PullFile, tt.files)
			for i := range changed {
				changed[i] = githubfake.PullFile{Filename: fmt.Sprintf("envs/%d/main.tf", i)}
			}
			f.SetPullFiles("acme", "infra", n, changed)
			f.ResetCalls()

			cfg := Config{PlanPath: "../../testdata/plans/expired.json", Mode: gate.ModePR, Owner: "acme", Repo: "infra", PR: n, Now: time.Now(),
				Client: func() (*github.Client, error) { return client, nil }}
			r, err := Run(context.Background(), cfg, Output{Format: "json", Stdout: io.Discard, Stderr: io.Discard})
			if err != nil || r.Verdict == gate.VerdictError {
				t.Fatalf("verdict %s, %v", r.Verdict, err)
			}
			want := map[string]int{
				"GET /repos/{owner}/{repo}/pulls/{pull_number}":         1,
				"GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews": 1,
				"GET /repos/{owner}/{repo}/pulls/{pull_number}/commits": 1,
				"GET /repos/{owner}/{repo}/activity":                    1, // who pushed to the pull request's branch (pusher)
				"GET /orgs/{org}/teams/{team_slug}/members":             1, // the policy's approver team
				"GET /repos/{owner}/{repo}/contents/{path}":             tt.want["contents"],
				"GET /repos/{owner}/{repo}/pulls/{pull_number}/files":   tt.want["files"],
			}
			if tt.settings {
				want["GET /orgs/{org}/teams/{team_slug}/members"]++ // and the governance approvers' team
			}
			if tt.want["commit"] > 0 {
				want["GET /repos/{owner}/{repo}/commits/{ref}"] = tt.want["commit"] // a 404 for the file is confirmed on the commit
			}
			got := f.AllCalls()
			if !maps.Equal(got, want) {
				t.Errorf("calls %v\nwant  %v", got, want)
			}
			total := 0
			for _, k := range slices.Sorted(maps.Keys(got)) {
				total += got[k]
			}
			t.Logf("%d calls", total)
		})
	}
}

func callWorld(t *testing.T) (*githubfake.Fake, *github.Client) {
	t.Helper()
	f := githubfake.New()
	t.Cleanup(f.Close)
	for _, u := range []string{"alice", "bob", "carol", "gatekeeper"} {
		f.AddUser(u)
	}
	f.AddOrg("acme")
	f.AddTeam("acme", "sre")
	f.AddTeam("acme", "leads")
	f.SetOrgMember("acme", "gatekeeper", "member")
	f.AddRepo("acme", "infra")
	f.SetCollaborator("acme", "infra", "gatekeeper", "push")
	f.AddToken("tok", "gatekeeper")
	c, err := ghclient.New(ghclient.Config{Token: "tok", BaseURL: f.URL(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}
