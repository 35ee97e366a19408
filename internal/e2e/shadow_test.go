package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/sweep"
)

// exclusivePolicy allows the oncall team and admin on acme/api; carol holds
// them permanently, anyone else needs an elevation.
const exclusivePolicy = `
resource "jit_optout_policy" "prod" {
  name               = "prod"
  scopes             = ["github:team:acme/oncall", "github:repo:acme/api:admin"]
  max_duration       = "4h"
  required_approvals = 1
  approvers          = ["bob"]
  standing           = { carol = "Owns the oncall rota" }
  exclusive          = true
}

resource "jit_elevation" "mona" {
  policy_id = jit_optout_policy.prod.id
  principal = "mona"
  scope     = "github:team:acme/oncall"
  reason    = "OPS-7 investigate the paging outage"
  duration  = "2h"
}
`

// Someone added by hand to a policy's concrete scope shows up in the next
// plan as drift of the policy's observed holders and as access.shadow, which
// blocks in drift mode only; jit-gate sweep removes them under an exclusive
// policy, and never touches standing principals or active elevations.
func TestShadowAccess(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.gh.SetTeamMembership("acme", "oncall", "carol", "member", "active")
	// erin holds admin on acme/api through a team: a holder of the admin scope
	// like any direct collaborator.
	w.gh.AddTeam("acme", "api-admins")
	w.gh.SetTeamMembership("acme", "api-admins", "erin", "member", "active")
	w.gh.SetTeamRepoPermission("acme", "api-admins", "acme", "api", "admin")
	w.apply(t, exclusivePolicy)

	w.gh.SetTeamMembership("acme", "oncall", "frank", "member", "active") // by hand
	planJSON := w.plan(t, exclusivePolicy)
	wantShadow := []gate.ShadowAccess{
		{Address: "jit_optout_policy.prod", Scope: "github:repo:acme/api:admin", Principal: "erin"},
		{Address: "jit_optout_policy.prod", Scope: "github:team:acme/oncall", Principal: "frank"},
	}

	drift := w.gate(t, planJSON, nil, "--mode=drift")
	drift.expect(t, 1, gate.RuleAccessShadow)
	if !slices.Equal(drift.report.Shadow, wantShadow) {
		t.Errorf("shadow = %+v, want %+v", drift.report.Shadow, wantShadow)
	}
	if !slices.ContainsFunc(drift.report.Drift, func(d gate.DriftReport) bool {
		return d.Address == "jit_optout_policy.prod" && slices.Contains(d.Attributes, "observed")
	}) {
		t.Errorf("the hand-added member is not reported as drift of the policy's observed holders: %+v", drift.report.Drift)
	}
	pr := w.gate(t, planJSON, nil, prFlag(w.openPR()))
	pr.expect(t, 0)
	if !slices.Equal(pr.report.Shadow, wantShadow) {
		t.Errorf("pr mode must report shadow access too: %+v", pr.report.Shadow)
	}

	outcomes, code := w.sweep(t, planJSON)
	results := map[string]string{}
	for _, o := range outcomes {
		results[o.Principal] = o.Result
	}
	if code != 1 || results["frank"] != sweep.Removed || results["erin"] != sweep.Indirect || len(results) != 2 {
		t.Errorf("sweep exit %d, outcomes %+v: want frank removed, erin reported as holding through a team, exit 1", code, outcomes)
	}
	for login, want := range map[string]bool{"frank": false, "carol": true, "mona": true} {
		if _, _, ok := w.gh.TeamMembership("acme", "oncall", login); ok != want {
			t.Errorf("after the sweep %s in acme/oncall = %v, want %v", login, ok, want)
		}
	}

	after := w.gate(t, w.plan(t, exclusivePolicy), nil, "--mode=drift")
	if !slices.Equal(after.report.Shadow, wantShadow[:1]) {
		t.Errorf("shadow after the sweep = %+v, want only erin's, through her team", after.report.Shadow)
	}
}

// sweep runs `jit-gate sweep --plan PLAN --format json` against the fake.
func (w *workspace) sweep(t *testing.T, planJSON string) ([]sweep.Outcome, int) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "jit-gate"), "sweep", "--plan", planJSON, "--format", "json")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "GITHUB_TOKEN=" + token, "GITHUB_API_URL=" + w.gh.URL()}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	var out []sweep.Outcome
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("jit-gate sweep output is not JSON (%v):\n%s%s", err, stdout.Bytes(), stderr.Bytes())
	}
	return out, cmd.ProcessState.ExitCode()
}
