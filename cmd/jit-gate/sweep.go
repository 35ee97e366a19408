package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/report"
	"github.com/jitgate/terraform-provider-jit/internal/sweep"
	"github.com/jitgate/terraform-provider-jit/internal/target/ghtarget"
)

// sweepCmd removes shadow access under exclusive policies, as the gate finds
// it in a refreshed plan. Exit 0: nothing left; 1: shadow access remains
// (org owners, access through teams); 2: error.
func sweepCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("jit-gate sweep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	planPath := fs.String("plan", "", "`terraform show -json` output of a saved plan made with refresh (required)")
	dryRun := fs.Bool("dry-run", false, "list what would be removed, change nothing")
	format := fs.String("format", "text", "output: text or json")
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitPass
	case err != nil:
		return exitError
	case *planPath == "" || fs.NArg() > 0:
		fmt.Fprintln(stderr, "jit-gate sweep: --plan is required and takes no other arguments")
		return exitError
	case *format != "text" && *format != "json":
		fmt.Fprintf(stderr, "jit-gate sweep: unknown --format %q: want text or json\n", *format)
		return exitError
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "jit-gate sweep: %s\n", report.Plain(err.Error()))
		return exitError
	}
	p, err := plan.ReadFile(*planPath)
	if err != nil {
		return fail(err)
	}
	r := gate.Evaluate(p, gate.Facts{Now: time.Now().UTC()}, gate.Options{Mode: gate.ModeDrift})
	removals := sweep.Plan(p, r.Shadow)
	outcomes := make([]sweep.Outcome, len(removals))
	for i, rm := range removals {
		outcomes[i] = sweep.Outcome{Removal: rm, Result: "would_remove"}
	}
	if !*dryRun && len(removals) > 0 {
		token := getenv("GITHUB_TOKEN")
		if token == "" {
			return fail(errors.New("GITHUB_TOKEN is not set: removing access needs a token that manages the organization's teams and repositories"))
		}
		client, err := newClient(token, getenv("GITHUB_API_URL"))
		if err != nil {
			return fail(err)
		}
		outcomes = sweep.Apply(ctx, ghtarget.New(client), removals)
	}
	if err := writeSweep(stdout, *format, outcomes); err != nil {
		return fail(err)
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
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(outcomes)
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
