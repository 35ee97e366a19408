// Package policy is the one home of what a jit_optout_policy means: its
// thresholds with every default applied once, the 168h ceiling, the record
// of a jit_elevation with its statuses and history events, and the checks of
// an elevation against a policy. The provider turns the checks' findings
// into plan-time diagnostics and jit-gate into violations, so the two can
// never disagree about a threshold.
//
// It is named for the resource whose meaning it holds; elevations are judged
// here because a policy is what judges them.
package policy

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/scope"
)

// Ceiling is the longest any grant may last; no configuration raises it.
const Ceiling = 168 * time.Hour

// DefaultReasonMinLength is reason.min_length when the policy leaves it unset.
const DefaultReasonMinLength = 20

// Config is a policy's thresholds as written: a nil pointer is an attribute
// left null. New applies the defaults.
type Config struct {
	ID, Name              string
	Scopes                []string
	MaxDuration           *time.Duration
	RequiredApprovals     *int
	Approvers             []string
	Requesters            []string
	Reason                *ReasonConfig // nil: no reason block
	MaxActivePerPrincipal *int
	BreakGlass            *BreakGlassConfig // nil: no break_glass block
	GovernanceApprovals   *int
	Standing              map[string]string
	Exclusive             *bool
	Observed              map[string][]string
	Unknown               []string
}

// ReasonConfig is the reason block as written.
type ReasonConfig struct {
	MinLength      *int
	Pattern        string
	TicketRequired *bool
	TicketPattern  string
}

// BreakGlassConfig is the break_glass block as written.
type BreakGlassConfig struct {
	Enabled           *bool
	MaxDuration       *time.Duration
	RequiredApprovals *int
	ReviewWithin      *time.Duration
}

// Policy is a jit_optout_policy's thresholds in force: every default
// applied. The JSON tags name the thresholds Fingerprint hashes.
type Policy struct {
	ID                    string              `json:"-"`
	Name                  string              `json:"-"`
	Scopes                []string            `json:"scopes"`
	MaxDuration           time.Duration       `json:"max_duration"`
	RequiredApprovals     int                 `json:"required_approvals"`
	Approvers             []string            `json:"approvers"`  // logins and "team:ORG/SLUG"
	Requesters            []string            `json:"requesters"` // empty: anyone
	Reason                Reason              `json:"reason"`
	MaxActivePerPrincipal int                 `json:"max_active_per_principal"` // 0: unlimited
	BreakGlass            BreakGlass          `json:"break_glass"`
	GovernanceApprovals   int                 `json:"governance_approvals"`
	Standing              map[string]string   `json:"standing"`
	Exclusive             bool                `json:"exclusive"`
	Observed              map[string][]string `json:"-"`
	Unknown               []string            `json:"-"` // top-level attributes unknown at plan time
}

// Reason is what an elevation's reason and ticket must satisfy.
type Reason struct {
	MinLength      int    `json:"min_length"`
	Pattern        string `json:"pattern"`
	TicketRequired bool   `json:"ticket_required"`
	TicketPattern  string `json:"ticket_pattern"`
}

// BreakGlass is the policy's break_glass block; without one it is disabled.
type BreakGlass struct {
	Enabled           bool          `json:"enabled"`
	MaxDuration       time.Duration `json:"max_duration"`
	RequiredApprovals int           `json:"required_approvals"`
	ReviewWithin      time.Duration `json:"review_within"` // 0: not set
}

// New applies the defaults to a policy as written:
//   - reason.min_length is DefaultReasonMinLength, with or without a reason block;
//   - governance_approvals is required_approvals;
//   - in an enabled break_glass block, a null max_duration or
//     required_approvals is the policy's own, so a missing number never
//     lowers a bar (a disabled block's limits are never used);
//   - any other null is zero, false or empty.
func New(c Config) *Policy {
	p := &Policy{
		ID: c.ID, Name: c.Name, Scopes: c.Scopes, Approvers: c.Approvers, Requesters: c.Requesters,
		MaxDuration:           deref(c.MaxDuration, 0),
		RequiredApprovals:     deref(c.RequiredApprovals, 0),
		MaxActivePerPrincipal: deref(c.MaxActivePerPrincipal, 0),
		Standing:              c.Standing,
		Exclusive:             deref(c.Exclusive, false),
		Observed:              c.Observed,
		Unknown:               c.Unknown,
		Reason:                Reason{MinLength: DefaultReasonMinLength},
	}
	p.GovernanceApprovals = deref(c.GovernanceApprovals, p.RequiredApprovals)
	if r := c.Reason; r != nil {
		p.Reason = Reason{
			MinLength:      deref(r.MinLength, DefaultReasonMinLength),
			Pattern:        r.Pattern,
			TicketRequired: deref(r.TicketRequired, false),
			TicketPattern:  r.TicketPattern,
		}
	}
	if b := c.BreakGlass; b != nil {
		p.BreakGlass = BreakGlass{
			Enabled:           deref(b.Enabled, false),
			MaxDuration:       deref(b.MaxDuration, 0),
			RequiredApprovals: deref(b.RequiredApprovals, 0),
			ReviewWithin:      deref(b.ReviewWithin, 0),
		}
		if p.BreakGlass.Enabled {
			p.BreakGlass.MaxDuration = deref(b.MaxDuration, p.MaxDuration)
			p.BreakGlass.RequiredApprovals = deref(b.RequiredApprovals, p.RequiredApprovals)
		}
	}
	return p
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// IsUnknown reports whether attribute name is unknown at plan time.
func (p *Policy) IsUnknown(name string) bool { return p != nil && slices.Contains(p.Unknown, name) }

// DisplayName is how messages name the policy: its name, else its id.
func (p *Policy) DisplayName() string { return cmp.Or(p.Name, p.ID) }

// DurationLimit is the longest elevation the policy allows, the attribute
// that sets it, and the top-level attribute that holds it: break_glass's
// when the elevation is break-glass and the policy enables it.
func (p *Policy) DurationLimit(breakGlass bool) (limit time.Duration, name, attr string) {
	if breakGlass && p.BreakGlass.Enabled {
		return p.BreakGlass.MaxDuration, "break_glass.max_duration", "break_glass"
	}
	return p.MaxDuration, "max_duration", "max_duration"
}

// ApprovalsRequired is how many approvals an elevation needs up front.
func (p *Policy) ApprovalsRequired(breakGlass bool) int {
	if breakGlass && p.BreakGlass.Enabled {
		return p.BreakGlass.RequiredApprovals
	}
	return p.RequiredApprovals
}

// Fingerprint is the sha256 of the canonical JSON of the thresholds: sets
// sorted case-insensitively, absent ones empty, map keys sorted by the
// encoder. Its encoding is what states already hold, so it must not change.
func (p *Policy) Fingerprint() string {
	c := *p
	c.Scopes, c.Approvers, c.Requesters = sortedSet(p.Scopes), sortedSet(p.Approvers), sortedSet(p.Requesters)
	if c.Standing == nil {
		c.Standing = map[string]string{}
	}
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func sortedSet(s []string) []string {
	out := append([]string{}, s...)
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return out
}

// Loosened lists the thresholds that get weaker from b to a, by attribute
// name ("reason.min_length"), sorted. An attribute unknown at plan time
// counts as loosened: it could be anything.
func Loosened(b, a *Policy) []string {
	bg, ag := b.BreakGlass, a.BreakGlass
	both := bg.Enabled && ag.Enabled
	checks := []struct {
		name, attr string
		weaker     bool
	}{
		{"max_duration", "max_duration", a.MaxDuration > b.MaxDuration},
		{"required_approvals", "required_approvals", a.RequiredApprovals < b.RequiredApprovals},
		{"approvers", "approvers", added(b.Approvers, a.Approvers)},
		{"requesters", "requesters", len(b.Requesters) > 0 && (len(a.Requesters) == 0 || added(b.Requesters, a.Requesters))},
		{"scopes", "scopes", widened(b.Scopes, a.Scopes)},
		{"reason.min_length", "reason", a.Reason.MinLength < b.Reason.MinLength},
		{"reason.pattern", "reason", b.Reason.Pattern != "" && a.Reason.Pattern != b.Reason.Pattern},
		{"reason.ticket_required", "reason", b.Reason.TicketRequired && !a.Reason.TicketRequired},
		{"reason.ticket_pattern", "reason", b.Reason.TicketPattern != "" && a.Reason.TicketPattern != b.Reason.TicketPattern},
		{"max_active_per_principal", "max_active_per_principal", b.MaxActivePerPrincipal > 0 && (a.MaxActivePerPrincipal == 0 || a.MaxActivePerPrincipal > b.MaxActivePerPrincipal)},
		{"break_glass.enabled", "break_glass", !bg.Enabled && ag.Enabled},
		{"break_glass.max_duration", "break_glass", both && ag.MaxDuration > bg.MaxDuration},
		{"break_glass.required_approvals", "break_glass", both && ag.RequiredApprovals < bg.RequiredApprovals},
		{"break_glass.review_within", "break_glass", both && bg.ReviewWithin > 0 && (ag.ReviewWithin == 0 || ag.ReviewWithin > bg.ReviewWithin)},
		{"governance_approvals", "governance_approvals", a.GovernanceApprovals < b.GovernanceApprovals},
		{"standing", "standing", added(slices.Collect(maps.Keys(b.Standing)), slices.Collect(maps.Keys(a.Standing)))},
		{"exclusive", "exclusive", b.Exclusive && !a.Exclusive},
	}
	out := []string{}
	for _, c := range checks {
		name := c.name
		if a.IsUnknown(c.attr) {
			name = c.attr
		} else if !c.weaker {
			continue
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// added reports whether after has an entry (case-insensitively) not in before.
func added(before, after []string) bool {
	return slices.ContainsFunc(after, func(x string) bool {
		return !slices.ContainsFunc(before, func(y string) bool { return strings.EqualFold(x, y) })
	})
}

// widened reports whether after allows a scope that no pattern of before
// allowed. A pattern is covered when an old pattern matches it as if it were a
// scope: `*` only matches `*`, so a new wildcard is never covered by a name.
func widened(before, after []string) bool {
	return slices.ContainsFunc(after, func(x string) bool {
		px, err := scope.ParsePattern(x)
		if err != nil {
			return true
		}
		return !slices.ContainsFunc(before, func(y string) bool {
			py, err := scope.ParsePattern(y)
			return err == nil && scope.Match(py, px)
		})
	})
}
