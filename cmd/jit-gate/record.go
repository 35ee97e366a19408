package main

import (
	"cmp"
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
	savedPlanPath       string
	sweepPath           string
	revokedPath         string
	outcome             string
	mode                gate.Mode
	trailArgs           // sha: GITHUB_SHA, the commit applied

	runURL  string
	summary string
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

// runURL is the workflow run's URL, "" outside Actions.
func runURL(getenv func(string) string) string {
	if server, repository, run := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY"), getenv("GITHUB_RUN_ID"); server != "" && repository != "" && run != "" {
		return strings.TrimSuffix(server, "/") + "/" + repository + "/actions/runs/" + run
	}
	return ""
}

func parseRecord(args []string, getenv func(string) string, stderr io.Writer) (recordConfig, error) {
	cfg := recordConfig{trailArgs: trailFromEnv(getenv), summary: getenv("GITHUB_STEP_SUMMARY"), runURL: runURL(getenv)}
	fs := flag.NewFlagSet("jit-gate record", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.planPath, "plan", "", "`terraform show -json` output of the plan that was applied (required, unless --revoked)")
	fs.StringVar(&cfg.savedPlanPath, "saved-plan", "", "the saved plan `FILE` that was applied, as check --saved-plan")
	fs.StringVar(&cfg.statePath, "state", "", "`terraform show -json` output of the state after the apply: exact grant and revocation times (without it they read \"at apply\")")
	fs.StringVar(&cfg.sweepPath, "sweep", "", "`jit-gate sweep --format json` output of this run: the shadow access it removed is recorded too")
	fs.StringVar(&cfg.revokedPath, "revoked", "", "`jit-gate revoke --format json` output: record what it took away, as a revoke record with no plan (--plan, --state, --sweep and --outcome are not used then)")
	fs.StringVar(&cfg.outcome, "outcome", "", "how the apply ended (required): success, failure, cancelled, or skipped (nothing applied: only overdue break-glass reviews are recorded)")
	mode := fs.String("mode", string(gate.ModeApply), "apply (the pull request merged as GITHUB_SHA gets a copy of the record) or drift (a scheduled or manual run, with the break-glass follow-up); either way the record goes to the audit log")
	repo := fs.String("repo", getenv("GITHUB_REPOSITORY"), "repository `OWNER/NAME` (default $GITHUB_REPOSITORY)")
	fs.StringVar(&cfg.gateLogin, "gate-login", "", gateLoginUsage)
	fs.StringVar(&cfg.sha, "commit", cfg.sha, "apply mode: the `commit` judged (default $GITHUB_SHA); the apply workflow's catch-up judges each commit jit-gate unjudged lists with --outcome skipped")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.revokedPath != "" {
		// A revoke run applied no plan: what it took away is the record.
		if cfg.planPath != "" || cfg.savedPlanPath != "" || cfg.statePath != "" || cfg.sweepPath != "" {
			return cfg, errors.New("--revoked records a jit-gate revoke run on its own: give no --plan, --state or --sweep with it")
		}
		cfg.outcome, *mode = cmp.Or(cfg.outcome, audit.OutcomeSuccess), string(gate.ModeDrift)
	}
	switch cfg.outcome {
	case audit.OutcomeSuccess, audit.OutcomeFailure, audit.OutcomeCancelled, audit.OutcomeSkipped:
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
		return cfg, errors.New("--plan is required (or --revoked, for a jit-gate revoke run)")
	case cfg.token == "":
		return cfg, errors.New("GITHUB_TOKEN is not set: record writes its entries to GitHub")
	case cfg.sha == "":
		return cfg, errors.New("GITHUB_SHA is not set (nor --commit): the record names the commit that was applied")
	}
	if cfg.keys, err = sealing(getenv); err != nil {
		return cfg, err
	}
	cfg.owner, cfg.repo, err = parseRepo(*repo)
	return cfg, err
}

func runRecord(ctx context.Context, cfg recordConfig, stdout, stderr io.Writer) error {
	if cfg.revokedPath != "" {
		return runRecordRevoked(ctx, cfg, stdout, stderr)
	}
	p, err := plan.ReadFiles(cfg.planPath, cfg.savedPlanPath)
	if err != nil {
		return err
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
	client, trail, trusted, err := openTrail(ctx, cfg.trailArgs, cfg.mode)
	if err != nil {
		return err
	}
	res, err := audit.Write(ctx, client, audit.RecordRun{
		Trail: trail,
		Plan:  p, State: state, Outcome: cfg.outcome, Mode: cfg.mode,
		Commit: cfg.sha, RunURL: cfg.runURL, Now: time.Now().UTC(), Swept: swept,
		Settings: trusted,
	})
	return published(res, err, cfg.summary, stdout, stderr)
}

// runRecordRevoked records what jit-gate revoke took away (audit.RecordRevocations).
func runRecordRevoked(ctx context.Context, cfg recordConfig, stdout, stderr io.Writer) error {
	revoked, err := readRevoked(cfg.revokedPath)
	if err != nil {
		return err
	}
	client, trail, _, err := openTrail(ctx, cfg.trailArgs, cfg.mode)
	if err != nil {
		return err
	}
	res, err := audit.RecordRevocations(ctx, client, trail, cfg.sha, cfg.runURL, time.Now().UTC(), revoke.Records(revoked))
	return published(res, err, cfg.summary, stdout, stderr)
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

// published shows the record built (even when posting it failed, so the
// log keeps it), in the job summary too, then says where it went.
func published(res audit.Recorded, err error, summary string, stdout, stderr io.Writer) error {
	if res.Record.Kind != "" {
		md := res.Record.Markdown()
		if _, werr := io.WriteString(stdout, md); werr != nil && err == nil {
			err = werr
		}
		if summary != "" {
			if werr := report.AppendFile(summary, md); werr != nil && err == nil {
				err = fmt.Errorf("writing the job summary: %w", werr)
			}
		}
	}
	if err != nil {
		return err
	}
	switch {
	case res.Issue == 0:
		fmt.Fprintln(stderr, "jit-gate record: nothing to record")
	case len(res.PRs) > 0:
		prs := make([]string, len(res.PRs))
		for i, n := range res.PRs {
			prs[i] = fmt.Sprintf("#%d", n)
		}
		fmt.Fprintf(stderr, "jit-gate record: record %s on the audit-log issue #%d, copied to pull request %s (%d comment(s) posted)\n", seqs(res.Seq), res.Issue, strings.Join(prs, ", "), res.Comments)
	default:
		fmt.Fprintf(stderr, "jit-gate record: record %s on the audit-log issue #%d (%d comment(s) posted)\n", seqs(res.Seq), res.Issue, res.Comments)
	}
	return nil
}

// seqs names a record's positions in the trail: "4", or "4-6" for parts.
func seqs(s []int) string {
	if len(s) == 0 {
		return "none"
	}
	if s[0] == s[len(s)-1] {
		return fmt.Sprint(s[0])
	}
	return fmt.Sprintf("%d-%d", s[0], s[len(s)-1])
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
