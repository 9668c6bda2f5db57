package source

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/talkfeed/talkfeed"
)

var permalinkTokenRE = regexp.MustCompile(`:[a-z]+`)

// permalinkTokens are the tokens a permalink pattern may use, with what
// each stands for, in the order an error lists them.
var permalinkTokens = []struct {
	token  string
	expand func(ev *talkfeed.Event, slug string) string
}{
	{":year", func(ev *talkfeed.Event, _ string) string { return fmt.Sprintf("%04d", ev.Start.Year()) }},
	{":month", func(ev *talkfeed.Event, _ string) string { return fmt.Sprintf("%02d", int(ev.Start.Month())) }},
	{":day", func(ev *talkfeed.Event, _ string) string { return fmt.Sprintf("%02d", ev.Start.Day()) }},
	{":slug", func(_ *talkfeed.Event, slug string) string { return slug }},
	{":title", func(_ *talkfeed.Event, slug string) string { return slug }},
	{":id", func(ev *talkfeed.Event, _ string) string { return ev.ID }},
	{":filename", func(ev *talkfeed.Event, _ string) string { return path.Base(ev.ID) }},
	{":category", func(ev *talkfeed.Event, _ string) string {
		if c := talkfeed.Slug(ev.Category); c != "" {
			return c
		}
		return "uncategorized"
	}},
}

// permalinkExpansion returns what a token expands to, or false for a
// token the pattern may not use.
func permalinkExpansion(token string) (func(ev *talkfeed.Event, slug string) string, bool) {
	for _, t := range permalinkTokens {
		if t.token == token {
			return t.expand, true
		}
	}
	return nil, false
}

func validatePermalink(p string) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("permalink %q must start with /", p)
	}
	for _, t := range permalinkTokenRE.FindAllString(p, -1) {
		if _, ok := permalinkExpansion(t); !ok {
			known := make([]string, len(permalinkTokens))
			for i, k := range permalinkTokens {
				known[i] = k.token
			}
			return fmt.Errorf("permalink %q: unknown token %s (known: %s)", p, t, strings.Join(known, " "))
		}
	}
	return nil
}

func expandPermalink(pattern string, ev *talkfeed.Event, slug string) string {
	return permalinkTokenRE.ReplaceAllStringFunc(pattern, func(t string) string {
		if expand, ok := permalinkExpansion(t); ok {
			return expand(ev, slug)
		}
		return t
	})
}

// pageURL sets the page URL: the permalink field's, or else the permalink
// pattern's, for the slug field, the title or the ID, in that order. It
// notes the line a clash with another page's URL is reported at, and,
// when the permalink field gave the URL, the pattern's URL, which the
// page falls back to if its permalink is reserved (see collect).
func (m *mapping) pageURL(ev *talkfeed.Event) {
	if pl, e := m.text(fieldPermalink); e != nil && pl != "" {
		ev.PageURL = m.urlOf(e, pl, linkURL)
		m.r.urlLine = e.line
	}
	permalink := ev.PageURL != ""
	def, line := m.patternURL(ev)
	if permalink {
		m.r.defaultURL, _ = m.boundURL(def)
		m.r.defaultLine = line
	} else {
		ev.PageURL = def
		if m.r.urlLine == 0 {
			m.r.urlLine = line
		}
	}
	if u, cut := m.boundURL(ev.PageURL); cut {
		m.r.warnf(max(m.r.urlLine, 1), "page URL %s has a path segment over %d bytes, longer than a file name can be; the page is published at %s", ev.PageURL, talkfeed.MaxSegmentBytes, u)
		ev.PageURL = u
	}
}

// patternURL is the permalink pattern's URL for the page, and the line of
// the field its slug came from (0 for none).
func (m *mapping) patternURL(ev *talkfeed.Event) (string, int) {
	line := 0
	slug, se := m.text(fieldSlug)
	if slug = talkfeed.Slug(slug); slug == "" {
		slug = talkfeed.Slug(ev.Title)
	} else {
		line = se.line
	}
	if slug == "" {
		slug = talkfeed.Slug(path.Base(ev.ID))
	}
	if te := m.lookup(fieldTitle); te != nil && line == 0 {
		line = te.line
	}
	p := expandPermalink(m.p.permalink, ev, slug)
	return m.p.base.ResolveReference(&url.URL{Path: strings.TrimPrefix(p, "/")}).String(), line
}

// boundURL bounds the path segments of a page URL under the base URL
// (talkfeed.BoundPath), and reports whether it cut one: the page is
// published at that path, and no file system holds a name over 255
// bytes. Slugs are bounded already; a permalink, :id or :filename may
// not be.
func (m *mapping) boundURL(raw string) (string, bool) {
	rel, ok := strings.CutPrefix(raw, m.p.base.String())
	if !ok || strings.ContainsAny(rel, "?#") {
		return raw, false
	}
	dec, err := url.PathUnescape(rel)
	if err != nil {
		return raw, false
	}
	b := talkfeed.BoundPath(dec)
	if b == dec {
		return raw, false
	}
	return m.p.base.ResolveReference(&url.URL{Path: b}).String(), true
}
