// Package talkfeed holds the domain of the talkfeed publisher: the event
// (one talk page), the catalog (every event of one snapshot, in a
// deterministic order) and the filters that every output shares. It does no
// I/O: loaders in source/ produce events, renderers in feeds/ and ical/
// consume them.
package talkfeed

import (
	"time"
)

// Event is one talk, as read from one page.
type Event struct {
	// ID is stable for the life of the talk: the page's path under the
	// source root without its extension ("2018/kafka-meetup"), unless the
	// page sets `uid`, which survives renames.
	ID string

	Title string
	// Summary is plain text: the page's description, or the first
	// paragraph of the body when the page has none.
	Summary string
	// BodyHTML is the rendered Markdown body, sanitized, with every link
	// and image absolute.
	BodyHTML string

	// Start is the first moment of the talk. For an all-day talk it is
	// midnight of its first day in Location (the zone named by TimeZone, or
	// the configured default zone).
	Start time.Time
	// End is zero when the page gives none. For a timed talk it is the
	// instant the talk ends; for an all-day talk it is midnight of its last
	// day (inclusive), so a one-day talk with an explicit end has End ==
	// Start.
	End    time.Time
	AllDay bool
	// TimeZone is the IANA name the talk's times are in. It is empty when
	// the page gave only a UTC offset, so renderers write such times in UTC.
	TimeZone string

	Location string // a free-form place, "Manchester, UK"
	Venue    string
	Address  string
	// OnlineURL is where to join an online or hybrid talk.
	OnlineURL string

	// EventName is the conference or meetup the talk belongs to.
	EventName string
	Category  string
	Tags      []string

	Speakers []Speaker
	// SpeakerText is the speaker field as written, kept because splitting a
	// free-form string into people is a heuristic.
	SpeakerText string

	ImageURL string
	PageURL  string
	Links    Links
	Status   Status

	// Published is when the talk was announced and Updated when its page
	// last changed; zero when the source cannot tell.
	Published time.Time
	Updated   time.Time
	// Revisions counts the commits that changed the page, when the source
	// has a history; 0 otherwise.
	Revisions int

	Source SourceInfo
}

// Speaker is one person presenting a talk.
type Speaker struct {
	Name        string
	Affiliation string
	URL         string
}

// Links are the talk's related resources.
type Links struct {
	Slides       string
	Video        string
	Registration string
}

// SourceInfo says where an event came from, for diagnostics and for
// renderers that derive stable values from the content.
type SourceInfo struct {
	// Path is slash-separated and relative to the source root.
	Path string
	// Hash is the hex SHA-256 of the page's bytes as read.
	Hash    string
	ModTime time.Time
}

// Status is the scheduling state of a talk.
type Status string

const (
	StatusConfirmed Status = "confirmed"
	StatusTentative Status = "tentative"
	StatusCancelled Status = "cancelled"
)

// LastDay returns the date of the talk's last day in its own zone: the end
// date when there is an end, else the start date.
func (e *Event) LastDay() time.Time {
	if e.End.IsZero() {
		return dayOf(e.Start)
	}
	return dayOf(e.End)
}

// Over reports whether the talk has ended at now. A talk without an end is
// over once it has started (timed) or once its day is past (all-day), so a
// talk of today stays listed as upcoming for the whole day.
func (e *Event) Over(now time.Time) bool {
	if e.AllDay {
		return !e.LastDay().AddDate(0, 0, 1).After(now)
	}
	end := e.End
	if end.IsZero() {
		end = e.Start
	}
	return !end.After(now)
}

// UTCDay is midnight UTC of t's day in UTC: the day that day-dependent
// outputs (the subscribe page, upcoming views, the demo's dates) are made
// for, the same on every replica whatever its zone.
func UTCDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// dayOf returns midnight of t's calendar day in t's own location.
func dayOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// Announced is when the talk was announced, for feeds' published dates: the
// page's published time; else the earlier of its start and its file's
// modification time, so that a past talk without a published field is
// dated by its own day on every replica, and a future one is never dated
// in the future (readers hide future items). It never moves while the page
// is unchanged. Zero only when the event has no start.
func (e *Event) Announced() time.Time {
	if !e.Published.IsZero() {
		return e.Published
	}
	if mt := e.Source.ModTime; !mt.IsZero() && mt.Before(e.Start) {
		return mt.Truncate(time.Second)
	}
	return e.Start
}

// LastChanged is when the talk's page last changed: its updated time, else
// when it was announced.
func (e *Event) LastChanged() time.Time {
	if !e.Updated.IsZero() {
		return e.Updated
	}
	return e.Announced()
}
