package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitgate/terraform-provider-jit/internal/lifecycle"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
)

var (
	_ resource.ResourceWithConfigure  = (*elevationResource)(nil)
	_ resource.ResourceWithModifyPlan = (*elevationResource)(nil)
)

func newElevationResource() resource.Resource { return &elevationResource{} }

type elevationResource struct {
	data *providerData
}

type elevationModel struct {
	ID              types.String         `tfsdk:"id"`
	PolicyID        types.String         `tfsdk:"policy_id"`
	Principal       types.String         `tfsdk:"principal"`
	Scope           types.String         `tfsdk:"scope"`
	Reason          types.String         `tfsdk:"reason"`
	Duration        timetypes.GoDuration `tfsdk:"duration"`
	Ticket          types.String         `tfsdk:"ticket"`
	BreakGlass      types.Bool           `tfsdk:"break_glass"`
	Status          types.String         `tfsdk:"status"`
	GrantedAt       timetypes.RFC3339    `tfsdk:"granted_at"`
	ExpiresAt       timetypes.RFC3339    `tfsdk:"expires_at"`
	RevokedAt       timetypes.RFC3339    `tfsdk:"revoked_at"`
	PreviousAccess  types.String         `tfsdk:"previous_access"`
	GrantedByCommit types.String         `tfsdk:"granted_by_commit"`
	History         types.List           `tfsdk:"history"`
	PrincipalID     types.Int64          `tfsdk:"principal_id"`
	PrincipalLogin  types.String         `tfsdk:"principal_login"`
	Overlaps        types.List           `tfsdk:"overlaps"`
}

// overlapModel is one overlaps entry: the attributes of an overlapped
// jit_elevation that decide what its access is and until when.
type overlapModel struct {
	ID             types.String `tfsdk:"id"`
	Principal      types.String `tfsdk:"principal"`
	PrincipalID    types.Int64  `tfsdk:"principal_id"`
	Scope          types.String `tfsdk:"scope"`
	Status         types.String `tfsdk:"status"`
	ExpiresAt      types.String `tfsdk:"expires_at"`
	PreviousAccess types.String `tfsdk:"previous_access"`
}

var historyType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"at": types.StringType, "event": types.StringType, "detail": types.StringType,
}}

var overlapType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"id": types.StringType, "principal": types.StringType, "principal_id": types.Int64Type, "scope": types.StringType,
	"status": types.StringType, "expires_at": types.StringType, "previous_access": types.StringType,
}}

func (r *elevationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_elevation"
}

func (r *elevationResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "One request for elevated access that expires by itself. Every argument forces replacement: " +
			"a longer window, another scope or a new reason is a new request that needs new approval. " +
			"After `expires_at`, the next plan shows an in-place update to `expired` and that apply revokes the grant; " +
			"nothing ever grants it again.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Random identifier of this elevation.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"policy_id": schema.StringAttribute{
				MarkdownDescription: "The `id` of the `jit_optout_policy` that governs this elevation. Reference the resource (`jit_optout_policy.x.id`) so the policy is planned first and `duration` is checked against it at plan time.",
				Required:            true,
				PlanModifiers:       replace,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"principal": schema.StringAttribute{
				MarkdownDescription: "GitHub login that receives the access.",
				Required:            true,
				PlanModifiers:       replace,
				Validators:          []validator.String{loginValidator()},
			},
			"scope": schema.StringAttribute{
				MarkdownDescription: "What is granted: `github:team:ORG/TEAM[:member|maintainer]` or `github:repo:OWNER/REPO:pull|triage|push|maintain|admin`.",
				Required:            true,
				PlanModifiers:       replace,
				Validators:          []validator.String{scopeValidator()},
			},
			"reason": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Why the access is needed, 1 to %d characters; the policy may require more and a pattern.", policy.MaxReasonLength),
				Required:            true,
				PlanModifiers:       replace,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, policy.MaxReasonLength)},
			},
			"duration": schema.StringAttribute{
				MarkdownDescription: "How long the access lasts, as a Go duration (`30m`, `2h`): more than `0s`, at most `168h` and at most the policy's `max_duration`. Another spelling of the same duration (`60m` for `1h`) is no change.",
				CustomType:          timetypes.GoDurationType{},
				Required:            true,
				PlanModifiers:       []planmodifier.String{sameDuration(), stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{durationValidator()},
			},
			"ticket": schema.StringAttribute{
				MarkdownDescription: "Ticket or incident reference, such as `OPS-1234`: 1 to 100 characters without spaces.",
				Optional:            true,
				PlanModifiers:       replace,
				Validators:          []validator.String{stringvalidator.RegexMatches(policy.TicketShape, policy.TicketShapeHint)},
			},
			"break_glass": schema.BoolAttribute{
				MarkdownDescription: "An emergency elevation, judged by the policy's `break_glass` thresholds and flagged for post-hoc review.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "`active`, `pending` (GitHub sent an invitation that is not accepted yet), `expired` or `revoked` (removed outside Terraform; never granted again).",
				Computed:            true,
			},
			"granted_at": schema.StringAttribute{
				MarkdownDescription: "When the grant was made (RFC 3339, UTC).",
				Computed:            true,
				CustomType:          timetypes.RFC3339Type{},
				PlanModifiers:       keep,
			},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: "When the grant expires (RFC 3339, UTC).",
				Computed:            true,
				CustomType:          timetypes.RFC3339Type{},
				PlanModifiers:       keep,
			},
			"revoked_at": schema.StringAttribute{
				MarkdownDescription: "When the grant was last removed (RFC 3339, UTC); null while the access is in place.",
				Computed:            true,
				CustomType:          timetypes.RFC3339Type{},
			},
			"previous_access": schema.StringAttribute{
				MarkdownDescription: "What the principal held before the grant (`none`, a level, or `invited:LEVEL`); revocation restores exactly this.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"granted_by_commit": schema.StringAttribute{
				MarkdownDescription: "The commit (`GITHUB_SHA`) whose apply made the grant, when known.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"history": schema.ListNestedAttribute{
				MarkdownDescription: "The grant's timeline, oldest first: every transition with its time, event and detail.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"at":     schema.StringAttribute{Computed: true, MarkdownDescription: "When (RFC 3339, UTC)."},
					"event":  schema.StringAttribute{Computed: true, MarkdownDescription: "`granted`, `invited`, `already_held`, `accepted`, `renamed`, `reasserted`, `expired`, `revoked_externally`, `found_again` or `revoked` (the last two in states written before `jit-gate revoke` took over access found again)."},
					"detail": schema.StringAttribute{Computed: true, MarkdownDescription: "What happened, in words."},
				}},
			},
			"principal_id": schema.Int64Attribute{
				MarkdownDescription: "The principal's GitHub user ID, recorded at grant: the elevation is read, revoked and restored by it, so a renamed account is still found (the history says so) and a new account with the old login is not.",
				Computed:            true,
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"principal_login": schema.StringAttribute{
				MarkdownDescription: "The principal's login as GitHub spelled it at the last refresh: `principal`, unless the account was renamed.",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"overlaps": schema.ListNestedAttribute{
				MarkdownDescription: "The other elevations in force for the same principal and team or repository, as `[jit_elevation.earlier]`: " +
					"an extension is a second elevation that lists the first here. It records the first one's `previous_access` as its own, " +
					"so neither elevation's expiry restores the other's grant, and each revocation keeps what the others still give. " +
					"jit-gate requires it for every elevation in force that a new one overlaps, and checks each entry against the plan. " +
					"Changing it forces no replacement.",
				Optional: true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":              schema.StringAttribute{Optional: true, MarkdownDescription: "The overlapped elevation's `id`."},
					"principal":       schema.StringAttribute{Optional: true, MarkdownDescription: "Its `principal`."},
					"principal_id":    schema.Int64Attribute{Optional: true, MarkdownDescription: "Its `principal_id`."},
					"scope":           schema.StringAttribute{Optional: true, MarkdownDescription: "Its `scope`."},
					"status":          schema.StringAttribute{Optional: true, MarkdownDescription: "Its `status`."},
					"expires_at":      schema.StringAttribute{Optional: true, MarkdownDescription: "Its `expires_at`."},
					"previous_access": schema.StringAttribute{Optional: true, MarkdownDescription: "Its `previous_access`."},
				}},
			},
		},
	}
}

func (r *elevationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureResource(req, resp)
}

// ModifyPlan runs the expiry check, so it works with -refresh=false too,
// and plans giving back access an overlapped elevation's expiry took.
func (r *elevationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	var plan elevationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if el, ok := plan.known(ctx); ok {
		if err := lifecycle.CheckOverlaps(el); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("overlaps"), "Invalid overlaps", err.Error())
			return
		}
	}
	if req.State.Raw.IsNull() {
		r.checkPolicy(ctx, req, resp)
		r.preflight(ctx, req, resp)
		return
	}
	var state elevationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || replaced(&plan, &state) {
		return
	}
	// The state stands, but for overlaps, which the configuration sets.
	next := state
	next.Overlaps = plan.Overlaps
	now := r.data.clock.Now()
	principal, sc := state.Principal.ValueString(), state.Scope.ValueString()
	el, _ := next.known(ctx)
	switch status := state.Status.ValueString(); {
	case policy.Live(status) && expired(state.ExpiresAt, now):
		next.Status = types.StringValue(policy.StatusExpired)
		resp.Diagnostics.AddWarning("Elevation expired: "+principal+" on "+sc,
			fmt.Sprintf("The elevation of %s to %s expired at %s. This apply revokes it and restores %s.",
				principal, sc, state.ExpiresAt.ValueString(), restoresTo(el, now)))
	case el != nil && lifecycle.Lost(el, now):
		resp.Diagnostics.AddWarning("Access given back: "+principal+" on "+sc,
			fmt.Sprintf("The expiry of an elevation this one overlaps took %s's access to %s while this one is in force until %s. This apply gives it back.",
				principal, sc, state.ExpiresAt.ValueString()))
	case !plan.Overlaps.Equal(state.Overlaps) && policy.Live(status):
		// An overlapped elevation changed, maybe expiring in this very
		// apply: this one's access is given back after it if taken.
		next.History = types.ListUnknown(historyType)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &next)...)
		return
	default:
		// Nothing changes. The framework marks computed attributes unknown
		// when the configuration differs from the state in spelling only (a
		// duration sameDuration kept): the state stands as it is.
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &next)...)
		return
	}
	next.RevokedAt = timetypes.NewRFC3339Unknown()
	next.History = types.ListUnknown(historyType)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &next)...)
}

// restoresTo says what revoking el restores, for the plan's warning.
func restoresTo(el *policy.Elevation, now time.Time) string {
	if el == nil {
		return "the previous access"
	}
	prev, err := lifecycle.Previous(el)
	sc, serr := scope.Parse(el.Scope)
	if err != nil || serr != nil {
		return el.PreviousAccess
	}
	others := make([]*policy.Elevation, len(el.Overlaps))
	for i, o := range el.Overlaps {
		others[i] = o.Elevation()
	}
	r := lifecycle.Restored{}
	r.To, r.Kept = lifecycle.Justified(sc.Kind, prev, others, now)
	return r.String()
}

// Create grants the access. The grant reads what the principal holds
// first, so previous_access records it (less what the elevations it
// overlaps give) and expiry restores exactly that.
func (r *elevationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m elevationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	sc, err := scope.Parse(m.Scope.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("scope"), "Invalid scope", err.Error())
		return
	}
	d, err := policy.ParseDuration(m.Duration.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("duration"), "Invalid duration", err.Error())
		return
	}
	el, ok := m.known(ctx)
	if !ok {
		resp.Diagnostics.AddAttributeError(path.Root("overlaps"), "Unknown overlaps", "overlaps must be known when the elevation is granted.")
		return
	}
	now := r.data.clock.Now().UTC().Truncate(time.Second)
	g, err := lifecycle.GrantAccess(ctx, r.data.target, el, now)
	if err != nil {
		resp.Diagnostics.AddError("Cannot grant "+sc.String()+" to "+m.Principal.ValueString(),
			fmt.Sprintf("Nothing was stored; the next apply tries again.\n\n%s", err))
		return
	}
	m.ID = types.StringValue(newID())
	m.Status = types.StringValue(g.Status)
	m.GrantedAt = timetypes.NewRFC3339TimeValue(now)
	m.ExpiresAt = timetypes.NewRFC3339TimeValue(now.Add(d))
	m.RevokedAt = timetypes.NewRFC3339Null()
	m.PreviousAccess = types.StringValue(g.Previous.Encode())
	m.PrincipalID = types.Int64Value(g.User.ID)
	m.PrincipalLogin = types.StringValue(g.User.Login)
	m.GrantedByCommit = types.StringNull()
	if r.data.commit != "" {
		m.GrantedByCommit = types.StringValue(r.data.commit)
	}
	resp.Diagnostics.Append(setHistory(ctx, &m, []policy.Event{g.Event})...)
	tflog.Info(ctx, "elevation granted", map[string]any{"principal": g.User.Login, "principal_id": g.User.ID, "scope": sc.String(), "expires_at": m.ExpiresAt.ValueString()})
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Read compares the grant with what GitHub holds now (lifecycle.Refresh).
// It never re-grants.
func (r *elevationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m elevationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	el, _ := m.known(ctx)
	res, err := lifecycle.Refresh(ctx, r.data.target, el, r.data.clock.Now())
	if err != nil {
		resp.Diagnostics.AddError("Cannot read "+m.Scope.ValueString()+" for "+m.Principal.ValueString(), err.Error())
		return
	}
	m.Status = types.StringValue(res.Status)
	m.RevokedAt = rfc3339OrNull(res.RevokedAt)
	if res.User.ID != 0 {
		m.PrincipalID = types.Int64Value(res.User.ID)
	}
	if res.User.Login != "" {
		m.PrincipalLogin = types.StringValue(res.User.Login)
	}
	for _, e := range res.Events {
		resp.Diagnostics.Append(appendHistory(ctx, &m, e)...)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Update only ever restores what the elevation approved, never more: every
// argument forces replacement, so ModifyPlan plans it for an expiry (which
// revokes), or in force for access an overlapped elevation's expiry took
// (which gives it back) and for a change of overlaps.
func (r *elevationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state elevationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	next := state
	next.Overlaps = plan.Overlaps
	el, ok := next.known(ctx)
	if !ok {
		resp.Diagnostics.AddAttributeError(path.Root("overlaps"), "Unknown overlaps", "overlaps must be known at apply.")
		return
	}
	now := r.data.clock.Now()
	if plan.Status.ValueString() == policy.StatusExpired && policy.Live(state.Status.ValueString()) {
		to, ok := r.restore(ctx, el, &resp.Diagnostics)
		if !ok {
			// The prior state stays as it was, so the next apply retries.
			return
		}
		next.Status = plan.Status
		next.RevokedAt = timetypes.NewRFC3339ValueMust(stamp(now))
		resp.Diagnostics.Append(appendHistory(ctx, &next, policy.Event{At: stamp(now), Event: policy.EventExpired,
			Detail: fmt.Sprintf("expired at %s; restored to %s", state.ExpiresAt.ValueString(), to)})...)
		resp.Diagnostics.Append(resp.State.Set(ctx, &next)...)
		return
	}
	if policy.Live(state.Status.ValueString()) {
		user, event, err := lifecycle.Reassert(ctx, r.data.target, el, now)
		if err != nil {
			resp.Diagnostics.AddError("Cannot give back "+state.Scope.ValueString()+" to "+state.Principal.ValueString(),
				fmt.Sprintf("An elevation this one overlaps took the access when it expired; the next apply tries again.\n\n%s", err))
			return
		}
		next.RevokedAt = timetypes.NewRFC3339Null()
		if user.Login != "" {
			next.PrincipalLogin = types.StringValue(user.Login)
		}
		if event != nil {
			resp.Diagnostics.Append(appendHistory(ctx, &next, *event)...)
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &next)...)
}

// Delete removes the grant if it is in force. An elevation that ended
// writes nothing: access found at its scope may be a newer elevation's,
// which only jit-gate revoke, seeing them all, can tell. On failure
// Terraform keeps the resource in state and the next apply retries.
func (r *elevationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state elevationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !policy.Live(state.Status.ValueString()) {
		return
	}
	if el, ok := state.known(ctx); ok {
		r.restore(ctx, el, &resp.Diagnostics)
	}
}

// replaced reports whether any argument changed: every one forces
// replacement, and the create that follows is planned on its own.
func replaced(plan, state *elevationModel) bool {
	return !plan.PolicyID.Equal(state.PolicyID) || !plan.Principal.Equal(state.Principal) ||
		!plan.Scope.Equal(state.Scope) || !plan.Reason.Equal(state.Reason) || !plan.Duration.Equal(state.Duration) ||
		!plan.Ticket.Equal(state.Ticket) || !plan.BreakGlass.Equal(state.BreakGlass)
}

// checkPolicy judges a new elevation against the referenced policy, when
// that policy was planned in this process, with the gate's own checks. What
// the provider itself enforces at the target (how long the grant lasts,
// whether break-glass is allowed at all) fails the plan; the rest is a
// warning, since jit-gate blocks it on review and must see the plan to say
// so. Checks that need values unknown here (team members) are the gate's.
func (r *elevationResource) checkPolicy(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var m elevationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !known(m.PolicyID) {
		return
	}
	pol, ok := r.data.policies.get(m.PolicyID.ValueString())
	if !ok {
		return
	}
	for _, f := range policy.Check(m.elevation(), pol, nil) {
		summary := fmt.Sprintf("Not allowed by policy %q (%s)", pol.DisplayName(), f.Rule)
		switch {
		case f.Unknown:
		case f.Rule == policy.RuleDuration || f.Rule == policy.RuleApprovals:
			resp.Diagnostics.AddAttributeError(path.Root(f.Attribute), summary, f.Message+".")
		default:
			resp.Diagnostics.AddAttributeWarning(path.Root(f.Attribute), summary, f.Message+": jit-gate blocks this request until it is fixed.")
		}
	}
}

// preflight finds at plan time what would otherwise fail only after merge:
// a principal that is not an account, a token that cannot read the team or
// repository (401, 403 with the permission named, 404), and, as a warning,
// a token that cannot write the grant.
func (r *elevationResource) preflight(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var m elevationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !known(m.Principal, m.Scope) {
		return
	}
	sc, err := scope.Parse(m.Scope.ValueString())
	if err != nil {
		return // the scope validator has said so
	}
	principal := m.Principal.ValueString()
	cannotWrite, err := r.data.target.Preflight(ctx, principal, sc)
	switch {
	case err != nil:
		resp.Diagnostics.AddAttributeError(path.Root("principal"), "Cannot plan "+sc.String()+" for "+principal,
			err.Error()+"\n\nThe apply would fail the same way after the pull request is merged.")
	case cannotWrite != "":
		resp.Diagnostics.AddAttributeWarning(path.Root("scope"), "The token cannot grant "+sc.String(),
			cannotWrite+". The plan is made with the pull request workflow's token; if the apply workflow uses another, check that one.")
	}
}

// restore revokes el (lifecycle.Restore) and says what it restored.
func (r *elevationResource) restore(ctx context.Context, el *policy.Elevation, diags *diag.Diagnostics) (string, bool) {
	res, err := lifecycle.Restore(ctx, r.data.target, el, r.data.clock.Now())
	if err != nil {
		diags.AddError("Cannot revoke "+el.Scope+" from "+el.Principal,
			fmt.Sprintf("The elevation stays in state unchanged, so the next apply retries the revocation.\n\n%s", err))
		return "", false
	}
	to := res.String()
	tflog.Info(ctx, "elevation revoked", map[string]any{"principal": res.User.Login, "principal_id": res.User.ID, "scope": el.Scope, "restored": to})
	return to, true
}

// elevation is the model as the policy package reads it, with the
// request attributes unknown at plan time listed as such.
func (m *elevationModel) elevation() *policy.Elevation {
	d, _ := time.ParseDuration(m.Duration.ValueString())
	el := &policy.Elevation{
		ID: m.ID.ValueString(), PolicyID: m.PolicyID.ValueString(), Principal: m.Principal.ValueString(),
		Scope: m.Scope.ValueString(), Reason: m.Reason.ValueString(), Ticket: m.Ticket.ValueString(),
		Duration: d, BreakGlass: m.BreakGlass.ValueBool(), Status: m.Status.ValueString(),
		GrantedAt: m.GrantedAt.ValueString(), ExpiresAt: m.ExpiresAt.ValueString(), RevokedAt: m.RevokedAt.ValueString(),
		PreviousAccess: m.PreviousAccess.ValueString(), GrantedByCommit: m.GrantedByCommit.ValueString(),
		PrincipalID: m.PrincipalID.ValueInt64(), PrincipalLogin: m.PrincipalLogin.ValueString(),
	}
	for name, v := range map[string]attr.Value{
		"policy_id": m.PolicyID, "principal": m.Principal, "scope": m.Scope, "reason": m.Reason,
		"duration": m.Duration, "ticket": m.Ticket, "break_glass": m.BreakGlass, "overlaps": m.Overlaps,
	} {
		if v.IsUnknown() {
			el.Unknown = append(el.Unknown, name)
		}
	}
	return el
}

// known is elevation with its overlaps, when they are known; false when
// an entry is not known yet (an overlapped elevation planned in this run).
func (m *elevationModel) known(ctx context.Context) (*policy.Elevation, bool) {
	el := m.elevation()
	if m.Overlaps.IsUnknown() {
		return el, false
	}
	var entries []overlapModel
	if d := m.Overlaps.ElementsAs(ctx, &entries, false); d.HasError() {
		return el, false
	}
	for _, o := range entries {
		for _, v := range []attr.Value{o.ID, o.Principal, o.PrincipalID, o.Scope, o.Status, o.ExpiresAt, o.PreviousAccess} {
			if v.IsUnknown() {
				return el, false
			}
		}
		el.Overlaps = append(el.Overlaps, policy.Overlap{
			ID: o.ID.ValueString(), Principal: o.Principal.ValueString(), PrincipalID: o.PrincipalID.ValueInt64(),
			Scope: o.Scope.ValueString(), Status: o.Status.ValueString(), ExpiresAt: o.ExpiresAt.ValueString(),
			PreviousAccess: o.PreviousAccess.ValueString(),
		})
	}
	return el, true
}

// expired reports whether now is at or past expires_at. An unreadable
// expiry counts as expired: any doubt resolves to revoke.
func expired(expiresAt timetypes.RFC3339, now time.Time) bool {
	t, diags := expiresAt.ValueRFC3339Time()
	return diags.HasError() || !now.Before(t)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func rfc3339OrNull(s string) timetypes.RFC3339 {
	if s == "" {
		return timetypes.NewRFC3339Null()
	}
	return timetypes.NewRFC3339ValueMust(s)
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "elev-" + hex.EncodeToString(b)
}

func setHistory(ctx context.Context, m *elevationModel, entries []policy.Event) diag.Diagnostics {
	v, diags := types.ListValueFrom(ctx, historyType, entries)
	m.History = v
	return diags
}

func appendHistory(ctx context.Context, m *elevationModel, e policy.Event) diag.Diagnostics {
	var entries []policy.Event
	diags := m.History.ElementsAs(ctx, &entries, false)
	return append(diags, setHistory(ctx, m, append(entries, e))...)
}
