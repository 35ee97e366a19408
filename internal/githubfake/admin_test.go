package githubfake

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"
)

const demoSeed = `{
  "users": ["admin", "alice", "bob"],
  "bots": ["dependabot[bot]"],
  "tokens": {"tok-admin": "admin", "tok-alice": "alice"},
  "orgs": [{
    "name": "acme",
    "base_permission": "read",
    "members": {"admin": "admin", "alice": "member"},
    "teams": [{
      "slug": "platform",
      "members": {"alice": "maintainer"},
      "pending": {"bob": "member"},
      "repos": {"acme/api": "push"}
    }, {
      "slug": "api-oncall",
      "parent": "platform"
    }]
  }],
  "repos": [{
    "owner": "acme",
    "name": "api",
    "collaborators": {"alice": "triage"},
    "commits": [
      {"sha": "1111111111111111111111111111111111111111", "author": "admin", "message": "settings", "files": {".github/jit-gate.yml": "label: x\n"}},
      {"sha": "2222222222222222222222222222222222222222", "parents": ["1111111111111111111111111111111111111111"], "deleted": [".github/jit-gate.yml"], "files": {"main.tf": "# tf\n"}}
    ],
    "branches": {"main": "2222222222222222222222222222222222222222"},
    "tags": {"v1": "1111111111111111111111111111111111111111"},
    "pulls": [{
      "number": 7,
      "author": "alice",
      "title": "Grant access",
      "commits": [{"sha": "abc123", "author": "alice", "committer": "alice"}],
      "reviews": [{"login": "admin", "state": "APPROVED"}],
      "comments": [{"author": "admin", "body": "LGTM"}],
      "files": [{"filename": "main.tf", "additions": 1}]
    }],
    "issues": [{"title": "JIT audit log", "author": "admin", "labels": ["jit-audit"]}],
    "rulesets": [{"name": "main", "include": ["~DEFAULT_BRANCH"], "bypass_actors": [{"actor_id": 5, "actor_type": "RepositoryRole"}],
      "rules": [{"type": "deletion"}]}],
    "protection": {"main": {"required_checks": [{"context": "jit-gate", "app_id": 15368}], "reviews": {"count": 1, "bypass_users": ["alice"]}}},
    "environments": [{"name": "jit-apply", "branches": "custom", "branch_policies": [{"name": "main"}]}]
  }, {
    "owner": "alice",
    "name": "api",
    "pulls": []
  }, {
    "owner": "acme",
    "name": "web",
    "pulls": [{"number": 1, "author": "alice", "head_repo": "alice/api", "head_ref": "main", "commits": [{"sha": "f00d", "pusher": "bob"}]}]
  }],
  "installations": [{"token": "tok-app", "app": "jit-gate", "account": "acme", "repositories": ["api"], "permissions": {"members": "read"}}],
  "actions_tokens": [{"token": "tok-run", "repo": "acme/api", "permissions": {"issues": "write", "pull-requests": "read"}}]
}`

func post(t *testing.T, f *Fake, path, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(f.URL()+strings.TrimPrefix(path, "/"), "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestAdminLoadAndState(t *testing.T) {
	f := New()
	t.Cleanup(f.Close)
	if resp := post(t, f, "/_fake/load", demoSeed); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("load: %d", resp.StatusCode)
	}
	c := client(t, f, "tok-alice")
	m, _, err := c.Teams.GetTeamMembershipBySlug(ctx, "acme", "platform", "bob")
	if err != nil || m.GetState() != "pending" {
		t.Fatalf("bob = %v, %v", m, err)
	}
	if p := f.EffectivePermission("acme", "api", "alice"); p != "push" {
		t.Errorf("alice = %q", p)
	}
	if p := f.EffectivePermission("acme", "api", "bob"); p != "" {
		t.Errorf("bob, pending, = %q", p)
	}
	if got, _, _, err := c.Repositories.GetContents(ctx, "acme", "api", "main.tf", nil); err != nil || got == nil {
		t.Errorf("main.tf on main: %v, %v", got, err)
	}
	if _, _, err := client(t, f, "tok-app").Teams.ListTeamMembersBySlug(ctx, "acme", "platform", nil); err != nil {
		t.Errorf("the seeded app installation: %v", err)
	}
	if _, _, err := client(t, f, "tok-run").Teams.ListTeamMembersBySlug(ctx, "acme", "platform", nil); err == nil {
		t.Error("the seeded Actions token listed team members")
	}
	reviews, _, err := c.PullRequests.ListReviews(ctx, "acme", "api", 7, nil)
	if err != nil || len(reviews) != 1 || reviews[0].GetCommitID() != "abc123" {
		t.Fatalf("reviews = %v, %v", reviews, err)
	}
	if issues := f.Issues("acme", "api"); len(issues) != 1 || issues[0].Number != 8 {
		t.Errorf("issues = %+v", issues)
	}
	if p, _, err := client(t, f, "tok-admin").Repositories.GetBranchProtection(ctx, "acme", "api", "main"); err != nil || p.GetRequiredPullRequestReviews().RequiredApprovingReviewCount != 1 {
		t.Errorf("seeded protection = %+v, %v", p, err)
	}
	if envs, _, err := c.Repositories.ListEnvironments(ctx, "acme", "api", nil); err != nil || envs.GetTotalCount() != 1 {
		t.Errorf("seeded environments = %+v, %v", envs, err)
	}
	if pr, _, err := c.PullRequests.Get(ctx, "acme", "web", 1); err != nil || pr.GetHead().GetRepo().GetFullName() != "alice/api" {
		t.Errorf("seeded pull request from a fork = %+v, %v", pr.GetHead(), err)
	}

	// The state dump loads into an equal fake.
	resp, err := http.Get(f.URL() + "_fake/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var dumped Seed
	if err := json.NewDecoder(resp.Body).Decode(&dumped); err != nil {
		t.Fatal(err)
	}
	g := New()
	g.Load(dumped)
	if again := g.Snapshot(); !reflect.DeepEqual(again, dumped) {
		t.Errorf("round trip differs:\n%+v\n%+v", again, dumped)
	}
	if f.TotalCalls() != 8 {
		t.Errorf("admin requests must not be counted: %v", f.AllCalls())
	}
}

func TestAdminSingleOperations(t *testing.T) {
	f := New()
	t.Cleanup(f.Close)
	for _, op := range []struct{ path, body string }{
		{"/_fake/users", `{"login":"admin"}`},
		{"/_fake/users", `{"login":"bob"}`},
		{"/_fake/tokens", `{"token":"t","login":"admin"}`},
		{"/_fake/orgs", `{"org":"acme"}`},
		{"/_fake/org-members", `{"org":"acme","login":"admin","role":"admin"}`},
		{"/_fake/teams", `{"org":"acme","slug":"ops"}`},
		{"/_fake/repos", `{"owner":"acme","repo":"api"}`},
		{"/_fake/team-repos", `{"org":"acme","slug":"ops","owner":"acme","repo":"api","permission":"maintain"}`},
		{"/_fake/team-memberships", `{"org":"acme","slug":"ops","login":"bob","role":"member","state":"active"}`},
		{"/_fake/teams", `{"org":"acme","slug":"ops-child"}`},
		{"/_fake/team-parent", `{"org":"acme","slug":"ops-child","parent":"ops"}`},
		{"/_fake/org-member-roles-listed", `{"org":"acme","on":true}`},
		{"/_fake/installation-tokens", `{"token":"app","app":"x","account":"acme","permissions":{"members":"write"}}`},
		{"/_fake/actions-tokens", `{"token":"run","owner":"acme","repo":"api","permissions":{"contents":"read"}}`},
		{"/_fake/git/default-branch", `{"owner":"acme","repo":"api","branch":"trunk"}`},
		{"/_fake/git/commits", `{"owner":"acme","repo":"api","sha":"abc","files":{"a.txt":"a"}}`},
		{"/_fake/git/branches", `{"owner":"acme","repo":"api","branch":"trunk","sha":"abc"}`},
		{"/_fake/rate-limit", `{"limit":100}`},
		{"/_fake/secondary-limits", `{"per_minute":0,"per_hour":0}`},
		{"/_fake/faults", `{"method":"GET","path_prefix":"/orgs/","secondary":true,"retry_after":"5"}`},
	} {
		if resp := post(t, f, op.path, op.body); resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", op.path, resp.StatusCode)
		}
	}
	resp := post(t, f, "/_fake/pulls", `{"owner":"acme","repo":"api","author":"bob","title":"x"}`)
	var pr struct{ Number int }
	if err := json.NewDecoder(resp.Body).Decode(&pr); err != nil || pr.Number != 1 {
		t.Fatalf("pulls: %v %v", pr, err)
	}
	for _, op := range []struct{ path, body string }{
		{"/_fake/pull-pushes", `{"owner":"acme","repo":"api","number":1,"pusher":"admin","commits":[{"sha":"c1"}]}`},
		{"/_fake/rulesets", `{"owner":"acme","repo":"api","name":"r","rules":[{"type":"non_fast_forward"}]}`},
		{"/_fake/branch-protection", `{"owner":"acme","repo":"api","branch":"trunk","protection":{"enforce_admins":true}}`},
		{"/_fake/environments", `{"owner":"acme","repo":"api","name":"jit-apply","branches":"protected"}`},
	} {
		if resp := post(t, f, op.path, op.body); resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", op.path, resp.StatusCode)
		}
	}
	if b, _, err := client(t, f, "t").Repositories.GetBranch(ctx, "acme", "api", "trunk", 0); err != nil || !b.GetProtected() {
		t.Errorf("trunk protected through the admin API: %v, %v", b.GetProtected(), err)
	}
	resp = post(t, f, "/_fake/reviews", `{"owner":"acme","repo":"api","number":1,"login":"admin","state":"APPROVED"}`)
	var rv struct{ ID int64 }
	if err := json.NewDecoder(resp.Body).Decode(&rv); err != nil || rv.ID == 0 {
		t.Fatalf("reviews: %v %v", rv, err)
	}

	if p := f.EffectivePermission("acme", "api", "bob"); p != "maintain" {
		t.Errorf("bob = %q", p)
	}
	id := f.UserID("bob")
	post(t, f, "/_fake/users/rename", `{"login":"bob","new_login":"robert"}`)
	if f.UserID("robert") != id {
		t.Error("rename through the admin API")
	}
	c := client(t, f, "t")
	_, _, err := c.Teams.GetTeamBySlug(ctx, "acme", "ops")
	var abuse *github.AbuseRateLimitError
	if !errors.As(err, &abuse) {
		t.Fatalf("fault via admin: %v", err)
	}

	resp, err = http.Get(f.URL() + "_fake/calls")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var calls struct {
		Total int
		Calls map[string]int
	}
	if err := json.NewDecoder(resp.Body).Decode(&calls); err != nil || calls.Total != 2 || calls.Calls["GET /orgs/{org}/teams/{team_slug}"] != 1 {
		t.Fatalf("calls = %+v, %v", calls, err)
	}

	// Inconsistent input is a 400 with a message, not a crash.
	resp = post(t, f, "/_fake/team-memberships", `{"org":"acme","slug":"nope","login":"bob","role":"member","state":"active"}`)
	var e struct{ Message string }
	_ = json.NewDecoder(resp.Body).Decode(&e)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(e.Message, "nope") {
		t.Errorf("bad seed: %d %q", resp.StatusCode, e.Message)
	}
	if resp := post(t, f, "/_fake/nope", `{}`); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown admin op: %d", resp.StatusCode)
	}
}
