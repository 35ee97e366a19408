package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/audit"
	"github.com/jitgate/terraform-provider-jit/internal/report"
	"github.com/jitgate/terraform-provider-jit/internal/seal"
)

// auditConfig is everything `jit-gate audit` needs.
type auditConfig struct {
	statePath string
	verify    bool
	pr        int
	filter    audit.Filter
	format    string
	trailArgs
}

func auditCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseAudit(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitPass
	}
	code := exitPass
	if err == nil {
		if cfg.verify {
			code, err = runVerify(ctx, cfg, stdout)
		} else {
			err = runAudit(ctx, cfg, stdout, stderr)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "jit-gate audit: %s\n", report.Plain(err.Error()))
		return exitError
	}
	return code
}

func parseAudit(args []string, getenv func(string) string, stderr io.Writer) (auditConfig, error) {
	cfg := auditConfig{trailArgs: trailFromEnv(getenv)}
	fs := flag.NewFlagSet("jit-gate audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.statePath, "state", "", "`terraform show -json` output of the state; without it, with GITHUB_TOKEN, the grants come from the audit records alone")
	fs.BoolVar(&cfg.verify, "verify", false, "check the whole audit trail instead (the audit-log issues, the pull requests their records name, those of the --state's grants, and --pr): exit 1 with a table of every record forged, edited, copied, out of order or missing, every grant without a record, every gate marker by another account")
	fs.IntVar(&cfg.pr, "pr", 0, "with --verify: a further pull request or issue `number` whose gate comments to check")
	since := fs.String("since", "", "only grants held at or after this `time` (RFC 3339 or YYYY-MM-DD, UTC)")
	until := fs.String("until", "", "only grants held before this `time`")
	fs.StringVar(&cfg.filter.Principal, "principal", "", "only grants to this `login`")
	fs.StringVar(&cfg.filter.Scope, "scope", "", "only grants that give at least this `scope` (`*` matches a whole segment or level)")
	fs.StringVar(&cfg.format, "format", "markdown", "output: markdown, csv or json (--verify: markdown or json)")
	repo := fs.String("repo", getenv("GITHUB_REPOSITORY"), "repository `OWNER/NAME` (default $GITHUB_REPOSITORY); with GITHUB_TOKEN, grants and approvers come from its audit records")
	fs.StringVar(&cfg.gateLogin, "gate-login", "", gateLoginUsage)
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	var err error
	for _, t := range []struct {
		flag, value string
		dst         *time.Time
	}{{"--since", *since, &cfg.filter.Since}, {"--until", *until, &cfg.filter.Until}} {
		if t.value == "" {
			continue
		}
		if *t.dst, err = audit.ParseTime(t.value); err != nil {
			return cfg, fmt.Errorf("%s: %w", t.flag, err)
		}
	}
	if err := cfg.filter.Check(); err != nil {
		return cfg, err
	}
	joined := cfg.token != "" && *repo != ""
	switch {
	case fs.NArg() > 0:
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case cfg.format != "markdown" && cfg.format != "json" && (cfg.verify || cfg.format != "csv"):
		return cfg, fmt.Errorf("unknown --format %q: want markdown, csv or json (--verify: markdown or json)", cfg.format)
	case cfg.pr < 0:
		return cfg, fmt.Errorf("--pr %d is not a number of a pull request or issue", cfg.pr)
	case cfg.verify && cfg.filter != audit.Filter{}:
		return cfg, errors.New("--since, --until, --principal and --scope select grants: not with --verify")
	case cfg.verify && cfg.token == "":
		return cfg, errors.New("GITHUB_TOKEN is not set: --verify reads the audit trail")
	case !cfg.verify && cfg.pr != 0:
		return cfg, errors.New("--pr applies to --verify only")
	case !cfg.verify && !joined && cfg.statePath == "":
		return cfg, errors.New("--state is required without GITHUB_TOKEN and --repo: the audit records are on GitHub")
	}
	if cfg.verify || joined {
		if cfg.keys, err = seal.KeysFromEnv(getenv); err != nil {
			return cfg, err
		}
		if !cfg.keys.CanVerify() {
			return cfg, fmt.Errorf("reading the audit records: %w (or %s for earlier keys)", seal.ErrNoKey, seal.EnvKeys)
		}
		cfg.owner, cfg.repo, err = parseRepo(*repo)
	}
	return cfg, err
}

// trail connects to GitHub and says who the gate is.
func (cfg auditConfig) trail(ctx context.Context) (*github.Client, audit.Trail, error) {
	client, t, _, err := openTrail(ctx, cfg.trailArgs, "")
	return client, t, err
}

func runAudit(ctx context.Context, cfg auditConfig, stdout, stderr io.Writer) error {
	var state []audit.Grant
	var err error
	if cfg.statePath != "" {
		if state, err = audit.ReadStateFile(cfg.statePath); err != nil {
			return err
		}
	}
	r := audit.Report{AsOf: time.Now().UTC(), Filter: cfg.filter, Source: audit.SourceState}
	grants := state
	if cfg.owner != "" {
		client, t, err := cfg.trail(ctx)
		if err != nil {
			return err
		}
		l, err := audit.ReadLog(ctx, client, t, nil)
		if err != nil {
			return err
		}
		if n := l.Untrusted(); n > 0 {
			fmt.Fprintf(stderr, "jit-gate audit: %d record comment(s) of the audit log cannot be trusted and are left out: run jit-gate audit --verify\n", n)
		}
		if cfg.statePath != "" {
			grants, r.Source = audit.Join(state, l), audit.SourceJoined
		} else {
			grants, r.Source = l.Timeline(), audit.SourceRecords
		}
	} else {
		fmt.Fprintln(stderr, "jit-gate audit: no GITHUB_TOKEN and --repo: pull requests and approvers are not joined")
	}
	r.Grants = audit.Select(grants, cfg.filter, r.AsOf)
	switch cfg.format {
	case "csv":
		return r.WriteCSV(stdout)
	case "json":
		return r.WriteJSON(stdout)
	}
	_, err = io.WriteString(stdout, r.Markdown())
	return err
}

// runVerify returns exitBlocked when anything fails verification.
func runVerify(ctx context.Context, cfg auditConfig, stdout io.Writer) (int, error) {
	client, t, err := cfg.trail(ctx)
	if err != nil {
		return exitError, err
	}
	var state []audit.Grant
	var prs []int
	if cfg.statePath != "" {
		if state, err = audit.ReadStateFile(cfg.statePath); err != nil {
			return exitError, err
		}
		if prs, err = audit.MergedPRs(ctx, client, cfg.owner, cfg.repo, state); err != nil {
			return exitError, err
		}
	}
	if cfg.pr != 0 {
		prs = append(prs, cfg.pr)
	}
	l, err := audit.ReadLog(ctx, client, t, prs)
	if err != nil {
		return exitError, err
	}
	v := audit.Verify(l, state)
	if cfg.format == "json" {
		err = v.WriteJSON(stdout)
	} else {
		_, err = io.WriteString(stdout, v.Markdown())
	}
	if err != nil {
		return exitError, err
	}
	if len(v.Findings) > 0 {
		return exitBlocked, nil
	}
	return exitPass, nil
}
