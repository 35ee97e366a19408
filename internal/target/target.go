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

// Holder is someone who holds a concrete scope.
type Holder struct {
	Login string
	Level string // the effective level held, at or above the scope's
}

// Target grants and revokes access for scopes of one kind of system.
type Target interface {
	// Inspect returns what principal holds at the scope's team or repository,
	// whatever the level. Implementations may answer from a per-process
	// snapshot shared by all resources, so a refresh costs one list per
	// team or repository rather than one call per elevation.
	Inspect(ctx context.Context, principal string, s scope.Scope) (Access, error)
	// Grant gives principal the scope's level. It reads fresh state first and
	// returns it as before, so revocation can restore exactly that, and the
	// resulting access as after (Pending when GitHub sent an invitation). It
	// never lowers access: when before already covers the level, it writes
	// nothing and after equals before.
	Grant(ctx context.Context, principal string, s scope.Scope) (before, after Access, err error)
	// Restore puts the principal's controllable access back to prev: removing
	// it, deleting the invitation, or setting the earlier role or permission.
	Restore(ctx context.Context, principal string, s scope.Scope, prev Access) error
	// Holders lists everyone who holds the concrete scope at its level or higher.
	Holders(ctx context.Context, s scope.Scope) ([]Holder, error)
	// Preflight checks while planning, writing nothing, what a grant will
	// need: that principal is an account and the scope's team or repository
	// can be read. cannotWrite names, when it can tell, the permission the
	// token lacks for the grant itself ("" when it has it or cannot tell).
	Preflight(ctx context.Context, principal string, s scope.Scope) (cannotWrite string, err error)
}
