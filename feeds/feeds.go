// Package feeds renders talks as RSS 2.0, Atom 1.0 and JSON Feed 1.1.
//
// It builds github.com/gorilla/feeds' low-level structs (RssFeed,
// AtomFeed, JSONFeed) and wraps them where they fall short: item
// categories, one author line naming every speaker, the RSS self link,
// dc:creator instead of a name in <author>, enclosures without a known length, media:thumbnail, the
// RSS event module and the JSON Feed `_event` extension. Each wrapper says
// what it adds.
package feeds

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/talkfeed/talkfeed"
)

// Options are what every feed of a site shares.
type Options struct {
	Site talkfeed.Site
	// Generator names the software, "talkfeed 1.2.0".
	Generator string
	// TTL tells RSS readers how long to cache (the reload interval).
	TTL time.Duration
	// Limit keeps the newest-announced Limit items; 0 keeps all.
	Limit int
	// EventICS returns the URL of a talk's own calendar, for JSON Feed's
	// `_event.ics_url`; nil leaves it out.
	EventICS func(*talkfeed.Event) string
	// ImageLength returns the byte size of an image URL when it is known,
	// for RSS enclosures; nil or 0 means unknown.
	ImageLength func(imageURL string) int64
	// Hub is the WebSub hub the feeds name, so that readers can
	// subscribe for pushes; "" for none.
	Hub string
	// Fragments, when set, keeps rendered items across feeds.
	Fragments *Fragments
}

// View is one feed: a selection of talks at a URL.
type View struct {
	// SelfURL is the feed document's own absolute URL.
	SelfURL string
	// HomeURL is the page the feed stands for.
	HomeURL     string
	Title       string
	Description string
	Events      []talkfeed.Event
	// Updated dates the feed when it has no items (a change feed before
	// any change): the snapshot's date, never 1970.
	Updated time.Time
}

// item is one talk with the values every format shares.
type item struct {
	ev         *talkfeed.Event
	id         string
	title      string
	summary    string
	published  time.Time
	updated    time.Time
	categories []string
	imageType  string
}

// items orders the view's talks newest-announced first (ties: the later
// talk first, then by ID) and applies the limit.
func items(v View, o Options) []item {
	evs := make([]*talkfeed.Event, len(v.Events))
	for i := range v.Events {
		evs[i] = &v.Events[i]
	}
	slices.SortStableFunc(evs, func(a, b *talkfeed.Event) int {
		return cmp.Or(
			b.Announced().Compare(a.Announced()),
			b.Start.Compare(a.Start),
			cmp.Compare(a.ID, b.ID),
		)
	})
	if o.Limit > 0 && len(evs) > o.Limit {
		evs = evs[:o.Limit]
	}
	out := make([]item, len(evs))
	for i, e := range evs {
		out[i] = item{
			ev:        e,
			published: e.Announced().UTC().Truncate(time.Second),
			updated:   e.LastChanged().UTC().Truncate(time.Second),
		}
		if out[i].updated.Before(out[i].published) {
			out[i].updated = out[i].published
		}
	}
	return out
}

// filled is the item with what only its rendering needs: left out of
// items, since a feed whose items are kept (Fragments) renders none, and
// a synopsis of every talk was most of a filtered view's first request.
func (it item) filled(o Options) item {
	e := it.ev
	it.id = ItemID(o.Site, e.ID)
	it.title = xmlSafe(e.DisplayTitle())
	it.summary = xmlSafe(e.Synopsis())
	it.categories = categories(e)
	it.imageType = imageType(e.ImageURL)
	return it
}

// ItemID is a talk's feed identifier: a tag URI (RFC 4151) made from the
// site's host and the talk's ID, so it lasts as long as the talk does,
// whatever its title, date or content become.
func ItemID(site talkfeed.Site, id string) string {
	return "tag:" + site.Host() + ",2000:" + id
}

// speakers names every speaker of the talk in one phrase, by each
// speaker's label (with affiliation) or plain name, in reading order:
// "Jane Doe (Acme), John Roe and Ann Poe". Feeds write it where readers
// show a single author.
func speakers(e *talkfeed.Event, label bool) string {
	names := make([]string, len(e.Speakers))
	for i, s := range e.Speakers {
		names[i] = s.Name
		if label {
			names[i] = s.Label()
		}
	}
	return talkfeed.JoinNames(names)
}

// categories are the talk's categories, safe for XML.
func categories(e *talkfeed.Event) []string {
	out := e.Categories()
	for i, c := range out {
		out[i] = xmlSafe(c)
	}
	return out
}

// imageType tells an image's media type by its extension; a fixed table,
// not the system's MIME database, so every machine renders the same bytes.
func imageType(u string) string {
	if u == "" {
		return ""
	}
	p := u
	if parsed, err := url.Parse(u); err == nil {
		p = parsed.Path
	}
	switch strings.ToLower(p[strings.LastIndexByte(p, '.')+1:]) {
	case "jpg", "jpeg":
		return "image/jpeg"
	case "png":
		return "image/png"
	case "gif":
		return "image/gif"
	case "webp":
		return "image/webp"
	case "svg":
		return "image/svg+xml"
	case "avif":
		return "image/avif"
	}
	return "image/jpeg" // the web's default guess for an extensionless photo
}

// eventEnd is the talk's end for the event module and the JSON
// extension, as the page gives it: the last day of an all-day talk, the
// end time of a timed one ("" when it has none).
func eventEnd(e *talkfeed.Event) string {
	if e.AllDay {
		return e.Timestamp(e.LastDay())
	}
	return e.Timestamp(e.End)
}

// newest is the latest change of any item, the feed's updated time;
// without items, the view's own date.
func newest(v View, its []item) time.Time {
	var t time.Time
	for _, it := range its {
		if it.updated.After(t) {
			t = it.updated
		}
	}
	if t.IsZero() {
		t = v.Updated.UTC().Truncate(time.Second)
	}
	if t.IsZero() {
		// An empty feed still needs a stable date.
		t = time.Unix(0, 0).UTC()
	}
	return t
}

// xmlSafe drops the characters XML 1.0 cannot carry (most C0 controls,
// lone surrogates, U+FFFE/U+FFFF), which encoding/xml would let through
// in CDATA sections and attributes.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return -1
		}
		return r
	}, s)
}
