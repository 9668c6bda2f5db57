// Package pages renders the HTML that people see: the subscribe page that
// lists the talks with one-click subscriptions, and one page per talk with
// "add to calendar" links, Open Graph tags for link unfurls and schema.org
// Event data for search engines. It uses html/template only, no assets from
// other hosts, and works without JavaScript.
package pages

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"html/template"
	"io/fs"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/talkfeed/talkfeed"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Static returns the pages' own assets (CSS, the copy-button script) at
// the site paths the pages link to: "assets/talkfeed.css", ….
func Static() fs.FS {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // unreachable: the folder is embedded above
	}
	return sub
}

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"join": strings.Join,
}).ParseFS(templateFS, "templates/*.html"))

// Feed is one subscription a page offers: a view's feeds and calendar,
// at the absolute URLs the URL tree publishes them at.
type Feed struct {
	// Name is "All talks" or the category.
	Name                 string
	RSS, Atom, JSON, ICS string
}

// Options are what every page of a site shares.
type Options struct {
	Site talkfeed.Site
	// Feeds are the site's subscriptions, all talks first.
	Feeds []Feed
	// EventICS returns the URL of a talk's own calendar.
	EventICS func(*talkfeed.Event) string
	// ChangesURL is the change feed's base URL (without extension); "" for
	// none.
	ChangesURL string
	// DefaultLength is a talk's length when its page gives no end: the
	// calendars' (ical.Options), so that the calendar links and the
	// JSON-LD end where the talk's .ics does.
	DefaultLength talkfeed.DefaultLength
	// Lines, when set, keeps the subscribe page's talk lines across
	// pages and reloads.
	Lines *Lines
}

// Index renders the subscribe page: upcoming talks (soonest first), then
// past ones (latest first), as of today.
func Index(events []talkfeed.Event, today time.Time, o Options) ([]byte, error) {
	var upcoming, past []talkfeed.Event
	for _, e := range events {
		if e.Over(today) {
			past = append(past, e)
		} else {
			upcoming = append(upcoming, e)
		}
	}
	// Latest first: reversed once, not prepended talk by talk (which
	// copied the whole list each time, quadratic in the past talks).
	slices.Reverse(past)
	upcomingLines, err := lines(o.Lines, upcoming)
	if err != nil {
		return nil, err
	}
	pastLines, err := lines(o.Lines, past)
	if err != nil {
		return nil, err
	}
	data := map[string]any{
		"Site":     o.Site,
		"Feeds":    subscriptions(o),
		"Upcoming": upcomingLines,
		"Past":     pastLines,
		"Changes":  o.ChangesURL,
	}
	return render("index.html", data)
}

// Subscription is a feed with its one-click links.
type Subscription struct {
	Name                       string
	RSS, Atom, JSON, ICS       string
	Google, Outlook, Office365 string
	// Webcal is trusted: html/template would otherwise replace a URL of
	// a scheme it does not know with "#ZgotmplZ". It is built here from
	// the site's own http(s) URL.
	Webcal template.URL
}

func subscriptions(o Options) []Subscription {
	out := make([]Subscription, len(o.Feeds))
	for i, f := range o.Feeds {
		ics := f.ICS
		webcal := ics
		if rest, ok := strings.CutPrefix(ics, "https://"); ok {
			webcal = "webcal://" + rest
		} else if rest, ok := strings.CutPrefix(ics, "http://"); ok {
			webcal = "webcal://" + rest
		}
		name := o.Site.Title
		if f.Name != "" && i > 0 {
			name += ": " + f.Name
		}
		addFromWeb := "?url=" + url.QueryEscape(ics) + "&name=" + url.QueryEscape(name)
		out[i] = Subscription{
			Name: f.Name,
			RSS:  f.RSS, Atom: f.Atom, JSON: f.JSON,
			ICS: ics, Webcal: template.URL(webcal),
			// Google's cid= link fails for calendars it does not host;
			// its add-by-URL page works, with the URL pasted.
			Google:    "https://calendar.google.com/calendar/u/0/r/settings/addbyurl",
			Outlook:   "https://outlook.live.com/calendar/0/addfromweb" + addFromWeb,
			Office365: "https://outlook.office.com/calendar/0/addfromweb" + addFromWeb,
		}
	}
	return out
}

// Talk renders a talk's own page.
func Talk(e *talkfeed.Event, o Options) ([]byte, error) {
	ld, err := eventJSONLD(e, o.DefaultLength)
	if err != nil {
		return nil, err
	}
	ics := ""
	if o.EventICS != nil {
		ics = o.EventICS(e)
	}
	data := map[string]any{
		"Site":    o.Site,
		"Talk":    e,
		"Body":    template.HTML(e.BodyHTML), // sanitized by the loader
		"ICS":     ics,
		"Google":  googleTemplateLink(e, o.DefaultLength),
		"Outlook": outlookComposeLink(e, o.DefaultLength),
		"JSONLD":  template.JS(ld),
		"Feeds":   subscriptions(Options{Site: o.Site, Feeds: o.Feeds[:min(1, len(o.Feeds))]}),
	}
	return render("talk.html", data)
}

func render(name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// googleTemplateLink is Google Calendar's "add this event" link.
func googleTemplateLink(e *talkfeed.Event, d talkfeed.DefaultLength) string {
	start, end := e.Span(d)
	var dates string
	if e.AllDay {
		dates = start.Format("20060102") + "/" + end.Format("20060102")
	} else {
		dates = start.UTC().Format("20060102T150405Z") + "/" + end.UTC().Format("20060102T150405Z")
	}
	q := url.Values{}
	q.Set("action", "TEMPLATE")
	q.Set("text", e.DisplayTitle())
	q.Set("dates", dates)
	q.Set("details", linkDetails(e))
	if loc := location(e); loc != "" {
		q.Set("location", loc)
	}
	if e.TimeZone != "" && !e.AllDay {
		q.Set("ctz", e.TimeZone)
	}
	return "https://calendar.google.com/calendar/render?" + q.Encode()
}

// outlookComposeLink is Outlook.com's "new event" link.
func outlookComposeLink(e *talkfeed.Event, d talkfeed.DefaultLength) string {
	start, end := e.Span(d)
	q := url.Values{}
	q.Set("path", "/calendar/action/compose")
	q.Set("rru", "addevent")
	q.Set("subject", e.DisplayTitle())
	q.Set("body", linkDetails(e))
	if loc := location(e); loc != "" {
		q.Set("location", loc)
	}
	if e.AllDay {
		q.Set("allday", "true")
		q.Set("startdt", start.Format(time.DateOnly))
		q.Set("enddt", end.Format(time.DateOnly))
	} else {
		q.Set("allday", "false")
		q.Set("startdt", start.Format(time.RFC3339))
		q.Set("enddt", end.Format(time.RFC3339))
	}
	return "https://outlook.live.com/calendar/0/deeplink/compose?" + q.Encode()
}

// linkDetails is the event text the calendar links fill in: the summary
// and the page URL.
func linkDetails(e *talkfeed.Event) string {
	return strings.TrimSpace(e.Summary + "\n\n" + e.PageURL)
}

// location is where a calendar should say the talk is: its place, or
// its online URL.
func location(e *talkfeed.Event) string {
	if p := e.Place(); p != "" {
		return p
	}
	return e.OnlineURL
}

// eventJSONLD is the talk as a schema.org Event. encoding/json escapes <,
// > and &, so the result is safe inside a script element.
func eventJSONLD(e *talkfeed.Event, d talkfeed.DefaultLength) ([]byte, error) {
	type thing = map[string]any
	ld := thing{
		"@context": "https://schema.org",
		"@type":    "Event",
		"name":     e.Title,
		"url":      e.PageURL,
	}
	start, end := e.Span(d)
	if e.AllDay {
		// schema.org's end date is the last day, where the span's is the
		// day after.
		end = end.AddDate(0, 0, -1)
	}
	ld["startDate"] = e.Timestamp(start)
	ld["endDate"] = e.Timestamp(end)
	if e.Summary != "" {
		ld["description"] = e.Summary
	}
	switch e.Status {
	case talkfeed.StatusCancelled:
		ld["eventStatus"] = "https://schema.org/EventCancelled"
	case talkfeed.StatusTentative:
		ld["eventStatus"] = "https://schema.org/EventPostponed"
	default:
		ld["eventStatus"] = "https://schema.org/EventScheduled"
	}
	place := location(e)
	online := e.OnlineURL != ""
	physical := place != "" && place != e.OnlineURL && e.Location != "Online"
	var locs []thing
	if physical {
		p := thing{"@type": "Place", "name": cmp.Or(e.Venue, e.Location)}
		if addr := strings.Join(nonEmpty(e.Address, e.Location), ", "); addr != "" {
			p["address"] = addr
		}
		locs = append(locs, p)
	}
	if online {
		locs = append(locs, thing{"@type": "VirtualLocation", "url": e.OnlineURL})
	}
	switch {
	case online && physical:
		ld["eventAttendanceMode"] = "https://schema.org/MixedEventAttendanceMode"
	case online || e.Location == "Online":
		ld["eventAttendanceMode"] = "https://schema.org/OnlineEventAttendanceMode"
	default:
		ld["eventAttendanceMode"] = "https://schema.org/OfflineEventAttendanceMode"
	}
	switch len(locs) {
	case 0:
	case 1:
		ld["location"] = locs[0]
	default:
		ld["location"] = locs
	}
	var performers []thing
	for _, s := range e.Speakers {
		p := thing{"@type": "Person", "name": s.Name}
		if s.URL != "" {
			p["url"] = s.URL
		}
		if s.Affiliation != "" {
			p["worksFor"] = thing{"@type": "Organization", "name": s.Affiliation}
		}
		performers = append(performers, p)
	}
	if len(performers) > 0 {
		ld["performer"] = performers
	}
	if e.ImageURL != "" {
		ld["image"] = []string{e.ImageURL}
	}
	if e.EventName != "" {
		ld["superEvent"] = thing{"@type": "Event", "name": e.EventName}
	}
	return json.Marshal(ld)
}

func nonEmpty(vals ...string) []string {
	var out []string
	for _, v := range vals {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
