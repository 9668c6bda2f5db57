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

	// Published and Updated are the page's own published and updated
	// times; zero when it gives none.
	Published time.Time
	Updated   time.Time
	// Stamp is what the ledger says was published about the talk: its
	// version, announcement and last change. Zero until the ledger
	// stamps it.
	Stamp Stamp

	Source SourceInfo

	// outputKey is OutputKey memoised by Ledger.Stamped: every feed, view
	// and calendar of a reload asks for it, and digesting a talk each time
	// was an eighth of a one-page reload at 10,000 talks. Anything that
	// edits a stamped event gets it again from Stamped.
	outputKey string
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

// Announced is when the talk was announced, for feeds' published dates
// and CREATED: the ledger's announcement; for an event no ledger stamped,
// its page's published time, else its start. Never a file's modification
// time, which changes with every checkout.
func (e *Event) Announced() time.Time {
	if !e.Stamp.Announced.IsZero() {
		return e.Stamp.Announced
	}
	if !e.Published.IsZero() {
		return e.Published
	}
	return e.Start
}

// LastChanged is when the talk last changed for subscribers: the
// ledger's last change; unstamped, its page's updated time, else its
// announcement.
func (e *Event) LastChanged() time.Time {
	if !e.Stamp.Changed.IsZero() {
		return e.Stamp.Changed
	}
	if !e.Updated.IsZero() {
		return e.Updated
	}
	return e.Announced()
}
