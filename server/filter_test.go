package server

import (
	"bytes"
	"testing"

	goical "github.com/emersion/go-ical"
)

// A filter is a set of values per parameter: the same values in another
// order are the same view, with one ETag, one body and one self link (the
// canonical query, values sorted), so caches and readers see one feed.
func TestFilterValueOrderIsCanonical(t *testing.T) {
	s := newTestServer(t, "")
	pairs := []struct{ key, a, b string }{ // a sorts before b
		{"category", "community", "data"},
		{"tag", "kafka", "rust"},
		{"speaker", "joao-carvalho", "lena-hoffmann"},
		{"event", "milan-devops-meetup", "rust-systems-summit"},
		{"location", "berlin", "lisbon"},
	}
	for _, p := range pairs {
		canonical := p.key + "=" + p.a + "&" + p.key + "=" + p.b
		for _, file := range []string{"feed.rss", "feed.atom", "feed.json", "calendar.ics"} {
			sorted := do(t, s, "GET", "/"+file+"?"+canonical)
			reversed := do(t, s, "GET", "/"+file+"?"+p.key+"="+p.b+"&"+p.key+"="+p.a)
			a, b := body(t, sorted), body(t, reversed)
			if sorted.StatusCode != 200 || reversed.StatusCode != 200 {
				t.Fatalf("%s %s: status %d and %d", file, p.key, sorted.StatusCode, reversed.StatusCode)
			}
			if ea, eb := sorted.Header.Get("Etag"), reversed.Header.Get("Etag"); ea != eb {
				t.Errorf("%s ?%s: ETag %s, reversed %s", file, canonical, ea, eb)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("%s ?%s: the reversed order gives other bytes", file, canonical)
			}
			want := "http://localhost:8080/" + file + "?" + canonical
			for order, got := range map[string][]byte{"sorted": a, "reversed": b} {
				if self := selfLink(t, file, got); self != want {
					t.Errorf("%s, %s order: self link %q, want %q", file, order, self, want)
				}
			}
		}
		// The values match demo talks: the views are not empty.
		if n := len(parseFeed(t, body(t, do(t, s, "GET", "/feed.rss?"+canonical))).Items); n < 2 {
			t.Errorf("?%s: %d items, want at least 2", canonical, n)
		}
	}
}

// selfLink is a view's own URL as a parser reads it: the feed link, or
// the calendar's SOURCE.
func selfLink(t *testing.T, file string, b []byte) string {
	t.Helper()
	if file != "calendar.ics" {
		return parseFeed(t, b).FeedLink
	}
	cal, err := goical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if p := cal.Props.Get("SOURCE"); p != nil {
		return p.Value
	}
	return ""
}
