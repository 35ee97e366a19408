package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

var protoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"jit": providerserver.NewProtocol6WithError(New("test")()),
}

const testToken = "ghp_testtoken0000000000000000000000000"

// fakeGitHub is the world every acceptance test starts from: org acme with
// teams oncall and admins, repository acme/api, org members mona, hubot and
// lead, and octo-outsider who is not in the org.
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
	for _, u := range []string{"jit-bot", "mona", "hubot", "lead"} {
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
