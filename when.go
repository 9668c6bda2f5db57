package talkfeed

import (
	"fmt"
	"strings"
	"time"
)

// When describes the talk's date and time for people, in the talk's own
// zone: "28 March 2018", "10–12 March 2027", "17 September 2026,
// 18:30–20:00 CEST".
func (e *Event) When() string {
	const day = "2 January 2006"
	if e.AllDay {
		first, last := e.Start, e.LastDay()
		switch {
		case !last.After(first):
			return first.Format(day)
		case first.Year() != last.Year():
			return first.Format(day) + " – " + last.Format(day)
		case first.Month() != last.Month():
			return first.Format("2 January") + " – " + last.Format(day)
		}
		return fmt.Sprintf("%d–%s", first.Day(), last.Format(day))
	}
	start := e.Start
	s := start.Format(day) + ", " + start.Format("15:04")
	if e.End.IsZero() {
		return s + " " + zoneLabel(start)
	}
	end := e.End.In(start.Location())
	if y, m, d := end.Date(); y == start.Year() && m == start.Month() && d == start.Day() {
		return s + "–" + end.Format("15:04") + " " + zoneLabel(start)
	}
	return s + " " + zoneLabel(start) + " – " + end.Format(day) + ", " + end.Format("15:04") + " " + zoneLabel(end)
}

// zoneLabel is the zone's abbreviation when it has a real one (CEST, PST),
// else its offset (UTC+05:30), as Go's database spells some zones "+0530".
func zoneLabel(t time.Time) string {
	name, off := t.Zone()
	if name != "" && strings.IndexFunc(name, func(r rune) bool { return (r < 'A' || r > 'Z') }) < 0 {
		return name
	}
	if off == 0 {
		return "UTC"
	}
	return "UTC" + t.Format("-07:00")
}

// Where joins the talk's venue, location and event name for people:
// "Manchester, UK · Manchester Apache Kafka® Meetup".
func (e *Event) Where() string {
	var parts []string
	for _, p := range []string{e.Venue, e.Location, e.EventName} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " · ")
}

// Place joins the venue, address and location: where to go.
func (e *Event) Place() string {
	var parts []string
	for _, p := range []string{e.Venue, e.Address, e.Location} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// Label names a speaker with their affiliation: "Matt Jarvis (Mesosphere)".
func (s Speaker) Label() string {
	if s.Affiliation != "" {
		return s.Name + " (" + s.Affiliation + ")"
	}
	return s.Name
}

// JoinNames names several people in one phrase, in the order given: "Jane
// Doe", "Jane Doe and John Roe", "Jane Doe, John Roe and Ann Poe". Empty
// names are skipped. It is the one rule for every output that names a
// talk's speakers in a single string, because many readers show only one
// author: the last dc:creator (feedparser, newsboat) or the first Atom
// author (feedparser, gofeed).
func JoinNames(names []string) string {
	var ns []string
	for _, n := range names {
		if n != "" {
			ns = append(ns, n)
		}
	}
	switch len(ns) {
	case 0:
		return ""
	case 1:
		return ns[0]
	}
	return strings.Join(ns[:len(ns)-1], ", ") + " and " + ns[len(ns)-1]
}
