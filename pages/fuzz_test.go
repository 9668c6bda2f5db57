package pages

import (
	"strings"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/internal/fixtures"
	"github.com/talkfeed/talkfeed/internal/hostile"
	"github.com/talkfeed/talkfeed/internal/htmltest"
)

// FuzzPages builds a talk from arbitrary texts and times
// (fixtures.FuzzEvent) and renders its page and the subscribe page with
// it: both must parse as HTML with nothing active beyond the site's own
// script, stylesheet and JSON-LD (which must parse), and the talk page's
// heading is the title.
func FuzzPages(f *testing.F) {
	for _, in := range fixtures.FuzzSeeds(f) {
		f.Add(in.Title, in.Summary, in.Location, in.Venue, in.Speaker, in.Tag, in.Category, in.Body, in.Start, in.Minutes, in.Flags)
	}
	o := options()
	today := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	allow := hostile.PageAllowance{BaseURL: base}
	f.Fuzz(func(t *testing.T, title, summary, location, venue, speaker, tag, category, body string, start, minutes int64, flags uint8) {
		e := fixtures.FuzzEvent(fixtures.FuzzInput{Title: title, Summary: summary, Location: location, Venue: venue, Speaker: speaker,
			Tag: tag, Category: category, Body: body, Start: start, Minutes: minutes, Flags: flags}, base)
		b, err := Talk(&e, o)
		if err != nil {
			t.Fatal(err)
		}
		if err := hostile.CheckPage(b, allow); err != nil {
			t.Fatalf("talk page: %v\n%s", err, b)
		}
		h1 := parse(t, b).all("h1")
		if len(h1) != 1 || htmltest.Text(h1[0]) != strings.Join(strings.Fields(e.Title), " ") {
			t.Errorf("heading is not the title %q", e.Title)
		}
		idx, err := Index([]talkfeed.Event{e}, today, o)
		if err != nil {
			t.Fatal(err)
		}
		if err := hostile.CheckPage(idx, allow); err != nil {
			t.Fatalf("subscribe page: %v\n%s", err, idx)
		}
	})
}
