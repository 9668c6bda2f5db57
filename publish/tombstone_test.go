package publish

import (
	"bytes"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/demo"
)

// A removed talk's tombstone cancels it in every calendar that held it —
// all talks, its category's (even with no other talk left in it), its
// own, a filtered view — with its raised SEQUENCE; feeds do not list it.
func TestTombstonesInEveryCalendar(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	keep := talkfeed.Event{ID: "keep", Title: "Kept", Start: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), AllDay: true, Category: "Go", PageURL: demoSite.BaseURL + "keep/"}
	gone := talkfeed.Event{ID: "gone", Title: "Gone Talk", Start: time.Date(2027, 2, 1, 18, 0, 0, 0, time.UTC), TimeZone: "UTC", Category: "Rust", PageURL: demoSite.BaseURL + "gone/"}
	ledger, _ := talkfeed.NewLedger().Observe([]talkfeed.Event{keep, gone}, at)
	ledger, _ = ledger.Observe([]talkfeed.Event{keep}, at.Add(time.Hour))
	o := Options{Site: demoSite, Today: demo.Anchor, Tombstones: ledger.Tombstones(demo.Anchor, 30*24*time.Hour), Changes: ledger.Changes()}
	tree, err := Build(talkfeed.NewCatalog(ledger.Stamped([]talkfeed.Event{keep})), o)
	if err != nil {
		t.Fatal(err)
	}
	cancelled := func(name string, body []byte) {
		t.Helper()
		cal, err := goical.NewDecoder(bytes.NewReader(body)).Decode()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, ev := range cal.Events() {
			if uid, _ := ev.Props.Text(goical.PropUID); strings.HasPrefix(uid, "gone@") {
				status, _ := ev.Props.Text(goical.PropStatus)
				if seq := ev.Props.Get(goical.PropSequence); status != "CANCELLED" || seq == nil || seq.Value != "1" {
					t.Errorf("%s: gone is %s, SEQUENCE %v", name, status, seq)
				}
				return
			}
		}
		t.Errorf("%s holds no tombstone", name)
	}
	for _, p := range []string{"calendar.ics", "category/rust/calendar.ics", EventICSPath("gone")} {
		f, ok := tree.File(p)
		if !ok {
			t.Errorf("no %s", p)
			continue
		}
		cancelled(p, f.Body)
	}
	v, err := tree.View("calendar.ics", talkfeed.Filter{Categories: []string{"rust"}}, "category=rust", demo.Anchor)
	if err != nil {
		t.Fatal(err)
	}
	cancelled("calendar.ics?category=rust", v.Body)
	if f, _ := tree.File("category/go/calendar.ics"); bytes.Contains(f.Body, []byte("gone@")) {
		t.Error("another category's calendar holds the tombstone")
	}
	for _, p := range []string{"feed.rss", "category/rust/feed.rss"} {
		if f, ok := tree.File(p); !ok || bytes.Contains(f.Body, []byte("Gone Talk")) {
			t.Errorf("%s: %v, lists the removed talk", p, ok)
		}
	}
	if f, _ := tree.File("changes.rss"); bytes.Count(f.Body, []byte("Removed: Gone Talk")) != 1 {
		t.Errorf("the change feed:\n%s", f.Body)
	}
	// After the grace, it is gone everywhere.
	o.Tombstones = ledger.Tombstones(demo.Anchor.AddDate(0, 0, 60), 30*24*time.Hour)
	later, err := Build(talkfeed.NewCatalog(ledger.Stamped([]talkfeed.Event{keep})), o)
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := later.File("calendar.ics"); bytes.Contains(f.Body, []byte("gone@")) {
		t.Error("a tombstone outlived its grace")
	}
	if _, ok := later.File("category/rust/calendar.ics"); ok {
		t.Error("a category with no talks and no tombstones is still published")
	}
}
