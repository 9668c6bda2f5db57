package source

import (
	"fmt"
	"strings"
	"testing"

	"github.com/talkfeed/talkfeed"
)

// hostileMarkup is markup a reader that shows text as HTML would run.
const hostileMarkup = `<img src=x onerror=alert(1)><script>alert(2)</script>`

// A page whose every text field carries markup loads with each field as
// plain text and a warning at the field's line; its javascript:, data: and
// vbscript: URLs are dropped with a warning.
func TestFrontMatterTextIsPlain(t *testing.T) {
	page := "---\n" +
		"title: 'Kafka " + hostileMarkup + "'\n" + // 2
		"date: 2026-03-01\n" +
		"description: 'Learn " + hostileMarkup + " &amp; more'\n" + // 4
		"eventlocation: 'Berlin " + hostileMarkup + "'\n" + // 5
		"venue: 'c-base " + hostileMarkup + "'\n" + // 6
		"address: 'Rungestr. 20 " + hostileMarkup + "'\n" + // 7
		"eventname: 'Meetup " + hostileMarkup + "'\n" + // 8
		"category: 'Go " + hostileMarkup + "'\n" + // 9
		"tags: ['a " + hostileMarkup + "', '&lt;b onmouseover=x&gt;bold']\n" + // 10
		"speakers:\n" + // 11
		"  - name: 'Ada " + hostileMarkup + "'\n" + // 12
		"    company: 'Acme " + hostileMarkup + "'\n" + // 13
		"    url: 'javascript:alert(3)'\n" +
		"  - 'Bob <b>Roe</b> (Initech <i>x</i>)'\n" + // 15
		"affiliation: 'Umbrella " + hostileMarkup + "'\n" + // 16
		"image: 'data:image/svg+xml,<svg onload=alert(4)>'\n" + // 17
		"slides: 'javascript:alert(5)'\n" + // 18
		"video: 'vbscript:msgbox(6)'\n" + // 19
		"registration: 'JAVASCRIPT:alert(7)'\n" + // 20
		"online: 'data:text/html,<script>alert(8)</script>'\n" + // 21
		"---\nBody\n"
	r := parseText(t, page)
	ev := mustEvent(t, r)
	texts := map[string]string{
		"title": ev.Title, "summary": ev.Summary, "location": ev.Location, "venue": ev.Venue,
		"address": ev.Address, "event": ev.EventName, "category": ev.Category, "speakers": ev.SpeakerText,
	}
	for i, tag := range ev.Tags {
		texts[fmt.Sprint("tag ", i)] = tag
	}
	for i, s := range ev.Speakers {
		texts[fmt.Sprint("speaker ", i)] = s.Name
		texts[fmt.Sprint("affiliation ", i)] = s.Affiliation
	}
	for what, s := range texts {
		if strings.ContainsAny(s, "<>") || strings.Contains(s, "alert") || strings.Contains(s, "&") && what != "summary" {
			t.Errorf("%s %q still carries markup", what, s)
		}
	}
	for what, c := range map[string][2]string{
		"title":     {ev.Title, "Kafka"},
		"summary":   {ev.Summary, "Learn & more"},
		"location":  {ev.Location, "Berlin"},
		"event":     {ev.EventName, "Meetup"},
		"category":  {ev.Category, "Go"},
		"tags":      {strings.Join(ev.Tags, "|"), "a|bold"},
		"speaker 1": {ev.Speakers[1].Name + "/" + ev.Speakers[1].Affiliation, "Bob Roe/Initech x"},
	} {
		if c[0] != c[1] {
			t.Errorf("%s %q, want %q", what, c[0], c[1])
		}
	}
	if len(ev.Speakers) != 2 || ev.Speakers[0].Name != "Ada" || ev.Speakers[0].Affiliation != "Acme" || ev.Speakers[0].URL != "" {
		t.Errorf("speakers %+v", ev.Speakers)
	}
	if ev.ImageURL != "" || ev.Links.Slides != "" || ev.Links.Video != "" || ev.Links.Registration != "" || ev.OnlineURL != "" {
		t.Errorf("a dangerous URL was kept: image %q, links %+v, online %q", ev.ImageURL, ev.Links, ev.OnlineURL)
	}
	for _, w := range []struct {
		line int
		msg  string
	}{
		{2, "title: markup removed (it is plain text)"},
		{4, "description: markup removed"},
		{5, "eventlocation: markup removed"},
		{6, "venue: markup removed"},
		{7, "address: markup removed"},
		{8, "eventname: markup removed"},
		{9, "category: markup removed"},
		{10, "tags: markup removed"},
		{12, "speakers: markup removed"},
		{16, "affiliation: markup removed"},
		{11, `"javascript:alert(3)" is not an http(s) URL`}, // at the list's line
		{17, "is not a usable image URL"},
		{18, `"javascript:alert(5)" is not an http(s) URL`},
		{19, `"vbscript:msgbox(6)" is not an http(s) URL`},
		{20, `"JAVASCRIPT:alert(7)" is not an http(s) URL`},
		{21, "is not an http(s) URL"},
	} {
		if !hasDiag(r, talkfeed.SeverityWarning, w.line, w.msg) {
			t.Errorf("no warning %q at line %d; got %v", w.msg, w.line, r.diags)
		}
	}
	// One warning a field, not one per value.
	n := 0
	for _, d := range r.diags {
		if strings.HasPrefix(d.Message, "speakers: markup") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d markup warnings for the speakers, want 1", n)
	}
}

func hasDiag(r pageResult, sev talkfeed.Severity, line int, msg string) bool {
	for _, d := range r.diags {
		if d.Severity == sev && d.Line == line && strings.Contains(d.Message, msg) && d.File == r.path {
			return true
		}
	}
	return false
}

// Bidi overrides, isolates and other invisible characters in a title are
// removed with a warning that names them, and the talk is published.
func TestInvisibleCharactersRemoved(t *testing.T) {
	for _, c := range []struct{ name, page, title string }{
		{"override", "---\ntitle: \"Evil \u202Egnp.exe talk\"\ndate: 2026-03-01\n---\n", "Evil gnp.exe talk"},
		{"isolates and marks", "---\ntitle: \"\u2066Ab\u2069 \u200Fc\u200Bd\u00AD\u2060\"\ndate: 2026-03-01\n---\n", "Ab cd"},
		{"escaped in YAML", "---\ntitle: \"a\\u202Ab\\u202Dc\\u202Cd\\x07e\"\ndate: 2026-03-01\n---\n", "abcde"},
		{"an entity", "---\ntitle: \"a&#x202E;b\"\ndate: 2026-03-01\n---\n", "ab"},
		{"TOML", "+++\ntitle = \"x\\u2067y\\u2068z\"\ndate = 2026-03-01\n+++\n", "xyz"},
	} {
		r := parseText(t, c.page)
		ev := mustEvent(t, r)
		if ev.Title != c.title {
			t.Errorf("%s: title %q, want %q", c.name, ev.Title, c.title)
		}
		if !hasDiag(r, talkfeed.SeverityWarning, 2, "title: invisible control characters removed (U+") {
			t.Errorf("%s: no warning at line 2: %v", c.name, r.diags)
		}
	}
	r := parseText(t, "---\ntitle: \"Evil \u202Egnp\u2066.exe\"\ndate: 2026-03-01\n---\n")
	if !hasDiag(r, talkfeed.SeverityWarning, 2, "(U+202E, U+2066)") {
		t.Errorf("the warning does not name the characters: %v", r.diags)
	}
}

// A summary taken from the body is plain text too, entity-spelt markup
// included.
func TestBodySummaryIsPlain(t *testing.T) {
	ev := mustEvent(t, parseText(t, "---\ntitle: T\ndate: 2026-03-01\n---\nWatch &lt;img src=x onerror=alert(1)&gt; this\n"))
	if ev.Summary != "Watch this" {
		t.Errorf("summary %q", ev.Summary)
	}
}

// Many plain values are not an alias bomb: 10,000 tags load, the first
// 100 kept with a warning; a front matter that is little but values is
// refused saying so, and an alias bomb saying that.
func TestManyValues(t *testing.T) {
	var tags strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&tags, "  - tag%d\n", i)
	}
	r := parseText(t, "---\ntitle: T\ndate: 2026-03-01\ntags:\n"+tags.String()+"---\n")
	ev := mustEvent(t, r)
	if len(ev.Tags) != 100 || ev.Tags[0] != "tag0" {
		t.Errorf("%d tags, first %q", len(ev.Tags), ev.Tags[0])
	}
	if !hasDiag(r, talkfeed.SeverityWarning, 4, "over 100 tags (10000); the first 100 are kept") {
		t.Errorf("no tag warning: %v", r.diags)
	}

	many := "  - x\n"
	r = parseText(t, "---\ntitle: T\ndate: 2026-03-01\nkeywords: [a]\ntags:\n"+strings.Repeat(many, 50000)+"---\n")
	if r.event != nil || !hasDiag(r, talkfeed.SeverityError, 5, "front matter has over 50000 values; not read") {
		t.Errorf("YAML: event %v, diagnostics %v", r.event != nil, r.diags)
	}
	r = parseText(t, "+++\ntitle = \"T\"\ndate = 2026-03-01\ntags = ["+strings.Repeat("1,", 50000)+"]\n+++\n")
	if r.event != nil || !hasDiag(r, talkfeed.SeverityError, 4, "front matter has over 50000 values; not read") {
		t.Errorf("TOML: event %v, diagnostics %v", r.event != nil, r.diags)
	}
	for _, d := range r.diags {
		if strings.Contains(d.Message, "alias") {
			t.Errorf("plain values blamed on aliases: %v", d)
		}
	}
}
