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

// Watcher watches a folder of pages and every folder below it, those
// created later too.
type Watcher struct {
	dir string
	w   *fsnotify.Watcher
	log *slog.Logger
	// after makes the debounce timer; tests replace it to decide when
	// "later" is.
	after func(time.Duration) <-chan time.Time
}

// NewWatcher starts watching dir: once it returns, every change below dir
// is seen. Run reports them.
func NewWatcher(dir string, log *slog.Logger) (*Watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	if err := watchTree(w, dir); err != nil {
		w.Close()
		return nil, err
	}
	return &Watcher{dir: dir, w: w, log: log, after: time.After}, nil
}

// Run calls onChange once things settle after pages or folders change,
// until ctx ends, then stops watching: changes within debounce of each
// other make one call (an editor's save is several events).
func (w *Watcher) Run(ctx context.Context, debounce time.Duration, onChange func()) {
	changes := make(chan struct{})
	read := make(chan struct{})
	go func() {
		defer close(read)
		defer close(changes)
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.w.Events:
				if !ok {
					return
				}
				if w.relevant(ev) {
					select {
					case changes <- struct{}{}:
					case <-ctx.Done():
						return
					}
				}
			case err, ok := <-w.w.Errors:
				if !ok {
					return
				}
				w.log.Warn("watching the source", "error", err)
			}
		}
	}()
	w.debounce(ctx, changes, debounce, onChange)
	w.w.Close()
	<-read
}

// relevant reports whether an event needs a reload, and watches a folder
// it creates (before the reload it causes, so that nothing written in
// the new folder afterwards is missed).
func (w *Watcher) relevant(ev fsnotify.Event) bool {
	if hidden(w.dir, ev.Name) {
		return false
	}
	if ev.Has(fsnotify.Create) {
		if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
			if err := watchTree(w.w, ev.Name); err != nil {
				w.log.Warn("cannot watch a new folder", "folder", ev.Name, "error", err)
			}
		}
	}
	// Metadata only (a chmod, a touch of the access time): nothing to
	// reload.
	return !ev.Has(fsnotify.Chmod) || ev.Has(fsnotify.Write)
}

// debounce calls onChange once no change has come for d after the last
// one, until changes closes or ctx ends.
func (w *Watcher) debounce(ctx context.Context, changes <-chan struct{}, d time.Duration, onChange func()) {
	var settled <-chan time.Time // nil: nothing pending
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-changes:
			if !ok {
				return
			}
			settled = w.after(d) // a new change restarts the wait
		case <-settled:
			settled = nil
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
