package audit

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/report"
	"github.com/jitgate/terraform-provider-jit/internal/sweep"
)

// nobody shows an empty list of approvers.
const nobody = "no one"

// row is one table row of a record: its cells, escaped, and how to add the
// entry it shows to the JSON line of the part it lands in.
type row struct {
	cells []string
	size  int // bytes the entry adds to the JSON line, with its comma
	add   func(*Record)
}

// section is one table of a record.
type section struct {
	title  string
	header []string
	rows   []row
}

var (
	grantHeader      = []string{"Address", "ID", "Principal", "Scope", "From (UTC)", "To (UTC)", "Reason", "Ticket", "Break-glass", "Approved by"}
	archiveHeader    = []string{"Address", "ID", "Principal", "Scope", "From (UTC)", "To (UTC)", "Ended (UTC)", "Status", "Reason", "Ticket", "Approved by"}
	revocationHeader = []string{"Address", "Principal", "Scope", "Held from (UTC)", "Revoked (UTC)", "Why"}
	policyHeader     = []string{"Address", "Action", "Loosened", "Approvals", "Approved by"}
	unreviewedHeader = []string{"Address", "Finding"}
	shadowHeader     = []string{"Policy", "Scope", "Held by"}
	sweptHeader      = []string{"Policy", "Scope", "Principal", "Result", "Direct access left"}
	judgedHeader     = []string{"Address", "Principal", "Scope", "Pull request", "Verdict", "Approved by"}
)

// judgedSection lists the requests of a plan judged but not applied (the
// gate blocked it, or the catch-up judged a commit whose own run GitHub
// cancelled), with the pull request each is attributed to: what the next
// apply's attribution starts from.
func judgedSection(rec Record) section {
	judged := section{title: "Requests judged, not applied", header: judgedHeader}
	for _, g := range rec.Grants {
		r := rowOf(g, func(r *Record, g RecordGrant) { r.Grants = append(r.Grants, g) })
		pr := "none (unbound)"
		if g.PR > 0 {
			pr = "#" + strconv.Itoa(g.PR)
		}
		r.cells = []string{report.Escape(g.Address), report.Escape(g.Principal), report.Escape(g.Scope), pr, report.Escape(g.Verdict), approvers(g.ApprovedBy)}
		judged.rows = append(judged.rows, r)
	}
	return judged
}

func rowOf[T any](e T, add func(*Record, T)) row {
	data, _ := encode(e) // cannot fail: plain data
	return row{size: len(data) + 1, add: func(r *Record) { add(r, e) }}
}

func approvers(logins []string) string {
	if len(logins) == 0 {
		return nobody
	}
	return report.List(logins)
}

func orNone(s string) string { return report.OrNone(s) }

// sections are the record's tables. A skipped apply lists no grant or
// revocation (the plan's were not applied); the break-glass table shows
// only when it has rows or is all there is.
func sections(rec Record) []section {
	var secs []section
	switch rec.Kind {
	case KindRotate:
		return nil
	case KindArchive:
		archived := section{title: "Archived elevations", header: archiveHeader}
		for _, g := range rec.Grants {
			r := rowOf(g, func(r *Record, g RecordGrant) { r.Grants = append(r.Grants, g) })
			r.cells = []string{
				report.Escape(g.Address), orNone(report.Escape(g.ID)), report.Escape(g.Principal), report.Escape(g.Scope), report.Escape(g.From),
				report.Escape(g.To), orNone(report.Escape(g.RevokedAt)), report.Escape(g.Status), report.Escape(g.Reason), orNone(report.Escape(g.Ticket)),
				approvers(g.ApprovedBy),
			}
			archived.rows = append(archived.rows, r)
		}
		return []section{archived}
	}
	if rec.Outcome == OutcomeSkipped && rec.Kind == KindApply {
		secs = append(secs, judgedSection(rec))
	}
	if rec.Outcome != OutcomeSkipped {
		grants := section{title: "Grants", header: grantHeader}
		revocations := section{title: "Revocations", header: revocationHeader}
		if rec.Outcome != OutcomeSuccess {
			grants.title, revocations.title = "Grants planned, not confirmed", "Revocations planned, not confirmed"
		}
		for _, g := range rec.Grants {
			r := rowOf(g, func(r *Record, g RecordGrant) { r.Grants = append(r.Grants, g) })
			r.cells = []string{
				report.Escape(g.Address), orNone(report.Escape(g.ID)), report.Escape(g.Principal), report.Escape(g.Scope), report.Escape(g.From), report.Escape(g.To),
				report.Escape(g.Reason), orNone(report.Escape(g.Ticket)), report.YesNo(g.BreakGlass), approvers(g.ApprovedBy),
			}
			grants.rows = append(grants.rows, r)
		}
		for _, v := range rec.Revocations {
			r := rowOf(v, func(r *Record, v RecordRevocation) { r.Revocations = append(r.Revocations, v) })
			r.cells = []string{
				report.Escape(v.Address), report.Escape(v.Principal), report.Escape(v.Scope), orNone(report.Escape(v.From)), report.Escape(v.At), report.Escape(v.Why),
			}
			revocations.rows = append(revocations.rows, r)
		}
		if rec.Kind == KindRevoke {
			secs = append(secs, revocations)
		} else {
			secs = append(secs, grants, revocations)
		}
	}
	if len(rec.Policies) > 0 {
		policies := section{title: "Policy changes", header: policyHeader}
		for _, p := range rec.Policies {
			r := rowOf(p, func(r *Record, p RecordPolicy) { r.Policies = append(r.Policies, p) })
			r.cells = []string{
				report.Escape(p.Address), report.Escape(p.Action), report.List(p.Loosened),
				strconv.Itoa(len(p.ApprovedBy)) + " of " + strconv.Itoa(p.ApprovalsRequired), approvers(p.ApprovedBy),
			}
			policies.rows = append(policies.rows, r)
		}
		secs = append(secs, policies)
	}
	if len(rec.Shadow) > 0 {
		shadow := section{title: "Shadow access", header: shadowHeader}
		for _, a := range rec.Shadow {
			r := rowOf(a, func(r *Record, a gate.ShadowAccess) { r.Shadow = append(r.Shadow, a) })
			r.cells = []string{report.Escape(a.Address), report.Escape(a.Scope), report.Escape(a.Principal)}
			shadow.rows = append(shadow.rows, r)
		}
		secs = append(secs, shadow)
	}
	if len(rec.Swept) > 0 {
		swept := section{title: "Shadow access swept", header: sweptHeader}
		for _, o := range rec.Swept {
			result := report.Escape(o.Result)
			if o.Detail != "" {
				result += ": " + report.Escape(o.Detail)
			}
			r := rowOf(o, func(r *Record, o sweep.Outcome) { r.Swept = append(r.Swept, o) })
			r.cells = []string{report.Escape(o.Policy), report.Escape(o.Scope), report.Escape(o.Principal), result, orNone(report.Escape(o.LeaveAt))}
			swept.rows = append(swept.rows, r)
		}
		secs = append(secs, swept)
	}
	if len(rec.Unreviewed) > 0 || (len(secs) == 0 && rec.Kind != KindRevoke) {
		unreviewed := section{title: "Break-glass review overdue", header: unreviewedHeader}
		for _, v := range rec.Unreviewed {
			r := rowOf(v, func(r *Record, v RecordFinding) { r.Unreviewed = append(r.Unreviewed, v) })
			r.cells = []string{report.Escape(v.Address), report.Escape(v.Message)}
			unreviewed.rows = append(unreviewed.rows, r)
		}
		secs = append(secs, unreviewed)
	}
	return secs
}

// judges reports whether the record is an apply-mode run's: it says the
// gate judged its commit, which attribution builds on, even when it has
// nothing else to say (Bind).
func (rec Record) judges() bool { return rec.Kind == KindApply && rec.Commit != "" }

// Empty reports whether the record has nothing to say: no grant,
// revocation or policy change it may list, no shadow access found or swept
// and no overdue review.
func (rec Record) Empty() bool {
	if rec.Kind == KindRotate {
		return false
	}
	for _, s := range sections(rec) {
		if len(s.rows) > 0 {
			return false
		}
	}
	return true
}

// Markdown renders the whole record, for the terminal and the job summary.
func (rec Record) Markdown() string {
	secs := sections(rec)
	var all []chunk
	for i, s := range secs {
		if len(s.rows) > 0 {
			all = append(all, chunk{sec: i, rows: s.rows})
		}
	}
	return renderPart(rec, secs, all, 1, 1)
}

// chunk is the rows of one section that go into one part.
type chunk struct {
	sec  int
	rows []row
}

// part is one comment's share of a record: its content, and the record
// with the entries that content shows.
type part struct {
	content string
	rec     Record
}

// maxParts bounds how many comments one record may take.
const maxParts = 999

// split renders rec as the content of one or more comments of at most room
// bytes each. Unlike a check report, an audit record is never shortened:
// when it does not fit in one comment, its rows are spread over as many as
// needed, each "Part i of n" with the JSON line of its own entries.
func split(rec Record, room int) ([]part, error) {
	secs := sections(rec)
	rec.normalize()
	// Room for rows, with the widest heading and an empty JSON line.
	envelope := rec
	envelope.Grants, envelope.Revocations, envelope.Policies, envelope.Unreviewed, envelope.Shadow, envelope.Swept = nil, nil, nil, nil, nil, nil
	envelope.Part, envelope.Parts = maxParts, maxParts
	envelope.normalize()
	line, err := jsonLine(envelope)
	if err != nil {
		return nil, err
	}
	room -= len(partHead(rec, secs, maxParts, maxParts)) + len("\n") + len(line)
	if room <= 0 {
		return nil, fmt.Errorf("record: no room for entries in a comment")
	}

	var chunked [][]chunk
	var cur []chunk
	size := 0
	for i, s := range secs {
		head := len(report.TableHead(s.title, s.header, len(s.rows)))
		for _, r := range s.rows {
			add := len(report.TableRow(r.cells)) + r.size
			if len(cur) == 0 || cur[len(cur)-1].sec != i {
				add += head
			}
			if size+add > room && len(cur) > 0 {
				chunked, cur, size = append(chunked, cur), nil, 0
				add = len(report.TableRow(r.cells)) + r.size + head
			}
			if add > room {
				return nil, fmt.Errorf("record: one %s entry is %d bytes, more than a comment holds", strings.ToLower(s.title), add)
			}
			if len(cur) == 0 || cur[len(cur)-1].sec != i {
				cur = append(cur, chunk{sec: i})
			}
			cur[len(cur)-1].rows = append(cur[len(cur)-1].rows, r)
			size += add
		}
	}
	chunked = append(chunked, cur)
	if len(chunked) > maxParts {
		return nil, fmt.Errorf("record: %d comments needed, more than %d", len(chunked), maxParts)
	}
	parts := make([]part, len(chunked))
	for i, chunks := range chunked {
		p := envelope
		p.Part, p.Parts = 0, 0
		if len(chunked) > 1 {
			p.Part, p.Parts = i+1, len(chunked)
		}
		p.normalize()
		for _, c := range chunks {
			for _, r := range c.rows {
				r.add(&p)
			}
		}
		line, err := jsonLine(p)
		if err != nil {
			return nil, err
		}
		parts[i] = part{content: renderPart(rec, secs, chunks, i+1, len(chunked)) + "\n" + line, rec: p}
	}
	return parts, nil
}

// renderPart renders one part: the heading, then each chunk as a table.
func renderPart(rec Record, secs []section, chunks []chunk, part, parts int) string {
	var b strings.Builder
	b.WriteString(partHead(rec, secs, part, parts))
	for _, c := range chunks {
		s := secs[c.sec]
		b.WriteString(report.TableHead(s.title, s.header, len(s.rows)))
		for _, r := range c.rows {
			b.WriteString(report.TableRow(r.cells))
		}
	}
	return b.String()
}

// partHead is the heading of one part: the outcome in plain words, the
// context every entry shares, and the counts.
func partHead(rec Record, secs []section, part, parts int) string {
	var b strings.Builder
	switch {
	case rec.Kind == KindRotate:
		fmt.Fprintf(&b, "### 📒 jit-gate audit log: continued in #%d\n\nThis issue is full: the audit trail goes on in #%d, sealed and chained to the records here.\n\n", rec.ContinuedIn, rec.ContinuedIn)
	case rec.Kind == KindArchive:
		b.WriteString("### 🗄️ jit-gate record: archived\n\n**Outcome: success.** These elevations have ended. Their entries are kept here, sealed, so their blocks may be removed from the configuration without losing the trail.\n\n")
	case rec.Kind == KindRevoke:
		b.WriteString("### 📒 jit-gate record: revoked at expiry\n\n**Outcome: success.** `jit-gate revoke` took the access below away, without waiting for a plan.\n\n")
	case rec.Outcome == OutcomeSuccess:
		b.WriteString("### 📒 jit-gate record: applied\n\n**Outcome: success.** The grants and revocations below took effect in this apply.\n\n")
	case rec.Outcome == OutcomeSkipped:
		b.WriteString("### 📒 jit-gate record: nothing applied\n\n**Outcome: skipped.** Nothing was applied in this run.\n\n")
	default:
		what := "failed"
		if rec.Outcome == OutcomeCancelled {
			what = "cancelled"
		}
		fmt.Fprintf(&b, "### ❌ jit-gate record: apply %s\n\n**Outcome: %s.** The apply did not complete: nothing below may be taken as granted or revoked. The next run's state shows what took effect.\n\n",
			what, report.Escape(rec.Outcome))
	}
	fields := []string{"Commit: " + orNone(report.Escape(rec.Commit))}
	switch {
	case rec.PR > 0:
		fields = append(fields, "Pull request: #"+strconv.Itoa(rec.PR))
	case rec.NoPR != "":
		fields = append(fields, "Pull request: none ("+report.Escape(rec.NoPR)+")")
	}
	fields = append(fields, "Run: "+report.Link(rec.RunURL, rec.RunURL))
	fields = append(fields, "Recorded: "+rec.RecordedAt.UTC().Format(time.RFC3339))
	if parts > 1 {
		fields = append(fields, fmt.Sprintf("Part %d of %d", part, parts))
	}
	b.WriteString(strings.Join(fields, " · ") + "\n")
	if len(secs) > 0 {
		counts := make([]string, len(secs))
		for i, s := range secs {
			counts[i] = fmt.Sprintf("%s: %d", s.title, len(s.rows))
		}
		b.WriteString("\n" + strings.Join(counts, " · ") + "\n")
	}
	return b.String()
}
