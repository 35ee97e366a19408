package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/jitgate/terraform-provider-jit/internal/report"
	"github.com/jitgate/terraform-provider-jit/internal/target/ghtarget"
)

// writer is a command that takes access away with the provider's token
// (sweep, revoke): one input file, --dry-run and --format text|json.
type writer struct {
	name   string
	fs     *flag.FlagSet
	flag   string // the input's flag
	input  *string
	dryRun *bool
	format *string
	stderr io.Writer
}

func newWriter(name, input, inputUsage, dryRunUsage, formatUsage string, stderr io.Writer) *writer {
	w := &writer{name: name, fs: flag.NewFlagSet("jit-gate "+name, flag.ContinueOnError), flag: input, stderr: stderr}
	w.fs.SetOutput(stderr)
	w.input = w.fs.String(input, "", inputUsage)
	w.dryRun = w.fs.Bool("dry-run", false, dryRunUsage)
	w.format = w.fs.String("format", "text", formatUsage)
	return w
}

// parse parses args; done is true when the command ends here with code.
func (w *writer) parse(args []string) (code int, done bool) {
	err := w.fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitPass, true
	case err != nil:
		return exitError, true
	case *w.input == "" || w.fs.NArg() > 0:
		fmt.Fprintf(w.stderr, "jit-gate %s: --%s is required and takes no other arguments\n", w.name, w.flag)
		return exitError, true
	case *w.format != "text" && *w.format != "json":
		fmt.Fprintf(w.stderr, "jit-gate %s: unknown --format %q: want text or json\n", w.name, *w.format)
		return exitError, true
	}
	return 0, false
}

func (w *writer) fail(err error) int {
	fmt.Fprintf(w.stderr, "jit-gate %s: %s\n", w.name, report.Plain(err.Error()))
	return exitError
}

// target is GitHub through the provider's token, GITHUB_TOKEN in the
// step that writes.
func (w *writer) target(getenv func(string) string, doing string) (*ghtarget.Target, error) {
	token := getenv("GITHUB_TOKEN")
	if token == "" {
		return nil, fmt.Errorf("GITHUB_TOKEN is not set: %s needs a token that manages the organization's teams and repositories", doing)
	}
	client, err := newClient(token, getenv("GITHUB_API_URL"))
	if err != nil {
		return nil, err
	}
	return ghtarget.New(client), nil
}

// writeJSON prints v as indented JSON, what the next step reads.
func writeJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
