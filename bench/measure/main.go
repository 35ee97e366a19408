// Command measure runs a command once and prints its wall-clock time in
// seconds, its peak resident set size in KiB and its CPU time (user and
// system) in seconds, read from the child's rusage: finer than
// /usr/bin/time's 10 ms, and only the child is counted.
//
// Usage: measure [-stdout FILE] [-ok 0,1] -- COMMAND [ARG...]
//
// The child's stdout goes to FILE (default: discarded), its stderr to ours.
// An exit status outside -ok is an error, so a broken tool never passes for
// a fast one.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	stdout := flag.String("stdout", os.DevNull, "`file` for the command's standard output")
	ok := flag.String("ok", "0", "comma-separated exit `codes` that count as success")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: measure [-stdout FILE] [-ok 0,1] -- COMMAND [ARG...]")
		os.Exit(2)
	}
	var codes []int
	for _, s := range strings.Split(*ok, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			fatalf("bad -ok %q: %v", *ok, err)
		}
		codes = append(codes, n)
	}
	out, err := os.Create(*stdout)
	if err != nil {
		fatalf("%v", err)
	}
	defer out.Close()

	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdout, cmd.Stderr = out, os.Stderr
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil {
		fatalf("%s: %v", flag.Arg(0), err)
	}
	if code := cmd.ProcessState.ExitCode(); !slices.Contains(codes, code) {
		fatalf("%s exited %d (want one of %s)", strings.Join(flag.Args(), " "), code, *ok)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru == nil {
		fatalf("no rusage for %s", flag.Arg(0))
	}
	// Linux reports ru_maxrss in KiB.
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	fmt.Printf("%.6f %d %.6f\n", wall.Seconds(), ru.Maxrss, cpu.Seconds())
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "measure: "+format+"\n", args...)
	os.Exit(2)
}
