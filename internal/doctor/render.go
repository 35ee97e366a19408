package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Text writes the result for a person: one line per point, the fix under
// each that fails, and the verdict last.
func Text(w io.Writer, r Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "jit-gate doctor: %s, default branch %s, files at %s\n", r.Repository, orNone(r.DefaultBranch), orNone(r.Commit))
	if r.Settings != "" {
		fmt.Fprintf(&b, "settings: %s\n", r.Settings)
	}
	width := 0
	for _, p := range r.Points {
		width = max(width, len(p.ID))
	}
	for _, p := range r.Points {
		mark := "ok  "
		if !p.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(&b, "  %s  %-*s  %s\n", mark, width, p.ID, oneLine(p.Summary))
		if p.Fix != "" {
			fmt.Fprintf(&b, "        %*s  fix: %s\n", width, "", strings.ReplaceAll(p.Fix, "\n", "\n        "+strings.Repeat(" ", width)+"       "))
		}
	}
	switch failing := len(r.Failing()); {
	case r.Verdict == VerdictError:
		fmt.Fprintf(&b, "verdict: error: %s\n", r.Error)
	case failing > 0:
		fmt.Fprintf(&b, "verdict: fail: %d of %d points fail, so the gate can be bypassed\n", failing, len(r.Points))
	default:
		fmt.Fprintf(&b, "verdict: pass: all %d points hold\n", len(r.Points))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// JSON writes the result as one indented object.
func JSON(w io.Writer, r Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func orNone(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }
