package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Every example directory validates on its own with real Terraform, so what
// the docs show and the guide tells people to copy is a working module.
func TestExamplesValidate(t *testing.T) {
	if binDir == "" {
		t.Skip("TF_ACC is not set")
	}
	var dirs []string
	err := filepath.WalkDir("../../examples", func(path string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir // a .terraform left by a local run
		}
		if err == nil && !d.IsDir() && filepath.Ext(path) == ".tf" {
			if dir := filepath.Dir(path); len(dirs) == 0 || dirs[len(dirs)-1] != dir {
				dirs = append(dirs, dir)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 3 {
		t.Fatalf("found only %v", dirs)
	}
	for _, dir := range dirs {
		t.Run(strings.TrimPrefix(dir, "../../"), func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(terraform, "validate", "-no-color")
			cmd.Dir = dir
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "CHECKPOINT_DISABLE=1",
				"TF_CLI_CONFIG_FILE=" + filepath.Join(binDir, "terraformrc")}
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("terraform validate in %s: %v\n%s", dir, err, out)
			}
		})
	}
}
