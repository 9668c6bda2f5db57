package source

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watcher watches a folder of pages and every folder below it, those
// created later too. It watches the folder's parent as well, for the
// folder itself: one moved away, deleted or replaced (mv s s.old; cp -a
// s.old s, a checkout that swaps the folder, a symbolic link switched to
// a new release) is watched again once it is back, since inotify's
// watches follow the old folder, not its name.
type Watcher struct {
	dir    string // absolute: fsnotify names events by the paths added
	parent string // "" when it cannot be watched
	w      *fsnotify.Watcher
	log    *slog.Logger
	// root is the folder being watched, to tell it from another one of
	// the same name; nil while it is gone.
	root os.FileInfo
	// Health, when set before Run, hears whether changes are seen: an
	// error when the folder is gone or cannot be watched, nil once it is
	// watched again.
	Health func(error)
	// after makes the debounce and retry timers; tests replace it to
	// decide when "later" is.
	after func(time.Duration) <-chan time.Time
	// Retries of a folder that is gone wait from backoffMin, doubling, up
	// to backoffMax: the parent's watch usually says sooner.
	backoffMin, backoffMax time.Duration
	// saw, when set (tests), hears each event below the folder.
	saw func(fsnotify.Event)
}

// NewWatcher starts watching dir: once it returns, every change below dir
// is seen. Run reports them.
func NewWatcher(dir string, log *slog.Logger) (*Watcher, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &Watcher{dir: abs, w: fw, log: log, after: time.After, backoffMin: 250 * time.Millisecond, backoffMax: 30 * time.Second}
	if p := filepath.Dir(abs); p != abs {
		if err := fw.Add(p); err != nil {
			// Still watched: only a replaced folder is then noticed
			// later, by its own watch's last event and the retries.
			log.Warn("cannot watch the source's parent folder; a replaced source folder is noticed later", "folder", p, "error", err)
		} else {
			w.parent = p
		}
	}
	if err := w.watchRoot(); err != nil {
		fw.Close()
		return nil, err
	}
	return w, nil
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
		w.read(ctx, changes)
	}()
	w.debounce(ctx, changes, debounce, onChange)
	w.w.Close()
	<-read
}

// read turns the watcher's events into changes until ctx ends or the
// watcher closes, and watches the folder again when it was replaced or
// comes back.
func (w *Watcher) read(ctx context.Context, changes chan<- struct{}) {
	var retry <-chan time.Time // non-nil while the folder is gone
	backoff := w.backoffMin
	for {
		changed := false
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.w.Events:
			if !ok {
				return
			}
			if ev.Name == w.dir {
				// The folder itself: gone, back or another one.
				if ev.Has(fsnotify.Create) || ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
					changed, retry, backoff = w.checkRoot(retry, backoff)
				}
			} else if w.below(ev.Name) {
				changed = w.relevant(ev)
				if w.saw != nil {
					w.saw(ev)
				}
			}
		case err, ok := <-w.w.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) && w.root != nil {
				// Events were lost, a new folder's perhaps: watch the
				// tree anew and reload what it holds now.
				w.log.Warn("watching the source: events were lost; watching it anew", "error", err)
				if err := w.watchRoot(); err != nil {
					retry, backoff = w.lose(err), w.backoffMin
				}
				changed = true
				break
			}
			w.log.Warn("watching the source", "error", err)
		case <-retry:
			if err := w.watchRoot(); err != nil {
				backoff = min(backoff*2, w.backoffMax)
				retry = w.after(backoff)
				w.log.Debug("the source folder is still not watchable", "folder", w.dir, "retry_in", backoff, "error", err)
				continue
			}
			retry, backoff = nil, w.backoffMin
			w.back()
			changed = true
		}
		if changed {
			select {
			case changes <- struct{}{}:
			case <-ctx.Done():
				return
			}
		}
	}
}

// checkRoot looks at the folder after an event about its name: gone,
// it is no longer watched and retried; another folder than the one
// watched, that one is watched instead. It reports whether that needs a
// reload, and the retry timer and back-off that follow.
func (w *Watcher) checkRoot(retry <-chan time.Time, backoff time.Duration) (bool, <-chan time.Time, time.Duration) {
	info, err := os.Stat(w.dir)
	switch {
	case err == nil && w.root != nil && os.SameFile(info, w.root):
		return false, retry, backoff // still the folder watched
	case err != nil && w.root == nil:
		return false, retry, backoff // still gone
	case err != nil:
		return true, w.lose(fmt.Errorf("the source folder %s is gone: %w", w.dir, err)), w.backoffMin
	}
	if werr := w.watchRoot(); werr != nil {
		if w.root == nil {
			return false, retry, backoff // already retrying
		}
		return true, w.lose(werr), w.backoffMin
	}
	if retry != nil {
		w.back()
	} else {
		w.log.Info("the source folder was replaced; watching the new one", "folder", w.dir)
	}
	return true, nil, w.backoffMin
}

// lose stops watching the folder's tree, which is gone or cannot be
// watched, says so, and returns the timer of the first retry.
func (w *Watcher) lose(err error) <-chan time.Time {
	w.unwatchTree()
	w.root = nil
	w.log.Warn("the source folder is gone or cannot be watched; changes are not seen until it is back", "folder", w.dir, "error", err)
	if w.Health != nil {
		w.Health(err)
	}
	return w.after(w.backoffMin)
}

// back says the folder is watched again.
func (w *Watcher) back() {
	w.log.Info("watching the source folder again", "folder", w.dir)
	if w.Health != nil {
		w.Health(nil)
	}
}

// watchRoot drops the watches of the tree, and watches the folder and
// every folder below it as they are now.
func (w *Watcher) watchRoot() error {
	w.unwatchTree()
	// Stat before watching: a folder replaced in between differs from
	// the one remembered, which the parent's event then finds.
	info, err := os.Stat(w.dir)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return fmt.Errorf("the source %s is not a folder", w.dir)
	}
	// A symbolic link to the folder (a deploy's "current") is walked
	// through, and watched by its own name, as events name it.
	real, err := filepath.EvalSymlinks(w.dir)
	if err != nil {
		return err
	}
	if err := watchTree(w.w, w.dir, real); err != nil {
		w.unwatchTree()
		return err
	}
	w.root = info
	return nil
}

// unwatchTree drops every watch but the parent's. Watches of a folder
// moved away would otherwise report its changes under the old names.
func (w *Watcher) unwatchTree() {
	for _, p := range w.w.WatchList() {
		if p != w.parent {
			w.w.Remove(p) // an error is a watch the kernel already dropped
		}
	}
}

// below reports whether p lies in the folder (not beside it, where the
// parent's watch sees too).
func (w *Watcher) below(p string) bool {
	rel, err := filepath.Rel(w.dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
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
			if err := watchTree(w.w, ev.Name, ev.Name); err != nil {
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

// watchTree adds dir and every folder below it, skipping hidden ones,
// walking them at real (dir itself, or where a link at dir leads).
func watchTree(w *fsnotify.Watcher, dir, real string) error {
	return filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p != real {
				return nil // gone while walking
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if p != real && skipped(d.Name()) {
			return filepath.SkipDir
		}
		rel, err := filepath.Rel(real, p)
		if err != nil {
			return err
		}
		return w.Add(filepath.Join(dir, rel))
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
