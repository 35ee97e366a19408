package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
)

// sameDuration keeps the prior value of a duration when the configured one
// means the same (timetypes.GoDuration's semantic equality): "60m" after
// "1h" is no change, so it forces no replacement and needs no new approval.
// The framework applies semantic equality after apply and refresh only;
// Terraform accepts the prior value in a plan as "no change".
func sameDuration() planmodifier.String { return sameDurationModifier{} }

type sameDurationModifier struct{}

func (sameDurationModifier) Description(context.Context) string {
	return "Another spelling of the same duration is no change."
}

func (m sameDurationModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (sameDurationModifier) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	prior, d1 := timetypes.NewGoDurationValueFromString(req.StateValue.ValueString())
	planned, d2 := timetypes.NewGoDurationValueFromString(req.PlanValue.ValueString())
	if d1.HasError() || d2.HasError() {
		return
	}
	if same, diags := prior.StringSemanticEquals(ctx, planned); same && !diags.HasError() {
		resp.PlanValue = req.StateValue
	}
}
