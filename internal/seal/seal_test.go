package seal

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

var (
	key1 = strings.Repeat("1f", 32)
	key2 = strings.Repeat("2e", 32)
)

func ring(t *testing.T, key, others string) *Keyring {
	t.Helper()
	k, err := ParseKeys(key, others)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var here = Binding{Repo: "acme/infra", Number: 2}

func record() Marker {
	return Marker{Kind: KindRecord, Head: sha, Extra: map[string]string{FieldSeq: "3", FieldPrev: strings.Repeat("ab", 32), FieldRID: "00aa", "outcome": "success"}}
}

const content = "### record\n\n| jit\\_elevation\\.mona | bob |\n\n<!-- jit-gate-record {\"approved_by\":[\"bob\"]} -->\n"

func TestSealAndCheck(t *testing.T) {
	k := ring(t, key1, "")
	body, err := k.Seal(here, record(), content)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := Parse(body)
	if m.Version != Version || m.Extra[FieldKey] != KeyID([]byte(key1)) || len(m.Extra[FieldMAC]) != 64 || m.Extra[FieldSeq] != "3" {
		t.Fatalf("marker = %+v", m)
	}
	if !strings.HasSuffix(body, "\n"+content) {
		t.Fatalf("body is not the marker line then the content:\n%s", body)
	}
	swap := func(field, v string) string {
		return strings.Replace(body, field+"="+m.Extra[field], field+"="+v, 1)
	}
	// A v1 marker whose sha256 the forger recomputed over their own content.
	forged := strings.Replace(content, "bob", "mallory", 2)
	sum := sha256.Sum256([]byte(Canonical(forged)))
	v1, _ := Marker{Version: Legacy, Kind: KindRecord, Head: sha, Extra: map[string]string{"sha256": hex.EncodeToString(sum[:])}}.Format()

	tests := []struct {
		name string
		at   Binding
		body string
		want Status
	}{
		{"as posted", here, body, Valid},
		{"CRLF line endings, as GitHub's editor saves", here, strings.ReplaceAll(body, "\n", "\r\n"), Valid},
		{"trailing whitespace trimmed", here, strings.TrimRight(body, "\n"), Valid},
		{"repository name in another case", Binding{Repo: "ACME/Infra", Number: 2}, body, Valid},
		{"an approver added", here, strings.Replace(body, "bob", "bob, mallory", 1), Bad},
		{"the JSON line changed", here, strings.Replace(body, `["bob"]`, `["mallory"]`, 1), Bad},
		{"a line added", here, body + "approved by mallory\n", Bad},
		{"copied to another pull request", Binding{Repo: "acme/infra", Number: 3}, body, Bad},
		{"copied to another repository", Binding{Repo: "acme/other", Number: 2}, body, Bad},
		{"moved to another position", here, swap(FieldSeq, "9"), Bad},
		{"chained elsewhere", here, swap(FieldPrev, strings.Repeat("cd", 32)), Bad},
		{"another head", here, swap("head", strings.Repeat("f", 40)), Bad},
		{"another outcome", here, swap("outcome", "failure"), Bad},
		{"the seal replaced by a sha256", here, swap(FieldMAC, hex.EncodeToString(sum[:])), Bad},
		{"another key named", here, swap(FieldKey, KeyID([]byte(key2))), UnknownKey},
		{"seal removed", here, strings.Replace(body, " hmac="+m.Extra[FieldMAC], "", 1), Unsealed},
		{"v1 with a recomputed sha256", here, v1 + "\n" + forged, Unsealed},
	}
	for _, tc := range tests {
		if _, got, ok := k.Check(tc.at, tc.body); !ok || got != tc.want {
			t.Errorf("%s: Check = %q, %v; want %q", tc.name, got, ok, tc.want)
		}
	}
	if _, _, ok := k.Check(here, "just a comment"); ok {
		t.Error("Check of a comment without marker: ok")
	}
	// A forger with their own key gets a seal no keyring of the gate knows.
	mine, _ := ring(t, key2, "").Seal(here, record(), forged)
	if _, got, _ := k.Check(here, mine); got != UnknownKey {
		t.Errorf("record sealed with another key: %q", got)
	}
	// ... and naming the gate's key id does not help.
	_, rest, _ := strings.Cut(mine, " key=")
	named := strings.Replace(mine, "key="+rest[:13], "key="+KeyID([]byte(key1)), 1)
	if _, got, _ := k.Check(here, named); got != Bad {
		t.Errorf("forged seal under the gate's key id: %q", got)
	}
}

// During a rotation the new key seals; records sealed with the old one
// still verify while the old key is listed in JIT_GATE_SEAL_KEYS.
func TestKeyRotation(t *testing.T) {
	old, err := ring(t, key1, "").Seal(here, record(), content)
	if err != nil {
		t.Fatal(err)
	}
	rotated := ring(t, key2, key1)
	if _, st, _ := rotated.Check(here, old); st != Valid {
		t.Errorf("old record during rotation: %q", st)
	}
	next, _ := rotated.Seal(here, record(), content)
	if m, _ := Parse(next); m.Extra[FieldKey] != KeyID([]byte(key2)) {
		t.Errorf("new records sealed with %s, want the new key", m.Extra[FieldKey])
	}
	if _, st, _ := ring(t, key2, "").Check(here, old); st != UnknownKey {
		t.Errorf("old record once its key is dropped: %q", st)
	}
	verifyOnly := ring(t, "", key1+", "+key2)
	if verifyOnly.CanSeal() || !verifyOnly.CanVerify() {
		t.Errorf("a keyring of earlier keys only: CanSeal %v, CanVerify %v", verifyOnly.CanSeal(), verifyOnly.CanVerify())
	}
	if _, err := verifyOnly.Seal(here, record(), content); err != ErrNoKey {
		t.Errorf("sealing without a key: %v", err)
	}
	if ids := verifyOnly.IDs(); len(ids) != 2 || KeyID([]byte(key1)) == KeyID([]byte(key2)) {
		t.Errorf("ids = %v", ids)
	}
}

// No key ever shows: not in errors, not however a keyring is printed.
func TestKeysNeverShow(t *testing.T) {
	k := ring(t, key1, key2)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		for _, v := range []any{k, *k} {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, key1[:16]) || strings.Contains(s, key2[:16]) || strings.Contains(s, "31663166") {
				t.Errorf("%s of a keyring shows a key: %s", verb, s)
			}
		}
	}
	short := "0123456789abcdef-secret"
	bad := strings.Repeat("x", 40) + " " + strings.Repeat("y", 40)
	for _, tc := range []struct{ key, others string }{{short, ""}, {"", key1 + "," + short}, {"é" + key1, ""}, {"", bad + "\x00"}} {
		_, err := ParseKeys(tc.key, tc.others)
		if err == nil {
			t.Errorf("ParseKeys(%q, %q) accepted a bad key", tc.key, tc.others)
			continue
		}
		for _, secret := range []string{short, key1, "xxxxxxxxxxxx", "yyyyyyyyyyyy"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error shows the key: %v", err)
			}
		}
	}
	body, _ := k.Seal(here, record(), content)
	if strings.Contains(body, key1) || strings.Contains(body, key2) {
		t.Error("a sealed body shows the key")
	}
}
