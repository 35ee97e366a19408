package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

// Routes on the fake GitHub whose calls the tests count.
const (
	routePutTeamMembership    = "PUT /orgs/{org}/teams/{team_slug}/memberships/{username}"
	routeDeleteTeamMembership = "DELETE /orgs/{org}/teams/{team_slug}/memberships/{username}"
)

// sleepPast waits until a grant made at most `d` ago has certainly expired.
// Real waiting: nothing moves the provider's clock.
func sleepPast(d time.Duration) func() {
	return func() { time.Sleep(d + 1500*time.Millisecond) }
}

func expectStatus(addr, status string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact(status))
}

func expectHistory(addr string, events ...string) statecheck.StateCheck {
	entries := make([]knownvalue.Check, len(events))
	for i, e := range events {
		entries[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"event": knownvalue.StringExact(e)})
	}
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("history"), knownvalue.ListExact(entries))
}

// teamRole checks the fake's membership of login in acme/team: role "" means none.
func teamRole(gh *githubfake.Fake, team, login, wantRole, wantState string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		role, state, ok := gh.TeamMembership("acme", team, login)
		if !ok {
			role, state = "", ""
		}
		if role != wantRole || state != wantState {
			return fmt.Errorf("membership of %s in acme/%s = %q/%q, want %q/%q", login, team, role, state, wantRole, wantState)
		}
		return nil
	}
}

// writesEqual checks how many requests that change state the fake served
// since its calls were last reset.
func writesEqual(gh *githubfake.Fake, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		n := 0
		for route, c := range gh.AllCalls() {
			if !strings.HasPrefix(route, "GET ") {
				n += c
			}
		}
		if n != want {
			return fmt.Errorf("%d writes to GitHub, want %d: %v", n, want, gh.AllCalls())
		}
		return nil
	}
}

func repoPermission(gh *githubfake.Fake, login, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, _ := gh.Collaborator("acme", "api", login)
		if got != want {
			return fmt.Errorf("direct permission of %s on acme/api = %q, want %q", login, got, want)
		}
		return nil
	}
}

func TestAccElevation_grantExpireAndFoundAgainLeftToRevoke(t *testing.T) {
	gh := fakeGitHub(t)
	addr := "jit_elevation.pager"
	cfg := config(gh, elevation("pager", "mona", "github:team:acme/oncall", "5s"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check:  teamRole(gh, "oncall", "mona", "member", "active"),
				ConfigStateChecks: []statecheck.StateCheck{
					expectStatus(addr, "active"),
					expectHistory(addr, "granted"),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("previous_access"), knownvalue.StringExact("none")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("revoked_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("expires_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
				},
			},
			{
				// After expiry the plan is an in-place update to expired, and
				// that apply revokes; the automatic follow-up plan must be empty.
				PreConfig: sleepPast(5 * time.Second),
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("expired")),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("revoked_at")),
				}},
				Check: teamRole(gh, "oncall", "mona", "", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					expectStatus(addr, "expired"),
					expectHistory(addr, "granted", "expired"),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("revoked_at"), knownvalue.NotNull()),
				},
			},
			{
				// Someone adds mona back by hand. Whether that is this
				// elevation's grant found again or a newer elevation's,
				// only jit-gate revoke, which reads every elevation of the
				// state, can tell (internal/revoke): the provider plans
				// nothing and writes nothing.
				PreConfig: func() {
					gh.SetTeamMembership("acme", "oncall", "mona", "member", "active")
					gh.ResetCalls()
				},
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: resource.ComposeTestCheckFunc(
					teamRole(gh, "oncall", "mona", "member", "active"),
					writesEqual(gh, 0),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					expectStatus(addr, "expired"),
					expectHistory(addr, "granted", "expired"),
				},
			},
		},
	})
}

func TestAccElevation_expiryWithoutRefresh(t *testing.T) {
	gh := fakeGitHub(t)
	addr := "jit_elevation.pager"
	// The sleeper finishes after the grant has expired, so the post-apply
	// plan that the test framework runs with -refresh=false must already
	// show the revocation: the expiry check does not depend on Read.
	cfg := config(gh, elevation("pager", "mona", "github:team:acme/oncall", "2s")+`
resource "terraform_data" "sleeper" {
  depends_on = [jit_elevation.pager]
  provisioner "local-exec" {
    command = "sleep 4"
  }
}
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:             cfg,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("expired")),
				}},
			},
			{
				Config:            cfg,
				Check:             teamRole(gh, "oncall", "mona", "", ""),
				ConfigStateChecks: []statecheck.StateCheck{expectStatus(addr, "expired")},
			},
		},
	})
}

func TestAccElevation_removedOutsideTerraformIsNeverRegranted(t *testing.T) {
	gh := fakeGitHub(t)
	addr := "jit_elevation.pager"
	cfg := config(gh, elevation("pager", "mona", "github:team:acme/oncall", "4s"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, Check: teamRole(gh, "oncall", "mona", "member", "active")},
			{
				PreConfig:         func() { gh.SetTeamMembership("acme", "oncall", "mona", "", "") },
				Config:            cfg,
				Check:             teamRole(gh, "oncall", "mona", "", ""),
				ConfigStateChecks: []statecheck.StateCheck{expectStatus(addr, "revoked"), expectHistory(addr, "granted", "revoked_externally")},
			},
			{
				// Past the original expiry nothing happens either: revoked stays revoked.
				PreConfig:         sleepPast(4 * time.Second),
				Config:            cfg,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:             teamRole(gh, "oncall", "mona", "", ""),
				ConfigStateChecks: []statecheck.StateCheck{expectStatus(addr, "revoked")},
			},
		},
	})
}

func TestAccElevation_standingAccessPreserved(t *testing.T) {
	gh := fakeGitHub(t)
	gh.SetTeamMembership("acme", "admins", "mona", "maintainer", "active") // more than asked for
	gh.SetTeamMembership("acme", "admins", "hubot", "member", "active")    // less than asked for
	gh.SetCollaborator("acme", "api", "lead", "pull")
	cfg := config(gh,
		elevation("held", "mona", "github:team:acme/admins", "5s")+
			elevation("raise", "hubot", "github:team:acme/admins:maintainer", "5s")+
			elevation("repo", "lead", "github:repo:acme/api:admin", "5s"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeTestCheckFunc(
					teamRole(gh, "admins", "mona", "maintainer", "active"),
					teamRole(gh, "admins", "hubot", "maintainer", "active"),
					repoPermission(gh, "lead", "admin"),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					expectHistory("jit_elevation.held", "already_held"),
					statecheck.ExpectKnownValue("jit_elevation.held", tfjsonpath.New("previous_access"), knownvalue.StringExact("maintainer")),
					statecheck.ExpectKnownValue("jit_elevation.raise", tfjsonpath.New("previous_access"), knownvalue.StringExact("member")),
					statecheck.ExpectKnownValue("jit_elevation.repo", tfjsonpath.New("previous_access"), knownvalue.StringExact("pull")),
				},
			},
			{
				PreConfig: sleepPast(5 * time.Second),
				Config:    cfg,
				Check: resource.ComposeTestCheckFunc(
					teamRole(gh, "admins", "mona", "maintainer", "active"),
					teamRole(gh, "admins", "hubot", "member", "active"),
					repoPermission(gh, "lead", "pull"),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					expectStatus("jit_elevation.held", "expired"),
					expectStatus("jit_elevation.raise", "expired"),
					expectStatus("jit_elevation.repo", "expired"),
				},
			},
		},
	})
}

func TestAccElevation_invitationsForNonMembers(t *testing.T) {
	gh := fakeGitHub(t)
	cfg := config(gh,
		elevation("team", "octo-outsider", "github:team:acme/oncall", "5s")+
			elevation("repo", "octo-outsider", "github:repo:acme/api:push", "5s"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeTestCheckFunc(
					teamRole(gh, "oncall", "octo-outsider", "member", "pending"),
					func(*terraform.State) error {
						if inv := gh.Invitations("acme", "api"); len(inv) != 1 || inv[0].Login != "octo-outsider" {
							return fmt.Errorf("repository invitations = %+v, want one for octo-outsider", inv)
						}
						return nil
					},
				),
				ConfigStateChecks: []statecheck.StateCheck{
					expectStatus("jit_elevation.team", "pending"),
					expectStatus("jit_elevation.repo", "pending"),
					expectHistory("jit_elevation.repo", "invited"),
				},
			},
			{
				PreConfig: sleepPast(5 * time.Second),
				Config:    cfg,
				Check: resource.ComposeTestCheckFunc(
					teamRole(gh, "oncall", "octo-outsider", "", ""),
					func(*terraform.State) error {
						if inv := gh.Invitations("acme", "api"); len(inv) != 0 {
							return fmt.Errorf("invitations left after expiry: %+v", inv)
						}
						return nil
					},
				),
				ConfigStateChecks: []statecheck.StateCheck{expectStatus("jit_elevation.team", "expired"), expectStatus("jit_elevation.repo", "expired")},
			},
		},
	})
}

func TestAccElevation_invitationAccepted(t *testing.T) {
	gh := fakeGitHub(t)
	addr := "jit_elevation.repo"
	cfg := config(gh, elevation("repo", "octo-outsider", "github:repo:acme/api:push", "1h"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, ConfigStateChecks: []statecheck.StateCheck{expectStatus(addr, "pending")}},
			{
				PreConfig:         func() { gh.AcceptInvitation("acme", "api", "octo-outsider") },
				Config:            cfg,
				Check:             repoPermission(gh, "octo-outsider", "push"),
				ConfigStateChecks: []statecheck.StateCheck{expectStatus(addr, "active"), expectHistory(addr, "invited", "accepted")},
			},
		},
	})
}

func TestAccElevation_argumentsForceReplacement(t *testing.T) {
	gh := fakeGitHub(t)
	addr := "jit_elevation.x"
	replace := func() resource.ConfigPlanChecks {
		return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
		}}
	}
	base := elevation("x", "mona", "github:team:acme/oncall", "1h")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(gh, base)},
			{
				Config:           config(gh, strings.Replace(base, "pager storm of the night", "pager storm, second night", 1)),
				ConfigPlanChecks: replace(),
			},
			{
				Config:           config(gh, strings.Replace(strings.Replace(base, "pager storm of the night", "pager storm, second night", 1), `"1h"`, `"2h"`, 1)),
				ConfigPlanChecks: replace(),
			},
			{
				Config:           config(gh, elevation("x", "mona", "github:team:acme/admins", "2h")),
				ConfigPlanChecks: replace(),
				Check: resource.ComposeTestCheckFunc(
					teamRole(gh, "oncall", "mona", "", ""),
					teamRole(gh, "admins", "mona", "member", "active"),
				),
			},
		},
	})
}

func TestAccElevation_invalidInputFailsAtPlan(t *testing.T) {
	gh := fakeGitHub(t)
	step := func(body, wantErr string) resource.TestStep {
		return resource.TestStep{Config: config(gh, body), PlanOnly: true, ExpectError: regexp.MustCompile(wantErr)}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(elevation("x", "mona", "github:team:acme", "1h"), `(?s)Invalid scope.*malformed path`),
			// go-github would resolve the dot segment: orgs/acme/teams/../memberships/mona is an org membership.
			step(elevation("x", "mona", "github:team:acme/..", "1h"), `(?s)Invalid scope.*not a plain path\s+segment`),
			step(elevation("x", "mona", "github:repo:acme/api:write", "1h"), `(?s)Invalid scope.*unknown level "write"`),
			step(elevation("x", "mona", "github:team:acme/oncall", "0s"), `(?s)Invalid duration.*must be positive`),
			step(elevation("x", "mona", "github:team:acme/oncall", "-1h"), `(?s)Invalid duration.*must be positive`),
			step(elevation("x", "mona", "github:team:acme/oncall", "200h"), `(?s)Invalid duration.*exceeds the hard ceiling of 168h`),
			step(elevation("x", "mona", "github:team:acme/oncall", "soon"), `(?s)Invalid Time Duration String Value.*not a valid Go Time Duration`),
			step(elevation("x", "mona", "github:team:acme/oncall", "5h"), `(?s)duration 5h exceeds policy "ops" max_duration 4h`),
			step(elevation("x", "mona", "github:team:acme/oncall", "1h", "break_glass = true"), `(?s)break_glass is requested but policy "ops" does not enable break_glass`),
			step(elevation("x", "not a login", "github:team:acme/oncall", "1h"), `(?s)Invalid principal.*not a GitHub login`),
			step(strings.Replace(elevation("x", "mona", "github:team:acme/oncall", "1h"), `"Investigating the pager storm of the night"`, `""`, 1),
				`(?s)Attribute reason string length must be between 1 and 1024`),
			step(elevation("x", "mona", "github:team:acme/oncall", "1h", `ticket = "has space"`), `(?s)Attribute ticket must be 1 to 100 characters`),
		},
	})
}

func TestAccElevation_importIsNotSupported(t *testing.T) {
	gh := fakeGitHub(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(gh, elevation("x", "mona", "github:team:acme/oncall", "1h"))},
			{ResourceName: "jit_elevation.x", ImportState: true, ImportStateId: "mona", ExpectError: regexp.MustCompile(`(?i)does not support import`)},
			{ResourceName: "jit_optout_policy.ops", ImportState: true, ImportStateId: "ops", ExpectError: regexp.MustCompile(`(?i)does not support import`)},
		},
	})
}

func TestAccElevation_faultsAreRetried(t *testing.T) {
	gh := fakeGitHub(t)
	addr := "jit_elevation.pager"
	cfg := config(gh, elevation("pager", "mona", "github:team:acme/oncall", "5s"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					gh.ResetCalls()
					gh.InjectFault(githubfake.Fault{Method: "PUT", PathPrefix: "/orgs/acme/teams/oncall/memberships/", Status: 502, Times: 2})
				},
				Config: cfg,
				Check: resource.ComposeTestCheckFunc(
					teamRole(gh, "oncall", "mona", "member", "active"),
					callsEqual(gh, routePutTeamMembership, 3),
				),
			},
			{
				// The revocation meets a 429 with Retry-After and a secondary rate limit first.
				PreConfig: func() {
					sleepPast(5 * time.Second)()
					gh.InjectFault(githubfake.Fault{Method: "DELETE", PathPrefix: "/orgs/acme/teams/oncall/memberships/", Status: 429, RetryAfter: "1"})
					gh.InjectFault(githubfake.Fault{Method: "DELETE", PathPrefix: "/orgs/acme/teams/oncall/memberships/", Secondary: true, RetryAfter: "1"})
				},
				Config:            cfg,
				Check:             resource.ComposeTestCheckFunc(teamRole(gh, "oncall", "mona", "", ""), callsEqual(gh, routeDeleteTeamMembership, 3)),
				ConfigStateChecks: []statecheck.StateCheck{expectStatus(addr, "expired")},
			},
		},
	})
}

func TestAccElevation_faultOutlastingRetriesLeavesNoOrphan(t *testing.T) {
	gh := fakeGitHub(t)
	addr := "jit_elevation.pager"
	// Long enough to outlast the retries of step 2: the grant's time is
	// taken before it is sent, as the lost response may have applied it
	// on the first attempt.
	cfg := config(gh, elevation("pager", "mona", "github:team:acme/oncall", "20s"))
	putFault := githubfake.Fault{Method: "PUT", PathPrefix: "/orgs/acme/teams/oncall/memberships/", Status: 503, Times: -1}
	deleteFault := githubfake.Fault{Method: "DELETE", PathPrefix: "/orgs/acme/teams/oncall/memberships/", Status: 502, Times: -1}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// GitHub never accepts the grant: the apply fails and nothing is stored or granted.
				PreConfig:   func() { gh.InjectFault(putFault) },
				Config:      cfg,
				ExpectError: regexp.MustCompile(`Cannot grant github:team:acme/oncall to mona`),
				Check:       teamRole(gh, "oncall", "mona", "", ""),
			},
			{
				// GitHub applies the grant but every response is lost: the
				// provider finds the grant and adopts it rather than orphaning it.
				PreConfig: func() {
					gh.ClearFaults()
					lost := putFault
					lost.AfterApply = true
					gh.InjectFault(lost)
				},
				Config:            cfg,
				Check:             teamRole(gh, "oncall", "mona", "member", "active"),
				ConfigStateChecks: []statecheck.StateCheck{expectStatus(addr, "active")},
			},
			{
				// The revocation fails past all retries: the elevation stays active in state.
				PreConfig: func() {
					gh.ClearFaults()
					sleepPast(20 * time.Second)()
					gh.InjectFault(deleteFault)
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`Cannot revoke github:team:acme/oncall from mona`),
				Check:       teamRole(gh, "oncall", "mona", "member", "active"),
			},
			{
				// The next apply retries the revocation and succeeds.
				PreConfig:         gh.ClearFaults,
				Config:            cfg,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
				Check:             teamRole(gh, "oncall", "mona", "", ""),
				ConfigStateChecks: []statecheck.StateCheck{expectStatus(addr, "expired"), expectHistory(addr, "granted", "expired")},
			},
		},
	})
}

func callsEqual(gh *githubfake.Fake, route string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := gh.Calls(route); got != want {
			return fmt.Errorf("%s called %d times, want %d", route, got, want)
		}
		return nil
	}
}

// refreshCalls applies n elevations spread over the given teams, with a
// policy that observes every one of those teams as a concrete scope, then
// counts the GitHub API calls of a refresh of all of them.
func refreshCalls(t *testing.T, n int, teams []string) int {
	gh := fakeGitHub(t)
	var users, scopes []string
	for _, team := range teams {
		gh.AddTeam("acme", team)
		scopes = append(scopes, fmt.Sprintf("%q", "github:team:acme/"+team))
	}
	for i := range n {
		u := fmt.Sprintf("user%03d", i)
		gh.AddUser(u)
		gh.SetOrgMember("acme", u, "member")
		// Already members: the apply writes nothing, so it is not paced
		// under GitHub's 80 writes a minute and the test measures the
		// refresh alone.
		gh.SetTeamMembership("acme", teams[i%len(teams)], u, "member", "active")
		users = append(users, fmt.Sprintf("%q", u))
	}
	cfg := config(gh, fmt.Sprintf(`
locals {
  users = [%s]
  teams = [%s]
}

resource "jit_optout_policy" "observer" {
  name               = "observer"
  scopes             = local.teams
  max_duration       = "4h"
  required_approvals = 1
  approvers          = ["lead"]
}

resource "jit_elevation" "many" {
  count     = length(local.users)
  policy_id = jit_optout_policy.ops.id
  principal = local.users[count.index]
  scope     = local.teams[count.index %% length(local.teams)]
  reason    = "Load test of the refresh path, all at once"
  duration  = "1h"
}
`, strings.Join(users, ", "), strings.Join(scopes, ", ")))
	var calls int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig:    gh.ResetCalls,
				RefreshState: true,
				Check: func(*terraform.State) error {
					calls = gh.TotalCalls()
					t.Logf("refresh of %d elevations on %d teams (and a policy observing them): %d GitHub API calls %v", n, len(teams), calls, gh.AllCalls())
					return nil
				},
			},
		},
	})
	return calls
}

// TestAccElevation_refreshCostIsFlat: a refresh costs the same few list
// calls per team however many elevations there are, shared by elevations and
// policies in one provider process.
func TestAccElevation_refreshCostIsFlat(t *testing.T) {
	t.Parallel()
	two := []string{"red", "blue"}
	small, large := refreshCalls(t, 10, two), refreshCalls(t, 50, two)
	// Per team: maintainers, all members and child teams (whose members
	// GitHub lists as the parent's); per org: its owners (whose role GitHub
	// reads as maintainer).
	if small != large || large > 2*3+1 {
		t.Errorf("refresh on 2 teams: %d calls for 10 elevations, %d for 50; want equal and at most 7", small, large)
	}
	five := []string{"t1", "t2", "t3", "t4", "t5"}
	if calls := refreshCalls(t, 200, five); calls > 5*3+1 {
		t.Errorf("refresh of 200 elevations on 5 teams made %d API calls, want at most 16", calls)
	}
}

// Another spelling of the same duration is no change: the elevation is not
// replaced (which would need a new approval) and the policy keeps its
// fingerprint and version. A different duration still is a new request.
func TestAccElevation_sameDurationSpelledOtherwiseIsNoChange(t *testing.T) {
	gh := fakeGitHub(t)
	addr := "jit_elevation.x"
	empty := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(gh, elevation("x", "mona", "github:team:acme/oncall", "60m"))},
			{
				Config:            strings.Replace(config(gh, elevation("x", "mona", "github:team:acme/oncall", "1h")), `max_duration       = "4h"`, `max_duration       = "240m"`, 1),
				ConfigPlanChecks:  empty,
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(addr, tfjsonpath.New("duration"), knownvalue.StringExact("60m"))},
			},
			{
				Config: config(gh, elevation("x", "mona", "github:team:acme/oncall", "90m")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
}
