package githubfake

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-github/v60/github"
)

func pullRequestRule(count int) Rule {
	return Rule{Type: "pull_request", Parameters: map[string]any{
		"required_approving_review_count": count, "dismiss_stale_reviews_on_push": true, "require_code_owner_review": true,
		"require_last_push_approval": true, "required_review_thread_resolution": false,
	}}
}

func TestRulesetsAndBranchRules(t *testing.T) {
	f := newFake(t)
	f.PushCommit("acme", "api", RepoCommit{Author: "admin", Branch: "main", Files: map[string]string{"main.tf": ""}})
	f.SetCollaborator("acme", "api", "alice", "push")
	id := f.AddRuleset("acme", "api", Ruleset{
		Name: "main", Include: []string{"~DEFAULT_BRANCH"},
		BypassActors: []BypassActor{{ActorID: 5, ActorType: "RepositoryRole"}, {ActorType: "DeployKey"}},
		Rules:        []Rule{pullRequestRule(1), {Type: "deletion"}},
	})
	f.AddRuleset("acme", "api", Ruleset{Name: "trial", Enforcement: "evaluate", Include: []string{"~ALL"}, Rules: []Rule{{Type: "non_fast_forward"}}})
	f.AddRuleset("acme", "api", Ruleset{Name: "releases", Include: []string{"refs/heads/release/**"}, Exclude: []string{"refs/heads/release/old"},
		Rules: []Rule{{Type: "creation"}}})

	type rule struct {
		Type       string          `json:"type"`
		Parameters json.RawMessage `json:"parameters"`
		RulesetID  int64           `json:"ruleset_id"`
		Source     string          `json:"ruleset_source"`
	}
	rulesFor := func(token, branch string) []rule {
		var out []rule
		if _, err := do(client(t, f, token), http.MethodGet, "repos/acme/api/rules/branches/"+branch, nil, &out); err != nil {
			t.Fatalf("rules of %s: %v", branch, err)
		}
		return out
	}
	// Only active rulesets count, and the branch need not exist.
	if got := rulesFor(adminToken, "main"); len(got) != 2 || got[0].Type != "pull_request" || got[0].RulesetID != id || got[0].Source != "acme/api" {
		t.Errorf("rules of main = %+v", got)
	}
	if got := rulesFor(adminToken, "release/v2/x"); len(got) != 1 || got[0].Type != "creation" {
		t.Errorf("rules of release/v2/x = %+v", got)
	}
	if got := rulesFor(adminToken, "release/old"); len(got) != 0 {
		t.Errorf("rules of an excluded branch = %+v", got)
	}

	// The bypass actors are shown to those who may edit the ruleset only.
	type rs struct {
		Name         string            `json:"name"`
		Rules        []rule            `json:"rules"`
		BypassActors *[]map[string]any `json:"bypass_actors"`
	}
	get := func(token string) rs {
		var out rs
		if _, err := do(client(t, f, token), http.MethodGet, "repos/acme/api/rulesets/"+jsonNumber(id), nil, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	f.AddToken("tok-alice", "alice")
	if got := get(adminToken); got.BypassActors == nil || len(*got.BypassActors) != 2 || (*got.BypassActors)[1]["actor_id"] != nil || len(got.Rules) != 2 {
		t.Errorf("ruleset for an admin = %+v", got)
	}
	if got := get("tok-alice"); got.BypassActors != nil || got.Name != "main" {
		t.Errorf("ruleset for a writer = %+v, want no bypass actors", got)
	}
	f.AddInstallationToken("tok-admin-read", Installation{App: "doctor", Account: "acme", Permissions: map[string]string{"administration": "read"}})
	if got := get("tok-admin-read"); got.BypassActors != nil {
		t.Errorf("ruleset for administration read = %+v, want no bypass actors", got)
	}
	f.AddInstallationToken("tok-admin-write", Installation{App: "owner", Account: "acme", Permissions: map[string]string{"administration": "write"}})
	if got := get("tok-admin-write"); got.BypassActors == nil {
		t.Error("administration write sees no bypass actors")
	}
	var list []rs
	if _, err := do(client(t, f, "tok-alice"), http.MethodGet, "repos/acme/api/rulesets", nil, &list); err != nil || len(list) != 3 || list[0].Rules != nil {
		t.Errorf("rulesets = %+v, %v", list, err)
	}
	_, err := do(client(t, f, adminToken), http.MethodGet, "repos/acme/api/rulesets/1", nil, &rs{})
	wantStatus(t, err, http.StatusNotFound)

	b, _, err := client(t, f, adminToken).Repositories.GetBranch(ctx, "acme", "api", "main", 0)
	if err != nil || !b.GetProtected() {
		t.Errorf("main under a ruleset: protected = %v, %v", b.GetProtected(), err)
	}
	f.RemoveRuleset("acme", "api", id)
	if got := rulesFor(adminToken, "main"); len(got) != 0 {
		t.Errorf("rules after removing the ruleset = %+v", got)
	}
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestRulesetsRefuseWhatGitHubRefuses(t *testing.T) {
	f := newFake(t)
	for name, rs := range map[string]Ruleset{
		"missing parameter": {Name: "x", Rules: []Rule{{Type: "pull_request", Parameters: map[string]any{"required_approving_review_count": 1}}}},
		"unknown rule":      {Name: "x", Rules: []Rule{{Type: "push_everything"}}},
		"bad pattern":       {Name: "x", Include: []string{"main"}},
		"bad actor":         {Name: "x", BypassActors: []BypassActor{{ActorType: "Robot"}}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: accepted", name)
				}
			}()
			f.AddRuleset("acme", "api", rs)
		}()
	}
}

func TestBranchProtection(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	f.PushCommit("acme", "api", RepoCommit{Author: "admin", Branch: "main"})
	// go-github turns GitHub's 404 "Branch not protected" into its own error.
	_, _, err := c.Repositories.GetBranchProtection(ctx, "acme", "api", "main")
	if !errors.Is(err, github.ErrBranchNotProtected) {
		t.Errorf("unprotected: %v", err)
	}
	_, _, err = c.Repositories.GetBranchProtection(ctx, "acme", "api", "nope")
	if er := wantStatus(t, err, http.StatusNotFound); er.Message != "Branch not found" {
		t.Errorf("no branch: %q", er.Message)
	}
	f.SetBranchProtection("acme", "api", "main", &BranchProtection{
		RequiredChecks: []RequiredCheck{{Context: "jit-gate", AppID: 15368}, {Context: "lint"}},
		Reviews:        &RequiredReviews{Count: 2, DismissStale: true, BypassUsers: []string{"alice"}, BypassTeams: []string{"platform"}},
	})
	p, _, err := c.Repositories.GetBranchProtection(ctx, "acme", "api", "main")
	if err != nil {
		t.Fatal(err)
	}
	checks := *p.GetRequiredStatusChecks().Checks
	rv := p.GetRequiredPullRequestReviews()
	if len(checks) != 2 || checks[0].GetAppID() != 15368 || checks[1].AppID != nil || p.GetEnforceAdmins().Enabled ||
		rv.RequiredApprovingReviewCount != 2 || !rv.DismissStaleReviews || rv.RequireCodeOwnerReviews ||
		len(rv.GetBypassPullRequestAllowances().Users) != 1 || len(rv.GetBypassPullRequestAllowances().Teams) != 1 {
		t.Errorf("protection = %+v, reviews %+v", p, rv)
	}
	// Who is not an admin does not see it; an app needs administration read.
	f.SetCollaborator("acme", "api", "bob", "push")
	f.AddToken("tok-bob", "bob")
	_, _, err = client(t, f, "tok-bob").Repositories.GetBranchProtection(ctx, "acme", "api", "main")
	wantStatus(t, err, http.StatusNotFound)
	f.AddInstallationToken("tok-contents", Installation{App: "reader", Account: "acme", Permissions: map[string]string{"contents": "read"}})
	_, resp, err := client(t, f, "tok-contents").Repositories.GetBranchProtection(ctx, "acme", "api", "main")
	wantStatus(t, err, http.StatusForbidden)
	if got := resp.Header.Get("X-Accepted-GitHub-Permissions"); got != "administration=read" {
		t.Errorf("accepted permissions = %q", got)
	}
	f.SetBranchProtection("acme", "api", "main", nil)
	if _, _, err = c.Repositories.GetBranchProtection(ctx, "acme", "api", "main"); !errors.Is(err, github.ErrBranchNotProtected) {
		t.Errorf("protection removed: %v", err)
	}
}

func TestEnvironments(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	f.SetEnvironment("acme", "api", Environment{Name: "jit-apply", Branches: "custom", BranchPolicies: []BranchPolicy{{Name: "main"}}, Reviewers: []string{"alice"}})
	f.SetEnvironment("acme", "api", Environment{Name: "preview"})
	f.SetEnvironment("acme", "api", Environment{Name: "staging", Branches: "protected"})

	envs, _, err := c.Repositories.ListEnvironments(ctx, "acme", "api", nil)
	if err != nil || envs.GetTotalCount() != 3 {
		t.Fatalf("environments = %+v, %v", envs, err)
	}
	apply, preview, staging := envs.Environments[0], envs.Environments[1], envs.Environments[2]
	if !apply.GetDeploymentBranchPolicy().GetCustomBranchPolicies() || preview.DeploymentBranchPolicy != nil ||
		!staging.GetDeploymentBranchPolicy().GetProtectedBranches() || len(apply.ProtectionRules) != 2 {
		t.Errorf("environments = %+v / %+v / %+v", apply, preview, staging)
	}
	policies, _, err := c.Repositories.ListDeploymentBranchPolicies(ctx, "acme", "api", "jit-apply")
	if err != nil || policies.GetTotalCount() != 1 || policies.BranchPolicies[0].GetName() != "main" || policies.BranchPolicies[0].GetType() != "branch" {
		t.Errorf("branch policies = %+v, %v", policies, err)
	}
	_, _, err = c.Repositories.ListDeploymentBranchPolicies(ctx, "acme", "api", "nope")
	wantStatus(t, err, http.StatusNotFound)
	f.AddActionsToken("tok-no-actions", "acme", "api", map[string]string{"contents": "read"})
	_, _, err = client(t, f, "tok-no-actions").Repositories.ListEnvironments(ctx, "acme", "api", nil)
	wantStatus(t, err, http.StatusForbidden)
}

func TestTrees(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	_, _, err := c.Git.GetTree(ctx, "acme", "api", "main", true)
	wantStatus(t, err, http.StatusConflict)
	sha := f.PushCommit("acme", "api", RepoCommit{Author: "admin", Branch: "main", Files: map[string]string{
		"main.tf": "", ".github/workflows/pr.yml": "on: push", ".github/CODEOWNERS": "* @acme/platform",
	}})
	tree, _, err := c.Git.GetTree(ctx, "acme", "api", "main", true)
	if err != nil || tree.GetTruncated() {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range tree.Entries {
		paths = append(paths, e.GetType()+" "+e.GetPath())
	}
	want := []string{"tree .github", "blob .github/CODEOWNERS", "tree .github/workflows", "blob .github/workflows/pr.yml", "blob main.tf"}
	if len(paths) != len(want) {
		t.Fatalf("tree = %v, want %v", paths, want)
	}
	for i := range want {
		if paths[i] != want[i] {
			t.Errorf("tree = %v, want %v", paths, want)
			break
		}
	}
	top, _, err := c.Git.GetTree(ctx, "acme", "api", sha, false)
	if err != nil || len(top.Entries) != 2 {
		t.Errorf("top-level tree = %v, %v", top, err)
	}
	if byTree, _, err := c.Git.GetTree(ctx, "acme", "api", tree.GetSHA(), true); err != nil || len(byTree.Entries) != len(want) {
		t.Errorf("tree by its SHA = %v, %v", byTree, err)
	}
}
