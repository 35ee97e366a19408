package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

func policyConfig(gh *githubfake.Fake, body string) string {
	return fmt.Sprintf(`
provider "jit" {
  github {
    token    = %q
    base_url = %q
  }
}

resource "jit_optout_policy" "p" {
  name = "prod"
%s
}
`, testToken, gh.URL(), body)
}

const basePolicy = `
  scopes             = ["github:team:acme/admins", "github:repo:acme/*:admin"]
  max_duration       = "4h"
  required_approvals = 2
  approvers          = ["lead", "team:acme/oncall"]
`

func TestAccPolicy_fingerprintVersionAndObserved(t *testing.T) {
	gh := fakeGitHub(t)
	gh.SetTeamMembership("acme", "admins", "Hubot", "maintainer", "active")
	gh.SetTeamMembership("acme", "admins", "mona", "member", "active")
	addr := "jit_optout_policy.p"
	var fp1 string
	captureFingerprint := statecheck.ExpectKnownValue(addr, tfjsonpath.New("fingerprint"),
		knownvalue.StringFunc(func(v string) error { fp1 = v; return nil }))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: policyConfig(gh, basePolicy),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("prod")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("fingerprint"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{64}$`))),
					captureFingerprint,
					// Only the concrete scope is observed; the wildcard one cannot be listed.
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("observed"), knownvalue.MapExact(map[string]knownvalue.Check{
						"github:team:acme/admins": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("hubot"), knownvalue.StringExact("mona")}),
					})),
				},
			},
			{
				// A description is not a threshold: same fingerprint and version.
				Config: policyConfig(gh, basePolicy+`  description = "Production admin"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("version"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("fingerprint"), knownvalue.StringFunc(func(v string) error {
						if v != fp1 {
							return fmt.Errorf("fingerprint changed on a description edit")
						}
						return nil
					})),
				},
			},
			{
				// Loosening max_duration is a new version, visible in the plan.
				Config: policyConfig(gh, strings.Replace(basePolicy, `"4h"`, `"8h"`, 1)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("version"), knownvalue.Int64Exact(2)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("fingerprint"), knownvalue.StringFunc(func(v string) error {
						if v == fp1 {
							return fmt.Errorf("fingerprint unchanged after max_duration changed")
						}
						return nil
					})),
				},
			},
			{
				// Someone added by hand shows up in observed on refresh.
				PreConfig: func() { gh.SetTeamMembership("acme", "admins", "octo-outsider", "member", "active") },
				Config:    policyConfig(gh, strings.Replace(basePolicy, `"4h"`, `"8h"`, 1)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("observed").AtMapKey("github:team:acme/admins"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("hubot"), knownvalue.StringExact("mona"), knownvalue.StringExact("octo-outsider"),
					})),
				},
			},
		},
	})
}

func TestAccPolicy_invalidThresholdsFailAtPlan(t *testing.T) {
	gh := fakeGitHub(t)
	step := func(body, wantErr string) resource.TestStep {
		return resource.TestStep{Config: policyConfig(gh, body), PlanOnly: true, ExpectError: regexp.MustCompile(wantErr)}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			step(strings.Replace(basePolicy, "required_approvals = 2", "required_approvals = 0", 1), `(?s)required_approvals value must be between 1 and 10`),
			step(strings.Replace(basePolicy, `"4h"`, `"169h"`, 1), `(?s)Invalid max_duration.*hard ceiling of 168h`),
			step(strings.Replace(basePolicy, `"github:team:acme/admins"`, `"github:team:acme/adm*"`, 1), `(?s)Invalid scopes.*must be a whole segment`),
			step(strings.Replace(basePolicy, `"lead"`, `"team:acme"`, 1), `(?s)not a team reference`),
			step(basePolicy+"  governance_approvals = 1\n", `(?s)governance_approvals value must be at least sum of\s+required_approvals, got: 1`),
			step(basePolicy+"  break_glass {\n    enabled = true\n    max_duration = \"5h\"\n    required_approvals = 0\n    review_within = \"24h\"\n  }\n",
				`(?s)break_glass.max_duration 5h must be at most the policy's max_duration\s+4h`),
			step(basePolicy+"  break_glass {\n    enabled = true\n  }\n", `(?s)break_glass.review_within is required`),
			step(basePolicy+"  reason {\n    pattern = \"(unclosed\"\n  }\n", `(?s)not a valid RE2 expression`),
			step(basePolicy+"  standing = { \"bad login!\" = \"x\" }\n", `(?s)not a GitHub login`),
			step(strings.Replace(basePolicy, `["github:team:acme/admins", "github:repo:acme/*:admin"]`, `[]`, 1), `(?s)scopes set must contain at least 1`),
			step(strings.Replace(basePolicy, `"github:team:acme/admins"`, `"github:team:acme/.."`, 1), `(?s)Invalid scopes.*not a plain path\s+segment`),
			// A policy of wildcards observes nobody, so it cannot be exclusive.
			step(strings.Replace(basePolicy, `"github:team:acme/admins"`, `"github:team:acme/*"`, 1)+"  exclusive = true\n", `(?s)exclusive needs a concrete scope.*Every scope of this policy has a\s+wildcard`),
		},
	})
}

// A collaborator whose admin comes through a team holds the admin scope as
// much as a direct one: both are observed, so neither can hide. So does the
// provider's own account, an org owner (admin on every repository).
func TestAccPolicy_observesRepoAccessThroughTeams(t *testing.T) {
	gh := fakeGitHub(t)
	gh.AddTeam("acme", "api-admins")
	gh.SetTeamMembership("acme", "api-admins", "hubot", "member", "active")
	gh.SetTeamRepoPermission("acme", "api-admins", "acme", "api", "admin")
	gh.SetCollaborator("acme", "api", "mona", "admin")
	gh.SetCollaborator("acme", "api", "lead", "push") // below the scope: not a holder
	addr := "jit_optout_policy.p"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: policyConfig(gh, strings.Replace(basePolicy, `"github:repo:acme/*:admin"`, `"github:repo:acme/api:admin"`, 1)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("observed").AtMapKey("github:repo:acme/api:admin"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("hubot"), knownvalue.StringExact("jit-bot"), knownvalue.StringExact("mona"),
				})),
			},
		}},
	})
}
