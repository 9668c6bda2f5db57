package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/demo"
	"github.com/talkfeed/talkfeed/slack"
	"github.com/talkfeed/talkfeed/source"
)

// evil is what a hostile page puts in each of its text fields.
const evil = `<img src=x onerror=alert(1)><script>alert(2)</script><a href="javascript:alert(3)">x</a>`

// hostilePages are a page with markup in every text field and dangerous
// URLs in every URL field, and one whose title hides bidi overrides.
var hostilePages = fstest.MapFS{
	"evil.md": {Data: []byte("---\n" +
		"title: 'Kafka " + evil + "'\n" +
		"date: 2026-12-01 19:00\n" +
		"description: 'Learn " + evil + "'\n" +
		"eventlocation: 'Berlin " + evil + "'\n" +
		"venue: 'c-base " + evil + "'\n" +
		"address: 'Rungestr. 20 " + evil + "'\n" +
		"eventname: 'Meetup " + evil + "'\n" +
		"category: 'Go " + evil + "'\n" +
		"tags: ['a " + evil + "', '&lt;script&gt;alert(4)&lt;/script&gt;b']\n" +
		"speakers:\n" +
		"  - name: 'Ada " + evil + "'\n" +
		"    company: 'Acme " + evil + "'\n" +
		"    url: 'javascript:alert(5)'\n" +
		"speakerurl: 'data:text/html,<script>alert(6)</script>'\n" +
		"image: 'javascript:alert(7)'\n" +
		"slides: 'javascript:alert(8)'\n" +
		"video: 'data:text/html;base64,PHNjcmlwdD5hbGVydCg5KTwvc2NyaXB0Pg=='\n" +
		"registration: 'vbscript:msgbox(10)'\n" +
		"online: ' javascript:alert(11)'\n" +
		"---\n" +
		"Body <script>alert(12)</script><img src=x onerror=alert(13)> [link](javascript:alert(14))\n" +
		"<a href=\"data:text/html,x\" onclick=\"alert(15)\">d</a> <iframe src=\"javascript:alert(16)\"></iframe>\n")},
	"bidi.md": {Data: []byte("---\ntitle: \"Evil \u202Egnp.exe\u202C \u2066talk\u2069\"\ndate: 2026-12-02\n---\nBody\n")},
}

// No output of a hostile page carries active HTML or a dangerous URL:
// each output is parsed by an independent parser, and every text field of
// it as HTML; the text fields carry no markup at all. The page with bidi
// overrides is published without them.
func TestNoActiveHTMLInOutputs(t *testing.T) {
	l, err := source.NewLoader(source.Options{BaseURL: demoSite.BaseURL})
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Load(context.Background(), hostilePages)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Events) != 2 {
		t.Fatalf("%d events, want 2: %v", len(res.Events), res.Diagnostics)
	}
	warned := func(file string, line int, msg string) bool {
		for _, d := range res.Diagnostics {
			if d.File == file && d.Line == line && d.Severity == talkfeed.SeverityWarning && strings.Contains(d.Message, msg) {
				return true
			}
		}
		return false
	}
	for _, w := range []struct {
		file string
		line int
		msg  string
	}{
		{"evil.md", 2, "title: markup removed (it is plain text)"},
		{"evil.md", 5, "eventlocation: markup removed (it is plain text)"},
		{"evil.md", 10, "tags: markup removed (it is plain text)"},
		{"evil.md", 16, `"javascript:alert(7)" is not a usable image URL`},
		{"evil.md", 17, `"javascript:alert(8)" is not an http(s) URL`},
		{"bidi.md", 2, "title: invisible control characters removed (U+202E, U+202C, U+2066, U+2069)"},
	} {
		if !warned(w.file, w.line, w.msg) {
			t.Errorf("no warning %s:%d %q; got %v", w.file, w.line, w.msg, res.Diagnostics)
		}
	}

	cat := talkfeed.NewCatalog(res.Events)
	var changes []talkfeed.Change
	for _, e := range cat.Events() {
		changes = append(changes, talkfeed.Change{Kind: talkfeed.ChangeNew, At: demo.Anchor, ID: e.ID, Talk: talkfeed.FingerprintOf(&e), PageURL: e.PageURL})
	}
	tree, err := Build(cat, Options{Site: demoSite, Generator: "talkfeed test", TTL: 5 * time.Minute, Assets: demo.Assets(), Today: demo.Anchor, Changes: changes})
	if err != nil {
		t.Fatal(err)
	}
	checked := map[string]int{}
	for _, f := range tree.Files() {
		switch {
		case strings.HasSuffix(f.Path, ".rss"), strings.HasSuffix(f.Path, ".atom"), strings.HasSuffix(f.Path, ".json"):
			checkFeed(t, f.Path, f.Body)
		case strings.HasSuffix(f.Path, ".ics"):
			checkCalendar(t, f.Path, f.Body)
		case strings.HasSuffix(f.Path, ".html"):
			doc, err := html.Parse(bytes.NewReader(f.Body))
			if err != nil {
				t.Fatalf("%s: %v", f.Path, err)
			}
			checkActive(t, f.Path, doc, true)
		default:
			continue
		}
		checked[f.Path[strings.LastIndexByte(f.Path, '.'):]]++
	}
	for _, ext := range []string{".rss", ".atom", ".json", ".ics", ".html"} {
		if checked[ext] == 0 {
			t.Errorf("no %s output checked", ext)
		}
	}
	for i := range changes {
		msg, err := slack.Message(&changes[i], demoSite.BaseURL+EventICSPath(changes[i].ID))
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(msg, &v); err != nil {
			t.Fatal(err)
		}
		eachString(v, "", func(key, s string) { checkText(t, "Slack "+key, s) })
	}

	feed, err := gofeed.NewParser().Parse(bytes.NewReader(mustFile(t, tree, "feed.json")))
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]bool{}
	for _, it := range feed.Items {
		titles[it.Title] = true
	}
	if !titles["Evil gnp.exe talk"] || !titles["Kafka x"] {
		t.Errorf("titles %v, want the talks', cleaned", titles)
	}
}

func mustFile(t *testing.T, tree *Tree, p string) []byte {
	t.Helper()
	f, ok := tree.File(p)
	if !ok {
		t.Fatalf("no %s", p)
	}
	return f.Body
}

// checkFeed parses a feed with gofeed: its content as HTML without active
// parts, its other text as text without markup; and, for JSON Feed, every
// string of the document.
func checkFeed(t *testing.T, p string, b []byte) {
	t.Helper()
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	for _, it := range feed.Items {
		checkFragment(t, p+" content", it.Content, true)
		checkFragment(t, p+" description", it.Description, false)
		checkText(t, p+" title", it.Title)
		for _, c := range it.Categories {
			checkText(t, p+" category", c)
		}
		for _, a := range it.Authors {
			checkText(t, p+" author", a.Name)
		}
		if it.Image != nil {
			checkURL(t, p+" image", it.Image.URL)
		}
		for _, e := range it.Enclosures {
			checkURL(t, p+" enclosure", e.URL)
		}
		for _, l := range it.Links {
			checkURL(t, p+" link", l)
		}
	}
	if strings.HasSuffix(p, ".json") {
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		eachString(v, "", func(key, s string) {
			if key == "content_html" {
				checkFragment(t, p+" "+key, s, true)
			} else {
				checkText(t, p+" "+key, s)
			}
		})
	}
}

// checkCalendar parses a calendar with go-ical: every property's value is
// text without markup.
func checkCalendar(t *testing.T, p string, b []byte) {
	t.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	var walk func(c *goical.Component)
	walk = func(c *goical.Component) {
		for name, props := range c.Props {
			for _, prop := range props {
				checkText(t, p+" "+name, prop.Value)
			}
		}
		for _, ch := range c.Children {
			walk(ch)
		}
	}
	walk(cal.Component)
}

func eachString(v any, key string, f func(key, s string)) {
	switch x := v.(type) {
	case string:
		f(key, x)
	case []any:
		for _, it := range x {
			eachString(it, key, f)
		}
	case map[string]any:
		for k, it := range x {
			eachString(it, k, f)
		}
	}
}

// checkText fails for text that, read as HTML, holds an element, or names
// a dangerous URL scheme anywhere.
func checkText(t *testing.T, what, s string) {
	t.Helper()
	checkFragment(t, what, s, false)
	if l := strings.ToLower(s); strings.Contains(l, "javascript:") || strings.Contains(l, "vbscript:") || strings.Contains(l, "data:") {
		t.Errorf("%s %q names a dangerous URL", what, s)
	}
}

// checkFragment parses s as HTML in a body: with elements allowed, none
// may be active; else there may be none.
func checkFragment(t *testing.T, what, s string, elements bool) {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	for _, n := range nodes {
		if !elements && n.Type == html.ElementNode {
			t.Errorf("%s %q holds markup", what, s)
			return
		}
		checkActive(t, what, n, false)
	}
}

// checkActive fails for a script (but for the site's own, and JSON-LD on
// a page), an on* attribute, an embed, or a dangerous URL in any
// attribute below n.
func checkActive(t *testing.T, what string, n *html.Node, page bool) {
	t.Helper()
	for d := range n.Descendants() {
		if d.Type != html.ElementNode {
			continue
		}
		switch d.DataAtom {
		case atom.Script:
			src := attr(d, "src")
			if !page || !(attr(d, "type") == "application/ld+json" && src == "" || strings.HasPrefix(src, demoSite.BaseURL+"assets/") || strings.HasPrefix(src, "/assets/")) {
				t.Errorf("%s has a script %v", what, d.Attr)
			}
		case atom.Iframe, atom.Object, atom.Embed, atom.Frame:
			t.Errorf("%s has an %s", what, d.Data)
		}
		for _, a := range d.Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("%s: <%s %s=%q>", what, d.Data, a.Key, a.Val)
			}
			if page && d.DataAtom == atom.Link && attr(d, "rel") == "icon" && a.Val == "data:," {
				continue // the pages' own "no icon", not a page's
			}
			switch a.Key {
			case "href", "src", "action", "formaction", "poster", "cite", "content", "srcset", "xlink:href":
				checkURL(t, what+" "+d.Data+" "+a.Key, a.Val)
			}
		}
	}
}

func checkURL(t *testing.T, what, u string) {
	t.Helper()
	l := strings.ToLower(strings.Join(strings.Fields(u), ""))
	for _, scheme := range []string{"javascript:", "vbscript:", "data:"} {
		if strings.HasPrefix(l, scheme) {
			t.Errorf("%s is %q", what, u)
		}
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
