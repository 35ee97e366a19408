package audit

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/report"
)

// Report is the answer of `jit-gate audit`: the grants a filter selected,
// as of a time.
type Report struct {
	AsOf   time.Time
	Filter Filter
	Source string // where the grants come from: Source*
	Grants []Grant
}

// Where a report's grants come from.
const (
	SourceState   = "state"         // a state alone: no approvers
	SourceJoined  = "state+records" // a state, joined with the audit records
	SourceRecords = "records"       // the audit records alone
)

// CSVHeader are the CSV columns, in order; they are a stable interface.
// Empty cells are null values; approvers are separated by ";", and events are
// "AT EVENT" pairs separated by ";" (details are in the JSON).
var CSVHeader = []string{
	"address", "principal", "scope", "status", "granted_at", "expires_at", "revoked_at", "reason", "ticket",
	"previous_access", "granted_by_commit", "pr", "approvers", "events", "record", "record_seq",
}

// WriteCSV writes the header and one row per grant.
func (r Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, g := range r.Grants {
		pr := ""
		if g.PR > 0 {
			pr = strconv.Itoa(g.PR)
		}
		events := make([]string, len(g.History))
		for i, e := range g.History {
			events[i] = e.At + " " + e.Event
		}
		seq := ""
		if g.Seq > 0 {
			seq = strconv.Itoa(g.Seq)
		}
		row := []string{
			g.Address, g.Principal, g.Scope, g.Status, g.GrantedAt, g.ExpiresAt, g.RevokedAt, g.Reason, g.Ticket,
			g.PreviousAccess, g.GrantedByCommit, pr, strings.Join(g.Approvers, ";"), strings.Join(events, ";"), g.Record, seq,
		}
		for i, c := range row {
			row[i] = spreadsheetSafe(c)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// spreadsheetSafe keeps a cell from being read as a formula when the CSV is
// opened in a spreadsheet (a reason of "=HYPERLINK(…)"), by prefixing "'"
// as OWASP recommends; such a cell never holds a time, login or scope.
func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// jsonGrant is one grant of the JSON output: the elevation's attributes as
// the state names them, the join, and the held interval.
type jsonGrant struct {
	Address         string         `json:"address"`
	ID              string         `json:"id"`
	PolicyID        string         `json:"policy_id"`
	Principal       string         `json:"principal"`
	Scope           string         `json:"scope"`
	Status          string         `json:"status"`
	BreakGlass      bool           `json:"break_glass"`
	Duration        string         `json:"duration"`
	GrantedAt       string         `json:"granted_at"`
	ExpiresAt       string         `json:"expires_at"`
	RevokedAt       string         `json:"revoked_at"`
	Reason          string         `json:"reason"`
	Ticket          string         `json:"ticket"`
	PreviousAccess  string         `json:"previous_access"`
	GrantedByCommit string         `json:"granted_by_commit"`
	History         []policy.Event `json:"history"`
	PR              int            `json:"pr"`
	Approvers       []string       `json:"approvers"`
	Record          string         `json:"record"`
	RecordSeq       int            `json:"record_seq"`
	HeldFrom        string         `json:"held_from"`
	HeldUntil       string         `json:"held_until"`
}

// WriteJSON writes one object: as_of, the filter, whether GitHub was joined,
// and the grants with their held interval (see Grant.Held).
func (r Report) WriteJSON(w io.Writer) error {
	grants := make([]jsonGrant, len(r.Grants))
	for i, g := range r.Grants {
		from, until := g.Held(r.AsOf)
		duration := ""
		if g.Duration != 0 {
			duration = policy.FormatDuration(g.Duration)
		}
		grants[i] = jsonGrant{
			Address: g.Address, ID: g.ID, PolicyID: g.PolicyID, Principal: g.Principal, Scope: g.Scope, Status: g.Status,
			BreakGlass: g.BreakGlass, Duration: duration, GrantedAt: g.GrantedAt, ExpiresAt: g.ExpiresAt, RevokedAt: g.RevokedAt,
			Reason: g.Reason, Ticket: g.Ticket, PreviousAccess: g.PreviousAccess, GrantedByCommit: g.GrantedByCommit,
			History: g.History, PR: g.PR, Approvers: g.Approvers, Record: g.Record, RecordSeq: g.Seq, HeldFrom: stamp(from), HeldUntil: stamp(until),
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		AsOf   string      `json:"as_of"`
		Filter any         `json:"filter"`
		Source string      `json:"source"`
		Joined bool        `json:"joined"`
		Grants []jsonGrant `json:"grants"`
	}{
		AsOf: stamp(r.AsOf),
		Filter: struct {
			Since     string `json:"since"`
			Until     string `json:"until"`
			Principal string `json:"principal"`
			Scope     string `json:"scope"`
		}{stamp(r.Filter.Since), stamp(r.Filter.Until), r.Filter.Principal, r.Filter.Scope},
		Source: r.Source,
		Joined: r.Source != SourceState,
		Grants: grants,
	})
}

// stamp writes a time as RFC 3339 UTC; the zero time (no bound) is "".
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Markdown renders the report as one table, user text escaped.
func (r Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "### jit-gate audit: %s\n\n", plural(len(r.Grants), "grant", "grants"))
	window := "any time"
	if !r.Filter.Since.IsZero() || !r.Filter.Until.IsZero() {
		window = "from " + orAny(stamp(r.Filter.Since), "the beginning") + " until " + orAny(stamp(r.Filter.Until), "now")
	}
	joined := "not joined (set GITHUB_TOKEN and --repo)"
	switch r.Source {
	case SourceJoined:
		joined = "from the gate's sealed records"
	case SourceRecords:
		joined = "from the gate's sealed records (built from the records alone)"
	}
	fmt.Fprintf(&b, "As of %s · Held: %s · Principal: %s · Scope: %s · Approvers: %s\n",
		stamp(r.AsOf), window, report.Escape(orAny(r.Filter.Principal, "any")), report.Escape(orAny(r.Filter.Scope, "any")), joined)
	if len(r.Grants) == 0 {
		return b.String()
	}
	b.WriteString("\n| Address | Principal | Scope | Status | Held from (UTC) | Held until (UTC) | Reason | Ticket | Previous access | Pull request | Approved by | Timeline |\n")
	b.WriteString("|" + strings.Repeat(" --- |", 12) + "\n")
	for _, g := range r.Grants {
		pr := "unknown"
		if g.PR > 0 {
			pr = "#" + strconv.Itoa(g.PR)
		}
		timeline := make([]string, len(g.History))
		for i, e := range g.History {
			timeline[i] = report.Escape(e.At + " " + e.Event + ": " + e.Detail)
		}
		cells := []string{
			report.Escape(g.Address), report.Escape(g.Principal), report.Escape(g.Scope), report.Escape(g.Status),
			report.Escape(orAny(g.GrantedAt, "unknown")), heldUntil(g, r.AsOf), report.Escape(g.Reason), report.Escape(orAny(g.Ticket, "none")),
			report.Escape(g.PreviousAccess), pr, approvedBy(g), strings.Join(timeline, "<br>"),
		}
		b.WriteString(report.TableRow(cells))
	}
	return b.String()
}

func heldUntil(g Grant, now time.Time) string {
	_, until := g.Held(now)
	switch {
	case g.RevokedAt != "":
		return report.Escape(g.RevokedAt)
	case until.Equal(now):
		return "still held"
	}
	return report.Escape(stamp(until)) + " (expiry)"
}

func approvedBy(g Grant) string {
	switch g.Record {
	case RecordIntact:
		return approvers(g.Approvers) + " (record " + strconv.Itoa(g.Seq) + ")"
	case RecordArchived:
		return approvers(g.Approvers) + " (archived in record " + strconv.Itoa(g.Seq) + ")"
	case "":
		return "not joined"
	}
	return "unknown (" + report.Escape(g.Record) + ")"
}

// plural writes n with the singular or plural phrase.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func orAny(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

// Markdown renders the verification: a table of every finding.
func (v Verification) Markdown() string {
	var b strings.Builder
	if len(v.Findings) == 0 {
		b.WriteString("### ✅ jit-gate audit --verify: the trail checks\n\n")
	} else {
		fmt.Fprintf(&b, "### ❌ jit-gate audit --verify: %s\n\n", plural(len(v.Findings), "finding", "findings"))
	}
	checked := make([]string, len(v.Checked))
	for i, n := range v.Checked {
		checked[i] = "#" + strconv.Itoa(n)
	}
	fmt.Fprintf(&b, "Gate account: %s · Keys: %s · Checked: %s · Records: %d · Copies: %d · Gate comments: %d · State grants: %d\n",
		report.Escape(v.Self), report.List(v.Keys), orAny(strings.Join(checked, ", "), "nothing"), v.Records, v.Copies, v.Comments, v.Grants)
	if len(v.Findings) == 0 {
		return b.String()
	}
	b.WriteString(report.TableHead("Findings", []string{"Where", "Comment", "Author", "Kind", "Record", "Problem", "Detail"}, len(v.Findings)))
	for _, f := range v.Findings {
		where, comment, seq := "state", "none", "none"
		if f.Number > 0 {
			where = "#" + strconv.Itoa(f.Number)
		}
		if f.Comment > 0 {
			comment = report.Link(strconv.FormatInt(f.Comment, 10), f.URL)
		}
		if f.Seq > 0 {
			seq = strconv.Itoa(f.Seq)
		}
		b.WriteString(report.TableRow([]string{where, comment, report.OrNone(report.Escape(f.Author)), report.OrNone(report.Escape(f.Kind)), seq,
			report.Escape(f.Problem), report.Escape(f.Detail)}))
	}
	return b.String()
}

// WriteJSON writes the verification as one object.
func (v Verification) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
