package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed/demo"
	"github.com/talkfeed/talkfeed/publish"
)

// Every answer carries the security headers, whoever writes it: outputs
// and their 304s, the operations endpoints and /metrics, errors, the
// mux's own 404s, 405s and redirects, and answers before any snapshot.
// Pages get the pages' policy; everything else one that lets nothing run.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	s := newTestServer(t, "tok")
	empty := New(Options{Now: func() time.Time { return demo.Anchor }})
	type req struct {
		h              http.Handler
		method, target string
		header         []string
		code           int
	}
	reqs := []req{
		{s, "GET", "/healthz", nil, 200},
		{s, "GET", "/readyz", nil, 200},
		{s, "GET", "/metrics", nil, 200},
		{s, "GET", "/-/status", nil, 200},
		{s, "POST", "/-/reload", nil, 401},
		{s, "POST", "/-/reload", []string{"Authorization", "Bearer tok"}, 200},
		{s, "GET", "/-/reload", nil, 404},
		{s, "PUT", "/feed.rss", nil, 405},
		{s, "GET", "/nope", nil, 404},
		{s, "GET", "/events/nope.ics", nil, 404},
		{s, "GET", "/feed.rss?limit=x", nil, 400},
		{s, "GET", "/feed.rss?tag=rust", nil, 200},
		{s, "GET", "//feed.rss", nil, 307},     // the mux cleans the path
		{s, "GET", "/a/../feed.rss", nil, 307}, // and here
		{empty, "GET", "/readyz", nil, 503},
		{empty, "GET", "/feed.rss", nil, 503},
		{empty, "GET", "/-/status", nil, 200},
		{empty, "GET", "/metrics", nil, 200},
	}
	for _, f := range demoTree(t).Files() {
		if folder, ok := strings.CutSuffix(f.Path, "/index.html"); ok {
			reqs = append(reqs, req{s, "GET", "/" + folder, nil, 301}) // without its slash
		}
		reqs = append(reqs, req{s, "GET", "/" + f.Path, nil, 200}, req{s, "HEAD", "/" + f.Path, nil, 200})
		res := do(t, s, "GET", "/"+f.Path)
		reqs = append(reqs, req{s, "GET", "/" + f.Path, []string{"If-None-Match", res.Header.Get("Etag")}, 304})
	}
	for _, r := range reqs {
		what := r.method + " " + r.target + " " + strings.Join(r.header, " ")
		res := do(t, r.h, r.method, r.target, r.header...)
		if res.StatusCode != r.code {
			t.Errorf("%s: status %d, want %d", what, res.StatusCode, r.code)
		}
		page := strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") && res.StatusCode < 300
		want := map[string]string{
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "strict-origin-when-cross-origin",
			"Content-Security-Policy": publish.NoneCSP,
		}
		if page || r.code == 304 && strings.HasSuffix(r.target, ".html") {
			want["Content-Security-Policy"] = publish.PageCSP
		}
		for k, v := range want {
			if got := res.Header.Values(k); len(got) != 1 || got[0] != v {
				t.Errorf("%s: %s %q, want %q", what, k, got, v)
			}
		}
	}
}
