package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// A state written before principal_id, principal_login and overlaps
// existed reads with them null; the next refresh records the ID (by login,
// lifecycle.Refresh) and the login.
func TestStateWithoutPrincipalIDUpgrades(t *testing.T) {
	ctx := context.Background()
	server, err := protoV6ProviderFactories["jit"]()
	if err != nil {
		t.Fatal(err)
	}
	old := `{"id":"elev-1","policy_id":"ops","principal":"mona","scope":"github:team:acme/oncall","reason":"a reason long enough",
		"duration":"1h","ticket":null,"break_glass":false,"status":"active","granted_at":"2026-03-01T09:00:00Z",
		"expires_at":"2026-03-01T10:00:00Z","revoked_at":null,"previous_access":"none","granted_by_commit":null,
		"history":[{"at":"2026-03-01T09:00:00Z","event":"granted","detail":"granted"}]}`
	resp, err := server.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
		TypeName: "jit_elevation", Version: 0, RawState: &tfprotov6.RawState{JSON: []byte(old)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("%s: %s", d.Summary, d.Detail)
	}
	var sresp resource.SchemaResponse
	(&elevationResource{}).Schema(ctx, resource.SchemaRequest{}, &sresp)
	v, err := resp.UpgradedState.Unmarshal(sresp.Schema.Type().TerraformType(ctx))
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"principal_id", "principal_login", "overlaps"} {
		if !attrs[name].IsNull() {
			t.Errorf("%s = %v, want null", name, attrs[name])
		}
	}
	var principal string
	if err := attrs["principal"].As(&principal); err != nil || principal != "mona" {
		t.Errorf("principal = %q (%v)", principal, err)
	}
}
