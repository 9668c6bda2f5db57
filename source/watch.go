package source

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watch calls onChange once things settle after pages or folders below
// dir change, until ctx ends: events within debounce of each other make
// one call (an editor's save is several events). Folders created later are
// watched too.
func Watch(ctx context.Context, dir string, debounce time.Duration, onChange func(), log *slog.Logger) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	if err := watchTree(w, dir); err != nil {
		return err
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if hidden(dir, ev.Name) {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
					if err := watchTree(w, ev.Name); err != nil {
						log.Warn("cannot watch a new folder", "folder", ev.Name, "error", err)
					}
				}
			}
			if ev.Has(fsnotify.Chmod) && !ev.Has(fsnotify.Write) {
				continue // metadata only: nothing to reload
			}
			timer.Reset(debounce)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			log.Warn("watching the source", "error", err)
		case <-timer.C:
			onChange()
		}
	}
}

// watchTree adds dir and every folder below it, skipping hidden ones.
func watchTree(w *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // gone while walking
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if p != dir && skipped(d.Name()) {
			return filepath.SkipDir
		}
		return w.Add(p)
	})
}

// hidden reports whether a path below root lies in or is an entry the
// loader skips, whose changes need no reload.
func hidden(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return false
	}
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if part != "." && part != ".." && skipped(part) {
			return true
		}
	}
	return false
}
