package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRequestExitCodes(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("../../examples/demo/policy.tf")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "policy.tf"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"request", "--dir", dir, "--policy", "oncall", "--principal", "dana", "--scope", "github:team:acme/oncall", "--reason", "Paged for the checkout outage, INC-9"}

	r := gateRun(t, nil, append(args, "--duration", "3h", "--ticket", "INC-9")...)
	if r.code != exitBlocked || !strings.Contains(r.stderr, `max_duration 1h`) {
		t.Errorf("over the policy's limit: exit %d, stderr %q", r.code, r.stderr)
	}
	r = gateRun(t, nil, append(args, "--duration", "30m")...)
	if r.code != exitBlocked || !strings.Contains(r.stderr, "reason.ticket_required") {
		t.Errorf("no ticket: exit %d, stderr %q", r.code, r.stderr)
	}
	r = gateRun(t, nil, "request", "--dir", dir, "--policy", "oncall")
	if r.code != exitError || !strings.Contains(r.stderr, "--duration, --principal, --reason, --scope required") {
		t.Errorf("missing flags: exit %d, stderr %q", r.code, r.stderr)
	}
	r = gateRun(t, nil, append(args, "--duration", "30m", "--ticket", "INC-9", "--open-pr", "--repo", "acme/infra")...)
	if r.code != exitError || !strings.Contains(r.stderr, "relative to its root") {
		t.Errorf("--open-pr with a directory outside the repository: exit %d, stderr %q", r.code, r.stderr)
	}
	r = gateRun(t, nil, append(args, "--duration", "30m", "--ticket", "INC-9")...)
	if r.code != exitPass || !strings.Contains(r.stdout, "jit_elevation.dana_acme_oncall_member_") ||
		!strings.Contains(r.stdout, "gh pr create --title 'JIT access: dana to github:team:acme/oncall for 30m' --reviewer 'acme/sre-leads'") {
		t.Fatalf("valid request: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "elevation_dana_*.tf"))
	if len(files) != 1 {
		t.Errorf("files written: %v", files)
	}
}
