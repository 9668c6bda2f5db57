package source

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/talkfeed/talkfeed"
)

// pageParser maps one page to an event. It holds only configuration and
// is safe for concurrent use.
type pageParser struct {
	base      *url.URL
	imageBase *url.URL
	permalink string
	zone      *time.Location
	fields    *fieldResolver
	body      *bodyRenderer
}

// pageResult is what parsing one page gave.
type pageResult struct {
	path    string
	event   *talkfeed.Event
	diags   []talkfeed.Diagnostic
	skipped bool
	// blank is a page skipped as empty, or holding no more than the start
	// of a front matter delimiter: most likely one caught while it is
	// being written, so its last good version stays.
	blank   bool
	uidLine int // where the ID came from, for duplicate reports
	urlLine int // where the page URL came from
	// defaultURL is the permalink pattern's URL when the permalink field
	// gave the page URL, with the line its slug came from.
	defaultURL  string
	defaultLine int
	// dates are the start, end and published time with their fields,
	// which each load checks against its own day (see farFuture).
	dates []pageDate
}

func (r *pageResult) add(sev talkfeed.Severity, line, col int, format string, args ...any) {
	r.diags = append(r.diags, talkfeed.Diagnostic{
		File: r.path, Line: line, Column: col, Severity: sev, Message: fmt.Sprintf(format, args...),
	})
}

func (r *pageResult) errorf(line int, format string, args ...any) {
	r.add(talkfeed.SeverityError, line, 0, format, args...)
}

func (r *pageResult) warnf(line int, format string, args ...any) {
	r.add(talkfeed.SeverityWarning, line, 0, format, args...)
}

func (r *pageResult) skip(line int, format string, args ...any) {
	r.add(talkfeed.SeverityNotice, line, 0, format, args...)
	r.skipped = true
}

// parse turns a page's bytes into an event. It never panics on any input;
// a page it cannot use comes back without an event and with an error.
func (p *pageParser) parse(filePath string, data []byte, modTime time.Time) pageResult {
	return p.parseHashed(filePath, data, sha256.Sum256(data), modTime)
}

// parseHashed is parse for a caller that already hashed the bytes.
func (p *pageParser) parseHashed(filePath string, data []byte, sum [32]byte, modTime time.Time) pageResult {
	r := pageResult{path: filePath}
	text, ok := decodePage(data, &r)
	if !ok {
		return r
	}
	pg, body, ok := readFrontMatter(text, &r)
	if !ok {
		return r
	}
	m := &mapping{p: p, pg: pg, r: &r}
	if draft := m.lookup(fieldDraft); draft != nil && m.boolOf(draft) {
		r.skip(draft.line, "draft: true: skipped")
		return r
	}
	ev := &talkfeed.Event{
		Source: talkfeed.SourceInfo{Path: filePath, Hash: hex.EncodeToString(sum[:]), ModTime: modTime},
	}
	startEntry := m.lookup(fieldStart)
	if startEntry == nil {
		line := 1
		if t := m.lookup(fieldTitle); t != nil {
			line = t.line
		}
		r.skip(line, "no date or start field: not a talk, skipped")
		return r
	}
	if !m.times(ev, startEntry) {
		return r
	}
	m.describe(ev)
	m.people(ev)
	m.place(ev)
	if !m.id(ev) {
		return r
	}
	m.pageURL(ev)
	m.image(ev)
	m.links(ev, body)
	r.event = ev
	return r
}

// mapping reads the canonical fields of one page into an event.
type mapping struct {
	p  *pageParser
	pg *page
	r  *pageResult
	// warned is what plain has warned about per field: one warning a
	// field, not one per tag.
	warned map[*entry]textCleaning
}

func (m *mapping) lookup(canon string) *entry { return m.p.fields.lookup(m.pg, canon) }

// describe sets the title, summary, category and tags.
func (m *mapping) describe(ev *talkfeed.Event) {
	title, te := m.plainField(fieldTitle)
	if title == "" {
		title = strings.TrimSuffix(path.Base(m.r.path), path.Ext(m.r.path))
		line := 1
		if te != nil {
			line = te.line
		}
		m.r.warnf(line, "no title; using the file name %q", title)
	}
	ev.Title = title
	ev.EventName, _ = m.plainField(fieldEventName)
	ev.Summary, _ = m.plainField(fieldSummary)
	if ce := m.lookup(fieldCategory); ce != nil {
		cats := m.plainList(ce, false)
		if len(cats) > 0 {
			ev.Category = cats[0]
			// Further categories are kept as tags.
			ev.Tags = append(ev.Tags, cats[1:]...)
		}
	}
	tg := m.lookup(fieldTags)
	if tg != nil {
		ev.Tags = append(ev.Tags, m.plainList(tg, true)...)
	}
	ev.Tags = dedupeBySlug(ev.Tags)
	if len(ev.Tags) > maxTags {
		line := 1
		if tg != nil {
			line = tg.line
		} else if ce := m.lookup(fieldCategory); ce != nil {
			line = ce.line
		}
		m.r.warnf(line, "over %d tags (%d); the first %d are kept", maxTags, len(ev.Tags), maxTags)
		ev.Tags = ev.Tags[:maxTags:maxTags]
	}
	ev.Status = talkfeed.StatusConfirmed
	if st, e := m.text(fieldStatus); e != nil && st != "" {
		switch strings.ToLower(st) {
		case "confirmed", "scheduled", "eventscheduled", "live", "published":
			ev.Status = talkfeed.StatusConfirmed
		case "tentative", "tbc", "tbd", "provisional", "postponed", "eventpostponed", "rescheduled", "eventrescheduled":
			ev.Status = talkfeed.StatusTentative
		case "cancelled", "canceled", "eventcancelled", "eventcanceled":
			ev.Status = talkfeed.StatusCancelled
		default:
			m.r.warnf(e.line, "unknown status %q (confirmed, tentative or cancelled); read as confirmed", st)
		}
	}
	if ce := m.lookup(fieldCancelled); ce != nil && m.boolOf(ce) {
		ev.Status = talkfeed.StatusCancelled
	}
}

// maxTags bounds a talk's tags: every feed item and calendar event
// carries each of them.
const maxTags = 100

// people sets the speakers.
func (m *mapping) people(ev *talkfeed.Event) {
	if se := m.lookup(fieldSpeakers); se != nil {
		switch se.val.kind {
		case scalarValue:
			ev.SpeakerText = m.plainValue(se, se.val)
			ev.Speakers = parseSpeakerText(ev.SpeakerText)
		case listValue:
			var names []string
			for _, it := range se.val.items {
				if s, ok := speakerFromItem(it, func(v *value) string { return m.plainValue(se, v) }); ok {
					s.URL = m.urlOf(se, s.URL, profileURL)
					ev.Speakers = append(ev.Speakers, s)
					names = append(names, s.Name)
				}
			}
			ev.SpeakerText = strings.Join(names, ", ")
		default:
			m.r.warnf(se.line, "field %q should be a name or a list of speakers; ignored", se.key)
		}
	}
	if ue := m.lookup(fieldSpeakerURL); ue != nil {
		var urls []string
		for _, u := range m.list(ue, true) {
			if abs := m.urlOf(ue, u, profileURL); abs != "" {
				urls = append(urls, abs)
			}
		}
		if len(ev.Speakers) == 0 {
			m.r.warnf(ue.line, "field %q is set but the talk names no speaker; ignored", ue.key)
		}
		assignSpeakerURLs(ev.Speakers, urls)
	}
	if aff, _ := m.plainField(fieldAffiliation); aff != "" {
		for i := range ev.Speakers {
			if ev.Speakers[i].Affiliation == "" {
				ev.Speakers[i].Affiliation = aff
			}
		}
	}
}

// place sets the location, venue, address and online URL.
func (m *mapping) place(ev *talkfeed.Event) {
	ev.Location, _ = m.plainField(fieldLocation)
	ev.Venue, _ = m.plainField(fieldVenue)
	ev.Address, _ = m.plainField(fieldAddress)
	if oe := m.lookup(fieldOnline); oe != nil && oe.val.kind == scalarValue {
		switch oe.val.tag {
		case "bool":
			if m.boolOf(oe) && ev.Location == "" {
				ev.Location = "Online"
			}
		default:
			ev.OnlineURL = m.urlOf(oe, cleanText(oe.val.text), linkURL)
		}
	}
	if ev.OnlineURL != "" && ev.Location == "" {
		ev.Location = "Online"
	}
}

var uidRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~@+-]*(/[A-Za-z0-9][A-Za-z0-9._~@+-]*)*$`)

// id sets the ID: the uid field's, else the path without its extension.
// It returns false when neither can be an ID, which makes the page
// unusable.
func (m *mapping) id(ev *talkfeed.Event) bool {
	ev.ID = strings.TrimSuffix(m.r.path, path.Ext(m.r.path))
	if uid, e := m.text(fieldUID); e != nil && uid != "" {
		if uidRE.MatchString(uid) && len(uid) <= 200 {
			ev.ID = uid
			m.r.uidLine = e.line
		} else {
			m.r.warnf(e.line, "uid %q may use only letters, digits and . _ ~ @ + - / (at most 200); using the path %q", uid, ev.ID)
		}
	}
	if !uidRE.MatchString(ev.ID) {
		m.r.errorf(1, "the file path %q cannot be an ID (letters, digits and . _ ~ @ + - / only); rename it or set uid", m.r.path)
		return false
	}
	return true
}

// image sets the image URL.
func (m *mapping) image(ev *talkfeed.Event) {
	if img, e := m.text(fieldImage); e != nil && img != "" {
		ev.ImageURL = m.urlOf(e, img, imageURL)
	}
}

// links sets the slides, video and registration links and renders the
// body, whose embedded slides and videos fill the links the page does not
// name.
func (m *mapping) links(ev *talkfeed.Event, body []byte) {
	for _, l := range []struct {
		canon string
		dst   *string
	}{{fieldSlides, &ev.Links.Slides}, {fieldVideo, &ev.Links.Video}, {fieldRegistration, &ev.Links.Registration}} {
		if raw, e := m.text(l.canon); e != nil {
			*l.dst = m.urlOf(e, raw, linkURL)
		}
	}
	pageURL, err := url.Parse(ev.PageURL)
	if err != nil {
		pageURL = m.p.base
	}
	rb, err := m.p.body.render(body, pageURL)
	if err != nil {
		m.r.warnf(1, "cannot render the body: %v", err)
		return
	}
	if rb.plain {
		m.r.warnf(1, "the body is over %d KiB: shown as plain text, not rendered as Markdown", maxMarkdownBody>>10)
	}
	ev.BodyHTML = rb.html
	if ev.Summary == "" {
		ev.Summary = rb.firstParagraph
	}
	if ev.Links.Slides == "" {
		ev.Links.Slides = rb.slides
	}
	if ev.Links.Video == "" {
		ev.Links.Video = rb.video
	}
}
