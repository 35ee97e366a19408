package seal

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Marker fields of a sealed record.
const (
	FieldKey  = "key"  // id of the key that sealed it
	FieldMAC  = "hmac" // the seal: hex HMAC-SHA256, see Seal
	FieldSeq  = "seq"  // its position in the audit trail, from 1
	FieldPrev = "prev" // the seals of the records at seq-1, "."-separated; "none" for the first
	FieldRID  = "rid"  // the record's id, shared by its parts and copies
	FieldPart = "part" // "i/n" when a record spans several comments

	legacyHash = "sha256" // v1: a plain hash of the content, anyone may recompute
)

// Binding is where a sealed comment lives. The seal covers it, so a record
// copied to another repository, issue or pull request no longer verifies.
type Binding struct {
	Repo   string // OWNER/NAME; compared case-insensitively
	Number int    // the issue or pull request
}

func (b Binding) String() string { return b.Repo + "#" + strconv.Itoa(b.Number) }

// Status is what Check finds about a gate comment's seal.
type Status string

// Statuses, from best to worst.
const (
	Valid      Status = "valid"       // sealed by a known key, for this place, content unchanged
	Unsealed   Status = "unsealed"    // no keyed seal (a v1 hash, or none): nothing vouches for it
	UnknownKey Status = "unknown_key" // sealed with a key the keyring does not hold
	Bad        Status = "bad_seal"    // the seal does not match: changed, or moved from elsewhere
)

// mac computes the seal of a record at b with marker fields m (hmac left
// out) and content: HMAC-SHA256 under key of a text that names the scheme,
// the binding and every marker field on lines of their own, then the
// canonical content. Field values cannot hold a line break, so no two
// different inputs give the same text.
func mac(key []byte, b Binding, m Marker, content string) (string, error) {
	extra := map[string]string{}
	for k, v := range m.Extra {
		if k != FieldMAC {
			extra[k] = v
		}
	}
	m.Extra = extra
	fields, err := m.fields()
	if err != nil {
		return "", err
	}
	h := hmac.New(sha256.New, key)
	fmt.Fprintf(h, "jit-gate seal %s\nrepo=%s\nnumber=%d\n", Version, strings.ToLower(b.Repo), b.Number)
	for _, f := range fields {
		fmt.Fprintf(h, "%s\n", f)
	}
	fmt.Fprintf(h, "\n%s", Canonical(content))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Seal returns a comment body for b: m's marker line (version 2) with the
// sealing key's id and the seal, a line break, then content.
func (k *Keyring) Seal(b Binding, m Marker, content string) (string, error) {
	if !k.CanSeal() {
		return "", ErrNoKey
	}
	extra := map[string]string{FieldKey: k.signing}
	for key, v := range m.Extra {
		if key != FieldMAC && key != FieldKey && key != legacyHash {
			extra[key] = v
		}
	}
	m.Version, m.Extra = Version, extra
	sum, err := mac(k.keys[k.signing], b, m, content)
	if err != nil {
		return "", err
	}
	m.Extra[FieldMAC] = sum
	line, err := m.Format()
	if err != nil {
		return "", err
	}
	return line + "\n" + content, nil
}

// Check reads body's marker and checks its seal for b; ok is false when
// body is not a gate comment at all. Whether the gate's own account wrote
// the comment, and whether it was edited, is for the caller to check.
func (k *Keyring) Check(b Binding, body string) (m Marker, st Status, ok bool) {
	m, ok = Parse(body)
	if !ok {
		return Marker{}, "", false
	}
	want, sealed := m.Extra[FieldMAC]
	if m.Version != Version || !sealed {
		return m, Unsealed, true
	}
	var key secret
	if k != nil {
		key = k.keys[m.Extra[FieldKey]]
	}
	if key == nil {
		return m, UnknownKey, true
	}
	got, err := mac(key, b, m, Content(body))
	if err != nil || !hmac.Equal([]byte(got), []byte(want)) {
		return m, Bad, true
	}
	return m, Valid, true
}
