package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/audit"
	"github.com/jitgate/terraform-provider-jit/internal/report"
)

// auditConfig is everything `jit-gate audit` needs.
type auditConfig struct {
	statePath string
	verify    bool
	pr        int
	filter    audit.Filter
	format    string
	owner     string
	repo      string
	gateLogin string

	token, apiURL string
	inActions     bool
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
	cfg := auditConfig{token: getenv("GITHUB_TOKEN"), apiURL: getenv("GITHUB_API_URL"), inActions: getenv("GITHUB_ACTIONS") == "true"}
	fs := flag.NewFlagSet("jit-gate audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.statePath, "state", "", "`terraform show -json` output of the state (required unless --verify)")
	fs.BoolVar(&cfg.verify, "verify", false, "check the gate's comments for tampering instead: on --pr, or on the audit-log issue and the pull requests that granted the --state's elevations; exit 1 when any was edited, lost its hash or was posted by another account")
	fs.IntVar(&cfg.pr, "pr", 0, "with --verify: the pull request or issue `number` to check")
	since := fs.String("since", "", "only grants held at or after this `time` (RFC 3339 or YYYY-MM-DD, UTC)")
	until := fs.String("until", "", "only grants held before this `time`")
	fs.StringVar(&cfg.filter.Principal, "principal", "", "only grants to this `login`")
	fs.StringVar(&cfg.filter.Scope, "scope", "", "only grants that give at least this `scope` (`*` matches a whole segment or level)")
	fs.StringVar(&cfg.format, "format", "markdown", "output: markdown, csv or json (--verify: markdown or json)")
	repo := fs.String("repo", getenv("GITHUB_REPOSITORY"), "repository `OWNER/NAME` (default $GITHUB_REPOSITORY); with GITHUB_TOKEN, approvers and pull requests are joined")
	fs.StringVar(&cfg.gateLogin, "gate-login", "", "the `login` the gate writes its comments as (default: the token's account; github-actions[bot] in Actions)")
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
		return cfg, errors.New("GITHUB_TOKEN is not set: --verify reads the gate's comments")
	case !cfg.verify && cfg.pr != 0:
		return cfg, errors.New("--pr applies to --verify only")
	case !cfg.verify && cfg.statePath == "":
		return cfg, errors.New("--state is required")
	}
	// Without a token the report comes from the state alone.
	if cfg.verify || (cfg.token != "" && *repo != "") {
		cfg.owner, cfg.repo, err = parseRepo(*repo)
	}
	return cfg, err
}

func runAudit(ctx context.Context, cfg auditConfig, stdout, stderr io.Writer) error {
	grants, err := audit.ReadStateFile(cfg.statePath)
	if err != nil {
		return err
	}
	r := audit.Report{AsOf: time.Now().UTC(), Filter: cfg.filter}
	r.Grants = audit.Select(grants, cfg.filter, r.AsOf)
	if cfg.owner != "" {
		client, err := newClient(cfg.token, cfg.apiURL)
		if err != nil {
			return err
		}
		self, err := gateLogin(ctx, client, cfg.gateLogin, cfg.inActions)
		if err != nil {
			return err
		}
		if err := audit.Join(ctx, client, cfg.owner, cfg.repo, self, r.Grants); err != nil {
			return err
		}
		r.Joined = true
	} else {
		fmt.Fprintln(stderr, "jit-gate audit: no GITHUB_TOKEN and --repo: pull requests and approvers are not joined")
	}
	switch cfg.format {
	case "csv":
		return r.WriteCSV(stdout)
	case "json":
		return r.WriteJSON(stdout)
	}
	_, err = io.WriteString(stdout, r.Markdown())
	return err
}

// runVerify returns exitBlocked when any comment fails verification.
func runVerify(ctx context.Context, cfg auditConfig, stdout io.Writer) (int, error) {
	client, err := newClient(cfg.token, cfg.apiURL)
	if err != nil {
		return exitError, err
	}
	self, err := gateLogin(ctx, client, cfg.gateLogin, cfg.inActions)
	if err != nil {
		return exitError, err
	}
	targets := []int{cfg.pr}
	if cfg.pr == 0 {
		var grants []audit.Grant
		if cfg.statePath != "" {
			if grants, err = audit.ReadStateFile(cfg.statePath); err != nil {
				return exitError, err
			}
		}
		if targets, err = audit.VerifyTargets(ctx, client, cfg.owner, cfg.repo, self, grants); err != nil {
			return exitError, err
		}
	}
	v, err := audit.Verify(ctx, client, cfg.owner, cfg.repo, self, targets)
	if err != nil {
		return exitError, err
	}
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
