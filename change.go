package talkfeed

import (
	"time"
)

// ChangeKind names what happened to a talk between two snapshots.
type ChangeKind string

const (
	ChangeNew         ChangeKind = "new"
	ChangeRescheduled ChangeKind = "rescheduled"
	ChangeMoved       ChangeKind = "moved"
	ChangeCancelled   ChangeKind = "cancelled"
	// ChangeRemoved is a talk whose page went away.
	ChangeRemoved ChangeKind = "removed"
)

// Fingerprint is what subscribers care about changing in a talk: its
// time, place and status. Two snapshots are compared by fingerprints, so
// a process that restarts compares against the fingerprints it saved.
type Fingerprint struct {
	Title     string    `json:"title"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end,omitzero"`
	AllDay    bool      `json:"all_day,omitempty"`
	TimeZone  string    `json:"timezone,omitempty"`
	When      string    `json:"when"`
	Place     string    `json:"place,omitempty"`
	EventName string    `json:"event_name,omitempty"`
	Speakers  []string  `json:"speakers,omitempty"`
	OnlineURL string    `json:"online_url,omitempty"`
	Status    Status    `json:"status"`
	Category  string    `json:"category,omitempty"`
}

// FingerprintOf takes a talk's fingerprint.
func FingerprintOf(e *Event) Fingerprint {
	var speakers []string
	for _, s := range e.Speakers {
		speakers = append(speakers, s.Name)
	}
	return Fingerprint{
		Title: e.Title, Start: e.Start.UTC(), End: e.End.UTC(), AllDay: e.AllDay, TimeZone: e.TimeZone,
		When: e.When(), Place: e.Place(), EventName: e.EventName, Speakers: speakers,
		OnlineURL: e.OnlineURL, Status: e.Status, Category: e.Category,
	}
}

// AsEvent is the talk a fingerprint describes, as an event with the
// given ID: what a change item or a removal's tombstone shows.
func (fp *Fingerprint) AsEvent(id string) Event {
	loc := time.UTC
	if fp.TimeZone != "" {
		if l, err := LoadZone(fp.TimeZone); err == nil {
			loc = l
		}
	}
	e := Event{
		ID:        id,
		Title:     fp.Title,
		Start:     fp.Start.In(loc),
		AllDay:    fp.AllDay,
		TimeZone:  fp.TimeZone,
		Location:  fp.Place,
		EventName: fp.EventName,
		OnlineURL: fp.OnlineURL,
		Category:  fp.Category,
		Status:    fp.Status,
	}
	if !fp.End.IsZero() {
		e.End = fp.End.In(loc)
	}
	for _, s := range fp.Speakers {
		e.Speakers = append(e.Speakers, Speaker{Name: s})
	}
	return e
}

// Change is one thing that happened to a talk.
type Change struct {
	Kind ChangeKind `json:"kind"`
	// At is when the change was seen (the reload's time).
	At time.Time `json:"at"`
	// ID is the talk's; Talk is the talk after the change.
	ID     string      `json:"id"`
	Talk   Fingerprint `json:"talk"`
	Before Fingerprint `json:"before,omitzero"`
	// PageURL is the talk's page.
	PageURL string `json:"page_url"`
}

// ChangeTitles prefix a talk's title in a change feed.
var changeTitles = map[ChangeKind]string{
	ChangeNew: "New: ", ChangeRescheduled: "Rescheduled: ", ChangeMoved: "Moved: ", ChangeCancelled: "Cancelled: ", ChangeRemoved: "Removed: ",
}

// Key names a change: its talk, its kind and its moment.
func (c *Change) Key() string {
	return "change/" + c.ID + "/" + string(c.Kind) + "/" + c.At.UTC().Format("20060102T150405Z")
}

// AsEvent presents a change as an event of its own, for the change feed:
// its title says what happened, it is dated when it was seen, and its ID
// names the talk, the kind and the moment, so each change is one item.
func (c *Change) AsEvent() Event {
	e := c.Talk.AsEvent(c.Key())
	e.Title = changeTitles[c.Kind] + c.Talk.Title
	e.PageURL = c.PageURL
	e.Status = StatusConfirmed
	e.Published, e.Updated = c.At, c.At
	e.Stamp = Stamp{Announced: c.At, Changed: c.At}
	switch c.Kind {
	case ChangeNew:
		e.Summary = "A new talk."
	case ChangeCancelled:
		e.Summary = "This talk is cancelled."
	case ChangeRemoved:
		e.Summary = "This talk was removed from the site."
	case ChangeRescheduled:
		e.Summary = "Rescheduled; it was " + c.Before.When + "."
	case ChangeMoved:
		was := c.Before.Place
		if was == "" {
			was = "online"
		}
		e.Summary = "Moved; it was at " + was + "."
	}
	return e
}
