package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/demo"
	"github.com/talkfeed/talkfeed/internal/fixtures"
	"github.com/talkfeed/talkfeed/publish"
)

// A moved talk's old page answers 301 with its current page, in every
// form the server resolves to that page, cached and readable from other
// origins like the outputs.
func TestRedirectsMovedPages(t *testing.T) {
	base := demoSite.BaseURL
	evs := fixtures.Demo(t, base)
	current := evs[0].PageURL
	tree, err := publish.Build(talkfeed.NewCatalog(evs), publish.Options{
		Site: demoSite, TTL: 5 * time.Minute, Assets: demo.Assets(), Today: demo.Anchor,
		Redirects: map[string]string{
			base + "events/2020/moved-talk/": current,
			base + "old-talk.html":           evs[1].PageURL,
			base + "feed.rss":                current, // a current output: never redirected
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	s := New(Options{Now: func() time.Time { return demo.Anchor.Add(12 * time.Hour) }, MaxAge: 5 * time.Minute, Registry: reg})
	s.Publish(tree)

	for _, tc := range []struct{ method, target, want string }{
		{"GET", "/events/2020/moved-talk/", current},
		{"GET", "/events/2020/moved-talk/index.html", current},
		// straight to the new page, not first to the slashed old one
		{"GET", "/events/2020/moved-talk", current},
		// the query is not carried: the target is the tree's alone
		{"GET", "/events/2020/moved-talk/?utm_source=x", current},
		{"HEAD", "/events/2020/moved-talk/", current},
		{"GET", "/old-talk.html", evs[1].PageURL},
		{"HEAD", "/old-talk.html", evs[1].PageURL},
	} {
		what := tc.method + " " + tc.target
		res := do(t, s, tc.method, tc.target, "Accept-Encoding", "gzip, br")
		b := string(body(t, res))
		if res.StatusCode != http.StatusMovedPermanently {
			t.Errorf("%s: status %d, want 301", what, res.StatusCode)
			continue
		}
		for k, want := range map[string]string{
			"Location":                    tc.want,
			"Cache-Control":               "public, max-age=300",
			"Access-Control-Allow-Origin": "*",
			"X-Content-Type-Options":      "nosniff",
			"Content-Type":                "text/plain; charset=utf-8",
		} {
			if got := res.Header.Get(k); got != want {
				t.Errorf("%s: %s %q, want %q", what, k, got, want)
			}
		}
		if wantBody := "Moved Permanently: " + tc.want + "\n"; tc.method == "GET" && b != wantBody || tc.method == "HEAD" && b != "" {
			t.Errorf("%s: body %q", what, b)
		}
	}
	// The talk's current page and the outputs are served as ever, and
	// paths no redirect has are still not found.
	for target, code := range map[string]int{
		strings.TrimPrefix(current, strings.TrimSuffix(base, "/")): 200,
		"/feed.rss":                         200,
		"/events/2020/other-talk/":          404,
		"/events/2020/moved-talk/extra/":    404,
		"/events/2020/moved-talk/index.htm": 404,
		"/old-talk.html/":                   404,
		"/events/2020/":                     404,
		"/events/2020/moved-talk.ics":       404,
		"/category/nope/feed.rss":           404,
	} {
		res := do(t, s, "GET", target)
		if res.StatusCode != code {
			t.Errorf("GET %s: %d, want %d (Location %q)", target, res.StatusCode, code, res.Header.Get("Location"))
		}
		if code == 404 && res.Header.Get("Location") != "" {
			t.Errorf("GET %s: Location %q on a 404", target, res.Header.Get("Location"))
		}
	}
	// Redirects count under a route of their own, from a fixed set.
	m := string(body(t, do(t, s, "GET", "/metrics")))
	if want := `talkfeed_http_requests_total{code="301",route="redirect"} 7`; !strings.Contains(m, want) {
		t.Errorf("metrics lack %s:\n%s", want, m)
	}
}
