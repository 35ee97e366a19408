package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/jitgate/terraform-provider-jit/internal/doctor"
	"github.com/jitgate/terraform-provider-jit/internal/report"
)

// doctorCmd runs `jit-gate doctor`: 0 when the gate cannot be bypassed, 1
// when a point fails, 2 when the repository could not be read.
func doctorCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("jit-gate doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	repo := fs.String("repo", getenv("GITHUB_REPOSITORY"), "repository `OWNER/NAME` (default $GITHUB_REPOSITORY)")
	format := fs.String("format", "text", "output: text or json")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitPass
		}
		return exitError
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "jit-gate doctor: %s\n", report.Plain(err.Error()))
		return exitError
	}
	if *format != "text" && *format != "json" {
		return fail(fmt.Errorf("unknown --format %q: want text or json", *format))
	}
	if fs.NArg() > 0 {
		return fail(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	owner, name, err := parseRepo(*repo)
	if err != nil {
		return fail(err)
	}
	token := getenv("GITHUB_TOKEN")
	if token == "" {
		return fail(errors.New("GITHUB_TOKEN is not set: doctor reads the repository's rulesets, protection, environments and files"))
	}
	client, err := newClient(token, getenv("GITHUB_API_URL"))
	if err != nil {
		return fail(err)
	}
	res, runErr := doctor.Run(ctx, client, doctor.Config{Owner: owner, Repo: name})
	render := doctor.Text
	if *format == "json" {
		render = doctor.JSON
	}
	if err := render(stdout, res); err != nil {
		return fail(err)
	}
	switch {
	case runErr != nil:
		return fail(runErr)
	case res.Verdict == doctor.VerdictPass:
		return exitPass
	}
	return exitBlocked
}
