package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
)

// The gate fails closed on anything that is not a complete saved plan in
// format 1.x, whatever way a workflow gets it wrong.
func TestPlanInvalid(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.apply(t, oncallPolicy)
	valid := w.plan(t, oncallPolicy)
	t.Run("pass: a real plan", func(t *testing.T) {
		w.gate(t, valid, nil, "--mode=drift").expect(t, 0)
	})

	data := readFile(t, valid)
	binary := readFile(t, filepath.Join(w.dir, "plan.bin"))
	human := w.terraform(t, "show", "plan.bin")
	state := w.terraform(t, "show", "-json")
	// Terraform saves a partial plan when planning fails: here the provider
	// refuses a duration above the policy's.
	w.write(t, oncallPolicy+elevation{duration: `"10h"`}.String())
	if out, err := w.terraformCmd("plan", "-input=false", "-out=errored.bin").CombinedOutput(); err == nil {
		t.Fatalf("terraform accepted a duration above max_duration:\n%s", out)
	}
	errored := w.show(t, "errored.bin")

	bad := map[string][]byte{
		"empty":                        nil,
		"truncated":                    data[:len(data)/2],
		"malformed":                    bytes.Replace(data, []byte(`"planned_values":`), []byte(`"planned_values"`), 1),
		"saved plan file, not JSON":    binary,
		"human-readable plan":          human,
		"state instead of plan":        state,
		"format version 2":             bytes.Replace(data, []byte(`"format_version":"1.2"`), []byte(`"format_version":"2.0"`), 1),
		"partial plan of a failed run": readFile(t, errored),
	}
	for name, content := range bad {
		t.Run("blocked: "+name, func(t *testing.T) {
			r := w.gate(t, w.writeFile(t, "bad.json", content), nil, "--mode=drift")
			r.expect(t, 2, gate.RulePlanInvalid)
		})
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// requestCase is a configuration whose elevations, approved by two
// approvers, break rule ("" for none) and no other.
type requestCase struct {
	name, resources, rule string
}

func (w *workspace) checkRequests(t *testing.T, tests []requestCase) {
	pr := prFlag(w.openPR(approvals("bob", "dave")...))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := w.check(t, tt.resources, pr)
			if tt.rule == "" {
				r.expect(t, 0)
				return
			}
			r.expect(t, 1, tt.rule)
			for _, v := range r.report.Violations {
				if !strings.HasPrefix(v.Address, "jit_elevation.") {
					t.Errorf("violation at %q, want it at the elevation: %+v", v.Address, v)
				}
			}
		})
	}
}

// One elevation at a time under the applied oncall policy.
func TestRequestRules(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.apply(t, oncallPolicy)
	w.checkRequests(t, []requestCase{
		{"policy.missing, policy.requester pass: existing policy, requester through team devs", oncallPolicy + elevation{}.String(), ""},
		{"policy.missing blocked: no such policy", oncallPolicy + elevation{policyID: `"breakglass"`}.String(), gate.RulePolicyMissing},
		// Deleting the policy is approved (bob and dave approve oncall); using it is not.
		{"policy.missing blocked: the plan deletes the policy", elevation{policyID: `"oncall"`}.String(), gate.RulePolicyMissing},
		{"policy.scope pass: matches acme/*:push", oncallPolicy + elevation{scope: `"github:repo:acme/api:push"`}.String(), ""},
		{"policy.scope blocked: admin", oncallPolicy + elevation{scope: `"github:repo:acme/api:admin"`}.String(), gate.RulePolicyScope},
		{"policy.duration pass: exactly max_duration", oncallPolicy + elevation{duration: `"4h"`}.String(), ""},
		{"policy.duration blocked: duration unknown at plan time", oncallPolicy + elevation{duration: "terraform_data.window.output"}.String() +
			`resource "terraform_data" "window" { input = "1h" }`, gate.RulePolicyDuration},
		{"policy.reason pass: exactly min_length, with a ticket", oncallPolicy + elevation{reason: `"OPS-1 rotate the key"`}.String(), ""},
		{"policy.reason blocked: no ticket", oncallPolicy + elevation{reason: `"rotate the signing key right now"`}.String(), gate.RulePolicyReason},
		{"policy.requester pass: requester by name", oncallPolicy + elevation{principal: `"erin"`}.String(), ""},
		{"policy.requester blocked: team invitation pending", oncallPolicy + elevation{principal: `"zed"`}.String(), gate.RulePolicyRequester},
	})
}

// max_active_per_principal counts what a principal holds after the plan:
// elevations already granted as well as new ones.
func TestMaxActive(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	held := elevation{name: "held", principal: `"erin"`, scope: `"github:repo:acme/api:push"`}.String()
	w.apply(t, oncallPolicy+held)
	erin := elevation{principal: `"erin"`}.String()
	w.checkRequests(t, []requestCase{
		{"policy.max_active pass: another principal", oncallPolicy + held + elevation{}.String(), ""},
		{"policy.max_active pass: the held one destroyed in the same plan", oncallPolicy + erin, ""},
		{"policy.max_active blocked: a second for erin", oncallPolicy + held + erin, gate.RulePolicyMaxActive},
	})
}

// Approval counting on one plan (mona's elevation under oncall), one pull
// request per case.
func TestApprovals(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.apply(t, oncallPolicy)
	planJSON := w.plan(t, oncallPolicy+elevation{}.String())

	// Approvals that never count, each for its own reason. alice, mona and
	// frank are in team sre: they would be approvers otherwise.
	uncounted := []review{
		{login: "alice", state: gate.StateApproved},                // the PR's author
		{login: "mona", state: gate.StateApproved},                 // the elevation's principal
		{login: "frank", state: gate.StateApproved},                // pushed a commit to the PR
		{login: "renovate[bot]", state: gate.StateApproved},        // a bot
		{login: "carol", state: gate.StateApproved, onFirst: true}, // before the last push
		{login: "erin", state: gate.StateApproved},                 // not an approver
	}
	wantUncounted := []gate.NotCounted{
		{Login: "alice", Why: gate.WhyAuthor}, {Login: "carol", Why: gate.WhyStale}, {Login: "erin", Why: gate.WhyNotApprover},
		{Login: "frank", Why: gate.WhyPusher}, {Login: "mona", Why: gate.WhyPrincipal}, {Login: "renovate[bot]", Why: gate.WhyBot},
	}
	changes := func(login string) review { return review{login: login, state: gate.StateChangesRequested} }

	tests := []struct {
		name       string
		reviews    []review
		rule       string
		approvedBy []string
		notCounted []gate.NotCounted
	}{
		{"approval.insufficient pass: two of many", append(approvals("bob", "dave"), uncounted...), "", []string{"bob", "dave"}, wantUncounted},
		{"approval.insufficient blocked: one of many", append(approvals("bob"), uncounted...), gate.RuleApprovalInsufficient, []string{"bob"}, wantUncounted},
		// GitHub lists 100 reviews a page: the approvals are on the second.
		{"approval.insufficient pass: approvals after 100 comments", append(slices.Repeat([]review{{login: "zed", state: gate.StateCommented}}, 100),
			approvals("bob", "dave")...), "", []string{"bob", "dave"}, []gate.NotCounted{}},
		{"approval.vetoed pass: changes requested, then approved; a non-approver's request does not veto",
			append([]review{changes("carol"), changes("erin")}, approvals("bob", "carol")...), "", []string{"bob", "carol"}, []gate.NotCounted{}},
		{"approval.vetoed blocked: an approver requests changes",
			append(approvals("bob", "dave"), changes("carol")), gate.RuleApprovalVetoed, []string{"bob", "dave"}, []gate.NotCounted{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := w.gate(t, planJSON, nil, prFlag(w.openPR(tt.reviews...)))
			if tt.rule == "" {
				r.expect(t, 0)
			} else {
				r.expect(t, 1, tt.rule)
			}
			if len(r.report.Elevations) != 1 {
				t.Fatalf("elevations = %+v, want mona's", r.report.Elevations)
			}
			el := r.report.Elevations[0]
			if el.ApprovalsRequired != 2 || !reflect.DeepEqual(el.ApprovedBy, tt.approvedBy) || !reflect.DeepEqual(el.NotCounted, tt.notCounted) {
				t.Errorf("approvals_required %d, approved_by %q, not_counted %+v; want 2, %q, %+v",
					el.ApprovalsRequired, el.ApprovedBy, el.NotCounted, tt.approvedBy, tt.notCounted)
			}
		})
	}
}
