package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/report"
	"github.com/jitgate/terraform-provider-jit/internal/sweep"
)

// sweepCmd removes shadow access under exclusive policies, as the gate finds
// it in a refreshed plan. Exit 0: nothing left; 1: shadow access remains
// (org owners, access through teams); 2: error.
func sweepCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	w := newWriter("sweep", "plan", "`terraform show -json` output of a saved plan made with refresh (required)",
		"list what would be removed, change nothing", "output: text or json", stderr)
	if code, done := w.parse(args); done {
		return code
	}
	p, err := plan.ReadFile(*w.input)
	if err != nil {
		return w.fail(err)
	}
	r := gate.Evaluate(p, gate.Facts{Now: time.Now().UTC()}, gate.Options{Mode: gate.ModeDrift})
	removals := sweep.Plan(p, r.Shadow)
	outcomes := make([]sweep.Outcome, len(removals))
	for i, rm := range removals {
		outcomes[i] = sweep.Outcome{Removal: rm, Result: "would_remove"}
	}
	if !*w.dryRun && len(removals) > 0 {
		tg, err := w.target(getenv, "removing access")
		if err != nil {
			return w.fail(err)
		}
		outcomes = sweep.Apply(ctx, tg, removals)
	}
	if err := writeSweep(stdout, *w.format, outcomes); err != nil {
		return w.fail(err)
	}
	code := exitPass
	for _, o := range outcomes {
		switch o.Result {
		case sweep.Failed:
			return exitError
		case sweep.OrgOwner, sweep.Indirect:
			code = exitBlocked
		}
	}
	return code
}

func writeSweep(w io.Writer, format string, outcomes []sweep.Outcome) error {
	if format == "json" {
		return writeJSON(w, outcomes)
	}
	if len(outcomes) == 0 {
		_, err := fmt.Fprintln(w, "jit-gate sweep: no shadow access under exclusive policies")
		return err
	}
	for _, o := range outcomes {
		left := o.LeaveAt
		if left == "" {
			left = "none"
		}
		line := fmt.Sprintf("%s: %s on %s (policy %s), direct access left at %s", o.Result, report.Plain(o.Principal), report.Plain(o.Scope), report.Plain(o.Policy), left)
		if o.Detail != "" {
			line += ": " + report.Plain(o.Detail)
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}
