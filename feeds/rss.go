package feeds

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"

	gfeeds "github.com/gorilla/feeds"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/internal/gzjoin"
)

// Namespaces of the RSS extensions talkfeed writes.
const (
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsMedia   = "http://search.yahoo.com/mrss/"
	nsEvent   = "http://purl.org/rss/1.0/modules/event/"
)

// rssDoc replaces gorilla's RssFeedXml to declare the extension
// namespaces.
type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	NSContent string     `xml:"xmlns:content,attr"`
	NSAtom    string     `xml:"xmlns:atom,attr"`
	NSDC      string     `xml:"xmlns:dc,attr"`
	NSMedia   string     `xml:"xmlns:media,attr"`
	NSEvent   string     `xml:"xmlns:ev,attr"`
	Channel   rssChannel `xml:"channel"`
}

// rssChannel adds to gorilla's RssFeed the atom:link rel="self" that
// validators require, and items of our own type.
type rssChannel struct {
	*gfeeds.RssFeed
	// AtomLinks are the self link and, with WebSub, the hub.
	AtomLinks []rssAtomLink `xml:"atom:link"`
	Items     []rssItem     `xml:"item"`
}

type rssAtomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
}

// rssItem adds to gorilla's RssItem several categories (it has one),
// dc:creator (it writes a name into <author>, which RSS reserves for an
// e-mail address), media:thumbnail and the RSS event module.
//
// There is one dc:creator naming every speaker, not one per speaker:
// readers show a single creator, feedparser and newsboat the last one,
// gofeed the first, so the others were lost. Each speaker's own details
// are in the JSON Feed's `_event` and the Atom entry's contributors.
type rssItem struct {
	*gfeeds.RssItem
	Categories []string           `xml:"category"`
	Creator    string             `xml:"dc:creator,omitempty"`
	Thumbnail  *rssMediaThumbnail `xml:"media:thumbnail"`
	eventModule
}

// eventModule is the RSS event module
// (http://purl.org/rss/1.0/modules/event/), which RSS items and Atom
// entries both carry.
type eventModule struct {
	Start     string `xml:"ev:startdate,omitempty"`
	End       string `xml:"ev:enddate,omitempty"`
	Location  string `xml:"ev:location,omitempty"`
	Organizer string `xml:"ev:organizer,omitempty"`
	Type      string `xml:"ev:type,omitempty"`
}

func newEventModule(e *talkfeed.Event) eventModule {
	return eventModule{
		Start:     e.Timestamp(e.Start),
		End:       eventEnd(e),
		Location:  xmlSafe(e.Place()),
		Organizer: xmlSafe(e.EventName),
		Type:      "talk",
	}
}

type rssMediaThumbnail struct {
	URL string `xml:"url,attr"`
}

// htmlText escapes plain text for an element readers render as HTML.
var htmlText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// rssDate is RFC 822 with a four-digit year, as RSS 2.0 requires.
const rssDate = "Mon, 02 Jan 2006 15:04:05 -0700"

// RSS renders the view as RSS 2.0.
func RSS(v View, o Options) ([]byte, error) {
	b, _, err := rss(v, o, false)
	return b, err
}

// RSSGzip renders the view as RSS 2.0, and its gzip form put together
// from its items' compressed pieces (gzjoin).
func RSSGzip(v View, o Options) (body, gz []byte, err error) { return rss(v, o, true) }

func rss(v View, o Options, gz bool) ([]byte, []byte, error) {
	its := items(v, o)
	ch := rssChannel{
		RssFeed: &gfeeds.RssFeed{
			Title:         xmlSafe(v.Title),
			Link:          v.HomeURL,
			Description:   xmlSafe(v.Description),
			Language:      o.Site.Language,
			LastBuildDate: newest(v, its).Format(rssDate),
			PubDate:       newest(v, its).Format(rssDate),
			Generator:     o.Generator,
			Docs:          "https://www.rssboard.org/rss-specification",
			Ttl:           int(o.TTL.Minutes()),
		},
		AtomLinks: []rssAtomLink{{Href: v.SelfURL, Rel: "self", Type: "application/rss+xml"}},
	}
	if o.Hub != "" {
		ch.AtomLinks = append(ch.AtomLinks, rssAtomLink{Href: o.Hub, Rel: "hub"})
	}
	if o.Site.Icon != "" {
		ch.Image = &gfeeds.RssImage{Url: o.Site.Icon, Title: ch.Title, Link: ch.Link}
	}
	items := make([]*fragment, len(its))
	for i, it := range its {
		frag, err := fragmentOf(o.Fragments, "rss", it, func() ([]byte, error) { return rssItemXML(it.filled(o), o) })
		if err != nil {
			return nil, nil, err
		}
		items[i] = frag
	}
	doc := rssDoc{
		Version: "2.0", NSContent: nsContent, NSAtom: nsAtom, NSDC: nsDC, NSMedia: nsMedia, NSEvent: nsEvent,
		Channel: ch,
	}
	return spliceXML(doc, "\n  </channel>", items, gz)
}

// rssItemXML renders one item as it stands in the document: indented two
// levels deep (rss, channel).
func rssItemXML(it item, o Options) ([]byte, error) {
	{
		e := it.ev
		ri := rssItem{
			RssItem: &gfeeds.RssItem{
				Title: it.title,
				Link:  e.PageURL,
				// Readers render an RSS description as HTML: the
				// summary is text, so any "<" in it is shown, not parsed.
				Description: htmlText(it.summary),
				// Not a URL: without isPermaLink="false" readers would
				// take the guid for a link.
				Guid:    &gfeeds.RssGuid{Id: it.id, IsPermaLink: "false"},
				PubDate: it.published.Format(rssDate),
			},
			Categories:  it.categories,
			eventModule: newEventModule(e),
		}
		if e.BodyHTML != "" {
			ri.Content = &gfeeds.RssContent{Content: xmlSafe(e.BodyHTML)}
		}
		// Names only: gofeed reads an RSS author with parentheses as an
		// e-mail's comment and shows none ("Jane Doe (Acme)"); the
		// affiliations are in the description and the event module.
		ri.Creator = xmlSafe(speakers(e, false))
		if e.ImageURL != "" {
			// RSS requires a length; 0 is the RSS Advisory Board's word for
			// "unknown", where gorilla would drop the enclosure.
			var length int64
			if o.ImageLength != nil {
				length = o.ImageLength(e.ImageURL)
			}
			ri.Enclosure = &gfeeds.RssEnclosure{Url: e.ImageURL, Type: it.imageType, Length: strconv.FormatInt(length, 10)}
			ri.Thumbnail = &rssMediaThumbnail{URL: e.ImageURL}
		}
		return marshalFragment(ri, "    ")
	}
}

// spliceXML writes the document, with no items, as marshalXML does, then
// puts the items' fragments (each rendered once, marshalFragment) before
// the closing tag end: the bytes marshalXML gives the document with its
// items, at the cost of copying them. (encoding/xml has no way to write
// bytes already marshalled inside a document; this is that layer.) With
// gz, it gives the gzip form too, from the items' compressed pieces.
func spliceXML(doc any, end string, items []*fragment, gz bool) ([]byte, []byte, error) {
	head, err := marshalXML(doc)
	if err != nil {
		return nil, nil, err
	}
	cut := bytes.LastIndex(head, []byte(end))
	if cut < 0 {
		return nil, nil, fmt.Errorf("feeds: no %q in the document", end)
	}
	n := len(head)
	for _, it := range items {
		n += 1 + len(it.b)
	}
	out := make([]byte, 0, n)
	out = append(out, head[:cut]...)
	for _, it := range items {
		out = append(out, '\n')
		out = append(out, it.b...)
	}
	out = append(out, head[cut:]...)
	if !gz {
		return out, nil, nil
	}
	pieces := make([][]byte, 0, len(items)+2)
	pieces = append(pieces, gzjoin.Piece(head[:cut]))
	for _, it := range items {
		pieces = append(pieces, it.gz("\n"))
	}
	pieces = append(pieces, gzjoin.Piece(head[cut:]))
	return out, gzjoin.Join(out, pieces), nil
}

// marshalFragment marshals one element as it stands in a document at the
// indentation prefix (the depth marshalXML gives it).
func marshalFragment(v any, prefix string) ([]byte, error) {
	var b bytes.Buffer
	enc := xml.NewEncoder(&b)
	enc.Indent(prefix, "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// marshalXML writes the XML declaration and the indented document, as
// gorilla's ToXML does, ending in a newline.
func marshalXML(doc any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}
