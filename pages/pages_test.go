package pages

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/talkfeed/talkfeed/internal/htmltest"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/internal/fixtures"
)

const base = "https://talks.example/"

var site = talkfeed.Site{Title: "Demo Talks", Description: "Our talks", BaseURL: base, Language: "en"}

func options() Options {
	return Options{
		Site:     site,
		Feeds:    []Feed{feedsAt("All talks", base), feedsAt("Languages", base+"category/languages/")},
		EventICS: func(e *talkfeed.Event) string { return base + "events/" + e.ID + ".ics" },
	}
}

// doc parses a page and returns its nodes by a simple selector: every
// element with the tag and, if given, the attribute value.
type doc struct{ root *html.Node }

func parse(t *testing.T, b []byte) doc {
	t.Helper()
	n, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc{n}
}

func (d doc) all(tag string) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(d.root)
	return out
}

func (d doc) meta(property string) string {
	for _, m := range d.all("meta") {
		if htmltest.Attr(m, "property") == property || htmltest.Attr(m, "name") == property {
			return htmltest.Attr(m, "content")
		}
	}
	return ""
}

func TestIndex(t *testing.T) {
	evs := fixtures.Demo(t, base)
	b, err := Index(evs, time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), options())
	if err != nil {
		t.Fatal(err)
	}
	d := parse(t, b)
	if htmltest.Attr(d.all("html")[0], "lang") != "en" || htmltest.Text(d.all("title")[0]) != "Demo Talks" {
		t.Error("no language or title")
	}
	// Discovery: every feed of every subscription.
	alternates := map[string]string{}
	for _, l := range d.all("link") {
		if htmltest.Attr(l, "rel") == "alternate" {
			alternates[htmltest.Attr(l, "href")] = htmltest.Attr(l, "type")
		}
	}
	for _, want := range []string{"feed.rss", "feed.atom", "feed.json", "category/languages/feed.rss", "category/languages/feed.atom", "category/languages/feed.json"} {
		if alternates[base+want] == "" {
			t.Errorf("no alternate link for %s", want)
		}
	}
	// Nothing from other hosts.
	for _, s := range d.all("script") {
		if src := htmltest.Attr(s, "src"); src != "" && !strings.HasPrefix(src, base) {
			t.Errorf("script from elsewhere: %s", src)
		}
	}
	for _, l := range d.all("link") {
		if htmltest.Attr(l, "rel") == "stylesheet" && !strings.HasPrefix(htmltest.Attr(l, "href"), base) {
			t.Errorf("stylesheet from elsewhere: %s", htmltest.Attr(l, "href"))
		}
	}
	// Upcoming talks soonest first, then past ones latest first.
	lists := d.all("ol")
	if len(lists) != 2 {
		t.Fatalf("%d talk lists", len(lists))
	}
	titles := func(ol *html.Node) []string {
		var out []string
		for _, a := range (doc{ol}).all("a") {
			if htmltest.Attr(a, "class") == "title" {
				out = append(out, htmltest.Text(a))
			}
		}
		return out
	}
	upcoming, past := titles(lists[0]), titles(lists[1])
	if len(upcoming) != 7 || upcoming[0] != "Platform Engineering: A Hands-on Workshop" || upcoming[6] != "Serving Models Without Burning Money" {
		t.Errorf("upcoming %q", upcoming)
	}
	if len(past) != 3 || past[0] != "Cloud Native Day Lisbon" || past[2] != "Getting Started with GitOps" {
		t.Errorf("past %q", past)
	}
	// One-click subscriptions.
	hrefs := map[string]bool{}
	for _, a := range d.all("a") {
		hrefs[htmltest.Attr(a, "href")] = true
	}
	ics := base + "calendar.ics"
	for _, want := range []string{
		"webcal://talks.example/calendar.ics",
		"https://calendar.google.com/calendar/u/0/r/settings/addbyurl",
		"https://outlook.live.com/calendar/0/addfromweb?url=" + url.QueryEscape(ics) + "&name=Demo+Talks",
		"https://outlook.office.com/calendar/0/addfromweb?url=" + url.QueryEscape(ics) + "&name=Demo+Talks",
		"webcal://talks.example/category/languages/calendar.ics",
		base + "feed.rss", base + "feed.atom", base + "feed.json",
		base + "events/2027/rust-systems-summit-2027/",
	} {
		if !hrefs[want] {
			t.Errorf("no link to %s", want)
		}
	}
	copies := 0
	for _, in := range d.all("input") {
		if htmltest.Attr(in, "value") == ics {
			copies++
		}
	}
	if copies != 1 {
		t.Errorf("the calendar URL is not offered to copy (%d)", copies)
	}
	if bytes.Contains(b, []byte("ZgotmplZ")) {
		t.Error("a URL was rejected by html/template")
	}
	if !bytes.Contains(b, []byte(`<strong class="badge">Cancelled</strong>`)) {
		t.Error("the cancelled talk is not marked")
	}
}

func demoTalk(t *testing.T, id string) *talkfeed.Event {
	t.Helper()
	for _, e := range fixtures.Demo(t, base) {
		if e.ID == id {
			return &e
		}
	}
	t.Fatalf("no demo talk %s", id)
	return nil
}

func jsonLD(t *testing.T, d doc) map[string]any {
	t.Helper()
	for _, s := range d.all("script") {
		if htmltest.Attr(s, "type") == "application/ld+json" {
			var ld map[string]any
			if err := json.Unmarshal([]byte(s.FirstChild.Data), &ld); err != nil {
				t.Fatalf("JSON-LD: %v\n%s", err, s.FirstChild.Data)
			}
			return ld
		}
	}
	t.Fatal("no JSON-LD")
	return nil
}

func TestTalkPage(t *testing.T) {
	e := demoTalk(t, "2026/observability-without-tears")
	b, err := Talk(e, options())
	if err != nil {
		t.Fatal(err)
	}
	d := parse(t, b)
	for prop, want := range map[string]string{
		"og:title":       "Observability Without Tears",
		"og:url":         e.PageURL,
		"og:image":       e.ImageURL,
		"og:site_name":   "Demo Talks",
		"twitter:card":   "summary_large_image",
		"twitter:image":  e.ImageURL,
		"og:description": "17 September 2026, 18:30–20:00 CEST · c-base · Berlin, Germany · Berlin Cloud Native Meetup — Metrics, logs and traces that answer the question you have at 3 a.m., not the one you had at design time.",
	} {
		if got := d.meta(prop); got != want {
			t.Errorf("%s = %q, want %q", prop, got, want)
		}
	}
	ld := jsonLD(t, d)
	// The schema.org Event properties search engines read.
	checks := map[string]any{
		"@context":            "https://schema.org",
		"@type":               "Event",
		"name":                "Observability Without Tears",
		"startDate":           "2026-09-17T18:30:00+02:00",
		"endDate":             "2026-09-17T20:00:00+02:00",
		"eventStatus":         "https://schema.org/EventScheduled",
		"eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
		"url":                 e.PageURL,
	}
	for k, want := range checks {
		if ld[k] != want {
			t.Errorf("JSON-LD %s = %v, want %v", k, ld[k], want)
		}
	}
	loc, _ := ld["location"].(map[string]any)
	if loc["@type"] != "Place" || loc["name"] != "c-base" || !strings.Contains(loc["address"].(string), "Rungestraße 20") {
		t.Errorf("location %v", loc)
	}
	perf, _ := ld["performer"].([]any)
	if len(perf) != 1 || perf[0].(map[string]any)["name"] != "Lena Hoffmann" || perf[0].(map[string]any)["@type"] != "Person" {
		t.Errorf("performer %v", perf)
	}
	if img, _ := ld["image"].([]any); len(img) != 1 || img[0] != e.ImageURL {
		t.Errorf("image %v", ld["image"])
	}
	// Add to calendar.
	hrefs := map[string]bool{}
	var google, outlook string
	for _, a := range d.all("a") {
		h := htmltest.Attr(a, "href")
		hrefs[h] = true
		if strings.HasPrefix(h, "https://calendar.google.com/calendar/render?") {
			google = h
		}
		if strings.HasPrefix(h, "https://outlook.live.com/calendar/0/deeplink/compose?") {
			outlook = h
		}
	}
	if !hrefs[base+"events/2026/observability-without-tears.ics"] {
		t.Error("no link to the talk's .ics")
	}
	gq, _ := url.ParseQuery(strings.SplitN(google, "?", 2)[1])
	if gq.Get("dates") != "20260917T163000Z/20260917T180000Z" || gq.Get("action") != "TEMPLATE" || gq.Get("ctz") != "Europe/Berlin" || gq.Get("text") != e.Title {
		t.Errorf("Google link %s", google)
	}
	oq, _ := url.ParseQuery(strings.SplitN(outlook, "?", 2)[1])
	if oq.Get("startdt") != "2026-09-17T18:30:00+02:00" || oq.Get("enddt") != "2026-09-17T20:00:00+02:00" || oq.Get("subject") != e.Title {
		t.Errorf("Outlook link %s", outlook)
	}
}

func TestTalkPageShapes(t *testing.T) {
	tests := []struct {
		id         string
		start, end string
		status     string
		mode       string
		locType    string
	}{
		{"2027/rust-summit", "2027-03-10", "2027-03-12", "EventScheduled", "OfflineEventAttendanceMode", "Place"},
		{"2027/online-webinar", "2027-02-04T12:00:00-05:00", "2027-02-04T13:00:00-05:00", "EventScheduled", "OnlineEventAttendanceMode", "VirtualLocation"},
		{"2027/cancelled-k8s-security", "2027-01-21T19:00:00+01:00", "2027-01-21T21:00:00+01:00", "EventCancelled", "OfflineEventAttendanceMode", "Place"},
		{"2027/tokyo-tentative", "2027-04-22T19:00:00+09:00", "2027-04-22T20:00:00+09:00", "EventPostponed", "OfflineEventAttendanceMode", "Place"},
	}
	for _, tc := range tests {
		b, err := Talk(demoTalk(t, tc.id), options())
		if err != nil {
			t.Fatal(err)
		}
		ld := jsonLD(t, parse(t, b))
		end, _ := ld["endDate"].(string)
		loc, _ := ld["location"].(map[string]any)
		if ld["startDate"] != tc.start || end != tc.end || ld["eventStatus"] != "https://schema.org/"+tc.status ||
			ld["eventAttendanceMode"] != "https://schema.org/"+tc.mode || loc["@type"] != tc.locType {
			t.Errorf("%s: %v", tc.id, ld)
		}
	}
	// An all-day talk's calendar links use dates, the day after the last
	// day as the end.
	b, _ := Talk(demoTalk(t, "2027/rust-summit"), options())
	if !bytes.Contains(b, []byte("dates=20270310%2F20270313")) || !bytes.Contains(b, []byte("allday=true")) {
		t.Error("all-day calendar links")
	}
}

func TestHostileTalk(t *testing.T) {
	e := &talkfeed.Event{
		ID: "evil", Title: `</script><script>alert(1)</script>"'&`, Summary: "<b>x</b>",
		Start: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), AllDay: true, PageURL: base + "evil/",
		Speakers: []talkfeed.Speaker{{Name: "<img src=x onerror=alert(1)>", URL: "javascript:alert(1)"}},
	}
	b, err := Talk(e, options())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("<script>alert")) || bytes.Contains(b, []byte("<img src=x")) || bytes.Contains(b, []byte(`href="javascript:`)) {
		t.Errorf("live markup:\n%s", b)
	}
	if ld := jsonLD(t, parse(t, b)); ld["name"] != e.Title {
		t.Errorf("JSON-LD name %q", ld["name"])
	}
	if !regexp.MustCompile(`<title>&lt;/script&gt;`).Match(b) {
		t.Error("title not escaped")
	}
}

// calendarLinkQueries are the queries of the talk's Google Calendar and
// Outlook.com links.
func calendarLinkQueries(t *testing.T, e *talkfeed.Event, d talkfeed.DefaultLength) (google, outlook url.Values) {
	t.Helper()
	g, err := url.Parse(googleTemplateLink(e, d))
	if err != nil {
		t.Fatal(err)
	}
	o, err := url.Parse(outlookComposeLink(e, d))
	if err != nil {
		t.Fatal(err)
	}
	return g.Query(), o.Query()
}

// A talk without an end lasts the configured default in the calendar
// links and the JSON-LD, as in its .ics.
func TestDefaultLength(t *testing.T) {
	length := talkfeed.DefaultLength{Duration: 90 * time.Minute, Days: 2}
	endDate := func(e *talkfeed.Event) any {
		t.Helper()
		b, err := eventJSONLD(e, length)
		if err != nil {
			t.Fatal(err)
		}
		var ld map[string]any
		if err := json.Unmarshal(b, &ld); err != nil {
			t.Fatal(err)
		}
		return ld["endDate"]
	}

	timed := demoTalk(t, "2027/tokyo-tentative") // 19:00 JST, no end
	google, outlook := calendarLinkQueries(t, timed, length)
	if google.Get("dates") != "20270422T100000Z/20270422T113000Z" || outlook.Get("enddt") != "2027-04-22T20:30:00+09:00" {
		t.Errorf("timed: Google dates %q, Outlook end %q", google.Get("dates"), outlook.Get("enddt"))
	}
	if end := endDate(timed); end != "2027-04-22T20:30:00+09:00" {
		t.Errorf("timed: JSON-LD endDate %v", end)
	}

	allDay := demoTalk(t, "2026/cloud-native-day-lisbon") // 8 October 2026, no end
	google, outlook = calendarLinkQueries(t, allDay, length)
	if google.Get("dates") != "20261008/20261010" || outlook.Get("enddt") != "2026-10-10" {
		t.Errorf("all-day: Google dates %q, Outlook end %q", google.Get("dates"), outlook.Get("enddt"))
	}
	// schema.org's end is the last day, not the day after.
	if end := endDate(allDay); end != "2026-10-09" {
		t.Errorf("all-day: JSON-LD endDate %v", end)
	}
}

// A cancelled talk's page says so in every title and in its calendar
// links; a tentative talk's in its descriptions and its badge.
func TestTalkPageStatus(t *testing.T) {
	cancelled := demoTalk(t, "2027/cancelled-k8s-security")
	b, err := Talk(cancelled, options())
	if err != nil {
		t.Fatal(err)
	}
	d := parse(t, b)
	const title = "Cancelled: Kubernetes Security in Practice"
	if got := htmltest.Text(d.all("title")[0]); got != title+" · Demo Talks" {
		t.Errorf("<title> %q", got)
	}
	if og, tw := d.meta("og:title"), d.meta("twitter:title"); og != title || tw != title {
		t.Errorf("og:title %q, twitter:title %q", og, tw)
	}
	if google, outlook := calendarLinkQueries(t, cancelled, talkfeed.DefaultLength{}); google.Get("text") != title || outlook.Get("subject") != title {
		t.Errorf("the calendar links name it %q and %q", google.Get("text"), outlook.Get("subject"))
	}

	b, err = Talk(demoTalk(t, "2027/tokyo-tentative"), options())
	if err != nil {
		t.Fatal(err)
	}
	d = parse(t, b)
	if got := d.meta("og:description"); !strings.Contains(got, " (to be confirmed) — ") {
		t.Errorf("og:description %q", got)
	}
	var badges []string
	for _, p := range d.all("p") {
		if htmltest.Attr(p, "class") == "badge" {
			badges = append(badges, htmltest.Text(p))
		}
	}
	if len(badges) != 1 || badges[0] != "The date is to be confirmed." {
		t.Errorf("badges %q", badges)
	}
}

// feedsAt is a subscription to the outputs of the view folder at dir.
func feedsAt(name, dir string) Feed {
	return Feed{Name: name, RSS: dir + "feed.rss", Atom: dir + "feed.atom", JSON: dir + "feed.json", ICS: dir + "calendar.ics"}
}

// The subscribe page from kept lines is the page rendered whole, in
// every generation; an edited talk's line is rendered again.
func TestIndexFromKeptLines(t *testing.T) {
	evs := fixtures.Demo(t, base)
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	whole, err := Index(evs, day, options())
	if err != nil {
		t.Fatal(err)
	}
	o := options()
	o.Lines = NewLines(nil)
	for gen := range 3 {
		if gen == 2 {
			evs[0].Title += " (edited)"
			if whole, err = Index(evs, day, options()); err != nil {
				t.Fatal(err)
			}
		}
		got, err := Index(evs, day, o)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, whole) {
			t.Fatalf("generation %d: the page from kept lines differs:\n%s", gen, got)
		}
		if o.Lines.Len() != len(evs) {
			t.Errorf("generation %d keeps %d lines for %d talks", gen, o.Lines.Len(), len(evs))
		}
		o.Lines = NewLines(o.Lines)
	}
}
