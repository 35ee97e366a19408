package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// planAt runs the elevation's ModifyPlan for an unchanged configuration at
// the given time, as Terraform does on every plan, and returns the planned
// model and diagnostics.
func planAt(t *testing.T, now time.Time, state elevationModel) (elevationModel, resource.ModifyPlanResponse) {
	t.Helper()
	ctx := context.Background()
	r := &elevationResource{data: &providerData{clock: fixedClock(now), policies: newPolicyRegistry()}}
	var sresp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sresp)
	s := sresp.Schema
	raw := tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
	if d := raw.Set(ctx, &state); d.HasError() {
		t.Fatal(d)
	}
	plan := tfsdk.Plan{Schema: s, Raw: raw.Raw.Copy()}
	resp := resource.ModifyPlanResponse{Plan: plan}
	r.ModifyPlan(ctx, resource.ModifyPlanRequest{State: raw, Plan: plan, Config: tfsdk.Config{Schema: s, Raw: raw.Raw.Copy()}}, &resp)
	var got elevationModel
	if d := resp.Plan.Get(ctx, &got); d.HasError() {
		t.Fatal(d)
	}
	return got, resp
}

func activeElevation(t *testing.T, status string, expires time.Time) elevationModel {
	t.Helper()
	m := elevationModel{
		ID: types.StringValue("elev-1"), PolicyID: types.StringValue("ops"), Principal: types.StringValue("mona"),
		Scope: types.StringValue("github:team:acme/oncall"), Reason: types.StringValue("a reason long enough"),
		Duration: timetypes.NewGoDurationValue(time.Hour), Ticket: types.StringNull(), BreakGlass: types.BoolValue(false),
		Status: types.StringValue(status), GrantedAt: timetypes.NewRFC3339TimeValue(expires.Add(-time.Hour).UTC()),
		ExpiresAt: timetypes.NewRFC3339TimeValue(expires.UTC()), RevokedAt: timetypes.NewRFC3339Null(),
		PreviousAccess: types.StringValue("none"), GrantedByCommit: types.StringNull(),
		PrincipalID: types.Int64Value(1001), PrincipalLogin: types.StringValue("mona"), Overlaps: types.ListNull(overlapType),
	}
	if d := setHistory(context.Background(), &m, []policy.Event{{At: stamp(expires.Add(-time.Hour)), Event: policy.EventGranted, Detail: "granted"}}); d.HasError() {
		t.Fatal(d)
	}
	return m
}

func TestModifyPlanExpiry(t *testing.T) {
	expires := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		status      string
		now         time.Time
		wantStatus  string
		wantRevoke  bool
		wantWarning string
	}{
		{"before expiry", policy.StatusActive, expires.Add(-time.Second), policy.StatusActive, false, ""},
		{"at expiry", policy.StatusActive, expires, policy.StatusExpired, true, "Elevation expired: mona on github:team:acme/oncall"},
		{"pending invitation expires too", policy.StatusPending, expires.Add(time.Minute), policy.StatusExpired, true, "Elevation expired"},
		{"revoked stays revoked", policy.StatusRevoked, expires.Add(time.Hour), policy.StatusRevoked, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := activeElevation(t, tt.status, expires)
			if tt.status == policy.StatusRevoked {
				state.RevokedAt = timetypes.NewRFC3339TimeValue(expires.UTC())
			}
			got, resp := planAt(t, tt.now, state)
			if got.Status.ValueString() != tt.wantStatus {
				t.Errorf("planned status = %s, want %s", got.Status, tt.wantStatus)
			}
			if got.RevokedAt.IsUnknown() != tt.wantRevoke {
				t.Errorf("revoked_at unknown = %v, want %v (a revocation planned)", got.RevokedAt.IsUnknown(), tt.wantRevoke)
			}
			warnings := resp.Diagnostics.Warnings()
			if tt.wantWarning == "" {
				if len(warnings) != 0 {
					t.Errorf("unexpected warnings %v", warnings)
				}
				return
			}
			if len(warnings) != 1 || !strings.Contains(warnings[0].Summary(), tt.wantWarning) ||
				!strings.Contains(warnings[0].Detail(), "expired at 2026-11-28T12:00:00Z") {
				t.Errorf("warnings = %v, want one naming %q and the expiry time", warnings, tt.wantWarning)
			}
		})
	}
}

// Access found again after an elevation ended is jit-gate revoke's to
// judge (it sees whether a newer elevation holds it): a state whose
// revoked_at an older provider cleared plans nothing.
func TestModifyPlanLeavesFoundAgainToRevoke(t *testing.T) {
	expires := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	state := activeElevation(t, policy.StatusExpired, expires)
	got, resp := planAt(t, expires.Add(time.Hour), state)
	if got.RevokedAt.IsUnknown() || !got.History.Equal(state.History) {
		t.Fatalf("planned revoked_at %s, history %s: want the state unchanged", got.RevokedAt, got.History)
	}
	if w := resp.Diagnostics.Warnings(); len(w) != 0 {
		t.Errorf("warnings = %v", w)
	}
}

// An elevation in force whose access an overlapped elevation's expiry took
// (revoked_at set, status active) plans giving it back.
func TestModifyPlanGivesBackAccessAnOverlapTook(t *testing.T) {
	expires := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	state := activeElevation(t, policy.StatusActive, expires)
	state.RevokedAt = timetypes.NewRFC3339TimeValue(expires.Add(-30 * time.Minute))
	got, resp := planAt(t, expires.Add(-10*time.Minute), state)
	if !got.RevokedAt.IsUnknown() || got.Status.ValueString() != policy.StatusActive {
		t.Fatalf("planned %s / revoked_at %s, want active with revoked_at to be cleared", got.Status, got.RevokedAt)
	}
	if w := resp.Diagnostics.Warnings(); len(w) != 1 || !strings.Contains(w[0].Summary(), "Access given back") {
		t.Errorf("warnings = %v", w)
	}
}

// The expiry warning says what stays: what an overlapped elevation in force
// still gives.
func TestModifyPlanExpiryNamesWhatOverlapsKeep(t *testing.T) {
	expires := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	state := activeElevation(t, policy.StatusActive, expires)
	state.Scope = types.StringValue("github:team:acme/oncall:maintainer")
	overlaps, d := types.ListValueFrom(context.Background(), overlapType, []overlapModel{{
		ID: types.StringValue("elev-0"), Principal: types.StringValue("mona"), PrincipalID: types.Int64Value(1001),
		Scope: types.StringValue("github:team:acme/oncall"), Status: types.StringValue(policy.StatusActive),
		ExpiresAt: types.StringValue(stamp(expires.Add(time.Hour))), PreviousAccess: types.StringValue("none"),
	}})
	if d.HasError() {
		t.Fatal(d)
	}
	state.Overlaps = overlaps
	_, resp := planAt(t, expires, state)
	if w := resp.Diagnostics.Warnings(); len(w) != 1 || !strings.Contains(w[0].Detail(), "restores member, which elev-0 (until 2026-11-28T13:00:00Z) in force still give") {
		t.Errorf("warnings = %v", w)
	}
}
