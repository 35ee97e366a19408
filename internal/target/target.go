// Package target defines what a grant is applied to: something that can
// inspect, grant and restore a principal's access for a scope. The provider
// and the gate only speak this interface; target/ghtarget implements it for
// GitHub teams and repositories.
package target

import (
	"context"
	"fmt"
	"strings"

	"github.com/jitgate/terraform-provider-jit/internal/scope"
)

// Access is what a principal holds at one team or repository.
type Access struct {
	// Level is the effective level the principal can use now, from any source
	// (direct, through a team, org base permission, org owner); "" is none.
	Level string
	// Direct is the part a grant controls: the team role, or the direct
	// collaborator permission; "" is none. Revocation restores exactly this.
	Direct string
	// Pending means Direct is an invitation the principal has not accepted.
	Pending bool
}

// None is the absence of access.
var None = Access{}

// Encode renders the controllable part of an access for state:
// "none", a level such as "push", or "invited:push" for a pending invitation.
func (a Access) Encode() string {
	switch {
	case a.Direct == "":
		return "none"
	case a.Pending:
		return "invited:" + a.Direct
	}
	return a.Direct
}

// Decode parses what Encode wrote, for the scope's kind.
func Decode(kind, s string) (Access, error) {
	if s == "none" || s == "" {
		return None, nil
	}
	level, pending := strings.CutPrefix(s, "invited:")
	if scope.Rank(kind, level) < 1 {
		return None, fmt.Errorf("previous access %q is not a %s level", s, kind)
	}
	a := Access{Direct: level, Pending: pending}
	if !pending {
		a.Level = level
	}
	return a, nil
}

// User is a GitHub account: its ID, which survives renames, and its login
// as GitHub spells it now. An ID of 0 means "not known yet": the target then
// looks the login up.
type User struct {
	ID    int64
	Login string
}

// Holder is someone who holds a concrete scope.
type Holder struct {
	Login string
	Level string // the effective level held, at or above the scope's
}

// Target grants and revokes access for scopes of one kind of system. Every
// method identifies the principal by ID when the User has one, so a renamed
// account is still found, and returns the User as the target names it now.
type Target interface {
	// Inspect returns what who holds at the scope's team or repository,
	// whatever the level. Implementations may answer from a per-process
	// snapshot shared by all callers, so a refresh costs a few lists per
	// team or repository rather than calls per elevation.
	Inspect(ctx context.Context, who User, s scope.Scope) (Access, User, error)
	// Grant gives who the scope's level and returns what they held before
	// (so revocation can restore exactly that) and after (Pending when
	// GitHub sent an invitation). It never lowers access: when before
	// already covers the level, it writes nothing and after equals before.
	Grant(ctx context.Context, who User, s scope.Scope) (before, after Access, _ User, _ error)
	// Restore brings who's controllable access at the scope's team or
	// repository down to prev: removing it, deleting the invitation, or
	// setting the earlier role or permission. It never raises access.
	Restore(ctx context.Context, who User, s scope.Scope, prev Access) (User, error)
	// Holders lists everyone who holds the concrete scope at its level or higher.
	Holders(ctx context.Context, s scope.Scope) ([]Holder, error)
	// Preflight checks while planning, writing nothing, what a grant will
	// need: that principal is an account and the scope's team or repository
	// can be read. cannotWrite names, when it can tell, the permission the
	// token lacks for the grant itself ("" when it has it or cannot tell).
	Preflight(ctx context.Context, principal string, s scope.Scope) (cannotWrite string, err error)
}

// Max returns the higher of two accesses of one kind, comparing the direct
// part: an active grant outranks an invitation to the same level.
func Max(kind string, a, b Access) Access {
	ra, rb := scope.Rank(kind, a.Direct), scope.Rank(kind, b.Direct)
	if rb > ra || (rb == ra && a.Pending && !b.Pending) {
		return b
	}
	return a
}

// Min returns the lower of two accesses of one kind, comparing the direct
// part: an invitation ranks below an active grant to the same level.
func Min(kind string, a, b Access) Access {
	if Max(kind, a, b) == a && a != b {
		return b
	}
	return a
}
