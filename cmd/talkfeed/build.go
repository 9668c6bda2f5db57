package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/publish"
	"github.com/talkfeed/talkfeed/source"
)

func runBuild(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) int {
	fs := newFlagSet("build", "build --out DIR [flags] [SOURCE]", stderr)
	var cf configFlags
	cf.register(fs)
	out := fs.String("out", "", "output `folder` (required)")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return usageError(err)
	}
	dir, err := oneSource(positional, getenv)
	if err == nil && *out == "" {
		err = fmt.Errorf("--out is required")
	}
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed build: %v\n", err)
		return exitUsage
	}
	cfg, loader, ref, err := prepare(ctx, &cf, getenv, now, dir)
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed build: %v\n", err)
		return exitUsage
	}
	// The day of the build: the subscribe page sorts upcoming from past
	// talks by it, and the demo's dates follow it.
	today := talkfeed.UTCDay(now())
	c, err := ref.open(ctx, today)
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed build: %v\n", err)
		return exitFail
	}
	defer c.close()
	// The same ledger serve keeps: a folder's in its state folder, a
	// git source's from its history.
	keeper, err := newLedgerKeeper(ref, cfg, stateFolder(cfg, ref, getenv), slog.New(slog.NewTextHandler(stderr, nil)), now)
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed build: %v\n", err)
		return exitFail
	}
	// The build runs beside a watch on the signal and the deadline: a
	// page that sent a renderer into a loop must not hold the process
	// past SIGTERM. Stopped, it leaves --out as it was (the new tree is
	// written beside it, and the next build removes what is left).
	built := make(chan int, 1)
	go func() { built <- buildAndWrite(ctx, c, loader, keeper, cfg, today, *out, stdout, stderr) }()
	select {
	case code := <-built:
		return code
	case <-ctx.Done():
		fmt.Fprintf(stderr, "talkfeed build: stopped (%v); %s is as it was\n", context.Cause(ctx), *out)
	case <-time.After(cfg.reloadTimeout):
		fmt.Fprintf(stderr, "talkfeed build: abandoned after %s (reload_timeout); %s is as it was\n", cfg.reloadTimeout, *out)
	}
	return exitFail
}

// precompressFrom is the size from which build writes a file's .gz and
// .br beside it; smaller ones the host compresses as it serves them (the
// nginx snippet turns gzip on for them).
const precompressFrom = 16 << 10

// buildAndWrite loads, renders and writes the tree, and stores the
// ledger.
func buildAndWrite(ctx context.Context, c *content, loader *source.Loader, keeper *ledgerKeeper, cfg settings, today time.Time, out string, stdout, stderr io.Writer) int {
	in, err := loadInput(ctx, c, loader, keeper, keeper.open(), cfg.removalGrace)
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed build: %v\n", err)
		return exitFail
	}
	res := in.res
	// Page problems are reported, not fatal: the other pages still
	// publish, as they would in the daemon.
	for _, d := range res.Diagnostics {
		if d.Severity != talkfeed.SeverityNotice {
			fmt.Fprintln(stderr, d.String())
		}
	}
	opts := cfg.publishOptions(c)
	opts.Today = today
	opts.PrecompressFrom = precompressFrom
	o := observe(in.base, res, in.at, today, in.grace, &opts)
	tree, err := publish.Build(o.catalog, opts)
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed build: %v\n", err)
		return exitFail
	}
	// Stored before the files are written, as serve stores it before it
	// publishes.
	if err := keeper.save(o.ledger); err != nil {
		fmt.Fprintf(stderr, "talkfeed build: %v\n", err)
		return exitFail
	}
	at, err := writeTree(out, tree, cfg.interval, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed build: %v\n", err)
		return exitFail
	}
	where := out
	if abs, _ := filepath.Abs(out); at != abs {
		where += " (a link to " + filepath.Base(at) + ")"
	}
	counts := res.Counts()
	fmt.Fprintf(stdout, "%d events, %d skipped, %d warnings, %d errors; wrote %d files to %s\n",
		len(res.Events), res.Skipped, counts.Warnings, counts.Errors, len(tree.Files()), where)
	return exitOK
}
