// Package report renders a gate.Report for people and for GitHub: terminal
// text, markdown, the PR comment (with its hidden marker), the job summary,
// GITHUB_OUTPUT lines and workflow-command annotations. Every piece of user
// text goes through Escape (markdown) or Plain (terminal) on its way out.
package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/seal"
)

// Size limits of GitHub, in bytes: a byte limit is at least as strict as
// GitHub's character limit for any text.
const (
	MaxCommentBytes = 65536   // issue comment body
	MaxSummaryBytes = 1 << 20 // one step's job summary
)

// Markdown renders the whole report, however long.
func Markdown(r gate.Report) string {
	return fit(r, 0, "")
}

// JobSummary renders the report for GITHUB_STEP_SUMMARY, shortening the lists
// if GitHub would reject the summary as too large.
func JobSummary(r gate.Report) string {
	return fit(r, MaxSummaryBytes, "see the JSON output")
}

// CommentBody renders the PR comment: the marker line for the report's mode
// and head commit, a line saying the comment is informational, then the
// report, shortened to fit GitHub's limit. It carries no seal: a check runs
// where the seal key is not given, and nothing is ever read back from it
// but its marker, to find the comment to update on a rerun.
func CommentBody(r gate.Report) (string, error) {
	var kind string
	switch gate.Mode(r.Mode) {
	case gate.ModePR:
		kind = seal.KindCheck
	case gate.ModeApply:
		kind = seal.KindApply
	default:
		return "", fmt.Errorf("mode %q has no pull request to comment on", r.Mode)
	}
	line, err := seal.Marker{Kind: kind, Head: r.HeadSHA}.Format()
	if err != nil {
		return "", err
	}
	head := line + "\n" + Informational + "\n\n"
	return head + fit(r, MaxCommentBytes-len(head), "see the job summary or the JSON output"), nil
}

// Informational opens every check comment: it is not the audit record.
const Informational = "_Informational: this check report is not an audit record. The audit trail is the sealed records `jit-gate audit --verify` checks._"

// fit renders the report within limit bytes (0: no limit). When the whole
// report is too long, every list is cut to the same largest length that
// fits, each with a line saying how many rows are left out and where to find
// them.
func fit(r gate.Report, limit int, elsewhere string) string {
	secs := sections(r)
	longest := 0
	for _, s := range secs {
		longest = max(longest, len(s.rows))
	}
	out := render(r, secs, longest, elsewhere)
	if limit == 0 || len(out) <= limit {
		return out
	}
	// Binary search for the largest cut that fits; a cut of 0 rows leaves
	// only headings and counts, which always fit.
	lo, hi := 0, longest-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if len(render(r, secs, mid, elsewhere)) <= limit {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return render(r, secs, lo, elsewhere)
}

// section is one table of the report, its cells already escaped.
type section struct {
	title  string // heading, e.g. "Elevations"
	noun   string // plural for "… and N more <noun>"
	header []string
	rows   [][]string
}

func sections(r gate.Report) []section {
	violations := section{title: "Violations", noun: "violations", header: []string{"Rule", "Address", "Message"}}
	for _, v := range r.Violations {
		violations.rows = append(violations.rows, []string{Escape(v.Rule), Escape(v.Address), Escape(v.Message)})
	}
	elevations := section{title: "Elevations", noun: "elevations", header: []string{"Address", "Action", "Principal", "Scope", "Duration", "Policy", "Break-glass", "Approvals", "Approved by", "Not counted", "Overlaps"}}
	for _, e := range r.Elevations {
		elevations.rows = append(elevations.rows, []string{
			Escape(e.Address), Escape(e.Action), Escape(e.Principal), Escape(e.Scope), Escape(e.Duration), Escape(e.Policy),
			yesNo(e.BreakGlass), approvals(len(e.ApprovedBy), e.ApprovalsRequired), list(e.ApprovedBy), notCounted(e.NotCounted), overlaps(e.Overlaps, Escape),
		})
	}
	policies := section{title: "Policy changes", noun: "policy changes", header: []string{"Address", "Action", "Loosened", "Approvals", "Approved by", "Not counted"}}
	for _, p := range r.Policies {
		policies.rows = append(policies.rows, []string{
			Escape(p.Address), Escape(p.Action), list(p.Loosened), approvals(len(p.ApprovedBy), p.ApprovalsRequired), list(p.ApprovedBy), notCounted(p.NotCounted),
		})
	}
	revocations := section{title: "Revocations", noun: "revocations", header: []string{"Address", "Principal", "Scope", "Why"}}
	for _, v := range r.Revocations {
		revocations.rows = append(revocations.rows, []string{Escape(v.Address), Escape(v.Principal), Escape(v.Scope), Escape(v.Why)})
	}
	drift := section{title: "Drift", noun: "drifted resources", header: []string{"Address", "Changed attributes"}}
	for _, d := range r.Drift {
		drift.rows = append(drift.rows, []string{Escape(d.Address), list(d.Attributes)})
	}
	shadow := section{title: "Shadow access", noun: "shadow holders", header: []string{"Policy", "Scope", "Held by"}}
	for _, a := range r.Shadow {
		shadow.rows = append(shadow.rows, []string{Escape(a.Address), Escape(a.Scope), Escape(a.Principal)})
	}
	unguarded := section{title: "Outside the jit rules", noun: "changes outside the jit rules", header: []string{"Address", "Type", "Action", "Rule", "Why", "Approvals", "Approved by", "Not counted"}}
	for _, u := range r.Unguarded {
		unguarded.rows = append(unguarded.rows, []string{
			Escape(u.Address), Escape(u.Type), Escape(u.Action), Escape(u.Rule), Escape(u.Why),
			governanceApprovals(u), list(u.ApprovedBy), notCounted(u.NotCounted),
		})
	}
	return []section{violations, elevations, policies, revocations, drift, shadow, unguarded}
}

// governanceApprovals says what approvals an unguarded change needs.
func governanceApprovals(u gate.Unguarded) string {
	if u.Rule == gate.RuleAccessBypass {
		return "none lifts it"
	}
	return approvals(len(u.ApprovedBy), u.ApprovalsRequired) + " from governance approvers"
}

// render writes the report with at most maxRows rows per table.
func render(r gate.Report, secs []section, maxRows int, elsewhere string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s jit-gate: %s\n\n", verdictIcon(r.Verdict), Escape(r.Verdict))
	fmt.Fprintf(&b, "**Verdict: %s**\n\n", Escape(r.Verdict))
	fmt.Fprintf(&b, "Mode: %s · Head: %s · Revocation only: %s\n\n", Escape(r.Mode), orNone(Escape(r.HeadSHA)), yesNo(r.RevocationOnly))
	counts := make([]string, len(secs))
	for i, s := range secs {
		counts[i] = fmt.Sprintf("%s: %d", s.title, len(s.rows))
	}
	b.WriteString(strings.Join(counts, " · ") + "\n")
	for _, s := range secs {
		if len(s.rows) == 0 {
			continue
		}
		b.WriteString(tableHead(s))
		shown := min(len(s.rows), maxRows)
		for _, row := range s.rows[:shown] {
			b.WriteString(tableRow(row))
		}
		if left := len(s.rows) - shown; left > 0 {
			fmt.Fprintf(&b, "\n… and %d more %s; %s.\n", left, s.noun, elsewhere)
		}
	}
	return b.String()
}

// tableHead starts a section's table: its heading with the row count, the
// header row and the delimiter row.
func tableHead(s section) string {
	return fmt.Sprintf("\n#### %s (%d)\n\n", s.title, len(s.rows)) + tableRow(s.header) + "|" + strings.Repeat(" --- |", len(s.header)) + "\n"
}

// tableRow writes cells, already escaped, as one table row.
func tableRow(cells []string) string {
	return "| " + strings.Join(cells, " | ") + " |\n"
}

func verdictIcon(verdict string) string {
	switch verdict {
	case gate.VerdictPass:
		return "✅"
	case gate.VerdictBlocked:
		return "❌"
	}
	return "⚠️"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func approvals(got, required int) string {
	return strconv.Itoa(got) + " of " + strconv.Itoa(required)
}

// list escapes each item and joins them; an empty list shows as "none".
func list(items []string) string {
	escaped := make([]string, len(items))
	for i, s := range items {
		escaped[i] = Escape(s)
	}
	return orNone(strings.Join(escaped, ", "))
}

// overlaps names the elevations in force that a request extends, each
// with its scope, until when, and whether the request lists it; esc is
// Escape or Plain.
func overlaps(os []gate.OverlapReport, esc func(string) string) string {
	parts := make([]string, len(os))
	for i, o := range os {
		listed := "listed in overlaps"
		if !o.Declared {
			listed = "not listed in overlaps"
		}
		parts[i] = fmt.Sprintf("%s (%s until %s, %s)", esc(o.Address), esc(o.Scope), esc(o.ExpiresAt), listed)
	}
	return orNone(strings.Join(parts, ", "))
}

func notCounted(nc []gate.NotCounted) string {
	parts := make([]string, len(nc))
	for i, n := range nc {
		parts[i] = Escape(n.Login) + " (" + Escape(n.Why) + ")"
	}
	return orNone(strings.Join(parts, ", "))
}
