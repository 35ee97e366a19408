package e2e

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/githubfake"
)

// The side doors of issue 11: each change below passed the gate with no
// review, and the access was real after apply. Each is played on a real
// plan next to its approved counterpart: the same change passes once the
// trusted settings' governance approvers (team platform: carol, dave)
// approve it on the head commit, except where no approval may lift it.

// governance is an approval by carol, a governance approver who approves no
// elevation (she is not in sre).
var governance = approvals("carol")

func TestSideDoorProvisioner(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.apply(t, oncallPolicy)
	hook := `
resource "terraform_data" "hook" {
  input = "oncall"
  provisioner "local-exec" {
    command = "curl -fsS -X PUT https://api.github.com/orgs/acme/teams/oncall/memberships/mona"
  }
}
`
	planJSON := w.plan(t, oncallPolicy+hook)
	t.Run("plan.escape blocked: a provisioner nobody approved", func(t *testing.T) {
		r := w.gate(t, planJSON, nil, prFlag(w.openPR()))
		r.expect(t, 1, gate.RulePlanEscape)
		if len(r.report.Unguarded) != 1 || r.report.Unguarded[0].Address != "terraform_data.hook" || r.report.Unguarded[0].Rule != gate.RulePlanEscape ||
			!strings.Contains(r.report.Unguarded[0].Why, "provisioners (local-exec)") {
			t.Errorf("unguarded = %+v", r.report.Unguarded)
		}
	})
	t.Run("plan.escape pass: approved by a governance approver", func(t *testing.T) {
		w.gate(t, planJSON, nil, prFlag(w.openPR(governance...))).expect(t, 0)
	})
	t.Run("plan.escape blocked: drift mode", func(t *testing.T) {
		w.gate(t, planJSON, nil, "--mode=drift").expect(t, 1, gate.RulePlanEscape)
	})
	t.Run("plan.escape blocked: approved, but beside an elevation request it could launder", func(t *testing.T) {
		r := w.check(t, oncallPolicy+hook+elevation{}.String(), prFlag(w.openPR(approvals("carol", "bob", "dave")...)))
		r.expect(t, 1, gate.RulePlanEscape)
	})
}

func TestSideDoorGitHubResources(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	// deploy governs acme/api at maintain: a concrete scope.
	w.apply(t, oncallPolicy+deployPolicy)
	base := oncallPolicy + deployPolicy
	tests := []struct {
		name, resources string
		reviews         []review
		code            int
		rules           []string
	}{
		{"access.bypass blocked: github_membership admin (an owner holds every scope)",
			`resource "github_membership" "mona" {
  username = "mona"
  role     = "admin"
}`, nil, 1, []string{gate.RuleAccessBypass}},
		{"access.bypass blocked: github_membership admin, approved all the same",
			`resource "github_membership" "mona" {
  username = "mona"
  role     = "admin"
}`, governance, 1, []string{gate.RuleAccessBypass}},
		{"plan.unguarded blocked: github_membership member", `resource "github_membership" "zed" { username = "zed" }`,
			nil, 1, []string{gate.RulePlanUnguarded}},
		{"plan.unguarded pass: github_membership member approved", `resource "github_membership" "zed" { username = "zed" }`,
			governance, 0, nil},
		{"plan.unguarded blocked: github_team_membership into the approver team",
			`resource "github_team_membership" "erin" {
  team_id  = "sre"
  username = "erin"
}`, nil, 1, []string{gate.RulePlanUnguarded}},
		{"plan.unguarded pass: github_team_membership into the approver team, approved",
			`resource "github_team_membership" "erin" {
  team_id  = "sre"
  username = "erin"
}`, governance, 0, nil},
		{"access.bypass blocked: github_team_membership into a governed team",
			`resource "github_team_membership" "erin" {
  team_id  = "oncall"
  username = "erin"
}`, governance, 1, []string{gate.RuleAccessBypass}},
		{"access.bypass blocked: github_repository_collaborator admin over a governed maintain",
			`resource "github_repository_collaborator" "frank" {
  repository = "api"
  username   = "frank"
  permission = "admin"
}`, governance, 1, []string{gate.RuleAccessBypass}},
		{"plan.unguarded blocked: github_repository_collaborator admin on another repository",
			`resource "github_repository_collaborator" "frank" {
  repository = "web"
  username   = "frank"
  permission = "admin"
}`, nil, 1, []string{gate.RulePlanUnguarded}},
		{"plan.unguarded pass: github_repository_collaborator admin on another repository, approved",
			`resource "github_repository_collaborator" "frank" {
  repository = "web"
  username   = "frank"
  permission = "admin"
}`, governance, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := w.check(t, base+tt.resources, prFlag(w.openPR(tt.reviews...)))
			r.expect(t, tt.code, tt.rules...)
			if len(r.report.Unguarded) != 1 {
				t.Errorf("unguarded = %+v, want the one github_ resource", r.report.Unguarded)
			}
		})
	}
	// Who gets the access approves none of it.
	t.Run("plan.unguarded blocked: approved by the member it adds", func(t *testing.T) {
		r := w.check(t, base+`resource "github_team_membership" "carol" {
  team_id  = "sre"
  username = "carol"
}`, prFlag(w.openPR(governance...)))
		r.expect(t, 1, gate.RulePlanUnguarded)
		if nc := r.report.Unguarded[0].NotCounted; !slices.Contains(nc, gate.NotCounted{Login: "carol", Why: gate.WhyPrincipal}) {
			t.Errorf("not counted = %+v, want carol as principal", nc)
		}
	})
}

// A second jit configuration pointing at another GitHub: a policy read
// there observes nobody, and an elevation read there looks revoked while
// the real grant stays.
func TestSideDoorDecoyConfiguration(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	decoy := githubfake.New()
	t.Cleanup(decoy.Close)
	decoy.Load(seed)
	pager := elevation{}.String()
	w.apply(t, oncallPolicy+pager)
	w.gh.SetTeamMembership("acme", "oncall", "frank", "member", "active") // shadow access, by hand

	moved := fmt.Sprintf(`
provider "jit" {
  alias = "decoy"
  github {
    base_url = %q
  }
}
`, decoy.URL()) + strings.Replace(oncallPolicy, "resource \"jit_optout_policy\" \"oncall\" {", "resource \"jit_optout_policy\" \"oncall\" {\n  provider = jit.decoy", 1) +
		strings.Replace(pager, "resource \"jit_elevation\" \"pager\" {", "resource \"jit_elevation\" \"pager\" {\n  provider = jit.decoy", 1)
	planJSON := w.plan(t, moved)

	t.Run("plan.escape blocked: policy and elevation read from another GitHub", func(t *testing.T) {
		r := w.gate(t, planJSON, nil, prFlag(w.openPR()))
		r.expect(t, 1, gate.RulePlanEscape)
		if len(r.report.Shadow) != 0 {
			t.Errorf("shadow = %+v: the decoy hides frank, which is why it is an escape", r.report.Shadow)
		}
		for _, u := range r.report.Unguarded {
			if !strings.Contains(u.Why, "provider configuration jit.decoy points at "+decoy.URL()) {
				t.Errorf("%s: why %q", u.Address, u.Why)
			}
		}
		if len(r.report.Unguarded) != 2 {
			t.Errorf("unguarded = %+v, want the policy and the elevation", r.report.Unguarded)
		}
	})
	t.Run("plan.escape blocked: drift mode", func(t *testing.T) {
		w.gate(t, planJSON, nil, "--mode=drift").expect(t, 1, gate.RulePlanEscape, gate.RuleDriftUnexpected)
	})
	t.Run("plan.escape pass: approved by a governance approver", func(t *testing.T) {
		w.gate(t, planJSON, nil, prFlag(w.openPR(governance...))).expect(t, 0)
	})
	t.Run("pass: an alias pointing at the trusted GitHub", func(t *testing.T) {
		w.settings(trustedSettings + "github_base_url: " + w.gh.URL() + "\n")
		defer w.settings(trustedSettings)
		trusted := strings.Replace(moved, decoy.URL(), w.gh.URL(), 1)
		r := w.check(t, trusted, prFlag(w.openPR()))
		r.expect(t, 0)
		if len(r.report.Unguarded) != 0 || len(r.report.Shadow) != 1 {
			t.Errorf("unguarded %+v, shadow %+v; want none, and frank seen", r.report.Unguarded, r.report.Shadow)
		}
	})
}

// The governance approvers are the trusted settings' at the PR's base: a
// pull request can neither name them on the command line nor edit the file
// to name a friend.
func TestSideDoorGovernanceApprovers(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.apply(t, oncallPolicy)
	planJSON := w.plan(t, oncallPolicy+deployPolicy)

	t.Run("blocked: --governance-approvers from the PR's workflow is refused", func(t *testing.T) {
		r := w.gate(t, planJSON, nil, prFlag(w.openPR(approvals("erin")...)), "--governance-approvers=erin")
		r.expect(t, 2)
		if !strings.Contains(r.output, "--governance-approvers is for local runs only") {
			t.Errorf("output:\n%s", r.output)
		}
	})
	t.Run("policy.governance blocked: the PR edits the settings to name its friend", func(t *testing.T) {
		n := w.openPR(approvals("erin")...)
		w.gh.SetPullFiles("acme", "infra", n, []githubfake.PullFile{{Filename: settingsPath, Patch: "+governance_approvers: [erin]"}})
		r := w.gate(t, planJSON, nil, prFlag(n))
		r.expect(t, 1, gate.RulePolicyGovernance, gate.RuleGateTrust)
	})
	t.Run("pass: the same PR approved by a governance approver of the base", func(t *testing.T) {
		n := w.openPR(governance...)
		w.gh.SetPullFiles("acme", "infra", n, []githubfake.PullFile{{Filename: settingsPath}})
		w.gate(t, planJSON, nil, prFlag(n)).expect(t, 0)
	})
	t.Run("gate.trust blocked: a workflow changed without a governance approver", func(t *testing.T) {
		n := w.openPR(approvals("bob", "dave")...)
		w.gh.SetPullFiles("acme", "infra", n, []githubfake.PullFile{{Filename: "main.tf"}, {Filename: ".github/workflows/pr-gate.yml"}})
		r := w.check(t, oncallPolicy, prFlag(n))
		r.expect(t, 0) // dave governs
		n = w.openPR(approvals("bob")...)
		w.gh.SetPullFiles("acme", "infra", n, []githubfake.PullFile{{Filename: "main.tf"}, {Filename: ".github/workflows/pr-gate.yml"}})
		r = w.gate(t, w.plan(t, oncallPolicy), nil, prFlag(n))
		r.expect(t, 1, gate.RuleGateTrust)
	})
	t.Run("error: the settings at the base are invalid", func(t *testing.T) {
		w.settings("governance_approvers: [erin]\nunguarded_approvals: 0\n")
		defer w.settings(trustedSettings)
		r := w.gate(t, planJSON, nil, prFlag(w.openPR(governance...)))
		r.expect(t, 2)
		if !strings.Contains(r.output, "unguarded_approvals: want a whole number from 1 to 10") {
			t.Errorf("output:\n%s", r.output)
		}
	})
	t.Run("apply mode: the settings of the merge commit's first parent", func(t *testing.T) {
		n := w.openPR(governance...)
		w.gh.SetPullFiles("acme", "infra", n, []githubfake.PullFile{{Filename: settingsPath}})
		w.merge(n)
		w.gate(t, planJSON, []string{"GITHUB_SHA=" + sha(n, 100)}, "--mode=apply").expect(t, 0)
		// Once settings naming erin are on main, the next merge is judged
		// under them.
		w.settings("governance_approvers: [erin]\n")
		defer w.settings(trustedSettings)
		m := w.openPR(approvals("erin")...)
		w.merge(m)
		w.gate(t, planJSON, []string{"GITHUB_SHA=" + sha(m, 100)}, "--mode=apply").expect(t, 0)
	})
}

// A scope of dots is not a team: go-github would resolve it to another path.
func TestSideDoorDotSegmentScope(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	wide := strings.Replace(oncallPolicy, `"github:team:acme/oncall"`, `"github:team:acme/*"`, 1)
	w.apply(t, wide)
	dots := elevation{scope: `"github:team:acme/.."`}.String()
	t.Run("blocked: the provider refuses it at plan time", func(t *testing.T) {
		w.write(t, wide+dots)
		out, err := w.terraformCmd("plan", "-input=false", "-no-color").CombinedOutput()
		if err == nil || !bytes.Contains(out, []byte("not a plain path")) {
			t.Errorf("terraform plan: %v\n%s", err, out)
		}
	})
	// A plan from a provider that accepted it: the gate refuses it too.
	planJSON := w.plan(t, wide+elevation{}.String())
	data, err := os.ReadFile(planJSON)
	if err != nil {
		t.Fatal(err)
	}
	forged := w.writeFile(t, "dots.json", bytes.ReplaceAll(data, []byte(`"github:team:acme/oncall"`), []byte(`"github:team:acme/.."`)))
	t.Run("policy.scope blocked: the gate refuses it", func(t *testing.T) {
		w.gate(t, forged, nil, prFlag(w.openPR(approvals("bob", "dave")...))).expect(t, 1, gate.RulePolicyScope)
	})
	t.Run("pass: the team it should name, approved", func(t *testing.T) {
		w.gate(t, planJSON, nil, prFlag(w.openPR(approvals("bob", "dave")...))).expect(t, 0)
	})
}

// No laundering: a request for someone who already holds the scope, with
// neither standing nor another elevation in force, would record the shadow
// access as previous access that expiry leaves in place.
func TestSideDoorLaundering(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.apply(t, oncallPolicy)
	approved := approvals("bob", "dave")
	cases := []struct {
		name  string
		setup func()
		el    elevation
		code  int
		rules []string
	}{
		{"access.shadow blocked: the principal is in the governed team by hand",
			func() { w.gh.SetTeamMembership("acme", "oncall", "mona", "member", "active") }, elevation{}, 1, []string{gate.RuleAccessShadow}},
		{"pass: the principal holds nothing", func() { w.gh.SetTeamMembership("acme", "oncall", "mona", "", "") }, elevation{}, 0, nil},
		// acme/*:push is a wildcard: the policy observes nothing, so the gate asks GitHub.
		{"access.shadow blocked: a collaborator by hand on a repository of a wildcard scope",
			func() { w.gh.SetCollaborator("acme", "api", "mona", "push") }, elevation{scope: `"github:repo:acme/api:push"`}, 1, []string{gate.RuleAccessShadow}},
		{"pass: a lower permission is no shadow of push",
			func() { w.gh.SetCollaborator("acme", "api", "mona", "triage") }, elevation{scope: `"github:repo:acme/api:push"`}, 0, nil},
		{"policy.reason blocked: twenty zero-width spaces are no reason", func() {},
			elevation{reason: `"OPS-7` + strings.Repeat(`\u200b`, 20) + `"`}, 1, []string{gate.RulePolicyReason}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.setup()
			r := w.check(t, oncallPolicy+c.el.String(), prFlag(w.openPR(approved...)))
			r.expect(t, c.code, c.rules...)
		})
	}
}
