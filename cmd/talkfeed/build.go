package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/publish"
)

func runBuild(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := newFlagSet("build", "build --out DIR [flags] [SOURCE]", stderr)
	var cf configFlags
	cf.register(fs)
	out := fs.String("out", "", "output `folder` (required)")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return usageError(err)
	}
	dir, err := oneSource(positional)
	if err == nil && *out == "" {
		err = fmt.Errorf("--out is required")
	}
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed build: %v\n", err)
		return exitUsage
	}
	cfg, loader, c, err := prepare(&cf, getenv, dir)
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed build: %v\n", err)
		return exitUsage
	}
	defer c.close()
	res, err := c.load(ctx, loader)
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed build: %v\n", err)
		return exitFail
	}
	// Page problems are reported, not fatal: the other pages still
	// publish, as they would in the daemon.
	for _, d := range res.Diagnostics {
		if d.Severity != talkfeed.SeverityNotice {
			fmt.Fprintln(stderr, d.String())
		}
	}
	tree, err := publish.Build(talkfeed.NewCatalog(res.Events), cfg.publishOptions(c))
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed build: %v\n", err)
		return exitFail
	}
	if err := writeTree(*out, tree); err != nil {
		fmt.Fprintf(stderr, "talkfeed build: %v\n", err)
		return exitFail
	}
	counts := res.Counts()
	fmt.Fprintf(stdout, "%d events, %d skipped, %d warnings, %d errors; wrote %d files to %s\n",
		len(res.Events), res.Skipped, counts.Warnings, counts.Errors, len(tree.Files()), *out)
	return exitOK
}

// writeTree writes every file of the tree below dir, each through a
// temporary file and a rename so that a static server never sends half a
// file.
func writeTree(dir string, tree *publish.Tree) error {
	for _, f := range tree.Files() {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		tmp, err := os.CreateTemp(filepath.Dir(p), ".talkfeed-*")
		if err != nil {
			return err
		}
		_, werr := tmp.Write(f.Body)
		cerr := tmp.Close()
		if err := errors.Join(werr, cerr); err != nil {
			os.Remove(tmp.Name())
			return err
		}
		if err := os.Chmod(tmp.Name(), 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp.Name(), p); err != nil {
			os.Remove(tmp.Name())
			return err
		}
	}
	return nil
}
