package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

// TestAccProvider_tokenWithoutPermission: a GitHub App token that may read
// teams but not change them cannot grant, and the error names the
// permission GitHub says is missing rather than "403 Forbidden []".
func TestAccProvider_tokenWithoutPermission(t *testing.T) {
	gh := fakeGitHub(t)
	const appToken = "ghs_readonlyapp00000000000000000000000"
	gh.AddInstallationToken(appToken, githubfake.Installation{App: "jit-readonly", Account: "acme", Permissions: map[string]string{"members": "read"}})
	cfg := strings.Replace(config(gh, elevation("pager", "mona", "github:team:acme/oncall", "1h")), testToken, appToken, 1)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      cfg,
			ExpectError: regexp.MustCompile(`(?s)Resource\s+not\s+accessible\s+by\s+integration;\s+the\s+token\s+needs\s+the\s+GitHub\s+permission\s+members=write`),
		}},
	})
	if role, _, ok := gh.TeamMembership("acme", "oncall", "mona"); ok {
		t.Errorf("mona was granted %q", role)
	}
}

// TestAccProvider_problemsFoundWhilePlanning: what used to fail only at
// apply, after the merge, now fails the plan with the reason: a wrong token
// (401), a principal who is not an account, a team the token cannot see.
// A token that can read but not write a repository's collaborators plans
// with a warning that names the permission.
func TestAccProvider_problemsFoundWhilePlanning(t *testing.T) {
	gh := fakeGitHub(t)
	const readToken = "ghs_readonlyapp00000000000000000000001"
	gh.AddInstallationToken(readToken, githubfake.Installation{App: "jit-reader", Account: "acme",
		Permissions: map[string]string{"members": "read", "administration": "read"}})
	for name, tc := range map[string]struct {
		cfg  string
		want string
	}{
		"bad credentials": {strings.Replace(config(gh, elevation("pager", "mona", "github:team:acme/oncall", "1h")), testToken, "ghp_revoked000000000000000000000000000", 1),
			`401\s+Bad\s+credentials\s+\(the\s+token\s+is\s+missing,\s+mistyped,\s+expired\s+or\s+revoked`},
		"no such user": {config(gh, elevation("pager", "mnoa", "github:team:acme/oncall", "1h")),
			`principal\s+"mnoa"\s+is\s+not\s+a\s+GitHub\s+account`},
		"no such team": {config(gh, elevation("pager", "mona", "github:team:acme/on-call", "1h")),
			`team\s+acme/on-call\s+not\s+found\s+or\s+not\s+visible\s+to\s+the\s+token`},
	} {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: tc.cfg, PlanOnly: true, ExpectError: regexp.MustCompile(tc.want)}},
			})
		})
	}
	if n := gh.Calls("PUT /orgs/{org}/teams/{team_slug}/memberships/{username}"); n != 0 {
		t.Errorf("%d grants attempted", n)
	}
}
