package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
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
// It reads the input once, through a small buffer, with a scanner that
// validates every byte as JSON but materialises only what the gate uses:
// planned_values, prior_state, configuration and the values of resources of
// other types are checked and passed over, never copied or built, so time
// and memory stay flat in what the gate does not read (a 10 MB plan is read
// faster, and in less memory, than encoding/json decodes its
// resource_changes alone). Values of this provider's resources and of
// resource_drift are decoded with encoding/json as before.
func Read(r io.Reader) (*Plan, error) {
	s := &scanner{r: r, buf: make([]byte, scanBufSize)}
	if !s.skipSpace() {
		if err := s.readErr(); err != nil {
			return nil, err
		}
		return nil, errors.New("plan JSON is empty")
	}
	if s.buf[s.pos] != '{' {
		what, err := s.describe()
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("plan JSON is not an object: it starts with %s", what)
	}
	p := &Plan{}
	seenVersion, seenPlanned, errored := false, false, false
	err := s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "format_version":
			if p.FormatVersion, err = s.stringValue("format_version"); err != nil {
				return err
			}
			// Checked at once: a plan of another major version may not even
			// have the shape the rest of this reader expects.
			if err := checkFormatVersion(p.FormatVersion); err != nil {
				return err
			}
			seenVersion = true
		case "terraform_version":
			p.TerraformVersion, err = s.stringValue("terraform_version")
		case "errored":
			errored, err = s.boolValue("errored")
		case "planned_values":
			seenPlanned = true
			err = s.skipValue()
		case "resource_changes":
			err = s.entries("resource_changes", false, p.addChange)
		case "resource_drift":
			err = s.entries("resource_drift", true, p.addDrift)
		default:
			err = s.skipValue()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if s.skipSpace() {
		return nil, fmt.Errorf("plan JSON has trailing data after the top-level object at byte %d", s.offset())
	}
	if err := s.readErr(); err != nil {
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
	return p, nil
}

func checkFormatVersion(v string) error {
	major, minor, ok := strings.Cut(v, ".")
	if major != "1" || !ok || minor == "" || strings.Trim(minor, "0123456789") != "" {
		return fmt.Errorf("plan format_version %q is not supported: jit-gate reads format 1.x", v)
	}
	return nil
}

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
// managed resources. An entry whose mode or type is not known yet (keys in
// an unusual order) keeps its values, to be decided once it is complete.
func (e *rawEntry) modelled(seen bool) bool {
	return !seen || e.Mode == "managed" && (e.Type == TypePolicy || e.Type == TypeElevation)
}

// entries streams the array under key (null counts as empty), one entry at a
// time. keepValues keeps every entry's values (resource_drift compares them).
func (s *scanner) entries(key string, keepValues bool, add func(*rawEntry) error) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c == 'n' {
		return s.literal("null")
	}
	if c != '[' {
		what, err := s.describe()
		if err != nil {
			return err
		}
		return fmt.Errorf("plan JSON %s is not an array: it starts with %s", key, what)
	}
	var e rawEntry // reused: add keeps nothing of it but copies
	return s.array(func() error {
		e = rawEntry{}
		if err := s.entry(&e, keepValues); err != nil {
			return err
		}
		if e.Address == "" || e.Type == "" {
			return fmt.Errorf("plan JSON %s has an entry without address or type at byte %d", key, s.offset())
		}
		if err := add(&e); err != nil {
			return fmt.Errorf("plan JSON %s %s: %w", key, e.Address, err)
		}
		return nil
	})
}

// entry reads one resource_changes or resource_drift entry into e; null
// leaves it empty, as encoding/json does.
func (s *scanner) entry(e *rawEntry, keepValues bool) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	switch c {
	case 'n':
		return s.literal("null")
	case '{':
	default:
		what, err := s.describe()
		if err != nil {
			return err
		}
		return fmt.Errorf("plan JSON has an unexpected value at byte %d: an entry is %s, want an object", s.offset(), what)
	}
	modeSeen, typeSeen := false, false
	return s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "address":
			e.Address, err = s.stringValue("address")
		case "module_address":
			e.ModuleAddress, err = s.stringValue("module_address")
		case "mode":
			e.Mode, err = s.stringValue("mode")
			modeSeen = true
		case "type":
			e.Type, err = s.stringValue("type")
			typeSeen = true
		case "name":
			e.Name, err = s.stringValue("name")
		case "index":
			e.Index, err = s.rawValue()
		case "deposed":
			e.Deposed, err = s.stringValue("deposed")
		case "change":
			err = s.change(e, keepValues || e.modelled(modeSeen && typeSeen))
		default:
			err = s.skipValue()
		}
		return err
	})
}

// change reads an entry's change object: the actions, and the values when
// keep is set.
func (s *scanner) change(e *rawEntry, keep bool) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c == 'n' {
		return s.literal("null")
	}
	if c != '{' {
		what, err := s.describe()
		if err != nil {
			return err
		}
		return fmt.Errorf("plan JSON has an unexpected value at byte %d: change is %s, want an object", s.offset(), what)
	}
	ch := &e.Change
	return s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "actions":
			ch.Actions, err = s.stringsValue("actions")
		case "before":
			ch.Before, err = s.keptValue(keep)
		case "after":
			ch.After, err = s.keptValue(keep)
		case "after_unknown":
			ch.AfterUnknown, err = s.keptValue(keep)
		default:
			err = s.skipValue()
		}
		return err
	})
}

// keptValue copies the next value when keep is set and skips it otherwise.
func (s *scanner) keptValue(keep bool) (json.RawMessage, error) {
	if keep {
		return s.rawValue()
	}
	return nil, s.skipValue()
}

// --- the scanner -------------------------------------------------------------

const (
	scanBufSize = 64 << 10
	// maxDepth is encoding/json's nesting limit, so both refuse the same input.
	maxDepth = 10000
)

// scanner validates JSON from r as RFC 8259 (as encoding/json does: strings
// may hold invalid UTF-8) and hands the caller keys and values one at a time.
// Errors it returns are final and say what is wrong and where.
type scanner struct {
	r        io.Reader
	buf      []byte
	pos, end int   // unread input is buf[pos:end]
	base     int64 // input offset of buf[0]
	err      error // the reader's error (io.EOF at the end), once it returned one
	depth    int

	// A capture collects the bytes of a value as they are scanned, across
	// refills of buf.
	capturing bool
	capFrom   int // start in buf of the captured bytes not yet in capBuf
	capBuf    []byte

	key, str []byte // scratch for keys and for strings being decoded
}

func (s *scanner) offset() int64 { return s.base + int64(s.pos) }

// fill reads more input into the empty buffer; false when there is no more.
func (s *scanner) fill() bool {
	if s.capturing {
		s.capBuf = append(s.capBuf, s.buf[s.capFrom:s.pos]...)
		s.capFrom = 0
	}
	s.base += int64(s.pos)
	s.pos, s.end = 0, 0
	for s.err == nil && s.end == 0 {
		var n int
		n, s.err = s.r.Read(s.buf)
		s.end = n
	}
	return s.end > 0
}

// readErr is the reader's error, if it failed for another reason than EOF.
func (s *scanner) readErr() error {
	if s.err != nil && s.err != io.EOF {
		return fmt.Errorf("plan JSON: %w", s.err)
	}
	return nil
}

// truncated is the error for input that ends inside a value.
func (s *scanner) truncated() error {
	if err := s.readErr(); err != nil {
		return err
	}
	return fmt.Errorf("plan JSON is truncated at byte %d", s.offset())
}

func (s *scanner) syntax(format string, args ...any) error {
	return fmt.Errorf("plan JSON is malformed at byte %d: %s", s.offset(), fmt.Sprintf(format, args...))
}

// skipSpace passes over whitespace; false at the end of the input.
func (s *scanner) skipSpace() bool {
	for {
		for s.pos < s.end {
			switch s.buf[s.pos] {
			case ' ', '\t', '\n', '\r':
				s.pos++
			default:
				return true
			}
		}
		if !s.fill() {
			return false
		}
	}
}

// peek returns the next byte after whitespace without consuming it.
func (s *scanner) peek() (byte, error) {
	if !s.skipSpace() {
		return 0, s.truncated()
	}
	return s.buf[s.pos], nil
}

// peekByte returns the next byte, whitespace included, without consuming
// it; false at the end of the input.
func (s *scanner) peekByte() (byte, bool) {
	if s.pos == s.end && !s.fill() {
		return 0, false
	}
	return s.buf[s.pos], true
}

// next consumes and returns one byte.
func (s *scanner) next() (byte, error) {
	if s.pos == s.end && !s.fill() {
		return 0, s.truncated()
	}
	c := s.buf[s.pos]
	s.pos++
	return c, nil
}

// object reads the object that starts at the next byte (a peeked '{'),
// calling fn with each key; fn must consume the key's value. The key is
// valid until fn reads another object. A nil fn skips the object.
func (s *scanner) object(fn func(key []byte) error) error {
	s.pos++
	if s.depth++; s.depth > maxDepth {
		return s.syntax("exceeded max depth")
	}
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c != '}' {
		for {
			if c != '"' {
				return s.syntax("invalid character %s looking for beginning of object key string", quoteChar(c))
			}
			var key []byte
			if fn == nil {
				err = s.skipString()
			} else {
				key, err = s.keyValue()
			}
			if err != nil {
				return err
			}
			if c, err = s.peek(); err != nil {
				return err
			}
			if c != ':' {
				return s.syntax("invalid character %s after object key", quoteChar(c))
			}
			s.pos++
			if fn == nil {
				err = s.skipValue()
			} else {
				err = fn(key)
			}
			if err != nil {
				return err
			}
			if c, err = s.peek(); err != nil {
				return err
			}
			if c == '}' {
				break
			}
			if c != ',' {
				return s.syntax("invalid character %s after object key:value pair", quoteChar(c))
			}
			s.pos++
			if c, err = s.peek(); err != nil {
				return err
			}
		}
	}
	s.pos++
	s.depth--
	return nil
}

// array reads the array that starts at the next byte (a peeked '['),
// calling fn for each element; fn must consume it.
func (s *scanner) array(fn func() error) error {
	s.pos++
	if s.depth++; s.depth > maxDepth {
		return s.syntax("exceeded max depth")
	}
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c != ']' {
		for {
			if err := fn(); err != nil {
				return err
			}
			if c, err = s.peek(); err != nil {
				return err
			}
			if c == ']' {
				break
			}
			if c != ',' {
				return s.syntax("invalid character %s after array element", quoteChar(c))
			}
			s.pos++
		}
	}
	s.pos++
	s.depth--
	return nil
}

// skipValue validates and passes over the next value.
func (s *scanner) skipValue() error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	switch c {
	case '{':
		return s.object(nil)
	case '[':
		return s.array(s.skipValue)
	case '"':
		return s.skipString()
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	}
	if c == '-' || '0' <= c && c <= '9' {
		return s.number()
	}
	return s.syntax("invalid character %s looking for beginning of value", quoteChar(c))
}

// plain marks the bytes a string holds as they are: not the closing quote,
// not an escape, not a control character.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// skipString passes over the string that starts at the next byte.
func (s *scanner) skipString() error {
	s.pos++
	for {
		b := s.buf[s.pos:s.end]
		i := 0
		for i < len(b) && plain[b[i]] {
			i++
		}
		s.pos += i
		if s.pos == s.end {
			if !s.fill() {
				return s.truncated()
			}
			continue
		}
		switch c := s.buf[s.pos]; c {
		case '"':
			s.pos++
			return nil
		case '\\':
			if err := s.escape(); err != nil {
				return err
			}
		default:
			return s.syntax("invalid character %s in string literal", quoteChar(c))
		}
	}
}

// escape passes over one escape sequence in a string.
func (s *scanner) escape() error {
	s.pos++ // the backslash
	c, err := s.next()
	if err != nil {
		return err
	}
	switch c {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return nil
	case 'u':
		for range 4 {
			if c, err = s.next(); err != nil {
				return err
			}
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				s.pos--
				return s.syntax("invalid character %s in \\u hexadecimal character escape", quoteChar(c))
			}
		}
		return nil
	}
	s.pos--
	return s.syntax("invalid character %s in string escape code", quoteChar(c))
}

// number passes over the number that starts at the next byte.
func (s *scanner) number() error {
	c, err := s.next()
	if err != nil {
		return err
	}
	if c == '-' {
		if c, err = s.next(); err != nil {
			return err
		}
	}
	switch {
	case c == '0':
	case '1' <= c && c <= '9':
		s.digits()
	default:
		s.pos--
		return s.syntax("invalid character %s in numeric literal", quoteChar(c))
	}
	if c, ok := s.peekByte(); ok && c == '.' {
		s.pos++
		if err := s.someDigits(); err != nil {
			return err
		}
	}
	if c, ok := s.peekByte(); ok && (c == 'e' || c == 'E') {
		s.pos++
		if c, ok := s.peekByte(); ok && (c == '+' || c == '-') {
			s.pos++
		}
		return s.someDigits()
	}
	return nil
}

// someDigits passes over one or more digits.
func (s *scanner) someDigits() error {
	c, err := s.next()
	if err != nil {
		return err
	}
	if c < '0' || c > '9' {
		s.pos--
		return s.syntax("invalid character %s in numeric literal", quoteChar(c))
	}
	s.digits()
	return nil
}

// digits passes over zero or more digits.
func (s *scanner) digits() {
	for {
		c, ok := s.peekByte()
		if !ok || c < '0' || c > '9' {
			return
		}
		s.pos++
	}
}

// literal passes over the literal word (true, false or null).
func (s *scanner) literal(word string) error {
	for i := range len(word) {
		c, err := s.next()
		if err != nil {
			return err
		}
		if c != word[i] {
			s.pos--
			return s.syntax("invalid character %s in literal %s (expecting %s)", quoteChar(c), word, quoteChar(word[i]))
		}
	}
	return nil
}

// capture runs scan, which must consume one value starting at the next
// byte, and returns the value's bytes appended to dst.
func (s *scanner) capture(dst []byte, scan func() error) ([]byte, error) {
	s.capturing, s.capFrom, s.capBuf = true, s.pos, dst
	err := scan()
	out := append(s.capBuf, s.buf[s.capFrom:s.pos]...)
	s.capturing, s.capBuf = false, nil
	return out, err
}

// rawValue returns a copy of the next value's bytes.
func (s *scanner) rawValue() (json.RawMessage, error) {
	if _, err := s.peek(); err != nil {
		return nil, err
	}
	return s.capture(nil, s.skipValue)
}

// keyValue reads an object key (a peeked '"'), unescaped.
func (s *scanner) keyValue() ([]byte, error) {
	raw, err := s.capture(s.key[:0], s.skipString)
	s.key = raw
	if err != nil {
		return nil, err
	}
	key := raw[1 : len(raw)-1]
	if bytes.IndexByte(key, '\\') < 0 {
		return key, nil
	}
	var k string
	if err := json.Unmarshal(raw, &k); err != nil {
		return nil, s.syntax("%v", err)
	}
	return []byte(k), nil
}

// stringValue reads a string; null reads as "", as encoding/json leaves a
// string it decodes null into.
func (s *scanner) stringValue(name string) (string, error) {
	c, err := s.peek()
	if err != nil {
		return "", err
	}
	switch c {
	case 'n':
		return "", s.literal("null")
	case '"':
	default:
		return "", s.unexpected(name, "a string")
	}
	raw, err := s.capture(s.str[:0], s.skipString)
	s.str = raw
	if err != nil {
		return "", err
	}
	// Strings without escapes, in valid UTF-8, are taken as they are; the
	// rest get encoding/json's exact treatment.
	if v := raw[1 : len(raw)-1]; bytes.IndexByte(v, '\\') < 0 && utf8.Valid(v) {
		return string(v), nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", s.syntax("%v", err)
	}
	return v, nil
}

// stringsValue reads an array of strings; null reads as nil.
func (s *scanner) stringsValue(name string) ([]string, error) {
	c, err := s.peek()
	if err != nil {
		return nil, err
	}
	switch c {
	case 'n':
		return nil, s.literal("null")
	case '[':
	default:
		return nil, s.unexpected(name, "an array of strings")
	}
	out := []string{}
	err = s.array(func() error {
		v, err := s.stringValue(name)
		out = append(out, v)
		return err
	})
	return out, err
}

// boolValue reads true or false; null reads as false.
func (s *scanner) boolValue(name string) (bool, error) {
	c, err := s.peek()
	if err != nil {
		return false, err
	}
	switch c {
	case 't':
		return true, s.literal("true")
	case 'f':
		return false, s.literal("false")
	case 'n':
		return false, s.literal("null")
	}
	return false, s.unexpected(name, "true or false")
}

// unexpected is the error for a value of the wrong kind at name.
func (s *scanner) unexpected(name, want string) error {
	at := s.offset()
	what, err := s.describe()
	if err != nil {
		return err
	}
	return fmt.Errorf("plan JSON has an unexpected value at byte %d: %s is %s, want %s", at, name, what, want)
}

// describe names the kind of the value at the next byte, for errors; input
// that is not even a value is a syntax error.
func (s *scanner) describe() (string, error) {
	c, err := s.peek()
	if err != nil {
		return "", err
	}
	switch c {
	case '{', '[':
		return fmt.Sprintf("%q", string(c)), nil
	case '"':
		return "a string", nil
	case 't', 'f', 'n':
		word := map[byte]string{'t': "true", 'f': "false", 'n': "null"}[c]
		return word, s.literal(word)
	}
	if c == '-' || '0' <= c && c <= '9' {
		return "a number", s.number()
	}
	return "", s.syntax("invalid character %s looking for beginning of value", quoteChar(c))
}

// quoteChar writes a byte as encoding/json's errors do.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	q := strconv.Quote(string(rune(c)))
	return "'" + q[1:len(q)-1] + "'"
}
