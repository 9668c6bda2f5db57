package ical

import (
	"bytes"
	"strings"
	"testing"

	goical "github.com/emersion/go-ical"

	"github.com/talkfeed/talkfeed"
)

// RFC 5545 3.1 forbids control characters other than HTAB in a content
// line (CR and LF only as its end), and TEXT cannot escape them: a stray
// NUL or ESC pasted into a page must go, leaving the visible text intact.
func TestControlCharactersDropped(t *testing.T) {
	dirtyWith := func(junk, s string) string { return strings.Join(strings.Split(s, ""), junk) }
	dirty := func(s string) string { return dirtyWith("\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f", s) }
	e := talkfeed.Event{
		ID: "ctl", Start: allDay(2027, 5, 1), AllDay: true,
		Title:    dirty("Bell Labs"),
		Summary:  dirty("Escape sequences"),
		Location: dirty("Berlin"),
		Venue:    dirty("Hall 7"),
		// html2text already turns NUL to FF into spaces; these it keeps.
		BodyHTML:  "<p>" + dirtyWith("\x1b\x1f\x7f", "Deleted text") + "</p>",
		EventName: dirty("NUL Conf"),
		Speakers:  []talkfeed.Speaker{{Name: dirty("Ada")}},
	}
	b := renderView(t, []talkfeed.Event{e}, testOpts)
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n") {
		if j := strings.IndexFunc(line, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }); j >= 0 {
			t.Errorf("line %d has control character %U: %q", i+1, line[j], line)
			break
		}
	}
	checkWellFormed(t, b)
	ev := parse(t, b).Events()[0]
	for prop, want := range map[string]string{goical.PropSummary: "Bell Labs", goical.PropLocation: "Hall 7, Berlin"} {
		if got := propText(t, ev.Component, prop); got != want {
			t.Errorf("%s %q, want %q", prop, got, want)
		}
	}
	desc := propText(t, ev.Component, goical.PropDescription)
	for _, want := range []string{"Speakers: Ada", "Event: NUL Conf", "Escape sequences", "Deleted text"} {
		if !strings.Contains(desc, want) {
			t.Errorf("DESCRIPTION %q lacks %q", desc, want)
		}
	}
	if cat := ev.Props.Get(goical.PropCategories); cat == nil || cat.Value != "NUL Conf" {
		t.Errorf("CATEGORIES %v, want NUL Conf", cat)
	}
}

// Calendars rendered with kept body texts are the calendars rendered
// without; a generation keeps only the bodies asked for since the last.
func TestKeptKeepsTheBytes(t *testing.T) {
	e := talkfeed.Event{ID: "b", Title: "B", Start: allDay(2027, 1, 1), AllDay: true,
		BodyHTML: "<h2>Abstract</h2><p>One <em>two</em>.</p><ul><li>a</li><li>b</li></ul>"}
	plain, err := Calendar(View{Events: []talkfeed.Event{e}}, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	o := testOpts
	o.Kept = NewKept(nil)
	for range 2 {
		kept, err := Calendar(View{Events: []talkfeed.Event{e}}, o)
		if err != nil || !bytes.Equal(kept, plain) {
			t.Fatalf("with kept texts: %v\n%s\nwant\n%s", err, kept, plain)
		}
	}
	next := NewKept(o.Kept)
	if !next.Took("body\x00" + e.BodyHTML) {
		t.Error("the next generation does not take the body's text")
	}
	if third := NewKept(next); third.Took("body\x00" + e.BodyHTML) {
		t.Error("a body asked for by no calendar since is kept")
	}
}
