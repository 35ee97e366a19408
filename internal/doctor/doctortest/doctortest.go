// Package doctortest sets up, on the fake GitHub, a repository where the
// gate cannot be bypassed, for the tests of jit-gate doctor and of apply
// mode's trust.anchor to break one thing at a time.
package doctortest

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

// Token is the doctor's token in the fake.
const Token = "doctor-token"

// PinnedGate stands for the commit of the gate action's release, which the
// example workflows leave for the adopter to fill in.
const PinnedGate = "0123456789abcdef0123456789abcdef01234567"

// Placeholder is the example workflows' stand-in for that commit.
var Placeholder = strings.Repeat("0", 40)

// Setup is how acme/infra is set up: Good is a repository where the gate
// cannot be bypassed.
type Setup struct {
	Files        map[string]string // at the head of main
	Rulesets     []githubfake.Ruleset
	Protection   *githubfake.BranchProtection
	Environments []githubfake.Environment
	Permissions  map[string]string // Token's, an installation of the app jit-gate
	// Late changes the setup once the accounts exist, for their ids.
	Late func(*githubfake.Fake, *Setup)
}

// Good returns the well set up repository, with the example workflows of
// dir (examples/workflows) as its own, the gate's commit filled in.
func Good(dir string) (*Setup, error) {
	files := map[string]string{
		".github/CODEOWNERS": "# Governance approvers own what the gate trusts and the configuration.\n" +
			"/.github/ @acme/sre-leads\n/CODEOWNERS @acme/sre-leads\n*.tf @acme/sre-leads\n*.tfvars @acme/sre-leads\n.terraform.lock.hcl @acme/sre-leads\n" +
			"/docs/\n",
		".github/jit-gate.yml": "governance_approvers: [\"team:acme/sre-leads\"]\n",
		"main.tf":              "# root module\n",
		".terraform.lock.hcl":  "# locks\n",
		"modules/team/main.tf": "# a module\n",
		"docs/README.md":       "docs\n",
		".github/actions/setup/action.yml": "runs:\n  using: composite\n  steps:\n" +
			"    - uses: actions/setup-go@d35c59abb061a4a6fb18e82ac0862c26744d6ab5 # v5.5.0\n",
	}
	examples, err := filepath.Glob(filepath.Join(dir, "*.yml"))
	if err != nil {
		return nil, err
	}
	for _, ex := range examples {
		data, err := os.ReadFile(ex)
		if err != nil {
			return nil, err
		}
		files[".github/workflows/"+filepath.Base(ex)] = strings.ReplaceAll(string(data), Placeholder, PinnedGate)
	}
	return &Setup{
		Files: files,
		Rulesets: []githubfake.Ruleset{{
			Name: "protect main", Include: []string{"~DEFAULT_BRANCH"},
			Rules: []githubfake.Rule{PullRequestRule(nil), RequiredCheck("jit-gate", 15368), {Type: "non_fast_forward"}, {Type: "deletion"}},
		}},
		Environments: []githubfake.Environment{
			{Name: "jit-apply", Branches: "custom", BranchPolicies: []githubfake.BranchPolicy{{Name: "main"}}, Reviewers: []string{"lead"}},
			{Name: "jit-scheduled", Branches: "custom", BranchPolicies: []githubfake.BranchPolicy{{Name: "main"}}},
		},
		Permissions: map[string]string{"administration": "write", "contents": "read", "actions": "read", "members": "read", "pull_requests": "write", "issues": "write"},
	}, nil
}

// PullRequestRule is a pull_request rule with every safeguard on, changed
// by the given parameters.
func PullRequestRule(change map[string]any) githubfake.Rule {
	p := map[string]any{
		"required_approving_review_count": 1, "dismiss_stale_reviews_on_push": true, "require_code_owner_review": true,
		"require_last_push_approval": true, "required_review_thread_resolution": false,
	}
	for k, v := range change {
		p[k] = v
	}
	return githubfake.Rule{Type: "pull_request", Parameters: p}
}

// RequiredCheck is a required_status_checks rule for one check; app 0
// takes it from any source.
func RequiredCheck(context string, app int) githubfake.Rule {
	check := map[string]any{"context": context}
	if app != 0 {
		check["integration_id"] = app
	}
	return githubfake.Rule{Type: "required_status_checks", Parameters: map[string]any{
		"required_status_checks": []any{check}, "strict_required_status_checks_policy": false,
	}}
}

// Load seeds f with org acme (lead owns it and maintains team sre-leads;
// alice and mallory are users), acme/infra with the setup, and Token. It
// returns the commit at the head of main.
func (s *Setup) Load(f *githubfake.Fake) string {
	for _, u := range []string{"lead", "alice", "mallory"} {
		f.AddUser(u)
	}
	f.AddOrg("acme")
	f.SetOrgMember("acme", "lead", "admin")
	f.SetOrgMember("acme", "alice", "member")
	f.AddTeam("acme", "sre-leads")
	f.AddTeam("acme", "break-glass")
	f.SetTeamMembership("acme", "sre-leads", "lead", "maintainer", "active")
	f.AddRepo("acme", "infra")
	if s.Late != nil {
		s.Late(f, s)
	}
	head := f.PushCommit("acme", "infra", githubfake.RepoCommit{Author: "lead", Message: "set up", Branch: "main", Files: s.Files})
	for _, rs := range s.Rulesets {
		f.AddRuleset("acme", "infra", rs)
	}
	if s.Protection != nil {
		f.SetBranchProtection("acme", "infra", "main", s.Protection)
	}
	for _, e := range s.Environments {
		f.SetEnvironment("acme", "infra", e)
	}
	f.AddInstallationToken(Token, githubfake.Installation{App: "jit-gate", Account: "acme", Repositories: []string{"infra"}, Permissions: s.Permissions})
	return head
}
