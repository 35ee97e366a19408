package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
