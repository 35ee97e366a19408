package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/jitgate/terraform-provider-jit/internal/clock"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/report"
	"github.com/jitgate/terraform-provider-jit/internal/revoke"
	"github.com/jitgate/terraform-provider-jit/internal/target/ghtarget"
)

// revokeCmd takes away, at the target and without a plan, what expired
// elevations of a state still give. Exit 0: done (or nothing to do); 2: a
// revocation failed (the others still ran) or the state could not be read.
func revokeCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("jit-gate revoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	statePath := fs.String("state", "", "`terraform show -json` output of the state, without a plan (required)")
	dryRun := fs.Bool("dry-run", false, "list what would be taken away, change nothing")
	format := fs.String("format", "text", "output: text or json (what `jit-gate record --revoked` reads)")
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitPass
	case err != nil:
		return exitError
	case *statePath == "" || fs.NArg() > 0:
		fmt.Fprintln(stderr, "jit-gate revoke: --state is required and takes no other arguments")
		return exitError
	case *format != "text" && *format != "json":
		fmt.Fprintf(stderr, "jit-gate revoke: unknown --format %q: want text or json\n", *format)
		return exitError
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "jit-gate revoke: %s\n", report.Plain(err.Error()))
		return exitError
	}
	f, err := os.Open(*statePath)
	if err != nil {
		return fail(err)
	}
	els, err := plan.ReadState(f)
	f.Close()
	if err != nil {
		return fail(fmt.Errorf("read --state %s: %w", *statePath, err))
	}
	token := getenv("GITHUB_TOKEN")
	if token == "" {
		return fail(errors.New("GITHUB_TOKEN is not set: revoking needs a token that manages the organization's teams and repositories"))
	}
	client, err := newClient(token, getenv("GITHUB_API_URL"))
	if err != nil {
		return fail(err)
	}
	res := revoke.Result{DryRun: *dryRun, Outcomes: revoke.Run(ctx, ghtarget.New(client), els, revoke.Options{DryRun: *dryRun, Clock: clock.System()})}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(res)
	} else {
		err = revoke.Text(stdout, res)
	}
	if err != nil {
		return fail(err)
	}
	if res.Failed() > 0 {
		return exitError
	}
	return exitPass
}
