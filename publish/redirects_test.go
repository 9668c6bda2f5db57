package publish

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/demo"
)

// redirectSite is published below a path, so that redirects' From paths
// are seen relative to it.
var redirectSite = talkfeed.Site{Title: "Moved", BaseURL: "https://example.org/talks/", Language: "en"}

func redirectTree(t *testing.T, redirects map[string]string) *Tree {
	t.Helper()
	base := redirectSite.BaseURL
	evs := []talkfeed.Event{
		{ID: "a", Title: "A", Start: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), AllDay: true, PageURL: base + "events/2027/a/"},
		{ID: "b", Title: "B", Start: time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC), AllDay: true, PageURL: base + "events/2027/b/"},
	}
	// An asset at a folder page's slashless path: that form stays the
	// asset's.
	assets := fstest.MapFS{"moved": {Data: []byte("an asset")}}
	tree, err := Build(talkfeed.NewCatalog(evs), Options{Site: redirectSite, Today: demo.Anchor, Assets: assets, Redirects: redirects})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func redirectMap() map[string]string {
	base := redirectSite.BaseURL
	a, b := base+"events/2027/a/", base+"events/2027/b/"
	return map[string]string{
		base + "events/2026/a-old/": a, // kept
		base + "old.html":           b, // kept: a file, one form only
		// two old URLs of one path: the first by old URL wins
		base + "events/2026/b-old":  b,
		base + "events/2026/b-old/": a,
		base + "moved/":             a, // kept, less the asset's "/moved"
		// dropped: a current output always wins
		base + "events/2027/b/":      a,
		base + "feed.rss":            a,
		base + "index.html":          a,
		base + "talkfeed.nginx.conf": a, // a file build writes
		// dropped: outside the base URL
		"https://elsewhere.example/events/x/": a,
		"https://example.org/other/x/":        a,
		base:                                  a,
		// dropped: to itself, in any spelling
		base + "events/2026/self/":    base + "events/2026/self",
		"https://example.org/talks/x": "https://example.org/talks/x",
		// dropped: what a host format cannot state as it is
		base + "evil/":      "https://example.org/talks/x$host",
		base + "quote/":     `https://example.org/talks/x"; }`,
		base + "frag/":      "https://example.org/talks/x#y",
		base + "space/":     "https://example.org/talks/x y",
		base + "a%20b/":     a,
		base + "a%0Ab/":     a,
		base + "splat*/":    a,
		base + "x/:name/":   a,
		base + "relative/":  "/events/2027/a/",
		base + "script/":    "javascript:alert(1)",
		base + "up/../x/":   a,
		base + "query?x=1/": a,
	}
}

func TestRedirectsKept(t *testing.T) {
	tree := redirectTree(t, redirectMap())
	base := redirectSite.BaseURL
	want := []Redirect{
		{From: "/events/2026/a-old/", To: base + "events/2027/a/"},
		{From: "/events/2026/b-old/", To: base + "events/2027/b/"},
		{From: "/moved/", To: base + "events/2027/a/"},
		{From: "/old.html", To: base + "events/2027/b/"},
	}
	if got := tree.Redirects(); !slices.Equal(got, want) {
		t.Errorf("Redirects() =\n%v\nwant\n%v", got, want)
	}
	for p, want := range map[string]string{
		// as the server asks for "/events/2026/a-old/", "…/index.html"
		// and "…/a-old"
		"events/2026/a-old/index.html": base + "events/2027/a/",
		"events/2026/a-old":            base + "events/2027/a/",
		"old.html":                     base + "events/2027/b/",
		"moved/index.html":             base + "events/2027/a/",
		// outputs and paths no redirect has
		"moved":                       "",
		"events/2027/b/index.html":    "",
		"feed.rss":                    "",
		"":                            "",
		"index.html":                  "",
		"events/2026/a-old/":          "",
		"old.html/index.html":         "",
		"events/2026/nope":            "",
		"events/2026/self/index.html": "",
	} {
		got, ok := tree.Redirect(p)
		if got != want || ok != (want != "") {
			t.Errorf("Redirect(%q) = %q, %v; want %q", p, got, ok, want)
		}
	}
}

func TestRedirectsFiles(t *testing.T) {
	a, b := redirectTree(t, redirectMap()), redirectTree(t, redirectMap())
	base := redirectSite.BaseURL
	wantRedirects := "# Written by talkfeed build: moved talk pages for static hosts. Each old page\n" +
		"# answers 301 with the talk's current page, as the daemon does.\n" +
		"/events/2026/a-old/ " + base + "events/2027/a/ 301\n" +
		"/events/2026/a-old " + base + "events/2027/a/ 301\n" +
		"/events/2026/a-old/index.html " + base + "events/2027/a/ 301\n" +
		"/events/2026/b-old/ " + base + "events/2027/b/ 301\n" +
		"/events/2026/b-old " + base + "events/2027/b/ 301\n" +
		"/events/2026/b-old/index.html " + base + "events/2027/b/ 301\n" +
		"/moved/ " + base + "events/2027/a/ 301\n" +
		"/moved/index.html " + base + "events/2027/a/ 301\n" +
		"/old.html " + base + "events/2027/b/ 301\n"
	if got := string(a.RedirectsFile()); got != wantRedirects {
		t.Errorf("_redirects:\n%s\nwant\n%s", got, wantRedirects)
	}
	wantNginx := "}\n# Moved talk pages: each old page answers 301 with the talk's current page.\n" +
		`location = "/events/2026/a-old/" { return 301 "` + base + `events/2027/a/"; }` + "\n" +
		`location = "/events/2026/a-old" { return 301 "` + base + `events/2027/a/"; }` + "\n" +
		`location = "/events/2026/a-old/index.html" { return 301 "` + base + `events/2027/a/"; }` + "\n" +
		`location = "/events/2026/b-old/" { return 301 "` + base + `events/2027/b/"; }` + "\n" +
		`location = "/events/2026/b-old" { return 301 "` + base + `events/2027/b/"; }` + "\n" +
		`location = "/events/2026/b-old/index.html" { return 301 "` + base + `events/2027/b/"; }` + "\n" +
		`location = "/moved/" { return 301 "` + base + `events/2027/a/"; }` + "\n" +
		`location = "/moved/index.html" { return 301 "` + base + `events/2027/a/"; }` + "\n" +
		`location = "/old.html" { return 301 "` + base + `events/2027/b/"; }` + "\n"
	nginx := a.NginxConf(5 * time.Minute)
	if !strings.HasSuffix(string(nginx), wantNginx) {
		t.Errorf("nginx snippet ends:\n%s\nwant\n%s", nginx, wantNginx)
	}
	// The same map, iterated in another order, gives the same bytes.
	if !bytes.Equal(a.RedirectsFile(), b.RedirectsFile()) || !bytes.Equal(nginx, b.NginxConf(5*time.Minute)) {
		t.Error("two builds of one map write different redirects")
	}
	// Without redirects: _redirects is its comment only, and the snippet
	// has no location of its own beyond the pages'.
	none := redirectTree(t, nil)
	if got := string(none.RedirectsFile()); strings.Count(got, "\n") != 2 || !strings.HasPrefix(got, "# ") || strings.Contains(got, "\n/") {
		t.Errorf("_redirects without redirects:\n%s", got)
	}
	if n := strings.Count(string(none.NginxConf(time.Minute)), "location"); n != 1 {
		t.Errorf("nginx snippet without redirects has %d locations", n)
	}
	if len(none.Redirects()) != 0 {
		t.Errorf("Redirects() = %v", none.Redirects())
	}
}
