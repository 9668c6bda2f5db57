// Command talkfeed turns a folder of talk pages into feeds and calendars.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	_ "time/tzdata" // zones work the same in a scratch container
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

const usage = `talkfeed turns a folder of talk pages into feeds and calendars.

Usage:
  talkfeed serve [flags] [SOURCE]        serve and reload the feeds (default: the embedded demo content)
  talkfeed check [flags] [SOURCE]        lint talk pages (default: the embedded demo content)
  talkfeed build --out DIR [SOURCE]      write the feeds for a static host
  talkfeed healthcheck [URL]             exit 0 when the daemon answers (for container health checks)
  talkfeed version                       print the version

Run 'talkfeed COMMAND -h' for a command's flags.
`

// run is the whole program; main only supplies the process's environment.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	now, err := newClock(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed: %v\n", err)
		return exitUsage
	}
	switch args[0] {
	case "check":
		return runCheck(ctx, args[1:], getenv, now, stdout, stderr)
	case "build":
		return runBuild(ctx, args[1:], getenv, now, stdout, stderr)
	case "serve":
		return runServe(ctx, args[1:], getenv, now, stdout, stderr)
	case "healthcheck":
		return runHealthcheck(ctx, args[1:], getenv, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "talkfeed %s\n", version)
		return exitOK
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "talkfeed: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// parseInterspersed parses flags that may stand before or after the
// positional arguments ("check DIR --format json"), which the flag
// package alone does not allow.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		// The flag package drops a "--" terminator; everything after it
		// is positional.
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// newFlagSet makes a flag set that reports to stderr and never exits.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: talkfeed %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// usageError reports a flag error; -h is not an error.
func usageError(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

// oneSource returns the single optional SOURCE argument, else
// TALKFEED_SOURCE (for containers, whose arguments are fixed).
func oneSource(positional []string, getenv func(string) string) (string, error) {
	switch len(positional) {
	case 0:
		return getenv("TALKFEED_SOURCE"), nil
	case 1:
		return positional[0], nil
	}
	return "", fmt.Errorf("one SOURCE at most, got %s", strings.Join(positional, " "))
}
