package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// `terraform-provider-jit -version` prints what the release build's -X
// flags set, and exits instead of waiting for Terraform to connect.
func TestVersionFlag(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "terraform-provider-jit")
	ldflags := "-X main.version=0.3.0 -X main.commit=feedface -X main.date=2026-03-04T05:06:07Z"
	if out, err := exec.Command("go", "build", "-ldflags", ldflags, "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "-version").Output()
	if err != nil {
		t.Fatalf("-version: %v", err)
	}
	if want := "terraform-provider-jit 0.3.0 (commit feedface, built 2026-03-04T05:06:07Z, go"; !strings.HasPrefix(string(out), want) {
		t.Errorf("printed %q, want it to start with %q", out, want)
	}
}
