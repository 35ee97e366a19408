package plan

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

// The fixtures are plans that the real Terraform wrote with the real provider
// against the fake GitHub: testdata/plans/CASE.json, made from the
// configuration in testdata/plans/CASE/ by `make fixtures`
// (scripts/gen-fixtures.sh, which says what each case does before its plan).

const fixtureDir = "../../testdata/plans"

func readFixture(t *testing.T, name string) *Plan {
	t.Helper()
	p, err := ReadFile(filepath.Join(fixtureDir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFixturesRead(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(fixtureDir, "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures in %s (%v)", fixtureDir, err)
	}
	for _, path := range paths {
		p, err := ReadFile(path)
		if err != nil {
			t.Error(err)
			continue
		}
		if p.FormatVersion != "1.2" || !strings.HasPrefix(p.TerraformVersion, "1.") {
			t.Errorf("%s: format %q, terraform %q", path, p.FormatVersion, p.TerraformVersion)
		}
	}
}

func findElevation(t *testing.T, p *Plan, address string) ElevationChange {
	t.Helper()
	for _, ec := range p.Elevations {
		if ec.Address == address {
			return ec
		}
	}
	t.Fatalf("no elevation %s in the plan", address)
	return ElevationChange{}
}

func onlyPolicy(t *testing.T, p *Plan) PolicyChange {
	t.Helper()
	if len(p.Policies) != 1 {
		t.Fatalf("%d policies, want 1", len(p.Policies))
	}
	return p.Policies[0]
}

// Every action kind Terraform 1.8 writes for a managed resource, each from a
// real plan. Terraform 1.8 never plans create-forget.
func TestFixtureActions(t *testing.T) {
	tests := []struct {
		fixture, address string
		want             Action
	}{
		{"modules", "module.team[\"sre\"].jit_elevation.pager[1]", ActionCreate},
		{"expired", "jit_elevation.pager", ActionUpdate},
		{"destroy", "jit_elevation.pager", ActionDelete},
		{"actions", "jit_elevation.pager", ActionReplace},             // ["delete","create"]
		{"actions", "jit_elevation.hotfix", ActionReplaceCreateFirst}, // ["create","delete"]: create_before_destroy
		{"actions", "jit_elevation.audit", ActionNoOp},
		{"actions", "jit_elevation.handover", ActionForget},
	}
	for _, tt := range tests {
		if got := findElevation(t, readFixture(t, tt.fixture), tt.address).Action; got != tt.want {
			t.Errorf("%s %s: action %q, want %q", tt.fixture, tt.address, got, tt.want)
		}
	}

	// A data source read at apply time counts as a resource but is no change
	// of access; the terraform_data that defers it is a change.
	p := readFixture(t, "actions")
	if p.ResourceCount != 7 {
		t.Errorf("ResourceCount = %d, want 7 (data source included)", p.ResourceCount)
	}
	want := []Change{{Resource: Resource{Address: "terraform_data.state_path", Mode: "managed", Type: "terraform_data", Name: "state_path"}, Action: ActionCreate}}
	if !reflect.DeepEqual(p.Others, want) {
		t.Errorf("Others = %+v, want %+v", p.Others, want)
	}
	if forgotten := findElevation(t, p, "jit_elevation.handover"); forgotten.Before == nil || forgotten.Before.Status != "active" || forgotten.After != nil {
		t.Errorf("forgotten elevation: before %+v, after %+v; want an active one and nothing after", forgotten.Before, forgotten.After)
	}
}

func TestFixtureModuleAddresses(t *testing.T) {
	p := readFixture(t, "modules")
	want := []Resource{
		{Address: `module.team["devs"].jit_elevation.pager[0]`, ModuleAddress: `module.team["devs"]`, Name: "pager", Index: "0"},
		{Address: `module.team["sre"].jit_elevation.pager[0]`, ModuleAddress: `module.team["sre"]`, Name: "pager", Index: "0"},
		{Address: `module.team["sre"].jit_elevation.pager[1]`, ModuleAddress: `module.team["sre"]`, Name: "pager", Index: "1"},
		{Address: `module.team["devs"].module.repo.jit_elevation.push["mona"]`, ModuleAddress: `module.team["devs"].module.repo`, Name: "push", Index: `"mona"`},
		{Address: `module.team["sre"].module.repo.jit_elevation.push["dave"]`, ModuleAddress: `module.team["sre"].module.repo`, Name: "push", Index: `"dave"`},
		{Address: `module.team["sre"].module.repo.jit_elevation.push["frank"]`, ModuleAddress: `module.team["sre"].module.repo`, Name: "push", Index: `"frank"`},
	}
	var got []Resource
	for _, ec := range p.Elevations {
		got = append(got, ec.Resource)
		if ec.After == nil || ec.After.PolicyID != "oncall" || !ec.After.IsUnknown("status") || ec.Before != nil {
			t.Errorf("%s: before %+v, after %+v; want a new elevation under oncall", ec.Address, ec.Before, ec.After)
		}
	}
	for i := range want {
		want[i].Mode, want[i].Type = "managed", TypeElevation
	}
	slices.SortFunc(got, func(a, b Resource) int { return strings.Compare(a.Address, b.Address) })
	slices.SortFunc(want, func(a, b Resource) int { return strings.Compare(a.Address, b.Address) })
	if !reflect.DeepEqual(got, want) {
		t.Errorf("elevations:\n got %+v\nwant %+v", got, want)
	}
	if pc := onlyPolicy(t, p); pc.Address != "jit_optout_policy.oncall" || pc.ModuleAddress != "" || pc.Index != "" {
		t.Errorf("policy %+v, want the root module's jit_optout_policy.oncall", pc.Resource)
	}
}

func TestFixtureUnknownThresholds(t *testing.T) {
	p := readFixture(t, "unknown")
	pol := onlyPolicy(t, p).After
	if !pol.IsUnknown("max_duration") || pol.MaxDuration != 0 || pol.IsUnknown("required_approvals") || pol.RequiredApprovals != 2 {
		t.Errorf("policy after = %+v; want max_duration unknown, required_approvals 2", pol)
	}
	el := findElevation(t, p, "jit_elevation.pager").After
	if !el.IsUnknown("duration") || el.IsUnknown("policy_id") || el.PolicyID != "oncall" {
		t.Errorf("elevation after = %+v; want duration unknown, policy_id oncall", el)
	}
}

func TestFixturePolicyLoosened(t *testing.T) {
	pc := onlyPolicy(t, readFixture(t, "policy_loosen"))
	if pc.Action != ActionUpdate {
		t.Fatalf("action %q, want update", pc.Action)
	}
	wantChanged := []string{"approvers", "break_glass", "fingerprint", "governance_approvals", "max_active_per_principal",
		"max_duration", "reason", "required_approvals", "scopes", "version"}
	if !slices.Equal(pc.Changed, wantChanged) {
		t.Errorf("Changed = %q, want %q", pc.Changed, wantChanged)
	}
	before := policy.Policy{
		ID: "oncall", Name: "oncall", Scopes: []string{"github:team:acme/oncall"},
		MaxDuration: 4 * time.Hour, RequiredApprovals: 2, Approvers: []string{"bob", "carol"},
		Reason:                policy.Reason{MinLength: 30, Pattern: "OPS-[0-9]+"},
		MaxActivePerPrincipal: 1, GovernanceApprovals: 3,
		Observed: map[string][]string{"github:team:acme/oncall": {}},
	}
	after := policy.Policy{
		ID: "oncall", Name: "oncall", Scopes: []string{"github:repo:acme/*:admin", "github:team:acme/oncall"},
		MaxDuration: 8 * time.Hour, RequiredApprovals: 1, Approvers: []string{"bob", "carol", "erin"},
		Reason:              policy.Reason{MinLength: 10},
		BreakGlass:          policy.BreakGlass{Enabled: true, MaxDuration: time.Hour, ReviewWithin: 24 * time.Hour},
		GovernanceApprovals: 1,
		Observed:            map[string][]string{"github:team:acme/oncall": {}},
	}
	if !reflect.DeepEqual(*pc.Before, before) {
		t.Errorf("before:\n got %+v\nwant %+v", *pc.Before, before)
	}
	if !reflect.DeepEqual(*pc.After, after) {
		t.Errorf("after:\n got %+v\nwant %+v", *pc.After, after)
	}
}

// Revocations as SCHEMA.md says they show in a plan.
func TestFixtureRevocations(t *testing.T) {
	t.Run("expired", func(t *testing.T) {
		ec := findElevation(t, readFixture(t, "expired"), "jit_elevation.pager")
		if ec.Before.Status != "active" || ec.After.Status != "expired" || !ec.After.IsUnknown("revoked_at") {
			t.Errorf("status %q -> %q, revoked_at unknown %v; want active -> expired, unknown", ec.Before.Status, ec.After.Status, ec.After.IsUnknown("revoked_at"))
		}
		if want := []string{"history", "revoked_at", "status"}; !slices.Equal(ec.Changed, want) {
			t.Errorf("Changed = %q, want %q", ec.Changed, want)
		}
	})
	t.Run("found again", func(t *testing.T) {
		p := readFixture(t, "found_again")
		ec := findElevation(t, p, "jit_elevation.pager")
		if ec.Action != ActionUpdate || ec.Before.Status != "expired" || ec.Before.RevokedAt != "" || !ec.After.IsUnknown("revoked_at") {
			t.Errorf("%s %+v -> %+v; want an update of an expired elevation whose revoked_at the refresh cleared", ec.Action, ec.Before, ec.After)
		}
		want := []Drift{{Resource: ec.Resource, Action: ActionUpdate, Attributes: []string{"history", "revoked_at"}}}
		if !reflect.DeepEqual(p.Drift, want) {
			t.Errorf("Drift = %+v, want %+v", p.Drift, want)
		}
	})
	t.Run("destroyed", func(t *testing.T) {
		p := readFixture(t, "destroy")
		for _, ec := range p.Elevations {
			if ec.Action != ActionDelete || ec.After != nil || ec.Before == nil || ec.Before.Status != "active" || ec.Before.Principal == "" {
				t.Errorf("%s: %s %+v -> %+v; want the delete of an active elevation", ec.Address, ec.Action, ec.Before, ec.After)
			}
		}
		if len(p.Elevations) != 2 || onlyPolicy(t, p).Action != ActionDelete {
			t.Errorf("want 2 elevations and the policy deleted, got %+v", p)
		}
	})
}

func TestFixtureDrift(t *testing.T) {
	p := readFixture(t, "drift")
	pager := findElevation(t, p, "jit_elevation.pager")
	want := []Drift{{Resource: pager.Resource, Action: ActionUpdate, Attributes: []string{"history", "revoked_at", "status"}}}
	if !reflect.DeepEqual(p.Drift, want) {
		t.Errorf("Drift = %+v, want %+v", p.Drift, want)
	}
	// The plan starts from the refreshed state: the grant removed outside
	// Terraform is already revoked there, and nothing is planned.
	if pager.Action != ActionNoOp || pager.Before.Status != "revoked" || pager.Before.RevokedAt == "" {
		t.Errorf("pager: %s, before %+v; want no-op from a revoked state", pager.Action, pager.Before)
	}
}
