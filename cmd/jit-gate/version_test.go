package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The release build sets the version with the same -X flags as
// .goreleaser.yml; `version` and `--version` print what it set.
func TestVersionPrintsWhatTheReleaseBuildSet(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "jit-gate")
	ldflags := "-X main.version=1.2.3 -X main.commit=0123456789abcdef -X main.date=2026-02-03T04:05:06Z"
	if out, err := exec.Command("go", "build", "-ldflags", ldflags, "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, arg := range []string{"version", "--version", "-version"} {
		out, err := exec.Command(bin, arg).Output()
		if err != nil {
			t.Fatalf("jit-gate %s: %v", arg, err)
		}
		if want := "jit-gate 1.2.3 (commit 0123456789abcdef, built 2026-02-03T04:05:06Z, go"; !strings.HasPrefix(string(out), want) {
			t.Errorf("jit-gate %s printed %q, want it to start with %q", arg, out, want)
		}
	}
}

func TestVersionRefusesArguments(t *testing.T) {
	r := gateRun(t, nil, "version", "--format", "json")
	if r.code != exitError || !strings.Contains(r.stderr, "takes no arguments") {
		t.Errorf("got exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestUsageListsVersion(t *testing.T) {
	r := gateRun(t, nil, "--help")
	if !strings.Contains(r.stdout, "version") {
		t.Errorf("usage does not mention version:\n%s", r.stdout)
	}
}
