package gate

import "strings"

// RuleTrustAnchor: in apply mode, the repository's protection is weaker than
// the gate needs (jit-gate doctor's points), so the approvals the gate
// counted could have been gone around.
const RuleTrustAnchor = "trust.anchor"

// Anchor is what jit-gate doctor found wrong with the repository's setup.
type Anchor struct {
	Weaknesses []Weakness
}

// Weakness is one failing doctor point.
type Weakness struct {
	Point   string // doctor's point id, such as branch.bypass
	Summary string
	Fix     string
}

// trustAnchor blocks an apply on a repository that lets the gate be
// bypassed, and one whose protection was not checked at all.
func trustAnchor(v *view) []Violation {
	if v.opts.Mode != ModeApply {
		return nil
	}
	if v.facts.Anchor == nil {
		return []Violation{violation("", "the repository's protection was not checked (jit-gate doctor): an apply is not judged on approvals that could have been gone around")}
	}
	var out []Violation
	for _, w := range v.facts.Anchor.Weaknesses {
		out = append(out, violation("", "%s: %s; fix: %s", w.Point, oneLine(w.Summary), oneLine(w.Fix)))
	}
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
