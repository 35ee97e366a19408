package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"time"

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

	"github.com/jitgate/terraform-provider-jit/internal/scope"
	"github.com/jitgate/terraform-provider-jit/internal/target"
)

var (
	_ resource.ResourceWithConfigure  = (*elevationResource)(nil)
	_ resource.ResourceWithModifyPlan = (*elevationResource)(nil)
)

// Elevation statuses. Pending is an invitation the principal has not accepted yet.
const (
	statusActive  = "active"
	statusPending = "pending"
	statusExpired = "expired"
	statusRevoked = "revoked"
)

func newElevationResource() resource.Resource { return &elevationResource{} }

type elevationResource struct {
	data *providerData
}

type elevationModel struct {
	ID              types.String `tfsdk:"id"`
	PolicyID        types.String `tfsdk:"policy_id"`
	Principal       types.String `tfsdk:"principal"`
	Scope           types.String `tfsdk:"scope"`
	Reason          types.String `tfsdk:"reason"`
	Duration        types.String `tfsdk:"duration"`
	Ticket          types.String `tfsdk:"ticket"`
	BreakGlass      types.Bool   `tfsdk:"break_glass"`
	Status          types.String `tfsdk:"status"`
	GrantedAt       types.String `tfsdk:"granted_at"`
	ExpiresAt       types.String `tfsdk:"expires_at"`
	RevokedAt       types.String `tfsdk:"revoked_at"`
	PreviousAccess  types.String `tfsdk:"previous_access"`
	GrantedByCommit types.String `tfsdk:"granted_by_commit"`
	History         types.List   `tfsdk:"history"`
}

type historyEntry struct {
	At     string `tfsdk:"at"`
	Event  string `tfsdk:"event"`
	Detail string `tfsdk:"detail"`
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
				MarkdownDescription: "Why the access is needed, 1 to 1024 characters; the policy may require more and a pattern.",
				Required:            true,
				PlanModifiers:       replace,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 1024)},
			},
			"duration": schema.StringAttribute{
				MarkdownDescription: "How long the access lasts, as a Go duration (`30m`, `2h`): more than `0s`, at most `168h` and at most the policy's `max_duration`.",
				Required:            true,
				PlanModifiers:       replace,
				Validators:          []validator.String{durationValidator()},
			},
			"ticket": schema.StringAttribute{
				MarkdownDescription: "Ticket or incident reference, such as `OPS-1234`: 1 to 100 characters without spaces.",
				Optional:            true,
				PlanModifiers:       replace,
				Validators: []validator.String{stringvalidator.RegexMatches(ticketRE,
					"must be 1 to 100 characters without spaces, such as OPS-1234")},
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
				PlanModifiers:       keep,
			},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: "When the grant expires (RFC 3339, UTC).",
				Computed:            true,
				PlanModifiers:       keep,
			},
			"revoked_at": schema.StringAttribute{
				MarkdownDescription: "When the grant was last removed (RFC 3339, UTC); null while the access is in place.",
				Computed:            true,
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

var ticketRE = regexp.MustCompile(`^\S{1,100}$`)

func (r *elevationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureResource(req, resp)
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
	d, err := parseDuration(m.Duration.ValueString())
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
	entry := historyEntry{At: stamp(now)}
	switch {
	case scope.Covers(sc.Kind, before.Level, sc.Level):
		m.Status = types.StringValue(statusActive)
		entry.Event, entry.Detail = "already_held",
			fmt.Sprintf("%s already held %s (%s); expiry leaves that standing access as it is", principal, sc, before.Level)
	case after.Pending:
		m.Status = types.StringValue(statusPending)
		entry.Event, entry.Detail = "invited",
			fmt.Sprintf("GitHub invited %s to %s; access starts when the invitation is accepted", principal, sc)
	default:
		m.Status = types.StringValue(statusActive)
		entry.Event, entry.Detail = "granted",
			fmt.Sprintf("granted %s to %s (previously %s)", sc, principal, before.Encode())
	}
	m.ID = types.StringValue(newID())
	m.GrantedAt = types.StringValue(stamp(now))
	m.ExpiresAt = types.StringValue(stamp(now.Add(d)))
	m.RevokedAt = types.StringNull()
	m.PreviousAccess = types.StringValue(before.Encode())
	m.GrantedByCommit = types.StringNull()
	if r.data.commit != "" {
		m.GrantedByCommit = types.StringValue(r.data.commit)
	}
	resp.Diagnostics.Append(setHistory(ctx, &m, []historyEntry{entry})...)
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
	var entry *historyEntry
	switch status := m.Status.ValueString(); {
	case status == statusActive || status == statusPending:
		switch {
		case scope.Covers(sc.Kind, cur.Level, sc.Level):
			if status == statusPending {
				m.Status = types.StringValue(statusActive)
				entry = &historyEntry{now, "accepted", principal + " accepted the invitation to " + sc.String()}
			}
		case cur.Pending && scope.Covers(sc.Kind, cur.Direct, sc.Level):
			// Still an open invitation: nothing changed.
		default:
			m.Status = types.StringValue(statusRevoked)
			m.RevokedAt = types.StringValue(now)
			entry = &historyEntry{now, "revoked_externally",
				fmt.Sprintf("%s no longer holds %s: removed outside Terraform; it will not be granted again", principal, sc)}
		}
	case !m.RevokedAt.IsNull():
		if scope.Covers(sc.Kind, cur.Direct, sc.Level) && !scope.Covers(sc.Kind, prev.Direct, sc.Level) {
			m.RevokedAt = types.StringNull()
			entry = &historyEntry{now, "found_again",
				fmt.Sprintf("%s holds %s again after the elevation ended; the next apply removes it", principal, sc)}
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
	event, detail := "revoked", "access found again after the elevation ended was removed"
	if plan.Status.ValueString() == statusExpired && state.Status.ValueString() != statusExpired {
		event, detail = "expired", fmt.Sprintf("expired at %s; restored to %s", state.ExpiresAt.ValueString(), state.PreviousAccess.ValueString())
	}
	if !r.restore(ctx, &state, &resp.Diagnostics) {
		// The prior state stays as it was, so the next apply retries.
		return
	}
	now := stamp(r.data.clock.Now())
	state.Status = plan.Status
	state.RevokedAt = types.StringValue(now)
	resp.Diagnostics.Append(appendHistory(ctx, &state, historyEntry{now, event, detail})...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Delete removes the grant if it is still in place. On failure Terraform
// keeps the resource in state and the next apply retries.
func (r *elevationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state elevationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !holdsGrant(&state) {
		return
	}
	r.restore(ctx, &state, &resp.Diagnostics)
}

// ModifyPlan runs the expiry check, so it works with -refresh=false too.
func (r *elevationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	if req.State.Raw.IsNull() {
		r.checkPolicy(ctx, req, resp)
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
	case (status == statusActive || status == statusPending) && expired(state.ExpiresAt, r.data.clock.Now()):
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), statusExpired)...)
		resp.Diagnostics.AddWarning("Elevation expired: "+principal+" on "+sc,
			fmt.Sprintf("The elevation of %s to %s expired at %s. This apply revokes it and restores %s.",
				principal, sc, state.ExpiresAt.ValueString(), state.PreviousAccess.ValueString()))
	case foundAgain(&state):
		resp.Diagnostics.AddWarning("Access found again: "+principal+" on "+sc,
			fmt.Sprintf("%s holds %s again although the elevation is %s. This apply removes it.", principal, sc, status))
	default:
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("revoked_at"), types.StringUnknown())...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("history"), types.ListUnknown(historyType))...)
}

// replaced reports whether any argument changed: every one forces
// replacement, and the create that follows is planned on its own.
func replaced(plan, state *elevationModel) bool {
	return !plan.PolicyID.Equal(state.PolicyID) || !plan.Principal.Equal(state.Principal) ||
		!plan.Scope.Equal(state.Scope) || !plan.Reason.Equal(state.Reason) || !plan.Duration.Equal(state.Duration) ||
		!plan.Ticket.Equal(state.Ticket) || !plan.BreakGlass.Equal(state.BreakGlass)
}

// checkPolicy rejects, at plan time, a duration the referenced policy does not
// allow, when that policy was planned in this process. The gate checks the rest.
func (r *elevationResource) checkPolicy(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var m elevationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !known(m.PolicyID, m.Duration, m.BreakGlass) {
		return
	}
	t, ok := r.data.policies.get(m.PolicyID.ValueString())
	if !ok {
		return
	}
	d, err := time.ParseDuration(m.Duration.ValueString())
	if err != nil {
		return
	}
	limit, what := t.MaxDuration, "max_duration"
	if m.BreakGlass.ValueBool() {
		if !t.BreakGlass.Enabled {
			resp.Diagnostics.AddAttributeError(path.Root("break_glass"), "Break-glass not enabled",
				fmt.Sprintf("break_glass: policy %q does not enable break-glass elevations.", m.PolicyID.ValueString()))
			return
		}
		limit, what = t.BreakGlass.MaxDuration, "break_glass.max_duration"
	}
	if d > limit {
		resp.Diagnostics.AddAttributeError(path.Root("duration"), "Duration exceeds the policy",
			fmt.Sprintf("duration: %s exceeds %s %s of policy %q.", d, what, limit, m.PolicyID.ValueString()))
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

// holdsGrant reports whether the elevation's access is believed to be in place.
func holdsGrant(m *elevationModel) bool {
	s := m.Status.ValueString()
	return s == statusActive || s == statusPending || foundAgain(m)
}

// foundAgain reports whether a refresh saw the access back after the
// elevation ended: Read clears revoked_at then.
func foundAgain(m *elevationModel) bool {
	s := m.Status.ValueString()
	return (s == statusExpired || s == statusRevoked) && m.RevokedAt.IsNull()
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
func expired(expiresAt types.String, now time.Time) bool {
	t, err := time.Parse(time.RFC3339, expiresAt.ValueString())
	return err != nil || !now.Before(t)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "elev-" + hex.EncodeToString(b)
}

func setHistory(ctx context.Context, m *elevationModel, entries []historyEntry) diag.Diagnostics {
	v, diags := types.ListValueFrom(ctx, historyType, entries)
	m.History = v
	return diags
}

func appendHistory(ctx context.Context, m *elevationModel, e historyEntry) diag.Diagnostics {
	var entries []historyEntry
	diags := m.History.ElementsAs(ctx, &entries, false)
	return append(diags, setHistory(ctx, m, append(entries, e))...)
}
