package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
)

func run(t *testing.T, cfg Config) (gate.Report, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	r, err := Run(context.Background(), cfg, Output{Format: "json", Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	var printed gate.Report
	if err := json.Unmarshal(stdout.Bytes(), &printed); err != nil || printed.Verdict != r.Verdict {
		t.Fatalf("stdout is not the report (%v): %s", err, stdout.Bytes())
	}
	return r, stderr.String()
}

// A check reads GitHub only for what the plan needs: a drift check of a plan
// without overdue break-glass reviews connects to nothing.
func TestDriftNeedsNoGitHub(t *testing.T) {
	cfg := Config{PlanPath: "../../testdata/plans/expired.json", Mode: gate.ModeDrift, Now: time.Now(),
		Client: func() (*github.Client, error) { return nil, errors.New("connected") }}
	if r, stderr := run(t, cfg); r.Verdict != gate.VerdictPass || stderr != "" {
		t.Errorf("verdict %q, stderr %q; want pass without connecting", r.Verdict, stderr)
	}
}

// Whatever fails, the report says error and never revocation-only.
func TestFailuresNeverPass(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no GitHub in pr mode": {PlanPath: "../../testdata/plans/expired.json", Mode: gate.ModePR, PR: 1},
		"cannot connect": {PlanPath: "../../testdata/plans/expired.json", Mode: gate.ModeApply, MergeCommit: "abc",
			Client: func() (*github.Client, error) { return nil, errors.New("no route") }},
		"unreadable plan": {PlanPath: "missing.json", Mode: gate.ModeDrift},
	} {
		t.Run(name, func(t *testing.T) {
			r, stderr := run(t, cfg)
			if r.Verdict != gate.VerdictError || r.RevocationOnly || !strings.HasPrefix(stderr, "jit-gate check: ") {
				t.Errorf("verdict %q, revocation_only %v, stderr %q", r.Verdict, r.RevocationOnly, stderr)
			}
		})
	}
}

// endedDestroy is destroy.json, a plan real Terraform made, with the two
// elevations it destroys already expired: removing them needs their audit
// records.
func endedDestroy(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../testdata/plans/destroy.json")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(path, bytes.ReplaceAll(data, []byte(`"status": "active"`), []byte(`"status": "expired"`)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Outside pr mode the records must be verified: without the seal key the
// check is an error, never a pass; with no GitHub to read them from, the
// removals block.
func TestRemovalsNeedVerifiedRecords(t *testing.T) {
	path := endedDestroy(t)
	connected := false
	cfg := Config{PlanPath: path, Mode: gate.ModeDrift, Owner: "acme", Repo: "infra", Now: time.Now(),
		Client: func() (*github.Client, error) { connected = true; return github.NewClient(nil), nil }}
	r, stderr := run(t, cfg)
	if r.Verdict != gate.VerdictError || !strings.Contains(stderr, "drift mode must verify their audit records") || !strings.Contains(stderr, "JIT_GATE_SEAL_KEY") || !connected {
		t.Errorf("without a key: verdict %q, stderr %q", r.Verdict, stderr)
	}
	cfg.Client = nil
	r, _ = run(t, cfg)
	var rules []string
	for _, v := range r.Violations {
		if v.Rule == gate.RuleAuditUnrecorded {
			rules = append(rules, v.Address)
		}
	}
	if r.Verdict != gate.VerdictBlocked || !slices.Equal(rules, []string{"jit_elevation.hotfix", "jit_elevation.pager"}) {
		t.Errorf("without GitHub: verdict %q, rules %v", r.Verdict, rules)
	}
}
