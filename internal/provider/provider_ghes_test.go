package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

// TestAccProvider_enterpriseServerBaseURL grants and revokes through a GitHub
// Enterprise Server style base URL (https://HOST/api/v3/): every request must
// go under it, so the API at the host's root is made to fail.
func TestAccProvider_enterpriseServerBaseURL(t *testing.T) {
	gh := fakeGitHub(t)
	for _, prefix := range []string{"/orgs/", "/repos/", "/user"} {
		gh.InjectFault(githubfake.Fault{PathPrefix: prefix, Status: 500, Times: -1})
	}
	ghes := func(body string) string {
		return strings.Replace(config(gh, body), gh.URL(), gh.EnterpriseURL(), 1)
	}
	addr := "jit_elevation.hotfix"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: ghes(elevation("hotfix", "mona", "github:repo:acme/api:maintain", "1h") +
					elevation("pager", "hubot", "github:team:acme/oncall", "1h")),
				Check: resource.ComposeTestCheckFunc(
					repoPermission(gh, "mona", "maintain"),
					teamRole(gh, "oncall", "hubot", "member", "active"),
				),
				ConfigStateChecks: []statecheck.StateCheck{expectStatus(addr, "active")},
			},
			{
				Config: ghes(""),
				Check: resource.ComposeTestCheckFunc(
					repoPermission(gh, "mona", ""),
					teamRole(gh, "oncall", "hubot", "", ""),
				),
			},
		},
	})
	if gh.Calls(routePutTeamMembership) != 1 || gh.Calls(routeDeleteTeamMembership) != 1 {
		t.Errorf("team writes = %d PUT, %d DELETE; want one each: %v", gh.Calls(routePutTeamMembership), gh.Calls(routeDeleteTeamMembership), gh.AllCalls())
	}
}
