package provider

import (
	"context"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

// thresholdsOf reads a policy model into its thresholds in force. ok is
// false when any of them is unknown at plan time.
func thresholdsOf(ctx context.Context, m *optoutPolicyModel) (p *policy.Policy, ok bool, diags diag.Diagnostics) {
	values := []attr.Value{m.Scopes, m.MaxDuration, m.RequiredApprovals, m.Approvers, m.Requesters,
		m.MaxActivePerPrincipal, m.GovernanceApprovals, m.Standing, m.Exclusive}
	if m.Reason != nil {
		values = append(values, m.Reason.MinLength, m.Reason.Pattern, m.Reason.TicketRequired, m.Reason.TicketPattern)
	}
	if m.BreakGlass != nil {
		values = append(values, m.BreakGlass.Enabled, m.BreakGlass.MaxDuration, m.BreakGlass.RequiredApprovals, m.BreakGlass.ReviewWithin)
	}
	if !known(values...) {
		return nil, false, nil
	}
	c := policy.Config{
		ID: m.Name.ValueString(), Name: m.Name.ValueString(),
		Scopes:                elements(ctx, m.Scopes, &diags),
		Approvers:             elements(ctx, m.Approvers, &diags),
		Requesters:            elements(ctx, m.Requesters, &diags),
		MaxDuration:           durationOf(m.MaxDuration),
		RequiredApprovals:     intOf(m.RequiredApprovals),
		MaxActivePerPrincipal: intOf(m.MaxActivePerPrincipal),
		GovernanceApprovals:   intOf(m.GovernanceApprovals),
		Exclusive:             m.Exclusive.ValueBoolPointer(),
		Standing:              map[string]string{},
	}
	if r := m.Reason; r != nil {
		c.Reason = &policy.ReasonConfig{MinLength: intOf(r.MinLength), Pattern: r.Pattern.ValueString(),
			TicketRequired: r.TicketRequired.ValueBoolPointer(), TicketPattern: r.TicketPattern.ValueString()}
	}
	if b := m.BreakGlass; b != nil {
		c.BreakGlass = &policy.BreakGlassConfig{Enabled: b.Enabled.ValueBoolPointer(), MaxDuration: durationOf(b.MaxDuration),
			RequiredApprovals: intOf(b.RequiredApprovals), ReviewWithin: durationOf(b.ReviewWithin)}
	}
	diags.Append(m.Standing.ElementsAs(ctx, &c.Standing, false)...)
	return policy.New(c), !diags.HasError(), diags
}

// intOf is a known number, nil when null.
func intOf(v types.Int64) *int {
	if v.IsNull() {
		return nil
	}
	n := int(v.ValueInt64())
	return &n
}

// durationOf is a known, validated duration, nil when null.
func durationOf(v timetypes.GoDuration) *time.Duration {
	if v.IsNull() {
		return nil
	}
	d, _ := v.ValueGoDuration()
	return &d
}

// known reports whether every value is known at plan time.
func known(values ...attr.Value) bool {
	for _, v := range values {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

// elements reads a set of strings; null is empty.
func elements(ctx context.Context, set types.Set, diags *diag.Diagnostics) []string {
	out := []string{}
	if !set.IsNull() {
		diags.Append(set.ElementsAs(ctx, &out, false)...)
	}
	return out
}

// policyRegistry holds the thresholds of every policy planned or read in this
// provider process, so an elevation can be checked against its policy at plan
// time: Terraform plans the policy before the elevation that references it.
type policyRegistry struct {
	mu sync.RWMutex
	m  map[string]*policy.Policy
}

func newPolicyRegistry() *policyRegistry {
	return &policyRegistry{m: map[string]*policy.Policy{}}
}

func (r *policyRegistry) put(id string, t *policy.Policy) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.m[id] = t
}

func (r *policyRegistry) get(id string) (*policy.Policy, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.m[id]
	return t, ok
}
