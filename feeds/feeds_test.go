package feeds

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/internal/fixtures"
)

var testSite = talkfeed.Site{Title: "Demo Talks", Description: "Talks we give", BaseURL: "https://talks.example/", Language: "en", Icon: "https://talks.example/icon.png"}

func testOptions() Options {
	return Options{
		Site: testSite, Generator: "talkfeed test", TTL: 5 * time.Minute,
		EventICS: func(e *talkfeed.Event) string { return "https://talks.example/events/" + e.ID + ".ics" },
	}
}

func demoEvents(t testing.TB) []talkfeed.Event { return fixtures.Demo(t, testSite.BaseURL) }

func demoView(t testing.TB) View {
	return View{SelfURL: "https://talks.example/feed", HomeURL: "https://talks.example/", Title: "Demo Talks", Description: "Talks we give", Events: demoEvents(t)}
}

type renderer struct {
	name   string
	render func(View, Options) ([]byte, error)
}

var renderers = []renderer{{"rss", RSS}, {"atom", Atom}, {"json", JSON}}

func render(t *testing.T, r renderer, v View, o Options) []byte {
	t.Helper()
	v.SelfURL += "." + r.name
	b, err := r.render(v, o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every format, parsed by gofeed, carries each talk's title, link, id,
// dates, authors and categories.
func TestParsedByGofeed(t *testing.T) {
	v := demoView(t)
	byLink := map[string]*talkfeed.Event{}
	for i := range v.Events {
		byLink[v.Events[i].PageURL] = &v.Events[i]
	}
	for _, r := range renderers {
		t.Run(r.name, func(t *testing.T) {
			feed, err := gofeed.NewParser().Parse(bytes.NewReader(render(t, r, v, testOptions())))
			if err != nil {
				t.Fatal(err)
			}
			if feed.Title != "Demo Talks" || feed.Language != "en" && r.name != "atom" {
				t.Errorf("feed title %q language %q", feed.Title, feed.Language)
			}
			if len(feed.Items) != len(v.Events) {
				t.Fatalf("%d items, want %d", len(feed.Items), len(v.Events))
			}
			var prev time.Time
			for i, it := range feed.Items {
				e := byLink[it.Link]
				if e == nil {
					t.Fatalf("item %q links to %q, no talk's page", it.Title, it.Link)
				}
				wantTitle := e.Title
				if e.Status == talkfeed.StatusCancelled {
					wantTitle = "Cancelled: " + e.Title
				}
				if it.Title != wantTitle {
					t.Errorf("title %q, want %q", it.Title, wantTitle)
				}
				if it.GUID != "tag:talks.example,2000:"+e.ID {
					t.Errorf("id %q", it.GUID)
				}
				if it.PublishedParsed == nil || !it.PublishedParsed.Equal(e.Announced()) {
					t.Errorf("%s published %v, want %v", e.ID, it.PublishedParsed, e.Announced())
				}
				if i > 0 && it.PublishedParsed.After(prev) {
					t.Errorf("item %d published after the one before it", i)
				}
				prev = *it.PublishedParsed
				if r.name != "rss" && (it.UpdatedParsed == nil || !it.UpdatedParsed.Equal(e.LastChanged())) {
					t.Errorf("%s updated %v, want %v", e.ID, it.UpdatedParsed, e.LastChanged())
				}
				// One author line naming every speaker (see speakers_test.go);
				// JSON Feed's authors also list each person.
				var authors, want []string
				switch r.name {
				case "rss":
					authors, want = it.DublinCoreExt.Creator, []string{speakers(e, false)}
				case "atom":
					authors, want = personNames(it.Authors), []string{speakers(e, true)}
				case "json":
					authors = personNames(it.Authors)
					for _, s := range e.Speakers {
						want = append(want, s.Name)
					}
				}
				if len(e.Speakers) == 0 || !slices.Equal(authors, want) {
					t.Errorf("%s authors %q, want %q", e.ID, authors, want)
				}
				if !slices.Contains(it.Categories, e.Category) || !slices.Contains(it.Categories, e.EventName) {
					t.Errorf("%s categories %q lack %q or %q", e.ID, it.Categories, e.Category, e.EventName)
				}
				for _, tag := range e.Tags {
					if !slices.Contains(it.Categories, tag) {
						t.Errorf("%s categories %q lack tag %q", e.ID, it.Categories, tag)
					}
				}
				if !strings.Contains(it.Description, e.When()) {
					t.Errorf("%s summary %q lacks %q", e.ID, it.Description, e.When())
				}
				if e.ImageURL != "" && (it.Image == nil || it.Image.URL != e.ImageURL) && len(it.Enclosures) == 0 {
					t.Errorf("%s image missing", e.ID)
				}
			}
		})
	}
}

func TestRSSDetails(t *testing.T) {
	b := render(t, renderers[0], demoView(t), testOptions())
	s := string(b)
	for _, want := range []string{
		`<atom:link href="https://talks.example/feed.rss" rel="self" type="application/rss+xml">`,
		`<ttl>5</ttl>`,
		`<generator>talkfeed test</generator>`,
		`<guid isPermaLink="false">tag:talks.example,2000:2026/observability-without-tears</guid>`,
		`<enclosure url="https://talks.example/assets/images/events/observability-without-tears.png" length="0" type="image/png">`,
		`<media:thumbnail url="https://talks.example/assets/images/events/observability-without-tears.png">`,
		`<ev:startdate>2026-09-17T18:30:00+02:00</ev:startdate>`,
		`<ev:startdate>2027-03-10</ev:startdate>`,
		`<ev:enddate>2027-03-12</ev:enddate>`,
		`<dc:creator>Åsa Lindqvist, Søren Kjær and Zoë Ngata</dc:creator>`,
		`<title>Cancelled: Kubernetes Security in Practice</title>`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("RSS lacks %s", want)
		}
	}
	if strings.Contains(s, "<author>") {
		t.Error("RSS <author> must be an e-mail address; names go to dc:creator")
	}
	// RFC 822 dates with a four-digit year.
	rfc822 := regexp.MustCompile(`<(pubDate|lastBuildDate)>([^<]*)</`)
	for _, m := range rfc822.FindAllStringSubmatch(s, -1) {
		if _, err := time.Parse(time.RFC1123Z, m[2]); err != nil {
			t.Errorf("%s %q is not RFC 822: %v", m[1], m[2], err)
		}
	}
	// A known image length is written.
	o := testOptions()
	o.ImageLength = func(string) int64 { return 1234 }
	if b := render(t, renderers[0], demoView(t), o); !bytes.Contains(b, []byte(`length="1234"`)) {
		t.Error("known image length not written")
	}
}

func TestAtomDetails(t *testing.T) {
	s := string(render(t, renderers[1], demoView(t), testOptions()))
	for _, want := range []string{
		`<link href="https://talks.example/feed.atom" rel="self" type="application/atom+xml">`,
		`<link href="https://talks.example/" rel="alternate" type="text/html">`,
		`<id>tag:talks.example,2000:2027/rust-summit</id>`,
		`<category term="Languages">`,
		`<link href="https://talks.example/assets/images/events/rust-summit.png" rel="enclosure" type="image/png">`,
		`<uri>https://example.org/speakers/priya</uri>`,
		`<content type="html">`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("Atom lacks %s", want)
		}
	}
	rfc3339 := regexp.MustCompile(`<(updated|published)>([^<]*)</`)
	for _, m := range rfc3339.FindAllStringSubmatch(s, -1) {
		if _, err := time.Parse(time.RFC3339, m[2]); err != nil {
			t.Errorf("%s %q is not RFC 3339", m[1], m[2])
		}
	}
}

// The JSON Feed 1.1 required fields (https://www.jsonfeed.org/version/1.1/):
// version, title, items; per item id and content_html or content_text.
func TestJSONFeedSpec(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(render(t, renderers[2], demoView(t), testOptions()), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["version"] != "https://jsonfeed.org/version/1.1" || doc["title"] != "Demo Talks" {
		t.Errorf("version %v title %v", doc["version"], doc["title"])
	}
	for k, want := range map[string]string{"home_page_url": "https://talks.example/", "feed_url": "https://talks.example/feed.json", "language": "en", "icon": "https://talks.example/icon.png"} {
		if doc[k] != want {
			t.Errorf("%s = %v, want %s", k, doc[k], want)
		}
	}
	items, ok := doc["items"].([]any)
	if !ok || len(items) != 10 {
		t.Fatalf("items %T %d", doc["items"], len(items))
	}
	for _, x := range items {
		it := x.(map[string]any)
		id, _ := it["id"].(string)
		if id == "" {
			t.Error("item without id")
		}
		if it["content_html"] == nil && it["content_text"] == nil {
			t.Errorf("%s: neither content_html nor content_text", id)
		}
		for _, k := range []string{"date_published", "date_modified"} {
			if _, err := time.Parse(time.RFC3339, it[k].(string)); err != nil {
				t.Errorf("%s %s: %v", id, k, err)
			}
		}
		if _, ok := it["banner_"]; ok {
			t.Errorf("%s: gorilla's misspelled banner_ field", id)
		}
		authors, _ := it["authors"].([]any)
		if len(authors) == 0 {
			t.Errorf("%s: no authors", id)
		}
		ev, _ := it["_event"].(map[string]any)
		if ev == nil || ev["start"] == nil || ev["status"] == nil || ev["ics_url"] != "https://talks.example/events/"+strings.TrimPrefix(id, "tag:talks.example,2000:")+".ics" {
			t.Errorf("%s: _event %v", id, ev)
		}
	}
	// An empty feed still has "items": [].
	var empty map[string]any
	if err := json.Unmarshal(render(t, renderers[2], View{Title: "None"}, testOptions()), &empty); err != nil {
		t.Fatal(err)
	}
	if items, ok := empty["items"].([]any); !ok || len(items) != 0 {
		t.Errorf("empty feed items %v", empty["items"])
	}
}

func TestHostileContent(t *testing.T) {
	hostile := talkfeed.Event{
		ID:       "evil",
		Title:    "<script>alert(1)</script> ]]> \x01\x1b Bell & \"Quotes\" 🎉",
		Summary:  "]]><![CDATA[ <b>not bold</b> \x00",
		BodyHTML: "<p>Body ]]> with \x07 control and 🎉</p>",
		Start:    time.Date(2020, 1, 1, 19, 0, 0, 0, time.UTC), TimeZone: "UTC",
		Speakers:  []talkfeed.Speaker{{Name: "Mallory <img src=x onerror=alert(1)>"}},
		Category:  "Hacks & <Tricks>",
		PageURL:   "https://talks.example/evil/",
		Published: time.Date(2019, 12, 1, 0, 0, 0, 0, time.UTC),
	}
	v := View{SelfURL: "https://talks.example/feed", HomeURL: "https://talks.example/", Title: "T", Events: []talkfeed.Event{hostile}}
	for _, r := range renderers {
		b := render(t, r, v, testOptions())
		if r.name != "json" {
			// Well-formed XML whatever the input.
			dec := xml.NewDecoder(bytes.NewReader(b))
			for {
				if _, err := dec.Token(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("%s is not well-formed: %v\n%s", r.name, err, b)
				}
			}
			if bytes.Contains(b, []byte("<script>")) || bytes.Contains(b, []byte("<img src=x")) {
				t.Errorf("%s has live markup:\n%s", r.name, b)
			}
		}
		feed, err := gofeed.NewParser().Parse(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		it := feed.Items[0]
		if it.Title != "<script>alert(1)</script> ]]>  Bell & \"Quotes\" 🎉" {
			t.Errorf("%s title %q", r.name, it.Title)
		}
		if !strings.Contains(it.Content, "Body ]]> with  control and 🎉") {
			t.Errorf("%s content %q", r.name, it.Content)
		}
	}
}

func TestDeterministicAndOrdered(t *testing.T) {
	v := demoView(t)
	for _, r := range renderers {
		a := render(t, r, v, testOptions())
		// Reversed input order gives the same bytes: the order is the
		// renderer's, newest-announced first.
		rev := v
		rev.Events = slices.Clone(v.Events)
		slices.Reverse(rev.Events)
		if b := render(t, r, rev, testOptions()); !bytes.Equal(a, b) {
			t.Errorf("%s: two renders differ", r.name)
		}
	}
}

func TestLimitKeepsNewest(t *testing.T) {
	o := testOptions()
	o.Limit = 3
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(render(t, renderers[0], demoView(t), o)))
	if err != nil {
		t.Fatal(err)
	}
	if len(feed.Items) != 3 || feed.Items[0].Title != "Serving Models Without Burning Money" {
		t.Errorf("%d items, first %q", len(feed.Items), feed.Items[0].Title)
	}
}

// Without a ledger's stamp, a talk is dated by its published field,
// else its start; never by its file's modification time, which changes
// with every checkout. With a stamp, the stamp wins.
func TestAnnouncedFallback(t *testing.T) {
	mtime := time.Date(2026, 11, 1, 10, 0, 0, 5, time.UTC)
	future := talkfeed.Event{Start: time.Date(2027, 3, 28, 0, 0, 0, 0, time.UTC), Source: talkfeed.SourceInfo{ModTime: mtime}}
	if got := future.Announced(); !got.Equal(future.Start) {
		t.Errorf("unstamped talk announced %v", got)
	}
	future.Published = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	if got := future.Announced(); !got.Equal(future.Published) {
		t.Errorf("published field ignored: %v", got)
	}
	future.Stamp = talkfeed.Stamp{Announced: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), Changed: time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC)}
	if got := future.Announced(); !got.Equal(future.Stamp.Announced) || !future.LastChanged().Equal(future.Stamp.Changed) {
		t.Errorf("stamp ignored: %v %v", got, future.LastChanged())
	}
}

func TestHubLinks(t *testing.T) {
	o := testOptions()
	o.Hub = "https://hub.example/"
	v := demoView(t)
	for name, want := range map[string]string{
		"rss":  `<atom:link href="https://hub.example/" rel="hub">`,
		"atom": `<link href="https://hub.example/" rel="hub">`,
		"json": `"hubs": [
    {
      "type": "WebSub",
      "url": "https://hub.example/"
    }
  ]`,
	} {
		for _, r := range renderers {
			if r.name == name && !bytes.Contains(render(t, r, v, o), []byte(want)) {
				t.Errorf("%s does not name the hub", name)
			}
		}
	}
	// Without a hub, none is named.
	if bytes.Contains(render(t, renderers[0], v, testOptions()), []byte(`rel="hub"`)) {
		t.Error("a hub without one configured")
	}
}

// Readers render an RSS description as HTML, so the talk's text in it is
// escaped: whatever a loaded event holds, the description parses to text
// only, the markup shown as written. (Atom marks its summary as text.)
func TestRSSDescriptionIsEscapedHTML(t *testing.T) {
	const markup = `<img src=x onerror=alert(1)><script>alert(2)</script>`
	e := talkfeed.Event{
		ID: "evil", Title: "T", Summary: "Learn " + markup + " & more",
		Start: time.Date(2020, 1, 1, 19, 0, 0, 0, time.UTC), TimeZone: "UTC",
		Location: "Berlin " + markup, Venue: "c-base " + markup, EventName: "Meetup " + markup,
		PageURL: "https://talks.example/evil/", Published: time.Date(2019, 12, 1, 0, 0, 0, 0, time.UTC),
	}
	v := View{SelfURL: "https://talks.example/feed", HomeURL: "https://talks.example/", Title: "T", Events: []talkfeed.Event{e}}
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(render(t, renderers[0], v, testOptions())))
	if err != nil {
		t.Fatal(err)
	}
	desc := feed.Items[0].Description
	nodes, err := html.ParseFragment(strings.NewReader(desc), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, n := range nodes {
		if n.Type != html.TextNode {
			t.Errorf("the description %q holds a %s element", desc, n.Data)
			continue
		}
		text.WriteString(n.Data)
	}
	for _, want := range []string{"Berlin " + markup, "c-base", "Meetup " + markup, "Learn " + markup + " & more"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the description shows %q, without %q", text.String(), want)
		}
	}
	atomFeed := render(t, renderers[1], v, testOptions())
	if !bytes.Contains(atomFeed, []byte(`<summary type="text">`)) {
		t.Errorf("the Atom summary is not marked as text:\n%s", atomFeed)
	}
}
