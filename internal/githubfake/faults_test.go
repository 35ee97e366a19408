package githubfake

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"
)

const membershipRoute = "PUT /orgs/{org}/teams/{team_slug}/memberships/{username}"

func TestFaultServerError(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	f.InjectFault(Fault{Method: "PUT", PathPrefix: "/orgs/acme/teams/", Status: http.StatusBadGateway, Times: 2})

	for range 2 {
		_, _, err := c.Teams.AddTeamMembershipBySlug(ctx, "acme", "platform", "alice", nil)
		if er := wantStatus(t, err, http.StatusBadGateway); er.Message != "Bad Gateway" {
			t.Errorf("message = %q", er.Message)
		}
	}
	if _, _, ok := f.TeamMembership("acme", "platform", "alice"); ok {
		t.Fatal("a failed request must not apply")
	}
	// Other methods and paths are unaffected, and the fault is used up.
	if _, _, err := c.Teams.GetTeamBySlug(ctx, "acme", "platform"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Teams.AddTeamMembershipBySlug(ctx, "acme", "platform", "alice", nil); err != nil {
		t.Fatal(err)
	}
	if got := f.Calls(membershipRoute); got != 3 {
		t.Errorf("calls = %d, want 3 (faulted requests count)", got)
	}
}

func TestFault429RetryAfter(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	f.InjectFault(Fault{Status: http.StatusTooManyRequests, RetryAfter: "3"})
	_, _, err := c.Teams.GetTeamBySlug(ctx, "acme", "platform")
	er := wantStatus(t, err, http.StatusTooManyRequests)
	if got := er.Response.Header.Get("Retry-After"); got != "3" {
		t.Errorf("Retry-After = %q", got)
	}
}

func TestFaultSecondaryRateLimit(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	f.InjectFault(Fault{PathPrefix: "/orgs/", Secondary: true, RetryAfter: "7"})
	_, _, err := c.Teams.AddTeamMembershipBySlug(ctx, "acme", "platform", "alice", nil)
	var abuse *github.AbuseRateLimitError
	if !errors.As(err, &abuse) {
		t.Fatalf("got %T %v, want *github.AbuseRateLimitError", err, err)
	}
	if abuse.RetryAfter == nil || *abuse.RetryAfter != 7*time.Second {
		t.Fatalf("RetryAfter = %v, want 7s", abuse.RetryAfter)
	}
	if abuse.Response.StatusCode != http.StatusForbidden {
		t.Errorf("status = %d", abuse.Response.StatusCode)
	}
}

func TestFaultPrimaryRateLimit(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	f.InjectFault(Fault{RateLimitReset: true, RetryAfter: "120"})
	before := time.Now()
	_, _, err := c.Teams.GetTeamBySlug(ctx, "acme", "platform")
	var rl *github.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("got %T %v, want *github.RateLimitError", err, err)
	}
	if rl.Rate.Remaining != 0 || rl.Rate.Limit != DefaultRateLimit {
		t.Errorf("rate = %+v", rl.Rate)
	}
	if d := rl.Rate.Reset.Sub(before); d < 118*time.Second || d > 122*time.Second {
		t.Errorf("reset in %v, want about 120s", d)
	}
	if rl.Message == "" {
		t.Error("empty message")
	}
	// go-github now refuses to call until the reset; a fresh client works.
	if _, _, err := client(t, f, adminToken).Teams.GetTeamBySlug(ctx, "acme", "platform"); err != nil {
		t.Fatal(err)
	}
}

func TestFaultAfterApply(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	f.InjectFault(Fault{Method: "PUT", PathPrefix: "/repos/acme/api/collaborators/", Status: http.StatusBadGateway, AfterApply: true})
	_, _, err := c.Repositories.AddCollaborator(ctx, "acme", "api", "alice", &github.RepositoryAddCollaboratorOptions{Permission: "admin"})
	wantStatus(t, err, http.StatusBadGateway)
	if p, ok := f.Collaborator("acme", "api", "alice"); !ok || p != "admin" {
		t.Fatalf("the change must apply despite the error: %q %v", p, ok)
	}
}

func TestFaultForeverAndClear(t *testing.T) {
	f := newFake(t)
	c := client(t, f, adminToken)
	f.InjectFault(Fault{Method: "get", Status: http.StatusServiceUnavailable, Times: -1})
	for range 5 {
		_, _, err := c.Teams.GetTeamBySlug(ctx, "acme", "platform")
		wantStatus(t, err, http.StatusServiceUnavailable)
	}
	f.ClearFaults()
	if _, _, err := c.Teams.GetTeamBySlug(ctx, "acme", "platform"); err != nil {
		t.Fatal(err)
	}
	if got := f.Calls("GET /orgs/{org}/teams/{team_slug}"); got != 6 {
		t.Errorf("calls = %d", got)
	}
}
