// Package seal is the gate's hidden comment marker and the keyed seal of its
// audit records: the marker tells the gate's comments apart and names what
// they are about; the seal (HMAC-SHA256 under a key only the apply, drift
// and expiry workflows hold) makes a record that anyone else wrote, edited,
// or copied to another place in the trail fail verification.
package seal

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// The hidden marker is the first line of every gate comment:
//
//	<!-- jit-gate v2 kind=<kind> head=<sha> [key=value ...] -->
//
// Fields after head are open-ended so later versions can add some without
// breaking older readers. v1 markers (a plain sha256 of the content, which
// anyone who may edit a comment can recompute) are still read, so that
// --verify can report records that carry no keyed seal.
const (
	markerPrefix = "<!-- jit-gate "
	markerSuffix = " -->"
	// Version is what Format writes.
	Version = "v2"
	// Legacy is the unkeyed marker version, read but never written.
	Legacy = "v1"
)

// Marker kinds: which gate run wrote the comment.
const (
	KindCheck  = "check"  // a pull request check (mode pr): informational
	KindApply  = "apply"  // the check before applying a merged pull request: informational
	KindRecord = "record" // an audit record, sealed
)

// Marker fields of a check comment.
const (
	// FieldLabel is the settings' label: the root module the report is
	// for, so several in one pull request each keep their own comment.
	FieldLabel = "label"
	// FieldSuperseded is the head commit whose report replaced this one.
	FieldSuperseded = "superseded"
)

// Marker is the parsed hidden marker of a gate comment.
type Marker struct {
	Version string // "" formats as Version
	Kind    string
	Head    string
	// Extra holds any further key=value fields, kept so a reader of this
	// version round-trips what a newer writer added.
	Extra map[string]string
}

var (
	markerKey   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	markerValue = regexp.MustCompile(`^[A-Za-z0-9._:+/=-]+$`)
)

// fields lists the marker's fields in the order Format writes them: kind,
// head, then the rest sorted by key.
func (m Marker) fields() ([]string, error) {
	fields := []string{"kind=" + m.Kind, "head=" + m.Head}
	keys := make([]string, 0, len(m.Extra))
	for k := range m.Extra {
		if k == "kind" || k == "head" {
			return nil, fmt.Errorf("marker: extra field %q duplicates a fixed field", k)
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
			return nil, fmt.Errorf("marker: invalid field %q", f)
		}
	}
	return fields, nil
}

// Format renders the marker line (without a trailing newline). Fields are
// validated first so that nothing can close the HTML comment early.
func (m Marker) Format() (string, error) {
	fields, err := m.fields()
	if err != nil {
		return "", err
	}
	v := m.Version
	if v == "" {
		v = Version
	}
	if v != Version && v != Legacy {
		return "", fmt.Errorf("marker: unknown version %q", v)
	}
	return markerPrefix + v + " " + strings.Join(fields, " ") + markerSuffix, nil
}

// Parse reads the marker from the first line of a comment body. It reports
// false for anything that is not a well-formed v1 or v2 marker with a kind
// and a head; a marker anywhere but the first line does not count. Callers
// must still check who wrote the comment: anyone can type a marker.
func Parse(body string) (Marker, bool) {
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
	if tokens[0] != Version && tokens[0] != Legacy {
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
	m := Marker{Version: tokens[0], Kind: seen["kind"], Head: seen["head"]}
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

// Content is what follows the marker line of body.
func Content(body string) string {
	_, content, _ := strings.Cut(body, "\n")
	return content
}

// Canonical is the form of a comment's content that its seal covers. In
// it, every CRLF and lone CR becomes LF and whitespace at the very end is
// dropped, so that GitHub's editor saving CRLF line endings, or trimming the
// end, is not mistaken for an edit. Nothing else changes.
func Canonical(content string) string {
	content = strings.ReplaceAll(content, "\r\n", "\n")
	content = strings.ReplaceAll(content, "\r", "\n")
	return strings.TrimRight(content, " \t\n")
}
