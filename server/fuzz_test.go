package server

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/mmcdole/gofeed"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/demo"
)

// fuzzPaths are the views a fuzzed query is asked of.
var fuzzPaths = []string{"feed.rss", "feed.atom", "feed.json", "calendar.ics", "category/community/feed.rss", "category/data/calendar.ics", "index.html", "", "events/nope.ics"}

// FuzzFilter sends arbitrary query strings to the views: the server
// never panics and never answers 5xx; a filter it accepts gives an
// output its parser reads, and a canonical query that reads back as the
// same filter.
func FuzzFilter(f *testing.F) {
	for _, q := range []string{
		"", "category=community", "tag=rust&tag=kafka", "speaker=Ada%20Nobody", "location=lisbon", "event=milan-devops-meetup",
		"upcoming=1", "upcoming=maybe", "from=2026-01-01&to=2027-01-01", "from=2027-01-01&to=2026-01-01", "limit=3", "limit=0",
		"limit=99999999999999999999", "from=9999-12-31", "to=0000-01-01", "category=%00%ff", "tag=" + string(make([]byte, 300)),
		"category=a;b", "%zz=1", "limit=1&limit=2", "utm_source=x", "upcoming=true&category=data&limit=1",
		"from=2026-02-30", "category=<script>alert(1)</script>", "speaker=%E2%80%AE",
	} {
		for i := range fuzzPaths {
			f.Add(q, uint8(i))
		}
	}
	now := demo.Anchor.Add(12 * time.Hour)
	s := New(Options{Now: func() time.Time { return now }, MaxAge: 5 * time.Minute})
	s.Publish(demoTree(f))
	f.Fuzz(func(t *testing.T, rawQuery string, which uint8) {
		p := fuzzPaths[int(which)%len(fuzzPaths)]
		req := httptest.NewRequest("GET", "/"+p, nil)
		req.URL.RawQuery = rawQuery
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		res := rec.Result()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 500 {
			t.Fatalf("GET /%s?%s: %d %s", p, rawQuery, res.StatusCode, b)
		}
		if res.StatusCode == http.StatusOK {
			switch p {
			case "feed.rss", "feed.atom", "feed.json", "category/community/feed.rss":
				if _, err := gofeed.NewParser().Parse(bytes.NewReader(b)); err != nil {
					t.Fatalf("GET /%s?%s: gofeed: %v", p, rawQuery, err)
				}
			case "calendar.ics", "category/data/calendar.ics":
				if _, err := goical.NewDecoder(bytes.NewReader(b)).Decode(); err != nil {
					t.Fatalf("GET /%s?%s: go-ical: %v", p, rawQuery, err)
				}
			}
		}
		// The filter alone: its canonical query is a fixed point.
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return
		}
		filter, canon, err := parseFilter(q)
		if err != nil {
			return
		}
		q2, err := url.ParseQuery(canon)
		if err != nil {
			t.Fatalf("canonical query %q does not parse: %v", canon, err)
		}
		filter2, canon2, err := parseFilter(q2)
		if err != nil || canon2 != canon || !reflect.DeepEqual(filter2, sortedFilter(filter)) {
			t.Fatalf("?%s: canonical %q reads back as %q, %+v (%v), want %+v", rawQuery, canon, canon2, filter2, err, filter)
		}
	})
}

// sortedFilter is f with its values sorted, as its canonical query
// gives them.
func sortedFilter(f talkfeed.Filter) talkfeed.Filter {
	for _, vs := range []*[]string{&f.Categories, &f.Tags, &f.Speakers, &f.EventNames, &f.Locations} {
		*vs = slices.Clone(*vs)
		slices.Sort(*vs)
	}
	return f
}
