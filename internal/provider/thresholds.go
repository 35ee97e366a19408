package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// defaultReasonMinLength applies when a policy has no reason block.
const defaultReasonMinLength = 20

// thresholds is the canonical form of a policy's rules: what the fingerprint
// hashes and what elevations are checked against at plan time.
type thresholds struct {
	Scopes                []string          `json:"scopes"`
	MaxDuration           time.Duration     `json:"max_duration"`
	RequiredApprovals     int64             `json:"required_approvals"`
	Approvers             []string          `json:"approvers"`
	Requesters            []string          `json:"requesters"`
	Reason                reasonRule        `json:"reason"`
	MaxActivePerPrincipal int64             `json:"max_active_per_principal"`
	BreakGlass            breakGlassRule    `json:"break_glass"`
	GovernanceApprovals   int64             `json:"governance_approvals"`
	Standing              map[string]string `json:"standing"`
	Exclusive             bool              `json:"exclusive"`
}

type reasonRule struct {
	MinLength      int64  `json:"min_length"`
	Pattern        string `json:"pattern"`
	TicketRequired bool   `json:"ticket_required"`
	TicketPattern  string `json:"ticket_pattern"`
}

type breakGlassRule struct {
	Enabled           bool          `json:"enabled"`
	MaxDuration       time.Duration `json:"max_duration"`
	RequiredApprovals int64         `json:"required_approvals"`
	ReviewWithin      time.Duration `json:"review_within"`
}

// thresholdsOf reads the canonical thresholds from a policy model. ok is
// false when any of them is unknown at plan time.
func thresholdsOf(ctx context.Context, m *optoutPolicyModel) (t thresholds, ok bool, diags diag.Diagnostics) {
	values := []attr.Value{m.Scopes, m.MaxDuration, m.RequiredApprovals, m.Approvers, m.Requesters,
		m.MaxActivePerPrincipal, m.GovernanceApprovals, m.Standing, m.Exclusive}
	if m.Reason != nil {
		values = append(values, m.Reason.MinLength, m.Reason.Pattern, m.Reason.TicketRequired, m.Reason.TicketPattern)
	}
	if m.BreakGlass != nil {
		values = append(values, m.BreakGlass.Enabled, m.BreakGlass.MaxDuration, m.BreakGlass.RequiredApprovals, m.BreakGlass.ReviewWithin)
	}
	if !known(values...) {
		return t, false, nil
	}
	t.Scopes = sortedStrings(ctx, m.Scopes, &diags)
	t.Approvers = sortedStrings(ctx, m.Approvers, &diags)
	t.Requesters = sortedStrings(ctx, m.Requesters, &diags)
	t.MaxDuration, _ = time.ParseDuration(m.MaxDuration.ValueString())
	t.RequiredApprovals = m.RequiredApprovals.ValueInt64()
	t.MaxActivePerPrincipal = m.MaxActivePerPrincipal.ValueInt64()
	t.GovernanceApprovals = m.GovernanceApprovals.ValueInt64()
	if m.GovernanceApprovals.IsNull() {
		t.GovernanceApprovals = t.RequiredApprovals
	}
	t.Exclusive = m.Exclusive.ValueBool()
	t.Reason.MinLength = defaultReasonMinLength
	if r := m.Reason; r != nil {
		if !r.MinLength.IsNull() {
			t.Reason.MinLength = r.MinLength.ValueInt64()
		}
		t.Reason.Pattern = r.Pattern.ValueString()
		t.Reason.TicketRequired = r.TicketRequired.ValueBool()
		t.Reason.TicketPattern = r.TicketPattern.ValueString()
	}
	if b := m.BreakGlass; b != nil {
		t.BreakGlass.Enabled = b.Enabled.ValueBool()
		t.BreakGlass.MaxDuration, _ = time.ParseDuration(b.MaxDuration.ValueString())
		t.BreakGlass.RequiredApprovals = b.RequiredApprovals.ValueInt64()
		t.BreakGlass.ReviewWithin, _ = time.ParseDuration(b.ReviewWithin.ValueString())
	}
	t.Standing = map[string]string{}
	diags.Append(m.Standing.ElementsAs(ctx, &t.Standing, false)...)
	return t, !diags.HasError(), diags
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

func sortedStrings(ctx context.Context, set types.Set, diags *diag.Diagnostics) []string {
	out := []string{}
	if set.IsNull() {
		return out
	}
	diags.Append(set.ElementsAs(ctx, &out, false)...)
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return out
}

// fingerprint is the sha256 of the canonical JSON of the thresholds; the
// encoder sorts map keys, and every set is sorted above.
func (t thresholds) fingerprint() string {
	b, _ := json.Marshal(t)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// policyRegistry holds the thresholds of every policy planned or read in this
// provider process, so an elevation can be checked against its policy at plan
// time: Terraform plans the policy before the elevation that references it.
type policyRegistry struct {
	mu sync.RWMutex
	m  map[string]thresholds
}

func newPolicyRegistry() *policyRegistry {
	return &policyRegistry{m: map[string]thresholds{}}
}

func (r *policyRegistry) put(id string, t thresholds) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.m[id] = t
}

func (r *policyRegistry) get(id string) (thresholds, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.m[id]
	return t, ok
}
