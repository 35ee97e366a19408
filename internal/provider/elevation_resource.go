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
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
	"github.com/jitgate/terraform-provider-jit/internal/target"
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
}

var historyType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"at": types.StringType, "event": types.StringType, "detail": types.StringType,
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
					"event":  schema.StringAttribute{Computed: true, MarkdownDescription: "`granted`, `invited`, `already_held`, `accepted`, `expired`, `revoked_externally`, `found_again` or `revoked`."},
					"detail": schema.StringAttribute{Computed: true, MarkdownDescription: "What happened, in words."},
				}},
			},
		},
	}
}

func (r *elevationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureResource(req, resp)
}

// ModifyPlan runs the expiry check, so it works with -refresh=false too.
func (r *elevationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	if req.State.Raw.IsNull() {
		r.checkPolicy(ctx, req, resp)
		r.preflight(ctx, req, resp)
		return
	}
	var plan, state elevationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || replaced(&plan, &state) {
		return
	}
	principal, sc := state.Principal.ValueString(), state.Scope.ValueString()
	switch status := state.Status.ValueString(); {
	case policy.Live(status) && expired(state.ExpiresAt, r.data.clock.Now()):
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), policy.StatusExpired)...)
		resp.Diagnostics.AddWarning("Elevation expired: "+principal+" on "+sc,
			fmt.Sprintf("The elevation of %s to %s expired at %s. This apply revokes it and restores %s.",
				principal, sc, state.ExpiresAt.ValueString(), state.PreviousAccess.ValueString()))
	case state.elevation().FoundAgain():
		resp.Diagnostics.AddWarning("Access found again: "+principal+" on "+sc,
			fmt.Sprintf("%s holds %s again although the elevation is %s. This apply removes it.", principal, sc, status))
	default:
		// Nothing changes. The framework marks computed attributes unknown
		// when the configuration differs from the state in spelling only (a
		// duration sameDuration kept): the state stands as it is.
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &state)...)
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("revoked_at"), timetypes.NewRFC3339Unknown())...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("history"), types.ListUnknown(historyType))...)
}

// Create grants the access. Grant reads what the principal holds first, so
// previous_access records it and expiry restores exactly that.
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
	principal := m.Principal.ValueString()
	before, after, err := r.data.target.Grant(ctx, principal, sc)
	if err != nil {
		resp.Diagnostics.AddError("Cannot grant "+sc.String()+" to "+principal,
			fmt.Sprintf("Nothing was stored; the next apply tries again.\n\n%s", err))
		return
	}
	now := r.data.clock.Now().UTC().Truncate(time.Second)
	entry := policy.Event{At: stamp(now)}
	switch {
	case scope.Covers(sc.Kind, before.Level, sc.Level):
		m.Status = types.StringValue(policy.StatusActive)
		entry.Event, entry.Detail = policy.EventAlreadyHeld,
			fmt.Sprintf("%s already held %s (%s); expiry leaves that standing access as it is", principal, sc, before.Level)
	case after.Pending:
		m.Status = types.StringValue(policy.StatusPending)
		entry.Event, entry.Detail = policy.EventInvited,
			fmt.Sprintf("GitHub invited %s to %s; access starts when the invitation is accepted", principal, sc)
	default:
		m.Status = types.StringValue(policy.StatusActive)
		entry.Event, entry.Detail = policy.EventGranted,
			fmt.Sprintf("granted %s to %s (previously %s)", sc, principal, before.Encode())
	}
	m.ID = types.StringValue(newID())
	m.GrantedAt = timetypes.NewRFC3339TimeValue(now)
	m.ExpiresAt = timetypes.NewRFC3339TimeValue(now.Add(d))
	m.RevokedAt = timetypes.NewRFC3339Null()
	m.PreviousAccess = types.StringValue(before.Encode())
	m.GrantedByCommit = types.StringNull()
	if r.data.commit != "" {
		m.GrantedByCommit = types.StringValue(r.data.commit)
	}
	resp.Diagnostics.Append(setHistory(ctx, &m, []policy.Event{entry})...)
	tflog.Info(ctx, "elevation granted", map[string]any{"principal": principal, "scope": sc.String(), "expires_at": m.ExpiresAt.ValueString()})
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Read compares the grant with what GitHub holds now. It never re-grants:
// access removed outside Terraform marks the elevation revoked, and access
// found again after expiry clears revoked_at so the next plan removes it.
func (r *elevationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m elevationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	sc, prev, ok := parseGrant(&m, &resp.Diagnostics)
	if !ok {
		return
	}
	principal := m.Principal.ValueString()
	cur, err := r.data.target.Inspect(ctx, principal, sc)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read "+sc.String()+" for "+principal, err.Error())
		return
	}
	now := stamp(r.data.clock.Now())
	var entry *policy.Event
	switch status := m.Status.ValueString(); {
	case policy.Live(status):
		switch {
		case scope.Covers(sc.Kind, cur.Level, sc.Level):
			if status == policy.StatusPending {
				m.Status = types.StringValue(policy.StatusActive)
				entry = &policy.Event{At: now, Event: policy.EventAccepted, Detail: principal + " accepted the invitation to " + sc.String()}
			}
		case cur.Pending && scope.Covers(sc.Kind, cur.Direct, sc.Level):
			// Still an open invitation: nothing changed.
		default:
			m.Status = types.StringValue(policy.StatusRevoked)
			m.RevokedAt = timetypes.NewRFC3339ValueMust(now)
			entry = &policy.Event{At: now, Event: policy.EventRevokedExternally,
				Detail: fmt.Sprintf("%s no longer holds %s: removed outside Terraform; it will not be granted again", principal, sc)}
		}
	case !m.RevokedAt.IsNull():
		if scope.Covers(sc.Kind, cur.Direct, sc.Level) && !scope.Covers(sc.Kind, prev.Direct, sc.Level) {
			m.RevokedAt = timetypes.NewRFC3339Null()
			entry = &policy.Event{At: now, Event: policy.EventFoundAgain,
				Detail: fmt.Sprintf("%s holds %s again after the elevation ended; the next apply removes it", principal, sc)}
		}
	}
	if entry != nil {
		resp.Diagnostics.Append(appendHistory(ctx, &m, *entry)...)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Update only ever lowers privilege: it is planned by ModifyPlan when the
// elevation expired or its access was found again, since every argument
// forces replacement.
func (r *elevationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state elevationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	event, detail := policy.EventRevoked, "access found again after the elevation ended was removed"
	if plan.Status.ValueString() == policy.StatusExpired && state.Status.ValueString() != policy.StatusExpired {
		event, detail = policy.EventExpired, fmt.Sprintf("expired at %s; restored to %s", state.ExpiresAt.ValueString(), state.PreviousAccess.ValueString())
	}
	if !r.restore(ctx, &state, &resp.Diagnostics) {
		// The prior state stays as it was, so the next apply retries.
		return
	}
	now := stamp(r.data.clock.Now())
	state.Status = plan.Status
	state.RevokedAt = timetypes.NewRFC3339ValueMust(now)
	resp.Diagnostics.Append(appendHistory(ctx, &state, policy.Event{At: now, Event: event, Detail: detail})...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Delete removes the grant if it is still in place. On failure Terraform
// keeps the resource in state and the next apply retries.
func (r *elevationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state elevationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !state.elevation().HoldsGrant() {
		return
	}
	r.restore(ctx, &state, &resp.Diagnostics)
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

// restore puts the principal's access back to previous_access.
func (r *elevationResource) restore(ctx context.Context, m *elevationModel, diags *diag.Diagnostics) bool {
	sc, prev, ok := parseGrant(m, diags)
	if !ok {
		return false
	}
	principal := m.Principal.ValueString()
	if err := r.data.target.Restore(ctx, principal, sc, prev); err != nil {
		diags.AddError("Cannot revoke "+sc.String()+" from "+principal,
			fmt.Sprintf("The elevation stays in state unchanged, so the next apply retries the revocation.\n\n%s", err))
		return false
	}
	tflog.Info(ctx, "elevation revoked", map[string]any{"principal": principal, "scope": sc.String(), "restored": prev.Encode()})
	return true
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
	}
	for name, v := range map[string]attr.Value{
		"policy_id": m.PolicyID, "principal": m.Principal, "scope": m.Scope, "reason": m.Reason,
		"duration": m.Duration, "ticket": m.Ticket, "break_glass": m.BreakGlass,
	} {
		if v.IsUnknown() {
			el.Unknown = append(el.Unknown, name)
		}
	}
	return el
}

func parseGrant(m *elevationModel, diags *diag.Diagnostics) (scope.Scope, target.Access, bool) {
	sc, err := scope.Parse(m.Scope.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("scope"), "Invalid scope in state", err.Error())
		return sc, target.None, false
	}
	prev, err := target.Decode(sc.Kind, m.PreviousAccess.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("previous_access"), "Invalid previous_access in state", err.Error())
		return sc, target.None, false
	}
	return sc, prev, true
}

// expired reports whether now is at or past expires_at. An unreadable
// expiry counts as expired: any doubt resolves to revoke.
func expired(expiresAt timetypes.RFC3339, now time.Time) bool {
	t, diags := expiresAt.ValueRFC3339Time()
	return diags.HasError() || !now.Before(t)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

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
