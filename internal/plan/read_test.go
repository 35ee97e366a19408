package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
