package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/publish"
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
	if err := writeTree(*out, tree, cfg.interval, stderr); err != nil {
		fmt.Fprintf(stderr, "talkfeed build: %v\n", err)
		return exitFail
	}
	counts := res.Counts()
	fmt.Fprintf(stdout, "%d events, %d skipped, %d warnings, %d errors; wrote %d files to %s\n",
		len(res.Events), res.Skipped, counts.Warnings, counts.Errors, len(tree.Files()), *out)
	return exitOK
}

// writeTree writes every file of the tree below dir with its .gz and .br
// siblings, and the _headers and _redirects files and nginx snippet that
// make a static host serve them, and redirect moved talk pages, as the
// daemon does (_redirects even when there are none, so that no stale one
// stays). Each file goes through a temporary file and a rename so that a
// static server never sends half a file. Large trees report progress.
func writeTree(dir string, tree *publish.Tree, maxAge time.Duration, progress io.Writer) error {
	files := tree.Files()
	// Creating a file costs a disk round trip on most machines (0.8 ms
	// on a virtual disk here), so files are written by many at once:
	// the writes overlap, where one after another they add up.
	var (
		mu      sync.Mutex
		written int
		first   error
	)
	next := make(chan int)
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for i := range next {
				f := &files[i]
				p := filepath.Join(dir, filepath.FromSlash(f.Path))
				err := writeFile(p, f.Body)
				if err == nil && f.Gzip != nil {
					err = writeFile(p+".gz", f.Gzip)
				}
				if err == nil && f.Brotli != nil {
					err = writeFile(p+".br", f.Brotli)
				}
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				written++
				if n := written; len(files) > 2000 && (n%1000 == 0 || n == len(files)) {
					fmt.Fprintf(progress, "wrote %d of %d files\n", n, len(files))
				}
				mu.Unlock()
			}
		})
	}
	for i := range files {
		mu.Lock()
		failed := first != nil
		mu.Unlock()
		if failed {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if first != nil {
		return first
	}
	if err := writeFile(filepath.Join(dir, publish.HeadersPath), tree.HeadersFile(maxAge)); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, publish.RedirectsPath), tree.RedirectsFile()); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, publish.NginxPath), tree.NginxConf(maxAge))
}

// writers is how many files build writes at once.
const writers = 16

func writeFile(p string, body []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".talkfeed-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(body)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
