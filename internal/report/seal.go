package report

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// sealField is the marker field that holds the sha256 of the comment's
// content, so an edit made after the gate posted it shows.
const sealField = "sha256"

// Integrity is what CheckSeal finds about a gate comment's content.
type Integrity string

// Integrity states.
const (
	Intact   Integrity = "intact"   // the content hashes to the marker's sha256
	Edited   Integrity = "edited"   // it does not: changed after posting
	Unsealed Integrity = "unsealed" // the marker has no sha256 to check
)

// Canonical is the form of a comment's content that its seal hashes. The
// content is everything after the marker line's line break; in it, every
// CRLF and lone CR becomes LF and whitespace at the very end is dropped, so
// that GitHub's editor saving CRLF line endings, or trimming the end, is not
// mistaken for an edit. Nothing else changes: any other edit changes the hash.
func Canonical(content string) string {
	content = strings.ReplaceAll(content, "\r\n", "\n")
	content = strings.ReplaceAll(content, "\r", "\n")
	return strings.TrimRight(content, " \t\n")
}

// ContentHash is the lowercase hex sha256 of content's canonical form.
func ContentHash(content string) string {
	sum := sha256.Sum256([]byte(Canonical(content)))
	return hex.EncodeToString(sum[:])
}

// Seal returns a comment body: m's marker line with the hash of content,
// a line break, then content.
func Seal(m Marker, content string) (string, error) {
	extra := map[string]string{sealField: ContentHash(content)}
	for k, v := range m.Extra {
		if k != sealField {
			extra[k] = v
		}
	}
	m.Extra = extra
	line, err := m.Format()
	if err != nil {
		return "", err
	}
	return line + "\n" + content, nil
}

// sealedRoom is how many bytes of content fit in a comment of limit bytes
// once m's sealed marker line and its line break are written.
func sealedRoom(m Marker, limit int) (int, error) {
	line, err := Seal(m, "")
	if err != nil {
		return 0, err
	}
	return limit - len(line), nil
}

// CheckSeal reads body's marker and checks the content against its hash;
// ok is false when body is not a gate comment at all. Whether the gate's
// own account wrote the comment is for the caller to check.
func CheckSeal(body string) (m Marker, integrity Integrity, ok bool) {
	m, ok = ParseMarker(body)
	if !ok {
		return Marker{}, "", false
	}
	want, sealed := m.Extra[sealField]
	if !sealed {
		return m, Unsealed, true
	}
	_, content, _ := strings.Cut(body, "\n")
	if ContentHash(content) != want {
		return m, Edited, true
	}
	return m, Intact, true
}
