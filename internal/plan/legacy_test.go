package plan

import (
	"path/filepath"
	"strings"
	"testing"
)

// Plan JSON written by real Terraform 1.5.7 (testdata/terraform-1.5, from
// terraform_data configurations: see each plan's configuration section),
// which has no "errored": a failed plan must not read as a complete one.
func TestReadTerraform15PartialPlans(t *testing.T) {
	tests := []struct {
		file, want string // want "": reads as complete
	}{
		// A check block that fails only warns; count = 0, an empty
		// for_each and a module with count = 0 plan no instances.
		{"complete.json", ""},
		{"precondition_failed.json", "the condition on terraform_data.bad failed"},
		// A data source fails: the resource that needs it is never planned.
		{"data_source_failed.json", "terraform_data.needs is in the configuration but not in the plan"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p, err := ReadFile(filepath.Join("testdata", "terraform-1.5", tt.file))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("a complete Terraform 1.5 plan was refused: %v", err)
				}
				if p.ResourceCount != 2 {
					t.Errorf("ResourceCount = %d, want 2", p.ResourceCount)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "Terraform 1.5.7 writes a partial plan") {
				t.Fatalf("Read error = %v, want one containing %q and naming Terraform 1.5.7", err, tt.want)
			}
		})
	}
}

// From Terraform 1.6 on the plan says whether planning failed, and that is
// what counts: a missing resource is not second-guessed.
func TestReadTrustsErroredFromTerraform16(t *testing.T) {
	cfg := `"configuration": {"root_module": {"resources": [{"address": "terraform_data.x", "mode": "managed", "type": "terraform_data", "name": "x"}]}}`
	for _, tt := range []struct {
		version string
		refused bool
	}{{"1.5.7", true}, {"", true}, {"1.6.0", false}, {"1.11.4", false}} {
		in := `{"format_version": "1.2", "terraform_version": "` + tt.version + `", "planned_values": {}, "resource_changes": [], ` + cfg
		if !legacyTerraform(tt.version) {
			in += `, "errored": false`
		}
		_, err := Read(strings.NewReader(in + "}"))
		if (err != nil) != tt.refused {
			t.Errorf("terraform_version %q: Read error = %v, want refused %v", tt.version, err, tt.refused)
		}
	}
}
