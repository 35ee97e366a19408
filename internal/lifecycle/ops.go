package lifecycle

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
	"github.com/jitgate/terraform-provider-jit/internal/target"
)

// Who is el's principal as the target should look for them: by the ID
// recorded at grant, under the login last seen.
func Who(el *policy.Elevation) target.User {
	login := el.PrincipalLogin
	if login == "" {
		login = el.Principal
	}
	return target.User{ID: el.PrincipalID, Login: login}
}

// Granted is what a grant did and what the elevation records of it.
type Granted struct {
	User     target.User   // the principal, with the ID the elevation records
	Previous target.Access // previous_access
	Status   string
	Event    policy.Event
}

// GrantAccess gives el's principal el's scope. el.Overlaps are the
// elevations in force it declares it overlaps: access they give is not
// recorded as the principal's own.
func GrantAccess(ctx context.Context, tg target.Target, el *policy.Elevation, now time.Time) (Granted, error) {
	sc, err := scope.Parse(el.Scope)
	if err != nil {
		return Granted{}, err
	}
	overlaps, err := overlapped(el)
	if err != nil {
		return Granted{}, err
	}
	before, after, user, err := tg.Grant(ctx, target.User{Login: el.Principal}, sc)
	if err != nil {
		return Granted{}, err
	}
	// An overlapped elevation of another account (its login taken again
	// since) says nothing of this one.
	var same []*policy.Elevation
	for _, o := range overlaps {
		if o.PrincipalID == 0 || o.PrincipalID == user.ID {
			same = append(same, o)
		}
	}
	g := Granted{User: user, Previous: previousOf(sc.Kind, before, same, now), Status: policy.StatusActive}
	g.Event.At = stamp(now)
	_, through := Justified(sc.Kind, g.Previous, same, now)
	switch {
	case scope.Covers(sc.Kind, g.Previous.Level, sc.Level):
		g.Event.Event, g.Event.Detail = policy.EventAlreadyHeld,
			fmt.Sprintf("%s already held %s (%s); expiry leaves that standing access as it is", el.Principal, sc, before.Level)
	case before == after && len(through) > 0:
		if after.Pending && !scope.Covers(sc.Kind, after.Level, sc.Level) {
			g.Status = policy.StatusPending
		}
		g.Event.Event, g.Event.Detail = policy.EventGranted,
			fmt.Sprintf("granted %s to %s, already held through %s, which this elevation extends (previously %s)", sc, el.Principal, ids(through), g.Previous.Encode())
	case after.Pending:
		g.Status = policy.StatusPending
		g.Event.Event, g.Event.Detail = policy.EventInvited,
			fmt.Sprintf("GitHub invited %s to %s; access starts when the invitation is accepted", el.Principal, sc)
	default:
		g.Event.Event, g.Event.Detail = policy.EventGranted,
			fmt.Sprintf("granted %s to %s (previously %s)", sc, el.Principal, g.Previous.Encode())
	}
	return g, nil
}

// Refreshed is what a refresh concludes about an elevation.
type Refreshed struct {
	User      target.User
	Status    string
	RevokedAt string // "" for null
	Events    []policy.Event
}

// Refresh compares el with what the target holds now. It never re-grants:
// access removed outside Terraform marks the elevation revoked, except when
// an elevation it overlaps has expired since, whose revocation took the
// shared access: then revoked_at is set while the status stays, and the
// next apply gives it back (Reassert). Past its expiry nothing changes
// here: the plan records the expiry, and access already gone is what it
// wants. A renamed principal is followed by ID and the history says so.
// Access found again after an elevation ended is the revoke engine's to
// judge: only it sees whether a newer elevation holds it.
func Refresh(ctx context.Context, tg target.Target, el *policy.Elevation, now time.Time) (Refreshed, error) {
	r := Refreshed{User: Who(el), Status: el.Status, RevokedAt: el.RevokedAt}
	sc, err := scope.Parse(el.Scope)
	if err != nil {
		return r, err
	}
	cur, user, err := tg.Inspect(ctx, Who(el), sc)
	if err != nil {
		return r, err
	}
	r.User = user
	at := stamp(now)
	if last := Who(el).Login; user.Login != "" && !strings.EqualFold(user.Login, last) {
		r.Events = append(r.Events, policy.Event{At: at, Event: policy.EventRenamed,
			Detail: fmt.Sprintf("%s is now %s (GitHub ID %d); the elevation follows the account", last, user.Login, user.ID)})
	}
	if !InForce(el, now) {
		// Ended, or past its expiry, which the plan records whether or not
		// jit-gate revoke took the access away already.
		return r, nil
	}
	switch {
	case scope.Covers(sc.Kind, cur.Level, sc.Level):
		r.RevokedAt = ""
		if el.Status == policy.StatusPending {
			r.Status = policy.StatusActive
			r.Events = append(r.Events, policy.Event{At: at, Event: policy.EventAccepted, Detail: user.Login + " accepted the invitation to " + sc.String()})
		}
	case cur.Pending && scope.Covers(sc.Kind, cur.Direct, sc.Level):
		// Still an open invitation: nothing changed.
	case el.RevokedAt != "":
		// Already known lost to an overlapped elevation's expiry.
	case overlapEnded(el, now):
		r.RevokedAt = at
	default:
		r.Status, r.RevokedAt = policy.StatusRevoked, at
		r.Events = append(r.Events, policy.Event{At: at, Event: policy.EventRevokedExternally,
			Detail: fmt.Sprintf("%s no longer holds %s: removed outside Terraform; it will not be granted again", user.Login, sc)})
	}
	return r, nil
}

// overlapEnded reports whether an elevation el overlaps has ended or is
// past its expiry, so its revocation may have taken el's access.
func overlapEnded(el *policy.Elevation, now time.Time) bool {
	for _, o := range el.Overlaps {
		if !InForce(o.Elevation(), now) {
			return true
		}
	}
	return false
}

// Lost reports whether el is in force but its access was taken by an
// overlapped elevation's expiry, so the next apply should give it back.
func Lost(el *policy.Elevation, now time.Time) bool {
	return InForce(el, now) && el.RevokedAt != ""
}

// Restored is what a revocation did.
type Restored struct {
	User target.User
	To   target.Access       // what the principal's direct access was brought down to
	Kept []*policy.Elevation // elevations in force whose access stays
}

// String says what the revocation restored, naming the elevations in force
// whose access stays.
func (r Restored) String() string {
	if len(r.Kept) == 0 {
		return r.To.Encode()
	}
	return r.To.Encode() + ", which " + ids(r.Kept) + " in force still give"
}

// Restore revokes el: the principal's access goes back to el's previous
// access, raised to what the elevations el overlaps still give while in
// force. It never raises access.
func Restore(ctx context.Context, tg target.Target, el *policy.Elevation, now time.Time) (Restored, error) {
	sc, err := scope.Parse(el.Scope)
	if err != nil {
		return Restored{}, err
	}
	prev, err := Previous(el)
	if err != nil {
		return Restored{}, err
	}
	overlaps, err := overlapped(el)
	if err != nil {
		return Restored{}, err
	}
	r := Restored{}
	r.To, r.Kept = Justified(sc.Kind, prev, overlaps, now)
	r.User, err = tg.Restore(ctx, Who(el), sc, r.To)
	return r, err
}

// Reassert gives back the access of an elevation in force that an
// overlapped elevation's expiry took. It writes only when the access is
// missing and returns the event to record, if any.
func Reassert(ctx context.Context, tg target.Target, el *policy.Elevation, now time.Time) (target.User, *policy.Event, error) {
	if !InForce(el, now) {
		return Who(el), nil, nil
	}
	sc, err := scope.Parse(el.Scope)
	if err != nil {
		return Who(el), nil, err
	}
	before, after, user, err := tg.Grant(ctx, Who(el), sc)
	if err != nil || before == after {
		return user, nil, err
	}
	return user, &policy.Event{At: stamp(now), Event: policy.EventReasserted,
		Detail: fmt.Sprintf("%s held %s again: the expiry of an elevation it overlaps had taken the shared access", user.Login, sc)}, nil
}

// ids names elevations by id for history details.
func ids(els []*policy.Elevation) string {
	out := make([]string, len(els))
	for i, e := range els {
		out[i] = e.ID + " (until " + e.ExpiresAt + ")"
	}
	if len(out) == 0 {
		return "another elevation"
	}
	return strings.Join(out, ", ")
}
