package publish

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/demo"
	"github.com/talkfeed/talkfeed/internal/fixtures"
)

// The subscribe page follows the day: the tree's own on its day, another
// day's rendered once and kept.
func TestViewIndexFollowsTheDay(t *testing.T) {
	tree := buildTree(t, demo.Talks(), demoSite, demo.Assets())
	own, _ := tree.File(IndexPath)
	for _, p := range []string{"", IndexPath} {
		if f, err := tree.View(p, talkfeed.Filter{}, "", demo.Anchor); err != nil || f != own {
			t.Errorf("View(%q) on the tree's day: %v, not the tree's page", p, err)
		}
	}
	later := demo.Anchor.AddDate(1, 0, 0)
	f, err := tree.View("", talkfeed.Filter{}, "", later)
	if err != nil || f.ETag == own.ETag || !bytes.Contains(f.Body, []byte("No upcoming talks yet.")) || f.Gzip == nil {
		t.Fatalf("a year later: %v, %q", err, f.ETag)
	}
	if again, _ := tree.View(IndexPath, talkfeed.Filter{}, "", later); again != f {
		t.Error("another day's page is rendered again for each request")
	}
}

// A filtered view renders once per tree (per day for upcoming), and many
// requests at once for a view not yet rendered share one render.
func TestViewFilteredOnce(t *testing.T) {
	tree := buildTree(t, demo.Talks(), demoSite, demo.Assets())
	f := talkfeed.Filter{Tags: []string{"rust"}}
	var wg sync.WaitGroup
	got := make([]*File, 16)
	for i := range got {
		wg.Go(func() {
			v, err := tree.View("feed.rss", f, "tag=rust", demo.Anchor)
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		})
	}
	wg.Wait()
	for _, v := range got {
		if v != got[0] {
			t.Fatal("concurrent requests rendered the view more than once")
		}
	}
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(got[0].Body))
	if err != nil || len(feed.Items) != 1 || !strings.Contains(feed.FeedLink, "feed.rss?tag=rust") {
		t.Errorf("tag=rust: %v, %+v", err, feed)
	}
	if n := tree.views.cached(); n != 1 {
		t.Errorf("%d views cached", n)
	}
	// Upcoming views are per day.
	up := talkfeed.Filter{Upcoming: true}
	a, _ := tree.View("calendar.ics", up, "upcoming=1", demo.Anchor)
	b, _ := tree.View("calendar.ics", up, "upcoming=1", demo.Anchor.AddDate(0, 0, 7))
	if a == nil || b == nil || a.ETag == b.ETag {
		t.Error("an upcoming view does not follow the day")
	}
}

func TestViewNotFound(t *testing.T) {
	tree := buildTree(t, demo.Talks(), demoSite, demo.Assets())
	for _, tc := range []struct{ path, query string }{
		{"nope.rss", ""}, {"category/nope/feed.rss", "tag=x"}, {"category/languages/nope.txt", "tag=x"},
		{"category/feed.rss", "tag=x"}, {"events/nope.ics", ""},
	} {
		if _, err := tree.View(tc.path, talkfeed.Filter{Tags: []string{"x"}}, tc.query, demo.Anchor); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s?%s: %v", tc.path, tc.query, err)
		}
	}
}

// The cache of views is bounded.
func TestViewCacheBound(t *testing.T) {
	tree, err := Build(talkfeed.NewCatalog(buildTree(t, demo.Talks(), demoSite, demo.Assets()).Catalog().Events()),
		Options{Site: demoSite, Today: demo.Anchor, ViewCacheSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"a", "b", "c", "d", "e", "f"} {
		if _, err := tree.View("feed.rss", talkfeed.Filter{Tags: []string{q}}, "tag="+q, demo.Anchor); err != nil {
			t.Fatal(err)
		}
	}
	if n := tree.views.cached(); n != 4 {
		t.Errorf("%d views cached, bound 4", n)
	}
}

func TestRouteOf(t *testing.T) {
	for p, want := range map[string]Route{
		"": RouteIndex, "index.html": RouteIndex, "events/2027/rust-summit.ics": RouteEvent,
		"events/2027/rust-summit/index.html": RouteEvent, "assets/talkfeed.css": RouteAsset,
		"changes.rss": RouteChanges, "calendar.ics": RouteCalendar, "category/kafka/calendar.ics": RouteCalendar,
		"feed.json": RouteFeed, "category/kafka/feed.atom": RouteFeed, "talks/x/index.html": RouteOther,
	} {
		if got := RouteOf(p); got != want {
			t.Errorf("RouteOf(%q) = %q, want %q", p, got, want)
		}
	}
}

// A large filtered view of a lazy tree (the daemon's) is there at once
// with its gzip from pieces, and compressed whole behind the request:
// the next request finds the whole and brotli.
func TestLargeFilteredViewCompressedBehind(t *testing.T) {
	o := Options{Site: talkfeed.Site{Title: "T", BaseURL: "https://talks.example/"}, TTL: 5 * time.Minute, Today: demo.Anchor, Lazy: true}
	tree, err := Build(talkfeed.NewCatalog(fixtures.Generated(t, 300)), o)
	if err != nil {
		t.Fatal(err)
	}
	from := talkfeed.Filter{From: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)}
	first, err := tree.View("feed.rss", from, "from=2001-01-01", demo.Anchor)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Body) < lazyAbove || !first.joined || first.Gzip == nil || first.Brotli != nil {
		t.Fatalf("the first answer: %d bytes, joined %v, gzip %d, brotli %d", len(first.Body), first.joined, len(first.Gzip), len(first.Brotli))
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		f, err := tree.View("feed.rss", from, "from=2001-01-01", demo.Anchor)
		if err != nil {
			t.Fatal(err)
		}
		if !f.joined && f.Brotli != nil {
			if !bytes.Equal(f.Body, first.Body) || f.ETag != first.ETag {
				t.Fatal("the compressed view is another view")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the view was never compressed whole")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
