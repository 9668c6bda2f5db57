// Package ical renders talks as iCalendar (RFC 5545, with RFC 7986's
// calendar properties) for calendar apps to subscribe to.
//
// It builds the calendar with github.com/arran4/golang-ical and adds what
// that library lacks: VTIMEZONEs with real observances, CRLF line ends
// (its Linux default is LF), carriage returns normalised before its TEXT
// escaping (which leaves them raw), and one CATEGORIES property per value
// (it would escape the commas of a list).
package ical

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/k3a/html2text"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/internal/generation"
	"github.com/talkfeed/talkfeed/internal/gzjoin"
)

// Options are what every calendar of a site shares.
type Options struct {
	Site talkfeed.Site
	// Version names the software in PRODID.
	Version string
	// Refresh is how often subscribers should fetch again (the reload
	// interval): REFRESH-INTERVAL and X-PUBLISHED-TTL.
	Refresh time.Duration
	// DefaultLength is a talk's length when its page gives no end.
	DefaultLength talkfeed.DefaultLength
	// Kept, when set, keeps each talk's rendered parts across calendars.
	Kept *Kept
}

// View is one calendar: a selection of talks at a URL.
type View struct {
	// SelfURL is the calendar's own absolute URL.
	SelfURL     string
	Name        string
	Description string
	Events      []talkfeed.Event
}

const (
	dateTimeUTC   = "20060102T150405Z"
	dateTimeLocal = "20060102T150405"
	dateOnly      = "20060102"
)

// Calendar renders the view as an iCalendar document.
func Calendar(v View, o Options) ([]byte, error) {
	b, _, err := calendar(v, o, false)
	return b, err
}

// CalendarGzip renders the view as Calendar does, and its gzip form put
// together from its events' compressed pieces (gzjoin), each compressed
// once while Kept keeps it.
func CalendarGzip(v View, o Options) (body, gz []byte, err error) { return calendar(v, o, true) }

func calendar(v View, o Options, gz bool) ([]byte, []byte, error) {
	cal := ics.NewCalendarFor("talkfeed")
	cal.SetProductId("-//talkfeed//talkfeed " + cmp.Or(o.Version, "dev") + "//EN")
	cal.SetCalscale("GREGORIAN")
	cal.SetMethod(ics.MethodPublish)
	name := oneLine(v.Name)
	cal.SetName(name)
	cal.SetXWRCalName(name)
	if d := oneLine(v.Description); d != "" {
		cal.SetDescription(d)
		cal.SetXWRCalDesc(d)
	}
	if zone := mainZone(v.Events); zone != "" {
		cal.SetXWRTimezone(zone)
	}
	if v.SelfURL != "" {
		cal.CalendarProperties = append(cal.CalendarProperties, ics.CalendarProperty{BaseProperty: ics.BaseProperty{
			IANAToken: "SOURCE", Value: v.SelfURL, ICalParameters: map[string][]string{"VALUE": {"URI"}},
		}})
	}
	refresh := cmp.Or(o.Refresh, 5*time.Minute)
	cal.SetRefreshInterval(duration(refresh)) // with VALUE=DURATION
	cal.SetXPublishedTTL(duration(refresh))

	for _, tz := range timezones(v.Events) {
		cal.AddVTimezone(tz)
	}
	host := o.Site.Host()
	// The calendar without its events, then each event's text (rendered
	// once per talk, Kept) before END:VCALENDAR: the bytes Serialize
	// gives the whole calendar. (golang-ical serializes components one
	// by one in this order; this layer puts text already serialized in.)
	head := cal.Serialize(ics.WithNewLineWindows)
	end := "END:VCALENDAR" + string(ics.WithNewLineWindows)
	texts := make([]*keptEvent, len(v.Events))
	n := len(head)
	for i := range v.Events {
		e := &v.Events[i]
		texts[i] = keptVEVENT(o.Kept, e, func() string { return newEvent(e, host, o).Serialize(serialization) })
		n += len(texts[i].text)
	}
	out := make([]byte, 0, n)
	out = append(out, head[:len(head)-len(end)]...)
	for _, t := range texts {
		out = append(out, t.text...)
	}
	out = append(out, end...)
	if !gz {
		return out, nil, nil
	}
	pieces := make([][]byte, 0, len(texts)+2)
	pieces = append(pieces, gzjoin.Piece([]byte(head[:len(head)-len(end)])))
	for _, t := range texts {
		pieces = append(pieces, t.gz())
	}
	pieces = append(pieces, gzjoin.Piece([]byte(end)))
	return out, gzjoin.Join(out, pieces), nil
}

// serialization is the form Calendar writes: CRLF lines folded at 75
// octets, as Serialize(ics.WithNewLineWindows) does.
var serialization = &ics.SerializationConfiguration{MaxLength: 75, PropertyMaxLength: 75, NewLine: string(ics.WithNewLineWindows)}

// UID is a talk's iCalendar UID: its ID at the site's host, stable across
// edits, and across renames when the page sets `uid`.
func UID(id, host string) string { return id + "@" + host }

// newEvent is the talk's VEVENT.
func newEvent(e *talkfeed.Event, host string, o Options) *ics.VEvent {
	ev := ics.NewEvent(UID(e.ID, host))
	created := e.Announced().UTC()
	modified := e.LastChanged().UTC()
	if modified.Before(created) {
		modified = created
	}
	// Deterministic: from the content, never the clock at render time.
	ev.SetProperty(ics.ComponentPropertyDtstamp, modified.Format(dateTimeUTC))
	ev.SetProperty(ics.ComponentPropertyCreated, created.Format(dateTimeUTC))
	ev.SetProperty(ics.ComponentPropertyLastModified, modified.Format(dateTimeUTC))
	ev.SetSequence(Sequence(e))

	start, end := e.Span(o.DefaultLength)
	if e.AllDay {
		ev.SetProperty(ics.ComponentPropertyDtStart, start.Format(dateOnly), ics.WithValue("DATE"))
		ev.SetProperty(ics.ComponentPropertyDtEnd, end.Format(dateOnly), ics.WithValue("DATE"))
	} else {
		tzid := zoneID(e)
		setTime(ev, ics.ComponentPropertyDtStart, start, tzid)
		setTime(ev, ics.ComponentPropertyDtEnd, end, tzid)
	}

	ev.SetSummary(text(e.DisplayTitle()))
	ev.SetDescription(description(e, o))
	if loc := text(e.Place()); loc != "" {
		ev.SetLocation(loc)
	}
	if e.PageURL != "" {
		ev.SetURL(e.PageURL)
	}
	for _, c := range e.Categories() {
		ev.AddProperty(ics.ComponentPropertyCategories, oneLine(c))
	}
	switch e.Status {
	case talkfeed.StatusCancelled:
		ev.SetStatus(ics.ObjectStatusCancelled)
	case talkfeed.StatusTentative:
		ev.SetStatus(ics.ObjectStatusTentative)
	default:
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}
	// Subscribed talks are information, not commitments: they must not
	// make the subscriber look busy.
	ev.SetProperty(ics.ComponentPropertyTransp, "TRANSPARENT")
	if e.ImageURL != "" {
		ev.AddProperty(ics.ComponentProperty("IMAGE"), e.ImageURL, ics.WithValue("URI"), &ics.KeyValues{Key: "DISPLAY", Value: []string{"BADGE"}})
	}
	if e.OnlineURL != "" {
		ev.AddProperty(ics.ComponentProperty("CONFERENCE"), e.OnlineURL, ics.WithValue("URI"),
			&ics.KeyValues{Key: "FEATURE", Value: []string{"AUDIO", "VIDEO"}},
			&ics.KeyValues{Key: "LABEL", Value: []string{"Join online"}})
	}
	return ev
}

// setTime writes a timed DTSTART or DTEND as local time with its TZID, or
// in UTC when there is no zone or when the local time would name another
// instant: the second 01:30 of a fall-back night reads, by RFC 5545, as
// the first.
func setTime(ev *ics.VEvent, prop ics.ComponentProperty, t time.Time, tzid string) {
	if tzid != "" {
		y, m, d := t.Date()
		if time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), 0, t.Location()).Equal(t.Truncate(time.Second)) {
			ev.SetProperty(prop, t.Format(dateTimeLocal), ics.WithTZID(tzid))
			return
		}
	}
	ev.SetProperty(prop, t.UTC().Format(dateTimeUTC))
}

// Sequence is the talk's SEQUENCE: its version in the ledger, which
// rises by one on every change subscribers can see and never falls, so
// that calendar apps (Google's among them) take the update.
func Sequence(e *talkfeed.Event) int { return e.Stamp.Version }

// zoneID is the TZID for a timed talk, or "" to write it in UTC: a talk
// with only an offset, or in UTC itself.
func zoneID(e *talkfeed.Event) string {
	if e.TimeZone == "" || e.TimeZone == "UTC" || e.TimeZone == "Etc/UTC" {
		return ""
	}
	return e.TimeZone
}

// timezones returns a VTIMEZONE for every zone the timed talks use,
// covering the years they span, in name order.
func timezones(events []talkfeed.Event) []*ics.VTimezone {
	type span struct {
		loc      *time.Location
		from, to time.Time
	}
	spans := map[string]*span{}
	for i := range events {
		e := &events[i]
		id := zoneID(e)
		if e.AllDay || id == "" {
			continue
		}
		first := time.Date(e.Start.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		last := time.Date(max(e.Start.Year(), e.End.Year())+1, 1, 1, 0, 0, 0, 0, time.UTC)
		s, ok := spans[id]
		if !ok {
			spans[id] = &span{loc: e.Start.Location(), from: first, to: last}
			continue
		}
		s.from, s.to = minTime(s.from, first), maxTime(s.to, last)
	}
	ids := make([]string, 0, len(spans))
	for id := range spans {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]*ics.VTimezone, len(ids))
	for i, id := range ids {
		s := spans[id]
		out[i] = vtimezone(s.loc, s.from, s.to)
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// mainZone is the zone most of the timed talks use (ties: the first by
// name), for X-WR-TIMEZONE.
func mainZone(events []talkfeed.Event) string {
	counts := map[string]int{}
	for i := range events {
		if id := zoneID(&events[i]); id != "" && !events[i].AllDay {
			counts[id]++
		}
	}
	best, n := "", 0
	for id, c := range counts {
		if c > n || (c == n && id < best) {
			best, n = id, c
		}
	}
	return best
}

// description is the talk as plain text: speakers, event, summary, the
// abstract, links and the page URL. Calendar apps show DESCRIPTION as
// text, so HTML never reaches it.
func description(e *talkfeed.Event, o Options) string {
	var parts []string
	if len(e.Speakers) > 0 {
		names := make([]string, len(e.Speakers))
		for i, s := range e.Speakers {
			names[i] = s.Label()
		}
		parts = append(parts, "Speakers: "+strings.Join(names, ", "))
	}
	if e.EventName != "" {
		parts = append(parts, "Event: "+e.EventName)
	}
	if note := e.Status.Note(); note != "" {
		parts = append(parts, note)
	}
	if e.Summary != "" {
		parts = append(parts, e.Summary)
	}
	if e.BodyHTML != "" {
		body := keptText(o.Kept, e.BodyHTML)
		if body != "" && body != e.Summary {
			parts = append(parts, body)
		}
	}
	for _, l := range []struct{ label, url string }{
		{"Join online", e.OnlineURL}, {"Slides", e.Links.Slides}, {"Video", e.Links.Video}, {"Registration", e.Links.Registration},
	} {
		if l.url != "" {
			parts = append(parts, l.label+": "+l.url)
		}
	}
	if e.PageURL != "" {
		parts = append(parts, e.PageURL)
	}
	return text(strings.Join(parts, "\n\n"))
}

// Kept keeps what a calendar is made of talk by talk: each talk's VEVENT
// text and the plain text of its body (the costliest part to render), so
// that a talk in many calendars (all talks, its category, its own,
// filtered views) and in the next reload's calendars is rendered once.
// Each generation keeps only what was asked for since the one before it
// was made, so it never grows past the talks of two snapshots. A talk's
// VEVENT depends on the Options too: a generation must only follow one
// made with the same Options. Safe for concurrent use; a nil Kept
// renders everything every time.
type Kept = generation.Cache[*keptEvent]

// keptEvent is a text kept: a VEVENT as serialized, or a body's text;
// and, for a VEVENT, once a calendar's gzip form asks for it, its
// compressed piece (gzjoin).
type keptEvent struct {
	text  string
	once  sync.Once
	piece []byte
}

func (k *keptEvent) gz() []byte {
	k.once.Do(func() { k.piece = gzjoin.Piece([]byte(k.text)) })
	return k.piece
}

// NewKept starts a generation that takes what prev has (nil for none).
func NewKept(prev *Kept) *Kept { return generation.Next(prev) }

func kept(k *Kept, key func() string, render func() string) *keptEvent {
	mk := func() (*keptEvent, error) { return &keptEvent{text: render()}, nil }
	if k == nil {
		t, _ := mk()
		return t
	}
	t, _ := k.Get(key(), mk)
	return t
}

// keptText is a body's plain text.
func keptText(k *Kept, html string) string {
	return kept(k, func() string { return "body\x00" + html }, func() string { return bodyText(html) }).text
}

// keptVEVENT keys a talk's VEVENT by everything it is made of: its
// content and the ledger's stamp.
func keptVEVENT(k *Kept, e *talkfeed.Event, render func() string) *keptEvent {
	return kept(k, func() string { return "vevent\x00" + talkfeed.OutputKey(e) }, render)
}

func bodyText(html string) string {
	return tidyText(html2text.HTML2TextWithOptions(html, html2text.WithUnixLineBreaks(), html2text.WithListSupport()))
}

// tidyText trims each line and keeps at most one blank line between
// paragraphs.
func tidyText(s string) string {
	var out []string
	blank := false
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// text normalises a TEXT value before golang-ical escapes it: carriage
// returns become newlines (it would leave them raw, which breaks the
// line), and other control characters go.
func text(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// oneLine is text for single-line values (SUMMARY, LOCATION): newlines
// become spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(text(s)), " ")
}

// duration formats a positive duration as RFC 5545's dur-value, PT1H30M.
func duration(d time.Duration) string {
	if d <= 0 {
		return "PT0S"
	}
	var b strings.Builder
	b.WriteString("P")
	if days := d / (24 * time.Hour); days > 0 && d%(24*time.Hour) == 0 {
		fmt.Fprintf(&b, "%dD", days)
		return b.String()
	}
	b.WriteString("T")
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		fmt.Fprintf(&b, "%dH", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dM", m)
	}
	if s > 0 || (h == 0 && m == 0) {
		fmt.Fprintf(&b, "%dS", s)
	}
	return b.String()
}
