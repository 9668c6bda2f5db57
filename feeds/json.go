package feeds

import (
	"bytes"
	"encoding/json"
	"fmt"

	gfeeds "github.com/gorilla/feeds"

	"github.com/talkfeed/talkfeed/internal/gzjoin"
)

// jsonFeedVersion is JSON Feed 1.1; gorilla writes 1.0's URL.
const jsonFeedVersion = "https://jsonfeed.org/version/1.1"

// jsonDoc adds to gorilla's JSONFeed items of our own type, always
// present: JSON Feed requires `items` even when empty, and gorilla omits
// an empty list.
type jsonDoc struct {
	*gfeeds.JSONFeed
	Items []jsonItem `json:"items"`
}

// jsonItem adds to gorilla's JSONItem the `_event` extension (JSON Feed's
// way to carry custom data) and hides its `banner_` field, a misspelling
// of `banner_image` that we never fill.
type jsonItem struct {
	*gfeeds.JSONItem
	BannerImage string     `json:"banner_image,omitempty"`
	Event       *jsonEvent `json:"_event,omitempty"`
}

// jsonEvent is the `_event` extension: the talk's structured data.
type jsonEvent struct {
	About     string        `json:"about"`
	Start     string        `json:"start"`
	End       string        `json:"end,omitempty"`
	AllDay    bool          `json:"all_day"`
	TimeZone  string        `json:"timezone,omitempty"`
	Location  string        `json:"location,omitempty"`
	Venue     string        `json:"venue,omitempty"`
	Address   string        `json:"address,omitempty"`
	OnlineURL string        `json:"online_url,omitempty"`
	Status    string        `json:"status"`
	Speakers  []jsonSpeaker `json:"speakers,omitempty"`
	EventName string        `json:"event_name,omitempty"`
	ICSURL    string        `json:"ics_url,omitempty"`
	Slides    string        `json:"slides_url,omitempty"`
	Video     string        `json:"video_url,omitempty"`
	Register  string        `json:"registration_url,omitempty"`
}

type jsonSpeaker struct {
	Name        string `json:"name"`
	Affiliation string `json:"affiliation,omitempty"`
	URL         string `json:"url,omitempty"`
}

// JSON renders the view as JSON Feed 1.1.
func JSON(v View, o Options) ([]byte, error) {
	b, _, err := jsonFeed(v, o, false)
	return b, err
}

// JSONGzip renders the view as JSON Feed 1.1, and its gzip form put
// together from its items' compressed pieces (gzjoin).
func JSONGzip(v View, o Options) (body, gz []byte, err error) { return jsonFeed(v, o, true) }

func jsonFeed(v View, o Options, gz bool) ([]byte, []byte, error) {
	its := items(v, o)
	doc := jsonDoc{
		JSONFeed: &gfeeds.JSONFeed{
			Version:     jsonFeedVersion,
			Title:       v.Title,
			Language:    o.Site.Language,
			HomePageUrl: v.HomeURL,
			FeedUrl:     v.SelfURL,
			Description: v.Description,
			Icon:        o.Site.Icon,
			Authors:     []*gfeeds.JSONAuthor{{Name: o.Site.Title, Url: o.Site.BaseURL}},
		},
		Items: []jsonItem{},
	}
	if o.Hub != "" {
		doc.Hubs = []*gfeeds.JSONHub{{Type: "WebSub", Url: o.Hub}}
	}
	frags := make([]*fragment, len(its))
	for i, it := range its {
		frag, err := fragmentOf(o.Fragments, "json", it, func() ([]byte, error) { return jsonItemBytes(it.filled(o), o) })
		if err != nil {
			return nil, nil, err
		}
		frags[i] = frag
	}
	head, err := encodeJSON(doc, "")
	if err != nil {
		return nil, nil, err
	}
	// The document with no items, then the items' fragments (each
	// encoded once, at the depth it stands at) in its list: the bytes the
	// encoder gives the whole document.
	const empty = "\n  \"items\": []\n}\n"
	if !bytes.HasSuffix(head, []byte(empty)) {
		return nil, nil, fmt.Errorf("feeds: JSON Feed does not end in its items")
	}
	const first, next = "\n    ", ",\n    "
	opening := append(head[:len(head)-len(empty):len(head)-len(empty)], "\n  \"items\": ["...)
	closing := "]\n}\n"
	if len(frags) > 0 {
		closing = "\n  " + closing
	}
	n := len(opening) + len(closing)
	for _, f := range frags {
		n += len(f.b) + len(next)
	}
	out := make([]byte, 0, n)
	out = append(out, opening...)
	for i, f := range frags {
		if i == 0 {
			out = append(out, first...)
		} else {
			out = append(out, next...)
		}
		out = append(out, f.b...)
	}
	out = append(out, closing...)
	if !gz {
		return out, nil, nil
	}
	pieces := make([][]byte, 0, len(frags)+2)
	if len(frags) == 0 {
		pieces = append(pieces, gzjoin.Piece(opening))
	} else {
		// The first item's separator has no comma: it goes in with the
		// head, the item's cached piece is kept for a place after others.
		pieces = append(pieces, gzjoin.Piece(append(append(append([]byte(nil), opening...), first...), frags[0].b...)))
	}
	for _, f := range frags[min(1, len(frags)):] {
		pieces = append(pieces, f.gz(next))
	}
	pieces = append(pieces, gzjoin.Piece([]byte(closing)))
	return out, gzjoin.Join(out, pieces), nil
}

// jsonItemBytes encodes one item as it stands in the document's list:
// its lines after the first indented two levels (the document, items).
func jsonItemBytes(it item, o Options) ([]byte, error) {
	{
		e := it.ev
		published, updated := it.published, it.updated
		ji := jsonItem{
			JSONItem: &gfeeds.JSONItem{
				Id:            it.id,
				Url:           e.PageURL,
				Title:         it.title,
				ContentHTML:   xmlSafe(e.BodyHTML),
				Summary:       it.summary,
				Image:         e.ImageURL,
				PublishedDate: &published,
				ModifiedDate:  &updated,
				Tags:          it.categories,
			},
			Event: &jsonEvent{
				About:     "https://github.com/talkfeed/talkfeed#json-feed-_event",
				Start:     e.Timestamp(e.Start),
				End:       eventEnd(e),
				AllDay:    e.AllDay,
				TimeZone:  e.TimeZone,
				Location:  e.Location,
				Venue:     e.Venue,
				Address:   e.Address,
				OnlineURL: e.OnlineURL,
				Status:    string(e.Status),
				EventName: e.EventName,
				Slides:    e.Links.Slides,
				Video:     e.Links.Video,
				Register:  e.Links.Registration,
			},
		}
		if ji.ContentHTML == "" {
			// JSON Feed requires content_html or content_text.
			ji.ContentText = it.summary
		}
		if o.EventICS != nil {
			ji.Event.ICSURL = o.EventICS(e)
		}
		for _, s := range e.Speakers {
			// The plain name: the affiliation is in _event, and readers
			// show an author's name as is.
			ji.Authors = append(ji.Authors, &gfeeds.JSONAuthor{Name: s.Name, Url: s.URL})
			ji.Event.Speakers = append(ji.Event.Speakers, jsonSpeaker{Name: s.Name, Affiliation: s.Affiliation, URL: s.URL})
		}
		// JSON Feed 1.0 readers know only the single `author` (1.1
		// deprecates it but allows it for them): one author naming every
		// speaker, as RSS and Atom write it, beside 1.1's `authors`.
		switch len(e.Speakers) {
		case 0:
		case 1:
			ji.Author = ji.Authors[0]
		default:
			ji.Author = &gfeeds.JSONAuthor{Name: speakers(e, false)}
		}
		b, err := encodeJSON(ji, "    ")
		return bytes.TrimSuffix(b, []byte("\n")), err
	}
}

// encodeJSON encodes v indented, its lines after the first at prefix.
func encodeJSON(v any, prefix string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent(prefix, "  ")
	// Keep "<" and "&" readable: the document is served as JSON, never
	// inlined in HTML.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
