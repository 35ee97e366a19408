package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jitgate/terraform-provider-jit/internal/report"
	"github.com/jitgate/terraform-provider-jit/internal/request"
)

// requestCmd writes an elevation the module's policy allows into a file of
// its own and says how to propose it, or proposes it (--open-pr). Exit 0:
// written; 1: the policy does not allow the request; 2: error.
func requestCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var req request.Request
	fs := flag.NewFlagSet("jit-gate request", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&req.Policy, "policy", "", "`name` of the jit_optout_policy that governs the request (required)")
	fs.StringVar(&req.Principal, "principal", "", "GitHub `login` that receives the access (required)")
	fs.StringVar(&req.Scope, "scope", "", "what is granted, e.g. github:repo:acme/api:push or github:team:acme/oncall (required)")
	fs.StringVar(&req.Duration, "duration", "", "how long, as a Go `duration` such as 2h (required)")
	fs.StringVar(&req.Reason, "reason", "", "why the access is needed (required)")
	fs.StringVar(&req.Ticket, "ticket", "", "ticket or incident reference, such as OPS-1234")
	fs.BoolVar(&req.BreakGlass, "break-glass", false, "an emergency request, under the policy's break_glass thresholds")
	dir := fs.String("dir", ".", "the root module's `directory`, relative to the repository root for --open-pr")
	openPR := fs.Bool("open-pr", false, "commit the file to a new branch and open the pull request through the GitHub API ($GITHUB_TOKEN), requesting reviews from the policy's approvers")
	repo := fs.String("repo", getenv("GITHUB_REPOSITORY"), "repository `OWNER/NAME` for --open-pr (default $GITHUB_REPOSITORY)")
	note := fs.String("note", "", "a line added to the pull request's description, e.g. \"Requested in #12\"")
	fromIssue := fs.String("from-issue", "", "read the request from the access request issue form of an issues event `FILE` ($GITHUB_EVENT_PATH); the principal is the issue's author")
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitPass
	case err != nil:
		return exitError
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "jit-gate request: unexpected arguments %q\n", fs.Args())
		return exitError
	}
	if *fromIssue != "" {
		if req != (request.Request{}) {
			fmt.Fprintln(stderr, "jit-gate request: --from-issue takes the request from the issue: drop --policy, --principal, --scope, --duration, --reason, --ticket and --break-glass")
			return exitError
		}
		var number int
		if req, number, err = request.FromIssue(*fromIssue); err != nil {
			fmt.Fprintf(stderr, "jit-gate request: %s\n", report.Plain(err.Error()))
			return exitError
		}
		if *note == "" {
			*note = fmt.Sprintf("Requested in #%d.", number)
		}
	}
	var missing []string
	for name, v := range map[string]string{"--policy": req.Policy, "--principal": req.Principal, "--scope": req.Scope, "--duration": req.Duration, "--reason": req.Reason} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		fmt.Fprintf(stderr, "jit-gate request: %s required; run jit-gate request -h for the flags\n", strings.Join(missing, ", "))
		return exitError
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "jit-gate request: %s\n", report.Plain(err.Error()))
		return exitError
	}
	repoDir := path.Clean(filepath.ToSlash(*dir))
	if *openPR && (path.IsAbs(repoDir) || repoDir == ".." || strings.HasPrefix(repoDir, "../")) {
		return fail(fmt.Errorf("--dir %q: with --open-pr it names the module inside the repository, relative to its root", *dir))
	}
	var owner, name string
	if *openPR {
		if owner, name, err = parseRepo(*repo); err != nil {
			return fail(err)
		}
		if getenv("GITHUB_TOKEN") == "" {
			return fail(errors.New("--open-pr needs GITHUB_TOKEN: a token with contents=write and pull_requests=write on " + *repo))
		}
	}
	m, err := request.Load(*dir)
	if err != nil {
		return fail(err)
	}
	draft, err := request.Prepare(m, req, time.Now())
	var refused *request.Refused
	if errors.As(err, &refused) {
		fmt.Fprintf(stderr, "jit-gate request: not written: %s\n", report.Plain(err.Error()))
		return exitBlocked
	}
	if err != nil {
		return fail(err)
	}
	for _, f := range draft.Unchecked {
		fmt.Fprintf(stderr, "jit-gate request: not checked here, the gate checks it on the pull request: %s\n", report.Plain(f.Message))
	}
	if err := draft.Write(); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "wrote %s: jit_elevation.%s\n", draft.File, draft.Resource)
	if !*openPR {
		fmt.Fprintf(stdout, "\nTo propose it:\n\n%s", draft.Commands())
		return exitPass
	}
	client, err := newClient(getenv("GITHUB_TOKEN"), getenv("GITHUB_API_URL"))
	if err != nil {
		return fail(err)
	}
	opened, err := draft.Open(ctx, client, owner, name, repoDir, *note)
	if opened != nil {
		fmt.Fprintf(stdout, "opened pull request #%d: %s\n", opened.Number, opened.URL)
	}
	if err != nil {
		return fail(err)
	}
	return exitPass
}
