package githubfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-github/v60/github"
)

func TestAuthentication(t *testing.T) {
	f := newFake(t)
	_, _, err := client(t, f, "wrong").Users.Get(ctx, "")
	if er := wantStatus(t, err, http.StatusUnauthorized); er.Message != "Bad credentials" {
		t.Errorf("message = %q", er.Message)
	}

	noToken, _ := http.NewRequest(http.MethodGet, f.URL()+"user", nil)
	noToken.Header.Set("User-Agent", SelfTestUserAgent)
	resp, err := http.DefaultClient.Do(noToken)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: %d", resp.StatusCode)
	}

	req, _ := http.NewRequest(http.MethodGet, f.URL()+"user", nil)
	req.Header.Set("Authorization", "token "+adminToken)
	req.Header.Set("User-Agent", SelfTestUserAgent)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf(`"token" scheme: %d`, resp.StatusCode)
	}
	if got := f.Calls("GET /user"); got != 3 {
		t.Errorf("calls = %d, rejected requests count too", got)
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	f := newFake(t)
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "nope"},
		{http.MethodPost, "orgs/acme/teams/platform"}, // wrong method: 404, not 405
		{http.MethodGet, "repos/acme/api/pulls/abc"},
	} {
		req, _ := http.NewRequest(tc.method, f.URL()+tc.path, nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		req.Header.Set("User-Agent", SelfTestUserAgent)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Message string }
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || body.Message != "Not Found" {
			t.Errorf("%s %s = %d %q", tc.method, tc.path, resp.StatusCode, body.Message)
		}
	}
	if got := f.Calls("GET /nope"); got != 1 {
		t.Errorf("unknown routes are counted by literal path: %v", f.AllCalls())
	}
}

func TestRateLimitHeaders(t *testing.T) {
	f := newFake(t)
	resp := rawGet(t, f, "orgs/acme")
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Used", "X-RateLimit-Resource"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("missing %s", h)
		}
	}
	if n, _ := strconv.Atoi(resp.Header.Get("X-RateLimit-Remaining")); n < 1000 {
		t.Errorf("remaining = %d", n)
	}
	_, gh, err := client(t, f, adminToken).Organizations.Get(ctx, "acme")
	if err != nil || gh.Rate.Limit != DefaultRateLimit || gh.Rate.Reset.IsZero() {
		t.Fatalf("rate = %+v, %v", gh.Rate, err)
	}
}

func TestCallCounting(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	_, _, _ = c.Teams.GetTeamMembershipBySlug(ctx, "acme", "platform", "alice")
	_, _, _ = c.Teams.GetTeamMembershipBySlug(ctx, "acme", "platform", "bob")
	_, _, _ = c.Repositories.GetPermissionLevel(ctx, "acme", "api", "alice")
	want := map[string]int{
		"GET /orgs/{org}/teams/{team_slug}/memberships/{username}":      2,
		"GET /repos/{owner}/{repo}/collaborators/{username}/permission": 1,
	}
	got := f.AllCalls()
	if len(got) != len(want) || f.TotalCalls() != 3 {
		t.Fatalf("calls = %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d", k, got[k], v)
		}
	}
	f.ResetCalls()
	if f.TotalCalls() != 0 {
		t.Error("ResetCalls")
	}
}

// TestConcurrentRequests is meant for -race: Terraform calls in parallel.
func TestConcurrentRequests(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	f.SetTeamRepoPermission("acme", "platform", "acme", "api", "push")
	var wg sync.WaitGroup
	for i := range 20 {
		login := fmt.Sprintf("u%d", i)
		f.AddUser(login)
		f.SetOrgMember("acme", login, "member")
		wg.Go(func() {
			if _, _, err := c.Teams.AddTeamMembershipBySlug(ctx, "acme", "platform", login, nil); err != nil {
				t.Error(err)
			}
			if _, _, err := c.Repositories.AddCollaborator(ctx, "acme", "api", login, &github.RepositoryAddCollaboratorOptions{Permission: "pull"}); err != nil {
				t.Error(err)
			}
			_ = f.EffectivePermission("acme", "api", login)
			_ = f.Snapshot()
		})
	}
	wg.Wait()
	users, _, err := c.Teams.ListTeamMembersBySlug(ctx, "acme", "platform", &github.TeamListTeamMembersOptions{ListOptions: github.ListOptions{PerPage: 100}})
	if err != nil || len(users) != 20 {
		t.Fatalf("members = %d, %v", len(users), err)
	}
	if got := f.Calls(membershipRoute); got != 20 {
		t.Errorf("calls = %d", got)
	}
}

func TestSeedingPanicsOnUnknownEntities(t *testing.T) {
	f := New()
	defer func() {
		if _, ok := recover().(seedError); !ok {
			t.Fatal("want a seedError panic")
		}
	}()
	f.AddTeam("nope", "team")
}
