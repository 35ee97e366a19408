package policy

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/scope"
)

// Elevation statuses. Pending is an invitation the principal has not
// accepted yet.
const (
	StatusActive  = "active"
	StatusPending = "pending"
	StatusExpired = "expired"
	StatusRevoked = "revoked"
)

// History events of an elevation, as its history attribute keeps them.
const (
	EventGranted           = "granted"
	EventInvited           = "invited"
	EventAlreadyHeld       = "already_held"
	EventAccepted          = "accepted"
	EventExpired           = "expired"
	EventRevokedExternally = "revoked_externally"
	EventFoundAgain        = "found_again"
	EventRevoked           = "revoked"
	EventRenamed           = "renamed"    // the principal's account was renamed; it is followed by its ID
	EventReasserted        = "reasserted" // access an overlapped elevation's expiry took was given back
)

// Elevation is one jit_elevation: the request and its lifecycle, as a plan
// or a state holds it. Null values are "" (or zero).
type Elevation struct {
	ID              string
	PolicyID        string
	Principal       string
	Scope           string
	Reason          string
	Ticket          string
	Duration        time.Duration
	BreakGlass      bool
	Status          string // a Status*; "" while unknown
	GrantedAt       string
	ExpiresAt       string
	RevokedAt       string
	PreviousAccess  string
	GrantedByCommit string
	History         []Event
	// PrincipalID is the principal's GitHub ID, recorded at grant; 0 when
	// not known (a state written before IDs were recorded).
	PrincipalID int64
	// PrincipalLogin is the principal's login as GitHub spelled it at the
	// last refresh: Principal's, unless the account was renamed.
	PrincipalLogin string
	// Overlaps are the elevations in force for the same principal and team
	// or repository that this one declares it overlaps.
	Overlaps []Overlap
	Unknown  []string // top-level attributes unknown at plan time
}

// Overlap is another elevation as an overlaps entry holds it: the
// attributes of that jit_elevation which decide what its access is and
// until when.
type Overlap struct {
	ID             string `json:"id" tfsdk:"id"`
	Principal      string `json:"principal" tfsdk:"principal"`
	PrincipalID    int64  `json:"principal_id" tfsdk:"principal_id"`
	Scope          string `json:"scope" tfsdk:"scope"`
	Status         string `json:"status" tfsdk:"status"`
	ExpiresAt      string `json:"expires_at" tfsdk:"expires_at"`
	PreviousAccess string `json:"previous_access" tfsdk:"previous_access"`
}

// Elevation returns the overlapped elevation with what the entry tells.
func (o Overlap) Elevation() *Elevation {
	return &Elevation{
		ID: o.ID, Principal: o.Principal, PrincipalID: o.PrincipalID, Scope: o.Scope,
		Status: o.Status, ExpiresAt: o.ExpiresAt, PreviousAccess: o.PreviousAccess,
	}
}

// Event is one entry of an elevation's history.
type Event struct {
	At     string `json:"at" tfsdk:"at"`
	Event  string `json:"event" tfsdk:"event"`
	Detail string `json:"detail" tfsdk:"detail"`
}

// MaxReasonLength is the longest reason an elevation may give, in bytes.
const MaxReasonLength = 1024

// TicketShape is what any ticket must look like, whatever the policy's
// ticket_pattern: a reference such as OPS-1234, without spaces.
var TicketShape = regexp.MustCompile(`^\S{1,100}$`)

// TicketShapeHint says what TicketShape wants, for error messages.
const TicketShapeHint = "must be 1 to 100 characters without spaces, such as OPS-1234"

// CheckShape checks what the provider's schema checks of a request, before
// any policy is consulted: the principal is a login, the scope concrete,
// the duration within the ceiling, the reason 1 to MaxReasonLength bytes
// and the ticket, when given, of TicketShape.
func CheckShape(principal, sc, duration, reason, ticket string) error {
	switch {
	case !scope.ValidLogin(principal):
		return fmt.Errorf("principal %q is not a GitHub login: use letters, digits and single hyphens, at most 39 characters", principal)
	case reason == "" || len(reason) > MaxReasonLength:
		return fmt.Errorf("reason must be 1 to %d characters, got %d", MaxReasonLength, len(reason))
	case ticket != "" && !TicketShape.MatchString(ticket):
		return fmt.Errorf("ticket %q %s", ticket, TicketShapeHint)
	}
	if _, err := scope.Parse(sc); err != nil {
		return err
	}
	if _, err := ParseDuration(duration); err != nil {
		return fmt.Errorf("duration %w", err)
	}
	return nil
}

// RequestAttributes are the attributes a user sets on an elevation; every
// one forces replacement, so a change to any is a new request.
var RequestAttributes = []string{"policy_id", "principal", "scope", "reason", "duration", "ticket", "break_glass"}

// IsUnknown reports whether attribute name is unknown at plan time.
func (e *Elevation) IsUnknown(name string) bool { return e != nil && slices.Contains(e.Unknown, name) }

// Live reports whether status says the grant is in place (or invited).
func Live(status string) bool { return status == StatusActive || status == StatusPending }

// Ended reports whether status says the elevation is over. An unknown status
// ("") has not ended: any doubt counts the grant as held.
func Ended(status string) bool { return status == StatusExpired || status == StatusRevoked }

// FoundAgain reports whether a refresh saw the access back after the
// elevation ended: the provider clears revoked_at then.
func (e *Elevation) FoundAgain() bool { return Ended(e.Status) && e.RevokedAt == "" }

// HoldsGrant reports whether the elevation's access is believed to be in place.
func (e *Elevation) HoldsGrant() bool { return Live(e.Status) || e.FoundAgain() }
