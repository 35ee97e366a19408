// Command jit-gate reads a `terraform show -json` plan and refuses what the
// just-in-time access policies in it do not allow, and keeps the audit
// record. This package only maps flags and environment to the internal
// packages, and results to exit codes: 0 pass, 1 blocked, 2 error.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes (DESIGN.md).
const (
	exitPass    = 0
	exitBlocked = 1
	exitError   = 2
)

const usage = `usage: jit-gate <command> [flags]

commands:
  check   judge a plan against its policies and the pull request's reviews
  revoke  take away what expired elevations still give, from the state, at once
  sweep   remove shadow access under exclusive policies, from a refreshed plan
  record  after an apply: seal its audit record into the audit log, and copy
          it to the merged pull request
  audit   who held which access, when, why, approved by whom, from the audit
          records (and the state); --verify checks the whole trail
  prune   archive ended elevations into the audit log, so their blocks can
          leave the configuration without the trail losing them
  doctor  is the repository set up so the gate cannot be bypassed? (rulesets,
          branch protection, CODEOWNERS, environments, pinned actions)
  request write an elevation the policy allows into a file of its own, ready
          for a pull request (--open-pr opens it and requests the reviews)
  unjudged
          the commits since the last one the gate judged in apply mode, oldest
          first: the apply workflow judges each before the commit it applies
  version print the version, commit and build date (also --version)

Run "jit-gate check -h" (or revoke, sweep, record, audit, prune, doctor, request, unjudged -h) for the flags.
Exit codes: 0 pass, 1 blocked (audit --verify: the trail does not check;
doctor: a point fails), 2 error.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError
	}
	switch args[0] {
	case "check":
		return check(ctx, args[1:], getenv, stdout, stderr)
	case "revoke":
		return revokeCmd(ctx, args[1:], getenv, stdout, stderr)
	case "sweep":
		return sweepCmd(ctx, args[1:], getenv, stdout, stderr)
	case "record":
		return record(ctx, args[1:], getenv, stdout, stderr)
	case "audit":
		return auditCommand(ctx, args[1:], getenv, stdout, stderr)
	case "prune":
		return pruneCmd(ctx, args[1:], getenv, stdout, stderr)
	case "request":
		return requestCmd(ctx, args[1:], getenv, stdout, stderr)
	case "version", "-version", "--version":
		return versionCmd(args[1:], stdout, stderr)
	case "doctor":
		return doctorCmd(ctx, args[1:], getenv, stdout, stderr)
	case "unjudged":
		return unjudgedCmd(ctx, args[1:], getenv, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitPass
	}
	fmt.Fprintf(stderr, "jit-gate: unknown command %q\n\n%s", args[0], usage)
	return exitError
}
