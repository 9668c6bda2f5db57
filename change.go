package talkfeed

import (
	"slices"
	"time"
)

// ChangeKind names what happened to a talk between two snapshots.
type ChangeKind string

const (
	ChangeNew         ChangeKind = "new"
	ChangeRescheduled ChangeKind = "rescheduled"
	ChangeMoved       ChangeKind = "moved"
	ChangeCancelled   ChangeKind = "cancelled"
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

// Fingerprints takes the fingerprint of every talk of a catalog, by ID.
func Fingerprints(c *Catalog) map[string]Fingerprint {
	out := make(map[string]Fingerprint, c.Len())
	for i := range c.events {
		out[c.events[i].ID] = FingerprintOf(&c.events[i])
	}
	return out
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

// Diff lists what changed from the fingerprints before to the catalog
// now, in catalog order: new talks, cancellations, new times and new
// places. A talk can change in several ways at once; each is a change. A
// talk that disappeared is not a change subscribers are told about.
func Diff(before map[string]Fingerprint, now *Catalog, at time.Time) []Change {
	var out []Change
	for i := range now.events {
		e := &now.events[i]
		fp := FingerprintOf(e)
		old, known := before[e.ID]
		add := func(k ChangeKind) {
			c := Change{Kind: k, At: at, ID: e.ID, Talk: fp, PageURL: e.PageURL}
			if known {
				c.Before = old
			}
			out = append(out, c)
		}
		if !known {
			add(ChangeNew)
			continue
		}
		if fp.Status == StatusCancelled && old.Status != StatusCancelled {
			add(ChangeCancelled)
		}
		if !fp.Start.Equal(old.Start) || !fp.End.Equal(old.End) || fp.AllDay != old.AllDay {
			add(ChangeRescheduled)
		}
		if fp.Place != old.Place || fp.OnlineURL != old.OnlineURL {
			add(ChangeMoved)
		}
	}
	return slices.Clip(out)
}

// ChangeTitles prefix a talk's title in a change feed.
var changeTitles = map[ChangeKind]string{
	ChangeNew: "New: ", ChangeRescheduled: "Rescheduled: ", ChangeMoved: "Moved: ", ChangeCancelled: "Cancelled: ",
}

// AsEvent presents a change as an event of its own, for the change feed:
// its title says what happened, it is dated when it was seen, and its ID
// names the talk, the kind and the moment, so each change is one item.
func (c *Change) AsEvent() Event {
	loc := time.UTC
	if c.Talk.TimeZone != "" {
		if l, err := time.LoadLocation(c.Talk.TimeZone); err == nil {
			loc = l
		}
	}
	e := Event{
		ID:        "change/" + c.ID + "/" + string(c.Kind) + "/" + c.At.UTC().Format("20060102T150405Z"),
		Title:     changeTitles[c.Kind] + c.Talk.Title,
		Start:     c.Talk.Start.In(loc),
		AllDay:    c.Talk.AllDay,
		TimeZone:  c.Talk.TimeZone,
		Location:  c.Talk.Place,
		EventName: c.Talk.EventName,
		OnlineURL: c.Talk.OnlineURL,
		Category:  c.Talk.Category,
		PageURL:   c.PageURL,
		Status:    StatusConfirmed,
		Published: c.At,
		Updated:   c.At,
	}
	if !c.Talk.End.IsZero() {
		e.End = c.Talk.End.In(loc)
	}
	for _, s := range c.Talk.Speakers {
		e.Speakers = append(e.Speakers, Speaker{Name: s})
	}
	switch c.Kind {
	case ChangeNew:
		e.Summary = "A new talk."
	case ChangeCancelled:
		e.Summary = "This talk is cancelled."
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
