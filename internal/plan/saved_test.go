package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The saved plans of testdata/plans/removed, made by real Terraform: their
// JSON plans are alike, their configuration snapshots are not.
func TestReadSavedConfig(t *testing.T) {
	for _, tt := range []struct {
		name        string
		removed     int
		provisioned string // the String of the one provisioned block; "" for none
	}{
		{"deleted", 0, ""},
		{"no-provisioner", 1, ""},
		{"provisioner", 1, "removed { from = terraform_data.x } in main.tf (provisioner local-exec)"},
		{"json-provisioner", 1, `removed { from = "terraform_data.x" } in main.tf.json (provisioner local-exec)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ReadSavedConfig(filepath.Join("..", "..", "testdata", "plans", "removed", tt.name+".tfplan"))
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Removed) != tt.removed {
				t.Errorf("removed blocks %+v, want %d", c.Removed, tt.removed)
			}
			pr := c.Provisioned()
			switch {
			case tt.provisioned == "" && len(pr) > 0:
				t.Errorf("provisioned %v, want none", pr)
			case tt.provisioned != "" && (len(pr) != 1 || pr[0].String() != tt.provisioned):
				t.Errorf("provisioned %v, want %q", pr, tt.provisioned)
			}
		})
	}
}

func TestReadSavedConfigRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	notZip := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(notZip, []byte(`{"format_version":"1.2"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSavedConfig(notZip); err == nil || !strings.Contains(err.Error(), "want the file of terraform plan -out") {
		t.Errorf("a JSON plan as the saved plan: %v", err)
	}
	if _, err := ReadSavedConfig(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing file: no error")
	}
}
