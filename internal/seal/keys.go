package seal

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// The environment variables the seal keys come from. Both hold secrets of
// the protected environments (apply, drift, expiry), never given to a
// pull-request workflow.
const (
	// EnvKey is the key new records are sealed with.
	EnvKey = "JIT_GATE_SEAL_KEY"
	// EnvKeys lists earlier keys, still accepted when verifying, separated
	// by commas or whitespace: during a rotation the old key moves here.
	EnvKeys = "JIT_GATE_SEAL_KEYS"
)

// MinKeyLength is the shortest key accepted, in bytes: 32 random bytes
// hex-encoded (`openssl rand -hex 32`) is 64.
const MinKeyLength = 32

// secret is key material. It formats as "[redacted]" whatever the verb,
// so a stray %v never writes a key to a log.
type secret []byte

func (secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[redacted]") }

// Keyring holds the key that seals new records and every key accepted when
// verifying, each by its id. Ids are derived from the key, so rotating is
// only setting a new secret and moving the old one to EnvKeys; an id says
// which key sealed a record without saying anything usable about the key.
type Keyring struct {
	signing string            // id of the sealing key; "" when there is none
	keys    map[string]secret // id -> key
}

// String names the keys by id only.
func (k *Keyring) String() string {
	if k == nil {
		return "no seal keys"
	}
	return fmt.Sprintf("seal keys %s (sealing with %s)", strings.Join(k.IDs(), ", "), orNone(k.signing))
}

// Format writes String whatever the verb, for a keyring and a pointer to
// one alike, so that no verb (%#v, %x) prints key material.
func (k Keyring) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, k.String()) }

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// KeyID is the id of a key: "k" and the first 12 hex digits of a SHA-256
// of it under a fixed label.
func KeyID(key []byte) string {
	h := sha256.New()
	h.Write([]byte("jit-gate seal key id\x00"))
	h.Write(key)
	return "k" + hex.EncodeToString(h.Sum(nil))[:12]
}

// ParseKeys builds a keyring from the values of EnvKey (the sealing key;
// may be empty: the keyring then only verifies) and EnvKeys. Errors name
// the variable and the position of a bad key, never the key.
func ParseKeys(key, others string) (*Keyring, error) {
	k := &Keyring{keys: map[string]secret{}}
	add := func(v string, what string) (string, error) {
		if len(v) < MinKeyLength {
			return "", fmt.Errorf("%s is %d bytes long: a seal key needs at least %d (e.g. `openssl rand -hex 32`)", what, len(v), MinKeyLength)
		}
		if strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == ',' || r > '~' }) {
			return "", fmt.Errorf("%s holds a space, comma or character outside printable ASCII: use hex or base64", what)
		}
		id := KeyID([]byte(v))
		k.keys[id] = secret(v)
		return id, nil
	}
	if key = strings.TrimSpace(key); key != "" {
		id, err := add(key, EnvKey)
		if err != nil {
			return nil, err
		}
		k.signing = id
	}
	for i, v := range strings.FieldsFunc(others, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' || r == '\r' }) {
		if _, err := add(v, fmt.Sprintf("key %d of %s", i+1, EnvKeys)); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// KeysFromEnv reads the keyring from the environment.
func KeysFromEnv(getenv func(string) string) (*Keyring, error) {
	return ParseKeys(getenv(EnvKey), getenv(EnvKeys))
}

// ErrNoKey is returned when a record must be sealed or verified without a
// key to do it with.
var ErrNoKey = errors.New("no seal key: set " + EnvKey + " (a secret of the apply, drift and expiry environments) to seal and verify audit records")

// CanSeal reports whether the keyring has a key to seal new records with.
func (k *Keyring) CanSeal() bool { return k != nil && k.signing != "" }

// CanVerify reports whether the keyring has any key at all.
func (k *Keyring) CanVerify() bool { return k != nil && len(k.keys) > 0 }

// IDs lists the ids of every key, sorted.
func (k *Keyring) IDs() []string {
	if k == nil {
		return nil
	}
	ids := make([]string, 0, len(k.keys))
	for id := range k.keys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
