package publish

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/demo"
	"github.com/talkfeed/talkfeed/internal/htmltest"
	"github.com/talkfeed/talkfeed/slack"
)

// agreeingTalk is a talk and what every output must say about it, spelled
// out here rather than asked of the root package, so that a rule that
// changes in one place shows up as a disagreement.
type agreeingTalk struct {
	e talkfeed.Event
	// title is the display title: feeds, calendars, the talk page's
	// titles and calendar links, Slack's header.
	title string
	// label is the status badge on the pages and Slack's status fact;
	// note the talk page's badge and the calendar's sentence.
	label, note string
	// marked is how the one-line synopsis (feed summaries, the talk
	// page's descriptions) says the status: a prefix "Cancelled. " or a
	// " (to be confirmed)" before the summary.
	marked func(synopsis string) bool
	// icsStatus and ldStatus are the status in the calendar's and
	// schema.org's words.
	icsStatus goical.EventStatus
	ldStatus  string
	// end is the talk's exclusive end: an instant (RFC 3339, UTC) for a
	// timed talk, the day after the last (a date) for an all-day one.
	end string
}

// The site's default_duration and default_days: other than the built-in
// hour and day, so that an output that ignores them disagrees.
const (
	agreeDuration = 90 * time.Minute
	agreeDays     = 2
)

func agreeingTalks(t *testing.T) []agreeingTalk {
	t.Helper()
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	tokyo, madrid, berlin := zone("Asia/Tokyo"), zone("Europe/Madrid"), zone("Europe/Berlin")
	talk := func(id, title, tz string, start, end time.Time, allDay bool, status talkfeed.Status) talkfeed.Event {
		return talkfeed.Event{
			ID: id, Title: title, Summary: "What " + title + " is about.", BodyHTML: "<p>Details.</p>",
			Start: start, End: end, AllDay: allDay, TimeZone: tz, Location: "Somewhere, Earth", EventName: "Meetup",
			Category: "Agreement", Speakers: []talkfeed.Speaker{{Name: "Ada Lovelace"}},
			PageURL: demoSite.BaseURL + "events/" + id + "/", Status: status,
			Published: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC),
		}
	}
	noMark := func(s string) bool {
		return !strings.Contains(s, "Cancelled.") && !strings.Contains(s, "to be confirmed")
	}
	return []agreeingTalk{
		{
			e: talk("2027/tentative", "Edge in Tokyo", "Asia/Tokyo",
				time.Date(2027, 4, 22, 19, 0, 0, 0, tokyo), time.Date(2027, 4, 22, 21, 0, 0, 0, tokyo), false, talkfeed.StatusTentative),
			title: "Edge in Tokyo", label: "To be confirmed", note: "The date is to be confirmed.",
			marked:    func(s string) bool { return strings.Contains(s, "Earth · Meetup (to be confirmed) — What") },
			icsStatus: goical.EventTentative, ldStatus: "https://schema.org/EventPostponed",
			end: "2027-04-22T12:00:00Z",
		},
		{
			e: talk("2027/cancelled", "Kubernetes Security", "Europe/Madrid",
				time.Date(2027, 1, 21, 19, 0, 0, 0, madrid), time.Date(2027, 1, 21, 21, 0, 0, 0, madrid), false, talkfeed.StatusCancelled),
			title: "Cancelled: Kubernetes Security", label: "Cancelled", note: "This talk is cancelled.",
			marked: func(s string) bool {
				return strings.HasPrefix(s, "Cancelled. 21 January 2027") && !strings.Contains(s, "to be confirmed")
			},
			icsStatus: goical.EventCancelled, ldStatus: "https://schema.org/EventCancelled",
			end: "2027-01-21T20:00:00Z",
		},
		{
			e: talk("2027/endless", "Office Hours", "Europe/Berlin",
				time.Date(2027, 2, 4, 18, 30, 0, 0, berlin), time.Time{}, false, talkfeed.StatusConfirmed),
			title: "Office Hours", marked: noMark,
			icsStatus: goical.EventConfirmed, ldStatus: "https://schema.org/EventScheduled",
			end: "2027-02-04T19:00:00Z", // 18:30 CET and 90 minutes
		},
		{
			e: talk("2027/endless-days", "Rust Summit", "Europe/Berlin",
				time.Date(2027, 3, 10, 0, 0, 0, 0, berlin), time.Time{}, true, talkfeed.StatusConfirmed),
			title: "Rust Summit", marked: noMark,
			icsStatus: goical.EventConfirmed, ldStatus: "https://schema.org/EventScheduled",
			end: "2027-03-12", // two days
		},
	}
}

// The talk's title, status and end read the same in every output: the
// three feeds, the calendars, the talk page, the subscribe page and Slack.
func TestOutputsAgree(t *testing.T) {
	talks := agreeingTalks(t)
	evs := make([]talkfeed.Event, len(talks))
	for i := range talks {
		evs[i] = talks[i].e
	}
	cat := talkfeed.NewCatalog(evs)
	tree, err := Build(cat, Options{
		Site: demoSite, Generator: "talkfeed test", TTL: 5 * time.Minute,
		DefaultDuration: agreeDuration, DefaultDays: agreeDays, Today: demo.Anchor,
	})
	if err != nil {
		t.Fatal(err)
	}
	file := func(p string) []byte {
		t.Helper()
		f, ok := tree.File(p)
		if !ok {
			t.Fatalf("no %s", p)
		}
		return f.Body
	}

	// Feeds: the title and the synopsis; JSON Feed's status.
	synopses := map[string]string{} // page URL → the feeds' summary
	for _, p := range []string{"feed.rss", "feed.atom", "feed.json"} {
		feed, err := gofeed.NewParser().Parse(bytes.NewReader(file(p)))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		byLink := map[string]*gofeed.Item{}
		for _, it := range feed.Items {
			byLink[it.Link] = it
		}
		for _, tk := range talks {
			it := byLink[tk.e.PageURL]
			if it == nil {
				t.Errorf("%s: no item for %s", p, tk.e.ID)
				continue
			}
			if it.Title != tk.title {
				t.Errorf("%s %s: title %q, want %q", p, tk.e.ID, it.Title, tk.title)
			}
			if !tk.marked(it.Description) {
				t.Errorf("%s %s: summary %q does not say its status", p, tk.e.ID, it.Description)
			}
			if prev, ok := synopses[tk.e.PageURL]; ok && prev != it.Description {
				t.Errorf("%s %s: summary %q, another feed's %q", p, tk.e.ID, it.Description, prev)
			}
			synopses[tk.e.PageURL] = it.Description
		}
	}
	var jf struct {
		Items []struct {
			URL   string `json:"url"`
			Event struct {
				Status string `json:"status"`
			} `json:"_event"`
		} `json:"items"`
	}
	if err := json.Unmarshal(file("feed.json"), &jf); err != nil {
		t.Fatal(err)
	}
	jsonStatus := map[string]string{}
	for _, it := range jf.Items {
		jsonStatus[it.URL] = it.Event.Status
	}

	// Calendars: the site's and each talk's own say the same.
	icsEnds := map[string]string{}
	for _, tk := range talks {
		if got, want := jsonStatus[tk.e.PageURL], strings.ToLower(string(tk.icsStatus)); got != want {
			t.Errorf("feed.json %s: status %q, the calendar's %q", tk.e.ID, got, want)
		}
		for _, p := range []string{"calendar.ics", EventICSPath(tk.e.ID)} {
			ev := calendarEvent(t, file(p), tk.e.ID+"@localhost")
			if ev == nil {
				t.Errorf("%s: no %s", p, tk.e.ID)
				continue
			}
			if s, _ := ev.Props.Text(goical.PropSummary); s != tk.title {
				t.Errorf("%s %s: SUMMARY %q, want %q", p, tk.e.ID, s, tk.title)
			}
			if s, _ := ev.Status(); s != tk.icsStatus {
				t.Errorf("%s %s: STATUS %q, want %q", p, tk.e.ID, s, tk.icsStatus)
			}
			if d, _ := ev.Props.Text(goical.PropDescription); tk.note != "" && !strings.Contains(d, tk.note) {
				t.Errorf("%s %s: DESCRIPTION %q lacks %q", p, tk.e.ID, d, tk.note)
			}
			end := icsEnd(t, ev, tk.e.AllDay)
			if end != tk.end {
				t.Errorf("%s %s: DTEND %s, want %s", p, tk.e.ID, end, tk.end)
			}
			icsEnds[tk.e.ID] = end
		}
	}

	// The talk page: its titles, descriptions, badge, calendar links and
	// JSON-LD.
	for _, tk := range talks {
		e := tk.e
		page := parseHTML(t, file(TalkPagePath(demoSite.BaseURL, &e)))
		if got := htmltest.Text(first(t, page, "title")); got != tk.title+" · "+demoSite.Title {
			t.Errorf("%s page: <title> %q", e.ID, got)
		}
		for _, p := range []string{"og:title", "twitter:title"} {
			if got := metaContent(page, p); got != tk.title {
				t.Errorf("%s page: %s %q, want %q", e.ID, p, got, tk.title)
			}
		}
		for _, p := range []string{"description", "og:description", "twitter:description"} {
			if got := metaContent(page, p); got != synopses[e.PageURL] {
				t.Errorf("%s page: %s %q, the feeds' summary %q", e.ID, p, got, synopses[e.PageURL])
			}
		}
		if got := badges(page, "p"); tk.note == "" && len(got) != 0 || tk.note != "" && (len(got) != 1 || got[0] != tk.note) {
			t.Errorf("%s page: badges %q, want %q", e.ID, got, tk.note)
		}
		google, outlook := pageCalendarLinks(t, page)
		if google.Get("text") != tk.title || outlook.Get("subject") != tk.title {
			t.Errorf("%s page: calendar links name it %q and %q, want %q", e.ID, google.Get("text"), outlook.Get("subject"), tk.title)
		}
		_, googleEnd, _ := strings.Cut(google.Get("dates"), "/")
		for name, end := range map[string]string{
			"Google Calendar": linkEnd(t, googleEnd, "20060102T150405Z", "20060102", e.AllDay),
			"Outlook.com":     linkEnd(t, outlook.Get("enddt"), time.RFC3339, time.DateOnly, e.AllDay),
		} {
			if end != icsEnds[e.ID] {
				t.Errorf("%s page: %s link ends %s, the .ics %s", e.ID, name, end, icsEnds[e.ID])
			}
		}
		ld := pageJSONLD(t, page)
		endDate, _ := ld["endDate"].(string)
		if e.AllDay {
			// schema.org's end date is the last day; DTEND the day after.
			if last, err := time.Parse(time.DateOnly, endDate); err != nil || last.AddDate(0, 0, 1).Format(time.DateOnly) != icsEnds[e.ID] {
				t.Errorf("%s page: JSON-LD endDate %q, the .ics ends %s", e.ID, endDate, icsEnds[e.ID])
			}
		} else if end := linkEnd(t, endDate, time.RFC3339, "", false); end != icsEnds[e.ID] {
			t.Errorf("%s page: JSON-LD endDate %q, the .ics ends %s", e.ID, endDate, icsEnds[e.ID])
		}
		if ld["eventStatus"] != tk.ldStatus {
			t.Errorf("%s page: JSON-LD eventStatus %v, want %s", e.ID, ld["eventStatus"], tk.ldStatus)
		}
	}

	// The subscribe page: each talk by its title, with its status badge.
	index := parseHTML(t, file(IndexPath))
	lines := map[string]*html.Node{}
	for _, li := range all(index, "li") {
		if !strings.HasPrefix(htmltest.Attr(li, "class"), "talk") {
			continue
		}
		for _, a := range all(li, "a") {
			if htmltest.Attr(a, "class") == "title" {
				lines[htmltest.Attr(a, "href")] = li
			}
		}
	}
	for _, tk := range talks {
		li := lines[tk.e.PageURL]
		if li == nil {
			t.Errorf("subscribe page: no line for %s", tk.e.ID)
			continue
		}
		got := badges(li, "strong")
		if tk.label == "" && len(got) != 0 || tk.label != "" && (len(got) != 1 || got[0] != tk.label) {
			t.Errorf("subscribe page %s: badges %q, want %q", tk.e.ID, got, tk.label)
		}
		if cancelled := strings.Contains(htmltest.Attr(li, "class"), "cancelled"); cancelled != (tk.icsStatus == goical.EventCancelled) {
			t.Errorf("subscribe page %s: class %q", tk.e.ID, htmltest.Attr(li, "class"))
		}
	}

	// Slack: every talk announced as new, then the cancellation of one
	// that was confirmed.
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	var all, confirmed []*talkfeed.Event
	for _, e := range cat.Events() {
		all = append(all, &e)
		c := e
		if c.Status == talkfeed.StatusCancelled {
			c.Status = talkfeed.StatusConfirmed
		}
		confirmed = append(confirmed, &c)
	}
	changes := talkfeed.NewLedger().Apply(at, all, nil) // every talk new
	ledger := talkfeed.NewLedger()
	ledger.Apply(at, confirmed, nil)
	_, cancelled := ledger.Observe(cat.Events(), at.Add(time.Hour))
	changes = append(changes, cancelled...)
	headers := map[string][]string{}
	for i := range changes {
		c := &changes[i]
		header, facts := slackMessage(t, c)
		headers[c.ID] = append(headers[c.ID], header)
		for _, tk := range talks {
			if tk.e.ID != c.ID {
				continue
			}
			if tk.label == "" && strings.Contains(facts, "*Status:*") || tk.label != "" && !strings.Contains(facts, "*Status:* "+tk.label+"\n") {
				t.Errorf("Slack %s %s: facts %q, want status %q", c.Kind, c.ID, facts, tk.label)
			}
		}
	}
	for _, tk := range talks {
		want := []string{"New talk: " + tk.title}
		if tk.icsStatus == goical.EventCancelled {
			want = append(want, tk.title)
		}
		if got := headers[tk.e.ID]; strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("Slack %s: headers %q, want %q", tk.e.ID, got, want)
		}
	}
}

// calendarEvent is the VEVENT with the UID, or nil.
func calendarEvent(t *testing.T, b []byte, uid string) *goical.Event {
	t.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range cal.Events() {
		if ev.Props.Get(goical.PropUID).Value == uid {
			return &ev
		}
	}
	return nil
}

// icsEnd is the event's DTEND in the form agreeingTalk.end has.
func icsEnd(t *testing.T, ev *goical.Event, allDay bool) string {
	t.Helper()
	if allDay {
		d, err := time.Parse("20060102", ev.Props.Get(goical.PropDateTimeEnd).Value)
		if err != nil {
			t.Fatal(err)
		}
		return d.Format(time.DateOnly)
	}
	end, err := ev.DateTimeEnd(time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return end.UTC().Format(time.RFC3339)
}

// linkEnd reads an end written in timed (or, for an all-day talk,
// dateOnly) layout into the form agreeingTalk.end has; "" when it does not
// parse.
func linkEnd(t *testing.T, s, timed, dateOnly string, allDay bool) string {
	t.Helper()
	if allDay {
		d, err := time.Parse(dateOnly, s)
		if err != nil {
			return ""
		}
		return d.Format(time.DateOnly)
	}
	end, err := time.Parse(timed, s)
	if err != nil {
		return ""
	}
	return end.UTC().Format(time.RFC3339)
}

func parseHTML(t *testing.T, b []byte) *html.Node {
	t.Helper()
	n, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// all returns the elements with the tag below n, in document order.
func all(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && d.Data == tag {
			out = append(out, d)
		}
	}
	return out
}

func first(t *testing.T, n *html.Node, tag string) *html.Node {
	t.Helper()
	found := all(n, tag)
	if len(found) == 0 {
		t.Fatalf("no <%s>", tag)
	}
	return found[0]
}

// metaContent is the content of the meta element with the property or
// name.
func metaContent(n *html.Node, key string) string {
	for _, m := range all(n, "meta") {
		if htmltest.Attr(m, "property") == key || htmltest.Attr(m, "name") == key {
			return htmltest.Attr(m, "content")
		}
	}
	return ""
}

// badges are the texts of the tag's elements of class "badge" below n.
func badges(n *html.Node, tag string) []string {
	var out []string
	for _, b := range all(n, tag) {
		if htmltest.Attr(b, "class") == "badge" {
			out = append(out, htmltest.Text(b))
		}
	}
	return out
}

// pageCalendarLinks returns the queries of a talk page's Google Calendar
// and Outlook.com links.
func pageCalendarLinks(t *testing.T, page *html.Node) (google, outlook url.Values) {
	t.Helper()
	for _, a := range all(page, "a") {
		h := htmltest.Attr(a, "href")
		if rest, ok := strings.CutPrefix(h, "https://calendar.google.com/calendar/render?"); ok {
			google, _ = url.ParseQuery(rest)
		}
		if rest, ok := strings.CutPrefix(h, "https://outlook.live.com/calendar/0/deeplink/compose?"); ok {
			outlook, _ = url.ParseQuery(rest)
		}
	}
	if google == nil || outlook == nil {
		t.Fatal("a talk page without its calendar links")
	}
	return google, outlook
}

func pageJSONLD(t *testing.T, page *html.Node) map[string]any {
	t.Helper()
	for _, s := range all(page, "script") {
		if htmltest.Attr(s, "type") == "application/ld+json" && s.FirstChild != nil {
			var ld map[string]any
			if err := json.Unmarshal([]byte(s.FirstChild.Data), &ld); err != nil {
				t.Fatal(err)
			}
			return ld
		}
	}
	t.Fatal("a talk page without JSON-LD")
	return nil
}

// slackMessage returns the header and the facts of the change's message.
func slackMessage(t *testing.T, c *talkfeed.Change) (header, facts string) {
	t.Helper()
	b, err := slack.Message(c, demoSite.BaseURL+EventICSPath(c.ID))
	if err != nil {
		t.Fatal(err)
	}
	var msg struct {
		Blocks []struct {
			Text struct{ Text string }
		}
	}
	if err := json.Unmarshal(b, &msg); err != nil || len(msg.Blocks) < 2 {
		t.Fatalf("Slack message %s: %v", b, err)
	}
	return msg.Blocks[0].Text.Text, msg.Blocks[1].Text.Text + "\n"
}
