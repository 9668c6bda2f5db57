package server

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	goical "github.com/emersion/go-ical"
	"github.com/mmcdole/gofeed"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/demo"
	"github.com/talkfeed/talkfeed/internal/fixtures"
	"github.com/talkfeed/talkfeed/publish"
)

var demoSite = talkfeed.Site{Title: "Demo Talks", BaseURL: "http://localhost:8080/", Language: "en"}

func demoTree(t testing.TB) *publish.Tree {
	t.Helper()
	tree, err := publish.Build(talkfeed.NewCatalog(fixtures.Demo(t, demoSite.BaseURL)), publish.Options{
		Site: demoSite, TTL: 5 * time.Minute, Assets: demo.Assets(), Today: demo.Anchor,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

type testServer struct {
	*Server
	now     time.Time
	reloads int
	fail    error
}

func newTestServer(t *testing.T, token string) *testServer {
	t.Helper()
	// The clock stands at noon on the day the demo tree is built for.
	ts := &testServer{now: demo.Anchor.Add(12 * time.Hour)}
	ts.Server = New(Options{
		Now:         func() time.Time { return ts.now },
		MaxAge:      5 * time.Minute,
		ReloadToken: token,
		Reload: func(context.Context) error {
			ts.reloads++
			return ts.fail
		},
	})
	ts.Publish(demoTree(t))
	return ts
}

func do(t *testing.T, h http.Handler, method, target string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, res *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestServesEveryOutput(t *testing.T) {
	s := newTestServer(t, "")
	tree := demoTree(t)
	for _, f := range tree.Files() {
		res := do(t, s, "GET", "/"+f.Path)
		b := body(t, res)
		if res.StatusCode != 200 || !bytes.Equal(b, f.Body) {
			t.Errorf("%s: %d, %d bytes", f.Path, res.StatusCode, len(b))
			continue
		}
		h := res.Header
		checks := map[string]string{
			"Content-Type":                f.ContentType,
			"Etag":                        f.ETag,
			"Cache-Control":               "public, max-age=300",
			"Access-Control-Allow-Origin": "*",
			"Content-Length":              strconv.Itoa(len(f.Body)),
		}
		if !f.Modified.IsZero() {
			checks["Last-Modified"] = f.Modified.Format(http.TimeFormat)
		}
		for k, want := range checks {
			if got := h.Get(k); got != want {
				t.Errorf("%s %s = %q, want %q", f.Path, k, got, want)
			}
		}
	}
	for path, ctype := range map[string]string{
		"/feed.rss": "application/rss+xml; charset=utf-8", "/feed.atom": "application/atom+xml; charset=utf-8",
		"/feed.json": "application/feed+json; charset=utf-8", "/calendar.ics": "text/calendar; charset=utf-8",
		"/category/languages/calendar.ics": "text/calendar; charset=utf-8", "/events/2027/rust-summit.ics": "text/calendar; charset=utf-8",
	} {
		if got := do(t, s, "GET", path).Header.Get("Content-Type"); got != ctype {
			t.Errorf("%s Content-Type %q", path, got)
		}
	}
}

func TestContentCoding(t *testing.T) {
	s := newTestServer(t, "")
	f, _ := demoTree(t).File("feed.rss")
	tags := map[string][]string{} // served ETags by Content-Encoding
	tests := []struct {
		accept, want string
	}{
		{"", ""},
		{"gzip", "gzip"},
		{"gzip, deflate, br", "br"},
		{"br;q=0, gzip;q=0.5", "gzip"},
		{"gzip;q=0, br;q=0", ""},
		{"*", "br"},
		{"identity", ""},
		{"GZIP", "gzip"},
	}
	for _, tc := range tests {
		var header []string
		if tc.accept != "" {
			header = []string{"Accept-Encoding", tc.accept}
		}
		res := do(t, s, "GET", "/feed.rss", header...)
		b := body(t, res)
		if got := res.Header.Get("Content-Encoding"); got != tc.want {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tc.accept, got, tc.want)
		}
		if res.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("no Vary for %q", tc.accept)
		}
		var plainBody []byte
		switch tc.want {
		case "gzip":
			r, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			plainBody, _ = io.ReadAll(r)
		case "br":
			plainBody, _ = io.ReadAll(brotli.NewReader(bytes.NewReader(b)))
		default:
			plainBody = b
		}
		if !bytes.Equal(plainBody, f.Body) {
			t.Errorf("Accept-Encoding %q: body does not decode to the feed", tc.accept)
		}
		tags[tc.want] = append(tags[tc.want], res.Header.Get("Etag"))
	}
	// The tags, from the bytes rather than publish.File.ETagFor (which the
	// server itself calls): strong, the identity one a digest of the plain
	// body, and each coding its own, since a strong validator belongs to
	// one representation (RFC 9110 8.8.1).
	sum := sha256.Sum256(f.Body)
	digest := hex.EncodeToString(sum[:16])
	etag := map[string]string{}
	for coding, seen := range tags {
		if seen = slices.Compact(seen); len(seen) != 1 {
			t.Errorf("coding %q served ETags %q", coding, seen)
		}
		tag := seen[0]
		etag[coding] = tag
		if !strongETag.MatchString(tag) || !strings.HasPrefix(tag, `"`+digest) {
			t.Errorf("coding %q: ETag %s is not a strong tag over the plain body's digest %s", coding, tag, digest)
		}
	}
	if want := `"` + digest + `"`; etag[""] != want {
		t.Errorf("identity ETag %s, want %s", etag[""], want)
	}
	if etag["gzip"] == etag[""] || etag["br"] == etag[""] || etag["gzip"] == etag["br"] {
		t.Errorf("representations share a strong ETag: identity %s, gzip %s, br %s", etag[""], etag["gzip"], etag["br"])
	}
	// Each representation revalidates with its own tag.
	for coding, tag := range etag {
		res := do(t, s, "GET", "/feed.rss", "Accept-Encoding", cmp.Or(coding, "identity"), "If-None-Match", tag)
		if res.StatusCode != http.StatusNotModified || res.Header.Get("Etag") != tag {
			t.Errorf("coding %q, If-None-Match %s: %d with ETag %s, want 304 with the same tag", coding, tag, res.StatusCode, res.Header.Get("Etag"))
		}
	}
	// An image has one representation: no Vary, never encoded.
	res := do(t, s, "GET", "/assets/images/events/rust-summit.png", "Accept-Encoding", "br")
	if res.Header.Get("Content-Encoding") != "" || res.Header.Get("Vary") != "" || res.Header.Get("Content-Type") != "image/png" {
		t.Errorf("image headers %v", res.Header)
	}
}

// strongETag is RFC 9110's entity-tag without the weak prefix (and, for
// ours, without obs-text).
var strongETag = regexp.MustCompile(`^"[\x21\x23-\x7e]*"$`)

func TestConditionalRequests(t *testing.T) {
	s := newTestServer(t, "")
	f, _ := demoTree(t).File("feed.rss")
	lastMod := f.Modified.Format(http.TimeFormat)
	later := f.Modified.Add(time.Hour).Format(http.TimeFormat)
	earlier := f.Modified.Add(-time.Hour).Format(http.TimeFormat)
	tests := []struct {
		name   string
		header []string
		want   int
	}{
		{"matching ETag", []string{"If-None-Match", f.ETag}, 304},
		{"weak form matches", []string{"If-None-Match", "W/" + f.ETag}, 304},
		{"in a list", []string{"If-None-Match", `"other", ` + f.ETag}, 304},
		{"in a second header line", []string{"If-None-Match", `"other"`, "If-None-Match", f.ETag}, 304},
		{"star", []string{"If-None-Match", "*"}, 304},
		{"the gzip representation's tag", []string{"If-None-Match", f.ETagFor(publish.Gzip)}, 304},
		{"stale ETag", []string{"If-None-Match", `"stale"`}, 200},
		{"If-Modified-Since equal", []string{"If-Modified-Since", lastMod}, 304},
		{"If-Modified-Since later", []string{"If-Modified-Since", later}, 304},
		{"If-Modified-Since earlier", []string{"If-Modified-Since", earlier}, 200},
		{"If-Modified-Since garbage", []string{"If-Modified-Since", "yesterday"}, 200},
		{"If-None-Match wins over If-Modified-Since", []string{"If-None-Match", `"stale"`, "If-Modified-Since", later}, 200},
	}
	for _, tc := range tests {
		res := do(t, s, "GET", "/feed.rss", tc.header...)
		b := body(t, res)
		if res.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, res.StatusCode, tc.want)
		}
		if tc.want == 304 {
			if len(b) != 0 || res.Header.Get("Etag") == "" || res.Header.Get("Cache-Control") == "" || res.Header.Get("Content-Length") != "" {
				t.Errorf("%s: 304 with body %d bytes, headers %v", tc.name, len(b), res.Header)
			}
		}
	}
}

func TestHead(t *testing.T) {
	s := newTestServer(t, "")
	f, _ := demoTree(t).File("calendar.ics")
	res := do(t, s, "HEAD", "/calendar.ics")
	if b := body(t, res); res.StatusCode != 200 || len(b) != 0 || res.Header.Get("Content-Length") != strconv.Itoa(len(f.Body)) || res.Header.Get("Etag") != f.ETag {
		t.Errorf("HEAD: %d, %d bytes, %v", res.StatusCode, len(b), res.Header)
	}
}

func TestErrors(t *testing.T) {
	s := newTestServer(t, "")
	tests := []struct {
		method, target string
		code           int
		reason         string
	}{
		{"GET", "/category/nope/feed.rss", 404, "no such category"},
		{"GET", "/category/nope/feed.rss?tag=x", 404, "no such category"},
		{"GET", "/events/nope.ics", 404, "no talk with that ID"},
		{"GET", "/nope", 404, "not found"},
		{"GET", "/feed.rss?limit=abc", 400, "limit must be"},
		{"GET", "/feed.rss?limit=0", 400, "limit must be"},
		{"GET", "/feed.rss?limit=10001", 400, "limit must be a whole number from 1 to 10000"},
		{"GET", "/feed.rss?upcoming=maybe", 400, "upcoming must be"},
		{"GET", "/calendar.ics?from=31/12/2026", 400, "from must be a date"},
		{"GET", "/calendar.ics?from=2027-01-01&to=2026-01-01", 400, "from must be before to"},
		// to is exclusive: from == to is an empty window, a mistake to say.
		{"GET", "/calendar.ics?from=2027-01-01&to=2027-01-01", 400, "from must be before to"},
		{"GET", "/feed.rss?to=2027-01-01&from=2027-01-01", 400, "from must be before to"},
		{"POST", "/feed.rss", 405, ""},
		{"PUT", "/calendar.ics", 405, ""},
		{"DELETE", "/-/status", 405, ""},
	}
	for _, tc := range tests {
		res := do(t, s, tc.method, tc.target)
		b := string(body(t, res))
		if res.StatusCode != tc.code || !strings.Contains(b, tc.reason) {
			t.Errorf("%s %s: %d %q, want %d %q", tc.method, tc.target, res.StatusCode, b, tc.code, tc.reason)
		}
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("%s %s: Content-Type %q", tc.method, tc.target, res.Header.Get("Content-Type"))
		}
		if tc.code == 405 && !strings.Contains(res.Header.Get("Allow"), "GET") {
			t.Errorf("%s %s: Allow %q", tc.method, tc.target, res.Header.Get("Allow"))
		}
	}
}

func parseFeed(t *testing.T, b []byte) *gofeed.Feed {
	t.Helper()
	f, err := gofeed.NewParser().Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFilteredViews(t *testing.T) {
	s := newTestServer(t, "")
	if n := len(parseFeed(t, body(t, do(t, s, "GET", "/feed.rss?category=community"))).Items); n != 2 {
		t.Errorf("category=community: %d items", n)
	}
	if n := len(parseFeed(t, body(t, do(t, s, "GET", "/feed.json?limit=3"))).Items); n != 3 {
		t.Errorf("limit=3: %d items", n)
	}
	if n := len(parseFeed(t, body(t, do(t, s, "GET", "/feed.atom?speaker=Ada%20Nobody"))).Items); n != 0 {
		t.Errorf("unknown speaker: %d items", n)
	}
	both := parseFeed(t, body(t, do(t, s, "GET", "/category/community/feed.rss?location=lisbon")))
	if len(both.Items) != 1 || !strings.Contains(both.Items[0].Title, "Lisbon") {
		t.Errorf("category path plus location: %v", both.Items)
	}
	// The self link names the filtered feed.
	if b := body(t, do(t, s, "GET", "/feed.rss?tag=rust")); !bytes.Contains(b, []byte(`href="http://localhost:8080/feed.rss?tag=rust"`)) {
		t.Error("filtered RSS self link lacks its query")
	}
	// Unknown parameters are ignored: the plain output, with its ETag.
	plainFeed := do(t, s, "GET", "/feed.rss")
	tracked := do(t, s, "GET", "/feed.rss?utm_source=newsletter")
	if plainFeed.Header.Get("Etag") != tracked.Header.Get("Etag") {
		t.Error("utm_source changed the output")
	}
	// Equal filters in another order are one cached view.
	a := do(t, s, "GET", "/feed.rss?tag=rust&category=languages")
	b := do(t, s, "GET", "/feed.rss?category=languages&tag=rust")
	if a.Header.Get("Etag") != b.Header.Get("Etag") || a.Header.Get("Etag") == plainFeed.Header.Get("Etag") {
		t.Error("equal filters differ, or the filter changed nothing")
	}
	// A filtered view answers conditional requests too.
	if res := do(t, s, "GET", "/feed.rss?tag=rust&category=languages", "If-None-Match", a.Header.Get("Etag")); res.StatusCode != 304 {
		t.Errorf("filtered 304: %d", res.StatusCode)
	}
}

// Upcoming views follow the date: the same content gives another view
// once the day changes.
func TestUpcomingFollowsTheDay(t *testing.T) {
	s := newTestServer(t, "")
	count := func() int {
		cal, err := goical.NewDecoder(bytes.NewReader(body(t, do(t, s, "GET", "/calendar.ics?upcoming=1")))).Decode()
		if err != nil {
			t.Fatal(err)
		}
		return len(cal.Events())
	}
	s.now = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	today := count() // workshop of 30 Nov onwards: 7 talks
	s.now = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	later := count()
	if today != 7 || later != 6 {
		t.Errorf("upcoming: %d talks on 24 Nov, %d on 1 Dec; want 7 and 6", today, later)
	}
	// The subscribe page follows the day too.
	s.now = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	before := do(t, s, "GET", "/").Header.Get("Etag")
	s.now = time.Date(2027, 6, 1, 9, 0, 0, 0, time.UTC)
	res := do(t, s, "GET", "/")
	if b := string(body(t, res)); res.Header.Get("Etag") == before || !strings.Contains(b, "No upcoming talks yet.") {
		t.Error("the subscribe page does not follow the day")
	}
}

func TestOperations(t *testing.T) {
	s := New(Options{MaxAge: time.Minute, Now: func() time.Time { return demo.Anchor }})
	if res := do(t, s, "GET", "/readyz"); res.StatusCode != 503 {
		t.Errorf("readyz before a snapshot: %d", res.StatusCode)
	}
	if res := do(t, s, "GET", "/feed.rss"); res.StatusCode != 503 {
		t.Errorf("feed before a snapshot: %d", res.StatusCode)
	}
	if res := do(t, s, "GET", "/healthz"); res.StatusCode != 200 {
		t.Errorf("healthz: %d", res.StatusCode)
	}
	s.Publish(demoTree(t))
	if res := do(t, s, "GET", "/readyz"); res.StatusCode != 200 {
		t.Errorf("readyz after a snapshot: %d", res.StatusCode)
	}
	s.SetStatus(Status{Events: 10, Diagnostics: []talkfeed.Diagnostic{{File: "a.md", Line: 2, Severity: "error", Message: "bad"}},
		LastReload: &ReloadReport{Trigger: "schedule", OK: false, Error: "boom"}})
	var st Status
	if err := json.Unmarshal(body(t, do(t, s, "GET", "/-/status")), &st); err != nil {
		t.Fatal(err)
	}
	if !st.Ready || st.Events != 10 || len(st.Diagnostics) != 1 || st.LastReload.Error != "boom" {
		t.Errorf("status %+v", st)
	}
	m := string(body(t, do(t, s, "GET", "/metrics")))
	for _, want := range []string{`talkfeed_http_requests_total{code="503",route="feed"} 1`, `talkfeed_http_requests_total{code="200",route="readyz"} 1`, "talkfeed_http_request_duration_seconds_bucket"} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if b := string(body(t, do(t, s, "GET", "/"))); !strings.Contains(b, "/category/languages/feed.rss") {
		t.Errorf("index %q", b)
	}
}

// /-/status reads the checks for each request: a check that recovers
// between two reloads shows at once.
func TestStatusReadsTheChecks(t *testing.T) {
	since := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	checks := map[string]Check{"source": {Since: since, Error: "git fetch https://git.example/talks.git: authentication required", Failures: 2}}
	s := New(Options{Now: func() time.Time { return demo.Anchor }, Checks: func() map[string]Check { return checks }})
	status := func() Status {
		t.Helper()
		var st Status
		if err := json.Unmarshal(body(t, do(t, s, "GET", "/-/status")), &st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	if c := status().Checks["source"]; c.OK || c.Error != checks["source"].Error || !c.Since.Equal(since) || c.Failures != 2 {
		t.Errorf("a failing check: %+v", c)
	}
	checks = map[string]Check{"source": {OK: true, Since: since.Add(time.Minute)}}
	if c := status().Checks["source"]; !c.OK || c.Error != "" {
		t.Errorf("the check recovered: %+v", c)
	}
}

func TestReloadEndpoint(t *testing.T) {
	off := newTestServer(t, "")
	if res := do(t, off, "POST", "/-/reload", "Authorization", "Bearer x"); res.StatusCode != 404 || off.reloads != 0 {
		t.Errorf("endpoint off: %d, %d reloads", res.StatusCode, off.reloads)
	}
	s := newTestServer(t, "s3cret")
	for _, auth := range []string{"", "Bearer wrong", "Basic s3cret", "s3cret"} {
		res := do(t, s, "POST", "/-/reload", "Authorization", auth)
		if res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("auth %q: %d", auth, res.StatusCode)
		}
	}
	if s.reloads != 0 {
		t.Errorf("%d reloads without a token", s.reloads)
	}
	res := do(t, s, "POST", "/-/reload", "Authorization", "Bearer s3cret")
	var out map[string]any
	json.Unmarshal(body(t, res), &out)
	if res.StatusCode != 200 || out["ok"] != true || s.reloads != 1 {
		t.Errorf("reload: %d %v, %d reloads", res.StatusCode, out, s.reloads)
	}
	s.fail = errors.New("source unreadable")
	res = do(t, s, "POST", "/-/reload", "Authorization", "Bearer s3cret")
	out = nil
	json.Unmarshal(body(t, res), &out)
	if res.StatusCode != 500 || out["ok"] != false || out["error"] != "source unreadable" {
		t.Errorf("failed reload: %d %v", res.StatusCode, out)
	}
	// The endpoint needs no body and reads at most 1 KiB of one.
	before := s.reloads
	req := httptest.NewRequest("POST", "/-/reload", strings.NewReader(strings.Repeat("x", 2<<10)))
	req.Header.Set("Authorization", "Bearer s3cret")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || s.reloads != before {
		t.Errorf("a 2 KiB body: %d, %d reloads", rec.Code, s.reloads-before)
	}
	if res := do(t, s, "GET", "/-/reload"); res.StatusCode == 200 {
		t.Error("GET /-/reload succeeded")
	}
}

// A new snapshot replaces the old one for the next request.
func TestPublishSwaps(t *testing.T) {
	s := newTestServer(t, "")
	before := do(t, s, "GET", "/feed.rss").Header.Get("Etag")
	evs := fixtures.Demo(t, demoSite.BaseURL)[:3]
	tree, err := publish.Build(talkfeed.NewCatalog(evs), publish.Options{Site: demoSite, Today: demo.Anchor})
	if err != nil {
		t.Fatal(err)
	}
	s.Publish(tree)
	after := do(t, s, "GET", "/feed.rss")
	if after.Header.Get("Etag") == before || len(parseFeed(t, body(t, after)).Items) != 3 {
		t.Error("the new snapshot is not served")
	}
}

// With ReadyMaxAge, a replica whose last successful reload is older is
// not ready (its reloads fail or hang), though it still serves.
func TestReadyFollowsTheLastSuccess(t *testing.T) {
	now := demo.Anchor
	s := New(Options{MaxAge: time.Minute, ReadyMaxAge: time.Hour, Now: func() time.Time { return now }})
	s.Publish(demoTree(t))
	ok := now.Add(-59 * time.Minute)
	s.SetStatus(Status{LastSuccess: &ok})
	if res := do(t, s, "GET", "/readyz"); res.StatusCode != 200 {
		t.Errorf("readyz 59 minutes after a success: %d", res.StatusCode)
	}
	old := now.Add(-61 * time.Minute)
	s.SetStatus(Status{LastSuccess: &old, LastReload: &ReloadReport{OK: false, TimedOut: true}})
	res := do(t, s, "GET", "/readyz")
	if b := string(body(t, res)); res.StatusCode != 503 || !strings.Contains(b, "stale") {
		t.Errorf("readyz 61 minutes after a success: %d %q", res.StatusCode, b)
	}
	if res := do(t, s, "GET", "/feed.rss"); res.StatusCode != 200 {
		t.Errorf("a stale replica stopped serving: %d", res.StatusCode)
	}
}

// A lazy snapshot's large feed is served gzip at once, in the quick form
// put together from pieces, with its own ETag; once compressed, the
// whole, with the other; a client's copy of either is current.
func TestLazySnapshotServesGzipAtOnce(t *testing.T) {
	o := publish.Options{Site: demoSite, TTL: 5 * time.Minute, Today: demo.Anchor, Lazy: true}
	lazy, err := publish.Build(talkfeed.NewCatalog(fixtures.Generated(t, 300)), o)
	if err != nil {
		t.Fatal(err)
	}
	if lazy.Pending() == 0 {
		t.Fatal("nothing left for later: the test needs a larger feed")
	}
	s := New(Options{MaxAge: time.Minute, Now: func() time.Time { return demo.Anchor }})
	get := func(inm string) (*http.Response, []byte) {
		req := httptest.NewRequest("GET", "/feed.rss", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		return w.Result(), w.Body.Bytes()
	}
	plain, _ := lazy.File("feed.rss")
	s.Publish(lazy)
	res, b := get("")
	quick := res.Header.Get("Etag")
	if res.Header.Get("Content-Encoding") != "gzip" || !strings.HasSuffix(quick, `-gzj"`) {
		t.Fatalf("a lazy snapshot's feed: %q, ETag %s", res.Header.Get("Content-Encoding"), quick)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, plain.Body) {
		t.Fatalf("the quick gzip decodes to %d bytes (%v), not the feed's %d", len(got), err, len(plain.Body))
	}
	done, err := lazy.Compressed(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s.Publish(done)
	res, _ = get("")
	if tag := res.Header.Get("Etag"); tag == quick || !strings.HasSuffix(tag, `-gz"`) {
		t.Errorf("compressed, the feed's gzip ETag is %s (quick %s)", tag, quick)
	}
	if res, _ := get(quick); res.StatusCode != http.StatusNotModified {
		t.Errorf("a copy of the quick form after compression: %d", res.StatusCode)
	}
}

// A deferred snapshot (the daemon's, right after a reload) serves its
// views as the eager build does, each rendered by its first request
// (concurrent ones wait for that render), and its talks' own files at
// once; a 304 for the eager ETag.
func TestDeferredSnapshotServesTheViews(t *testing.T) {
	evs := fixtures.Generated(t, 60)
	o := publish.Options{Site: demoSite, TTL: 5 * time.Minute, Today: demo.Anchor}
	eager, err := publish.Build(talkfeed.NewCatalog(evs), o)
	if err != nil {
		t.Fatal(err)
	}
	o.Lazy, o.Deferred = true, true
	deferred, err := publish.Build(talkfeed.NewCatalog(evs), o)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{MaxAge: time.Minute, Now: func() time.Time { return demo.Anchor }})
	s.Publish(deferred)
	for _, p := range []string{"feed.rss", "feed.json", "calendar.ics", "index.html", "category/" + talkfeed.CategorySlug(evs[0].Category) + "/feed.atom"} {
		want, _ := eager.File(p)
		if f, _ := deferred.File(p); !f.Deferred() {
			t.Fatalf("%s is not deferred", p)
		}
		var wg sync.WaitGroup
		bodies := make([][]byte, 4)
		tags := make([]string, 4)
		for i := range bodies {
			wg.Go(func() {
				res := do(t, s, "GET", "/"+p)
				bodies[i], tags[i] = body(t, res), res.Header.Get("Etag")
			})
		}
		wg.Wait()
		for i := range bodies {
			if !bytes.Equal(bodies[i], want.Body) || tags[i] != want.ETag {
				t.Errorf("%s: request %d got %d bytes, ETag %s; want the eager build's %d, %s", p, i, len(bodies[i]), tags[i], len(want.Body), want.ETag)
			}
		}
		if res := do(t, s, "GET", "/"+p, "If-None-Match", want.ETag); res.StatusCode != http.StatusNotModified {
			t.Errorf("%s: %d for the eager ETag", p, res.StatusCode)
		}
	}
}
