package ical

import (
	"testing"

	goical "github.com/emersion/go-ical"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/internal/fixtures"
	"github.com/talkfeed/talkfeed/internal/hostile"
)

// FuzzCalendar builds a talk from arbitrary texts and times
// (fixtures.FuzzEvent), renders its calendar and requires one that
// go-ical reads back: CRLF lines of at most 75 octets, a VTIMEZONE for
// every TZID, the talk's title as SUMMARY, DTSTART and DTEND as the talk
// gives them, and no dangerous URL.
func FuzzCalendar(f *testing.F) {
	for _, in := range fixtures.FuzzSeeds(f) {
		f.Add(in.Title, in.Summary, in.Location, in.Venue, in.Speaker, in.Tag, in.Category, in.Body, in.Start, in.Minutes, in.Flags)
	}
	o := testOpts
	o.DefaultLength = talkfeed.DefaultLength{Duration: 90 * 60e9, Days: 1}
	f.Fuzz(func(t *testing.T, title, summary, location, venue, speaker, tag, category, body string, start, minutes int64, flags uint8) {
		e := fixtures.FuzzEvent(fixtures.FuzzInput{Title: title, Summary: summary, Location: location, Venue: venue, Speaker: speaker,
			Tag: tag, Category: category, Body: body, Start: start, Minutes: minutes, Flags: flags}, "https://talks.example/")
		b, err := Calendar(View{SelfURL: "https://talks.example/calendar.ics", Name: "Fuzz", Description: "Fuzzed talks", Events: []talkfeed.Event{e}}, o)
		if err != nil {
			t.Fatal(err)
		}
		checkWellFormed(t, b)
		if t.Failed() {
			t.FailNow()
		}
		cal := parse(t, b)
		evs := cal.Events()
		if len(evs) != 1 {
			t.Fatalf("%d events", len(evs))
		}
		ev := evs[0]
		if got := propText(t, ev.Component, goical.PropSummary); got != oneLine(e.DisplayTitle()) {
			t.Errorf("SUMMARY %q, want %q", got, oneLine(e.DisplayTitle()))
		}
		wantStart, wantEnd := e.Span(o.DefaultLength)
		gotStart, err1 := ev.DateTimeStart(nil)
		gotEnd, err2 := ev.DateTimeEnd(nil)
		if err1 != nil || err2 != nil {
			t.Fatalf("DTSTART %v, DTEND %v", err1, err2)
		}
		if e.AllDay {
			// Dates: go-ical reads them as midnight UTC.
			if gotStart.Format("2006-01-02") != wantStart.Format("2006-01-02") || gotEnd.Format("2006-01-02") != wantEnd.Format("2006-01-02") {
				t.Errorf("dates %v–%v, want %v–%v", gotStart, gotEnd, wantStart, wantEnd)
			}
		} else if !gotStart.Equal(wantStart.Truncate(1e9)) || !gotEnd.Equal(wantEnd.Truncate(1e9)) {
			t.Errorf("%v–%v, want %v–%v", gotStart, gotEnd, wantStart, wantEnd)
		}
		for _, p := range []string{goical.PropURL, "IMAGE", "CONFERENCE"} {
			if prop := ev.Props.Get(p); prop != nil && hostile.DangerousURL(prop.Value) {
				t.Errorf("%s %q", p, prop.Value)
			}
		}
	})
}
