// Package check is one run of `jit-gate check`, as one pipeline: read the
// plan, decide which facts judging it needs, fetch them once, evaluate,
// render, and comment on the pull request. The command only maps flags and
// environment to a Config and the verdict to an exit code.
package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/jitgate/terraform-provider-jit/internal/audit"
	"github.com/jitgate/terraform-provider-jit/internal/clock"
	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/plan"
	"github.com/jitgate/terraform-provider-jit/internal/prfacts"
	"github.com/jitgate/terraform-provider-jit/internal/report"
	"github.com/jitgate/terraform-provider-jit/internal/seal"
	"github.com/jitgate/terraform-provider-jit/internal/settings"
)

// Config is what one check judges, and against what.
type Config struct {
	PlanPath string
	// SavedPlanPath is the saved plan file PlanPath was shown from; "" when
	// not given. Its configuration snapshot tells whether a delete runs a
	// removed block's provisioner (plan.escape).
	SavedPlanPath string
	Mode          gate.Mode
	Owner, Repo   string // the repository in play; "" for a local run
	PR            int    // pr mode
	MergeCommit   string // apply mode: the commit applied (GITHUB_SHA)
	Checked       string // drift mode: the commit checked (GITHUB_SHA), whose settings are trusted
	EventHead     string // pr mode: the head commit of the event, when it is for PR
	// SettingsFile names the trusted settings of a local run (--settings);
	// "" is the defaults. With a repository in play the settings are read
	// from it, at a commit the pull request cannot change.
	SettingsFile string
	// Governance replaces the settings' governance approvers in a local run
	// (--governance-approvers); nil keeps them.
	Governance []string
	Comment    bool // write the report as a comment on the pull request
	// Identity names the gate's account, whose comments it updates and
	// whose audit records it reads (its Trusted part comes from the trusted
	// settings); Keys verify those records (none in pr mode, which is never
	// given the seal key).
	Identity audit.Identity
	Keys     *seal.Keyring
	Now      time.Time
	// RunURL is the workflow run's page, linked from the comment; "" outside Actions.
	RunURL string
	// Clock waits while GitHub associates a merge commit with its pull
	// request (apply mode); nil is the system clock.
	Clock clock.Clock
	// Client connects to GitHub. It is nil when there is no token or
	// repository: a run that must read the pull request then fails, and
	// drift mode's break-glass follow-up reports what it could not read.
	Client func() (*github.Client, error)
}

// Output is where the report goes.
type Output struct {
	Format         string // text, json or markdown, on Stdout
	Color          bool   // colour the text format
	Actions        bool   // in GitHub Actions: print workflow commands
	Summary        string // GITHUB_STEP_SUMMARY: append the job summary
	Outputs        string // GITHUB_OUTPUT: append the step outputs
	Stdout, Stderr io.Writer
}

// Run checks the plan and publishes the report. The report's verdict is
// error whenever anything failed, and never invites an unreviewed apply;
// the error returned is a failure to publish it.
func Run(ctx context.Context, cfg Config, out Output) (gate.Report, error) {
	r, label, err := evaluate(ctx, cfg)
	return publish(r, report.Meta{Label: label, RunURL: cfg.RunURL}, err, out)
}

// Refuse publishes the report of a run that could not start (flags,
// environment): verdict error, no violation.
func Refuse(mode gate.Mode, cause error, out Output) (gate.Report, error) {
	return publish(errorReport(mode, cause), report.Meta{}, cause, out)
}

// evaluate reads the plan and the trusted settings, fetches the facts and
// applies the rules, then comments. On error it returns the most complete
// report it has. label is the trusted settings' label.
func evaluate(ctx context.Context, cfg Config) (_ gate.Report, label string, _ error) {
	p, err := plan.ReadFiles(cfg.PlanPath, cfg.SavedPlanPath)
	if err != nil {
		return gate.ErrorReport(cfg.Mode, err), "", planError{err}
	}
	// Connect only when something must be read: a local drift check of a
	// plan without overdue reviews reads nothing.
	var client *github.Client
	connect := func() (*github.Client, error) {
		if client == nil && cfg.Client != nil {
			client, err = cfg.Client()
		}
		return client, err
	}
	src := prfacts.Source{Owner: cfg.Owner, Repo: cfg.Repo, PR: cfg.PR, EventHead: cfg.EventHead, Now: cfg.Now, Clock: cfg.Clock}
	if cfg.Mode == gate.ModeApply {
		src.MergeCommit = cfg.MergeCommit
	}
	s, settingsAt, err := trusted(ctx, connect, cfg, &src)
	if err != nil {
		return errorReport(cfg.Mode, err), "", err
	}
	label = s.Label
	cfg.Identity.Trusted = s.GateLogin
	opts := gate.Options{Mode: cfg.Mode, Settings: s}
	needs := gate.CheckNeedsOf(p, opts, cfg.Now)
	facts := gate.Facts{Now: cfg.Now}
	if needs.GitHub() {
		if _, err := connect(); err != nil {
			return errorReport(cfg.Mode, err), label, err
		}
	}
	switch {
	case !needs.GitHub():
	case client == nil && cfg.Mode == gate.ModeDrift:
		// Overdue break-glass reviews stay unread; the rule says so.
	case client == nil:
		err := fmt.Errorf("%s mode must read the pull request, but GitHub is not configured (GITHUB_TOKEN and --repo)", cfg.Mode)
		return errorReport(cfg.Mode, err), label, err
	default:
		// Without a merged pull request nothing approved the plan: that
		// is an error here, never a judgement on no approvals.
		if facts, err = prfacts.Gather(ctx, client, src, needs); err != nil {
			return errorReport(cfg.Mode, err), label, err
		}
		if cfg.Mode == gate.ModeApply {
			// The merge commit's first parent is where the settings were read.
			run := audit.BindRun{Trail: trail(cfg), Commit: cfg.MergeCommit, Parent: settingsAt, PR: facts.Number, Clock: cfg.Clock}
			if err := audit.BindFacts(ctx, client, run, p, &facts); err != nil {
				return errorReport(cfg.Mode, err), label, err
			}
		}
		if needs.Records {
			if facts.Recorded, err = recorded(ctx, client, cfg); err != nil {
				return errorReport(cfg.Mode, err), label, err
			}
		}
		if needs.Anchor {
			if facts.Anchor, err = anchor(ctx, client, cfg, s); err != nil {
				return errorReport(cfg.Mode, err), label, err
			}
		}
	}
	r := gate.Evaluate(p, facts, opts)
	if cfg.Comment && client != nil && facts.HasPR {
		if err := comment(ctx, client, cfg, facts.Number, r, report.Meta{Label: label, RunURL: cfg.RunURL}); err != nil {
			return r, label, err
		}
	}
	return r, label, nil
}

// trusted reads the run's trusted settings: from the repository in play, at
// a commit the pull request cannot change (its base in pr mode, the merge
// commit's first parent in apply mode, the checked commit in drift mode),
// else from --settings or the defaults. In pr and apply modes it opens the
// pull request on the way, into src, so it is read once. It returns the
// commit the settings were read at ("" for a local run).
func trusted(ctx context.Context, connect func() (*github.Client, error), cfg Config, src *prfacts.Source) (settings.Settings, string, error) {
	if cfg.Owner == "" {
		s := settings.Default("defaults: no repository and no --settings")
		if cfg.SettingsFile != "" {
			var err error
			if s, err = settings.LoadFile(cfg.SettingsFile); err != nil {
				return s, "", err
			}
		}
		if cfg.Governance != nil {
			s.GovernanceApprovers = cfg.Governance
		}
		return s, "", nil
	}
	client, err := connect()
	switch {
	case err != nil:
		return settings.Settings{}, "", err
	case client == nil:
		return settings.Settings{}, "", fmt.Errorf("the trusted settings of %s/%s are read from GitHub, but GitHub is not configured (GITHUB_TOKEN)", cfg.Owner, cfg.Repo)
	}
	commit := cfg.Checked
	if cfg.Mode != gate.ModeDrift {
		opened, err := prfacts.Open(ctx, client, *src)
		if err != nil {
			return settings.Settings{}, "", err
		}
		if commit, err = opened.SettingsCommit(ctx, client); err != nil {
			return settings.Settings{}, "", err
		}
		src.Opened = opened
	} else if commit == "" {
		return settings.Settings{}, "", errors.New("drift mode reads the trusted settings at the commit checked, but GITHUB_SHA is not set")
	}
	s, err := settings.Load(ctx, client, cfg.Owner, cfg.Repo, commit)
	return s, commit, err
}

func comment(ctx context.Context, client *github.Client, cfg Config, number int, r gate.Report, meta report.Meta) error {
	body, err := report.CommentBody(r, meta)
	if err != nil {
		return err
	}
	self, err := audit.GateLogin(ctx, client, cfg.Identity)
	if err != nil {
		return err
	}
	return audit.UpsertComment(ctx, client, cfg.Owner, cfg.Repo, number, self, body)
}

// recorded reads which elevations the audit records hold. Outside pr mode
// the records must be verified, so the seal key is required.
func recorded(ctx context.Context, client *github.Client, cfg Config) (map[string]bool, error) {
	if cfg.Mode != gate.ModePR && !cfg.Keys.CanVerify() {
		return nil, fmt.Errorf("the plan removes elevations and %s mode must verify their audit records: %w", cfg.Mode, seal.ErrNoKey)
	}
	return audit.RecordedElevations(ctx, client, trail(cfg))
}

// trail is the audit trail of the repository in play.
func trail(cfg Config) audit.Trail {
	return audit.Trail{Owner: cfg.Owner, Repo: cfg.Repo, Identity: cfg.Identity, Keys: cfg.Keys}
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

// publish writes the report to Stdout in the chosen format and, where the
// Actions environment asks for them, annotations, the job summary and step
// outputs. runErr, if any, is why the verdict is "error": it goes to Stderr.
func publish(r gate.Report, meta report.Meta, runErr error, out Output) (gate.Report, error) {
	if runErr != nil {
		fmt.Fprintf(out.Stderr, "jit-gate check: %s\n", report.Plain(runErr.Error()))
		// Keep whatever was evaluated so the record shows it, but never
		// pass, nor invite an unreviewed apply.
		r.Verdict = gate.VerdictError
		r.RevocationOnly = false
	}
	var err error
	switch out.Format {
	case "json":
		err = report.JSON(out.Stdout, r)
	case "markdown":
		_, err = io.WriteString(out.Stdout, report.Markdown(r, meta))
	default:
		err = report.Text(out.Stdout, r, out.Color)
	}
	if err != nil {
		return r, err
	}
	if out.Actions {
		ann := report.Annotations(r)
		if pe := (planError{}); runErr != nil && !errors.As(runErr, &pe) {
			ann += "::error title=jit-gate error::" + report.WorkflowData(runErr.Error()) + "\n"
		}
		// Keep stdout one JSON document for --format json; the runner reads
		// workflow commands from stderr as well.
		w := out.Stdout
		if out.Format == "json" {
			w = out.Stderr
		}
		if _, err := io.WriteString(w, ann); err != nil {
			return r, err
		}
	}
	if out.Summary != "" {
		if err := report.AppendFile(out.Summary, report.JobSummary(r, meta)); err != nil {
			return r, fmt.Errorf("writing the job summary: %w", err)
		}
	}
	if out.Outputs != "" {
		if err := report.AppendFile(out.Outputs, report.Outputs(r)); err != nil {
			return r, fmt.Errorf("writing step outputs: %w", err)
		}
	}
	return r, nil
}
