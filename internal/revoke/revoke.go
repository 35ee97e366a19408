// Package revoke is the engine of `jit-gate revoke`: from a state's
// elevations, it takes away at the target, at once, the access of every
// elevation past its expiry and every expired or revoked one found granted
// again, without planning. It sees every elevation of the state, so it is
// where the decisions that need all of them are made: the principal's
// access without any elevation in force, and whether access found again is
// a newer elevation's rather than the old one's. The per-elevation
// decisions are internal/lifecycle's, shared with the provider.
//
// It never adds access, and running it again changes nothing.
package revoke

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/lifecycle"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/scope"
	"github.com/jitgate/terraform-provider-jit/internal/target"
)

// Why an elevation's access is taken away.
const (
	WhyExpired    = "expired"     // past expires_at
	WhyFoundAgain = "found_again" // ended, and its access is back at the target
	// WhyUnreviewed: a break-glass grant whose post-hoc review did not
	// come within review_within (break_glass.unreviewed): ended now.
	WhyUnreviewed = "break_glass_unreviewed"
)

// Results of one elevation.
const (
	Revoked     = "revoked"      // taken away in this run
	AlreadyGone = "already_gone" // nothing left to take away
	WouldRevoke = "would_revoke" // --dry-run: this run would take it away
	Failed      = "failed"
)

// Outcome is what the run did for one elevation.
type Outcome struct {
	Address     string `json:"address"`
	ID          string `json:"id"`
	Principal   string `json:"principal"`
	Login       string `json:"login"` // the principal's login on GitHub now (differs after a rename)
	PrincipalID int64  `json:"principal_id"`
	Scope       string `json:"scope"`
	Why         string `json:"why"`
	Result      string `json:"result"`
	// RestoredTo is the direct access left (previous_access's encoding):
	// the principal's own, raised to what elevations in force give.
	RestoredTo string   `json:"restored_to"`
	KeptBy     []string `json:"kept_by"` // elevations in force whose access stays
	GrantedAt  string   `json:"granted_at"`
	ExpiresAt  string   `json:"expires_at"`
	// GoneAt is when this run saw the access gone (RFC 3339); LagSeconds
	// the time from expires_at to then, for an expiry taken away in this
	// run: the expiry lag. Both are empty otherwise.
	GoneAt     string `json:"gone_at,omitempty"`
	LagSeconds *int64 `json:"lag_seconds,omitempty"`
	Detail     string `json:"detail,omitempty"`
}

// Lag is the expiry lag as a duration, when known.
func (o Outcome) Lag() (time.Duration, bool) {
	if o.LagSeconds == nil {
		return 0, false
	}
	return time.Duration(*o.LagSeconds) * time.Second, true
}

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Options configure Run.
type Options struct {
	DryRun bool
	Clock  Clock
	// Workers bounds how many teams and repositories are worked on at once
	// (default 4); writes are paced by the GitHub client in any case.
	Workers int
	// Unreviewed are the addresses of break-glass elevations whose
	// post-hoc review is overdue (jit-gate check --mode drift found them):
	// their access goes as if they had expired, whatever their expiry.
	Unreviewed map[string]bool
}

// Run takes away the access of every elevation that no longer justifies
// it, group by group (one principal at one team or repository), and
// returns one outcome per such elevation, sorted by address. A failure in
// one group does not stop the others.
func Run(ctx context.Context, tg target.Target, els []plan.StateElevation, opts Options) []Outcome {
	now := opts.Clock.Now().UTC()
	groups := Groups(els)
	workers := cmp.Or(opts.Workers, 4)
	var (
		mu  sync.Mutex
		out []Outcome
		wg  sync.WaitGroup
	)
	work := make(chan []*plan.StateElevation)
	for range min(workers, len(groups)) {
		wg.Go(func() {
			for g := range work {
				res := runGroup(ctx, tg, g, now, opts)
				mu.Lock()
				out = append(out, res...)
				mu.Unlock()
			}
		})
	}
	for _, g := range groups {
		work <- g
	}
	close(work)
	wg.Wait()
	slices.SortFunc(out, func(a, b Outcome) int { return cmp.Compare(a.Address, b.Address) })
	return out
}

// Groups sorts the state's elevations into one group per principal and
// team or repository: the same GitHub ID, or the same login where a state
// written before IDs were recorded has none. Elevations whose scope does
// not parse form groups of their own, so they fail on their own.
func Groups(els []plan.StateElevation) [][]*plan.StateElevation {
	var groups [][]*plan.StateElevation
	for i := range els {
		el := &els[i]
		at := slices.IndexFunc(groups, func(g []*plan.StateElevation) bool {
			return slices.ContainsFunc(g, func(o *plan.StateElevation) bool { return lifecycle.SameGroup(&el.Elevation, &o.Elevation) })
		})
		if at < 0 {
			groups = append(groups, []*plan.StateElevation{el})
		} else {
			groups[at] = append(groups[at], el)
		}
	}
	return groups
}

// runGroup decides and acts for one principal at one team or repository.
func runGroup(ctx context.Context, tg target.Target, g []*plan.StateElevation, now time.Time, opts Options) []Outcome {
	var expired, ended, inForce []*plan.StateElevation
	for _, el := range g {
		switch {
		case opts.Unreviewed[el.Address] && (policy.Live(el.Status) || el.Status == ""):
			expired = append(expired, el)
		case lifecycle.InForce(&el.Elevation, now):
			inForce = append(inForce, el)
		case policy.Live(el.Status) || el.Status == "":
			expired = append(expired, el)
		default:
			ended = append(ended, el)
		}
	}
	if len(expired)+len(ended) == 0 {
		return nil
	}
	newest := slices.MaxFunc(g, func(a, b *plan.StateElevation) int { return cmp.Compare(a.GrantedAt, b.GrantedAt) })
	sc, err := scope.Parse(newest.Scope)
	if err != nil {
		return failAll(expired, ended, err)
	}
	who := lifecycle.Who(&newest.Elevation)
	cur, user, err := tg.Inspect(ctx, who, sc)
	if err != nil {
		return failAll(expired, ended, err)
	}

	others := make([]*policy.Elevation, len(inForce))
	for i, el := range inForce {
		others[i] = &el.Elevation
	}
	restoreTo := func(from []*plan.StateElevation) (target.Access, []*policy.Elevation) {
		return lifecycle.Justified(sc.Kind, baseline(from, g), others, now)
	}
	// First what the expired ones leave: the principal's own access, as
	// they and the elevations they overlapped recorded it, raised to what
	// is in force.
	left := cur
	subjects := append(slices.Clone(expired), inForce...)
	if len(expired) > 0 {
		to, _ := restoreTo(subjects)
		left = target.Min(sc.Kind, cur, to)
	}
	// Found again: an ended elevation whose level is still held after that.
	// Then its grant is back at the target, not a newer elevation's (those
	// are in force, or expired and restored above).
	var again []*plan.StateElevation
	for _, el := range ended {
		if scope.Rank(sc.Kind, left.Direct) >= rank(el) {
			again = append(again, el)
		}
	}
	if len(expired)+len(again) == 0 {
		return nil
	}
	to, keep := restoreTo(append(subjects, again...))
	// Elevations in force keep what they cover: those are not found again.
	again = slices.DeleteFunc(again, func(el *plan.StateElevation) bool { return scope.Rank(sc.Kind, to.Direct) >= rank(el) })
	if len(expired)+len(again) == 0 {
		return nil
	}
	excess := scope.Rank(sc.Kind, cur.Direct) > scope.Rank(sc.Kind, to.Direct)
	keptBy := []string{}
	for _, k := range keep {
		for _, el := range inForce {
			if &el.Elevation == k {
				keptBy = append(keptBy, el.Address)
			}
		}
	}

	result, detail := AlreadyGone, ""
	switch {
	case excess && opts.DryRun:
		result = WouldRevoke
	case excess || len(expired) > 0:
		// Restore also when nothing seems in excess: it deletes an expired
		// invitation, which gives nothing but is left over.
		if user, err = tg.Restore(ctx, who, sc, to); err != nil {
			result, detail = Failed, err.Error()
		} else if excess {
			result = Revoked
		}
	}
	gone := opts.Clock.Now().UTC()
	var out []Outcome
	add := func(el *plan.StateElevation, why string) {
		o := Outcome{
			Address: el.Address, ID: el.ID, Principal: el.Principal, Login: user.Login, PrincipalID: user.ID,
			Scope: el.Scope, Why: why, Result: result, RestoredTo: to.Encode(), KeptBy: keptBy,
			GrantedAt: el.GrantedAt, ExpiresAt: el.ExpiresAt, Detail: detail,
		}
		if result == Revoked {
			o.GoneAt = gone.Format(time.RFC3339)
			if exp, err := time.Parse(time.RFC3339, el.ExpiresAt); err == nil && why == WhyExpired {
				lag := int64(gone.Sub(exp).Round(time.Second) / time.Second)
				o.LagSeconds = &lag
			}
		}
		out = append(out, o)
	}
	for _, el := range expired {
		if opts.Unreviewed[el.Address] && lifecycle.InForce(&el.Elevation, now) {
			add(el, WhyUnreviewed)
		} else {
			add(el, WhyExpired)
		}
	}
	for _, el := range again {
		add(el, WhyFoundAgain)
	}
	return out
}

// rank is the rank of el's level; an unreadable scope ranks highest, so
// it never passes for access held.
func rank(el *plan.StateElevation) int {
	sc, err := scope.Parse(el.Scope)
	if err != nil {
		return 1 << 10
	}
	return scope.Rank(sc.Kind, sc.Level)
}

// baseline is the principal's access without any elevation, as the group's
// records tell: the lowest previous access among from and every elevation
// that held its grant when one of them was granted, and so on, since a
// grant made while another elevation held its own may have recorded that
// as previous access. Elevations long ended before any of these were
// granted do not lower it: what stood then may have changed since.
func baseline(from, group []*plan.StateElevation) target.Access {
	in := slices.Clone(from)
	for changed := true; changed; {
		changed = false
		for _, el := range group {
			if slices.Contains(in, el) {
				continue
			}
			if slices.ContainsFunc(in, func(r *plan.StateElevation) bool { return held(el, r.GrantedAt) }) {
				in, changed = append(in, el), true
			}
		}
	}
	if len(from) == 0 {
		return target.None
	}
	sc, _ := scope.Parse(from[0].Scope)
	base, first := target.None, true
	for _, el := range in {
		p, err := lifecycle.Previous(&el.Elevation)
		if err != nil {
			p = target.None // unreadable: assume nothing stood behind it
		}
		if first {
			base, first = p, false
		} else {
			base = target.Min(sc.Kind, base, p)
		}
	}
	return base
}

// held reports whether el's grant may have been in place at t: granted at
// or before t, and not ended (expired and restored, or revoked) before it.
func held(el *plan.StateElevation, t string) bool {
	at, err := time.Parse(time.RFC3339, t)
	if err != nil {
		return true
	}
	granted, err := time.Parse(time.RFC3339, el.GrantedAt)
	if err != nil || granted.After(at) {
		return err != nil
	}
	if !policy.Ended(el.Status) {
		return true
	}
	end, err := time.Parse(time.RFC3339, cmp.Or(el.RevokedAt, el.ExpiresAt))
	if exp, eerr := time.Parse(time.RFC3339, el.ExpiresAt); eerr == nil && exp.After(end) {
		end = exp
	}
	return err != nil || end.After(at)
}

// failAll reports every elevation of a group that could not be judged: an
// unreadable target is never taken for access gone.
func failAll(expired, ended []*plan.StateElevation, err error) []Outcome {
	var out []Outcome
	for _, els := range []struct {
		why string
		els []*plan.StateElevation
	}{{WhyExpired, expired}, {WhyFoundAgain, ended}} {
		for _, el := range els.els {
			out = append(out, Outcome{Address: el.Address, ID: el.ID, Principal: el.Principal, Login: lifecycle.Who(&el.Elevation).Login,
				PrincipalID: el.PrincipalID, Scope: el.Scope, Why: els.why, Result: Failed, KeptBy: []string{},
				GrantedAt: el.GrantedAt, ExpiresAt: el.ExpiresAt, Detail: err.Error()})
		}
	}
	return out
}
