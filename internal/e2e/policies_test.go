package e2e

import (
	"reflect"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
)

const deployPolicy = `
resource "jit_optout_policy" "deploy" {
  name               = "deploy"
  scopes             = ["github:repo:acme/api:maintain"]
  max_duration       = "1h"
  required_approvals = 1
  approvers          = ["bob"]
}
`

// Changes to policies: who approves them, and what may come with them.
func TestPolicyChanges(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.apply(t, oncallPolicy)

	tests := []struct {
		name      string
		resources string
		reviews   []review
		settings  string   // the trusted settings at the PR's base; "" for none
		rules     []string // none for a pass
		loosened  []string // of the one policy change
	}{
		{"policy.governance pass: new policy approved by a governance approver", oncallPolicy + deployPolicy,
			approvals("carol"), trustedSettings, nil, []string{}},
		{"policy.governance blocked: new policy without governance approvers", oncallPolicy + deployPolicy,
			approvals("carol"), "", []string{gate.RulePolicyGovernance}, []string{}},
		{"policy.governance blocked: new policy approved by someone else", oncallPolicy + deployPolicy,
			approvals("bob"), trustedSettings, []string{gate.RulePolicyGovernance}, []string{}},
		{"policy.governance pass: update approved by the old approvers", oncallWith("", `["erin"]`),
			approvals("bob", "dave"), trustedSettings, nil, []string{"approvers"}},
		{"policy.governance blocked: update approved by a new approver", oncallWith("", `["erin"]`),
			approvals("bob", "erin"), trustedSettings, []string{gate.RulePolicyGovernance}, []string{"approvers"}},
		{"policy.loosen_and_use pass: loosened on its own", oncallWith(`"8h"`, ""),
			approvals("bob", "dave"), trustedSettings, nil, []string{"max_duration"}},
		{"policy.loosen_and_use pass: tightened and used", oncallWith(`"2h"`, "") + elevation{duration: `"1h"`}.String(),
			approvals("bob", "dave"), trustedSettings, nil, []string{}},
		{"policy.loosen_and_use blocked: loosened and used", oncallWith(`"8h"`, "") + elevation{}.String(),
			approvals("bob", "dave"), trustedSettings, []string{gate.RuleLoosenAndUse}, []string{"max_duration"}},
		// The provider checks durations against thresholds it knows; one known
		// only after apply is the gate's to refuse (and counts as loosened).
		// The terraform_data that computes it is a change outside the jit
		// rules, which dave approves as a governance approver.
		{"policy.duration blocked: max_duration unknown at plan time",
			oncallWith("terraform_data.limit.output", "") + elevation{}.String() + `resource "terraform_data" "limit" { input = "8h" }`,
			approvals("bob", "dave"), trustedSettings, []string{gate.RulePolicyDuration, gate.RuleLoosenAndUse}, []string{"max_duration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.settings(tt.settings)
			r := w.check(t, tt.resources, prFlag(w.openPR(tt.reviews...)))
			if len(tt.rules) == 0 {
				r.expect(t, 0)
			} else {
				r.expect(t, 1, tt.rules...)
			}
			if len(r.report.Policies) != 1 || !reflect.DeepEqual(r.report.Policies[0].Loosened, tt.loosened) {
				t.Errorf("policies = %+v, want one change that loosens %q", r.report.Policies, tt.loosened)
			}
		})
	}
}
