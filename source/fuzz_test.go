package source

import (
	stdhtml "html"
	"io/fs"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/demo"
	"github.com/talkfeed/talkfeed/internal/hostile"
)

// frontMatterIsPlainText turns on the fuzz assertions that front matter
// text fields come out as plain text: no markup, no bidi controls
// (stripped at load with a warning).
const frontMatterIsPlainText = true

// fuzzSeeds are the pages every source target starts from: a few of
// its own, the demo's and the hostile corpus (a sample under -race).
func fuzzSeeds() [][]byte {
	seeds := [][]byte{
		[]byte("---\ntitle: T\ndate: 2018-03-28\nspeaker: A, B and C, D & E\n---\nbody"),
		[]byte("+++\ntitle = \"T\"\ndate = 2018-03-28T19:00:00Z\n+++\n"),
		[]byte("---\ndate: 2018-03-28 19:00 Asia/Tokyo\nend: 18:00\ntime: 1900\n---\n<iframe src=//x></iframe>"),
		[]byte("---\n: [\n---\n"),
		[]byte("---\ntitle: KafkaÂ®\ndate: 2018-03-28\n---\n"),
		[]byte("---\ntitle: \"a <b>x</b> &amp;lt;i&amp;gt; \\u202E\"\ndate: 2018-03-28\nspeaker: A <i>B</i> &amp; C\ntags: [\"&lt;p&gt;\"]\n---\n&lt;img onerror=x&gt;"),
	}
	_ = fs.WalkDir(demo.Talks(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := fs.ReadFile(demo.Talks(), p)
			seeds = append(seeds, data)
		}
		return nil
	})
	seeds = append(seeds, hostile.Seeds()...)
	if raceEnabled {
		// Fuzzing runs without the race detector, which makes each seed
		// many times slower: a tenth of them is what the tests run.
		var sample [][]byte
		for i := 0; i < len(seeds); i += 10 {
			sample = append(sample, seeds[i])
		}
		return sample
	}
	return seeds
}

// FuzzParsePage feeds arbitrary bytes to the page parser: it must never
// panic, every diagnostic must point into the page, and an event it
// returns must be usable: complete, its body free of anything active,
// its URLs absolute http(s), its times within the years a calendar can
// write.
func FuzzParsePage(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	p := newTestParser(f, Options{DefaultZone: time.UTC})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := p.parse("fuzz.md", data, time.Time{})
		lines := lineBreaks(data) + 2
		for _, d := range r.diags {
			if d.File != "fuzz.md" || d.Line < 1 || d.Line > lines || d.Message == "" {
				t.Fatalf("bad diagnostic %+v for %q", d, data)
			}
		}
		if ev := r.event; ev != nil {
			checkFuzzedEvent(t, ev)
		}
	})
}

func checkFuzzedEvent(t *testing.T, ev *talkfeed.Event) {
	t.Helper()
	if ev.ID == "" || ev.Title == "" || ev.Start.IsZero() || ev.PageURL == "" {
		t.Fatalf("incomplete event %+v", ev)
	}
	if !ev.End.IsZero() && ev.End.Before(ev.Start) {
		t.Fatalf("end %v before start %v", ev.End, ev.Start)
	}
	if !ev.AllDay && !ev.End.IsZero() && !ev.End.After(ev.Start) {
		t.Fatalf("timed talk ends %v as it starts %v", ev.End, ev.Start)
	}
	checkYears(t, ev)
	if err := hostile.CheckFragment(ev.BodyHTML); err != nil {
		t.Fatalf("body %q: %v", ev.BodyHTML, err)
	}
	urls := []string{ev.PageURL, ev.ImageURL, ev.OnlineURL, ev.Links.Slides, ev.Links.Video, ev.Links.Registration}
	for _, s := range ev.Speakers {
		urls = append(urls, s.URL)
	}
	for _, u := range urls {
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			t.Fatalf("URL %q is not absolute http(s)", u)
		}
	}
	texts := []string{ev.Title, ev.Location, ev.Venue, ev.Address, ev.EventName, ev.Category, ev.SpeakerText}
	texts = append(texts, ev.Tags...)
	for _, s := range ev.Speakers {
		texts = append(texts, s.Name, s.Affiliation)
	}
	for _, s := range texts {
		if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) }) >= 0 || !utf8.ValidString(s) {
			t.Fatalf("text %q has control characters or is not UTF-8", s)
		}
		if !frontMatterIsPlainText {
			continue
		}
		if strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) }) >= 0 {
			t.Fatalf("text %q keeps a bidi control", s)
		}
		if holdsElement(s) {
			t.Fatalf("text %q holds markup", s)
		}
		// Plain text: no markup, even decoded once, and nothing
		// invisible.
		if stdhtml.UnescapeString(plainPolicy.Sanitize(s)) != stdhtml.UnescapeString(s) || dropInvisible(s, &textCleaning{}) != s {
			t.Fatalf("text field %q is not plain text", s)
		}
	}
}

// checkYears: every time the outputs derive from the talk is in a year
// a calendar can write (four digits): its start and end, the day after
// an all-day talk's last day, both in UTC.
func checkYears(t *testing.T, ev *talkfeed.Event) {
	t.Helper()
	times := []time.Time{ev.Start}
	if !ev.End.IsZero() {
		times = append(times, ev.End)
	}
	if ev.AllDay {
		times = append(times, ev.LastDay().AddDate(0, 0, 1))
	}
	for _, x := range times {
		if y := x.UTC().Year(); y < 999 || y > 9999 {
			t.Fatalf("start %v end %v: a time in the year %d", ev.Start, ev.End, y)
		}
		if y := x.Year(); y < 1000 || y > 9999 {
			t.Fatalf("start %v end %v: a time in the year %d", ev.Start, ev.End, y)
		}
	}
}

// holdsElement reports whether s, read as HTML, holds an element.
func holdsElement(s string) bool {
	if !strings.Contains(s, "<") {
		return false
	}
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return true
	}
	for _, n := range nodes {
		if n.Type != html.TextNode {
			return true
		}
	}
	return false
}

// FuzzFrontMatter feeds arbitrary bytes to the front matter reader
// alone: YAML and TOML, with anchors, aliases, tags and nesting. It must
// never panic; an error points into the page; a front matter it reads
// holds at most the values the bound allows, each at a line of the page,
// and leaves the rest of the page as the body.
func FuzzFrontMatter(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Add([]byte("---\na: &a [x, *a]\nb: *a\n---\n"))
	f.Add([]byte("+++\n[a.b.c]\nd = [[1, 2], {e = 3}]\n\"quoted key\" = 1979-05-27T07:32:00Z\n+++\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := pageResult{path: "fuzz.md"}
		text, ok := decodePage(data, &r)
		if !ok {
			return
		}
		pg, body, ok := readFrontMatter(text, &r)
		lines := lineBreaks([]byte(text)) + 2
		for _, d := range r.diags {
			if d.Line < 1 || d.Line > lines || d.Message == "" || d.Column < 0 {
				t.Fatalf("bad diagnostic %+v for %q", d, text)
			}
		}
		if !ok {
			if len(r.diags) == 0 {
				t.Fatalf("refused without a diagnostic: %q", text)
			}
			return
		}
		if !strings.HasSuffix(text, string(body)) {
			t.Fatalf("body %q is not the end of the page", body)
		}
		n := 0
		var walk func(v *value)
		walk = func(v *value) {
			n++
			if v.line < 0 || v.line > lines {
				t.Fatalf("value at line %d of %d", v.line, lines)
			}
			for _, it := range v.items {
				walk(it)
			}
			for _, e := range v.fields {
				if e.line < 1 || e.line > lines {
					t.Fatalf("key %q at line %d of %d", e.key, e.line, lines)
				}
				walk(e.val)
			}
		}
		for _, e := range pg.fields {
			walk(e.val)
		}
		if bound := maxFrontMatterValues + maxAliasExpansion; n > bound+1 {
			t.Fatalf("%d values, over the bound of %d", n, bound)
		}
	})
}

// FuzzBody renders arbitrary Markdown and requires HTML with nothing
// active, every link and image absolute http(s) or mailto, a summary of
// at most its length, and embedded slides and videos that are http(s).
// A body the HTML parser cannot hold (nested over 512 deep) is an error,
// which the loader reports.
func FuzzBody(f *testing.F) {
	for _, s := range fuzzSeeds() {
		if fm, err := splitFrontMatter(s); err == nil {
			f.Add(fm.body)
		}
		f.Add(s)
	}
	r := newBodyRenderer()
	base, _ := url.Parse("https://talks.example/events/2026/fuzz/")
	f.Fuzz(func(t *testing.T, src []byte) {
		rb, err := r.render(src, base)
		if err != nil {
			return
		}
		if err := hostile.CheckFragment(rb.html); err != nil {
			t.Fatalf("%q rendered %q: %v", src, rb.html, err)
		}
		nodes, err := html.ParseFragment(strings.NewReader(rb.html), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
		if err != nil {
			t.Fatal(err)
		}
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			for _, a := range n.Attr {
				if a.Key != "href" && a.Key != "src" {
					continue
				}
				u, err := url.Parse(a.Val)
				if err != nil || !(u.Scheme == "mailto" || (u.Scheme == "http" || u.Scheme == "https") && u.Host != "") {
					t.Fatalf("%q rendered %s=%q: not absolute http(s) or mailto", src, a.Key, a.Val)
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		for _, n := range nodes {
			walk(n)
		}
		if n := utf8.RuneCountInString(rb.firstParagraph); n > summaryMaxRunes {
			t.Fatalf("summary of %d runes", n)
		}
		for _, u := range []string{rb.slides, rb.video} {
			if p, err := url.Parse(u); u != "" && (err != nil || (p.Scheme != "http" && p.Scheme != "https")) {
				t.Fatalf("embed %q", u)
			}
		}
	})
}

// FuzzTimes reads arbitrary date, time, end, end time and zone values as
// a page's fields, and each value alone as a date or a time. It must
// never panic; a value read is a real date and time of day; a talk read
// starts at a date within the years a calendar can write, in a zone that
// loads, and ends after it starts.
func FuzzTimes(f *testing.F) {
	// The corpus' own values for the fields, page by page.
	for _, s := range fuzzSeeds() {
		r := pageResult{path: "seed.md"}
		text, ok := decodePage(s, &r)
		if !ok {
			continue
		}
		pg, _, ok := readFrontMatter(text, &r)
		if !ok {
			continue
		}
		get := func(key string) string {
			if e := pg.fields[key]; e != nil && e.val.kind == scalarValue {
				return e.val.text
			}
			return ""
		}
		f.Add(get("date"), get("time"), get("end"), get("endtime"), get("timezone"), uint8(0))
	}
	f.Add("2024-05-02T10:00:00", "", "2040-05-02T10:00:00", "", "Europe/London", uint8(0))
	f.Add("2026-03-29", "02:30", "03:30", "", "Europe/Berlin", uint8(0))
	f.Add("9998-12-31 23:30", "", "00:30", "", "Pacific/Kiritimati", uint8(0))
	f.Add("2026-12-03", "1900", "2026-12-05", "2100", "", uint8(6))
	p := newTestParser(f, Options{DefaultZone: time.UTC})
	f.Fuzz(func(t *testing.T, start, startTime, end, endTime, zone string, flags uint8) {
		for _, s := range []string{start, startTime, end, endTime} {
			for _, clockOnly := range []bool{false, true} {
				if w, err := parseWhen(s, clockOnly); err == nil {
					checkWhen(t, s, w)
				}
			}
		}
		// As fields of a page: flags say which are unquoted YAML
		// numbers (1900) and whether the talk is all-day.
		pg := &page{fields: map[string]*entry{}}
		add := func(key, text string, line int, bit uint8) {
			if text == "" {
				return
			}
			v := &value{kind: scalarValue, text: text, tag: "str", quoted: true, line: line}
			if flags&bit != 0 {
				v.tag, v.quoted = "int", false
			}
			pg.fields[normKey(key)] = &entry{key: key, norm: normKey(key), line: line, val: v}
		}
		add("date", start, 2, 0)
		add("time", startTime, 3, 2)
		add("end", end, 4, 0)
		add("end_time", endTime, 5, 4)
		add("timezone", zone, 6, 0)
		if flags&1 != 0 {
			add("all_day", "true", 7, 0)
		}
		r := pageResult{path: "fuzz.md"}
		m := &mapping{p: p, pg: pg, r: &r}
		se := m.lookup(fieldStart)
		if se == nil {
			return
		}
		ev := &talkfeed.Event{}
		ok := m.times(ev, se)
		for _, d := range r.diags {
			if d.Line < 2 || d.Line > 7 || d.Message == "" {
				t.Fatalf("bad diagnostic %+v", d)
			}
		}
		if !ok {
			return
		}
		if ev.Start.IsZero() {
			t.Fatal("no start")
		}
		if !ev.End.IsZero() && (ev.End.Before(ev.Start) || !ev.AllDay && !ev.End.After(ev.Start)) {
			t.Fatalf("start %v end %v", ev.Start, ev.End)
		}
		if ev.TimeZone != "" {
			if _, err := talkfeed.LoadZone(ev.TimeZone); err != nil {
				t.Fatalf("zone %q: %v", ev.TimeZone, err)
			}
		}
		ev.ID, ev.Title, ev.PageURL = "x", "x", "https://x.example/"
		checkYears(t, ev)
	})
}

// checkWhen: a value read is a date in the calendar, in the years a talk
// may be in, and a time of day.
func checkWhen(t *testing.T, s string, w when) {
	t.Helper()
	if w.hasDate {
		if w.year < 1000 || w.year > maxYear || w.month < 1 || w.month > 12 ||
			time.Date(w.year, w.month, w.day, 0, 0, 0, 0, time.UTC).Day() != w.day {
			t.Fatalf("%q read as the date %d-%d-%d", s, w.year, w.month, w.day)
		}
	}
	if w.hasClock && (w.hour < 0 || w.hour > 23 || w.min < 0 || w.min > 59 || w.sec < 0 || w.sec > 60 || w.n < 0 || w.n >= 1e9) {
		t.Fatalf("%q read as the time %d:%d:%d.%d", s, w.hour, w.min, w.sec, w.n)
	}
	if w.hasOffset && (w.offset < -14*3600-59*60 || w.offset > 14*3600+59*60) {
		t.Fatalf("%q read with the offset %ds", s, w.offset)
	}
	if !w.hasDate && !w.hasClock {
		t.Fatalf("%q read as nothing", s)
	}
}

// lineBreaks counts the lines a page's editor shows past the first: CR
// LF, LF and a lone CR (classic Mac) each end one, as YAML reads them.
func lineBreaks(data []byte) int {
	s := string(data)
	return strings.Count(s, "\n") + strings.Count(s, "\r") - strings.Count(s, "\r\n")
}
