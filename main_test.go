package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Both binaries print what the release build's -X flags (.goreleaser.yml)
// set; the provider's -version exits instead of waiting for Terraform.
func TestVersionFromReleaseLdflags(t *testing.T) {
	ldflags := "-X main.version=0.3.0 -X main.commit=feedface -X main.date=2026-03-04T05:06:07Z"
	for _, tt := range []struct {
		name, pkg string
		args      []string
	}{
		{"terraform-provider-jit", ".", []string{"-version"}},
		{"jit-gate", "./cmd/jit-gate", []string{"version", "--version", "-version"}},
	} {
		bin := filepath.Join(t.TempDir(), tt.name)
		if out, err := exec.Command("go", "build", "-ldflags", ldflags, "-o", bin, tt.pkg).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", tt.name, err, out)
		}
		for _, arg := range tt.args {
			out, err := exec.Command(bin, arg).Output()
			if err != nil {
				t.Fatalf("%s %s: %v", tt.name, arg, err)
			}
			if want := tt.name + " 0.3.0 (commit feedface, built 2026-03-04T05:06:07Z, go"; !strings.HasPrefix(string(out), want) {
				t.Errorf("%s %s printed %q, want it to start with %q", tt.name, arg, out, want)
			}
		}
	}
}
