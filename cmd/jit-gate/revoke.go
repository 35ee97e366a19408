package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/revoke"
)

// revokeCmd takes away, at the target and without a plan, what expired
// elevations of a state still give. Exit 0: done (or nothing to do); 2: a
// revocation failed (the others still ran) or the state could not be read.
func revokeCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	w := newWriter("revoke", "state", "`terraform show -json` output of the state, without a plan (required)",
		"list what would be taken away, change nothing", "output: text or json (what `jit-gate record --revoked` reads)", stderr)
	if code, done := w.parse(args); done {
		return code
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
	res := revoke.Result{DryRun: *w.dryRun, Outcomes: revoke.Run(ctx, tg, els, revoke.Options{DryRun: *w.dryRun, Clock: clock.System()})}
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
