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
	"unicode"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/prfacts"
	"github.com/jitgate/terraform-provider-jit/internal/report"
)

// checkConfig is everything `jit-gate check` needs, from flags and the
// Actions environment.
type checkConfig struct {
	planPath    string
	mode        gate.Mode
	owner, repo string
	pr          int
	governance  []string
	format      string
	comment     bool

	token, apiURL   string
	sha             string // GITHUB_SHA: the pushed commit in apply mode
	eventHead       string // the PR head commit from the event payload, when it is for cfg.pr
	summary, output string // GITHUB_STEP_SUMMARY, GITHUB_OUTPUT
	inActions       bool   // GITHUB_ACTIONS=true: print workflow commands
	noColor         bool   // NO_COLOR set (no-color.org)
}

func check(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseCheck(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitPass
	}
	var r gate.Report
	if err == nil {
		r, err = evaluate(ctx, cfg)
	} else {
		r = errorReport(cfg.mode, err)
	}
	if err != nil {
		fmt.Fprintf(stderr, "jit-gate check: %s\n", report.Plain(err.Error()))
		// Keep whatever was evaluated so the record shows it, but never pass,
		// nor invite an unreviewed apply.
		r.Verdict = gate.VerdictError
		r.RevocationOnly = false
	}
	if err := publish(cfg, r, err, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "jit-gate check: %s\n", report.Plain(err.Error()))
		return exitError
	}
	switch r.Verdict {
	case gate.VerdictPass:
		return exitPass
	case gate.VerdictBlocked:
		return exitBlocked
	}
	return exitError
}

func parseCheck(args []string, getenv func(string) string, stderr io.Writer) (checkConfig, error) {
	cfg := checkConfig{
		token:     getenv("GITHUB_TOKEN"),
		apiURL:    getenv("GITHUB_API_URL"),
		sha:       getenv("GITHUB_SHA"),
		summary:   getenv("GITHUB_STEP_SUMMARY"),
		output:    getenv("GITHUB_OUTPUT"),
		inActions: getenv("GITHUB_ACTIONS") == "true",
		noColor:   getenv("NO_COLOR") != "",
		mode:      gate.ModePR,
	}
	fs := flag.NewFlagSet("jit-gate check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.planPath, "plan", "", "`terraform show -json` output of the saved plan (required)")
	mode := fs.String("mode", string(gate.ModePR), "pr (judge a pull request), apply (the merged PR of GITHUB_SHA) or drift (scheduled, no PR)")
	repo := fs.String("repo", getenv("GITHUB_REPOSITORY"), "repository `OWNER/NAME` (default $GITHUB_REPOSITORY)")
	fs.IntVar(&cfg.pr, "pr", 0, "pull request `number` in pr mode (default: from $GITHUB_EVENT_PATH)")
	governance := fs.String("governance-approvers", "", "logins and team:ORG/SLUG, comma-separated, that may approve creating a policy")
	fs.StringVar(&cfg.format, "format", "text", "output: text, json or markdown")
	fs.BoolVar(&cfg.comment, "comment", false, "write the report as a comment on the pull request (pr and apply modes)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}

	switch cfg.format {
	case "text", "json", "markdown":
	default:
		f := cfg.format
		cfg.format = "text"
		return cfg, fmt.Errorf("unknown --format %q: want text, json or markdown", f)
	}
	m, err := gate.ParseMode(*mode)
	if err != nil {
		return cfg, err
	}
	cfg.mode = m
	switch {
	case fs.NArg() > 0:
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case cfg.planPath == "":
		return cfg, errors.New("--plan is required")
	case cfg.pr < 0:
		return cfg, fmt.Errorf("--pr %d is not a pull request number", cfg.pr)
	case cfg.mode != gate.ModePR && cfg.pr != 0:
		return cfg, errors.New("--pr applies to pr mode only (apply mode finds the merged pull request of GITHUB_SHA)")
	case cfg.mode == gate.ModeDrift && cfg.comment:
		return cfg, errors.New("--comment needs a pull request: not available in drift mode")
	}
	cfg.governance = strings.FieldsFunc(*governance, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	if cfg.mode == gate.ModeDrift {
		// No pull request; the break-glass follow-up reads the repository's
		// when there is one.
		if *repo != "" {
			cfg.owner, cfg.repo, err = parseRepo(*repo)
		}
		return cfg, err
	}

	// pr and apply modes read a pull request.
	if cfg.owner, cfg.repo, err = parseRepo(*repo); err != nil {
		return cfg, err
	}
	if cfg.token == "" {
		return cfg, fmt.Errorf("GITHUB_TOKEN is not set: %s mode must read the pull request's reviews", cfg.mode)
	}
	if cfg.mode == gate.ModeApply {
		if cfg.sha == "" {
			return cfg, errors.New("GITHUB_SHA is not set: apply mode checks the pull request merged as that commit")
		}
		return cfg, nil
	}
	number, head, err := readEvent(getenv("GITHUB_EVENT_PATH"))
	if err != nil {
		return cfg, err
	}
	switch {
	case cfg.pr == 0 && number == 0:
		return cfg, errors.New("no pull request: pass --pr or run on a pull_request event")
	case cfg.pr == 0:
		cfg.pr = number
	}
	if number == cfg.pr {
		cfg.eventHead = head
	}
	return cfg, nil
}

// readEvent returns the pull request number and head commit of the Actions
// event payload at path; zero values when there is no path or the event is
// not about a pull request.
func readEvent(path string) (int, string, error) {
	if path == "" {
		return 0, "", nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, "", fmt.Errorf("reading GITHUB_EVENT_PATH: %w", err)
	}
	var ev struct {
		PullRequest *struct {
			Number int `json:"number"`
			Head   struct {
				SHA string `json:"sha"`
			} `json:"head"`
		} `json:"pull_request"`
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		return 0, "", fmt.Errorf("reading GITHUB_EVENT_PATH %s: %w", path, err)
	}
	if ev.PullRequest == nil {
		return 0, "", nil
	}
	return ev.PullRequest.Number, ev.PullRequest.Head.SHA, nil
}

// evaluate reads the plan, fetches the facts and applies the rules. On error
// it returns the most complete report it has, never a passing one.
func evaluate(ctx context.Context, cfg checkConfig) (gate.Report, error) {
	p, err := plan.ReadFile(cfg.planPath)
	if err != nil {
		return gate.ErrorReport(cfg.mode, err), planError{err}
	}
	opts := gate.Options{Mode: cfg.mode, GovernanceApprovers: cfg.governance}
	if cfg.mode == gate.ModeDrift {
		facts := gate.Facts{Now: time.Now().UTC()}
		// Overdue break-glass reviews are looked up on the pull requests
		// that granted them; without a token and repository none is found,
		// and the rule says so.
		if commits := gate.BreakGlassCommits(p, opts, facts.Now); len(commits) > 0 && cfg.token != "" && cfg.owner != "" {
			client, err := newClient(cfg.token, cfg.apiURL)
			if err != nil {
				return errorReport(cfg.mode, err), err
			}
			if facts.PostHoc, err = prfacts.PostHoc(ctx, client, cfg.owner, cfg.repo, commits, gate.TeamsNeeded(p, opts)); err != nil {
				return errorReport(cfg.mode, err), err
			}
		}
		return gate.Evaluate(p, facts, opts), nil
	}

	client, err := newClient(cfg.token, cfg.apiURL)
	if err != nil {
		return errorReport(cfg.mode, err), err
	}
	number := cfg.pr
	if cfg.mode == gate.ModeApply {
		if number, err = prfacts.FindMergedPR(ctx, client, cfg.owner, cfg.repo, cfg.sha); err != nil {
			return errorReport(cfg.mode, err), err
		}
	}
	facts, err := prfacts.Fetch(ctx, client, cfg.owner, cfg.repo, number, gate.TeamsNeeded(p, opts))
	if err != nil {
		return errorReport(cfg.mode, err), err
	}
	// In pr mode the plan was made from the event's head commit; approvals
	// count on that commit even if the PR has moved on since. Apply mode
	// judges the merged PR's final head, as GitHub reports it.
	if cfg.eventHead != "" {
		facts.HeadSHA = cfg.eventHead
	}
	facts.Now = time.Now().UTC()
	r := gate.Evaluate(p, facts, opts)
	if cfg.comment {
		if err := comment(ctx, client, cfg, number, r); err != nil {
			return r, err
		}
	}
	return r, nil
}

// planError is a plan that could not be read; the report already carries it
// as a plan.invalid violation.
type planError struct{ error }

func (e planError) Unwrap() error { return e.error }

// errorReport is the report for a run that failed for a reason other than
// the plan (flags, environment, GitHub): verdict error, no violation.
func errorReport(mode gate.Mode, err error) gate.Report {
	r := gate.ErrorReport(mode, err)
	r.Violations = []gate.Violation{}
	return r
}

func comment(ctx context.Context, client *github.Client, cfg checkConfig, number int, r gate.Report) error {
	body, err := report.CommentBody(r)
	if err != nil {
		return err
	}
	self, err := gateLogin(ctx, client, "", cfg.inActions)
	if err != nil {
		return err
	}
	return prfacts.UpsertComment(ctx, client, cfg.owner, cfg.repo, number, self, body)
}

// publish writes the report to stdout in the chosen format and, where the
// Actions environment asks for them, annotations, the job summary and step
// outputs. runErr, if any, is why the verdict is "error".
func publish(cfg checkConfig, r gate.Report, runErr error, stdout, stderr io.Writer) error {
	var err error
	switch cfg.format {
	case "json":
		err = report.JSON(stdout, r)
	case "markdown":
		_, err = io.WriteString(stdout, report.Markdown(r))
	default:
		err = report.Text(stdout, r, !cfg.noColor && isTerminal(stdout))
	}
	if err != nil {
		return err
	}
	if cfg.inActions {
		ann := report.Annotations(r)
		if pe := (planError{}); runErr != nil && !errors.As(runErr, &pe) {
			ann += "::error title=jit-gate error::" + report.WorkflowData(runErr.Error()) + "\n"
		}
		// Keep stdout one JSON document for --format json; the runner reads
		// workflow commands from stderr as well.
		w := stdout
		if cfg.format == "json" {
			w = stderr
		}
		if _, err := io.WriteString(w, ann); err != nil {
			return err
		}
	}
	if cfg.summary != "" {
		if err := appendFile(cfg.summary, report.JobSummary(r)); err != nil {
			return fmt.Errorf("writing the job summary: %w", err)
		}
	}
	if cfg.output != "" {
		if err := appendFile(cfg.output, report.Outputs(r)); err != nil {
			return fmt.Errorf("writing step outputs: %w", err)
		}
	}
	return nil
}

// isTerminal reports whether w is a terminal, where colour helps.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func appendFile(path, s string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(s); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
