package ical

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/internal/fixtures"
)

var testOpts = Options{Site: talkfeed.Site{Title: "Demo", BaseURL: "https://talks.example/"}, Version: "test", Refresh: 5 * time.Minute}

func demoEvents(t testing.TB) []talkfeed.Event { return fixtures.Demo(t, "https://talks.example/") }

func renderView(t testing.TB, evs []talkfeed.Event, o Options) []byte {
	t.Helper()
	b, err := Calendar(View{SelfURL: "https://talks.example/calendar.ics", Name: "Demo", Description: "Talks", Events: evs}, o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parse(t testing.TB, b []byte) *goical.Calendar {
	t.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("go-ical: %v\n%s", err, b)
	}
	return cal
}

func propText(t testing.TB, c *goical.Component, name string) string {
	t.Helper()
	s, err := c.Props.Text(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

// checkWellFormed asserts what must hold for every output: CRLF only, no
// line over 75 octets, a VTIMEZONE for every TZID, DTEND after DTSTART.
func checkWellFormed(t *testing.T, b []byte) {
	t.Helper()
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Error("does not end in CRLF")
	}
	for i, line := range bytes.Split(bytes.TrimSuffix(b, []byte("\r\n")), []byte("\r\n")) {
		if len(line) > 75 {
			t.Errorf("line %d has %d octets: %q", i+1, len(line), line)
		}
		if bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, line)
		}
	}
	cal := parse(t, b)
	zones := map[string]bool{}
	for _, c := range cal.Children {
		if c.Name == goical.CompTimezone {
			zones[c.Props.Get(goical.PropTimezoneID).Value] = true
		}
	}
	for _, ev := range cal.Events() {
		for _, p := range []string{goical.PropDateTimeStart, goical.PropDateTimeEnd} {
			if tzid := ev.Props.Get(p).Params.Get(goical.PropTimezoneID); tzid != "" && !zones[tzid] {
				t.Errorf("%s TZID %s has no VTIMEZONE", p, tzid)
			}
		}
		start, err1 := ev.DateTimeStart(nil)
		end, err2 := ev.DateTimeEnd(nil)
		if err1 != nil || err2 != nil || !end.After(start) {
			t.Errorf("%s: DTSTART %v DTEND %v (%v %v)", ev.Props.Get(goical.PropUID).Value, start, end, err1, err2)
		}
	}
}

func TestDemoParsedByGoICal(t *testing.T) {
	evs := demoEvents(t)
	b := renderView(t, evs, testOpts)
	checkWellFormed(t, b)
	cal := parse(t, b)
	for _, want := range []string{"VERSION:2.0", "PRODID:-//talkfeed//talkfeed test//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
		"NAME:Demo", "X-WR-CALNAME:Demo", "DESCRIPTION:Talks", "X-WR-CALDESC:Talks", "REFRESH-INTERVAL;VALUE=DURATION:PT5M", "X-PUBLISHED-TTL:PT5M", "X-WR-TIMEZONE:"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("calendar lacks %s", want)
		}
	}
	got := cal.Events()
	if len(got) != len(evs) {
		t.Fatalf("%d events, want %d", len(got), len(evs))
	}
	for i, ge := range got {
		e := evs[i]
		if uid := ge.Props.Get(goical.PropUID).Value; uid != e.ID+"@talks.example" {
			t.Errorf("UID %q", uid)
		}
		wantSummary := e.Title
		if e.Status == talkfeed.StatusCancelled {
			wantSummary = "Cancelled: " + e.Title
		}
		if s := propText(t, ge.Component, goical.PropSummary); s != wantSummary {
			t.Errorf("SUMMARY %q, want %q", s, wantSummary)
		}
		start, err := ge.DateTimeStart(time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if e.AllDay {
			if ge.Props.Get(goical.PropDateTimeStart).ValueType() != goical.ValueDate || start.Format("20060102") != e.Start.Format("20060102") {
				t.Errorf("%s all-day DTSTART %v", e.ID, ge.Props.Get(goical.PropDateTimeStart))
			}
		} else if !start.Equal(e.Start) {
			t.Errorf("%s DTSTART %v, want %v", e.ID, start, e.Start)
		}
		if !e.AllDay && !e.End.IsZero() {
			if end, _ := ge.DateTimeEnd(time.UTC); !end.Equal(e.End) {
				t.Errorf("%s DTEND %v, want %v", e.ID, end, e.End)
			}
		}
		status, _ := ge.Status()
		if want := map[talkfeed.Status]goical.EventStatus{talkfeed.StatusConfirmed: goical.EventConfirmed, talkfeed.StatusTentative: goical.EventTentative, talkfeed.StatusCancelled: goical.EventCancelled}[e.Status]; status != want {
			t.Errorf("%s STATUS %v", e.ID, status)
		}
		if v := ge.Props.Get("TRANSP").Value; v != "TRANSPARENT" {
			t.Errorf("TRANSP %q", v)
		}
		if u := ge.Props.Get(goical.PropURL); u == nil || u.Value != e.PageURL {
			t.Errorf("%s URL %v", e.ID, u)
		}
		desc := propText(t, ge.Component, goical.PropDescription)
		if strings.ContainsAny(desc, "<>") || !strings.Contains(desc, e.PageURL) || !strings.Contains(desc, e.Speakers[0].Name) {
			t.Errorf("%s DESCRIPTION is not plain text with speakers and URL: %q", e.ID, desc)
		}
		var cats []string
		for _, p := range ge.Props.Values(goical.PropCategories) {
			cats = append(cats, p.Value)
		}
		if !slices.Contains(cats, e.Category) {
			t.Errorf("%s CATEGORIES %q lack %q", e.ID, cats, e.Category)
		}
		for _, p := range []string{goical.PropDateTimeStamp, goical.PropCreated, goical.PropLastModified, goical.PropSequence} {
			if ge.Props.Get(p) == nil {
				t.Errorf("%s lacks %s", e.ID, p)
			}
		}
		if e.ImageURL != "" && (ge.Props.Get("IMAGE") == nil || ge.Props.Get("IMAGE").Value != e.ImageURL || ge.Props.Get("IMAGE").Params.Get("VALUE") != "URI") {
			t.Errorf("%s IMAGE %v", e.ID, ge.Props.Get("IMAGE"))
		}
		if e.OnlineURL != "" && (ge.Props.Get("CONFERENCE") == nil || ge.Props.Get("CONFERENCE").Value != e.OnlineURL) {
			t.Errorf("%s CONFERENCE %v", e.ID, ge.Props.Get("CONFERENCE"))
		}
	}
}

func allDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestAllDayEnds(t *testing.T) {
	tests := []struct {
		name       string
		e          talkfeed.Event
		o          Options
		start, end string
	}{
		{"one day", talkfeed.Event{ID: "a", Start: allDay(2018, 3, 28), AllDay: true}, testOpts, "20180328", "20180329"},
		{"one day, explicit end", talkfeed.Event{ID: "b", Start: allDay(2018, 3, 28), End: allDay(2018, 3, 28), AllDay: true}, testOpts, "20180328", "20180329"},
		{"multi-day", talkfeed.Event{ID: "c", Start: allDay(2027, 3, 10), End: allDay(2027, 3, 12), AllDay: true}, testOpts, "20270310", "20270313"},
		{"across a year", talkfeed.Event{ID: "d", Start: allDay(2026, 12, 30), End: allDay(2027, 1, 2), AllDay: true}, testOpts, "20261230", "20270103"},
		{"configured default length", talkfeed.Event{ID: "e", Start: allDay(2018, 3, 28), AllDay: true}, Options{DefaultLength: talkfeed.DefaultLength{Days: 2}}, "20180328", "20180330"},
	}
	for _, tc := range tests {
		b := renderView(t, []talkfeed.Event{tc.e}, tc.o)
		checkWellFormed(t, b)
		for _, want := range []string{"DTSTART;VALUE=DATE:" + tc.start + "\r\n", "DTEND;VALUE=DATE:" + tc.end + "\r\n"} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("%s: lacks %q", tc.name, want)
			}
		}
	}
}

func TestTimedDefaultsAndUTC(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	e := talkfeed.Event{ID: "x", Start: time.Date(2026, 9, 17, 18, 30, 0, 0, berlin), TimeZone: "Europe/Berlin"}
	b := renderView(t, []talkfeed.Event{e}, Options{DefaultLength: talkfeed.DefaultLength{Duration: 90 * time.Minute}})
	if !bytes.Contains(b, []byte("DTEND;TZID=Europe/Berlin:20260917T200000\r\n")) {
		t.Errorf("default duration not applied:\n%s", b)
	}
	offsetOnly := talkfeed.Event{ID: "y", Start: time.Date(2027, 1, 21, 19, 0, 0, 0, time.FixedZone("+01:00", 3600))}
	b = renderView(t, []talkfeed.Event{offsetOnly}, testOpts)
	if !bytes.Contains(b, []byte("DTSTART:20270121T180000Z\r\n")) || !bytes.Contains(b, []byte("DTEND:20270121T190000Z\r\n")) || bytes.Contains(b, []byte("VTIMEZONE")) {
		t.Errorf("offset-only time not in UTC:\n%s", b)
	}
}

// expand converts a local wall time with TZID to an instant using only the
// generated VTIMEZONE, by RFC 5545's rules: the offset of the observance in
// force; the first occurrence of an ambiguous time; the offset before a
// gap for a time that does not exist.
func expand(t *testing.T, cal *goical.Calendar, tzid, local string) time.Time {
	t.Helper()
	type onset struct {
		at       time.Time // UTC
		from, to int
	}
	var onsets []onset
	for _, c := range cal.Children {
		if c.Name != goical.CompTimezone || c.Props.Get(goical.PropTimezoneID).Value != tzid {
			continue
		}
		for _, o := range c.Children {
			wall, err := time.Parse("20060102T150405", o.Props.Get(goical.PropDateTimeStart).Value)
			if err != nil {
				t.Fatal(err)
			}
			from, to := parseOffset(t, o.Props.Get("TZOFFSETFROM").Value), parseOffset(t, o.Props.Get("TZOFFSETTO").Value)
			onsets = append(onsets, onset{at: wall.Add(-time.Duration(from) * time.Second), from: from, to: to})
		}
	}
	if len(onsets) == 0 {
		t.Fatalf("no VTIMEZONE %s", tzid)
	}
	slices.SortFunc(onsets, func(a, b onset) int { return a.at.Compare(b.at) })
	offsetAt := func(u time.Time) int {
		off := onsets[0].to
		for _, o := range onsets {
			if !o.at.After(u) {
				off = o.to
			}
		}
		return off
	}
	wall, err := time.Parse("20060102T150405", local)
	if err != nil {
		t.Fatal(err)
	}
	var candidates []time.Time
	seen := map[int]bool{}
	for _, o := range onsets {
		for _, off := range []int{o.from, o.to} {
			if seen[off] {
				continue
			}
			seen[off] = true
			if u := wall.Add(-time.Duration(off) * time.Second); offsetAt(u) == off {
				candidates = append(candidates, u)
			}
		}
	}
	if len(candidates) > 0 {
		slices.SortFunc(candidates, func(a, b time.Time) int { return a.Compare(b) })
		return candidates[0]
	}
	for _, o := range onsets { // a gap: the offset before it
		if u := wall.Add(-time.Duration(o.from) * time.Second); !u.Before(o.at) && u.Before(o.at.Add(time.Duration(o.to-o.from)*time.Second)) {
			return u
		}
	}
	t.Fatalf("cannot place %s in %s", local, tzid)
	return time.Time{}
}

func parseOffset(t *testing.T, s string) int {
	t.Helper()
	var h, m, sec int
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	if _, err := fmt.Sscanf(s[1:5], "%02d%02d", &h, &m); err != nil {
		t.Fatalf("offset %q: %v", s, err)
	}
	if len(s) == 7 {
		fmt.Sscanf(s[5:], "%02d", &sec)
	}
	return sign * (h*3600 + m*60 + sec)
}

// Talks on tricky days, checked against Go's own zone database by
// expanding the VTIMEZONE we wrote.
func TestTimeZoneExpansion(t *testing.T) {
	cases := []struct {
		zone            string
		y               int
		m               time.Month
		d, hour, minute int
	}{
		{"Europe/London", 2024, time.March, 31, 1, 30},         // spring forward: 01:30 does not exist
		{"Europe/London", 2024, time.March, 31, 12, 0},         // later that day
		{"America/Los_Angeles", 2024, time.November, 3, 1, 30}, // fall back: 01:30 happens twice
		{"America/Los_Angeles", 2024, time.November, 3, 9, 0},
		{"Asia/Kolkata", 2024, time.June, 5, 18, 30},         // half-hour offset
		{"Europe/Moscow", 2010, time.July, 1, 19, 0},         // +04 summer time
		{"Europe/Moscow", 2010, time.December, 1, 19, 0},     // +03 winter time
		{"Europe/Moscow", 2013, time.January, 15, 19, 0},     // +04 all year since 2011
		{"Europe/Moscow", 2015, time.January, 15, 19, 0},     // +03 again since late 2014
		{"America/Sao_Paulo", 2018, time.December, 1, 19, 0}, // DST, abolished in 2019
		{"America/Sao_Paulo", 2020, time.December, 1, 19, 0},
	}
	var evs []talkfeed.Event
	for i, c := range cases {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Date(c.y, c.m, c.d, c.hour, c.minute, 0, 0, loc)
		evs = append(evs, talkfeed.Event{ID: fmt.Sprintf("tz%02d", i), Title: "T", Start: start, End: start.Add(time.Hour), TimeZone: c.zone})
	}
	b := renderView(t, evs, testOpts)
	checkWellFormed(t, b)
	cal := parse(t, b)
	for i, ge := range cal.Events() {
		p := ge.Props.Get(goical.PropDateTimeStart)
		got := expand(t, cal, p.Params.Get(goical.PropTimezoneID), p.Value)
		if !got.Equal(evs[i].Start) {
			t.Errorf("%s %s: VTIMEZONE gives %v, Go gives %v", cases[i].zone, p.Value, got.UTC(), evs[i].Start.UTC())
		}
	}
	// Moscow's rules changed in 2011 and 2014: the VTIMEZONE covers both.
	for _, want := range []string{"TZOFFSETFROM:+0300\r\nTZOFFSETTO:+0400", "TZOFFSETFROM:+0400\r\nTZOFFSETTO:+0300"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("Moscow transitions lack %q", want)
		}
	}
}

func TestHostileTextRoundTrips(t *testing.T) {
	title := "Commas, semicolons; back\\slashes\nnewlines\r\nCR and 🎉 " + strings.Repeat("long ", 60)
	e := talkfeed.Event{
		ID: "hostile", Title: title, Summary: "A; B, C\nD",
		BodyHTML: "<p>x</p><script>alert(1)</script>",
		Start:    allDay(2020, 1, 1), AllDay: true, Location: "Room 1; Floor 2, \"Main\"",
		Speakers: []talkfeed.Speaker{{Name: "Ann, Jr."}},
	}
	b := renderView(t, []talkfeed.Event{e}, testOpts)
	checkWellFormed(t, b)
	ge := parse(t, b).Events()[0]
	wantTitle := strings.ReplaceAll(title, "\r\n", "\n")
	if got := propText(t, ge.Component, goical.PropSummary); got != wantTitle {
		t.Errorf("SUMMARY\n got %q\nwant %q", got, wantTitle)
	}
	if got := propText(t, ge.Component, goical.PropLocation); got != e.Location {
		t.Errorf("LOCATION %q", got)
	}
	desc := propText(t, ge.Component, goical.PropDescription)
	if !strings.Contains(desc, "A; B, C\nD") || !strings.Contains(desc, "Ann, Jr.") || strings.Contains(desc, "script") {
		t.Errorf("DESCRIPTION %q", desc)
	}
}

// An edited talk raises SEQUENCE by one and moves LAST-MODIFIED, as the
// ledger records it; an unchanged talk keeps its bytes.
func TestEditsRaiseSequence(t *testing.T) {
	published := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	a := talkfeed.Event{ID: "a", Title: "A", Start: allDay(2027, 1, 1), AllDay: true, Published: published}
	b := talkfeed.Event{ID: "b", Title: "B", Start: allDay(2027, 2, 1), AllDay: true, Published: published}
	imported := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	ledger, _ := talkfeed.NewLedger().Observe([]talkfeed.Event{a, b}, imported)
	stamped := func(l *talkfeed.Ledger, e talkfeed.Event) []talkfeed.Event { return l.Stamped([]talkfeed.Event{e}) }
	before := renderView(t, stamped(ledger, b), testOpts)
	one := parse(t, renderView(t, stamped(ledger, a), testOpts)).Events()[0]

	a.Location = "Porto"
	edited, _ := ledger.Observe([]talkfeed.Event{a, b}, imported.Add(26*time.Hour))
	two := parse(t, renderView(t, stamped(edited, a), testOpts)).Events()[0]
	seq1, seq2 := one.Props.Get(goical.PropSequence).Value, two.Props.Get(goical.PropSequence).Value
	if seq1 != "0" || seq2 != "1" {
		t.Errorf("SEQUENCE %s then %s, want 0 then 1", seq1, seq2)
	}
	lm1, _ := one.Props.DateTime(goical.PropLastModified, nil)
	lm2, _ := two.Props.DateTime(goical.PropLastModified, nil)
	if !lm2.After(lm1) {
		t.Errorf("LAST-MODIFIED %v then %v", lm1, lm2)
	}
	if after := renderView(t, stamped(edited, b), testOpts); !bytes.Equal(before, after) {
		t.Error("an unchanged talk's calendar changed")
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{5 * time.Minute: "PT5M", time.Hour: "PT1H", 90 * time.Minute: "PT1H30M", 24 * time.Hour: "P1D", 30 * time.Second: "PT30S"} {
		if got := duration(d); got != want {
			t.Errorf("duration(%v) = %s, want %s", d, got, want)
		}
	}
}

var foldRE = regexp.MustCompile("\r\n ")

// Folding never splits a UTF-8 character.
func TestFoldingKeepsUTF8(t *testing.T) {
	e := talkfeed.Event{ID: "u", Title: strings.Repeat("東京のエッジ🎉", 30), Start: allDay(2020, 1, 1), AllDay: true}
	b := renderView(t, []talkfeed.Event{e}, testOpts)
	checkWellFormed(t, b)
	for _, line := range strings.Split(string(b), "\r\n") {
		if !utf8Valid(line) {
			t.Errorf("line splits a character: %q", line)
		}
	}
	if !strings.Contains(foldRE.ReplaceAllString(string(b), ""), e.Title) {
		t.Error("title does not unfold to itself")
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// SEQUENCE is the ledger's version; CREATED, LAST-MODIFIED and DTSTAMP
// its dates, whatever the page's own fields say.
func TestSequenceIsVersion(t *testing.T) {
	e := talkfeed.Event{ID: "r", Title: "R", Start: allDay(2027, 1, 1), AllDay: true,
		Published: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Updated: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
		Stamp: talkfeed.Stamp{Version: 4, Announced: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), Changed: time.Date(2026, 4, 2, 10, 30, 0, 0, time.UTC)}}
	if got := Sequence(&e); got != 4 {
		t.Errorf("SEQUENCE %d, want 4", got)
	}
	body, err := Calendar(View{Events: []talkfeed.Event{e}}, Options{Site: talkfeed.Site{BaseURL: "https://t.example/"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SEQUENCE:4\r\n", "CREATED:20260301T090000Z\r\n", "LAST-MODIFIED:20260402T103000Z\r\n", "DTSTAMP:20260402T103000Z\r\n"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("no %q in\n%s", want, body)
		}
	}
	e.Stamp = talkfeed.Stamp{}
	if got := Sequence(&e); got != 0 {
		t.Errorf("SEQUENCE without a ledger %d", got)
	}
}
