package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// Plans Terraform really writes are tested against fixtures made by the
// provider's make target; these cases need no real plan.
func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "plan JSON is empty"},
		{"whitespace", " \n\t", "plan JSON is empty"},
		{"truncated", `{"format_version": "1.2", "resource_changes": [{"address": "a.b"`, "truncated"},
		{"truncated in a key", `{"format_ver`, "truncated"},
		{"not JSON", `plan: 1 to add`, "malformed at byte"},
		{"array", `[{"format_version": "1.2"}]`, `not an object: it starts with "["`},
		{"string", `"1.2"`, "not an object: it starts with a string"},
		{"null", `null`, "not an object: it starts with null"},
		{"major 2", `{"format_version": "2.0", "resource_changes": []}`, `format_version "2.0" is not supported`},
		{"major 0", `{"format_version": "0.1"}`, `format_version "0.1" is not supported`},
		{"no minor", `{"format_version": "1"}`, `format_version "1" is not supported`},
		{"missing format_version", `{"terraform_version": "1.9.0", "resource_changes": []}`, "no format_version"},
		{"format_version not a string", `{"format_version": 1.2}`, "unexpected value"},
		{"trailing data", `{"format_version": "1.2", "planned_values": {}} {}`, "trailing data"},
		// A state file, or a bare version, must not pass as an empty plan.
		{"state file", `{"format_version": "1.0", "terraform_version": "1.8.5", "values": {"root_module": {}}}`, "no planned_values"},
		{"bare version", `{"format_version": "1.2"}`, "no planned_values"},
		{"errored plan", `{"format_version": "1.2", "planned_values": {}, "errored": true}`, "planning failed"},
		{"resource_changes not an array", `{"format_version": "1.2", "resource_changes": {}}`, "resource_changes is not an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Read(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Read = %+v, %v; want error containing %q", p, err, tt.want)
			}
		})
	}
}

func TestReadFileNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(path, []byte(`{"format_version": "2.1"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadFile error = %v, want it to name %s", err, path)
	}
	missing := filepath.Join(t.TempDir(), "missing.json")
	if _, err := ReadFile(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("ReadFile error = %v, want it to name %s", err, missing)
	}
}

// Plan JSON saved the way Windows PowerShell 5 or the setup-terraform
// wrapper saves it is refused with what to do instead, never read as
// malformed JSON that leaves the user guessing.
func TestReadRefusesPlanFilesThatPointElsewhere(t *testing.T) {
	plan := `{"format_version":"1.2","planned_values":{}}`
	if _, err := Read(strings.NewReader(plan)); err != nil {
		t.Fatalf("the plan itself is refused: %v", err)
	}
	utf16le := func(s string, bom bool) string {
		var b strings.Builder
		if bom {
			b.WriteString("\xff\xfe")
		}
		for _, r := range s {
			b.WriteByte(byte(r))
			b.WriteByte(0)
		}
		return b.String()
	}
	utf8Fix := "`terraform show -json tfplan | Out-File -Encoding utf8NoBOM plan.json`"
	wrapperFix := "set `terraform_wrapper: false` on hashicorp/setup-terraform"
	tests := []struct {
		name, in string
		want     []string
	}{
		{"UTF-16LE with BOM", utf16le(plan, true), []string{"UTF-16LE with a byte-order mark", "Windows PowerShell 5", "`terraform show -json tfplan > plan.json`", utf8Fix}},
		{"UTF-16LE without BOM", utf16le(plan, false), []string{"UTF-16LE", "`terraform show -json tfplan > plan.json`", utf8Fix}},
		{"UTF-16BE with BOM", "\xfe\xff\x00{\x00\"", []string{"UTF-16BE", utf8Fix}},
		{"UTF-8 BOM", "\xef\xbb\xbf" + plan, []string{"UTF-8 byte-order mark", "`terraform show -json tfplan > plan.json`", utf8Fix}},
		{"wrapper command line", "[command]/home/runner/work/_temp/1b2c/terraform-bin show -json tfplan\n" + plan + "\n::debug::Terraform exited with code 0.\n",
			[]string{`starts with "[command]"`, wrapperFix}},
		{"wrapper debug lines first", "::debug::stdout: " + plan + "\n", []string{wrapperFix}},
		{"wrapper debug lines after the plan", plan + "\n::debug::Terraform exited with code 0.\n::debug::stdout: {}\n", []string{"trailing data", wrapperFix}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tt.in), &oneByteReader{[]byte(tt.in)}} {
				p, err := Read(r)
				if err == nil {
					t.Fatalf("Read(%T) = %+v, want an error", r, p)
				}
				for _, want := range tt.want {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("Read(%T) error %q does not say %q", r, err, want)
					}
				}
			}
		})
	}
}

// What the strict tokenizer refuses on purpose, with an error that says so:
// duplicate names and text that is not Unicode mean different things to
// different JSON readers, so a plan holding them could show the gate one
// plan and Terraform another.
func TestReadRefusesAmbiguousJSON(t *testing.T) {
	tests := []struct {
		name, value, want string
	}{
		{"duplicate name", `{"a":1,"a":2}`, `duplicate object member name "a" in /planned_values/x: refused`},
		{"duplicate name spelled with an escape", `{"a":1,"\u0061":2}`, `duplicate object member name "a"`},
		{"invalid UTF-8", "\"\xff\"", "invalid UTF-8 in a string (at /planned_values/x): refused"},
		{"UTF-8 encoded surrogate", "\"\xed\xa0\x80\"", "invalid UTF-8 in a string"},
		{"escaped lone high surrogate", `"\ud800"`, "an escaped UTF-16 surrogate without its pair in a string (at /planned_values/x): refused"},
		{"escaped lone low surrogate", `"\udc00 "`, "an escaped UTF-16 surrogate without its pair"},
		{"escaped surrogates in the wrong order", `"\udc00\ud800"`, "an escaped UTF-16 surrogate without its pair"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := `{"format_version":"1.2","planned_values":{"x":` + tt.value + `}}`
			if !json.Valid([]byte(doc)) {
				t.Fatalf("encoding/json calls %q invalid: the case tests nothing", doc)
			}
			if _, err := Read(strings.NewReader(doc)); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Read error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	// A duplicate name where the gate reads: two actions lists, two types.
	for _, entry := range []string{
		`{"address":"jit_elevation.x","mode":"managed","type":"jit_elevation","type":"terraform_data","name":"x","change":{"actions":["create"]}}`,
		`{"address":"jit_elevation.x","mode":"managed","type":"jit_elevation","name":"x","change":{"actions":["no-op"],"actions":["create"]}}`,
	} {
		doc := `{"format_version":"1.2","planned_values":{},"resource_changes":[` + entry + `]}`
		if _, err := Read(strings.NewReader(doc)); err == nil || !strings.Contains(err.Error(), "duplicate object member name") {
			t.Errorf("Read(%s) error = %v, want a duplicate name refused", entry, err)
		}
	}
}

// jsonSamples are JSON texts, valid and not, for the differential check:
// every kind of value and escape, the edges of the grammar, what the strict
// tokenizer refuses on purpose, and the nesting limit.
var jsonSamples = []string{
	`null`, `true`, `false`, `0`, `-0`, `-0.0e-0`, `1E+2`, `123456789012345678901234567890`, `1e999`, `[]`, `{}`,
	` [ 1 , { "a" : [ ] } ] `, "\t\n\r{\"a\":\r\n1}",
	`"plain"`, `""`, `"\"\\\/\b\f\n\r\t"`, `"\u00e9\u20AC"`, `"\ud83d\ude00"`, `"\\ud800"`, `"\u0000"`, "\"é€😀\"",
	`{"a":{"a":1},"b":[{"a":1},{"a":2}]}`, `{"a":1,"A":2}`, `{"":1}`, `{"a\"b":1,"a\\b":2}`,
	// Refused on purpose.
	`{"a":1,"a":2}`, `{"a":1,"\u0061":2}`, `[{"x":{"k":1,"k":1}}]`, "\"\xff\"", "{\"\xff\":1}", "\"\xc3\"", "\"\xed\xa0\x80\"",
	`"\ud800"`, `"\udfff"`, `"\ud800\u0041"`, `"\udc00\ud800"`, `{"\ud800":1}`,
	// Not JSON.
	``, ` `, `[1,]`, `{"a":1,}`, `[,1]`, `{,}`, `01`, `1.`, `.5`, `-`, `+1`, `1e`, `1e+`, `0x10`, `NaN`, `Infinity`, `-Infinity`,
	`tru`, `nul`, `nulls`, `True`, `'a'`, `"\x"`, `"\u12g4"`, `"\u12"`, "\"a\tb\"", "\"a\nb\"", `"abc`, `[`, `{`, `]`, `}`,
	`{"a" 1}`, `{"a":1 "b":2}`, `{a:1}`, `[1 2]`, `1 2`, `{}{}`, `{"a":1}}`, "\u00a0null", "null\x00",
	strings.Repeat("[", 9998) + strings.Repeat("]", 9998),
	strings.Repeat("[", 9999) + strings.Repeat("]", 9999),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
}

// slots are plans that hold a JSON value where the reader validates it and
// passes over it (a large top-level member, an entry member, a value of a
// resource the gate does not model) or decodes it generically.
var slots = []string{
	`{"format_version":"1.2","planned_values":%s}`,
	`{"format_version":"1.2","planned_values":{},"prior_state":%s,"resource_changes":[]}`,
	`{"format_version":"1.2","planned_values":{},"resource_changes":[{"address":"terraform_data.x","mode":"managed","type":"terraform_data","name":"x","sensitive":%s,"change":{"actions":["create"]}}]}`,
	`{"format_version":"1.2","planned_values":{},"resource_changes":[{"address":"terraform_data.x","mode":"managed","type":"terraform_data","name":"x","change":{"actions":["create"],"before":null,"after":%s}}]}`,
	// Values of access-granting types are decoded whole, whatever they hold.
	`{"format_version":"1.2","planned_values":{},"resource_changes":[{"address":"github_membership.x","mode":"managed","type":"github_membership","name":"x","change":{"actions":["update"],"before":%s,"after":null}}]}`,
}

// refusedOnPurpose says what of a valid JSON text the strict tokenizer
// refuses, in the words its error uses; "" when nothing. It reads the text
// with encoding/json, independently of the reader.
func refusedOnPurpose(t *testing.T, text []byte) string {
	if !utf8.Valid(text) { // outside strings JSON text is ASCII
		return "invalid UTF-8"
	}
	if loneSurrogateEscape(text) {
		return "an escaped UTF-16 surrogate without its pair"
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	type frame struct {
		object    bool
		names     map[string]bool
		expectKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return ""
		}
		if err != nil {
			t.Fatalf("encoding/json calls %q valid but cannot tokenize it: %v", text, err)
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.expectKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				if len(stack) > 0 {
					stack[len(stack)-1].expectKey = stack[len(stack)-1].object
				}
				continue
			}
			name := tok.(string)
			if top.names[name] {
				return "duplicate object member name"
			}
			top.names[name] = true
			top.expectKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, names: map[string]bool{}, expectKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 {
			stack[len(stack)-1].expectKey = stack[len(stack)-1].object
		}
	}
}

// loneSurrogateEscape reports whether a valid JSON text has a \u escape of
// a UTF-16 surrogate that is not part of a high-low pair.
func loneSurrogateEscape(text []byte) bool {
	inString := false
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '"':
			inString = !inString
		case inString && c == '\\' && text[i+1] != 'u':
			i++
		case inString && c == '\\':
			r, _ := strconv.ParseUint(string(text[i+2:i+6]), 16, 16)
			i += 5
			if !utf16.IsSurrogate(rune(r)) {
				continue
			}
			if r >= 0xdc00 || i+6 >= len(text) || text[i+1] != '\\' || text[i+2] != 'u' {
				return true
			}
			low, _ := strconv.ParseUint(string(text[i+3:i+7]), 16, 16)
			if low < 0xdc00 || low > 0xdfff {
				return true
			}
			i += 6
		}
	}
	return false
}

// checkAcceptsValidJSON is the differential check of the tokenizer against
// encoding/json: in every slot the reader accepts the plan exactly when
// encoding/json calls it valid, except what strictness refuses on purpose,
// which it refuses saying so. A text that is invalid on its own but makes a
// valid plan (1,"x":2) has left its slot and says nothing about it.
func checkAcceptsValidJSON(t *testing.T, text []byte) {
	t.Helper()
	for _, slot := range slots {
		doc := fmt.Appendf(nil, slot, text)
		_, err := Read(bytes.NewReader(doc))
		switch {
		case !json.Valid(doc):
			if err == nil {
				t.Fatalf("Read accepted what encoding/json calls invalid: %q", doc)
			}
		case !json.Valid(text):
		case refusedOnPurpose(t, text) != "":
			if why := refusedOnPurpose(t, text); err == nil || !strings.Contains(err.Error(), why) {
				t.Fatalf("Read(%q) = %v, want it refused for %s", doc, err, why)
			}
		case err != nil:
			t.Fatalf("Read refused what encoding/json calls valid: %v\n%q", err, doc)
		}
	}
	// Whole, the text is no plan Read may accept unless it is valid JSON.
	if _, err := Read(bytes.NewReader(text)); err == nil && !json.Valid(text) {
		t.Fatalf("Read accepted what encoding/json calls invalid: %q", text)
	}
}

func TestReadAcceptsExactlyValidJSON(t *testing.T) {
	for _, s := range jsonSamples {
		checkAcceptsValidJSON(t, []byte(s))
	}
	// The plans Terraform wrote, whole and as a slot's value.
	fixtures, _ := filepath.Glob(filepath.Join(fixtureDir, "*.json"))
	for _, path := range fixtures {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		checkAcceptsValidJSON(t, data)
	}
}

func FuzzReadAcceptsExactlyValidJSON(f *testing.F) {
	for _, s := range jsonSamples {
		f.Add([]byte(s))
	}
	f.Add([]byte(richPlan))
	f.Fuzz(checkAcceptsValidJSON)
}
