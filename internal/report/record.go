package report

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/sweep"
)

// Outcomes of the apply a record is about.
const (
	OutcomeSuccess   = "success"   // the apply completed
	OutcomeFailure   = "failure"   // it failed: nothing may be taken as done
	OutcomeCancelled = "cancelled" // it was cancelled: the same
	OutcomeSkipped   = "skipped"   // nothing was applied (only follow-up findings are recorded)
)

// AtApply stands for a time only known once the apply ran: the plan alone
// does not say when, only that it was before the record's time.
const AtApply = "at apply"

// Record is what one apply granted and revoked (or failed to), who approved
// the grants and where it ran, and any break-glass review that is overdue:
// the audit entries `jit-gate record` writes.
type Record struct {
	Outcome    string
	Commit     string // the commit applied (GITHUB_SHA)
	PR         int    // the merged pull request; 0 when there is none
	NoPR       string // why there is none, e.g. "scheduled run"
	RunURL     string // the workflow run; "" when unknown
	RecordedAt time.Time

	Grants      []RecordGrant
	Revocations []RecordRevocation
	Unreviewed  []gate.Violation    // break_glass.unreviewed findings
	Shadow      []gate.ShadowAccess // access.shadow: who holds a policy's scope with neither standing nor an elevation
	Swept       []sweep.Outcome     // what jit-gate sweep removed, or could not, in this run
}

// RecordGrant is one grant: From and To are RFC 3339 UTC, or AtApply
// ("at apply + 2h" for To) when only the plan was read.
type RecordGrant struct {
	Address, ID, Principal, Scope string
	From, To                      string
	Reason, Ticket                string
	BreakGlass                    bool
	ApprovedBy                    []string
}

// RecordRevocation is one revocation: the grant held since From, taken
// away At (RFC 3339 UTC or AtApply).
type RecordRevocation struct {
	Address, Principal, Scope, Why string
	From, At                       string
}

// nobody shows an empty list of approvers; unlike "none", no login can
// be spelled so, which keeps RecordedApprovers unambiguous.
const nobody = "no one"

var (
	grantHeader      = []string{"Address", "ID", "Principal", "Scope", "From (UTC)", "To (UTC)", "Reason", "Ticket", "Break-glass", "Approved by"}
	revocationHeader = []string{"Address", "Principal", "Scope", "Held from (UTC)", "Revoked (UTC)", "Why"}
	unreviewedHeader = []string{"Address", "Finding"}
	shadowHeader     = []string{"Policy", "Scope", "Held by"}
	sweptHeader      = []string{"Policy", "Scope", "Principal", "Result", "Direct access left"}
)

// recordSections are the record's tables. A skipped apply lists no grant
// or revocation (the plan's were not applied); the break-glass table shows
// only when it has rows or is all there is.
func recordSections(rec Record) []section {
	var secs []section
	if rec.Outcome != OutcomeSkipped {
		grants := section{title: "Grants", header: grantHeader}
		revocations := section{title: "Revocations", header: revocationHeader}
		if rec.Outcome != OutcomeSuccess {
			grants.title, revocations.title = "Grants planned, not confirmed", "Revocations planned, not confirmed"
		}
		for _, g := range rec.Grants {
			approvers := nobody
			if len(g.ApprovedBy) > 0 {
				approvers = list(g.ApprovedBy)
			}
			grants.rows = append(grants.rows, []string{
				Escape(g.Address), orNone(Escape(g.ID)), Escape(g.Principal), Escape(g.Scope), Escape(g.From), Escape(g.To),
				Escape(g.Reason), orNone(Escape(g.Ticket)), yesNo(g.BreakGlass), approvers,
			})
		}
		for _, v := range rec.Revocations {
			revocations.rows = append(revocations.rows, []string{
				Escape(v.Address), Escape(v.Principal), Escape(v.Scope), orNone(Escape(v.From)), Escape(v.At), Escape(v.Why),
			})
		}
		secs = append(secs, grants, revocations)
	}
	if len(rec.Shadow) > 0 {
		shadow := section{title: "Shadow access", header: shadowHeader}
		for _, a := range rec.Shadow {
			shadow.rows = append(shadow.rows, []string{Escape(a.Address), Escape(a.Scope), Escape(a.Principal)})
		}
		secs = append(secs, shadow)
	}
	if len(rec.Swept) > 0 {
		swept := section{title: "Shadow access swept", header: sweptHeader}
		for _, o := range rec.Swept {
			result := Escape(o.Result)
			if o.Detail != "" {
				result += ": " + Escape(o.Detail)
			}
			swept.rows = append(swept.rows, []string{Escape(o.Policy), Escape(o.Scope), Escape(o.Principal), result, orNone(Escape(o.LeaveAt))})
		}
		secs = append(secs, swept)
	}
	if len(rec.Unreviewed) > 0 || len(secs) == 0 {
		unreviewed := section{title: "Break-glass review overdue", header: unreviewedHeader}
		for _, v := range rec.Unreviewed {
			unreviewed.rows = append(unreviewed.rows, []string{Escape(v.Address), Escape(v.Message)})
		}
		secs = append(secs, unreviewed)
	}
	return secs
}

// Empty reports whether the record has nothing to say: no grant or
// revocation it may list, no shadow access found or swept and no overdue
// review.
func (rec Record) Empty() bool {
	for _, s := range recordSections(rec) {
		if len(s.rows) > 0 {
			return false
		}
	}
	return true
}

// RecordMarkdown renders the whole record, for the terminal and the job
// summary.
func RecordMarkdown(rec Record) string {
	secs := recordSections(rec)
	var all []chunk
	for i, s := range secs {
		if len(s.rows) > 0 {
			all = append(all, chunk{sec: i, rows: s.rows})
		}
	}
	return renderRecord(rec, secs, all, 1, 1)
}

// chunk is the rows of one section that go into one part.
type chunk struct {
	sec  int
	rows [][]string
}

// RecordBodies renders the record as sealed comments of kind record. Unlike
// a check report, an audit record is never shortened: when it does not fit
// in one comment, its rows are spread over as many as needed, each marked
// "Part i of n".
func RecordBodies(rec Record) ([]string, error) {
	secs := recordSections(rec)
	marker := func(part, parts int) Marker {
		m := Marker{Kind: KindRecord, Head: rec.Commit, Extra: map[string]string{"outcome": rec.Outcome}}
		if parts > 1 {
			m.Extra["part"] = strconv.Itoa(part)
		}
		return m
	}
	// Room for rows, with the widest marker and heading a part can have.
	const most = 999
	room, err := sealedRoom(marker(most, most), MaxCommentBytes)
	if err != nil {
		return nil, err
	}
	room -= len(recordHead(rec, secs, most, most))

	var parts [][]chunk
	var cur []chunk
	size := 0
	for i, s := range secs {
		for _, row := range s.rows {
			add := len(tableRow(row))
			if len(cur) == 0 || cur[len(cur)-1].sec != i {
				add += len(tableHead(s))
			}
			if size+add > room && len(cur) > 0 {
				parts, cur, size = append(parts, cur), nil, 0
				add = len(tableRow(row)) + len(tableHead(s))
			}
			if len(cur) == 0 || cur[len(cur)-1].sec != i {
				cur = append(cur, chunk{sec: i})
			}
			cur[len(cur)-1].rows = append(cur[len(cur)-1].rows, row)
			size += add
		}
	}
	parts = append(parts, cur)
	if len(parts) > most {
		return nil, fmt.Errorf("record: %d comments needed, more than %d", len(parts), most)
	}
	bodies := make([]string, len(parts))
	for i, chunks := range parts {
		if bodies[i], err = Seal(marker(i+1, len(parts)), renderRecord(rec, secs, chunks, i+1, len(parts))); err != nil {
			return nil, err
		}
	}
	return bodies, nil
}

// renderRecord renders one part: the heading, then each chunk as a table.
func renderRecord(rec Record, secs []section, chunks []chunk, part, parts int) string {
	var b strings.Builder
	b.WriteString(recordHead(rec, secs, part, parts))
	for _, c := range chunks {
		b.WriteString(tableHead(secs[c.sec]))
		for _, row := range c.rows {
			b.WriteString(tableRow(row))
		}
	}
	return b.String()
}

// recordHead is the heading of one part: the outcome in plain words, the
// context every entry shares, and the counts.
func recordHead(rec Record, secs []section, part, parts int) string {
	var b strings.Builder
	switch rec.Outcome {
	case OutcomeSuccess:
		b.WriteString("### 📒 jit-gate record: applied\n\n**Outcome: success.** The grants and revocations below took effect in this apply.\n\n")
	case OutcomeSkipped:
		b.WriteString("### 📒 jit-gate record: nothing applied\n\n**Outcome: skipped.** Nothing was applied in this run.\n\n")
	default:
		what := "failed"
		if rec.Outcome == OutcomeCancelled {
			what = "cancelled"
		}
		fmt.Fprintf(&b, "### ❌ jit-gate record: apply %s\n\n**Outcome: %s.** The apply did not complete: nothing below may be taken as granted or revoked. The next run's state shows what took effect.\n\n",
			what, Escape(rec.Outcome))
	}
	fields := []string{"Commit: " + orNone(Escape(rec.Commit))}
	if rec.PR > 0 {
		fields = append(fields, "Pull request: #"+strconv.Itoa(rec.PR))
	} else {
		fields = append(fields, "Pull request: none ("+Escape(rec.NoPR)+")")
	}
	fields = append(fields, "Run: "+Link(rec.RunURL, rec.RunURL))
	fields = append(fields, "Recorded: "+rec.RecordedAt.UTC().Format(time.RFC3339))
	if parts > 1 {
		fields = append(fields, fmt.Sprintf("Part %d of %d", part, parts))
	}
	b.WriteString(strings.Join(fields, " · ") + "\n\n")
	counts := make([]string, len(secs))
	for i, s := range secs {
		counts[i] = fmt.Sprintf("%s: %d", s.title, len(s.rows))
	}
	b.WriteString(strings.Join(counts, " · ") + "\n")
	return b.String()
}

// Link renders an http(s) URL as a markdown link with text (escaped), or
// "unknown" when u is not one or holds characters that could end the link
// early.
func Link(text, u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || strings.ContainsAny(u, " <>()[]\"'`\\") {
		return "unknown"
	}
	for _, r := range u {
		if r < 0x21 || r > 0x7e {
			return "unknown"
		}
	}
	return "[" + Escape(text) + "](" + u + ")"
}

// RecordedApprovers returns the approvers that a record comment lists for
// the grant at address, and whether it lists that grant as applied: only a
// record of a successful apply does. It reads what RecordBodies wrote, so
// callers must first make sure the comment is the gate's own and intact.
func RecordedApprovers(body, address string) ([]string, bool) {
	if m, ok := ParseMarker(body); !ok || m.Kind != KindRecord || m.Extra["outcome"] != OutcomeSuccess {
		return nil, false
	}
	header, want := strings.TrimSuffix(tableRow(grantHeader), "\n"), Escape(address)
	in := false
	for _, line := range strings.Split(Canonical(body), "\n") {
		switch {
		case line == header:
			in = true
		case !in:
		case !strings.HasPrefix(line, "| "):
			in = false
		default:
			// Escape leaves no "|" without a backslash before it, so " | "
			// only ever separates cells.
			cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(line, "| "), " |"), " | ")
			if len(cells) != len(grantHeader) || cells[0] != want {
				continue
			}
			approvers := []string{}
			if last := cells[len(cells)-1]; last != nobody {
				for _, login := range strings.Split(last, ", ") {
					// Logins are letters, digits and "-", which Escape only
					// backslash-escapes.
					approvers = append(approvers, strings.ReplaceAll(login, `\`, ""))
				}
			}
			return approvers, true
		}
	}
	return nil, false
}
