package source

import (
	"fmt"
	"slices"
	"strings"
)

// Canonical field names, the keys of Options.Fields. Each has built-in
// aliases (below); front matter keys match them case-insensitively and
// ignoring `_`, `-` and spaces, so `endDate`, `end_date` and `End-Date`
// are one key.
const (
	fieldUID          = "uid"
	fieldTitle        = "title"
	fieldSummary      = "summary"
	fieldStart        = "start"
	fieldStartTime    = "start_time"
	fieldEnd          = "end"
	fieldEndTime      = "end_time"
	fieldTimeZone     = "timezone"
	fieldAllDay       = "all_day"
	fieldLocation     = "location"
	fieldVenue        = "venue"
	fieldAddress      = "address"
	fieldOnline       = "online_url"
	fieldEventName    = "event_name"
	fieldCategory     = "category"
	fieldTags         = "tags"
	fieldSpeakers     = "speakers"
	fieldSpeakerURL   = "speaker_url"
	fieldAffiliation  = "affiliation"
	fieldImage        = "image"
	fieldPermalink    = "permalink"
	fieldSlug         = "slug"
	fieldSlides       = "slides"
	fieldVideo        = "video"
	fieldRegistration = "registration"
	fieldStatus       = "status"
	fieldCancelled    = "cancelled"
	fieldDraft        = "draft"
	fieldPublished    = "published"
	fieldUpdated      = "updated"
)

// builtinAliases lists, per canonical field, the front matter keys that
// static sites use for it, in order of preference. `date` comes last among
// the start keys: Hugo and Jekyll pages that name the talk's start
// elsewhere use `date` for the post itself, which then becomes the
// published time.
var builtinAliases = map[string][]string{
	fieldUID:          {"uid", "guid"},
	fieldTitle:        {"title"},
	fieldSummary:      {"description", "summary", "excerpt", "abstract", "subtitle"},
	fieldStart:        {"start", "startdate", "startdatetime", "starts", "begin", "eventdate", "eventstart", "datetime", "date"},
	fieldStartTime:    {"time", "starttime", "eventtime"},
	fieldEnd:          {"end", "enddate", "enddatetime", "ends", "until", "eventend", "eventenddate"},
	fieldEndTime:      {"endtime"},
	fieldTimeZone:     {"timezone", "tz", "zone", "timezoneid"},
	fieldAllDay:       {"allday", "wholeday"},
	fieldLocation:     {"location", "eventlocation", "place", "city", "where"},
	fieldVenue:        {"venue", "venuename", "eventvenue"},
	fieldAddress:      {"address", "venueaddress", "streetaddress"},
	fieldOnline:       {"onlineurl", "online", "streamurl", "livestream", "joinurl", "meetingurl", "virtualurl"},
	fieldEventName:    {"eventname", "event", "conference", "meetup", "series"},
	fieldCategory:     {"category", "categories"},
	fieldTags:         {"tags", "keywords", "topics"},
	fieldSpeakers:     {"speakers", "speaker", "presenters", "presenter"},
	fieldSpeakerURL:   {"speakerurl", "speakerurls", "speakerlink"},
	fieldAffiliation:  {"affiliation", "company", "organization", "organisation", "speakercompany", "speakeraffiliation"},
	fieldImage:        {"image", "eventimage", "cover", "coverimage", "featuredimage", "banner", "thumbnail", "socialimage"},
	fieldPermalink:    {"permalink", "url"},
	fieldSlug:         {"slug"},
	fieldSlides:       {"slides", "slidesurl", "deck"},
	fieldVideo:        {"video", "videourl", "recording", "youtube"},
	fieldRegistration: {"registration", "registrationurl", "register", "rsvp", "tickets", "signup", "eventurl", "eventlink", "link"},
	fieldStatus:       {"status", "eventstatus"},
	fieldCancelled:    {"cancelled", "canceled"},
	fieldDraft:        {"draft"},
	fieldPublished:    {"published", "publishdate", "pubdate", "announced", "created"},
	fieldUpdated:      {"updated", "lastmod", "modified", "lastmodified"},
}

// CanonicalFields lists the names a field mapping may use, sorted.
func CanonicalFields() []string {
	names := make([]string, 0, len(builtinAliases))
	for k := range builtinAliases {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// Aliases returns the built-in front matter keys of a canonical field.
func Aliases(field string) []string { return slices.Clone(builtinAliases[field]) }

// fieldResolver finds canonical fields in a page's front matter: first the
// configured mapping's keys, then the built-in aliases.
type fieldResolver struct {
	keys map[string][]string // canonical → normalized front matter keys
}

func newFieldResolver(mapping map[string][]string) (*fieldResolver, error) {
	r := &fieldResolver{keys: map[string][]string{}}
	for canon, aliases := range builtinAliases {
		r.keys[canon] = aliases
	}
	var unknown []string
	for canon, keys := range mapping {
		c := strings.ReplaceAll(strings.ToLower(canon), "-", "_")
		if _, ok := builtinAliases[c]; !ok {
			unknown = append(unknown, canon)
			continue
		}
		var mapped []string
		for _, k := range keys {
			if n := normKey(k); n != "" {
				mapped = append(mapped, n)
			}
		}
		// Mapped keys come first; the built-in aliases still apply after
		// them so that mapping one dialect does not break the others.
		r.keys[c] = append(mapped, builtinAliases[c]...)
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, fmt.Errorf("field mapping names unknown fields %s; known fields: %s",
			strings.Join(unknown, ", "), strings.Join(CanonicalFields(), ", "))
	}
	return r, nil
}

// page is a page's top-level fields by normalized key, first occurrence
// kept.
type page struct {
	fields map[string]*entry
}

func newPage(root *value) (*page, []*entry) {
	p := &page{fields: map[string]*entry{}}
	var dups []*entry
	for _, e := range root.fields {
		if _, ok := p.fields[e.norm]; ok {
			dups = append(dups, e)
			continue
		}
		p.fields[e.norm] = e
	}
	return p, dups
}

// lookup returns the first present, non-null key of a canonical field.
func (r *fieldResolver) lookup(p *page, canon string) *entry {
	for _, k := range r.keys[canon] {
		if e, ok := p.fields[k]; ok && !isNull(e.val) {
			return e
		}
	}
	return nil
}

func isNull(v *value) bool {
	return v == nil || (v.kind == scalarValue && (v.tag == "null" || (v.text == "" && !v.quoted)))
}

// text returns a field's value as one line, control characters dropped;
// a list is joined with commas. It is for values that are not prose
// (URLs, IDs, zones, keywords); prose goes through plain.
func (m *mapping) text(canon string) (string, *entry) {
	return m.textWith(canon, func(_ *entry, v *value) string { return cleanText(v.text) })
}

// plainField returns a text field as one line of plain text (see
// mapping.plain); a list is joined with commas.
func (m *mapping) plainField(canon string) (string, *entry) {
	return m.textWith(canon, m.plainValue)
}

func (m *mapping) textWith(canon string, clean func(*entry, *value) string) (string, *entry) {
	e := m.lookup(canon)
	if e == nil {
		return "", nil
	}
	switch e.val.kind {
	case scalarValue:
		return clean(e, e.val), e
	case listValue:
		return strings.Join(itemTexts(e, e.val.items, clean), ", "), e
	}
	m.r.warnf(e.line, "field %q should be text, not a mapping; ignored", e.key)
	return "", nil
}

// plainValue is plain for one of a field's values, at the value's own line
// (a list item's) when it has one.
func (m *mapping) plainValue(e *entry, v *value) string {
	line := v.line
	if line == 0 {
		line = e.line
	}
	return m.plain(e, line, v.text)
}

// plain makes one value of a prose field plain text, warning at its line,
// once per field, about markup or invisible characters it removed: these
// fields reach readers that show them as HTML, and only the page body may
// be HTML.
func (m *mapping) plain(e *entry, line int, s string) string {
	out, c := plainText(s)
	if m.warned == nil {
		m.warned = map[*entry]textCleaning{}
	}
	done := m.warned[e]
	if c.markup && !done.markup {
		done.markup = true
		m.r.warnf(line, "%s: markup removed (it is plain text)", e.key)
	}
	if len(c.invisible) > 0 && len(done.invisible) == 0 {
		done.invisible = c.invisible
		m.r.warnf(line, "%s: invisible control characters removed (%s)", e.key, codePoints(c.invisible))
	}
	m.warned[e] = done
	return out
}

// list returns a field as a list of texts: a YAML or TOML list, or a
// string split on commas (or, with no comma, on spaces when splitSpace).
// Its values are not prose (URLs); see plainList.
func (m *mapping) list(e *entry, splitSpace bool) []string {
	return m.listWith(e, splitSpace, func(_ *entry, v *value) string { return cleanText(v.text) })
}

// plainList is list for prose values (categories, tags), each made plain
// text before a string is split, so that markup cannot hide a comma.
func (m *mapping) plainList(e *entry, splitSpace bool) []string {
	return m.listWith(e, splitSpace, m.plainValue)
}

func (m *mapping) listWith(e *entry, splitSpace bool, clean func(*entry, *value) string) []string {
	var out []string
	switch e.val.kind {
	case listValue:
		out = itemTexts(e, e.val.items, clean)
	case scalarValue:
		t := clean(e, e.val)
		var parts []string
		if strings.Contains(t, ",") || !splitSpace {
			parts = strings.Split(t, ",")
		} else {
			parts = strings.Fields(t)
		}
		for _, s := range parts {
			if s = collapseSpace(s); s != "" {
				out = append(out, s)
			}
		}
	default:
		m.r.warnf(e.line, "field %q should be a list or text, not a mapping; ignored", e.key)
	}
	return out
}

// itemTexts returns a list's texts, passing over mappings, lists and
// empty texts.
func itemTexts(e *entry, items []*value, clean func(*entry, *value) string) []string {
	var out []string
	for _, it := range items {
		if it.kind == scalarValue {
			if t := clean(e, it); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// boolOf reads a true or false field; anything else is false, with a
// warning.
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
