package audit

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
)

// What backs a grant's approvers (Grant.Record).
const (
	RecordIntact   = "recorded" // a trusted record of the apply that granted it
	RecordArchived = "archived" // only the archive jit-gate prune wrote: approvers as it found them
	RecordMissing  = "missing"  // no trusted record holds its grant
)

// Timeline returns every grant the trusted records of the log tell of,
// oldest first, with what later records say happened to it: the whole
// history without any state, so removing ended elevations from the
// configuration loses nothing. A grant with no revocation on record reads
// as held until now, whatever its expiry: nothing recorded its end. A
// grant only a revocation names is kept as that revocation tells it, with
// Record RecordMissing.
func (l *Log) Timeline() []Grant {
	byID := map[string]*Grant{}
	var order []string
	for _, e := range l.trusted() {
		rec := e.rec
		for _, g := range rec.Grants {
			switch {
			case g.ID == "":
			case rec.Kind == KindArchive:
				gr := byID[g.ID]
				switch {
				case gr == nil:
					ng := grantOf(g, rec, e.seq, RecordArchived)
					gr, order = &ng, append(order, g.ID)
					byID[g.ID] = gr
				case gr.Record == RecordMissing: // known so far from a revocation only
					ng := grantOf(g, rec, e.seq, RecordArchived)
					ng.RevokedAt, ng.Status, ng.History = gr.RevokedAt, gr.Status, append(ng.History, gr.History...)
					*gr = ng
				}
				if g.RevokedAt != "" && gr.RevokedAt == "" {
					gr.Status, gr.RevokedAt = g.Status, g.RevokedAt
				}
				if len(g.History) > len(gr.History) {
					gr.History = g.History
				}
			case rec.Outcome == OutcomeSuccess && byID[g.ID] == nil:
				ng := grantOf(g, rec, e.seq, RecordIntact)
				byID[g.ID], order = &ng, append(order, g.ID)
			}
		}
		if rec.Outcome != OutcomeSuccess {
			continue
		}
		for _, r := range rec.Revocations {
			gr := byID[r.ID]
			if gr == nil && r.ID != "" {
				// A grant no record holds: what its revocation says of it
				// is kept, marked as missing its record.
				ng := Grant{Address: r.Address, Elevation: policy.Elevation{ID: r.ID, Principal: r.Principal, Scope: r.Scope,
					GrantedAt: r.From, ExpiresAt: r.ExpiresAt, Status: policy.StatusActive}, Approvers: []string{}, Record: RecordMissing}
				gr, order = &ng, append(order, r.ID)
				byID[r.ID] = gr
			}
			if gr == nil || gr.RevokedAt != "" {
				continue
			}
			at := r.At
			if at == AtApply {
				at = stamp(rec.RecordedAt)
			}
			gr.RevokedAt, gr.Status = at, policy.StatusRevoked
			if r.Why == gate.RevokeExpired {
				gr.Status = policy.StatusExpired
			}
			gr.History = append(gr.History, policy.Event{At: at, Event: policy.EventRevoked, Detail: fmt.Sprintf("%s; record %d", r.Why, e.seq)})
		}
	}
	out := make([]Grant, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	sortGrants(out)
	return out
}

// grantOf is the grant a record holds. A time the record only knows as
// "at apply" reads as the time of the record, which came after it.
func grantOf(g RecordGrant, rec Record, seq int, backing string) Grant {
	d, _ := time.ParseDuration(g.Duration)
	from, to := g.From, g.To
	if from == AtApply || from == "" {
		from = stamp(rec.RecordedAt)
	}
	if strings.HasPrefix(to, AtApply) || to == "" {
		if t, err := time.Parse(time.RFC3339, from); err == nil {
			to = stamp(t.Add(d))
		}
	}
	pr := g.PR
	if pr == 0 {
		pr = rec.PR
	}
	status := g.Status
	if status == "" {
		status = policy.StatusActive
	}
	history := g.History
	if len(history) == 0 {
		history = []policy.Event{{At: from, Event: policy.EventGranted, Detail: fmt.Sprintf("record %d", seq)}}
	}
	approvers := g.ApprovedBy
	if approvers == nil {
		approvers = []string{}
	}
	return Grant{
		Address: g.Address,
		Elevation: policy.Elevation{
			ID: g.ID, PolicyID: g.Policy, Principal: g.Principal, Scope: g.Scope, Reason: g.Reason, Ticket: g.Ticket, Duration: d,
			BreakGlass: g.BreakGlass, Status: status, GrantedAt: from, ExpiresAt: to, RevokedAt: g.RevokedAt, GrantedByCommit: rec.Commit,
			History: history,
		},
		PR: pr, Approvers: approvers, Record: backing, Seq: seq,
	}
}

// Join returns the state's grants with the pull request and approvers of
// their record in the log, then the grants only the records still know
// (their blocks removed from the configuration since).
func Join(state []Grant, l *Log) []Grant {
	recorded := map[string]Grant{}
	for _, g := range l.Timeline() {
		recorded[g.ID] = g
	}
	out := make([]Grant, 0, len(state))
	inState := map[string]bool{}
	for _, g := range state {
		inState[g.ID] = true
		g.Record, g.Approvers = RecordMissing, []string{}
		if r, ok := recorded[g.ID]; ok && g.ID != "" && r.Record != RecordMissing {
			g.PR, g.Approvers, g.Record, g.Seq = r.PR, r.Approvers, r.Record, r.Seq
		}
		out = append(out, g)
	}
	for _, g := range l.Timeline() {
		if !inState[g.ID] {
			out = append(out, g)
		}
	}
	sortGrants(out)
	return out
}

// sortGrants orders grants oldest first, then by address.
func sortGrants(grants []Grant) {
	slices.SortStableFunc(grants, func(a, b Grant) int {
		ta, _ := time.Parse(time.RFC3339, a.GrantedAt)
		tb, _ := time.Parse(time.RFC3339, b.GrantedAt)
		return cmp.Or(ta.Compare(tb), cmp.Compare(a.Address, b.Address))
	})
}
