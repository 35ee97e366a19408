package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Benchmarks of plan reading on the plans `make bench` generates with real
// Terraform, and the encoding/json reference reader, kept as the oracle
// Read is tested against. (The hand-written scanner that jsontext replaced
// is measured against this one by building it from its commit: see
// BENCHMARKS.md.)

// generatedPlan returns the plan of the given size (100, 1000 or 10000
// resources) that `make bench` generates, or the file JIT_BENCH_PLAN names
// for size 10000; ok is false when it has not been generated (the 10 MB plan
// is not committed).
func generatedPlan(tb testing.TB, size int) (data []byte, path string, ok bool) {
	tb.Helper()
	path = filepath.Join("..", "..", "bench", ".work", "plans", fmt.Sprintf("size-%d.json", size))
	if env := os.Getenv("JIT_BENCH_PLAN"); env != "" && size == 10000 {
		path = env
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, path, false
	}
	if err != nil {
		tb.Fatal(err)
	}
	return data, path, true
}

func benchPlan(b *testing.B) []byte {
	data, path, ok := generatedPlan(b, 10000)
	if !ok {
		b.Skipf("no generated plan at %s: run `make bench` first, or set JIT_BENCH_PLAN", path)
	}
	return data
}

// benchRead runs read on the 10,000-resource plan. Besides wall time it
// reports the process's CPU time per read (cpu-ns/op), which other work on
// a shared machine disturbs far less than wall time.
func benchRead(b *testing.B, read func(io.Reader) error) {
	data := benchPlan(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := cpuTime(b)
	for b.Loop() {
		if err := read(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkRead(b *testing.B) {
	benchRead(b, func(r io.Reader) error { _, err := Read(r); return err })
}

// BenchmarkReadReference is the reader before the single-pass scanner.
func BenchmarkReadReference(b *testing.B) {
	benchRead(b, func(r io.Reader) error { _, err := readReference(r); return err })
}

// BenchmarkTypedDecode is the floor Read is measured against (bench/floor in
// process): resource_changes decoded into typed structs, nothing else.
func BenchmarkTypedDecode(b *testing.B) {
	benchRead(b, func(r io.Reader) error {
		var p struct {
			ResourceChanges []rawEntry `json:"resource_changes"`
		}
		return json.NewDecoder(r).Decode(&p)
	})
}

// richPlan has what the generated plans lack: modules, for_each keys with
// escapes, updates, deletes, replaces, deposed objects, data sources, drift,
// keys in an unusual order, and values of every JSON kind.
const richPlan = `{"format_version":"1.2","terraform_version":"1.8.5",
 "planned_values":{"root_module":{"resources":[{"address":"terraform_data.x","values":{"n":-1.5e+3,"z":0,"f":0.25,"t":true,"u":null,"s":"\u003c\"\\/\n\té"}}]}},
 "resource_drift":[
  {"address":"jit_elevation.old","mode":"managed","type":"jit_elevation","name":"old","change":{"actions":["update"],
   "before":{"status":"active","revoked_at":null,"history":[{"at":"t1"}]},"after":{"status":"revoked","revoked_at":"2026-01-01T00:00:00Z","history":[{"at":"t1"},{"at":"t2"}]}}},
  {"address":"terraform_data.gone","mode":"managed","type":"terraform_data","name":"gone","change":{"actions":["delete"],"before":{"id":"x"},"after":null}}
 ],
 "resource_changes":[
  {"address":"module.a[\"k\"].jit_optout_policy.p","module_address":"module.a[\"k\"]","mode":"managed","type":"jit_optout_policy","name":"p","provider_name":"registry.terraform.io/jitgate/jit",
   "change":{"actions":["update"],
    "before":{"id":"admins","name":"admins","scopes":["github:repo:acme/*:admin"],"max_duration":"4h","required_approvals":2,"approvers":["bob","team:acme/sec"],"requesters":null,"reason":{"min_length":30,"pattern":null,"ticket_required":true,"ticket_pattern":"^INC-[0-9]+$"},"max_active_per_principal":null,"break_glass":null,"governance_approvals":null,"standing":{"breakglass":"vault"},"exclusive":false,"observed":{},"fingerprint":"f1","version":1},
    "after":{"id":"admins","name":"admins","scopes":["github:repo:acme/*:admin","github:team:acme/*"],"max_duration":"8h","required_approvals":2,"approvers":["bob","team:acme/sec"],"requesters":null,"reason":[{"min_length":20,"pattern":null,"ticket_required":false,"ticket_pattern":null}],"max_active_per_principal":1,"break_glass":{"enabled":true,"max_duration":"1h","required_approvals":0,"review_within":"24h"},"governance_approvals":3,"standing":null,"exclusive":true,"observed":null,"fingerprint":"f1","version":1},
    "after_unknown":{"fingerprint":true,"version":true,"observed":true,"scopes":[false,false]},
    "before_sensitive":{},"after_sensitive":{}}},
  {"change":{"actions":["create"],"before":null,"after":{"policy_id":"admins","principal":"mona","scope":"github:repo:acme/api:admin","reason":"Rotate the key \u2014 INC-4711 \"now\"","duration":"2h","ticket":"INC-4711","break_glass":false},"after_unknown":{"id":true,"status":true,"history":true}},
   "type":"jit_elevation","name":"e","index":"k\"x","mode":"managed","address":"jit_elevation.e[\"k\\\"x\"]"},
  {"address":"jit_elevation.n[3]","mode":"managed","type":"jit_elevation","name":"n","index":3,"change":{"actions":["delete"],"before":{"policy_id":"admins","principal":"x","scope":"github:team:acme/ops","reason":"r","duration":"30m","status":"active","revoked_at":null},"after":null}},
  {"address":"jit_elevation.r","mode":"managed","type":"jit_elevation","name":"r","deposed":"00000001","change":{"actions":["delete","create"],"before":{"duration":"1h"},"after":{"duration":"2h"},"after_unknown":{}}},
  {"address":"terraform_data.d[0]","mode":"managed","type":"terraform_data","name":"d","index":0,"change":{"actions":["create"],"before":null,"after":{"input":{"a":[1,2,{"b":null}]}},"after_unknown":{"id":true}}},
  {"address":"terraform_data.same","mode":"managed","type":"terraform_data","name":"same","change":{"actions":["no-op"],"before":{},"after":{}}},
  {"address":"data.jit_thing.x","mode":"data","type":"jit_elevation","name":"x","change":{"actions":["read"],"before":null,"after":{"duration":"1h"}}},
  {"address":"null_resource.f","mode":"managed","type":"null_resource","name":"f","change":{"actions":["create","forget"],"before":{},"after":{}}}
 ],
 "output_changes":{"o":{"actions":["no-op"],"before":1,"after":1}},
 "prior_state":{"format_version":"1.0","values":{"root_module":{}}},
 "configuration":{"provider_config":{"terraform":{"name":"terraform","full_name":"terraform.io/builtin/terraform"}},
  "root_module":{"resources":[{"address":"terraform_data.x","mode":"managed","type":"terraform_data","name":"x","provider_config_key":"terraform","expressions":{"input":{"constant_value":[]}}}]}},
 "relevant_attributes":[{"resource":"jit_elevation.old","attribute":["status"]}],
 "timestamp":"2026-11-28T00:00:00Z","applyable":true,"complete":true,"errored":false}`

// testPlans are the inputs Read must read exactly as readReference does:
// richPlan, the fixtures Terraform wrote (testdata/plans), the generated
// plans when present, and each pretty-printed.
func testPlans(t *testing.T) map[string][]byte {
	plans := map[string][]byte{"rich": []byte(richPlan)}
	fixtures, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "plans", "*.json"))
	for _, path := range fixtures {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		plans["fixture-"+filepath.Base(path)] = data
	}
	for _, size := range []int{100, 1000, 10000} {
		if data, _, ok := generatedPlan(t, size); ok {
			plans[fmt.Sprintf("generated-%d", size)] = data
		}
	}
	for name, data := range maps.Clone(plans) {
		var indented bytes.Buffer
		if err := json.Indent(&indented, data, "", "\t"); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		plans[name+"-indented"] = indented.Bytes()
	}
	return plans
}

func TestReadMatchesReference(t *testing.T) {
	for name, data := range testPlans(t) {
		t.Run(name, func(t *testing.T) {
			want, err := readReference(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("reference: %v", err)
			}
			// One byte at a time, so every value crosses buffer refills.
			for _, r := range []io.Reader{bytes.NewReader(data), &oneByteReader{data}} {
				got, err := Read(r)
				if err != nil {
					t.Fatalf("Read(%T): %v", r, err)
				}
				got.WholePlan = WholePlan{} // the reference reads no more than the typed model
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("Read(%T) differs from the reference:\n got %+v\nwant %+v", r, got, want)
				}
			}
		})
	}
}

type oneByteReader struct{ data []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0], r.data = r.data[0], r.data[1:]
	return 1, nil
}

// Every proper prefix of a plan is refused: truncation never passes.
func TestReadRefusesEveryPrefix(t *testing.T) {
	data := []byte(richPlan)
	for n := range len(data) {
		if p, err := Read(bytes.NewReader(data[:n])); err == nil {
			t.Fatalf("Read accepted the first %d of %d bytes: %+v", n, len(data), p)
		}
	}
}

func TestReadRefusesMalformed(t *testing.T) {
	valid := `{"format_version":"1.2","planned_values":{},"resource_changes":[]}`
	if _, err := Read(strings.NewReader(valid)); err != nil {
		t.Fatalf("valid base refused: %v", err)
	}
	for _, in := range []string{
		`{"format_version":"1.2","planned_values":{"a":[1,]},"resource_changes":[]}`,
		`{"format_version":"1.2","planned_values":{"a":01},"resource_changes":[]}`,
		`{"format_version":"1.2","planned_values":{"a":1.},"resource_changes":[]}`,
		`{"format_version":"1.2","planned_values":{"a":-},"resource_changes":[]}`,
		`{"format_version":"1.2","planned_values":{"a":1e},"resource_changes":[]}`,
		`{"format_version":"1.2","planned_values":{"a":tru},"resource_changes":[]}`,
		`{"format_version":"1.2","planned_values":{"a":nul},"resource_changes":[]}`,
		`{"format_version":"1.2","planned_values":{"a":"\x"},"resource_changes":[]}`,
		`{"format_version":"1.2","planned_values":{"a":"\u12g4"},"resource_changes":[]}`,
		"{\"format_version\":\"1.2\",\"planned_values\":{\"a\":\"tab\there\"},\"resource_changes\":[]}",
		`{"format_version":"1.2","planned_values":{"a" 1},"resource_changes":[]}`,
		`{"format_version":"1.2","planned_values":{"a":1 "b":2},"resource_changes":[]}`,
		`{"format_version":"1.2","planned_values":{a:1},"resource_changes":[]}`,
		`{"format_version":"1.2","planned_values":{},"resource_changes":[],}`,
		`{"format_version":"1.2","planned_values":{},"resource_changes":[{"address":"a.b","type":"a","mode":"managed","change":{"actions":["create"]}} {}]}`,
		`{"format_version":"1.2","planned_values":{},"resource_changes":[]}}`,
		`{"format_version":"1.2","planned_values":{},"resource_changes":[]} x`,
		`{"format_version":"1.2","planned_values":{},"resource_changes":[],"errored":"no"}`,
		`{"format_version":"1.2","planned_values":{},"resource_changes":[{"address":1,"type":"a"}]}`,
		`{"format_version":"1.2","planned_values":{},"resource_changes":[{"address":"a.b","type":"a","change":{"actions":"create"}}]}`,
		`{"format_version":"1.2","planned_values":{},"resource_changes":[{"address":"a.b","type":"a","change":{"actions":["explode"]}}]}`,
		`{"format_version":"1.2","planned_values":{},"resource_changes":["a.b"]}`,
		`{"format_version":"1.2","planned_values":{},"resource_changes":[{"address":"a.b","type":"a","change":[]}]}`,
		`{"format_version":"1.2","planned_values":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
	} {
		if p, err := Read(strings.NewReader(in)); err == nil {
			t.Errorf("Read accepted %.120q: %+v", in, p)
		}
	}
}

// FuzzReadNoLaxerThanReference: whatever Read accepts, the reference reader
// accepts and reads the same way. (Read may refuse more: it matches keys
// exactly, where encoding/json also takes other letter cases.)
func FuzzReadNoLaxerThanReference(f *testing.F) {
	f.Add([]byte(richPlan))
	f.Add([]byte(`{"format_version":"1.2","planned_values":{},"resource_changes":null,"resource_drift":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		want, err := readReference(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("Read accepted what the reference refuses (%v): %q", err, data)
		}
		got.WholePlan = WholePlan{}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Read differs from the reference on %q:\n got %+v\nwant %+v", data, got, want)
		}
	})
}

// readReference is Read as it was before the single-pass scanner: encoding/json's
// Decoder over the top level, each entry decoded into rawEntry. It stays as
// the benchmark's "before" and as the oracle TestReadMatchesReference and
// FuzzReadNoLaxerThanReference hold Read to.
func readReference(r io.Reader) (*Plan, error) {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err == io.EOF {
		return nil, errors.New("plan JSON is empty")
	}
	if err != nil {
		return nil, malformedRef(dec, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("plan JSON is not an object: it starts with %s", describeRef(tok))
	}
	p := &Plan{}
	seenVersion, seenPlanned, errored := false, false, false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, malformedRef(dec, err)
		}
		switch key := tok.(string); key {
		case "format_version":
			if err := dec.Decode(&p.FormatVersion); err != nil {
				return nil, malformedRef(dec, err)
			}
			// Checked at once: a plan of another major version may not even
			// have the shape the rest of this reader expects.
			if err := checkFormatVersion(p.FormatVersion); err != nil {
				return nil, err
			}
			seenVersion = true
		case "terraform_version":
			if err := dec.Decode(&p.TerraformVersion); err != nil {
				return nil, malformedRef(dec, err)
			}
		case "errored":
			if err := dec.Decode(&errored); err != nil {
				return nil, malformedRef(dec, err)
			}
		case "planned_values":
			seenPlanned = true
			if err := dec.Decode(&skipRef{}); err != nil {
				return nil, malformedRef(dec, err)
			}
		case "resource_changes":
			if err := eachEntryRef(dec, key, p.addChange); err != nil {
				return nil, err
			}
		case "resource_drift":
			if err := eachEntryRef(dec, key, p.addDrift); err != nil {
				return nil, err
			}
		default:
			if err := dec.Decode(&skipRef{}); err != nil {
				return nil, malformedRef(dec, err)
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, malformedRef(dec, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("plan JSON has trailing data after the top-level object at byte %d", dec.InputOffset())
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

// skipRef discards a JSON value without building it.
type skipRef struct{}

func (*skipRef) UnmarshalJSON([]byte) error { return nil }

// malformedRef turns a decoding error into one that says what is wrong with the
// input and where.
func malformedRef(dec *json.Decoder, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("plan JSON is truncated at byte %d", dec.InputOffset())
	case errors.As(err, &syn):
		return fmt.Errorf("plan JSON is malformed at byte %d: %v", syn.Offset, err)
	case errors.As(err, &typ):
		return fmt.Errorf("plan JSON has an unexpected value at byte %d: %v", typ.Offset, err)
	}
	return fmt.Errorf("plan JSON: %w", err)
}

func describeRef(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(t))
	case nil:
		return "null"
	case string:
		return "a string"
	}
	return fmt.Sprintf("%v", tok)
}

// eachEntryRef streams the array under key, one entry at a time.
func eachEntryRef(dec *json.Decoder, key string, add func(*rawEntry) error) error {
	tok, err := dec.Token()
	if err != nil {
		return malformedRef(dec, err)
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("plan JSON %s is not an array: it starts with %s", key, describeRef(tok))
	}
	for dec.More() {
		var e rawEntry
		if err := dec.Decode(&e); err != nil {
			return malformedRef(dec, err)
		}
		if e.Address == "" || e.Type == "" {
			return fmt.Errorf("plan JSON %s has an entry without address or type at byte %d", key, dec.InputOffset())
		}
		if err := add(&e); err != nil {
			return fmt.Errorf("plan JSON %s %s: %w", key, e.Address, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return malformedRef(dec, err)
	}
	return nil
}
