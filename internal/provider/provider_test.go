package provider

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

var protoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"jit": providerserver.NewProtocol6WithError(New("test")()),
}

const testToken = "ghp_testtoken0000000000000000000000000"

// fakeGitHub is the world every acceptance test starts from: org acme with
// teams oncall and admins, repository acme/api, org members mona, hubot and
// lead, and octo-outsider who is not in the org. The provider's token is
// jit-bot's, an org owner: on GitHub only owners (or a team's maintainers)
// manage teams and repository collaborators.
func fakeGitHub(t *testing.T) *githubfake.Fake {
	t.Helper()
	gh := githubfake.New()
	t.Cleanup(gh.Close)
	gh.AddUser("jit-bot")
	gh.AddToken(testToken, "jit-bot")
	gh.AddOrg("acme")
	for _, u := range []string{"mona", "hubot", "lead", "octo-outsider"} {
		gh.AddUser(u)
	}
	gh.SetOrgMember("acme", "jit-bot", "admin")
	for _, u := range []string{"mona", "hubot", "lead"} {
		gh.SetOrgMember("acme", u, "member")
	}
	gh.AddTeam("acme", "oncall")
	gh.AddTeam("acme", "admins")
	gh.AddRepo("acme", "api")
	gh.Server()
	return gh
}

// config renders a provider block pointing at the fake and a policy named
// "ops" allowing the given scopes, followed by body.
func config(gh *githubfake.Fake, body string) string {
	return fmt.Sprintf(`
provider "jit" {
  github {
    token    = %q
    base_url = %q
  }
}

resource "jit_optout_policy" "ops" {
  name               = "ops"
  scopes             = ["github:team:acme/*", "github:team:acme/*:maintainer", "github:repo:acme/*:*"]
  max_duration       = "4h"
  required_approvals = 1
  approvers          = ["lead"]
}
%s`, testToken, gh.URL(), body)
}

// elevation renders one jit_elevation named name under policy ops.
func elevation(name, principal, scope, duration string, extra ...string) string {
	return fmt.Sprintf(`
resource "jit_elevation" %q {
  policy_id = jit_optout_policy.ops.id
  principal = %q
  scope     = %q
  reason    = "Investigating the pager storm of the night"
  duration  = %q
  %s
}
`, name, principal, scope, duration, strings.Join(extra, "\n  "))
}

// TestAccProvider_tokenNeverLogged runs a grant that needs a retry and its
// revocation with every log at TRACE, Terraform's and the provider's, then
// searches the logs and the state for the token.
func TestAccProvider_tokenNeverLogged(t *testing.T) {
	logs := t.TempDir()
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH_MASK", filepath.Join(logs, "%s.log"))
	// As in a workflow: the token comes from GITHUB_TOKEN, not the
	// configuration (which the test harness itself logs).
	t.Setenv("GITHUB_TOKEN", testToken)
	gh := fakeGitHub(t)
	withoutToken := func(body string) string {
		return strings.Replace(config(gh, body), fmt.Sprintf("token    = %q", testToken), "", 1)
	}
	cfg := withoutToken(elevation("x", "mona", "github:team:acme/oncall", "1h"))
	noToken := func(s *terraform.State) error {
		if strings.Contains(s.String(), testToken) {
			return fmt.Errorf("the token is in the state")
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					gh.InjectFault(githubfake.Fault{Method: "PUT", PathPrefix: "/orgs/acme/teams/oncall/memberships/", Status: 502})
				},
				Config: cfg,
				Check:  noToken,
			},
			{Config: withoutToken(""), Check: noToken},
		},
	})
	entries, err := os.ReadDir(logs)
	if err != nil || len(entries) == 0 {
		t.Fatalf("no logs were written to %s (%v): the test would prove nothing", logs, err)
	}
	var all []byte
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(logs, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	// The logs must show the retry and the grant, or they are not the ones that matter.
	for _, want := range []string{"retrying GitHub API request", "elevation granted"} {
		if !bytes.Contains(all, []byte(want)) {
			t.Errorf("logs (%d bytes) lack %q", len(all), want)
		}
	}
	if i := bytes.Index(all, []byte(testToken)); i >= 0 {
		t.Errorf("the token appears in the logs: …%s…", all[max(0, i-300):min(len(all), i+100)])
	}
}
