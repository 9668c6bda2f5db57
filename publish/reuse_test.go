package publish

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"path"
	"runtime"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/demo"
	"github.com/talkfeed/talkfeed/internal/fixtures"
)

// A tree built on the previous one is the tree built from nothing, byte
// for byte, compressed forms and ETags included, whatever changed; and
// it takes the outputs whose talks did not change as they were.
func TestIncrementalBuildIsTheColdBuild(t *testing.T) {
	evs := fixtures.Generated(t, 200)
	base := Options{Site: talkfeed.Site{Title: "T", BaseURL: "https://talks.example/"}, TTL: 5 * time.Minute, Today: demo.Anchor}
	prev, err := Build(talkfeed.NewCatalog(evs), base)
	if err != nil {
		t.Fatal(err)
	}
	edits := map[string]func(evs []talkfeed.Event, o *Options) []talkfeed.Event{
		"a place": func(evs []talkfeed.Event, o *Options) []talkfeed.Event {
			evs[3].Location = "Elsewhere"
			return evs
		},
		"a stamp": func(evs []talkfeed.Event, o *Options) []talkfeed.Event {
			evs[5].Stamp.Version++
			return evs
		},
		"a new category": func(evs []talkfeed.Event, o *Options) []talkfeed.Event {
			evs[7].Category = "Brand New"
			return evs
		},
		"a removal": func(evs []talkfeed.Event, o *Options) []talkfeed.Event {
			gone := evs[9]
			gone.Status = talkfeed.StatusCancelled
			o.Tombstones = []talkfeed.Event{gone}
			return append(evs[:9:9], evs[10:]...)
		},
		"the title": func(evs []talkfeed.Event, o *Options) []talkfeed.Event {
			o.Site.Title = "Other"
			return evs
		},
		"the day": func(evs []talkfeed.Event, o *Options) []talkfeed.Event {
			o.Today = o.Today.AddDate(0, 0, 1)
			return evs
		},
		"the change feed": func(evs []talkfeed.Event, o *Options) []talkfeed.Event {
			o.Changes = []talkfeed.Change{{Kind: talkfeed.ChangeNew, At: demo.Anchor, ID: evs[0].ID, Talk: talkfeed.FingerprintOf(&evs[0])}}
			return evs
		},
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			o := base
			now := edit(append([]talkfeed.Event(nil), evs...), &o)
			cold, err := Build(talkfeed.NewCatalog(now), o)
			if err != nil {
				t.Fatal(err)
			}
			o.Previous = prev
			warm, err := Build(talkfeed.NewCatalog(now), o)
			if err != nil {
				t.Fatal(err)
			}
			if len(cold.Files()) != len(warm.Files()) {
				t.Fatalf("%d files cold, %d warm", len(cold.Files()), len(warm.Files()))
			}
			taken := 0
			for i, c := range cold.Files() {
				w := warm.Files()[i]
				if c.Path != w.Path || !bytes.Equal(c.Body, w.Body) || !bytes.Equal(c.Gzip, w.Gzip) || !bytes.Equal(c.Brotli, w.Brotli) ||
					c.ETag != w.ETag || c.ContentType != w.ContentType || !c.Modified.Equal(w.Modified) {
					t.Errorf("%s differs built on the previous tree", c.Path)
				}
				if old, ok := prev.File(w.Path); ok && len(w.Body) > 0 && &old.Body[0] == &w.Body[0] {
					taken++
				}
			}
			switch name {
			case "a place", "a stamp", "a removal":
				// Its own page and calendar, and the views that hold it,
				// are new; the other talks' are the old ones.
				if taken < len(warm.Files())-40 {
					t.Errorf("took %d of %d outputs from the previous tree", taken, len(warm.Files()))
				}
			case "the title":
				if taken > 10 { // assets only
					t.Errorf("a new title took %d outputs from the previous tree", taken)
				}
			}
		})
	}
	if prev.prev != nil || prev.keys != nil {
		t.Error("a built tree keeps its build's state")
	}
}

// A lazy build serves its large new files plain; Compressed fills them
// in, giving the tree a build that is not lazy gives; cut short, it keeps
// what it did, and the next build carries the rest.
func TestLazyCompression(t *testing.T) {
	evs := fixtures.Generated(t, 300)
	o := Options{Site: talkfeed.Site{Title: "T", BaseURL: "https://talks.example/"}, TTL: 5 * time.Minute, Today: demo.Anchor}
	eager, err := Build(talkfeed.NewCatalog(evs), o)
	if err != nil {
		t.Fatal(err)
	}
	o.Lazy = true
	lazy, err := Build(talkfeed.NewCatalog(evs), o)
	if err != nil {
		t.Fatal(err)
	}
	if lazy.Pending() == 0 {
		t.Fatal("a lazy build of 300 talks left nothing for later")
	}
	// A first build of 300 talks renders more files than a lazy build
	// compresses at once: it leaves every one for later, large or not.
	for _, f := range lazy.Files() {
		if f.pending != ((f.Gzip == nil || f.joined) && f.Brotli == nil && len(f.Body) >= minCompress && compressible(f.ContentType)) {
			t.Errorf("%s: pending %v with %d bytes", f.Path, f.pending, len(f.Body))
		}
		// A view's gzip form is there at once, put together from pieces,
		// with its own ETag: the whole compressed later is other bytes.
		if f.pending && IsViewFile(path.Base(f.Path)) {
			if !f.joined || f.ETagFor(Gzip) == eagerFile(t, eager, f.Path).ETagFor(Gzip) {
				t.Errorf("%s: pending with no gzip form from pieces, or with the ETag of the whole's", f.Path)
			}
			zr, err := gzip.NewReader(bytes.NewReader(f.Gzip))
			if err != nil {
				t.Fatal(err)
			}
			if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, f.Body) {
				t.Errorf("%s: the gzip form from pieces does not decode to the body: %v", f.Path, err)
			}
		}
	}
	same := func(name string, a, b *Tree) {
		t.Helper()
		for i, x := range a.Files() {
			y := b.Files()[i]
			if x.Path != y.Path || !bytes.Equal(x.Body, y.Body) || !bytes.Equal(x.Gzip, y.Gzip) || !bytes.Equal(x.Brotli, y.Brotli) {
				t.Errorf("%s: %s differs", name, x.Path)
			}
		}
	}
	done, err := lazy.Compressed(context.Background())
	if err != nil || done.Pending() != 0 {
		t.Fatalf("compressed: %v, %d left", err, done.Pending())
	}
	same("lazy then compressed", eager, done)
	if lazy.Pending() == 0 {
		t.Error("Compressed changed the tree it was given")
	}
	// Cut short before it began: nothing done, all carried to the next
	// build, which (not lazy) compresses them.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	partial, err := lazy.Compressed(ctx)
	if err == nil || partial.Pending() != lazy.Pending() {
		t.Errorf("cancelled: %v, %d left of %d", err, partial.Pending(), lazy.Pending())
	}
	o.Lazy, o.Previous = false, partial
	next, err := Build(talkfeed.NewCatalog(evs), o)
	if err != nil || next.Pending() != 0 {
		t.Fatalf("the next build: %v, %d left", err, next.Pending())
	}
	same("carried to the next build", eager, next)
}

func eagerFile(t *testing.T, tree *Tree, p string) *File {
	t.Helper()
	f, ok := tree.File(p)
	if !ok {
		t.Fatalf("no %s", p)
	}
	return f
}

// A tree built on the previous one does not keep it alive: a daemon
// keeps one snapshot, not every one it served (each tree kept its
// previous through its renderer's options, 1.4 GB after 591 reloads);
// nor do deferred views that are never rendered, through however many
// reloads take them.
func TestATreeLetsThePreviousGo(t *testing.T) {
	for _, deferred := range []bool{false, true} {
		t.Run(fmt.Sprint("deferred=", deferred), func(t *testing.T) {
			evs := fixtures.Generated(t, 20)
			o := Options{Site: talkfeed.Site{Title: "T", BaseURL: "https://talks.example/"}, TTL: 5 * time.Minute, Today: demo.Anchor, Lazy: true, Deferred: deferred}
			first, err := Build(talkfeed.NewCatalog(evs), o)
			if err != nil {
				t.Fatal(err)
			}
			freed := make(chan struct{})
			runtime.AddCleanup(first, func(ch chan struct{}) { close(ch) }, freed)
			last := first
			for i := range 3 {
				evs[0].Title = fmt.Sprint("Edited ", i)
				o.Previous = last
				if last, err = Build(talkfeed.NewCatalog(evs), o); err != nil {
					t.Fatal(err)
				}
			}
			first, o.Previous = nil, nil
			for range 50 {
				runtime.GC()
				select {
				case <-freed:
					runtime.KeepAlive(last)
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
			t.Fatal("the first tree is still alive three builds on")
		})
	}
}
