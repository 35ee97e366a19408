package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
)

var (
	_ resource.ResourceWithConfigure      = (*optoutPolicyResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*optoutPolicyResource)(nil)
	_ resource.ResourceWithValidateConfig = (*optoutPolicyResource)(nil)
)

func newOptoutPolicyResource() resource.Resource { return &optoutPolicyResource{} }

type optoutPolicyResource struct {
	data *providerData
}

type optoutPolicyModel struct {
	ID                    types.String         `tfsdk:"id"`
	Name                  types.String         `tfsdk:"name"`
	Description           types.String         `tfsdk:"description"`
	Scopes                types.Set            `tfsdk:"scopes"`
	MaxDuration           timetypes.GoDuration `tfsdk:"max_duration"`
	RequiredApprovals     types.Int64          `tfsdk:"required_approvals"`
	Approvers             types.Set            `tfsdk:"approvers"`
	Requesters            types.Set            `tfsdk:"requesters"`
	Reason                *reasonModel         `tfsdk:"reason"`
	MaxActivePerPrincipal types.Int64          `tfsdk:"max_active_per_principal"`
	BreakGlass            *breakGlassModel     `tfsdk:"break_glass"`
	GovernanceApprovals   types.Int64          `tfsdk:"governance_approvals"`
	Standing              types.Map            `tfsdk:"standing"`
	Exclusive             types.Bool           `tfsdk:"exclusive"`
	Fingerprint           types.String         `tfsdk:"fingerprint"`
	Version               types.Int64          `tfsdk:"version"`
	Observed              types.Map            `tfsdk:"observed"`
}

type reasonModel struct {
	MinLength      types.Int64  `tfsdk:"min_length"`
	Pattern        types.String `tfsdk:"pattern"`
	TicketRequired types.Bool   `tfsdk:"ticket_required"`
	TicketPattern  types.String `tfsdk:"ticket_pattern"`
}

type breakGlassModel struct {
	Enabled           types.Bool           `tfsdk:"enabled"`
	MaxDuration       timetypes.GoDuration `tfsdk:"max_duration"`
	RequiredApprovals types.Int64          `tfsdk:"required_approvals"`
	ReviewWithin      timetypes.GoDuration `tfsdk:"review_within"`
}

var observedType = types.MapType{ElemType: types.ListType{ElemType: types.StringType}}

func (r *optoutPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_optout_policy"
}

func (r *optoutPolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	principalRefs := []validator.Set{setvalidator.ValueStringsAre(principalRefValidator())}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The thresholds, as code, that govern which just-in-time elevations may be requested and how they are approved. " +
			"The policy lives only in Terraform state; `jit-gate` enforces it on every plan and guards changes to it.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The policy's identifier: its `name`, known at plan time so elevations in the same plan can be checked against it.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Unique name of the policy: lowercase letters, digits, `-` and `_`, at most 64 characters. Changing it replaces the policy.",
				Required:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{stringvalidator.RegexMatches(policyNameRE,
					"must be lowercase letters, digits, '-' and '_', starting with a letter or digit, at most 64 characters")},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "What the policy is for.",
				Optional:            true,
			},
			"scopes": schema.SetAttribute{
				MarkdownDescription: "Scope patterns this policy allows, such as `github:team:acme/oncall` or `github:repo:acme/*:admin`. `*` stands for a whole segment or level.",
				ElementType:         types.StringType,
				Required:            true,
				Validators:          []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(scopePatternValidator())},
			},
			"max_duration": schema.StringAttribute{
				MarkdownDescription: "Longest elevation allowed, as a Go duration (`30m`, `4h`). At most `168h`, a ceiling no configuration raises.",
				CustomType:          timetypes.GoDurationType{},
				Required:            true,
				Validators:          []validator.String{durationValidator()},
				PlanModifiers:       []planmodifier.String{sameDuration()},
			},
			"required_approvals": schema.Int64Attribute{
				MarkdownDescription: "Approvals an elevation needs from `approvers`, 1 to 10. Zero is impossible: second-party approval is not optional.",
				Required:            true,
				Validators:          []validator.Int64{int64validator.Between(1, 10)},
			},
			"approvers": schema.SetAttribute{
				MarkdownDescription: "Who may approve: GitHub logins and teams as `team:ORG/SLUG`. The PR author, the elevation's principal, committers to the PR and bots never count.",
				ElementType:         types.StringType,
				Required:            true,
				Validators:          append([]validator.Set{setvalidator.SizeAtLeast(1)}, principalRefs...),
			},
			"requesters": schema.SetAttribute{
				MarkdownDescription: "Who may be the principal of an elevation: logins and `team:ORG/SLUG`. Unset means anyone.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          append([]validator.Set{setvalidator.SizeAtLeast(1)}, principalRefs...),
			},
			"max_active_per_principal": schema.Int64Attribute{
				MarkdownDescription: "Most elevations one principal may hold under this policy at once. Unset means no limit.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"governance_approvals": schema.Int64Attribute{
				MarkdownDescription: "Approvals needed to change or delete this policy, from its approvers as they were before the change. Defaults to `required_approvals` and may not be lower.",
				Optional:            true,
				Validators: []validator.Int64{int64validator.Between(1, 10),
					// Changing a policy may not be easier than using it.
					int64validator.AtLeastSumOf(path.MatchRoot("required_approvals"))},
			},
			"standing": schema.MapAttribute{
				MarkdownDescription: "Principals allowed to hold this policy's concrete scopes permanently (for example a break-glass account), mapped to the reason.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators: []validator.Map{
					mapvalidator.KeysAre(loginValidator()),
					mapvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
				},
			},
			"exclusive": schema.BoolAttribute{
				MarkdownDescription: "When true, anyone holding one of this policy's concrete scopes with neither standing nor an elevation in force is removed by `jit-gate sweep`, which the drift-check workflow runs after its apply. " +
					"The gate does it rather than the provider because Terraform plans a policy before the elevations that reference it, so only the gate sees both. Organisation owners are reported, never lowered. " +
					"Only concrete scopes are observed and swept, so `exclusive` on a policy whose scopes all have wildcards is refused at plan time.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"fingerprint": schema.StringAttribute{
				MarkdownDescription: "SHA-256 of the canonical thresholds; changes whenever a threshold does.",
				Computed:            true,
			},
			"version": schema.Int64Attribute{
				MarkdownDescription: "Starts at 1 and goes up by one on every change of thresholds.",
				Computed:            true,
			},
			"observed": schema.MapAttribute{
				MarkdownDescription: "Who holds each concrete scope (one without `*`) at refresh: scope to sorted logins, at that level or higher.",
				ElementType:         types.ListType{ElemType: types.StringType},
				Computed:            true,
			},
		},
		Blocks: map[string]schema.Block{
			"reason": schema.SingleNestedBlock{
				MarkdownDescription: "What an elevation's reason and ticket must satisfy. Without the block, reasons need at least 20 characters.",
				Attributes: map[string]schema.Attribute{
					"min_length": schema.Int64Attribute{
						MarkdownDescription: "Shortest reason allowed, 1 to 1000 visible characters (zero-width and other format characters and combining marks do not count, and a run of white space counts once). Defaults to 20.",
						Optional:            true,
						Validators:          []validator.Int64{int64validator.Between(1, 1000)},
					},
					"pattern": schema.StringAttribute{
						MarkdownDescription: "RE2 expression the reason must match, for example a ticket reference.",
						Optional:            true,
						Validators:          []validator.String{regexValidator()},
					},
					"ticket_required": schema.BoolAttribute{
						MarkdownDescription: "Whether every elevation must name a `ticket`.",
						Optional:            true,
					},
					"ticket_pattern": schema.StringAttribute{
						MarkdownDescription: "RE2 expression the ticket must match, such as `^OPS-[0-9]+$`.",
						Optional:            true,
						Validators:          []validator.String{regexValidator()},
					},
				},
			},
			"break_glass": schema.SingleNestedBlock{
				MarkdownDescription: "Emergency elevations: shorter, with fewer approvals up front and a post-hoc review within `review_within`.",
				Attributes: map[string]schema.Attribute{
					"enabled": schema.BoolAttribute{
						MarkdownDescription: "Whether break-glass elevations are allowed under this policy.",
						Optional:            true,
					},
					"max_duration": schema.StringAttribute{
						MarkdownDescription: "Longest break-glass elevation; at most the policy's `max_duration`.",
						CustomType:          timetypes.GoDurationType{},
						Optional:            true,
						Validators:          []validator.String{durationValidator()},
						PlanModifiers:       []planmodifier.String{sameDuration()},
					},
					"required_approvals": schema.Int64Attribute{
						MarkdownDescription: "Approvals a break-glass elevation needs up front, 0 to 10.",
						Optional:            true,
						Validators:          []validator.Int64{int64validator.Between(0, 10)},
					},
					"review_within": schema.StringAttribute{
						MarkdownDescription: "How soon after the grant post-hoc approvals must land.",
						CustomType:          timetypes.GoDurationType{},
						Optional:            true,
						Validators:          []validator.String{durationValidator()},
						PlanModifiers:       []planmodifier.String{sameDuration()},
					},
				},
			},
		},
	}
}

var policyNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

func (r *optoutPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureResource(req, resp)
}

// ValidateConfig checks the rules that span attributes (break_glass, and
// exclusive with scopes): the validators library has no check that depends
// on another attribute's value.
func (r *optoutPolicyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m optoutPolicyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateExclusive(ctx, &m, &resp.Diagnostics)
	b := m.BreakGlass
	if b == nil || !b.Enabled.ValueBool() {
		return
	}
	for _, a := range []struct {
		name string
		v    attr.Value
	}{{"max_duration", b.MaxDuration}, {"required_approvals", b.RequiredApprovals}, {"review_within", b.ReviewWithin}} {
		if a.v.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("break_glass").AtName(a.name), "Missing break_glass."+a.name,
				"break_glass."+a.name+" is required when break_glass.enabled is true.")
		}
	}
	if known(b.MaxDuration, m.MaxDuration) {
		bg, err1 := time.ParseDuration(b.MaxDuration.ValueString())
		pol, err2 := time.ParseDuration(m.MaxDuration.ValueString())
		if err1 == nil && err2 == nil && bg > pol {
			resp.Diagnostics.AddAttributeError(path.Root("break_glass").AtName("max_duration"), "break_glass.max_duration above max_duration",
				fmt.Sprintf("break_glass.max_duration %s must be at most the policy's max_duration %s.", policy.FormatDuration(bg), policy.FormatDuration(pol)))
		}
	}
}

// validateExclusive refuses exclusive on a policy whose scopes are all
// wildcards: observed lists holders of concrete scopes only (listing every
// team or repository of an organization on each refresh would cost calls in
// proportion to its size), so such a policy would observe nobody and its
// exclusivity would remove nobody, while reading as if it did.
func validateExclusive(ctx context.Context, m *optoutPolicyModel, diags *diag.Diagnostics) {
	if !m.Exclusive.ValueBool() || m.Scopes.IsUnknown() || m.Scopes.IsNull() {
		return
	}
	var scopes []types.String
	diags.Append(m.Scopes.ElementsAs(ctx, &scopes, false)...)
	for _, s := range scopes {
		if s.IsUnknown() {
			return
		}
		if sc, err := scope.ParsePattern(s.ValueString()); err != nil || sc.Concrete() {
			return // a concrete scope, or one the scopes validator refuses
		}
	}
	diags.AddAttributeError(path.Root("exclusive"), "exclusive needs a concrete scope",
		"Every scope of this policy has a wildcard, and only concrete scopes (one team or repository at one level) are observed and swept: "+
			"exclusive would remove nobody. List the teams and repositories to keep exclusive, or set exclusive = false.")
}

func (r *optoutPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan optoutPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *optoutPolicyModel
	if !req.State.Raw.IsNull() {
		state = &optoutPolicyModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	plan.ID = plan.Name
	t, ok, diags := thresholdsOf(ctx, &plan)
	resp.Diagnostics.Append(diags...)
	switch {
	case !ok:
		plan.Fingerprint, plan.Version = types.StringUnknown(), types.Int64Unknown()
	case state == nil:
		plan.Fingerprint, plan.Version = types.StringValue(t.Fingerprint()), types.Int64Value(1)
	default:
		plan.Fingerprint, plan.Version = types.StringValue(t.Fingerprint()), state.Version
		if state.Fingerprint.ValueString() != plan.Fingerprint.ValueString() {
			plan.Version = types.Int64Value(state.Version.ValueInt64() + 1)
		}
	}
	if ok && !plan.ID.IsUnknown() && r.data != nil {
		r.data.policies.put(plan.ID.ValueString(), t)
	}
	if state != nil {
		plan.Observed = state.Observed
	} else {
		plan.Observed = types.MapUnknown(observedType.ElemType)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *optoutPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.write(ctx, req.Plan.Get, &resp.State, &resp.Diagnostics)
}

func (r *optoutPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m optoutPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if t, ok, _ := thresholdsOf(ctx, &m); ok {
		r.data.policies.put(m.ID.ValueString(), t)
	}
	m.Observed = r.observe(ctx, &m, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *optoutPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.write(ctx, req.Plan.Get, &resp.State, &resp.Diagnostics)
}

// Delete has nothing to remove remotely: a policy lives only in state. Its
// elevations are revoked through their own lifecycle.
func (r *optoutPolicyResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}

// write stores the planned policy with freshly observed holders; Create and
// Update differ only in where Terraform hands the plan over.
func (r *optoutPolicyResource) write(ctx context.Context, get func(context.Context, any) diag.Diagnostics, state stateSetter, diags *diag.Diagnostics) {
	var m optoutPolicyModel
	diags.Append(get(ctx, &m)...)
	if diags.HasError() {
		return
	}
	m.Observed = r.observe(ctx, &m, diags)
	if diags.HasError() {
		return
	}
	diags.Append(state.Set(ctx, &m)...)
}

type stateSetter interface {
	Set(ctx context.Context, val any) diag.Diagnostics
}

// observe lists who holds each concrete scope of the policy. The target
// answers from a snapshot shared with every elevation of this process.
func (r *optoutPolicyResource) observe(ctx context.Context, m *optoutPolicyModel, diags *diag.Diagnostics) types.Map {
	var patterns []string
	diags.Append(m.Scopes.ElementsAs(ctx, &patterns, false)...)
	out := map[string]attr.Value{}
	for _, p := range patterns {
		sc, err := scope.ParsePattern(p)
		if err != nil || !sc.Concrete() {
			continue
		}
		holders, err := r.data.target.Holders(ctx, sc)
		if err != nil {
			diags.AddAttributeError(path.Root("scopes"), "Cannot read who holds "+sc.String(), err.Error())
			return types.MapNull(observedType.ElemType)
		}
		names := make([]string, 0, len(holders))
		for _, h := range holders {
			names = append(names, strings.ToLower(h.Login))
		}
		slices.Sort(names)
		logins := make([]attr.Value, len(names))
		for i, n := range names {
			logins[i] = types.StringValue(n)
		}
		out[sc.String()] = types.ListValueMust(types.StringType, logins)
	}
	v, d := types.MapValue(observedType.ElemType, out)
	diags.Append(d...)
	return v
}
