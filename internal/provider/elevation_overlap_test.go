package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// An extension is a second elevation that lists the first in overlaps. It
// records the first one's previous access (none), not its grant; when the
// first expires, the apply that revokes it gives the access straight back
// for the second, which is in force (the gap lasts between the two writes
// of that apply); when the second expires, everything goes.
func TestAccElevation_extensionOutlivesTheFirst(t *testing.T) {
	gh := fakeGitHub(t)
	// Windows wide enough that a loaded machine still runs step 2 while the
	// first is in force: each sleep only has to outlast a window.
	first := elevation("first", "mona", "github:team:acme/oncall", "20s")
	second := elevation("second", "mona", "github:team:acme/oncall", "45s", "overlaps = [jit_elevation.first]")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(gh, first), Check: teamRole(gh, "oncall", "mona", "member", "active")},
			{
				PreConfig: gh.ResetCalls,
				Config:    config(gh, first+second),
				Check:     resource.ComposeTestCheckFunc(teamRole(gh, "oncall", "mona", "member", "active"), writesEqual(gh, 0)),
				ConfigStateChecks: []statecheck.StateCheck{
					expectStatus("jit_elevation.second", "active"),
					expectHistory("jit_elevation.second", "granted"),
					statecheck.ExpectKnownValue("jit_elevation.second", tfjsonpath.New("previous_access"), knownvalue.StringExact("none")),
				},
			},
			{
				// The first expires: one apply revokes it and gives the
				// access back for the second.
				PreConfig: func() { time.Sleep(21 * time.Second); gh.ResetCalls() },
				Config:    config(gh, first+second),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("jit_elevation.first", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("jit_elevation.second", plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					teamRole(gh, "oncall", "mona", "member", "active"),
					callsEqual(gh, routeDeleteTeamMembership, 1),
					callsEqual(gh, routePutTeamMembership, 1),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					expectStatus("jit_elevation.first", "expired"),
					expectStatus("jit_elevation.second", "active"),
					expectHistory("jit_elevation.second", "granted", "reasserted"),
				},
			},
			{
				PreConfig:         sleepPast(25 * time.Second),
				Config:            config(gh, first+second),
				Check:             teamRole(gh, "oncall", "mona", "", ""),
				ConfigStateChecks: []statecheck.StateCheck{expectStatus("jit_elevation.second", "expired")},
			},
		},
	})
}

// A shorter, higher elevation over a longer one: its expiry restores what
// the longer one still gives, not nothing.
func TestAccElevation_expiryKeepsWhatTheOverlappedGives(t *testing.T) {
	gh := fakeGitHub(t)
	long := elevation("long", "mona", "github:team:acme/oncall", "1h")
	short := elevation("short", "mona", "github:team:acme/oncall:maintainer", "5s", "overlaps = [jit_elevation.long]")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(gh, long)},
			{
				Config: config(gh, long+short),
				Check:  teamRole(gh, "oncall", "mona", "maintainer", "active"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("jit_elevation.short", tfjsonpath.New("previous_access"), knownvalue.StringExact("none")),
				},
			},
			{
				PreConfig:         sleepPast(5 * time.Second),
				Config:            config(gh, long+short),
				Check:             teamRole(gh, "oncall", "mona", "member", "active"),
				ConfigStateChecks: []statecheck.StateCheck{expectStatus("jit_elevation.short", "expired"), expectStatus("jit_elevation.long", "active")},
			},
		},
	})
}

// Without overlaps, an elevation cannot know another; privilege only goes
// down: the older one's expiry takes the shared access, and the newer one
// then reads as revoked, never granted again. (jit-gate refuses such a
// plan: it requires overlaps.)
func TestAccElevation_undeclaredOverlapFailsTowardsLessAccess(t *testing.T) {
	gh := fakeGitHub(t)
	first := elevation("first", "mona", "github:team:acme/oncall", "5s")
	second := elevation("second", "mona", "github:team:acme/oncall", "1h")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(gh, first)},
			{
				Config: config(gh, first+second),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("jit_elevation.second", tfjsonpath.New("previous_access"), knownvalue.StringExact("member")),
				},
			},
			{PreConfig: sleepPast(5 * time.Second), Config: config(gh, first+second)},
			{
				Config:            config(gh, first+second),
				Check:             teamRole(gh, "oncall", "mona", "", ""),
				ConfigStateChecks: []statecheck.StateCheck{expectStatus("jit_elevation.second", "revoked")},
			},
		},
	})
}

func TestAccElevation_overlapsMustNameTheSamePrincipalAndTeam(t *testing.T) {
	gh := fakeGitHub(t)
	first := elevation("first", "mona", "github:team:acme/oncall", "1h")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(gh, first)},
			{
				Config:      config(gh, first+elevation("other", "hubot", "github:team:acme/oncall", "1h", "overlaps = [jit_elevation.first]")),
				ExpectError: regexp.MustCompile(`(?s)Invalid overlaps.*same\s+principal\s+at\s+the\s+same\s+team`),
			},
		},
	})
}

// A renamed principal is followed by the ID recorded at grant: the history
// says so, and the expiry revokes the renamed account, not the new owner of
// the old login.
func TestAccElevation_renamedPrincipalIsFollowed(t *testing.T) {
	gh := fakeGitHub(t)
	addr := "jit_elevation.pager"
	cfg := config(gh, elevation("pager", "mona", "github:team:acme/oncall", "5s"))
	id := gh.UserID("mona")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("principal_id"), knownvalue.Int64Exact(id)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("principal_login"), knownvalue.StringExact("mona")),
				},
			},
			{
				PreConfig: func() {
					gh.RenameUser("mona", "mona-renamed")
					gh.AddUser("mona")
					gh.SetOrgMember("acme", "mona", "member")
				},
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					expectStatus(addr, "active"),
					expectHistory(addr, "granted", "renamed"),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("principal_login"), knownvalue.StringExact("mona-renamed")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("principal_id"), knownvalue.Int64Exact(id)),
				},
			},
			{
				PreConfig: sleepPast(5 * time.Second),
				Config:    cfg,
				Check: func(*terraform.State) error {
					if _, _, ok := gh.TeamMembership("acme", "oncall", "mona-renamed"); ok {
						return fmt.Errorf("mona-renamed is still in oncall")
					}
					return nil
				},
				ConfigStateChecks: []statecheck.StateCheck{expectStatus(addr, "expired")},
			},
		},
	})
}

// After jit-gate revoke took an expired grant away (here: as it would, at
// the target), the next apply moves the elevation to expired and writes
// nothing.
func TestAccElevation_applyAfterRevokeWritesNothing(t *testing.T) {
	gh := fakeGitHub(t)
	addr := "jit_elevation.pager"
	cfg := config(gh, elevation("pager", "mona", "github:team:acme/oncall", "4s"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					time.Sleep(5 * time.Second)
					gh.SetTeamMembership("acme", "oncall", "mona", "", "")
					gh.ResetCalls()
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("expired")),
				}},
				Check:             writesEqual(gh, 0),
				ConfigStateChecks: []statecheck.StateCheck{expectStatus(addr, "expired"), expectHistory(addr, "granted", "expired")},
			},
		},
	})
}
