package source

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// syncBuffer is a log that tests read while the watcher writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A source folder moved away and copied back (mv s s.old; cp -a s.old s)
// or swapped for another (a checkout that replaces it) is watched again:
// an edit in the new folder is seen and asks for a reload, the gap is
// logged and reported to Health, and the move itself asks for a reload.
func TestWatchFollowsARecreatedRoot(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "talks")
	writeFile(t, dir, "2027/a.md", talk("A", "2027-01-01"))
	var logged syncBuffer
	w, err := NewWatcher(dir, slog.New(slog.NewTextHandler(&logged, nil)))
	if err != nil {
		t.Fatal(err)
	}
	w.backoffMin, w.backoffMax = 10*time.Millisecond, 50*time.Millisecond
	health := make(chan error, 100)
	w.Health = func(err error) { health <- err }
	saw := make(chan string, 1000)
	w.saw = func(ev fsnotify.Event) {
		select {
		case saw <- ev.Name:
		default: // never blocks the watcher
		}
	}
	changes := make(chan struct{}, 1000)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		w.Run(ctx, 10*time.Millisecond, func() { changes <- struct{}{} })
		close(done)
	}()
	defer func() { cancel(); <-done }()
	within := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for !ok() {
			select {
			case <-deadline:
				t.Fatalf("nothing after %s", what)
			default:
			}
		}
	}
	// edit writes pages new to the folder until one's event comes (the
	// folder may not be watched yet right after a swap: a reload reads
	// what came before), then waits for the change it asks for.
	edit := func(what string) {
		t.Helper()
		written := map[string]bool{}
		within(what, func() bool {
			name := fmt.Sprintf("2027/%s-%d.md", what, len(written))
			writeFile(t, dir, name, talk(what, "2027-01-01"))
			written[filepath.Join(dir, filepath.FromSlash(name))] = true
			for {
				select {
				case p := <-saw:
					if written[p] {
						return true
					}
				case <-time.After(20 * time.Millisecond):
					return false
				}
			}
		})
		for len(changes) > 0 {
			<-changes
		}
		within(what, func() bool {
			select {
			case <-changes:
				return true
			case <-time.After(10 * time.Millisecond):
				return false
			}
		})
	}
	healthIs := func(what string, ok bool) {
		t.Helper()
		within(what, func() bool {
			select {
			case err := <-health:
				return (err == nil) == ok
			case <-time.After(10 * time.Millisecond):
				return false
			}
		})
	}

	if err := os.Rename(dir, dir+".old"); err != nil {
		t.Fatal(err)
	}
	healthIs("moving the folder away", false)
	within("moving the folder away", func() bool {
		select {
		case <-changes:
			return true
		case <-time.After(10 * time.Millisecond):
			return false
		}
	})
	if out, err := exec.Command("cp", "-a", dir+".old", dir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	healthIs("copying the folder back", true)
	edit("copied")

	// Swapped at once for a folder made beside it.
	writeFile(t, parent, "staged/2027/a.md", talk("A staged", "2027-01-01"))
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(parent, "staged"), dir); err != nil {
		t.Fatal(err)
	}
	edit("swapped")

	for _, want := range []string{"the source folder is gone", "watching the source folder again"} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, logged.String())
		}
	}
}

// A source that is a symbolic link to a release folder (a deploy's
// "current") is watched through the link, and again when the link is
// switched to another release at once (ln -sfn: a new link renamed over
// the old, the name never absent): edits in the new release are seen.
func TestWatchFollowsASwitchedLink(t *testing.T) {
	parent := t.TempDir()
	writeFile(t, parent, "releases/1/2027/a.md", talk("A", "2027-01-01"))
	writeFile(t, parent, "releases/2/2027/a.md", talk("A, released", "2027-01-01"))
	dir := filepath.Join(parent, "current")
	if err := os.Symlink(filepath.Join("releases", "1"), dir); err != nil {
		t.Fatal(err)
	}
	w, err := NewWatcher(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	saw := make(chan string, 1000)
	w.saw = func(ev fsnotify.Event) {
		select {
		case saw <- ev.Name:
		default: // never blocks the watcher
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		w.Run(ctx, 10*time.Millisecond, func() {})
		close(done)
	}()
	defer func() { cancel(); <-done }()
	// seen writes pages new to the folder until one's event comes.
	seen := func(what string) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for n := 0; ; n++ {
			name := filepath.Join(dir, "2027", fmt.Sprintf("%s-%d.md", what, n))
			writeFile(t, dir, filepath.Join("2027", filepath.Base(name)), talk(what, "2027-01-01"))
			for waiting := true; waiting; {
				select {
				case p := <-saw:
					if strings.HasPrefix(p, filepath.Join(dir, "2027", what+"-")) {
						return
					}
				case <-time.After(20 * time.Millisecond):
					waiting = false
				case <-deadline:
					t.Fatalf("no event for %s", what)
				}
			}
		}
	}
	seen("linked")
	next := filepath.Join(parent, "current.next")
	if err := os.Symlink(filepath.Join("releases", "2"), next); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, dir); err != nil {
		t.Fatal(err)
	}
	seen("switched")
}
