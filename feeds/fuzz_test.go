package feeds

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"testing"

	"github.com/mmcdole/gofeed"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/internal/fixtures"
	"github.com/talkfeed/talkfeed/internal/hostile"
)

// The renderer fuzz targets build a talk from arbitrary texts and times
// (fixtures.FuzzEvent), render it, and require a document that gofeed
// reads back: one item with the talk's title and link, and an item
// description and content that, read as HTML, hold nothing active.
func FuzzRSS(f *testing.F)      { fuzzFeed(f, renderers[0]) }
func FuzzAtom(f *testing.F)     { fuzzFeed(f, renderers[1]) }
func FuzzJSONFeed(f *testing.F) { fuzzFeed(f, renderers[2]) }

func fuzzFeed(f *testing.F, r renderer) {
	for _, in := range fixtures.FuzzSeeds(f) {
		f.Add(in.Title, in.Summary, in.Location, in.Venue, in.Speaker, in.Tag, in.Category, in.Body, in.Start, in.Minutes, in.Flags)
	}
	o := testOptions()
	f.Fuzz(func(t *testing.T, title, summary, location, venue, speaker, tag, category, body string, start, minutes int64, flags uint8) {
		e := fixtures.FuzzEvent(fixtures.FuzzInput{Title: title, Summary: summary, Location: location, Venue: venue, Speaker: speaker,
			Tag: tag, Category: category, Body: body, Start: start, Minutes: minutes, Flags: flags}, testSite.BaseURL)
		v := View{SelfURL: "https://talks.example/feed." + r.name, HomeURL: "https://talks.example/", Title: "Fuzz", Events: []talkfeed.Event{e}}
		b, err := r.render(v, o)
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		if r.name == "json" {
			if !json.Valid(b) {
				t.Fatalf("not JSON:\n%s", b)
			}
		} else {
			dec := xml.NewDecoder(bytes.NewReader(b))
			for {
				if _, err := dec.Token(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("not well-formed XML: %v\n%s", err, b)
				}
			}
		}
		feed, err := gofeed.NewParser().Parse(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("gofeed: %v\n%s", err, b)
		}
		if len(feed.Items) != 1 {
			t.Fatalf("%d items", len(feed.Items))
		}
		it := feed.Items[0]
		if it.Link != e.PageURL {
			t.Errorf("link %q, want %q", it.Link, e.PageURL)
		}
		if it.Title != e.DisplayTitle() {
			t.Errorf("title %q, want %q", it.Title, e.DisplayTitle())
		}
		for what, s := range map[string]string{"description": it.Description, "content": it.Content} {
			if err := hostile.CheckFragment(s); err != nil {
				t.Errorf("%s %q: %v", what, s, err)
			}
		}
		for _, u := range append(append([]string{it.Link}, it.Links...), feed.Link, feed.FeedLink) {
			if hostile.DangerousURL(u) {
				t.Errorf("dangerous URL %q", u)
			}
		}
	})
}
