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
