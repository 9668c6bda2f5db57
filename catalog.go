package talkfeed

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Catalog is every event of one snapshot, ordered by start time and then
// by ID, so that the same content always lists in the same order.
type Catalog struct {
	events []Event
	byID   map[string]int
}

// NewCatalog copies events into a catalog in its canonical order.
func NewCatalog(events []Event) *Catalog {
	es := slices.Clone(events)
	slices.SortStableFunc(es, compareEvents)
	byID := make(map[string]int, len(es))
	for i, e := range es {
		if _, dup := byID[e.ID]; !dup {
			byID[e.ID] = i
		}
	}
	return &Catalog{events: es, byID: byID}
}

func compareEvents(a, b Event) int {
	return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID))
}

// Events returns the events in canonical order. Callers must not modify
// the slice.
func (c *Catalog) Events() []Event { return c.events }

// Len is the number of events.
func (c *Catalog) Len() int { return len(c.events) }

// Event returns the event with the given ID.
func (c *Catalog) Event(id string) (Event, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Event{}, false
	}
	return c.events[i], true
}

// Categories returns the distinct categories, ordered by slug, each
// spelled as on its first event in canonical order.
func (c *Catalog) Categories() []string {
	seen := map[string]string{}
	for _, e := range c.events {
		if e.Category == "" {
			continue
		}
		if s := CategorySlug(e.Category); seen[s] == "" {
			seen[s] = e.Category
		}
	}
	slugs := make([]string, 0, len(seen))
	for s := range seen {
		slugs = append(slugs, s)
	}
	slices.Sort(slugs)
	out := make([]string, len(slugs))
	for i, s := range slugs {
		out[i] = seen[s]
	}
	return out
}

// Filter selects events. Within one field the values are alternatives (any
// may match); across fields all must match. The zero Filter selects all.
type Filter struct {
	// Categories, Tags, Speakers and EventNames match by slug, so
	// "Fast Data", "fast-data" and "FAST DATA" are one value.
	Categories []string
	Tags       []string
	Speakers   []string
	EventNames []string
	// Locations match as a case-insensitive substring of the location,
	// venue or address, so "London" selects "London, UK".
	Locations []string
	// Upcoming keeps talks not yet over at Now.
	Upcoming bool
	Now      time.Time
	// From and To bound the talk's days: a talk is kept when it is not over
	// before From and starts before To. Zero means unbounded.
	From, To time.Time
	// Limit keeps the first Limit events of the result; 0 means no limit.
	Limit int
}

// Apply returns the events of c that f selects, in canonical order.
func (f Filter) Apply(c *Catalog) []Event {
	var out []Event
	for i := range c.events {
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
		if f.Match(&c.events[i]) {
			out = append(out, c.events[i])
		}
	}
	return out
}

// Match reports whether f selects e.
func (f Filter) Match(e *Event) bool {
	if len(f.Categories) > 0 && !slices.ContainsFunc(f.Categories, func(c string) bool { return e.Category != "" && CategorySlug(c) == CategorySlug(e.Category) }) {
		return false
	}
	if len(f.Tags) > 0 && !anySlug(f.Tags, e.Tags...) {
		return false
	}
	if len(f.EventNames) > 0 && !anySlug(f.EventNames, e.EventName) {
		return false
	}
	if len(f.Speakers) > 0 {
		names := make([]string, len(e.Speakers))
		for i, s := range e.Speakers {
			names[i] = s.Name
		}
		if !anySlug(f.Speakers, names...) {
			return false
		}
	}
	if len(f.Locations) > 0 && !anySubstring(f.Locations, e.Location, e.Venue, e.Address) {
		return false
	}
	if f.Upcoming && e.Over(f.Now) {
		return false
	}
	if !f.From.IsZero() && e.Over(f.From) {
		return false
	}
	if !f.To.IsZero() && !e.Start.Before(f.To) {
		return false
	}
	return true
}

func anySlug(wanted []string, have ...string) bool {
	for _, h := range have {
		hs := Slug(h)
		if hs == "" {
			continue
		}
		for _, w := range wanted {
			if Slug(w) == hs {
				return true
			}
		}
	}
	return false
}

func anySubstring(wanted []string, have ...string) bool {
	for _, h := range have {
		h = strings.ToLower(h)
		for _, w := range wanted {
			if w = strings.ToLower(strings.TrimSpace(w)); w != "" && strings.Contains(h, w) {
				return true
			}
		}
	}
	return false
}
