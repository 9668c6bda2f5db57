package talkfeed_test

import (
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
)

func TestSpan(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, berlin) }
	tests := []struct {
		name     string
		e        talkfeed.Event
		d        talkfeed.DefaultLength
		from, to time.Time
	}{
		{"timed with an end", talkfeed.Event{Start: at(2026, 9, 17, 18, 30), End: at(2026, 9, 17, 20, 0)},
			talkfeed.DefaultLength{Duration: 3 * time.Hour}, at(2026, 9, 17, 18, 30), at(2026, 9, 17, 20, 0)},
		{"timed without an end: an hour", talkfeed.Event{Start: at(2026, 9, 17, 18, 30)},
			talkfeed.DefaultLength{}, at(2026, 9, 17, 18, 30), at(2026, 9, 17, 19, 30)},
		{"timed without an end: the configured length", talkfeed.Event{Start: at(2026, 9, 17, 18, 30)},
			talkfeed.DefaultLength{Duration: 90 * time.Minute, Days: 3}, at(2026, 9, 17, 18, 30), at(2026, 9, 17, 20, 0)},
		{"timed: a length below zero is an hour", talkfeed.Event{Start: at(2026, 9, 17, 18, 30)},
			talkfeed.DefaultLength{Duration: -time.Minute}, at(2026, 9, 17, 18, 30), at(2026, 9, 17, 19, 30)},
		{"all-day, one day", talkfeed.Event{Start: at(2018, 3, 28, 0, 0), AllDay: true},
			talkfeed.DefaultLength{Duration: 90 * time.Minute}, at(2018, 3, 28, 0, 0), at(2018, 3, 29, 0, 0)},
		{"all-day without an end: the configured days", talkfeed.Event{Start: at(2018, 3, 28, 0, 0), AllDay: true},
			talkfeed.DefaultLength{Days: 2}, at(2018, 3, 28, 0, 0), at(2018, 3, 30, 0, 0)},
		{"all-day with an end: the day after its last", talkfeed.Event{Start: at(2027, 3, 10, 0, 0), End: at(2027, 3, 12, 0, 0), AllDay: true},
			talkfeed.DefaultLength{Days: 7}, at(2027, 3, 10, 0, 0), at(2027, 3, 13, 0, 0)},
		// Days, not 24-hour steps: the end stays at midnight across the
		// spring-forward night.
		{"all-day across a change of offset", talkfeed.Event{Start: at(2026, 3, 28, 0, 0), AllDay: true},
			talkfeed.DefaultLength{Days: 2}, at(2026, 3, 28, 0, 0), at(2026, 3, 30, 0, 0)},
	}
	for _, tc := range tests {
		from, to := tc.e.Span(tc.d)
		if !from.Equal(tc.from) || !to.Equal(tc.to) {
			t.Errorf("%s: %v – %v, want %v – %v", tc.name, from, to, tc.from, tc.to)
		}
		if to.Location() != from.Location() {
			t.Errorf("%s: the end is in %v, the start in %v", tc.name, to.Location(), from.Location())
		}
	}

	// An end given in another zone reads in the talk's own.
	e := talkfeed.Event{Start: at(2026, 9, 17, 18, 30), End: time.Date(2026, 9, 17, 18, 0, 0, 0, time.UTC)}
	if _, end := e.Span(talkfeed.DefaultLength{}); end.Location() != berlin || end.Hour() != 20 {
		t.Errorf("end %v, want 20:00 in Berlin", end)
	}
}

func TestTimestamp(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	timed := talkfeed.Event{Start: time.Date(2027, 4, 22, 19, 0, 0, 0, tokyo)}
	allDay := talkfeed.Event{Start: time.Date(2027, 3, 10, 0, 0, 0, 0, tokyo), AllDay: true}
	for _, tc := range []struct {
		e    talkfeed.Event
		t    time.Time
		want string
	}{
		{timed, timed.Start, "2027-04-22T19:00:00+09:00"},
		{allDay, allDay.Start, "2027-03-10"},
		{timed, time.Time{}, ""},
		{allDay, time.Time{}, ""},
	} {
		if got := tc.e.Timestamp(tc.t); got != tc.want {
			t.Errorf("Timestamp(%v) all-day %v = %q, want %q", tc.t, tc.e.AllDay, got, tc.want)
		}
	}
}
