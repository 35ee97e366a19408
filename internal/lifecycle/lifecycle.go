// Package lifecycle is the one home of what happens to an elevation's
// access at the target: what a grant records as the principal's previous
// access, what a refresh concludes, what an expiry restores, and when an
// elevation is in force. The provider calls it with what one resource
// instance can know (itself and the elevations it declares it overlaps);
// the revoke engine (internal/revoke) with every elevation of a state, for
// the decisions only that view can make.
//
// Several elevations may cover one principal at one team or repository
// (an extension is a second, newly approved elevation). What a revocation
// restores is the principal's access without any elevation, raised to what
// the other elevations in force give; a newer elevation records the older
// ones' previous access as its own, never their grant.
package lifecycle

import (
	"fmt"
	"strings"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
	"github.com/jitgate/terraform-provider-jit/internal/target"
)

// InForce reports whether el's access is justified at now: it is active or
// pending and before expires_at. An unreadable expiry is not in force: any
// doubt resolves to revoke.
func InForce(el *policy.Elevation, now time.Time) bool {
	t, err := time.Parse(time.RFC3339, el.ExpiresAt)
	return err == nil && policy.Live(el.Status) && now.Before(t)
}

// Grant is what an elevation's scope gives: the scope and its level as an
// access (an invitation while the elevation is pending).
func Grant(el *policy.Elevation) (scope.Scope, target.Access, error) {
	sc, err := scope.Parse(el.Scope)
	if err != nil {
		return sc, target.None, err
	}
	if el.Status == policy.StatusPending {
		return sc, target.Access{Direct: sc.Level, Pending: true}, nil
	}
	return sc, target.Access{Level: sc.Level, Direct: sc.Level}, nil
}

// Previous decodes el's previous access for its scope's kind.
func Previous(el *policy.Elevation) (target.Access, error) {
	sc, err := scope.Parse(el.Scope)
	if err != nil {
		return target.None, err
	}
	return target.Decode(sc.Kind, el.PreviousAccess)
}

// SameGroup reports whether a and b are elevations of one principal at one
// team or repository: the same GitHub ID when both are known, else the
// same login, as configured or as GitHub last reported it.
func SameGroup(a, b *policy.Elevation) bool {
	sa, errA := scope.Parse(a.Scope)
	sb, errB := scope.Parse(b.Scope)
	return errA == nil && errB == nil && sa.Resource() == sb.Resource() && SamePrincipal(a, b)
}

// SamePrincipal reports whether a and b name one principal: the same GitHub
// ID when both are known, else the same login, as configured or as GitHub
// last reported it. For callers that already know both elevations are at one
// team or repository.
func SamePrincipal(a, b *policy.Elevation) bool {
	if a.PrincipalID != 0 && b.PrincipalID != 0 {
		return a.PrincipalID == b.PrincipalID
	}
	for _, x := range []string{a.Principal, a.PrincipalLogin} {
		for _, y := range []string{b.Principal, b.PrincipalLogin} {
			if x != "" && strings.EqualFold(x, y) {
				return true
			}
		}
	}
	return false
}

// overlapped returns el's overlaps entries as elevations, checking that each
// names el's principal and team or repository.
func overlapped(el *policy.Elevation) ([]*policy.Elevation, error) {
	out := make([]*policy.Elevation, len(el.Overlaps))
	for i, o := range el.Overlaps {
		out[i] = o.Elevation()
		if !SameGroup(el, out[i]) {
			return nil, fmt.Errorf("overlaps names elevation %s of %s on %s: an elevation only overlaps others of the same principal at the same team or repository",
				o.ID, o.Principal, o.Scope)
		}
	}
	return out, nil
}

// CheckOverlaps reports an overlaps entry that names another principal or
// team or repository.
func CheckOverlaps(el *policy.Elevation) error {
	_, err := overlapped(el)
	return err
}

// previousOf is what a new elevation records as previous access: what the
// principal held when it was granted (observed), but never more than the
// previous access of an overlapped elevation in force, whose grant observed
// includes.
func previousOf(kind string, observed target.Access, overlaps []*policy.Elevation, now time.Time) target.Access {
	prev := observed
	for _, o := range overlaps {
		if !InForce(o, now) {
			continue
		}
		p, err := Previous(o)
		if err != nil {
			p = target.None // unreadable: assume nothing stood behind it
		}
		prev = target.Min(kind, prev, p)
	}
	return prev
}

// Justified is what a revocation restores at a team or repository: base
// (the principal's access without any elevation), raised to what each
// elevation in force gives, with those that keep access above base.
func Justified(kind string, base target.Access, others []*policy.Elevation, now time.Time) (target.Access, []*policy.Elevation) {
	to := base
	var keep []*policy.Elevation
	for _, o := range others {
		if !InForce(o, now) {
			continue
		}
		_, g, err := Grant(o)
		if err != nil {
			continue
		}
		if target.Max(kind, base, g) == g && g != base {
			keep = append(keep, o)
		}
		to = target.Max(kind, to, g)
	}
	return to, keep
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
