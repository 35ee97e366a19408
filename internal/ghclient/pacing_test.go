package ghclient_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
	"github.com/jitgate/terraform-provider-jit/internal/ghclient"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

// elevations seeds a fake enforcing GitHub's secondary limits, on clk, with
// n org members to put on 5 teams, and returns their logins.
func elevations(t *testing.T, clk *clock.Virtual, n int) (*githubfake.Fake, []string) {
	t.Helper()
	f := githubfake.New(githubfake.WithClock(clk))
	t.Cleanup(f.Close)
	f.AddUser("jit-bot")
	f.AddToken("tok", "jit-bot")
	f.AddOrg("acme")
	f.SetOrgMember("acme", "jit-bot", "admin")
	for i := range 5 {
		f.AddTeam("acme", fmt.Sprintf("team%d", i))
	}
	logins := make([]string, n)
	for i := range logins {
		logins[i] = fmt.Sprintf("user%03d", i)
		f.AddUser(logins[i])
		f.SetOrgMember("acme", logins[i], "member")
	}
	return f, logins
}

// writeAll grants (or, with revoke, removes) one team membership per login,
// ten at a time as Terraform's parallelism does, and returns the errors.
func writeAll(c *github.Client, logins []string, revoke bool) []error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, 10)
	)
	for i, login := range logins {
		team := fmt.Sprintf("team%d", i%5)
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			var err error
			if revoke {
				_, err = c.Teams.RemoveTeamMembershipBySlug(context.Background(), "acme", team, login)
			} else {
				_, _, err = c.Teams.AddTeamMembershipBySlug(context.Background(), "acme", team, login, &github.TeamAddTeamMembershipOptions{Role: "member"})
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errs
}

// TestTwoHundredElevationsStayUnderSecondaryLimits: granting and then
// revoking 200 elevations, with the fake enforcing GitHub's 80 writes a
// minute and 500 an hour on a clock shared with the client, draws not one
// secondary-limit answer: every write is sent exactly once. The same writes
// through go-github alone trip the limit, so the fake is enforcing it.
func TestTwoHundredElevationsStayUnderSecondaryLimits(t *testing.T) {
	clk := clock.NewVirtual(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	f, logins := elevations(t, clk, 200)
	c, err := ghclient.New(ghclient.Config{Token: "tok", BaseURL: f.URL(), Clock: clk, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	start := clk.Now()
	if errs := writeAll(c, logins, false); len(errs) > 0 {
		t.Fatalf("apply: %d of 200 grants failed, first: %v", len(errs), errs[0])
	}
	if errs := writeAll(c, logins, true); len(errs) > 0 {
		t.Fatalf("revoke: %d of 200 revocations failed, first: %v", len(errs), errs[0])
	}
	put, del := f.Calls("PUT /orgs/{org}/teams/{team_slug}/memberships/{username}"), f.Calls("DELETE /orgs/{org}/teams/{team_slug}/memberships/{username}")
	if put != 200 || del != 200 {
		t.Errorf("writes sent: %d PUT, %d DELETE; want 200 each, none refused and resent", put, del)
	}
	// 400 writes at 80 a minute take at least 4 minutes: the pacing waited,
	// in virtual time.
	if took := clk.Now().Sub(start); took < 4*time.Minute {
		t.Errorf("400 writes took %s of virtual time", took)
	}

	raw := github.NewClient(nil).WithAuthToken("tok")
	raw.BaseURL, _ = url.Parse(f.URL())
	errs := writeAll(raw, logins, false)
	var abuse *github.AbuseRateLimitError
	if len(errs) == 0 || !errors.As(errs[0], &abuse) {
		t.Fatalf("unpaced writes: %d errors (%v), want secondary rate limits", len(errs), errs)
	}
}
