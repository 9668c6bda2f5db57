package server

import (
	"net/http"
	"path"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed/publish"
)

// Browsers read feeds and calendars from other origins (README: GET
// responses allow any origin), so every answer from the tree carries
// Access-Control-Allow-Origin, whatever its coding, method or status.
func TestCORSEverywhere(t *testing.T) {
	s := newTestServer(t, "")
	check := func(what string, res *http.Response, wantCode int) {
		t.Helper()
		if res.StatusCode != wantCode {
			t.Errorf("%s: status %d, want %d", what, res.StatusCode, wantCode)
		}
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("%s: Access-Control-Allow-Origin %q, want \"*\"", what, got)
		}
	}
	// every answer to one target: plain, each coding, HEAD, and a 304 for
	// the tag and for the date it served
	all := func(target string) {
		t.Helper()
		for _, coding := range []string{"identity", publish.Gzip, publish.Brotli} {
			for _, method := range []string{"GET", "HEAD"} {
				res := do(t, s, method, target, "Accept-Encoding", coding)
				what := method + " " + target + " (" + coding + ")"
				check(what, res, 200)
				check(what+" If-None-Match", do(t, s, method, target, "Accept-Encoding", coding, "If-None-Match", res.Header.Get("Etag")), 304)
				if lm := res.Header.Get("Last-Modified"); lm != "" {
					check(what+" If-Modified-Since", do(t, s, method, target, "Accept-Encoding", coding, "If-Modified-Since", lm), 304)
				}
			}
		}
	}
	for _, f := range demoTree(t).Files() {
		all("/" + f.Path)
		if publish.IsViewFile(path.Base(f.Path)) {
			all("/" + f.Path + "?tag=rust&upcoming=1")
		}
	}
	all("/")
	// The subscribe page of a day the reload did not render for.
	s.now = s.now.Add(30 * 24 * time.Hour)
	all("/")
}

// Error answers carry it too, so that a page on another origin can show
// why a feed it asked for failed.
func TestCORSOnErrors(t *testing.T) {
	s := newTestServer(t, "")
	for target, code := range map[string]int{
		"/nope": 404, "/events/nope.ics": 404, "/category/nope/feed.rss": 404, "/feed.rss?limit=x": 400,
	} {
		res := do(t, s, "GET", target)
		if res.StatusCode != code || res.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("GET %s: %d, Access-Control-Allow-Origin %q", target, res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
		}
	}
}
