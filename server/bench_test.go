package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed/demo"
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
