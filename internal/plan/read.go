package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// ReadFile reads a `terraform show -json` file; errors name the file.
func ReadFile(path string) (*Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	defer f.Close()
	p, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("read plan %s: %w", path, err)
	}
	return p, nil
}

// Read reads `terraform show -json` output. It accepts plan format 1.x and
// refuses anything it cannot read completely: the gate fails closed.
//
// The input is read once, as a stream of tokens, by jsontext with its strict
// defaults: besides what RFC 8259 forbids, duplicate object member names and
// invalid UTF-8 (escaped lone surrogates included) are refused, since readers
// that disagree on them can be shown different plans by the same bytes. Only
// what the model uses is materialised: planned_values, prior_state and the
// values of resources the gate does not model are validated and passed over,
// never copied, so time and memory stay flat in what the gate does not read.
// Values of this provider's resources, of the access-granting types
// (AccessGrant) and of resource_drift are kept raw and decoded afterwards;
// the configuration is read for provider configurations, resource blocks
// and provisioners (Configuration).
func Read(r io.Reader) (*Plan, error) {
	r, err := sniff(r)
	if err != nil {
		return nil, err
	}
	d := &decoder{dec: jsontext.NewDecoder(r)}
	p, err := d.plan()
	if err != nil {
		return nil, d.failure(err)
	}
	return p, nil
}

// plan reads the top-level object and everything after it.
func (d *decoder) plan() (*Plan, error) {
	switch k := d.dec.PeekKind(); k {
	case '{':
	case jsontext.KindInvalid:
		if _, err := d.dec.ReadToken(); err != io.EOF {
			return nil, err
		}
		return nil, errors.New("plan JSON is empty")
	default:
		what, err := d.describe()
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("plan JSON is not an object: it starts with %s", what)
	}
	p := &Plan{}
	seenVersion, seenPlanned, errored, seenErrored := false, false, false, false
	var checks json.RawMessage // kept for plans that may lack "errored" (legacy.go)
	err := d.object(func(name []byte) error {
		var err error
		switch string(name) {
		case "format_version":
			if p.FormatVersion, err = d.stringValue("format_version"); err != nil {
				return err
			}
			// Checked at once: a plan of another major version may not even
			// have the shape the rest of this reader expects.
			if err := checkFormatVersion(p.FormatVersion); err != nil {
				return err
			}
			seenVersion = true
		case "terraform_version":
			p.TerraformVersion, err = d.stringValue("terraform_version")
		case "errored":
			seenErrored = true
			errored, err = d.boolValue("errored")
		case "checks":
			// terraform_version comes first in Terraform's output.
			if legacyTerraform(p.TerraformVersion) {
				checks, err = d.rawValue()
			} else {
				err = d.dec.SkipValue()
			}
		case "planned_values":
			seenPlanned = true
			err = d.dec.SkipValue()
		case "resource_changes":
			err = d.entries("resource_changes", false, p.addEntry)
		case "resource_drift":
			err = d.entries("resource_drift", true, p.addDrift)
		case "configuration":
			p.Configuration, err = d.configuration()
		default:
			err = d.dec.SkipValue()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := d.end(); err != nil {
		return nil, err
	}
	if !seenVersion {
		return nil, errors.New("plan JSON has no format_version: is it the output of `terraform show -json PLANFILE`?")
	}
	// Every saved plan has planned_values; a state file or a stub does not,
	// and must never pass as an empty plan.
	if !seenPlanned {
		return nil, errors.New("plan JSON has no planned_values: it is not a saved plan (was `terraform show -json` given the state instead of the plan file?)")
	}
	if errored {
		return nil, errors.New("plan JSON says planning failed (errored: true): the plan is incomplete")
	}
	if !seenErrored && legacyTerraform(p.TerraformVersion) {
		if err := p.legacyIncomplete(checks); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// end checks that nothing but whitespace follows the top-level object.
func (d *decoder) end() error {
	at := d.dec.InputOffset()
	if d.dec.PeekKind() == jsontext.KindInvalid {
		_, err := d.dec.ReadToken()
		var syn *jsontext.SyntacticError
		if err == io.EOF {
			return nil
		}
		if !errors.As(err, &syn) {
			return err
		}
	}
	err := fmt.Errorf("plan JSON has trailing data after the top-level object at byte %d", at)
	if bytes.HasPrefix(bytes.TrimLeft(d.dec.UnreadBuffer(), " \t\r\n"), []byte("::")) {
		return fmt.Errorf("%w: %s", err, wrapperHint)
	}
	return err
}

func checkFormatVersion(v string) error {
	major, minor, ok := strings.Cut(v, ".")
	if major != "1" || !ok || minor == "" || strings.Trim(minor, "0123456789") != "" {
		return fmt.Errorf("plan format_version %q is not supported: jit-gate reads format 1.x", v)
	}
	return nil
}

// --- what a plan file must not look like -------------------------------------

// utf8Hint is how to write the plan as jit-gate reads it.
const utf8Hint = "write it as UTF-8 without a byte-order mark: `terraform show -json tfplan > plan.json` in bash, " +
	"or `terraform show -json tfplan | Out-File -Encoding utf8NoBOM plan.json` in PowerShell 7"

// wrapperHint is the fix for plan JSON captured through hashicorp/setup-terraform's wrapper.
const wrapperHint = "this is the output of the hashicorp/setup-terraform wrapper, which adds a [command] line and " +
	"::debug:: lines around what terraform prints: set `terraform_wrapper: false` on hashicorp/setup-terraform"

// sniff refuses inputs that are not plan JSON in UTF-8 but are often taken
// for it, with what to do instead, and returns the whole input otherwise.
func sniff(r io.Reader) (io.Reader, error) {
	head := make([]byte, 16)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("plan JSON: %w", err)
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return nil, fmt.Errorf("plan JSON starts with a UTF-8 byte-order mark (Windows PowerShell 5 writes one with Out-File -Encoding utf8): %s", utf8Hint)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return nil, fmt.Errorf("plan JSON is UTF-16LE with a byte-order mark (what Windows PowerShell 5 writes with `>`): %s", utf8Hint)
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return nil, fmt.Errorf("plan JSON is UTF-16BE with a byte-order mark: %s", utf8Hint)
	// JSON text starts with an ASCII character: a zero byte beside it is UTF-16.
	case n >= 2 && head[0] != 0 && head[1] == 0:
		return nil, fmt.Errorf("plan JSON is UTF-16LE (a zero byte after every ASCII character, as Windows PowerShell 5 writes): %s", utf8Hint)
	case n >= 2 && head[0] == 0 && head[1] != 0:
		return nil, fmt.Errorf("plan JSON is UTF-16BE (a zero byte before every ASCII character): %s", utf8Hint)
	case bytes.HasPrefix(head, []byte("[command]")), bytes.HasPrefix(head, []byte("::")):
		return nil, fmt.Errorf("plan JSON starts with %q, not with JSON: %s", head[:min(n, 9)], wrapperHint)
	}
	return io.MultiReader(bytes.NewReader(head), r), nil
}

// --- resource_changes and resource_drift entries -----------------------------

// rawEntry is one resource_changes or resource_drift entry. before, after and
// after_unknown stay raw (copied, not parsed) until the type is known to
// matter, and are left out for types that do not. The JSON names are the
// plan format's.
type rawEntry struct {
	Address       string          `json:"address"`
	ModuleAddress string          `json:"module_address"`
	Mode          string          `json:"mode"`
	Type          string          `json:"type"`
	Name          string          `json:"name"`
	Index         json.RawMessage `json:"index"`
	Deposed       string          `json:"deposed"`
	ProviderName  string          `json:"provider_name"`
	Change        struct {
		Actions      []string        `json:"actions"`
		Before       json.RawMessage `json:"before"`
		After        json.RawMessage `json:"after"`
		AfterUnknown json.RawMessage `json:"after_unknown"`
	} `json:"change"`
}

func (e *rawEntry) resource() Resource {
	r := Resource{Address: e.Address, ModuleAddress: e.ModuleAddress, Mode: e.Mode, Type: e.Type, Name: e.Name, Deposed: e.Deposed}
	if !isNull(e.Index) {
		r.Index = string(e.Index)
	}
	return r
}

// modelled reports whether the entry's values are decoded: this provider's
// managed resources and the access-granting types. An entry whose mode or
// type is not known yet (keys in an unusual order) keeps its values, to be
// decided once it is complete.
func (e *rawEntry) modelled(seen bool) bool {
	return !seen || e.Mode == "managed" && (e.Type == TypePolicy || e.Type == TypeElevation || accessTypes[e.Type] != "")
}

// entries streams the array under key (null counts as empty), one entry at a
// time. keepValues keeps every entry's values (resource_drift compares them).
func (d *decoder) entries(key string, keepValues bool, add func(*rawEntry) error) error {
	switch d.dec.PeekKind() {
	case 'n':
		return d.null()
	case '[':
	default:
		what, err := d.describe()
		if err != nil {
			return err
		}
		return fmt.Errorf("plan JSON %s is not an array: it starts with %s", key, what)
	}
	var e rawEntry // reused: add keeps nothing of it but copies
	return d.array(func() error {
		e = rawEntry{}
		if err := d.entry(&e, keepValues); err != nil {
			return err
		}
		if e.Address == "" || e.Type == "" {
			return fmt.Errorf("plan JSON %s has an entry without address or type at byte %d", key, d.dec.InputOffset())
		}
		if err := add(&e); err != nil {
			return fmt.Errorf("plan JSON %s %s: %w", key, e.Address, err)
		}
		return nil
	})
}

// entry reads one resource_changes or resource_drift entry into e; null
// leaves it empty, as encoding/json does.
func (d *decoder) entry(e *rawEntry, keepValues bool) error {
	switch d.dec.PeekKind() {
	case 'n':
		return d.null()
	case '{':
	default:
		return d.unexpected("an entry", "an object")
	}
	modeSeen, typeSeen := false, false
	return d.object(func(name []byte) error {
		var err error
		switch string(name) {
		case "address":
			e.Address, err = d.stringValue("address")
		case "module_address":
			e.ModuleAddress, err = d.stringValue("module_address")
		case "mode":
			e.Mode, err = d.internedValue("mode")
			modeSeen = true
		case "type":
			e.Type, err = d.internedValue("type")
			typeSeen = true
		case "name":
			e.Name, err = d.stringValue("name")
		case "index":
			e.Index, err = d.rawValue()
		case "deposed":
			e.Deposed, err = d.stringValue("deposed")
		case "provider_name":
			e.ProviderName, err = d.internedValue("provider_name")
		case "change":
			err = d.change(e, keepValues || e.modelled(modeSeen && typeSeen))
		default:
			err = d.pass()
		}
		return err
	})
}

// change reads an entry's change object: the actions, and the values when
// keep is set.
func (d *decoder) change(e *rawEntry, keep bool) error {
	switch d.dec.PeekKind() {
	case 'n':
		return d.null()
	case '{':
	default:
		return d.unexpected("change", "an object")
	}
	ch := &e.Change
	return d.object(func(name []byte) error {
		var err error
		switch string(name) {
		case "actions":
			ch.Actions, err = d.stringsValue("actions")
		case "before":
			ch.Before, err = d.keptValue(keep)
		case "after":
			ch.After, err = d.keptValue(keep)
		case "after_unknown":
			ch.AfterUnknown, err = d.keptValue(keep)
		default:
			err = d.pass()
		}
		return err
	})
}

// keptValue copies the next value when keep is set and skips it otherwise.
func (d *decoder) keptValue(keep bool) (json.RawMessage, error) {
	if keep {
		return d.rawValue()
	}
	return nil, d.pass()
}

// pass validates and passes over the next value, which is small enough to
// hold whole: jsontext scans a whole value faster than token by token
// (SkipValue), which is kept for the large top-level values.
func (d *decoder) pass() error {
	_, err := d.dec.ReadValue()
	return err
}

// --- reading tokens ----------------------------------------------------------

// decoder reads plan JSON through jsontext, a token or a value at a time.
// Its methods return jsontext's errors as they are; failure turns them into
// the reader's own once, where reading stops.
type decoder struct {
	dec      *jsontext.Decoder
	name     []byte            // scratch for object member names with escapes
	at       int64             // where the value describe last read starts
	interned map[string]string // see internedValue
}

// failure turns an error met while reading into one that says what is wrong
// with the input and where. Errors of the reader's own pass unchanged.
func (d *decoder) failure(err error) error {
	var syn *jsontext.SyntacticError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF:
		return fmt.Errorf("plan JSON is truncated at byte %d", d.dec.InputOffset()+int64(len(d.dec.UnreadBuffer())))
	case errors.As(err, &syn):
		return malformed(syn)
	case strings.HasPrefix(err.Error(), "jsontext: "): // the input's reader failed
		return fmt.Errorf("plan JSON: %w", err)
	}
	return err
}

// malformed is the error for input that is not JSON as the reader takes it.
// What strictness refuses says so, and why.
func malformed(syn *jsontext.SyntacticError) error {
	msg := strings.TrimPrefix(syn.Err.Error(), "jsontext: ")
	at := ""
	if syn.JSONPointer != "" {
		at = " (at " + shortPointer(syn.JSONPointer) + ")"
	}
	switch {
	case errors.Is(syn.Err, jsontext.ErrDuplicateName):
		at = " in the top-level object"
		if parent := syn.JSONPointer.Parent(); parent != "" {
			at = " in " + shortPointer(parent)
		}
		return fmt.Errorf("plan JSON is malformed at byte %d: duplicate object member name %q%s: refused, since JSON readers disagree on which of the two counts",
			syn.ByteOffset, syn.JSONPointer.LastToken(), at)
	case msg == "invalid UTF-8":
		return fmt.Errorf("plan JSON is malformed at byte %d: invalid UTF-8 in a string%s: refused, since JSON readers disagree on what it means (Terraform writes valid UTF-8)",
			syn.ByteOffset, at)
	case strings.HasPrefix(msg, "invalid surrogate pair"):
		return fmt.Errorf("plan JSON is malformed at byte %d: an escaped UTF-16 surrogate without its pair in a string%s: refused, since it is not Unicode and JSON readers disagree on what it means",
			syn.ByteOffset, at)
	}
	return fmt.Errorf("plan JSON is malformed at byte %d: %s%s", syn.ByteOffset, msg, at)
}

// shortPointer keeps a JSON pointer in an error short: deep nesting is
// itself an error the pointer would otherwise spell out 10,000 times.
func shortPointer(p jsontext.Pointer) string {
	if s := string(p); len(s) > 80 {
		return s[:40] + "..." + s[len(s)-30:]
	}
	return string(p)
}

// object reads the object that comes next (a peeked '{'), calling fn with
// each member's name; fn must consume the member's value. The name is valid
// until fn reads.
func (d *decoder) object(fn func(name []byte) error) error {
	if _, err := d.dec.ReadToken(); err != nil {
		return err
	}
	for d.dec.PeekKind() != '}' {
		raw, err := d.dec.ReadValue()
		if err != nil {
			return err
		}
		name := raw[1 : len(raw)-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			if d.name, err = jsontext.AppendUnquote(d.name[:0], raw); err != nil {
				return err
			}
			name = d.name
		}
		if err := fn(name); err != nil {
			return err
		}
	}
	_, err := d.dec.ReadToken()
	return err
}

// array reads the array that comes next (a peeked '['), calling fn for each
// element; fn must consume it.
func (d *decoder) array(fn func() error) error {
	if _, err := d.dec.ReadToken(); err != nil {
		return err
	}
	for d.dec.PeekKind() != ']' {
		if err := fn(); err != nil {
			return err
		}
	}
	_, err := d.dec.ReadToken()
	return err
}

// null reads a peeked null.
func (d *decoder) null() error {
	_, err := d.dec.ReadToken()
	return err
}

// rawValue returns a copy of the next value's bytes.
func (d *decoder) rawValue() (json.RawMessage, error) {
	v, err := d.dec.ReadValue()
	if err != nil {
		return nil, err
	}
	return json.RawMessage(v.Clone()), nil
}

// stringValue reads a string; null reads as "", as encoding/json leaves a
// string it decodes null into.
func (d *decoder) stringValue(name string) (string, error) {
	switch d.dec.PeekKind() {
	case 'n':
		return "", d.null()
	case '"':
	default:
		return "", d.unexpected(name, "a string")
	}
	raw, err := d.dec.ReadValue()
	if err != nil {
		return "", err
	}
	if v := raw[1 : len(raw)-1]; bytes.IndexByte(v, '\\') < 0 {
		return string(v), nil // jsontext has checked it is valid UTF-8
	}
	v, err := jsontext.AppendUnquote(nil, raw)
	return string(v), err
}

// internedValue reads a string as stringValue does, for the few values that
// repeat in every entry (mode, type, provider_name): each is allocated once
// per plan, not once per resource.
func (d *decoder) internedValue(name string) (string, error) {
	if d.dec.PeekKind() != '"' {
		return d.stringValue(name)
	}
	raw, err := d.dec.ReadValue()
	if err != nil {
		return "", err
	}
	if v, ok := d.interned[string(raw)]; ok {
		return v, nil
	}
	v, err := jsontext.AppendUnquote(nil, raw)
	if err != nil {
		return "", err
	}
	if d.interned == nil {
		d.interned = map[string]string{}
	}
	d.interned[string(raw)] = string(v)
	return string(v), nil
}

// stringsValue reads an array of strings; null reads as nil.
func (d *decoder) stringsValue(name string) ([]string, error) {
	switch d.dec.PeekKind() {
	case 'n':
		return nil, d.null()
	case '[':
	default:
		return nil, d.unexpected(name, "an array of strings")
	}
	out := []string{}
	err := d.array(func() error {
		v, err := d.stringValue(name)
		out = append(out, v)
		return err
	})
	return out, err
}

// boolValue reads true or false; null reads as false.
func (d *decoder) boolValue(name string) (bool, error) {
	switch d.dec.PeekKind() {
	case 't', 'f':
		tok, err := d.dec.ReadToken()
		return err == nil && tok.Bool(), err
	case 'n':
		return false, d.null()
	}
	return false, d.unexpected(name, "true or false")
}

// unexpected is the error for a value of the wrong kind at name. The value
// is read first: input that is not even JSON is a syntax error.
func (d *decoder) unexpected(name, want string) error {
	what, err := d.describe()
	if err != nil {
		return err
	}
	return fmt.Errorf("plan JSON has an unexpected value at byte %d: %s is %s, want %s", d.at, name, what, want)
}

// describe reads the next value and names its kind, for errors; it sets
// d.at to where the value starts.
func (d *decoder) describe() (string, error) {
	k := d.dec.PeekKind()
	if k == '[' || k == '{' {
		d.at = d.dec.InputOffset() // before the delimiter and any space
		return fmt.Sprintf("%q", string(k)), nil
	}
	v, err := d.dec.ReadValue()
	if err != nil {
		return "", err
	}
	d.at = d.dec.InputOffset() - int64(len(v))
	switch k {
	case '"':
		return "a string", nil
	case '0':
		return "a number", nil
	}
	return string(v), nil // true, false or null
}
