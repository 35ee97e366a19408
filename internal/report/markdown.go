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

// Meta is what a report's markdown says beyond the report itself: which
// root module it is for (the settings' label) and the run that made it.
type Meta struct {
	Label  string // settings.Label; "" for a single root module
	RunURL string // the workflow run, linked from the heading line
}

// Markdown renders the whole report, however long.
func Markdown(r gate.Report, meta Meta) string {
	return fit(r, meta, 0, "")
}

// JobSummary renders the report for GITHUB_STEP_SUMMARY, shortening the lists
// if GitHub would reject the summary as too large.
func JobSummary(r gate.Report, meta Meta) string {
	return fit(r, meta, MaxSummaryBytes, "see the JSON output")
}

// CommentBody renders the PR comment: the marker line for the report's mode,
// head commit and label, a line saying the comment is informational, then
// the report, shortened to fit GitHub's limit. It carries no seal: a check
// runs where the seal key is not given, and nothing is ever read back from
// it but its marker, to find the comment to update on a rerun.
func CommentBody(r gate.Report, meta Meta) (string, error) {
	var kind string
	switch gate.Mode(r.Mode) {
	case gate.ModePR:
		kind = seal.KindCheck
	case gate.ModeApply:
		kind = seal.KindApply
	default:
		return "", fmt.Errorf("mode %q has no pull request to comment on", r.Mode)
	}
	m := seal.Marker{Kind: kind, Head: r.HeadSHA}
	if meta.Label != "" {
		m.Extra = map[string]string{seal.FieldLabel: meta.Label}
	}
	line, err := m.Format()
	if err != nil {
		return "", err
	}
	head := line + "\n" + Informational + "\n\n"
	return head + fit(r, meta, MaxCommentBytes-len(head), "see the job summary or the JSON output"), nil
}

// Informational opens every check comment: it is not the audit record.
const Informational = "_Informational: this check report is not an audit record. The audit trail is the sealed records `jit-gate audit --verify` checks._"

// fit renders the report within limit bytes (0: no limit). When the whole
// report is too long, every list is cut to the same largest length that
// fits, each with a line saying how many rows are left out and where to find
// them.
func fit(r gate.Report, meta Meta, limit int, elsewhere string) string {
	secs := sections(r)
	longest := 0
	for _, s := range secs {
		longest = max(longest, len(s.rows))
	}
	out := render(r, meta, secs, longest, elsewhere)
	if limit == 0 || len(out) <= limit {
		return out
	}
	// Binary search for the largest cut that fits; a cut of 0 rows leaves
	// only headings and counts, which always fit.
	lo, hi := 0, longest-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if len(render(r, meta, secs, mid, elsewhere)) <= limit {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return render(r, meta, secs, lo, elsewhere)
}

// MaxColumns is the widest table a comment has: wider pushes the columns a
// reviewer acts on off a laptop's screen. The rest of a row is folded
// under the table, in a <details> block.
const MaxColumns = 5

// section is one table of the report, its cells already escaped, with each
// row's folded details (markdown list items, or "" for none).
type section struct {
	title   string // heading, e.g. "Elevations"
	noun    string // plural for "… and N more <noun>"
	header  []string
	rows    [][]string
	details []string
}

func (s *section) add(row []string, details ...string) {
	s.rows = append(s.rows, row)
	s.details = append(s.details, strings.Join(details, ""))
}

// item is one folded detail, "" when value is ""; sub nests it under the
// row's own item.
func item(name, value string) string {
	if value == "" {
		return ""
	}
	return "- " + name + ": " + value + "\n"
}

func sub(name, value string) string {
	if value == "" {
		return ""
	}
	return "  " + item(name, value)
}

func sections(r gate.Report) []section {
	violations := section{title: "Violations", noun: "violations", header: []string{"Rule", "Address", "Message"}}
	for _, v := range r.Violations {
		violations.add([]string{Escape(v.Rule), Escape(v.Address), Escape(v.Message)})
	}
	elevations := section{title: "Elevations", noun: "elevations", header: []string{"Request", "Duration", "Approvals", "Who can approve", "Expires"}}
	for _, e := range r.Elevations {
		request := Escape(e.Principal) + " → " + Escape(e.Scope) + " (" + Escape(e.Action) + ")"
		if e.BreakGlass {
			request += " **break-glass**"
		}
		expires := "after the apply"
		if e.ExpiresAt != "" {
			expires = Escape(e.ExpiresAt)
		}
		elevations.add([]string{request, Escape(e.Duration), approvalState(len(e.ApprovedBy), e.ApprovalsRequired), list(e.Approvers), expires},
			"- **"+Escape(e.Address)+"**, policy "+Escape(e.Policy)+"\n",
			sub("Reason", Escape(e.Reason)), sub("Ticket", Escape(e.Ticket)),
			sub("Approved by", list(e.ApprovedBy)), sub("Not counted", nonEmpty(notCounted(e.NotCounted))),
			sub("Extends", nonEmpty(overlaps(e.Overlaps, Escape))))
	}
	policies := section{title: "Policy changes", noun: "policy changes", header: []string{"Address", "Action", "Loosened", "Approvals", "Approved by"}}
	for _, p := range r.Policies {
		policies.add([]string{Escape(p.Address), Escape(p.Action), list(p.Loosened), approvalState(len(p.ApprovedBy), p.ApprovalsRequired), list(p.ApprovedBy)},
			item("- "+Escape(p.Address)+": not counted", nonEmpty(notCounted(p.NotCounted))))
	}
	revocations := section{title: "Revocations", noun: "revocations", header: []string{"Address", "Principal", "Scope", "Why"}}
	for _, v := range r.Revocations {
		revocations.add([]string{Escape(v.Address), Escape(v.Principal), Escape(v.Scope), Escape(v.Why)})
	}
	drift := section{title: "Drift", noun: "drifted resources", header: []string{"Address", "Changed attributes"}}
	for _, d := range r.Drift {
		drift.add([]string{Escape(d.Address), list(d.Attributes)})
	}
	shadow := section{title: "Shadow access", noun: "shadow holders", header: []string{"Policy", "Scope", "Held by"}}
	token := section{title: "Held by the provider's token account", noun: "holdings of the token account", header: []string{"Policy", "Scope", "Account"}}
	for _, a := range r.Shadow {
		row := []string{Escape(a.Address), Escape(a.Scope), Escape(a.Principal)}
		if a.TokenAccount {
			token.add(row)
		} else {
			shadow.add(row)
		}
	}
	unguarded := section{title: "Outside the jit rules", noun: "changes outside the jit rules", header: []string{"Address", "Action", "Rule", "Why", "Approvals"}}
	for _, u := range r.Unguarded {
		unguarded.add([]string{Escape(u.Address), Escape(u.Action) + " " + Escape(u.Type), Escape(u.Rule), Escape(u.Why), governanceApprovals(u, approvalState)},
			item("- "+Escape(u.Address)+": approved by", nonEmpty(list(u.ApprovedBy))),
			item("- "+Escape(u.Address)+": not counted", nonEmpty(notCounted(u.NotCounted))))
	}
	return []section{violations, elevations, policies, revocations, drift, shadow, unguarded, token}
}

// nonEmpty drops the "none" of an empty list, so its detail is left out.
func nonEmpty(s string) string {
	if s == "none" {
		return ""
	}
	return s
}

// approvalState is "1 of 2", marked when enough.
func approvalState(got, required int) string {
	if got >= required {
		return approvals(got, required) + " ✓"
	}
	return approvals(got, required)
}

// governanceApprovals says what approvals an unguarded change needs;
// state marks them when enough (approvalState) or not (approvals).
func governanceApprovals(u gate.Unguarded, state func(got, required int) string) string {
	if u.Rule == gate.RuleAccessBypass {
		return "none lifts it"
	}
	return state(len(u.ApprovedBy), u.ApprovalsRequired) + " from governance approvers"
}

// maxSteps bounds the next steps: past it, the tables say the rest.
const maxSteps = 6

// nextSteps says what a reviewer or the author does now.
func nextSteps(r gate.Report) []string {
	switch r.Verdict {
	case gate.VerdictPass:
		if r.RevocationOnly {
			return []string{"Nothing: every change only takes access away, and needs no review."}
		}
		return []string{"Nothing more on this head commit: merging applies the plan, and every grant expires by itself."}
	case gate.VerdictError:
		return []string{"The gate could not judge the plan: fix what the violations say and run the check again. The check fails until then."}
	}
	var out []string
	for _, e := range r.Elevations {
		if short := e.ApprovalsRequired - len(e.ApprovedBy); short > 0 {
			who := list(e.Approvers)
			if len(e.Approvers) == 0 {
				who = "the approvers of policy " + Escape(e.Policy)
			}
			out = append(out, fmt.Sprintf("%s needs %d more approval(s) of this head commit from %s. Approvals by the principal, the pull request's author, anyone who pushed to it and bots do not count.",
				Escape(e.Address), short, who))
		}
	}
	for _, p := range r.Policies {
		if short := p.ApprovalsRequired - len(p.ApprovedBy); short > 0 {
			out = append(out, fmt.Sprintf("%s needs %d more governance approval(s): from the policy's approvers as it was before, or for a new policy from governance\\_approvers in .github/jit-gate.yml.", Escape(p.Address), short))
		}
	}
	for _, u := range r.Unguarded {
		if short := u.ApprovalsRequired - len(u.ApprovedBy); short > 0 && u.Rule != gate.RuleAccessBypass {
			out = append(out, fmt.Sprintf("%s needs %d more approval(s) from governance\\_approvers in .github/jit-gate.yml.", Escape(u.Address), short))
		}
	}
	others := 0
	for _, v := range r.Violations {
		switch v.Rule {
		case gate.RuleApprovalInsufficient, gate.RulePolicyGovernance:
		default:
			if !(v.Rule == gate.RulePlanUnguarded || v.Rule == gate.RuleGateTrust || v.Rule == gate.RulePlanEscape) || len(out) == 0 {
				others++
			}
		}
	}
	if len(out) > maxSteps {
		out = append(out[:maxSteps], fmt.Sprintf("… and %d more requests that need approvals: see the tables below.", len(out)-maxSteps))
	}
	if others > 0 {
		out = append(out, fmt.Sprintf("Change the configuration for the %d violation(s) below that no approval lifts, and push again.", others))
	}
	return out
}

// render writes the report with at most maxRows rows per table; sections
// with nothing in them are left out.
func render(r gate.Report, meta Meta, secs []section, maxRows int, elsewhere string) string {
	var b strings.Builder
	title := "jit-gate: " + Escape(r.Verdict)
	if meta.Label != "" {
		title += " · " + Escape(meta.Label)
	}
	fmt.Fprintf(&b, "### %s %s\n\n", verdictIcon(r.Verdict), title)
	facts := []string{"Mode " + Escape(r.Mode), "head " + orNone(shortSHA(r.HeadSHA))}
	if meta.RunURL != "" {
		facts = append(facts, Link("the run", meta.RunURL))
	}
	b.WriteString(strings.Join(facts, " · ") + "\n\n")
	if steps := nextSteps(r); len(steps) > 0 {
		b.WriteString("**Next:**\n\n")
		for _, s := range steps {
			b.WriteString("- " + s + "\n")
		}
	}
	for _, s := range secs {
		if len(s.rows) == 0 {
			continue
		}
		b.WriteString(tableHead(s))
		shown := min(len(s.rows), maxRows)
		var details strings.Builder
		for i, row := range s.rows[:shown] {
			b.WriteString(tableRow(row))
			details.WriteString(s.details[i])
		}
		if details.Len() > 0 {
			fmt.Fprintf(&b, "\n<details><summary>Details</summary>\n\n%s\n</details>\n", details.String())
		}
		if left := len(s.rows) - shown; left > 0 {
			fmt.Fprintf(&b, "\n… and %d more %s; %s.\n", left, s.noun, elsewhere)
		}
	}
	return b.String()
}

// shortSHA is a commit as GitHub shows it, escaped.
func shortSHA(sha string) string {
	if len(sha) > 7 {
		sha = sha[:7]
	}
	return Escape(sha)
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
