package audit

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jitgate/terraform-provider-jit/internal/seal"
)

// Problems Verify reports.
const (
	ProblemForeign    = "foreign"          // another account than the gate's posted a comment with its marker
	ProblemEdited     = "edited"           // the record was edited after it was posted (updated_at after created_at)
	ProblemUnsealed   = "unsealed"         // no keyed seal (a v1 hash, or none): nothing vouches for it
	ProblemUnknownKey = "unknown_key"      // sealed with a key the gate does not hold
	ProblemBadSeal    = "bad_seal"         // the seal does not match: changed, or copied from another place or position
	ProblemUnreadable = "unreadable"       // sealed, but without a JSON line that reads
	ProblemOutOfOrder = "out_of_order"     // its position comes before one already in the trail, or repeats a record
	ProblemMissing    = "missing"          // records before it in the trail are gone: deleted
	ProblemNoCopy     = "copy_missing"     // the pull request lacks the copy of an apply's record
	ProblemCopyDiffer = "copy_differs"     // a copy says something else than its record in the log
	ProblemNotInLog   = "not_in_log"       // a copy whose record is gone from the log: deleted
	ProblemUnlabelled = "unlabelled"       // an audit-log issue lost its label
	ProblemUnrecorded = "unrecorded_grant" // a grant, in the state or named by a record, without a record of its own
)

// Finding is one thing that fails verification.
type Finding struct {
	Number  int    `json:"number"` // pull request or issue; 0 for a grant without a record
	Comment int64  `json:"comment_id"`
	URL     string `json:"url"`
	Author  string `json:"author"`
	Kind    string `json:"kind"` // the marker's, or the record's
	Seq     int    `json:"seq"`  // the position in the trail; 0 when none
	Problem string `json:"problem"`
	Detail  string `json:"detail"`
}

// Verification is the result of Verify.
type Verification struct {
	Self     string    `json:"gate_login"`
	Keys     []string  `json:"keys"`     // ids of the keys records were checked against
	Checked  []int     `json:"checked"`  // audit-log issues and pull requests whose comments were read
	Records  int       `json:"records"`  // records in the audit log
	Copies   int       `json:"copies"`   // record copies on pull requests
	Comments int       `json:"comments"` // every comment with the gate's marker among them
	Grants   int       `json:"grants"`   // state grants checked for a record
	Findings []Finding `json:"findings"`
}

// Verify checks the whole trail: each comment with the gate's marker was
// written by the gate's account; each record is sealed with a known key
// for the place it is in, unedited, with a JSON line; the records of the
// log are in order with nothing missing between them; every copy matches
// its record and every apply's record has its copy; no record is gone from
// the log while its copy remains; every grant of state (the grants of
// `terraform show -json`, nil when not given) and every elevation a record
// names has a record of its grant.
func Verify(l *Log, state []Grant) Verification {
	v := Verification{Self: l.Self, Keys: l.keys.IDs(), Checked: append(slices.Clone(l.Issues), l.PRs...), Findings: []Finding{}, Grants: len(state)}
	if v.Keys == nil {
		v.Keys = []string{}
	}
	add := func(e entry, problem, detail string) {
		v.Findings = append(v.Findings, Finding{Number: e.Number, Comment: e.ID, URL: e.URL, Author: e.Author, Kind: recordKind(e),
			Seq: e.seq, Problem: problem, Detail: detail})
	}
	for _, c := range l.Others {
		v.Comments++
		if !strings.EqualFold(c.Author, l.Self) {
			m, _ := seal.Parse(c.Body)
			v.Findings = append(v.Findings, Finding{Number: c.Number, Comment: c.ID, URL: c.URL, Author: c.Author, Kind: m.Kind, Problem: ProblemForeign,
				Detail: "posted by another account than the gate's, with the gate's marker"})
		}
	}
	for _, n := range l.Unlabelled {
		v.Findings = append(v.Findings, Finding{Number: n, Kind: KindRotate, Problem: ProblemUnlabelled,
			Detail: fmt.Sprintf("the audit log goes on in #%d, which no longer carries the label %s", n, AuditLabel)})
	}

	// The log, in order.
	last, group := 0, []entry{} // the highest position so far and its records
	seen := map[string]entry{}  // by seal
	flagged := map[int]bool{}   // positions of the gate's records found untrustworthy above
	for _, e := range l.Ledger {
		v.Comments++
		v.Records++
		if p, d := untrusted(e, l.Self); p != "" {
			add(e, p, d)
			if p != ProblemForeign && e.seq > 0 {
				flagged[e.seq] = true
			}
			continue
		}
		if first, dup := seen[e.mac()]; dup {
			add(e, ProblemOutOfOrder, fmt.Sprintf("a second copy of record %d (comment %d): a replay", first.seq, first.ID))
			continue
		}
		seen[e.mac()] = e
		want := macs(group)
		switch {
		case e.seq < last:
			add(e, ProblemOutOfOrder, fmt.Sprintf("position %d comes after position %d", e.seq, last))
			continue
		case e.seq == last:
			// Posted at the same time as the others at this position: it
			// must follow what they follow.
			if !slices.Equal(e.prev, group[0].prev) {
				add(e, ProblemOutOfOrder, fmt.Sprintf("shares position %d but chains to other records", e.seq))
				continue
			}
			group = append(group, e)
			continue
		case e.seq > last+1:
			if gone := missing(last+1, e.seq-1, flagged); gone != "" {
				add(e, ProblemMissing, "the records at "+gone+" are missing before it: deleted")
			}
		case !slices.Equal(e.prev, want) && !flagged[last]:
			add(e, ProblemMissing, fmt.Sprintf("it follows %d record(s) at position %d, of which the log holds %d: deleted", len(e.prev), last, countIn(e.prev, want)))
		}
		last, group = e.seq, []entry{e}
	}

	// Copies on pull requests, and the copies an apply's record must have.
	// A copy is compared with the gate's record of the same id in the log,
	// trusted or not: an edited record shows against its intact copy.
	byRID := map[string]entry{}
	for _, e := range l.Ledger {
		if k := e.rid() + " " + e.part(); e.rid() != "" && strings.EqualFold(e.Author, l.Self) {
			if _, dup := byRID[k]; !dup {
				byRID[k] = e
			}
		}
	}
	for _, pr := range l.PRs {
		have := map[string]bool{}
		for _, e := range l.Copies[pr] {
			v.Comments++
			v.Copies++
			if p, d := untrusted(e, l.Self); p != "" {
				add(e, p, d)
				continue
			}
			orig, ok := byRID[e.rid()+" "+e.part()]
			switch {
			case !ok:
				add(e, ProblemNotInLog, fmt.Sprintf("a copy of record %d, which the audit log no longer holds: deleted", e.seq))
			case orig.seq != e.seq || !slices.Equal(orig.prev, e.prev) || seal.Canonical(seal.Content(orig.Body)) != seal.Canonical(seal.Content(e.Body)):
				add(e, ProblemCopyDiffer, fmt.Sprintf("says something else than record %d in #%d", orig.seq, orig.Number))
			default:
				have[e.rid()+" "+e.part()] = true
			}
		}
		for _, e := range l.trusted() {
			if slices.Contains(e.rec.copyTargets(), pr) && !have[e.rid()+" "+e.part()] {
				add(e, ProblemNoCopy, fmt.Sprintf("its copy on pull request #%d is gone", pr))
			}
		}
	}

	// Grants without a record of their own.
	recorded := l.Recorded()
	for _, g := range state {
		if g.ID != "" && !recorded[g.ID] {
			v.Findings = append(v.Findings, Finding{Kind: "state", Problem: ProblemUnrecorded,
				Detail: fmt.Sprintf("%s (%s): %s's grant of %s at %s is in the state but in no record", g.Address, g.ID, g.Principal, g.Scope, orNone(g.GrantedAt))})
		}
	}
	for _, e := range l.trusted() {
		for _, r := range e.rec.Revocations {
			if r.ID != "" && !recorded[r.ID] && e.rec.Outcome == OutcomeSuccess {
				add(e, ProblemUnrecorded, fmt.Sprintf("revokes %s (%s), whose grant no record holds", r.Address, r.ID))
			}
		}
	}
	slices.SortStableFunc(v.Findings, func(a, b Finding) int { return cmp.Compare(a.Number, b.Number) })
	return v
}

// untrusted says why a record cannot be relied on, if it cannot.
func untrusted(e entry, self string) (problem, detail string) {
	switch {
	case !strings.EqualFold(e.Author, self):
		return ProblemForeign, "posted by another account than the gate's, with the gate's marker"
	case e.edited():
		return ProblemEdited, "edited after posting (updated " + e.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z") + ")"
	case e.status == seal.Unsealed:
		return ProblemUnsealed, "no keyed seal: its content cannot be vouched for"
	case e.status == seal.UnknownKey:
		return ProblemUnknownKey, "sealed with key " + orNone(e.marker.Extra[seal.FieldKey]) + ", which the gate does not hold"
	case e.status != seal.Valid:
		return ProblemBadSeal, "the seal does not match: changed, or copied from another place or position"
	case e.err != nil || e.seq == 0:
		return ProblemUnreadable, "sealed, but its entries cannot be read"
	}
	return "", ""
}

func recordKind(e entry) string {
	if e.rec.Kind != "" {
		return e.rec.Kind
	}
	return e.marker.Kind
}

func macs(es []entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.mac())
	}
	return out
}

func countIn(prev, have []string) int {
	n := 0
	for _, p := range prev {
		if slices.Contains(have, p) {
			n++
		}
	}
	return n
}

// missing names the positions from..to that no flagged record holds, ""
// when there are none.
func missing(from, to int, flagged map[int]bool) string {
	var out []string
	for i := from; i <= to; i++ {
		if flagged[i] {
			continue
		}
		j := i
		for j < to && !flagged[j+1] {
			j++
		}
		if i == j {
			out = append(out, "position "+strconv.Itoa(i))
		} else {
			out = append(out, fmt.Sprintf("positions %d to %d", i, j))
		}
		i = j
	}
	return strings.Join(out, ", ")
}
