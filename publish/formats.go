package publish

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/feeds"
	"github.com/talkfeed/talkfeed/ical"
	"github.com/talkfeed/talkfeed/pages"
)

// Content types of the outputs, each with its charset.
const (
	TypeRSS  = "application/rss+xml; charset=utf-8"
	TypeAtom = "application/atom+xml; charset=utf-8"
	TypeJSON = "application/feed+json; charset=utf-8"
	TypeICS  = "text/calendar; charset=utf-8"
	TypeHTML = "text/html; charset=utf-8"
)

// Format is one output of every view: its file in a view folder, its
// content type and its renderer.
type Format struct {
	// Name is the file in a view folder: "feed.rss".
	Name        string
	ContentType string
	// Feed is true for the feeds (WebSub topics, whose limit keeps the
	// newest-announced items), false for the calendar (whose limit keeps
	// the earliest talks).
	Feed bool
	// render gives the view's bytes, and, with gz, its gzip form put
	// together from its items' compressed pieces (lazy trees serve it
	// until the whole is compressed).
	render func(r *renderer, v view, gz bool) (body, gzip []byte, err error)
}

// Ext is the format's file extension: "rss".
func (f *Format) Ext() string { return strings.TrimPrefix(path.Ext(f.Name), ".") }

// formats are the outputs of every view folder, in the order they are
// rendered.
var formats = []*Format{
	{Name: "feed.rss", ContentType: TypeRSS, Feed: true, render: feedRender(feeds.RSS, feeds.RSSGzip)},
	{Name: "feed.atom", ContentType: TypeAtom, Feed: true, render: feedRender(feeds.Atom, feeds.AtomGzip)},
	{Name: "feed.json", ContentType: TypeJSON, Feed: true, render: feedRender(feeds.JSON, feeds.JSONGzip)},
	{Name: "calendar.ics", ContentType: TypeICS, render: func(r *renderer, v view, gz bool) ([]byte, []byte, error) {
		cv := ical.View{SelfURL: v.self, Name: v.title, Description: v.description, Events: v.calendarEvents()}
		return withGzip(cv, r.co, gz, ical.Calendar, ical.CalendarGzip)
	}},
}

// feedRender renders a view as one feed format, plain or with its gzip.
func feedRender(plain func(feeds.View, feeds.Options) ([]byte, error), gzipped func(feeds.View, feeds.Options) ([]byte, []byte, error)) func(*renderer, view, bool) ([]byte, []byte, error) {
	return func(r *renderer, v view, gz bool) ([]byte, []byte, error) {
		return withGzip(r.feedView(v), r.feedOptions(v), gz, plain, gzipped)
	}
}

// withGzip calls gzipped when the gzip form is asked for, else plain.
func withGzip[V, O any](v V, o O, gz bool, plain func(V, O) ([]byte, error), gzipped func(V, O) ([]byte, []byte, error)) ([]byte, []byte, error) {
	if gz {
		return gzipped(v, o)
	}
	b, err := plain(v, o)
	return b, nil, err
}

// formatNamed returns the format whose view file is name.
func formatNamed(name string) (*Format, bool) {
	for _, f := range formats {
		if f.Name == name {
			return f, true
		}
	}
	return nil, false
}

// IsViewFile reports whether name is one of a view folder's outputs.
func IsViewFile(name string) bool { _, ok := formatNamed(name); return ok }

// view is one selection of talks to render in a format: a view folder's
// (all talks, a category's), a filtered view's, or the change feed's.
type view struct {
	// file is where the view's output in a format is published.
	file        func(*Format) string
	title       string
	description string
	// query is the canonical query of a filtered view, "" for a plain
	// one: it goes into the self link.
	query  string
	events []talkfeed.Event
	// limit keeps a feed's newest-announced items; 0 keeps all. (A
	// calendar's limit is applied by its filter.)
	limit int
	// tombstones are removed talks the view's calendar cancels.
	tombstones []talkfeed.Event
	// updated dates a feed with no items.
	updated time.Time
	// noEventICS leaves JSON Feed's `_event.ics_url` out: the change
	// feed's items are changes, not talks, and have no calendar of
	// their own (their ID would name a 404).
	noEventICS bool
	// self is the output's own URL, set by render.
	self string
}

// calendarEvents are what the view's calendar holds: its talks, then
// its tombstones.
func (v *view) calendarEvents() []talkfeed.Event {
	if len(v.tombstones) == 0 {
		return v.events
	}
	return append(slices.Clone(v.events), v.tombstones...)
}

// folderView is a view published in a folder: dir is "" for the root,
// "category/<slug>/" for a category.
func folderView(dir, title, description string, events []talkfeed.Event, limit int) view {
	return view{file: func(f *Format) string { return dir + f.Name }, title: title, description: description, events: events, limit: limit}
}

// renderer renders the views of one site.
type renderer struct {
	o    Options
	base string
	fo   feeds.Options
	co   ical.Options
	po   pages.Options
}

func (r *renderer) feedView(v view) feeds.View {
	return feeds.View{SelfURL: v.self, HomeURL: r.base, Title: v.title, Description: v.description, Events: v.events, Updated: v.updated}
}

func (r *renderer) feedOptions(v view) feeds.Options {
	fo := r.fo
	fo.Limit = v.limit
	if v.noEventICS {
		fo.EventICS = nil
	}
	return fo
}

// render renders the view in format f, as the file it is published at.
func (r *renderer) render(v view, f *Format) (File, error) {
	p := v.file(f)
	v.self = r.base + p
	if v.query != "" {
		v.self += "?" + v.query
	}
	// A lazy tree serves its large files before compressing them: their
	// gzip form, from pieces compressed once per talk, is there at once.
	body, gz, err := f.render(r, v, r.o.Lazy)
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", p, err)
	}
	modified := lastChanged(v.events)
	if !f.Feed {
		modified = lastChanged(v.calendarEvents())
	}
	file := newFile(p, f.ContentType, body, modified)
	if gz != nil && len(gz) < len(body) {
		file.Gzip, file.joined = gz, true
	}
	return file, nil
}
