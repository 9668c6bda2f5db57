package ical

import (
	"bytes"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/talkfeed/talkfeed"
)

// transitions are loc's offset changes in year (UTC), found by stepping
// through the year rather than by the ZoneBounds walk that vtimezone uses.
func transitions(t *testing.T, loc *time.Location, year int) map[time.Time][2]int {
	t.Helper()
	out := map[time.Time][2]int{}
	offset := func(u time.Time) int { _, off := u.In(loc).Zone(); return off }
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)
	for u := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC); u.Before(end); u = u.Add(time.Hour) {
		before, after := offset(u), offset(u.Add(time.Hour))
		if before == after {
			continue
		}
		lo, hi := u, u.Add(time.Hour) // offset(lo) == before, offset(hi) == after
		for hi.Sub(lo) > time.Second {
			mid := lo.Add(hi.Sub(lo) / 2)
			if offset(mid) == before {
				lo = mid
			} else {
				hi = mid
			}
		}
		out[hi] = [2]int{before, after}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no transitions in %d: pick another zone", loc, year)
	}
	return out
}

// observances are the onsets (UTC) of the VTIMEZONE tzid, with their
// TZOFFSETFROM and TZOFFSETTO, as an independent parser reads them.
func observances(t *testing.T, cal *goical.Calendar, tzid string) map[time.Time][2]int {
	t.Helper()
	out := map[time.Time][2]int{}
	for _, c := range cal.Children {
		if c.Name != goical.CompTimezone || c.Props.Get(goical.PropTimezoneID).Value != tzid {
			continue
		}
		for _, o := range c.Children {
			wall, err := time.Parse(dateTimeLocal, o.Props.Get(goical.PropDateTimeStart).Value)
			if err != nil {
				t.Fatal(err)
			}
			from, to := parseOffset(t, o.Props.Get("TZOFFSETFROM").Value), parseOffset(t, o.Props.Get("TZOFFSETTO").Value)
			out[wall.Add(-time.Duration(from)*time.Second)] = [2]int{from, to}
		}
	}
	return out
}

// A timed talk that crosses New Year gets the transitions of the year it
// ends in as well (README: "with every transition in the years its talks
// span"), so its end, and any later edit within that year, resolves.
func TestVTimezoneCoversTheYearATalkEndsIn(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		start, end time.Time
	}{
		{"New Year's Eve party", time.Date(2027, 12, 31, 22, 0, 0, 0, berlin), time.Date(2028, 1, 1, 2, 0, 0, 0, berlin)},
		{"a winter residency", time.Date(2027, 12, 10, 19, 0, 0, 0, berlin), time.Date(2028, 4, 14, 17, 0, 0, 0, berlin)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := talkfeed.Event{ID: "x", Title: "X", Start: tc.start, End: tc.end, TimeZone: "Europe/Berlin"}
			b := renderView(t, []talkfeed.Event{e}, testOpts)
			checkWellFormed(t, b)
			cal := parse(t, b)
			got := observances(t, cal, "Europe/Berlin")
			for year := tc.start.Year(); year <= tc.end.Year(); year++ {
				for at, offs := range transitions(t, berlin, year) {
					if g, ok := got[at]; !ok || g != offs {
						t.Errorf("no observance at %v from %+d to %+d s (have %v)", at, offs[0], offs[1], got[at])
					}
				}
			}
			// Both ends, expanded with the VTIMEZONE alone, are the talk's.
			ev := cal.Events()[0]
			for p, want := range map[string]time.Time{goical.PropDateTimeStart: tc.start, goical.PropDateTimeEnd: tc.end} {
				prop := ev.Props.Get(p)
				if got := expand(t, cal, prop.Params.Get(goical.PropTimezoneID), prop.Value); !got.Equal(want) {
					t.Errorf("%s %s expands to %v, want %v", p, prop.Value, got.UTC(), want.UTC())
				}
			}
		})
	}
}

// A talk in a DST zone ending years ahead, past 31 December of a leap
// year beyond the zone table, spun build forever (Go's ZoneBounds gives
// the instant itself as the zone's end there). Its calendar completes,
// with every transition of every year it spans.
func TestVTimezoneFarAheadEnds(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	start, end := time.Date(2024, 5, 2, 10, 0, 0, 0, london), time.Date(2040, 5, 2, 10, 0, 0, 0, london)
	done := make(chan []byte, 1)
	go func() {
		done <- renderView(t, []talkfeed.Event{{ID: "x", Title: "X", Start: start, End: end, TimeZone: "Europe/London"}}, testOpts)
	}()
	var b []byte
	select {
	case b = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the calendar of a talk ending in 2040 in Europe/London never completed")
	}
	checkWellFormed(t, b)
	cal := parse(t, b)
	got := observances(t, cal, "Europe/London")
	for year := 2024; year <= 2040; year++ {
		for at, offs := range transitions(t, london, year) {
			if at.Before(start) {
				continue
			}
			if g, ok := got[at]; !ok || g != offs {
				t.Errorf("no observance at %v from %+d to %+d s", at, offs[0], offs[1])
			}
		}
	}
}

// UTC is no zone to define: a talk in UTC or Etc/UTC is written as UTC
// times ("…Z"), with no TZID and no VTIMEZONE.
func TestUTCTalksHaveNoTimezone(t *testing.T) {
	etcUTC, err := time.LoadLocation("Etc/UTC")
	if err != nil {
		t.Fatal(err)
	}
	evs := []talkfeed.Event{
		{ID: "utc", Title: "U", Start: time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC), End: time.Date(2027, 3, 1, 10, 30, 0, 0, time.UTC), TimeZone: "UTC"},
		{ID: "etc", Title: "E", Start: time.Date(2027, 3, 2, 23, 0, 0, 0, etcUTC), End: time.Date(2027, 3, 3, 1, 0, 0, 0, etcUTC), TimeZone: "Etc/UTC"},
	}
	b := renderView(t, evs, testOpts)
	checkWellFormed(t, b)
	for _, want := range []string{
		"DTSTART:20270301T090000Z\r\n", "DTEND:20270301T103000Z\r\n",
		"DTSTART:20270302T230000Z\r\n", "DTEND:20270303T010000Z\r\n",
	} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("calendar lacks %q", want)
		}
	}
	for _, bad := range []string{"TZID", "BEGIN:VTIMEZONE", "X-WR-TIMEZONE"} {
		if bytes.Contains(b, []byte(bad)) {
			t.Errorf("calendar has %s", bad)
		}
	}
	for i, ev := range parse(t, b).Events() {
		start, err := ev.DateTimeStart(nil)
		if err != nil || !start.Equal(evs[i].Start) {
			t.Errorf("%s: DTSTART %v (%v), want %v", evs[i].ID, start, err, evs[i].Start)
		}
	}
}
