package server

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/demo"
	"github.com/talkfeed/talkfeed/internal/fixtures"
	"github.com/talkfeed/talkfeed/publish"
)

// discard is a ResponseWriter that keeps nothing: what a benchmark of a
// handler should measure is the handler.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkServe is one answer from the handler, beside its floor in the
// same run: a bare handler that writes the same bytes with the same
// headers, fixed once (what a static server does at best).
func BenchmarkServe(b *testing.B) {
	s := New(Options{Now: func() time.Time { return demo.Anchor.Add(12 * time.Hour) }, MaxAge: 5 * time.Minute})
	tree := demoTree(b)
	s.Publish(tree)
	f, _ := tree.File("feed.rss")
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Type"], h["Etag"], h["Content-Encoding"], h["Vary"] = []string{f.ContentType}, []string{f.ETagFor("gzip")}, []string{"gzip"}, []string{"Accept-Encoding"}
		if r.Header.Get("If-None-Match") != "" {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(f.Gzip)
	})
	cases := []struct {
		name, target string
		header       http.Header
	}{
		{"feed-gzip", "/feed.rss", http.Header{"Accept-Encoding": {"gzip, deflate, br;q=0"}}},
		{"not-modified", "/feed.rss", http.Header{"Accept-Encoding": {"gzip"}, "If-None-Match": {f.ETagFor("gzip")}}},
		{"filtered", "/feed.rss?category=languages", http.Header{"Accept-Encoding": {"gzip"}}},
	}
	for _, c := range cases {
		req := httptest.NewRequest(http.MethodGet, c.target, nil)
		req.Header = c.header
		for _, h := range []struct {
			name    string
			handler http.Handler
		}{{"baseline-bare", bare}, {"talkfeed", s}} {
			b.Run(c.name+"/"+h.name, func(b *testing.B) {
				w := &discard{h: http.Header{}}
				b.ReportAllocs()
				for b.Loop() {
					clear(w.h)
					h.handler.ServeHTTP(w, req)
				}
			})
		}
	}
}

// BenchmarkFirstFilter is the first request of a filter no one asked for
// yet, at 10,000 talks in a snapshot as the daemon builds it (lazy): a
// new view of most talks, put together from the items the snapshot's
// feeds already hold. Its baseline, in the same run, is the same view
// asked again (kept, bounded, per snapshot).
func BenchmarkFirstFilter(b *testing.B) {
	o := publish.Options{Site: demoSite, TTL: 5 * time.Minute, Today: demo.Anchor, Lazy: true, ViewCacheSize: 1 << 20}
	tree, err := publish.Build(talkfeed.NewCatalog(fixtures.Generated(b, 10000)), o)
	if err != nil {
		b.Fatal(err)
	}
	s := New(Options{Now: func() time.Time { return demo.Anchor.Add(12 * time.Hour) }, MaxAge: 5 * time.Minute})
	s.Publish(tree)
	get := func(target string) {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		w := &discard{h: http.Header{}}
		s.ServeHTTP(w, req)
	}
	b.Run("baseline-asked-again", func(b *testing.B) {
		get("/feed.rss?from=2001-01-01")
		for b.Loop() {
			get("/feed.rss?from=2001-01-01")
		}
	})
	b.Run("first", func(b *testing.B) {
		n := 0
		for b.Loop() {
			n++
			get("/feed.rss?from=2001-01-01&limit=" + strconv.Itoa(n%9000+1000))
		}
	})
}
