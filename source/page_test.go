package source

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
)

func newTestParser(t testing.TB, opts Options) *pageParser {
	t.Helper()
	l, err := NewLoader(opts)
	if err != nil {
		t.Fatal(err)
	}
	return l.parser
}

func london(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// parseText parses one page with London as the default zone.
func parseText(t testing.TB, text string) pageResult {
	t.Helper()
	p := newTestParser(t, Options{BaseURL: "https://talks.example/", DefaultZone: london(t)})
	return p.parse("talks/sample.md", []byte(text), time.Time{})
}

func mustEvent(t *testing.T, r pageResult) *talkfeed.Event {
	t.Helper()
	if r.event == nil {
		t.Fatalf("no event; diagnostics: %v", r.diags)
	}
	return r.event
}

func TestDialectTimes(t *testing.T) {
	const rfc = time.RFC3339
	tests := []struct {
		name       string
		fields     string
		start, end string // RFC 3339 of the instants; "" for none
		allDay     bool
		zone       string
		warnings   int
	}{
		{"day only is all-day", "date: 2018-03-28", "2018-03-28T00:00:00+01:00", "", true, "Europe/London", 0},
		{"later end date is multi-day", "date: 2018-03-28\nend_date: 2018-03-30", "2018-03-28T00:00:00+01:00", "2018-03-30T00:00:00+01:00", true, "Europe/London", 0},
		{"endDate alias", "date: 2018-03-28\nendDate: 2018-03-29", "2018-03-28T00:00:00+01:00", "2018-03-29T00:00:00+01:00", true, "Europe/London", 0},
		{"end alias", "date: 2018-03-28\nend: 2018-03-29", "2018-03-28T00:00:00+01:00", "2018-03-29T00:00:00+01:00", true, "Europe/London", 0},
		{"one date-time, floating, default zone", "date: 2018-03-28 19:00", "2018-03-28T19:00:00+01:00", "", false, "Europe/London", 0},
		{"date-time with T and seconds", "start: 2018-03-28T19:00:30", "2018-03-28T19:00:30+01:00", "", false, "Europe/London", 0},
		{"date and time split", "date: 2018-03-28\ntime: 19:00", "2018-03-28T19:00:00+01:00", "", false, "Europe/London", 0},
		{"startDate plus startTime", "startDate: 2018-03-28\nstartTime: 7:30 pm", "2018-03-28T19:30:00+01:00", "", false, "Europe/London", 0},
		{"bare 19:00 unquoted stays a time", "date: 2018-03-28\ntime: 19:00\nend_time: 21:30", "2018-03-28T19:00:00+01:00", "2018-03-28T21:30:00+01:00", false, "Europe/London", 0},
		{"end as a time alone", "date: 2018-03-28 19:00\nend: 21:00", "2018-03-28T19:00:00+01:00", "2018-03-28T21:00:00+01:00", false, "Europe/London", 0},
		{"end time alone past midnight is next day", "date: 2018-03-28 22:00\nend_time: 01:00", "2018-03-28T22:00:00+01:00", "2018-03-29T01:00:00+01:00", false, "Europe/London", 0},
		{"end date plus end time", "date: 2018-03-28 09:00\nend_date: 2018-03-29\nend_time: 17:00", "2018-03-28T09:00:00+01:00", "2018-03-29T17:00:00+01:00", false, "Europe/London", 0},
		{"offset", "date: 2018-03-28T19:00:00+02:00", "2018-03-28T19:00:00+02:00", "", false, "", 0},
		{"Z offset", "date: 2018-03-28T19:00:00Z", "2018-03-28T19:00:00Z", "", false, "", 0},
		{"timezone field", "date: 2018-03-28 19:00\ntimezone: America/New_York", "2018-03-28T19:00:00-04:00", "", false, "America/New_York", 0},
		{"tz alias", "date: 2018-03-28 19:00\ntz: Asia/Kolkata", "2018-03-28T19:00:00+05:30", "", false, "Asia/Kolkata", 0},
		{"zone name after the time", "date: 2018-03-28 19:00 Asia/Tokyo", "2018-03-28T19:00:00+09:00", "", false, "Asia/Tokyo", 0},
		{"offset with matching zone", "date: 2018-07-01T19:00:00+01:00\ntimezone: Europe/London", "2018-07-01T19:00:00+01:00", "", false, "Europe/London", 0},
		{"offset contradicting zone warns, offset wins", "date: 2018-07-01T19:00:00+05:00\ntimezone: Europe/London", "2018-07-01T19:00:00+05:00", "", false, "Europe/London", 1},
		{"unknown zone warns, default used", "date: 2018-03-28 19:00\ntimezone: Mars/Olympus", "2018-03-28T19:00:00+01:00", "", false, "Europe/London", 1},
		{"end before start is dropped", "date: 2018-03-28 19:00\nend: 2018-03-28 18:00", "2018-03-28T19:00:00+01:00", "", false, "Europe/London", 1},
		{"all-day end before start is dropped", "date: 2018-03-28\nend_date: 2018-03-27", "2018-03-28T00:00:00+01:00", "", true, "Europe/London", 1},
		{"integer time from YAML warns and reads HHMM", "date: 2018-03-28\ntime: 1900", "2018-03-28T19:00:00+01:00", "", false, "Europe/London", 1},
		{"unreadable time is all-day with warning", "date: 2018-03-28\ntime: evening", "2018-03-28T00:00:00+01:00", "", true, "Europe/London", 1},
		{"all_day forces all-day", "date: 2018-03-28 19:00\nall_day: true", "2018-03-28T00:00:00+01:00", "", true, "Europe/London", 0},
		{"slash date", "date: 2018/03/28", "2018-03-28T00:00:00+01:00", "", true, "Europe/London", 0},
		{"an end years ahead is kept, with a warning", "date: 2024-05-02T10:00:00\ntimezone: Europe/London\nend: 2040-05-02T10:00:00", "2024-05-02T10:00:00+01:00", "2040-05-02T10:00:00+01:00", false, "Europe/London", 1},
		{"a three-month residency is no warning", "date: 2024-05-02\nend: 2024-08-02", "2024-05-02T00:00:00+01:00", "2024-08-02T00:00:00+01:00", true, "Europe/London", 0},
		{"start wins over date, which becomes published", "date: 2018-01-05\nstart: 2018-03-28 19:00", "2018-03-28T19:00:00+01:00", "", false, "Europe/London", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := parseText(t, "---\ntitle: A talk\n"+tc.fields+"\n---\nBody.\n")
			ev := mustEvent(t, r)
			if got := ev.Start.Format(rfc); !sameInstant(t, got, tc.start) {
				t.Errorf("start = %s, want %s", got, tc.start)
			}
			gotEnd := ""
			if !ev.End.IsZero() {
				gotEnd = ev.End.Format(rfc)
			}
			if (gotEnd == "") != (tc.end == "") || (tc.end != "" && !sameInstant(t, gotEnd, tc.end)) {
				t.Errorf("end = %q, want %q", gotEnd, tc.end)
			}
			if ev.AllDay != tc.allDay {
				t.Errorf("all-day = %v, want %v", ev.AllDay, tc.allDay)
			}
			if ev.TimeZone != tc.zone {
				t.Errorf("zone = %q, want %q", ev.TimeZone, tc.zone)
			}
			if got := talkfeed.CountDiagnostics(r.diags).Warnings; got != tc.warnings {
				t.Errorf("warnings = %d, want %d: %v", got, tc.warnings, r.diags)
			}
		})
	}
}

func sameInstant(t *testing.T, a, b string) bool {
	t.Helper()
	ta, err1 := time.Parse(time.RFC3339, a)
	tb, err2 := time.Parse(time.RFC3339, b)
	if err1 != nil || err2 != nil {
		t.Fatalf("bad times %q %q", a, b)
	}
	return ta.Equal(tb)
}

func TestAllDayStartIsLocalMidnight(t *testing.T) {
	ev := mustEvent(t, parseText(t, "---\ntitle: T\ndate: 2018-03-28\n---\n"))
	if got := ev.Start.Format("2006-01-02 15:04 MST"); got != "2018-03-28 00:00 BST" && got != "2018-03-28 00:00 GMT" {
		t.Errorf("start = %s", got)
	}
	if ev.Start.Location().String() != "Europe/London" {
		t.Errorf("location = %s", ev.Start.Location())
	}
}

func TestPublishedFromDateWhenStartElsewhere(t *testing.T) {
	ev := mustEvent(t, parseText(t, "---\ntitle: T\ndate: 2018-01-05\neventDate: 2018-03-28\n---\n"))
	if got := ev.Published.Format(time.DateOnly); got != "2018-01-05" {
		t.Errorf("published = %s, want 2018-01-05", got)
	}
	if got := ev.Start.Format(time.DateOnly); got != "2018-03-28" {
		t.Errorf("start = %s", got)
	}
}

func TestDialectFields(t *testing.T) {
	page := `---
title: "  Kafka:   the  Talk "
date: 2018-03-28
speakers:
  - name: Ada Lovelace
    company: Analytical Engines
    url: https://example.org/ada
  - Grace Hopper (Navy)
  - Linus, Linux Foundation
tags: "kafka streams, data"
categories: [Fast Data, Streaming]
venue: The Hall
venue_address: 1 Main St
place: Manchester, UK
online: https://example.org/live
conference: KafkaConf
image: https://cdn.example/img.png
slides: /slides/kafka.pdf
video: youtu.be/xyz
rsvp: https://example.org/rsvp
status: TBC
updated: 2018-03-01T10:00:00Z
published: 2018-02-01
---
Body
`
	ev := mustEvent(t, parseText(t, page))
	if ev.Title != "Kafka: the Talk" {
		t.Errorf("title %q", ev.Title)
	}
	want := []talkfeed.Speaker{
		{Name: "Ada Lovelace", Affiliation: "Analytical Engines", URL: "https://example.org/ada"},
		{Name: "Grace Hopper", Affiliation: "Navy"},
		{Name: "Linus", Affiliation: "Linux Foundation"},
	}
	if !slices.Equal(ev.Speakers, want) {
		t.Errorf("speakers %+v, want %+v", ev.Speakers, want)
	}
	if strings.Join(ev.Tags, "|") != "Streaming|kafka streams|data" {
		t.Errorf("tags %q", ev.Tags)
	}
	checks := map[string][2]string{
		"category":     {ev.Category, "Fast Data"},
		"venue":        {ev.Venue, "The Hall"},
		"address":      {ev.Address, "1 Main St"},
		"location":     {ev.Location, "Manchester, UK"},
		"online":       {ev.OnlineURL, "https://example.org/live"},
		"event name":   {ev.EventName, "KafkaConf"},
		"image":        {ev.ImageURL, "https://cdn.example/img.png"},
		"slides":       {ev.Links.Slides, "https://talks.example/slides/kafka.pdf"},
		"video":        {ev.Links.Video, "https://youtu.be/xyz"},
		"registration": {ev.Links.Registration, "https://example.org/rsvp"},
		"status":       {string(ev.Status), "tentative"},
		"updated":      {ev.Updated.UTC().Format(time.RFC3339), "2018-03-01T10:00:00Z"},
		"published":    {ev.Published.Format(time.RFC3339), "2018-02-01T00:00:00Z"},
		"page URL":     {ev.PageURL, "https://talks.example/events/2018/kafka-the-talk/"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", name, c[0], c[1])
		}
	}
}

func TestTagsSpaceSeparated(t *testing.T) {
	ev := mustEvent(t, parseText(t, "---\ntitle: T\ndate: 2018-03-28\ntags: go rust  zig\nkeywords: ignored\n---\n"))
	if strings.Join(ev.Tags, ",") != "go,rust,zig" {
		t.Errorf("tags %q", ev.Tags)
	}
}

func TestCancelledFlagAndStatus(t *testing.T) {
	for _, fm := range []string{"cancelled: true", "canceled: yes", "status: Cancelled", "status: canceled"} {
		ev := mustEvent(t, parseText(t, "---\ntitle: T\ndate: 2018-03-28\n"+fm+"\n---\n"))
		if ev.Status != talkfeed.StatusCancelled {
			t.Errorf("%s: status %s", fm, ev.Status)
		}
	}
}

func TestTOMLFrontMatter(t *testing.T) {
	page := "+++\ntitle = \"TOML talk\"\ndate = 2018-03-28T19:00:00\nend_time = 21:00:00\ntimezone = \"Europe/Paris\"\nspeakers = [\"Ada Lovelace\", \"Alan Turing\"]\ntags = [\"a\", \"b\"]\n\n[extra]\nnote = \"x\"\n+++\nBody\n"
	r := parseText(t, page)
	ev := mustEvent(t, r)
	if got := ev.Start.Format(time.RFC3339); got != "2018-03-28T19:00:00+02:00" {
		t.Errorf("start %s", got)
	}
	if got := ev.End.Format(time.RFC3339); got != "2018-03-28T21:00:00+02:00" {
		t.Errorf("end %s", got)
	}
	if len(ev.Speakers) != 2 || ev.Speakers[1].Name != "Alan Turing" {
		t.Errorf("speakers %+v", ev.Speakers)
	}
	if len(r.diags) != 0 {
		t.Errorf("diagnostics %v", r.diags)
	}
}

func TestTOMLOffsetDateTime(t *testing.T) {
	ev := mustEvent(t, parseText(t, "+++\ntitle = \"T\"\ndate = 2018-03-28T19:00:00-05:00\n+++\n"))
	if got := ev.Start.Format(time.RFC3339); got != "2018-03-28T19:00:00-05:00" || ev.TimeZone != "" {
		t.Errorf("start %s zone %q", got, ev.TimeZone)
	}
}

func TestFieldMapping(t *testing.T) {
	p := newTestParser(t, Options{Fields: map[string][]string{"start": {"kickoff"}, "start_time": {"kickoffTime"}, "speakers": {"who"}}})
	r := p.parse("x.md", []byte("---\ntitle: T\nkickoff: 2020-05-01\nkickoff_time: \"18:15\"\nwho: Ada Lovelace\n---\n"), time.Time{})
	ev := mustEvent(t, r)
	if got := ev.Start.Format(time.RFC3339); got != "2020-05-01T18:15:00Z" {
		t.Errorf("start %s", got)
	}
	if len(ev.Speakers) != 1 || ev.Speakers[0].Name != "Ada Lovelace" {
		t.Errorf("speakers %+v", ev.Speakers)
	}
	if _, err := NewLoader(Options{Fields: map[string][]string{"startz": {"x"}}}); err == nil || !strings.Contains(err.Error(), "startz") {
		t.Errorf("unknown canonical field accepted: %v", err)
	}
}

func TestYAMLTrapsKeepText(t *testing.T) {
	ev := mustEvent(t, parseText(t, "---\ntitle: 1984\ndate: 2018-03-28\nlocation: NO\neventname: yes\n---\n"))
	if ev.Title != "1984" || ev.Location != "NO" || ev.EventName != "yes" {
		t.Errorf("title %q location %q event %q", ev.Title, ev.Location, ev.EventName)
	}
}

func TestPermalinkAndImage(t *testing.T) {
	p := newTestParser(t, Options{BaseURL: "https://site.example/sub", Permalink: "/talks/:category/:year-:month-:day-:slug.html", ImageBase: "https://img.example/e/"})
	ev := mustEvent(t, p.parse("a/b.md", []byte("---\ntitle: Jörg's DC/OS Talk!\ndate: 2018-03-08\ncategory: Fast Data\nimage: pic one.jpg\n---\nSee [the notes](notes/) and ![x](/img/x.png) and [top](#top).\n"), time.Time{}))
	if ev.PageURL != "https://site.example/sub/talks/fast-data/2018-03-08-jorgs-dc-os-talk.html" {
		t.Errorf("page URL %s", ev.PageURL)
	}
	if ev.ImageURL != "https://img.example/e/pic%20one.jpg" {
		t.Errorf("image URL %s", ev.ImageURL)
	}
	for _, want := range []string{
		`href="https://site.example/sub/talks/fast-data/notes/"`,
		`src="https://site.example/img/x.png"`,
		`href="https://site.example/sub/talks/fast-data/2018-03-08-jorgs-dc-os-talk.html#top"`,
	} {
		if !strings.Contains(ev.BodyHTML, want) {
			t.Errorf("body lacks %s:\n%s", want, ev.BodyHTML)
		}
	}
	if _, err := NewLoader(Options{Permalink: "/x/:nope/"}); err == nil {
		t.Error("unknown permalink token accepted")
	}
}

func TestIDFromPathAndUID(t *testing.T) {
	p := newTestParser(t, Options{})
	ev := mustEvent(t, p.parse("2018/kafka.markdown", []byte("---\ntitle: T\ndate: 2018-03-08\n---\n"), time.Time{}))
	if ev.ID != "2018/kafka" {
		t.Errorf("ID %q", ev.ID)
	}
	ev = mustEvent(t, p.parse("2018/kafka.md", []byte("---\ntitle: T\ndate: 2018-03-08\nuid: kafka-2018@meetup\n---\n"), time.Time{}))
	if ev.ID != "kafka-2018@meetup" {
		t.Errorf("ID %q", ev.ID)
	}
	r := p.parse("2018/kafka.md", []byte("---\ntitle: T\ndate: 2018-03-08\nuid: ../etc/passwd\n---\n"), time.Time{})
	if ev := mustEvent(t, r); ev.ID != "2018/kafka" || len(r.diags) != 1 || r.diags[0].Line != 4 {
		t.Errorf("unsafe uid: ID %q diags %v", ev.ID, r.diags)
	}
}

func TestBodyRendering(t *testing.T) {
	page := `---
title: T
date: 2018-03-28
---
# Abstract

"Quoted" text -- with dashes.

<script>alert(1)</script>
<a href="javascript:alert(1)" onclick="x()">bad</a>
<iframe src="https://docs.google.com/presentation/d/abc/embed"></iframe>
<iframe src="//www.youtube.com/embed/xyz"></iframe>
<img src="//farm5.staticflickr.com/p.jpg" onerror="x()">

| a | b |
|---|---|
| 1 | 2 |
`
	ev := mustEvent(t, parseText(t, page))
	for _, bad := range []string{"<script", "alert(1)", "javascript:", "onclick", "onerror", "<iframe"} {
		if strings.Contains(ev.BodyHTML, bad) {
			t.Errorf("body keeps %q:\n%s", bad, ev.BodyHTML)
		}
	}
	for _, want := range []string{
		"“Quoted” text – with dashes.", "<table>",
		`<a href="https://docs.google.com/presentation/d/abc/embed">Slides (docs.google.com)</a>`,
		`<a href="https://www.youtube.com/embed/xyz">Video (www.youtube.com)</a>`,
		`src="https://farm5.staticflickr.com/p.jpg"`,
	} {
		if !strings.Contains(ev.BodyHTML, want) {
			t.Errorf("body lacks %s:\n%s", want, ev.BodyHTML)
		}
	}
	if ev.Links.Slides != "https://docs.google.com/presentation/d/abc/embed" || ev.Links.Video != "https://www.youtube.com/embed/xyz" {
		t.Errorf("links from embeds: %+v", ev.Links)
	}
	if ev.Summary != "“Quoted” text – with dashes." {
		t.Errorf("summary from first paragraph: %q", ev.Summary)
	}
}

func TestSummaryIsPlainText(t *testing.T) {
	ev := mustEvent(t, parseText(t, "---\ntitle: T\ndate: 2018-03-28\ndescription: A <b>bold</b> &amp; brave talk\n---\n"))
	if ev.Summary != "A bold & brave talk" {
		t.Errorf("summary %q", ev.Summary)
	}
}

func TestSummaryTruncated(t *testing.T) {
	long := strings.Repeat("word ", 200)
	ev := mustEvent(t, parseText(t, "---\ntitle: T\ndate: 2018-03-28\n---\n"+long+"\n"))
	if n := len([]rune(ev.Summary)); n > summaryMaxRunes || !strings.HasSuffix(ev.Summary, "word…") {
		t.Errorf("summary of %d runes: %q", n, ev.Summary)
	}
}

// TestBadPages: each kind of bad page gives its diagnostic at the
// offending line, and whether the page still yields an event.
func TestBadPages(t *testing.T) {
	tests := []struct {
		name      string
		page      string
		severity  talkfeed.Severity
		line      int
		message   string
		wantEvent bool
	}{
		{"YAML unclosed list", "---\ntitle: T\ndate: 2018-03-28\nspeaker: [unclosed\nlocation: x\n---\n", talkfeed.SeverityError, 4, "YAML", false},
		{"YAML unclosed list on the first line", "---\nspeaker: [unclosed\n---\n", talkfeed.SeverityError, 2, "YAML", false},
		{"YAML mapping in a value", "---\ntitle: T\ndate: 2018-03-28\nspeaker: Matt: Jarvis\n---\n", talkfeed.SeverityError, 4, "YAML", false},
		{"YAML unclosed quote", "---\ntitle: T\ndate: \"2018-03-28\n---\n", talkfeed.SeverityError, 3, "YAML", false},
		{"YAML bad indentation", "---\ntitle: T\n  date: 2018-03-28\n---\n", talkfeed.SeverityError, 3, "YAML", false},
		{"TOML syntax error", "+++\ntitle = \"T\"\ndate = \n+++\n", talkfeed.SeverityError, 3, "TOML", false},
		{"unterminated front matter", "---\ntitle: T\ndate: 2018-03-28\n", talkfeed.SeverityError, 1, "never closed", false},
		{"front matter not a mapping", "---\n- a\n- b\n---\n", talkfeed.SeverityError, 2, "not a mapping", false},
		{"unreadable date", "---\ntitle: T\ndate: 28/03/2018\n---\n", talkfeed.SeverityError, 3, "YYYY-MM-DD", false},
		{"impossible date", "---\ntitle: T\ndate: 2018-02-30\n---\n", talkfeed.SeverityError, 3, "not a date in the calendar", false},
		{"date as a list", "---\ntitle: T\ndate: [2018-02-03]\n---\n", talkfeed.SeverityError, 3, "should be a date", false},
		{"alias bomb", "---\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\ntitle: T\ndate: 2020-01-01\n---\n", talkfeed.SeverityError, 2, "aliases expand to over 10000 more values (an alias bomb?)", false},
		{"no date is skipped", "---\ntitle: Events\nlayout: x\n---\n", talkfeed.SeverityNotice, 2, "not a talk", false},
		{"no front matter is skipped", "# Just markdown\n", talkfeed.SeverityNotice, 1, "no front matter", false},
		{"draft is skipped", "---\ntitle: T\ndate: 2018-03-28\ndraft: true\n---\n", talkfeed.SeverityNotice, 4, "draft", false},
		{"binary file", "---\ntitle: T\x00\n---\n", talkfeed.SeverityError, 1, "binary", false},
		{"invalid UTF-8", "---\ntitle: T\ndate: 2018-03-28\nspeaker: J\xf6rg\n---\n", talkfeed.SeverityError, 4, "UTF-8", false},
		{"end before start", "---\ntitle: T\ndate: 2018-03-28 19:00\nend: 2018-03-27 19:00\n---\n", talkfeed.SeverityWarning, 4, "dropped", true},
		{"unknown zone", "---\ntitle: T\ndate: 2018-03-28 19:00\ntimezone: Nowhere/City\n---\n", talkfeed.SeverityWarning, 4, "unknown time zone", true},
		{"unknown status", "---\ntitle: T\ndate: 2018-03-28\nstatus: maybe\n---\n", talkfeed.SeverityWarning, 4, "unknown status", true},
		{"bad URL", "---\ntitle: T\ndate: 2018-03-28\nslides: javascript:alert(1)\n---\n", talkfeed.SeverityWarning, 4, "not an http(s) URL", true},
		{"duplicate key", "---\ntitle: T\ndate: 2018-03-28\nend_date: 2018-03-29\nendDate: 2018-03-30\n---\n", talkfeed.SeverityWarning, 5, "repeats", true},
		{"no title", "---\ndate: 2018-03-28\n---\n", talkfeed.SeverityWarning, 1, "no title", true},
		{"integer time", "---\ntitle: T\ndate: 2018-03-28\ntime: 1930\n---\n", talkfeed.SeverityWarning, 4, `"19:30"`, true},
		{"timed talk with a date-only end", "---\ntitle: T\ndate: 2018-03-28 10:00\nend: 2018-03-29\n---\n", talkfeed.SeverityWarning, 4, "add an end time", true},
		{"speaker URL without speaker", "---\ntitle: T\ndate: 2018-03-28\nspeakerurl: https://x.example/\n---\n", talkfeed.SeverityWarning, 4, "no speaker", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := parseText(t, tc.page)
			if (r.event != nil) != tc.wantEvent {
				t.Errorf("event = %v, want event: %v", r.event != nil, tc.wantEvent)
			}
			found := false
			for _, d := range r.diags {
				if d.Severity == tc.severity && d.Line == tc.line && strings.Contains(d.Message, tc.message) {
					found = true
				}
				if d.File != "talks/sample.md" {
					t.Errorf("diagnostic names %q", d.File)
				}
			}
			if !found {
				t.Errorf("want %s at line %d containing %q; got %v", tc.severity, tc.line, tc.message, r.diags)
			}
		})
	}
}

func TestDiagnosticFormat(t *testing.T) {
	r := parseText(t, "---\ntitle: T\ndate: 2018-03-28\nspeaker: [unclosed\n---\n")
	if len(r.diags) != 1 {
		t.Fatalf("diags %v", r.diags)
	}
	got := r.diags[0].String()
	if !strings.HasPrefix(got, "talks/sample.md:4: error: YAML: ") {
		t.Errorf("diagnostic %q", got)
	}
}

func TestCRLFAndBOM(t *testing.T) {
	ev := mustEvent(t, parseText(t, "\uFEFF---\r\ntitle: Windows\r\ndate: 2018-03-28\r\n---\r\nBody\r\n"))
	if ev.Title != "Windows" {
		t.Errorf("title %q", ev.Title)
	}
}
