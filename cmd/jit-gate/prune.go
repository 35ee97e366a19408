package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/audit"
	"github.com/jitgate/terraform-provider-jit/internal/report"
)

// pruneConfig is everything `jit-gate prune` needs.
type pruneConfig struct {
	statePath string
	dryRun    bool
	trailArgs

	runURL, summary string
}

func pruneCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parsePrune(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitPass
	}
	if err == nil {
		err = runPrune(ctx, cfg, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "jit-gate prune: %s\n", report.Plain(err.Error()))
		return exitError
	}
	return exitPass
}

func parsePrune(args []string, getenv func(string) string, stderr io.Writer) (pruneConfig, error) {
	cfg := pruneConfig{trailArgs: trailFromEnv(getenv), runURL: runURL(getenv), summary: getenv("GITHUB_STEP_SUMMARY")}
	fs := flag.NewFlagSet("jit-gate prune", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.statePath, "state", "", "`terraform show -json` output of the state (required)")
	fs.BoolVar(&cfg.dryRun, "dry-run", false, "say what would be archived, post nothing")
	repo := fs.String("repo", getenv("GITHUB_REPOSITORY"), "repository `OWNER/NAME` (default $GITHUB_REPOSITORY)")
	fs.StringVar(&cfg.gateLogin, "gate-login", "", gateLoginUsage)
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	var err error
	switch {
	case fs.NArg() > 0:
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case cfg.statePath == "":
		return cfg, errors.New("--state is required")
	case cfg.token == "":
		return cfg, errors.New("GITHUB_TOKEN is not set: prune reads the audit log and archives into it")
	}
	if cfg.keys, err = sealing(getenv); err != nil {
		return cfg, err
	}
	cfg.owner, cfg.repo, err = parseRepo(*repo)
	return cfg, err
}

func runPrune(ctx context.Context, cfg pruneConfig, stdout, stderr io.Writer) error {
	state, err := audit.ReadStateFile(cfg.statePath)
	if err != nil {
		return err
	}
	client, trail, _, err := openTrail(ctx, cfg.trailArgs, "")
	if err != nil {
		return err
	}
	res, err := audit.Prune(ctx, client, audit.PruneRun{
		Trail: trail,
		State: state, Commit: cfg.sha, RunURL: cfg.runURL, Now: time.Now().UTC(), DryRun: cfg.dryRun,
	})
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, g := range res.Live {
		fmt.Fprintf(&b, "keep    %s: %s (%s) has not ended, or its revocation is not in the state\n", g.Address, report.Plain(g.Status), report.Plain(g.ID))
	}
	for _, g := range res.Kept {
		fmt.Fprintf(&b, "remove  %s: already in the audit trail\n", g.Address)
	}
	verb := "archived"
	if cfg.dryRun {
		verb = "would be archived"
	}
	for _, g := range res.Archived {
		fmt.Fprintf(&b, "remove  %s: %s\n", g.Address, verb)
	}
	if _, err := io.WriteString(stdout, b.String()); err != nil {
		return err
	}
	if len(res.Archived) > 0 && !cfg.dryRun {
		fmt.Fprintf(stderr, "jit-gate prune: record %s on the audit-log issue #%d\n", seqs(res.Recorded.Seq), res.Recorded.Issue)
	}
	if n := len(res.Removable()); n > 0 && !cfg.dryRun {
		fmt.Fprintf(stderr, "jit-gate prune: the %d jit_elevation block(s) marked remove may now be deleted from the configuration: the plan destroys them, which changes nothing at the target, and the gate finds their records\n", n)
	}
	return nil
}
