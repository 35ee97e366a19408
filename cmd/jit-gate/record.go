package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/audit"
	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/report"
	"github.com/jitgate/terraform-provider-jit/internal/revoke"
	"github.com/jitgate/terraform-provider-jit/internal/sweep"
)

// recordConfig is everything `jit-gate record` needs.
type recordConfig struct {
	planPath, statePath string
	sweepPath           string
	revokedPath         string
	outcome             string
	mode                gate.Mode
	owner, repo         string

	token, apiURL string
	sha           string // GITHUB_SHA: the commit applied
	runURL        string
	summary       string
	inActions     bool
}

func record(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseRecord(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitPass
	}
	if err == nil {
		err = runRecord(ctx, cfg, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "jit-gate record: %s\n", report.Plain(err.Error()))
		return exitError
	}
	return exitPass
}

func parseRecord(args []string, getenv func(string) string, stderr io.Writer) (recordConfig, error) {
	cfg := recordConfig{
		token:     getenv("GITHUB_TOKEN"),
		apiURL:    getenv("GITHUB_API_URL"),
		sha:       getenv("GITHUB_SHA"),
		summary:   getenv("GITHUB_STEP_SUMMARY"),
		inActions: getenv("GITHUB_ACTIONS") == "true",
	}
	if server, repository, run := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY"), getenv("GITHUB_RUN_ID"); server != "" && repository != "" && run != "" {
		cfg.runURL = strings.TrimSuffix(server, "/") + "/" + repository + "/actions/runs/" + run
	}
	fs := flag.NewFlagSet("jit-gate record", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.planPath, "plan", "", "`terraform show -json` output of the plan that was applied (required unless --revoked is given)")
	fs.StringVar(&cfg.statePath, "state", "", "`terraform show -json` output of the state after the apply: exact grant and revocation times (without it they read \"at apply\")")
	fs.StringVar(&cfg.sweepPath, "sweep", "", "`jit-gate sweep --format json` output of this run: the shadow access it removed is recorded too")
	fs.StringVar(&cfg.revokedPath, "revoked", "", "`jit-gate revoke --format json` output of this run: the expired access it took away is recorded, with its expiry lag")
	fs.StringVar(&cfg.outcome, "outcome", "", "how the apply ended (required): success, failure, cancelled, or skipped (nothing applied: only overdue break-glass reviews are recorded)")
	mode := fs.String("mode", string(gate.ModeApply), "apply (record on the pull request merged as GITHUB_SHA, or the audit-log issue if there is none) or drift (a scheduled or manual run: the audit-log issue, with the break-glass follow-up)")
	repo := fs.String("repo", getenv("GITHUB_REPOSITORY"), "repository `OWNER/NAME` (default $GITHUB_REPOSITORY)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	switch cfg.outcome {
	case report.OutcomeSuccess, report.OutcomeFailure, report.OutcomeCancelled, report.OutcomeSkipped:
	case "":
		return cfg, errors.New("--outcome is required: the record never assumes the apply succeeded")
	default:
		return cfg, fmt.Errorf("unknown --outcome %q: want success, failure, cancelled or skipped", cfg.outcome)
	}
	switch m := gate.Mode(*mode); m {
	case gate.ModeApply, gate.ModeDrift:
		cfg.mode = m
	default:
		return cfg, fmt.Errorf("unknown --mode %q: want apply or drift", *mode)
	}
	var err error
	switch {
	case fs.NArg() > 0:
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case cfg.planPath == "" && cfg.revokedPath == "":
		return cfg, errors.New("--plan is required (or --revoked, for a jit-gate revoke run without a plan)")
	case cfg.token == "":
		return cfg, errors.New("GITHUB_TOKEN is not set: record writes its entries to GitHub")
	case cfg.sha == "":
		return cfg, errors.New("GITHUB_SHA is not set: the record names the commit that was applied")
	}
	cfg.owner, cfg.repo, err = parseRepo(*repo)
	return cfg, err
}

func runRecord(ctx context.Context, cfg recordConfig, stdout, stderr io.Writer) error {
	p := &plan.Plan{}
	var err error
	if cfg.planPath != "" {
		if p, err = plan.ReadFile(cfg.planPath); err != nil {
			return err
		}
	}
	var revoked revoke.Result
	if cfg.revokedPath != "" {
		if revoked, err = readRevoked(cfg.revokedPath); err != nil {
			return err
		}
	}
	var state []audit.Grant
	if cfg.statePath != "" {
		if state, err = audit.ReadStateFile(cfg.statePath); err != nil {
			return err
		}
	}
	var swept []sweep.Outcome
	if cfg.sweepPath != "" {
		if swept, err = readSweep(cfg.sweepPath); err != nil {
			return err
		}
	}
	client, err := newClient(cfg.token, cfg.apiURL)
	if err != nil {
		return err
	}
	res, err := audit.Record(ctx, client, audit.RecordRun{
		Plan: p, State: state, Outcome: cfg.outcome, Mode: cfg.mode,
		Owner: cfg.owner, Repo: cfg.repo, Commit: cfg.sha, RunURL: cfg.runURL,
		Installation: installation(cfg.inActions), Now: time.Now().UTC(), Swept: swept, Revoked: revoke.Records(revoked),
	})
	// Whatever was built is shown, so the log keeps the record even when
	// posting it failed.
	if res.Record.Outcome != "" {
		md := report.RecordMarkdown(res.Record)
		if _, werr := io.WriteString(stdout, md); werr != nil && err == nil {
			err = werr
		}
		if cfg.summary != "" {
			if werr := report.AppendFile(cfg.summary, md); werr != nil && err == nil {
				err = fmt.Errorf("writing the job summary: %w", werr)
			}
		}
	}
	if err != nil {
		return err
	}
	switch {
	case res.Number == 0:
		fmt.Fprintln(stderr, "jit-gate record: nothing to record")
	case res.Issue:
		fmt.Fprintf(stderr, "jit-gate record: %d comment(s) on the audit-log issue #%d\n", res.Comments, res.Number)
	default:
		fmt.Fprintf(stderr, "jit-gate record: %d comment(s) on pull request #%d\n", res.Comments, res.Number)
	}
	return nil
}

// readRevoked reads what `jit-gate revoke --format json` wrote.
func readRevoked(path string) (revoke.Result, error) {
	var res revoke.Result
	data, err := os.ReadFile(path)
	if err != nil {
		return res, fmt.Errorf("read --revoked: %w", err)
	}
	if err := json.Unmarshal(data, &res); err != nil || res.Outcomes == nil {
		return res, fmt.Errorf("read --revoked %s: not the JSON output of jit-gate revoke", path)
	}
	if res.DryRun {
		return res, fmt.Errorf("read --revoked %s: a dry run took nothing away; there is nothing to record", path)
	}
	return res, nil
}

// readSweep reads what `jit-gate sweep --format json` wrote.
func readSweep(path string) ([]sweep.Outcome, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read --sweep: %w", err)
	}
	var out []sweep.Outcome
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("read --sweep %s: not the JSON output of jit-gate sweep: %w", path, err)
	}
	return out, nil
}
