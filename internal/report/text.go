package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
)

// ANSI SGR sequences used when color is on.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// Text writes the report for a terminal or a CI log. color adds ANSI colors;
// user text is made Plain either way, so it cannot add escape sequences of
// its own nor start a line.
func Text(w io.Writer, r gate.Report, color bool) error {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + ansiReset
	}
	verdictColor := ansiYellow
	switch r.Verdict {
	case gate.VerdictPass:
		verdictColor = ansiGreen
	case gate.VerdictBlocked:
		verdictColor = ansiRed
	}

	var b strings.Builder
	fmt.Fprintf(&b, "jit-gate: %s (mode %s, head %s, revocation only: %s)\n",
		paint(ansiBold+verdictColor, strings.ToUpper(Plain(r.Verdict))), Plain(r.Mode), orNone(Plain(r.HeadSHA)), yesNo(r.RevocationOnly))

	heading := func(title string, n int) {
		if n > 0 {
			fmt.Fprintf(&b, "\n%s (%d)\n", paint(ansiBold, title), n)
		}
	}
	heading("Violations", len(r.Violations))
	for _, v := range r.Violations {
		fmt.Fprintf(&b, "  %s  %s: %s\n", paint(ansiRed, Plain(v.Rule)), Plain(v.Address), Plain(v.Message))
	}
	heading("Elevations", len(r.Elevations))
	for _, e := range r.Elevations {
		fmt.Fprintf(&b, "  %s (%s): %s gets %s for %s under policy %s", Plain(e.Address), Plain(e.Action), Plain(e.Principal), Plain(e.Scope), Plain(e.Duration), Plain(e.Policy))
		if e.BreakGlass {
			b.WriteString(", " + paint(ansiYellow, "break-glass"))
		}
		fmt.Fprintf(&b, "; approvals %d of %d%s%s", len(e.ApprovedBy), e.ApprovalsRequired, plainBy(e.ApprovedBy), plainNotCounted(e.NotCounted))
		if len(e.Overlaps) > 0 {
			b.WriteString("; extends " + overlaps(e.Overlaps, Plain))
		}
		b.WriteString("\n")
	}
	heading("Policy changes", len(r.Policies))
	for _, p := range r.Policies {
		fmt.Fprintf(&b, "  %s (%s)", Plain(p.Address), Plain(p.Action))
		if len(p.Loosened) > 0 {
			b.WriteString(": loosens " + plainList(p.Loosened))
		}
		fmt.Fprintf(&b, "; approvals %d of %d%s%s\n", len(p.ApprovedBy), p.ApprovalsRequired, plainBy(p.ApprovedBy), plainNotCounted(p.NotCounted))
	}
	heading("Revocations", len(r.Revocations))
	for _, v := range r.Revocations {
		fmt.Fprintf(&b, "  %s: %s loses %s (%s)\n", Plain(v.Address), Plain(v.Principal), Plain(v.Scope), Plain(v.Why))
	}
	heading("Drift", len(r.Drift))
	for _, d := range r.Drift {
		fmt.Fprintf(&b, "  %s: %s changed outside Terraform\n", Plain(d.Address), plainList(d.Attributes))
	}
	heading("Shadow access", len(r.Shadow))
	for _, a := range r.Shadow {
		fmt.Fprintf(&b, "  %s holds %s with neither standing nor an elevation (policy %s)\n", Plain(a.Principal), Plain(a.Scope), Plain(a.Address))
	}
	heading("Outside the jit rules", len(r.Unguarded))
	for _, u := range r.Unguarded {
		fmt.Fprintf(&b, "  %s (%s %s): %s: %s; approvals: %s%s%s\n", Plain(u.Address), Plain(u.Action), Plain(u.Type), paint(ansiYellow, Plain(u.Rule)), Plain(u.Why),
			governanceApprovals(u, approvals), plainBy(u.ApprovedBy), plainNotCounted(u.NotCounted))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plainList(items []string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = Plain(s)
	}
	return strings.Join(out, ", ")
}

func plainBy(logins []string) string {
	if len(logins) == 0 {
		return ""
	}
	return " by " + plainList(logins)
}

func plainNotCounted(nc []gate.NotCounted) string {
	if len(nc) == 0 {
		return ""
	}
	parts := make([]string, len(nc))
	for i, n := range nc {
		parts[i] = Plain(n.Login) + " (" + Plain(n.Why) + ")"
	}
	return "; not counted: " + strings.Join(parts, ", ")
}

// Outputs renders the step outputs for GITHUB_OUTPUT, one key=value a line.
func Outputs(r gate.Report) string {
	return fmt.Sprintf("verdict=%s\nrevocation_only=%t\nviolations=%d\nelevations=%d\nrevocations=%d\n",
		Plain(r.Verdict), r.RevocationOnly, len(r.Violations), len(r.Elevations), len(r.Revocations))
}

// Annotations renders one "::error" workflow command per violation, so each
// shows on the run's summary page.
func Annotations(r gate.Report) string {
	var b strings.Builder
	for _, v := range r.Violations {
		msg := v.Message
		if v.Address != "" {
			msg = v.Address + ": " + msg
		}
		fmt.Fprintf(&b, "::error title=%s::%s\n", WorkflowProperty(v.Rule), WorkflowData(msg))
	}
	return b.String()
}

// JSON writes the report as the one JSON object of DESIGN.md. "[" after "##"
// is written as \u005b (the same JSON value) so that printing the report in
// an Actions log cannot run a legacy workflow command hidden in user text.
func JSON(w io.Writer, r gate.Report) error {
	out, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	out = bytes.ReplaceAll(out, []byte(legacyCommand), []byte(`##\u005b`))
	_, err = w.Write(append(out, '\n'))
	return err
}
