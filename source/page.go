package source

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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
	uidLine int // where the ID came from, for duplicate reports
	urlLine int // where the page URL came from
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
	if bytes.IndexByte(data, 0) >= 0 {
		r.errorf(1, "binary file, not a text page; not read")
		return r
	}
	if !utf8.Valid(data) {
		r.errorf(invalidUTF8Line(data), "not valid UTF-8; save the page as UTF-8")
		return r
	}
	text := string(bytes.TrimPrefix(data, []byte("\uFEFF")))
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	if fixed, lines := repairMojibake(text); len(lines) > 0 {
		before := strings.Split(text, "\n")
		after := strings.Split(fixed, "\n")
		for _, n := range lines {
			from, to := changedSpan(before[n-1], after[n-1])
			r.warnf(n, "repaired double-encoded UTF-8: %q read as %q; fix the file's encoding", from, to)
		}
		text = fixed
	}

	fm, err := splitFrontMatter([]byte(text))
	if errors.Is(err, errNoFrontMatter) {
		r.skip(1, "no front matter (--- or +++ on the first line): not a talk page, skipped")
		return r
	}
	if err != nil {
		r.errorf(1, "%v", err)
		return r
	}
	var root *value
	if fm.syntax == "toml" {
		root, err = parseTOML(fm.text, fm.firstLine)
	} else {
		root, err = parseYAML(fm.text, fm.firstLine)
	}
	if err != nil {
		var se *syntaxError
		if errors.As(err, &se) {
			r.add(talkfeed.SeverityError, se.line, se.col, "%s", se.msg)
		} else {
			r.errorf(fm.firstLine, "%v", err)
		}
		return r
	}
	pg, dups := newPage(root)
	for _, d := range dups {
		first := pg.fields[d.norm]
		r.warnf(d.line, "field %q repeats %q from line %d; the first is used", d.key, first.key, first.line)
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
	if !m.identify(ev) {
		return r
	}
	m.links(ev, []byte(fm.body))
	r.event = ev
	return r
}

// mapping reads the canonical fields of one page into an event.
type mapping struct {
	p  *pageParser
	pg *page
	r  *pageResult
}

func (m *mapping) lookup(canon string) *entry { return m.p.fields.lookup(m.pg, canon) }

// text returns a field as one line of plain text; a list is joined with
// commas.
func (m *mapping) text(canon string) (string, *entry) {
	e := m.lookup(canon)
	if e == nil {
		return "", nil
	}
	switch e.val.kind {
	case scalarValue:
		return cleanText(e.val.text), e
	case listValue:
		var parts []string
		for _, it := range e.val.items {
			if it.kind == scalarValue {
				if t := cleanText(it.text); t != "" {
					parts = append(parts, t)
				}
			}
		}
		return strings.Join(parts, ", "), e
	}
	m.r.warnf(e.line, "field %q should be text, not a mapping; ignored", e.key)
	return "", nil
}

// list returns a field as a list of texts: a YAML or TOML list, or a
// string split on commas (or, with no comma, on spaces when splitSpace).
func (m *mapping) list(e *entry, splitSpace bool) []string {
	var out []string
	switch e.val.kind {
	case listValue:
		for _, it := range e.val.items {
			if it.kind == scalarValue {
				if t := cleanText(it.text); t != "" {
					out = append(out, t)
				}
			}
		}
	case scalarValue:
		t := e.val.text
		var parts []string
		if strings.Contains(t, ",") || !splitSpace {
			parts = strings.Split(t, ",")
		} else {
			parts = strings.Fields(t)
		}
		for _, s := range parts {
			if s = cleanText(s); s != "" {
				out = append(out, s)
			}
		}
	default:
		m.r.warnf(e.line, "field %q should be a list or text, not a mapping; ignored", e.key)
	}
	return out
}

func (m *mapping) boolOf(e *entry) bool {
	if e.val.kind != scalarValue {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(e.val.text)) {
	case "true", "yes", "on", "y", "1":
		return true
	case "false", "no", "off", "n", "0", "":
		return false
	}
	m.r.warnf(e.line, "field %q should be true or false, not %q; read as false", e.key, e.val.text)
	return false
}

// whenOf reads a date or time field.
func (m *mapping) whenOf(e *entry, clockOnly bool) (when, error) {
	if e.val.kind != scalarValue {
		return when{}, fmt.Errorf("field %q should be a date, not a list or mapping", e.key)
	}
	if clockOnly && e.val.tag == "int" && !e.val.quoted {
		// YAML typed an unquoted 1900 as a number.
		if w, ok := hhmmFromInt(e.val.text); ok {
			m.r.warnf(e.line, "field %q: %s is a number to YAML; read as %02d:%02d (write \"%02d:%02d\")",
				e.key, e.val.text, w.hour, w.min, w.hour, w.min)
			return w, nil
		}
	}
	return parseWhen(e.val.text, clockOnly)
}

// times sets the start, end, all-day flag and zone. It returns false when
// the start cannot be read, which makes the page unusable.
func (m *mapping) times(ev *talkfeed.Event, startEntry *entry) bool {
	start, err := m.whenOf(startEntry, false)
	if err != nil {
		m.r.errorf(startEntry.line, "field %q: %v", startEntry.key, err)
		return false
	}
	if st := m.lookup(fieldStartTime); st != nil {
		switch clock, err := m.whenOf(st, true); {
		case start.hasClock:
			m.r.warnf(st.line, "field %q is ignored: %q already has a time", st.key, startEntry.key)
		case err != nil:
			m.r.warnf(st.line, "field %q: %v; the talk is listed as all-day", st.key, err)
		case clock.hasDate:
			m.r.warnf(st.line, "field %q should be a time of day, not a date; the talk is listed as all-day", st.key)
		default:
			clock.hasDate, clock.year, clock.month, clock.day = true, start.year, start.month, start.day
			start = clock
		}
	}

	zone := m.p.zone
	zoneNamed := false
	if tz, e := m.text(fieldTimeZone); e != nil && tz != "" {
		if loc, err := time.LoadLocation(tz); err != nil || tz == "Local" {
			m.r.warnf(e.line, "unknown time zone %q (use an IANA name like Europe/London); using %s", tz, zone)
		} else {
			zone, zoneNamed = loc, true
		}
	}
	if start.zone != nil {
		zone, zoneNamed = start.zone, true
	}

	allDay := !start.hasClock
	if ad := m.lookup(fieldAllDay); ad != nil && m.boolOf(ad) && !allDay {
		allDay = true
	}
	if allDay {
		ev.AllDay = true
		ev.Start = time.Date(start.year, start.month, start.day, 0, 0, 0, 0, zone)
		ev.TimeZone = zone.String()
	} else {
		ev.Start = start.at(zone)
		switch {
		case start.zone != nil || !start.hasOffset:
			ev.TimeZone = zone.String()
		case zoneNamed:
			// An offset plus a named zone: the offset fixes the instant,
			// the zone is how to show it.
			inZone := ev.Start.In(zone)
			if _, off := inZone.Zone(); off != start.offset {
				m.r.warnf(startEntry.line, "the offset in %q does not match %s on that date; the offset wins", startEntry.key, zone)
			}
			ev.Start, ev.TimeZone = inZone, zone.String()
		}
	}
	m.end(ev, start)

	if pe := m.lookup(fieldPublished); pe != nil {
		ev.Published = m.instant(pe)
	} else if startEntry.norm != "date" {
		// Hugo and Jekyll pages that name the start elsewhere use `date`
		// for when the post was written.
		if de, ok := m.pg.fields["date"]; ok && !isNull(de.val) {
			ev.Published = m.instant(de)
		}
	}
	if ue := m.lookup(fieldUpdated); ue != nil {
		ev.Updated = m.instant(ue)
	}
	return true
}

// end sets the end from an end date-time, an end date, an end time alone,
// or an end date plus an end time.
func (m *mapping) end(ev *talkfeed.Event, start when) {
	ee, et := m.lookup(fieldEnd), m.lookup(fieldEndTime)
	if ee == nil && et == nil {
		return
	}
	line := 0
	var end when
	if ee != nil {
		line = ee.line
		w, err := m.whenOf(ee, true)
		if err != nil {
			m.r.warnf(ee.line, "field %q: %v; no end is set", ee.key, err)
			return
		}
		end = w
	}
	if et != nil {
		clock, err := m.whenOf(et, true)
		switch {
		case err != nil:
			m.r.warnf(et.line, "field %q: %v; ignored", et.key, err)
		case clock.hasDate:
			m.r.warnf(et.line, "field %q should be a time of day, not a date; ignored", et.key)
		case end.hasClock:
			m.r.warnf(et.line, "field %q is ignored: the end already has a time", et.key)
		default:
			if line == 0 {
				line = et.line
			}
			d := end
			end = clock
			end.hasDate, end.year, end.month, end.day = d.hasDate, d.year, d.month, d.day
		}
	}
	timeAlone := !end.hasDate
	if timeAlone {
		if !end.hasClock {
			return
		}
		end.hasDate, end.year, end.month, end.day = true, start.year, start.month, start.day
	}
	if ev.AllDay {
		if timeAlone {
			m.r.warnf(line, "an end time alone means nothing for an all-day talk; ignored")
			return
		}
		if end.hasClock {
			m.r.warnf(line, "the talk is all-day but its end has a time; only the end's date is used")
		}
		last := time.Date(end.year, end.month, end.day, 0, 0, 0, 0, ev.Start.Location())
		if last.Before(ev.Start) {
			m.r.warnf(line, "the end %s is before the start %s; the end is dropped", last.Format(time.DateOnly), ev.Start.Format(time.DateOnly))
			return
		}
		ev.End = last
		return
	}
	if !end.hasClock {
		m.r.warnf(line, "the end is a date without a time but the talk starts at a time; add an end time, the end is dropped")
		return
	}
	// A floating end is in the start's zone; any end is shown in it.
	t := end.at(ev.Start.Location()).In(ev.Start.Location())
	if !t.After(ev.Start) && timeAlone && t.Add(24*time.Hour).After(ev.Start) {
		// "22:00 to 01:00": an end time alone before the start is on the
		// next day.
		t = t.AddDate(0, 0, 1)
		m.r.add(talkfeed.SeverityNotice, line, 0, "the end time is before the start time; read as the next day")
	}
	if !t.After(ev.Start) {
		m.r.warnf(line, "the end %s is not after the start %s; the end is dropped", t.Format("2006-01-02 15:04 -07:00"), ev.Start.Format("2006-01-02 15:04 -07:00"))
		return
	}
	ev.End = t
}

// instant reads a published or updated time: a floating value is in the
// default zone, a date alone is its midnight.
func (m *mapping) instant(e *entry) time.Time {
	w, err := m.whenOf(e, false)
	if err != nil {
		m.r.warnf(e.line, "field %q: %v; ignored", e.key, err)
		return time.Time{}
	}
	return w.at(m.p.zone)
}

// describe sets the title, summary, category and tags.
func (m *mapping) describe(ev *talkfeed.Event) {
	title, te := m.text(fieldTitle)
	if title == "" {
		title = strings.TrimSuffix(path.Base(m.r.path), path.Ext(m.r.path))
		line := 1
		if te != nil {
			line = te.line
		}
		m.r.warnf(line, "no title; using the file name %q", title)
	}
	ev.Title = title
	ev.EventName, _ = m.text(fieldEventName)
	if s, _ := m.text(fieldSummary); s != "" {
		ev.Summary = plainText(s)
	}
	if ce := m.lookup(fieldCategory); ce != nil {
		cats := m.list(ce, false)
		if len(cats) > 0 {
			ev.Category = cats[0]
			// Further categories are kept as tags.
			ev.Tags = append(ev.Tags, cats[1:]...)
		}
	}
	if tg := m.lookup(fieldTags); tg != nil {
		ev.Tags = append(ev.Tags, m.list(tg, true)...)
	}
	ev.Tags = dedupeBySlug(ev.Tags)
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

// people sets the speakers.
func (m *mapping) people(ev *talkfeed.Event) {
	if se := m.lookup(fieldSpeakers); se != nil {
		switch se.val.kind {
		case scalarValue:
			ev.SpeakerText = cleanText(se.val.text)
			ev.Speakers = parseSpeakerText(ev.SpeakerText)
		case listValue:
			var names []string
			for _, it := range se.val.items {
				if s, ok := speakerFromItem(it); ok {
					s.URL = m.speakerURL(se, s.URL)
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
			if abs := m.speakerURL(ue, u); abs != "" {
				urls = append(urls, abs)
			}
		}
		if len(ev.Speakers) == 0 {
			m.r.warnf(ue.line, "field %q is set but the talk names no speaker; ignored", ue.key)
		}
		assignSpeakerURLs(ev.Speakers, urls)
	}
	if aff, _ := m.text(fieldAffiliation); aff != "" {
		for i := range ev.Speakers {
			if ev.Speakers[i].Affiliation == "" {
				ev.Speakers[i].Affiliation = aff
			}
		}
	}
}

func (m *mapping) speakerURL(e *entry, raw string) string {
	if raw == "" {
		return ""
	}
	if strings.HasPrefix(raw, "@") && !strings.Contains(raw, "/") {
		// A bare handle, as speaker pages often give.
		return "https://twitter.com/" + raw[1:]
	}
	return m.urlValue(e, raw)
}

// place sets the location, venue, address and online URL.
func (m *mapping) place(ev *talkfeed.Event) {
	ev.Location, _ = m.text(fieldLocation)
	ev.Venue, _ = m.text(fieldVenue)
	ev.Address, _ = m.text(fieldAddress)
	if oe := m.lookup(fieldOnline); oe != nil && oe.val.kind == scalarValue {
		switch oe.val.tag {
		case "bool":
			if m.boolOf(oe) && ev.Location == "" {
				ev.Location = "Online"
			}
		default:
			ev.OnlineURL = m.urlValue(oe, cleanText(oe.val.text))
		}
	}
	if ev.OnlineURL != "" && ev.Location == "" {
		ev.Location = "Online"
	}
}

var uidRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~@+-]*(/[A-Za-z0-9][A-Za-z0-9._~@+-]*)*$`)

// identify sets the ID, page URL and image URL.
func (m *mapping) identify(ev *talkfeed.Event) bool {
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

	if pl, e := m.text(fieldPermalink); e != nil && pl != "" {
		ev.PageURL = m.urlValue(e, pl)
		m.r.urlLine = e.line
	}
	if ev.PageURL == "" {
		slug, se := m.text(fieldSlug)
		if slug = talkfeed.Slug(slug); slug == "" {
			slug = talkfeed.Slug(ev.Title)
		} else {
			m.r.urlLine = se.line
		}
		if slug == "" {
			slug = talkfeed.Slug(path.Base(ev.ID))
		}
		if te := m.lookup(fieldTitle); te != nil && m.r.urlLine == 0 {
			m.r.urlLine = te.line
		}
		p := expandPermalink(m.p.permalink, ev, slug)
		ev.PageURL = m.p.base.ResolveReference(&url.URL{Path: strings.TrimPrefix(p, "/")}).String()
	}

	if img, e := m.text(fieldImage); e != nil && img != "" {
		ev.ImageURL = m.imageURL(e, img)
	}
	return true
}

// imageURL resolves an image field: an absolute URL as is, a site path
// against the base URL, a bare file name against the image base.
func (m *mapping) imageURL(e *entry, img string) string {
	u, err := url.Parse(img)
	if err != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https") {
		m.r.warnf(e.line, "field %q: %q is not a usable image URL; ignored", e.key, img)
		return ""
	}
	switch {
	case u.IsAbs():
		return u.String()
	case strings.HasPrefix(img, "/"):
		return m.p.base.ResolveReference(u).String()
	}
	return m.p.imageBase.ResolveReference(u).String()
}

// urlValue makes a URL field absolute (site paths resolve against the base
// URL) and drops, with a warning, anything but http and https.
func (m *mapping) urlValue(e *entry, raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err == nil && u.Scheme == "" && u.Host == "" && strings.HasPrefix(u.Path, "/") {
		return m.p.base.ResolveReference(u).String()
	}
	if err == nil && u.Scheme == "" && u.Host == "" && strings.Contains(u.Path, ".") && !strings.Contains(u.Path, " ") {
		// "www.example.org/x" without a scheme
		u, err = url.Parse("https://" + raw)
	}
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		m.r.warnf(e.line, "field %q: %q is not an http(s) URL; ignored", e.key, raw)
		return ""
	}
	return u.String()
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
			*l.dst = m.urlValue(e, raw)
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

var permalinkTokenRE = regexp.MustCompile(`:[a-z]+`)

var permalinkTokens = map[string]bool{
	":year": true, ":month": true, ":day": true, ":slug": true, ":title": true,
	":id": true, ":filename": true, ":category": true,
}

func validatePermalink(p string) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("permalink %q must start with /", p)
	}
	for _, t := range permalinkTokenRE.FindAllString(p, -1) {
		if !permalinkTokens[t] {
			return fmt.Errorf("permalink %q: unknown token %s (known: :year :month :day :slug :title :id :filename :category)", p, t)
		}
	}
	return nil
}

func expandPermalink(pattern string, ev *talkfeed.Event, slug string) string {
	return permalinkTokenRE.ReplaceAllStringFunc(pattern, func(t string) string {
		switch t {
		case ":year":
			return fmt.Sprintf("%04d", ev.Start.Year())
		case ":month":
			return fmt.Sprintf("%02d", int(ev.Start.Month()))
		case ":day":
			return fmt.Sprintf("%02d", ev.Start.Day())
		case ":slug", ":title":
			return slug
		case ":id":
			return ev.ID
		case ":filename":
			return path.Base(ev.ID)
		case ":category":
			if c := talkfeed.Slug(ev.Category); c != "" {
				return c
			}
			return "uncategorized"
		}
		return t
	})
}

// cleanText trims a scalar, folds runs of white space (newlines included)
// into one space and drops control characters.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	return collapseSpace(s)
}

// plainText strips any HTML from a field meant as plain text.
func plainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	return collapseSpace(html.UnescapeString(stripTags(s)))
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

func stripTags(s string) string { return tagRE.ReplaceAllString(s, " ") }

func dedupeBySlug(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		s := talkfeed.Slug(x)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, x)
	}
	return out
}

// invalidUTF8Line is the 1-based line of the first invalid UTF-8 byte.
func invalidUTF8Line(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return bytes.Count(data[:i], []byte("\n")) + 1
		}
		i += size
	}
	return 1
}

// changedSpan returns the differing middle of two versions of a line,
// widened to whole words so that a warning shows "KafkaÂ®" and "Kafka®".
func changedSpan(before, after string) (string, string) {
	p := 0
	for p < len(before) && p < len(after) && before[p] == after[p] {
		p++
	}
	s := 0
	for s < len(before)-p && s < len(after)-p && before[len(before)-1-s] == after[len(after)-1-s] {
		s++
	}
	isSpace := func(b byte) bool { return b == ' ' || b == '\t' }
	for p > 0 && !isSpace(before[p-1]) {
		p--
	}
	for s > 0 && !isSpace(before[len(before)-s]) {
		s--
	}
	return before[p : len(before)-s], after[p : len(after)-s]
}
