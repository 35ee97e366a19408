package audit

import (
	"fmt"
	"strings"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
)

// Held returns the interval [from, until) during which the grant's access
// was in place as far as the state knows: from granted_at to revoked_at
// (when the apply after expiry took it away, or the refresh that found it
// removed by hand). While nothing has revoked it, until is expires_at if that
// is still ahead, else now: an expired grant stays in place until the next
// apply, and access found again after expiry is held until it is removed.
// An unreadable granted_at reads as the beginning of time, so the grant
// matches every window rather than none.
func (g Grant) Held(now time.Time) (from, until time.Time) {
	from, _ = time.Parse(time.RFC3339, g.GrantedAt)
	if t, err := time.Parse(time.RFC3339, g.RevokedAt); err == nil {
		return from, t
	}
	if t, err := time.Parse(time.RFC3339, g.ExpiresAt); err == nil && t.After(now) && policy.Live(g.Status) {
		return from, t
	}
	return from, now
}

// Filter selects grants. Zero values select everything.
type Filter struct {
	Since, Until time.Time // the window [Since, Until)
	Principal    string    // a login, case-insensitive
	Scope        string    // a scope or pattern; see Match
}

// ParseTime reads a --since/--until value: RFC 3339, or a date (midnight UTC).
func ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("time %q: want RFC 3339 (2026-03-01T10:00:00Z) or a date (2026-03-01)", s)
}

// Check validates the filter.
func (f Filter) Check() error {
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return fmt.Errorf("the window is empty: --since %s is not before --until %s", f.Since.Format(time.RFC3339), f.Until.Format(time.RFC3339))
	}
	if f.Scope != "" {
		if _, err := scope.ParsePattern(f.Scope); err != nil {
			return err
		}
	}
	return nil
}

// Match reports whether the filter selects g: its held interval overlaps
// [Since, Until), its principal is Principal, and its scope gives at least
// Scope. "At least" because someone with admin on a repository also held
// push there; `*` as a whole segment or level matches any.
func (f Filter) Match(g Grant, now time.Time) bool {
	from, until := g.Held(now)
	if (!f.Until.IsZero() && !from.Before(f.Until)) || (!f.Since.IsZero() && !until.After(f.Since)) {
		return false
	}
	if f.Principal != "" && !strings.EqualFold(f.Principal, g.Principal) {
		return false
	}
	if f.Scope == "" {
		return true
	}
	p, err := scope.ParsePattern(f.Scope)
	if err != nil {
		return false
	}
	s, err := scope.Parse(g.Scope)
	if err != nil {
		return false
	}
	if p.Level == scope.Wildcard || (p.Kind == s.Kind && scope.Covers(s.Kind, s.Level, p.Level)) {
		p.Level = s.Level
	}
	return scope.Match(p, s)
}

// Select returns the grants f matches, in order.
func Select(grants []Grant, f Filter, now time.Time) []Grant {
	out := []Grant{}
	for _, g := range grants {
		if f.Match(g, now) {
			out = append(out, g)
		}
	}
	return out
}
