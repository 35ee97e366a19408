package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/google/go-github/v60/github"

	checkpkg "github.com/jitgate/terraform-provider-jit/internal/check"
	"github.com/jitgate/terraform-provider-jit/internal/gate"
	"github.com/jitgate/terraform-provider-jit/internal/policy"
	"github.com/jitgate/terraform-provider-jit/internal/report"
	"github.com/jitgate/terraform-provider-jit/internal/seal"
	"github.com/jitgate/terraform-provider-jit/internal/settings"
)

// check runs `jit-gate check` (internal/check) with the flags and
// environment given, and maps its verdict to the exit code.
func check(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	out := checkpkg.Output{
		Format: "text", Summary: getenv("GITHUB_STEP_SUMMARY"), Outputs: getenv("GITHUB_OUTPUT"),
		Actions: getenv("GITHUB_ACTIONS") == "true", Stdout: stdout, Stderr: stderr,
	}
	cfg, err := parseCheck(args, getenv, &out)
	if errors.Is(err, flag.ErrHelp) {
		return exitPass
	}
	out.Color = getenv("NO_COLOR") == "" && isTerminal(stdout) // no-color.org
	var r gate.Report
	if err == nil {
		r, err = checkpkg.Run(ctx, cfg, out)
	} else {
		r, err = checkpkg.Refuse(cfg.Mode, err, out)
	}
	if err != nil {
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

// parseCheck maps flags and the Actions environment to the check's
// configuration, and sets out's format.
func parseCheck(args []string, getenv func(string) string, out *checkpkg.Output) (checkpkg.Config, error) {
	cfg := checkpkg.Config{Mode: gate.ModePR, Now: time.Now().UTC(), RunURL: runURL(getenv)}
	token, apiURL := getenv("GITHUB_TOKEN"), getenv("GITHUB_API_URL")
	fs := flag.NewFlagSet("jit-gate check", flag.ContinueOnError)
	fs.SetOutput(out.Stderr)
	fs.StringVar(&cfg.PlanPath, "plan", "", "`terraform show -json` output of the saved plan (required)")
	fs.StringVar(&cfg.SavedPlanPath, "saved-plan", "", "the saved plan `FILE` itself (terraform plan -out), whose configuration shows the removed blocks the JSON plan hides")
	mode := fs.String("mode", string(gate.ModePR), "pr (judge a pull request), apply (the merged PR of GITHUB_SHA) or drift (scheduled, no PR)")
	repo := fs.String("repo", getenv("GITHUB_REPOSITORY"), "repository `OWNER/NAME` (default $GITHUB_REPOSITORY)")
	fs.IntVar(&cfg.PR, "pr", 0, "pull request `number` in pr mode (default: from $GITHUB_EVENT_PATH)")
	fs.StringVar(&cfg.SettingsFile, "settings", "", "the gate's settings `FILE`, for a local run only: with a repository in play they are read from its "+settings.Path)
	governance := fs.String("governance-approvers", "", "for a local run only: logins and team:ORG/SLUG, comma-separated, in place of the settings' governance_approvers")
	format := fs.String("format", "text", "output: text, json or markdown")
	fs.BoolVar(&cfg.Comment, "comment", false, "write the report as a comment on the pull request (pr and apply modes)")
	fs.StringVar(&cfg.Identity.Flag, "gate-login", "", gateLoginUsage)
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	var err error
	if cfg.Keys, err = seal.KeysFromEnv(getenv); err != nil {
		return cfg, err
	}

	switch *format {
	case "text", "json", "markdown":
		out.Format = *format
	default:
		return cfg, fmt.Errorf("unknown --format %q: want text, json or markdown", *format)
	}
	m, err := gate.ParseMode(*mode)
	if err != nil {
		return cfg, err
	}
	cfg.Mode = m
	switch {
	case fs.NArg() > 0:
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case cfg.PlanPath == "":
		return cfg, errors.New("--plan is required")
	case cfg.PR < 0:
		return cfg, fmt.Errorf("--pr %d is not a pull request number", cfg.PR)
	case cfg.Mode != gate.ModePR && cfg.PR != 0:
		return cfg, errors.New("--pr applies to pr mode only (apply mode finds the merged pull request of GITHUB_SHA)")
	case cfg.Mode == gate.ModeDrift && cfg.Comment:
		return cfg, errors.New("--comment needs a pull request: not available in drift mode")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["governance-approvers"] {
		cfg.Governance = strings.FieldsFunc(*governance, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
		for _, g := range cfg.Governance {
			if _, err := policy.ParseRef(g); err != nil {
				return cfg, fmt.Errorf("--governance-approvers: %w", err)
			}
		}
	}
	if cfg.Mode == gate.ModeDrift && *repo == "" {
		return cfg, nil // a local run: --settings or the defaults
	}

	// A repository is in play: its trusted settings are read from it, and
	// nothing on the command line may stand in for them.
	if cfg.Owner, cfg.Repo, err = parseRepo(*repo); err != nil {
		return cfg, err
	}
	for _, name := range []string{"settings", "governance-approvers"} {
		if set[name] {
			return cfg, fmt.Errorf("--%s is for local runs only: with a repository in play (%s) the gate's settings are read from its %s at a commit the pull request cannot change", name, *repo, settings.Path)
		}
	}
	if token == "" {
		return cfg, fmt.Errorf("GITHUB_TOKEN is not set: %s mode reads the trusted settings of %s and the pull request's reviews", cfg.Mode, *repo)
	}
	cfg.Client = func() (*github.Client, error) { return newClient(token, apiURL) }
	if cfg.Mode == gate.ModeDrift {
		if cfg.Checked = getenv("GITHUB_SHA"); cfg.Checked == "" {
			return cfg, errors.New("GITHUB_SHA is not set: drift mode reads the trusted settings at the commit checked")
		}
		return cfg, nil
	}
	if cfg.Mode == gate.ModeApply {
		if cfg.MergeCommit = getenv("GITHUB_SHA"); cfg.MergeCommit == "" {
			return cfg, errors.New("GITHUB_SHA is not set: apply mode checks the pull request merged as that commit")
		}
		return cfg, nil
	}
	number, head, err := readEvent(getenv("GITHUB_EVENT_PATH"))
	if err != nil {
		return cfg, err
	}
	switch {
	case cfg.PR == 0 && number == 0:
		return cfg, errors.New("no pull request: pass --pr or run on a pull_request event")
	case cfg.PR == 0:
		cfg.PR = number
	}
	if number == cfg.PR {
		cfg.EventHead = head
	}
	return cfg, nil
}

// mergeGroupRef is the head ref of a merge queue's group,
// refs/heads/gh-readonly-queue/BASE/pr-NUMBER-HEADSHA: the pull request it
// merges last.
var mergeGroupRef = regexp.MustCompile(`^refs/heads/gh-readonly-queue/.+/pr-([0-9]+)-[0-9a-f]{40}$`)

// readEvent returns the pull request number and head commit of the Actions
// event payload at path; zero values when there is no path or the event is
// not about a pull request. A merge_group event names its pull request by
// its head ref, and no head: the group's commit is not one that anyone
// approved, so approvals count on the pull request's own head.
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
		MergeGroup *struct {
			HeadRef string `json:"head_ref"`
		} `json:"merge_group"`
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		return 0, "", fmt.Errorf("reading GITHUB_EVENT_PATH %s: %w", path, err)
	}
	if mg := ev.MergeGroup; mg != nil && ev.PullRequest == nil {
		m := mergeGroupRef.FindStringSubmatch(mg.HeadRef)
		if m == nil {
			return 0, "", fmt.Errorf("merge_group event: head ref %q is not a merge queue's gh-readonly-queue/BASE/pr-NUMBER-SHA", mg.HeadRef)
		}
		number, err := strconv.Atoi(m[1])
		return number, "", err
	}
	if ev.PullRequest == nil {
		return 0, "", nil
	}
	return ev.PullRequest.Number, ev.PullRequest.Head.SHA, nil
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
