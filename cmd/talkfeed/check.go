package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/talkfeed/talkfeed"
)

// checkReport is `talkfeed check --format json`.
type checkReport struct {
	Source      string                `json:"source"`
	Events      int                   `json:"events"`
	Skipped     int                   `json:"skipped"`
	Warnings    int                   `json:"warnings"`
	Errors      int                   `json:"errors"`
	Notices     int                   `json:"notices"`
	Diagnostics []talkfeed.Diagnostic `json:"diagnostics"`
}

func runCheck(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) int {
	fs := newFlagSet("check", "check [flags] [SOURCE]", stderr)
	var cf configFlags
	cf.register(fs)
	format := fs.String("format", "text", "output `format`: text or json")
	strict := fs.Bool("strict", false, "fail on warnings too")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return usageError(err)
	}
	dir, err := oneSource(positional, getenv)
	if err == nil && *format != "text" && *format != "json" {
		err = fmt.Errorf("--format must be text or json, not %q", *format)
	}
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed check: %v\n", err)
		return exitUsage
	}
	_, loader, ref, err := prepare(ctx, &cf, getenv, now, dir)
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed check: %v\n", err)
		return exitUsage
	}
	c, err := ref.open(ctx, talkfeed.UTCDay(now()))
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed check: %v\n", err)
		return exitFail
	}
	defer c.close()
	res, err := c.load(ctx, loader)
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed check: %v\n", err)
		return exitFail
	}
	counts := res.Counts()
	if *format == "json" {
		rep := checkReport{
			Source: c.name, Events: len(res.Events), Skipped: res.Skipped,
			Warnings: counts.Warnings, Errors: counts.Errors, Notices: counts.Notices,
			Diagnostics: res.Diagnostics,
		}
		if rep.Diagnostics == nil {
			rep.Diagnostics = []talkfeed.Diagnostic{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "talkfeed check: %v\n", err)
			return exitFail
		}
	} else {
		for _, d := range res.Diagnostics {
			fmt.Fprintln(stdout, d.String())
		}
		fmt.Fprintf(stdout, "%d events, %d skipped, %d warnings, %d errors\n",
			len(res.Events), res.Skipped, counts.Warnings, counts.Errors)
	}
	if counts.Errors > 0 || (*strict && counts.Warnings > 0) {
		return exitFail
	}
	return exitOK
}
