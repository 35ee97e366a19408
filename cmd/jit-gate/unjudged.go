package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/jitgate/terraform-provider-jit/internal/audit"
	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/report"
	"github.com/jitgate/terraform-provider-jit/internal/seal"
)

// unjudgedCmd runs `jit-gate unjudged`: the commits on the first-parent
// chain of --commit (default GITHUB_SHA) since the last one a trusted
// apply-mode record judged, oldest first, that the apply workflow judges
// one by one (jit-gate record --outcome skipped --commit SHA) before it
// judges --commit itself. 0 with the list (maybe empty), 2 on error, or
// when no judged commit is near enough to catch up from. It needs no seal
// key: the plan job, which holds none, lists what it plans; apply mode
// verifies the records itself.
func unjudgedCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("jit-gate unjudged", flag.ContinueOnError)
	fs.SetOutput(stderr)
	repo := fs.String("repo", getenv("GITHUB_REPOSITORY"), "repository `OWNER/NAME` (default $GITHUB_REPOSITORY)")
	commit := fs.String("commit", getenv("GITHUB_SHA"), "the commit about to be judged (default $GITHUB_SHA)")
	format := fs.String("format", "text", "output: text (one commit a line) or json")
	gateLogin := fs.String("gate-login", "", gateLoginUsage)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitPass
		}
		return exitError
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "jit-gate unjudged: %s\n", report.Plain(err.Error()))
		return exitError
	}
	switch {
	case *format != "text" && *format != "json":
		return fail(fmt.Errorf("unknown --format %q: want text or json", *format))
	case fs.NArg() > 0:
		return fail(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	case *commit == "":
		return fail(errors.New("--commit (or GITHUB_SHA) is required: the commit about to be judged"))
	}
	owner, name, err := parseRepo(*repo)
	if err != nil {
		return fail(err)
	}
	token := getenv("GITHUB_TOKEN")
	if token == "" {
		return fail(errors.New("GITHUB_TOKEN is not set: unjudged reads the audit log and the commits"))
	}
	keys, err := seal.KeysFromEnv(getenv)
	if err != nil {
		return fail(err)
	}
	client, trail, _, err := openTrail(ctx, trailArgs{token: token, apiURL: getenv("GITHUB_API_URL"), owner: owner, repo: name, gateLogin: *gateLogin, sha: *commit, keys: keys}, gate.ModeDrift)
	if err != nil {
		return fail(err)
	}
	ch, err := audit.ReadChain(ctx, client, trail, *commit, "")
	if err != nil {
		return fail(err)
	}
	if ch.Last == "" {
		return fail(fmt.Errorf("no trusted apply-mode record judged a commit on the first-parent chain of %s near enough to catch up from: "+
			"elevations it creates are blocked (approval.unbound) until requested again in a new pull request", *commit))
	}
	if *format == "json" {
		out := struct {
			Commit    string   `json:"commit"`
			Last      string   `json:"last_judged"`
			Unjudged  []string `json:"unjudged"`
			Bootstrap bool     `json:"bootstrap"`
		}{*commit, ch.Last, ch.Unjudged, ch.Bootstrap}
		if out.Unjudged == nil {
			out.Unjudged = []string{}
		}
		if err := json.NewEncoder(stdout).Encode(out); err != nil {
			return fail(err)
		}
		return exitPass
	}
	for _, c := range ch.Unjudged {
		fmt.Fprintln(stdout, c)
	}
	return exitPass
}
