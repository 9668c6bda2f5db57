package feeds

import (
	"encoding/xml"
	"strconv"
	"time"

	gfeeds "github.com/gorilla/feeds"
)

// atomDoc adds to gorilla's AtomFeed the event namespace and several
// links (it has one): alternate and self.
type atomDoc struct {
	*gfeeds.AtomFeed
	NSEvent string            `xml:"xmlns:ev,attr"`
	Links   []gfeeds.AtomLink `xml:"link"`
	Entries []atomEntry       `xml:"entry"`
}

// atomEntry adds to gorilla's AtomEntry the speakers as author and
// contributors, several categories (it has one, and writes it as text
// where Atom wants a term attribute) and the RSS event module's elements.
//
// Readers show one author, the first (feedparser's entry.author,
// gofeed's item.Author), so the one author names every speaker, as RSS's
// dc:creator does. With several speakers, each is also a contributor,
// with their URI: valid Atom that keeps the people apart for readers that
// list contributors, without repeating them among the authors.
type atomEntry struct {
	*gfeeds.AtomEntry
	Author       *atomPerson    `xml:"author"`
	Contributors []atomPerson   `xml:"contributor"`
	Categories   []atomCategory `xml:"category"`
	eventModule
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

// Atom renders the view as Atom 1.0.
func Atom(v View, o Options) ([]byte, error) {
	b, _, err := atomFeed(v, o, false)
	return b, err
}

// AtomGzip renders the view as Atom 1.0, and its gzip form put together
// from its entries' compressed pieces (gzjoin).
func AtomGzip(v View, o Options) (body, gz []byte, err error) { return atomFeed(v, o, true) }

func atomFeed(v View, o Options, gz bool) ([]byte, []byte, error) {
	its := items(v, o)
	doc := atomDoc{
		AtomFeed: &gfeeds.AtomFeed{
			Xmlns:    nsAtom,
			Title:    xmlSafe(v.Title),
			Id:       v.SelfURL,
			Updated:  newest(v, its).Format(time.RFC3339),
			Icon:     o.Site.Icon,
			Subtitle: xmlSafe(v.Description),
			// Atom wants an author for entries that name none.
			Author: &gfeeds.AtomAuthor{AtomPerson: gfeeds.AtomPerson{Name: xmlSafe(o.Site.Title), Uri: o.Site.BaseURL}},
		},
		NSEvent: nsEvent,
		Links: []gfeeds.AtomLink{
			{Href: v.HomeURL, Rel: "alternate", Type: "text/html"},
			{Href: v.SelfURL, Rel: "self", Type: "application/atom+xml"},
		},
	}
	if o.Hub != "" {
		doc.Links = append(doc.Links, gfeeds.AtomLink{Href: o.Hub, Rel: "hub"})
	}
	entries := make([]*fragment, len(its))
	for i, it := range its {
		frag, err := fragmentOf(o.Fragments, "atom", it, func() ([]byte, error) { return atomEntryXML(it.filled(o), o) })
		if err != nil {
			return nil, nil, err
		}
		entries[i] = frag
	}
	return spliceXML(struct {
		XMLName xml.Name `xml:"feed"`
		atomDoc
	}{atomDoc: doc}, "\n</feed>", entries, gz)
}

// atomEntryXML renders one entry as it stands in the document: indented
// one level deep (feed).
func atomEntryXML(it item, o Options) ([]byte, error) {
	{
		e := it.ev
		ae := atomEntry{
			AtomEntry: &gfeeds.AtomEntry{
				Title:     it.title,
				Id:        it.id,
				Updated:   it.updated.Format(time.RFC3339),
				Published: it.published.Format(time.RFC3339),
				Summary:   &gfeeds.AtomSummary{Content: it.summary, Type: "text"},
				Links:     []gfeeds.AtomLink{{Href: e.PageURL, Rel: "alternate", Type: "text/html"}},
			},
			eventModule: newEventModule(e),
		}
		if e.BodyHTML != "" {
			ae.Content = &gfeeds.AtomContent{Content: xmlSafe(e.BodyHTML), Type: "html"}
		}
		switch len(e.Speakers) {
		case 0:
			// The feed's author stands for the entry's.
		case 1:
			s := e.Speakers[0]
			ae.Author = &atomPerson{Name: xmlSafe(s.Label()), URI: s.URL}
		default:
			ae.Author = &atomPerson{Name: xmlSafe(speakers(e, true))}
			for _, s := range e.Speakers {
				ae.Contributors = append(ae.Contributors, atomPerson{Name: xmlSafe(s.Label()), URI: s.URL})
			}
		}
		for _, c := range it.categories {
			ae.Categories = append(ae.Categories, atomCategory{Term: c})
		}
		if e.ImageURL != "" {
			l := gfeeds.AtomLink{Href: e.ImageURL, Rel: "enclosure", Type: it.imageType}
			if o.ImageLength != nil {
				if n := o.ImageLength(e.ImageURL); n > 0 {
					l.Length = strconv.FormatInt(n, 10)
				}
			}
			ae.Links = append(ae.Links, l)
		}
		return marshalFragment(ae, "  ")
	}
}
