package publish

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/demo"
	"github.com/talkfeed/talkfeed/internal/fixtures"
)

func deferredOptions() Options {
	return Options{Site: talkfeed.Site{Title: "T", BaseURL: "https://talks.example/"}, TTL: 5 * time.Minute, Today: demo.Anchor, Lazy: true, Deferred: true}
}

// A deferred tree's first build leaves every output but the assets to its
// first use; rendered, each is the eager build's, bytes and ETag;
// compressed, the tree is the eager one.
func TestDeferredViewsAreTheEagerViews(t *testing.T) {
	evs := fixtures.Generated(t, 300)
	o := deferredOptions()
	o.Lazy, o.Deferred = false, false
	eager, err := Build(talkfeed.NewCatalog(evs), o)
	if err != nil {
		t.Fatal(err)
	}
	deferred, err := Build(talkfeed.NewCatalog(evs), deferredOptions())
	if err != nil {
		t.Fatal(err)
	}
	views := 0
	for i := range deferred.Files() {
		f := &deferred.Files()[i]
		asset := strings.HasPrefix(f.Path, "assets/")
		if f.Deferred() == asset {
			t.Errorf("%s: deferred %v", f.Path, f.Deferred())
		}
		if asset {
			continue
		}
		views++
		if f.Body != nil || f.ETag != "" || f.ContentType == "" {
			t.Errorf("%s: a deferred file has bytes or an ETag, or no type", f.Path)
		}
		want := eagerFile(t, eager, f.Path)
		// Many clients at once: one render, the same file for all.
		var wg sync.WaitGroup
		got := make([]*File, 4)
		for k := range got {
			wg.Go(func() { got[k], _ = f.Rendered() })
		}
		wg.Wait()
		for _, g := range got {
			if g != got[0] {
				t.Fatalf("%s rendered more than once", f.Path)
			}
		}
		if r := got[0]; !bytes.Equal(r.Body, want.Body) || r.ETag != want.ETag || r.ContentType != want.ContentType || !r.Modified.Equal(want.Modified) {
			t.Errorf("%s: rendered, it is not the eager build's", f.Path)
		}
		if f.Deferred() {
			t.Errorf("%s: still deferred once rendered", f.Path)
		}
	}
	if views < 600 {
		t.Fatalf("%d outputs deferred", views)
	}
	done, err := deferred.Compressed(context.Background())
	if err != nil || done.Pending() != 0 {
		t.Fatalf("compressed: %v, %d left", err, done.Pending())
	}
	for i, x := range eager.Files() {
		y := done.Files()[i]
		if x.Path != y.Path || !bytes.Equal(x.Body, y.Body) || !bytes.Equal(x.Gzip, y.Gzip) || !bytes.Equal(x.Brotli, y.Brotli) || x.ETag != y.ETag {
			t.Errorf("%s: compressed, it is not the eager build's", x.Path)
		}
	}
}

// A reload's deferred tree renders the new files of the talks that
// changed at once, takes the rest from the tree before, and leaves the
// views that changed to their first use.
func TestDeferredReload(t *testing.T) {
	evs := fixtures.Generated(t, 40)
	o := deferredOptions()
	first, err := Build(talkfeed.NewCatalog(evs), o)
	if err != nil {
		t.Fatal(err)
	}
	first.Render(context.Background())
	evs[3].Title = "Edited"
	o.Previous = first
	next, err := Build(talkfeed.NewCatalog(evs), o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range next.Files() {
		f := &next.Files()[i]
		own := f.Path == EventICSPath(evs[3].ID) || f.Path == TalkPagePath(o.Site.BaseURL, &evs[3])
		view := IsViewFile(path.Base(f.Path)) || f.Path == IndexPath
		switch {
		case own && (f.Deferred() || !bytes.Contains(f.Body, []byte("Edited"))):
			t.Errorf("%s: the edited talk's own file is not rendered at once", f.Path)
		case !own && !view && f.Deferred():
			t.Errorf("%s: an unchanged file waits for a render", f.Path)
		}
	}
	for _, p := range []string{"feed.rss", "calendar.ics", IndexPath} {
		if f, _ := next.File(p); !f.Deferred() {
			t.Errorf("%s, holding the edited talk, is rendered at once", p)
		}
	}
}

// Render renders what waits, and stops when told to.
func TestRenderDeferred(t *testing.T) {
	tree, err := Build(talkfeed.NewCatalog(fixtures.Generated(t, 50)), deferredOptions())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if n := tree.Render(ctx); n != 0 {
		t.Errorf("cancelled, it rendered %d", n)
	}
	if n := tree.Render(context.Background()); n < 8 {
		t.Errorf("rendered %d", n)
	}
	for _, f := range tree.Files() {
		if f.Deferred() {
			t.Errorf("%s still waits", f.Path)
		}
	}
}

// A view whose render fails serves the one it replaced, as a failed
// reload keeps the last good snapshot; with none to replace, it says so.
func TestDeferredRenderFailureFallsBack(t *testing.T) {
	evs := fixtures.Generated(t, 20)
	o := deferredOptions()
	first, err := Build(talkfeed.NewCatalog(evs), o)
	if err != nil {
		t.Fatal(err)
	}
	// As the daemon does: a tree's views are rendered once it is served.
	first.Render(context.Background())
	evs[0].Title = "Edited"
	o.Previous = first
	next, err := Build(talkfeed.NewCatalog(evs), o)
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	was, _ := first.File("feed.rss")
	wasRendered, _ := was.Rendered()
	f, _ := next.File("feed.rss")
	f.deferred.render = func() (File, error) { return File{}, boom }
	got, err := f.Rendered()
	if !errors.Is(err, boom) || got != wasRendered {
		t.Errorf("a failed render: %v, and not the last good feed", err)
	}
	lone := &File{Path: "x", deferred: &deferredFile{render: func() (File, error) { return File{}, boom }}}
	if got, err := lone.Rendered(); got != nil || !errors.Is(err, boom) {
		t.Errorf("a failed render with nothing before: %v %v", got, err)
	}
}

// The feeds a WebSub hub hears of are those whose bytes changed, deferred
// or not.
func TestChangedFeedsOfDeferredTrees(t *testing.T) {
	evs := fixtures.Generated(t, 30)
	o := deferredOptions()
	a, err := Build(talkfeed.NewCatalog(evs), o)
	if err != nil {
		t.Fatal(err)
	}
	evs[0].Title = "Edited"
	o.Previous = a
	b, err := Build(talkfeed.NewCatalog(evs), o)
	if err != nil {
		t.Fatal(err)
	}
	got := b.ChangedFeeds(a)
	cat := "category/" + talkfeed.CategorySlug(evs[0].Category) + "/"
	want := []string{cat + "feed.atom", cat + "feed.json", cat + "feed.rss", "feed.atom", "feed.json", "feed.rss"}
	if len(got) != len(want) {
		t.Fatalf("changed %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != o.Site.BaseURL+want[i] {
			t.Errorf("changed %v, want %v", got, want)
		}
	}
}

// A deferred view of some size, once rendered, has its whole gzip form
// at once (not the quick one from pieces, 1.7 times its size) and waits
// for brotli; a very large one keeps the quick form until compressed.
func TestDeferredViewGzippedWhole(t *testing.T) {
	tree, err := Build(talkfeed.NewCatalog(fixtures.Generated(t, 300)), deferredOptions())
	if err != nil {
		t.Fatal(err)
	}
	f, _ := tree.File("feed.rss")
	rf, err := f.Rendered()
	if err != nil {
		t.Fatal(err)
	}
	if len(rf.Body) < lazyAbove || len(rf.Body) >= gzipNowBelow {
		t.Fatalf("the test wants a feed between %d and %d bytes, not %d", lazyAbove, gzipNowBelow, len(rf.Body))
	}
	if rf.joined || rf.Gzip == nil || rf.Brotli != nil || !rf.pending {
		t.Errorf("rendered: joined %v, gzip %d bytes, brotli %d bytes, pending %v", rf.joined, len(rf.Gzip), len(rf.Brotli), rf.pending)
	}
	zr, err := gzip.NewReader(bytes.NewReader(rf.Gzip))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(zr); err != nil || !bytes.Equal(b, rf.Body) {
		t.Errorf("the gzip form decodes to other bytes: %v", err)
	}
}
