package main

import (
	"fmt"
	"io"

	"github.com/jitgate/terraform-provider-jit/internal/buildinfo"
)

// Set by the release build with -ldflags "-X main.version=... -X
// main.commit=... -X main.date=..." (.goreleaser.yml); empty otherwise.
var version, commit, date string

func versionCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "jit-gate version takes no arguments, got %q\n", args)
		return exitError
	}
	fmt.Fprintln(stdout, buildinfo.Get(version, commit, date).String("jit-gate"))
	return exitPass
}
