package report

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// The hidden marker is the first line of every gate comment:
//
//	<!-- jit-gate v1 kind=check head=<sha> [key=value ...] -->
//
// It tells the gate which comments are its own reports and for which head
// commit (for records, the commit applied). Fields after head are open-ended
// so later versions can add some without breaking older readers; today
// sha256 (the seal, see Seal), and outcome and part on records.
const (
	markerPrefix  = "<!-- jit-gate "
	markerSuffix  = " -->"
	markerVersion = "v1"
)

// Marker kinds: which gate run wrote the comment.
const (
	KindCheck  = "check"  // a pull request check (mode pr)
	KindApply  = "apply"  // the check before applying a merged pull request (mode apply)
	KindRecord = "record" // audit entries written after an apply (jit-gate record)
)

// Marker is the parsed hidden marker of a gate comment.
type Marker struct {
	Kind string
	Head string
	// Extra holds any further key=value fields, kept so a reader of this
	// version round-trips what a newer writer added.
	Extra map[string]string
}

var (
	markerKey   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	markerValue = regexp.MustCompile(`^[A-Za-z0-9._:+/=]+$`)
)

// Format renders the marker line (without a trailing newline). Fields are
// validated first so that nothing can close the HTML comment early.
func (m Marker) Format() (string, error) {
	fields := []string{"kind=" + m.Kind, "head=" + m.Head}
	keys := make([]string, 0, len(m.Extra))
	for k := range m.Extra {
		if k == "kind" || k == "head" {
			return "", fmt.Errorf("marker: extra field %q duplicates a fixed field", k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fields = append(fields, k+"="+m.Extra[k])
	}
	for _, f := range fields {
		k, v, _ := strings.Cut(f, "=")
		if !markerKey.MatchString(k) || !markerValue.MatchString(v) {
			return "", fmt.Errorf("marker: invalid field %q", f)
		}
	}
	return markerPrefix + markerVersion + " " + strings.Join(fields, " ") + markerSuffix, nil
}

// ParseMarker reads the marker from the first line of a comment body. It
// reports false for anything that is not a well-formed v1 marker with a kind
// and a head; a marker anywhere but the first line does not count. Callers
// must still check who wrote the comment: anyone can type a marker.
func ParseMarker(body string) (Marker, bool) {
	line, _, _ := strings.Cut(body, "\n")
	line = strings.TrimSuffix(line, "\r")
	inner, ok := strings.CutPrefix(line, markerPrefix)
	if !ok {
		return Marker{}, false
	}
	if inner, ok = strings.CutSuffix(inner, markerSuffix); !ok {
		return Marker{}, false
	}
	tokens := strings.Split(inner, " ")
	if tokens[0] != markerVersion {
		return Marker{}, false
	}
	seen := map[string]string{}
	for _, t := range tokens[1:] {
		k, v, ok := strings.Cut(t, "=")
		if !ok || !markerKey.MatchString(k) || !markerValue.MatchString(v) {
			return Marker{}, false
		}
		if _, dup := seen[k]; dup {
			return Marker{}, false
		}
		seen[k] = v
	}
	m := Marker{Kind: seen["kind"], Head: seen["head"]}
	if m.Kind == "" || m.Head == "" {
		return Marker{}, false
	}
	delete(seen, "kind")
	delete(seen, "head")
	if len(seen) > 0 {
		m.Extra = seen
	}
	return m, true
}
