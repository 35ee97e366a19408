package main

import (
	"strings"
	"testing"
)

// The version the release build sets is tested with both binaries in the
// repository root's main_test.go.

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
