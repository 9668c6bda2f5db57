package talkfeed

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Catalog is every event of one snapshot, ordered by start time and then
// by ID, so that the same content always lists in the same order.
type Catalog struct {
	events []Event
	byID   map[string]int
	// facets are each event's values as filters compare them, made once
	// (slugs are costly: a reload filed 10,000 talks into each category
	// by slugging every talk's category once per category).
	facetsOnce sync.Once
	facets     []facets
	// Categories are wanted by every reload, the other facets only by
	// filtered views: they are made apart.
	categoriesOnce sync.Once
	categorySlugs  []string // each event's, "" for none
	categories     []string
	byCategory     map[string][]Event
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

// facets are an event's values as a filter compares them: slugs, with
// the empty ones left out.
type facets struct {
	category, eventName string
	tags, speakers      []string
}

// slugger slugs text, each distinct text once.
type slugger map[string]string

func (s slugger) slug(text string) string {
	if v, ok := s[text]; ok {
		return v
	}
	v := Slug(text)
	if s != nil {
		s[text] = v
	}
	return v
}

func (s slugger) slugs(texts []string) []string {
	var out []string
	for _, t := range texts {
		if v := s.slug(t); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func facetsOf(e *Event, s slugger, category string) facets {
	fx := facets{category: category, eventName: s.slug(e.EventName), tags: s.slugs(e.Tags)}
	for _, sp := range e.Speakers {
		if v := s.slug(sp.Name); v != "" {
			fx.speakers = append(fx.speakers, v)
		}
	}
	return fx
}

// category is an event's category slug (CategorySlug), "" for none;
// kept apart from the slugs of the same text, which may differ.
func (s slugger) category(e *Event) string {
	if e.Category == "" {
		return ""
	}
	key := "\x00" + e.Category
	if v, ok := s[key]; ok {
		return v
	}
	v := CategorySlug(e.Category)
	if s != nil {
		s[key] = v
	}
	return v
}

func (c *Catalog) indexCategories() {
	c.categoriesOnce.Do(func() {
		s := slugger{}
		c.categorySlugs = make([]string, len(c.events))
		c.byCategory = map[string][]Event{}
		first := map[string]string{}
		for i := range c.events {
			slug := s.category(&c.events[i])
			c.categorySlugs[i] = slug
			if slug == "" {
				continue
			}
			if first[slug] == "" {
				first[slug] = c.events[i].Category
			}
			c.byCategory[slug] = append(c.byCategory[slug], c.events[i])
		}
		for _, slug := range slices.Sorted(maps.Keys(first)) {
			c.categories = append(c.categories, first[slug])
		}
	})
}

func (c *Catalog) index() []facets {
	c.indexCategories()
	c.facetsOnce.Do(func() {
		s := slugger{}
		c.facets = make([]facets, len(c.events))
		for i := range c.events {
			c.facets[i] = facetsOf(&c.events[i], s, c.categorySlugs[i])
		}
	})
	return c.facets
}

// InCategory returns the events of a category (by slug, as a filter
// matches it), in canonical order. Callers must not modify the slice.
func (c *Catalog) InCategory(category string) []Event {
	c.indexCategories()
	return c.byCategory[CategorySlug(category)]
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
// spelled as on its first event in canonical order. Callers must not
// modify the slice.
func (c *Catalog) Categories() []string {
	c.indexCategories()
	return c.categories
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
	fxs := c.index()
	w := f.wanted()
	var out []Event
	for i := range c.events {
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
		if f.match(&c.events[i], &fxs[i], &w) {
			out = append(out, c.events[i])
		}
	}
	return out
}

// Match reports whether f selects e.
func (f Filter) Match(e *Event) bool {
	fx := facetsOf(e, nil, slugger(nil).category(e))
	w := f.wanted()
	return f.match(e, &fx, &w)
}

// wanted are a filter's values as slugs, made once per Apply.
type wanted struct {
	categories, tags, speakers, eventNames []string
}

func (f Filter) wanted() wanted {
	w := wanted{tags: slugger(nil).slugs(f.Tags), speakers: slugger(nil).slugs(f.Speakers), eventNames: slugger(nil).slugs(f.EventNames)}
	for _, c := range f.Categories {
		w.categories = append(w.categories, CategorySlug(c))
	}
	return w
}

// match is Match with e's facets and f's wanted slugs made.
func (f Filter) match(e *Event, fx *facets, w *wanted) bool {
	if len(f.Categories) > 0 && (fx.category == "" || !slices.Contains(w.categories, fx.category)) {
		return false
	}
	if len(f.Tags) > 0 && !anyOf(w.tags, fx.tags...) {
		return false
	}
	if len(f.EventNames) > 0 && !anyOf(w.eventNames, fx.eventName) {
		return false
	}
	if len(f.Speakers) > 0 && !anyOf(w.speakers, fx.speakers...) {
		return false
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

// anyOf reports whether any slug in have is wanted ("" never is).
func anyOf(wanted []string, have ...string) bool {
	for _, h := range have {
		if h != "" && slices.Contains(wanted, h) {
			return true
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
