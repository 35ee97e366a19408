package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/revoke"
)

// revokeCmd takes away, at the target and without a plan, what expired
// elevations of a state still give. Exit 0: done (or nothing to do); 2: a
// revocation failed (the others still ran) or the state could not be read.
func revokeCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	w := newWriter("revoke", "state", "`terraform show -json` output of the state, without a plan (required)",
		"list what would be taken away, change nothing", "output: text or json (what `jit-gate record --revoked` reads)", stderr)
	unreviewedPath := w.fs.String("unreviewed", "", "`jit-gate check --mode drift --format json` output of this state: break-glass elevations whose post-hoc review is overdue (break_glass.unreviewed) are revoked too")
	if code, done := w.parse(args); done {
		return code
	}
	var unreviewed map[string]bool
	if *unreviewedPath != "" {
		var err error
		if unreviewed, err = readUnreviewed(*unreviewedPath); err != nil {
			return w.fail(err)
		}
	}
	f, err := os.Open(*w.input)
	if err != nil {
		return w.fail(err)
	}
	els, err := plan.ReadState(f)
	f.Close()
	if err != nil {
		return w.fail(fmt.Errorf("read --state %s: %w", *w.input, err))
	}
	tg, err := w.target(getenv, "revoking")
	if err != nil {
		return w.fail(err)
	}
	res := revoke.Result{DryRun: *w.dryRun, Outcomes: revoke.Run(ctx, tg, els, revoke.Options{DryRun: *w.dryRun, Clock: clock.System(), Unreviewed: unreviewed})}
	if *w.format == "json" {
		err = writeJSON(stdout, res)
	} else {
		err = revoke.Text(stdout, res)
	}
	if err != nil {
		return w.fail(err)
	}
	if res.Failed() > 0 {
		return exitError
	}
	return exitPass
}

// readUnreviewed reads the addresses of the break_glass.unreviewed
// violations of a drift check's JSON report. It can only add revocations,
// so a report that says less revokes less, never grants.
func readUnreviewed(path string) (map[string]bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read --unreviewed: %w", err)
	}
	var r gate.Report
	if err := json.Unmarshal(data, &r); err != nil || r.Mode != string(gate.ModeDrift) || r.Violations == nil {
		return nil, fmt.Errorf("read --unreviewed %s: not the JSON report of jit-gate check --mode drift", path)
	}
	out := map[string]bool{}
	for _, v := range r.Violations {
		if v.Rule == gate.RuleBreakGlassUnreviewed && v.Address != "" {
			out[v.Address] = true
		}
	}
	return out, nil
}
