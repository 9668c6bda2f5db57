package feeds

import (
	"bytes"
	"encoding/xml"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/talkfeed/talkfeed"
)

// speakersView is three talks: three speakers without affiliations, three
// with some, and one speaker.
func speakersView() View {
	talk := func(id string, published int, ss ...talkfeed.Speaker) talkfeed.Event {
		return talkfeed.Event{
			ID: id, Title: "Talk " + id, Summary: "A talk.", TimeZone: "UTC",
			Start:     time.Date(2027, 5, 1, 18, 0, 0, 0, time.UTC),
			PageURL:   "https://talks.example/" + id + "/",
			Published: time.Date(2027, 1, published, 0, 0, 0, 0, time.UTC),
			Speakers:  ss,
		}
	}
	return View{
		SelfURL: "https://talks.example/feed", HomeURL: "https://talks.example/", Title: "Speakers",
		Events: []talkfeed.Event{
			talk("plain", 3, talkfeed.Speaker{Name: "Jane Doe"}, talkfeed.Speaker{Name: "John Roe"}, talkfeed.Speaker{Name: "Ann Poe"}),
			talk("affiliated", 2,
				talkfeed.Speaker{Name: "Jane Doe", Affiliation: "Acme", URL: "https://jane.example/"},
				talkfeed.Speaker{Name: "John Roe", URL: "https://john.example/"},
				talkfeed.Speaker{Name: "Ann Poe", Affiliation: "Beta"}),
			talk("solo", 1, talkfeed.Speaker{Name: "Jane Doe", Affiliation: "Acme", URL: "https://jane.example/"}),
		},
	}
}

// speakersWant is, by talk, what the one author line says: labels (RSS,
// Atom) and plain names (JSON Feed's author).
var speakersWant = map[string]struct{ labels, names string }{
	"plain":      {"Jane Doe, John Roe and Ann Poe", "Jane Doe, John Roe and Ann Poe"},
	"affiliated": {"Jane Doe (Acme), John Roe and Ann Poe (Beta)", "Jane Doe, John Roe and Ann Poe"},
	"solo":       {"Jane Doe (Acme)", "Jane Doe"},
}

func personNames(ps []*gofeed.Person) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// Readers show one author per item: the last dc:creator (feedparser,
// newsboat), the first dc:creator or Atom author (gofeed, feedparser's
// entry.author), JSON Feed 1.0's `author`. Each names every speaker.
func TestSeveralSpeakersParsedByGofeed(t *testing.T) {
	for _, r := range renderers {
		t.Run(r.name, func(t *testing.T) {
			feed, err := gofeed.NewParser().Parse(bytes.NewReader(render(t, r, speakersView(), testOptions())))
			if err != nil {
				t.Fatal(err)
			}
			if len(feed.Items) != 3 {
				t.Fatalf("%d items", len(feed.Items))
			}
			for _, it := range feed.Items {
				id := strings.TrimPrefix(it.GUID, "tag:talks.example,2000:")
				want, ok := speakersWant[id]
				if !ok {
					t.Fatalf("item %q", it.GUID)
				}
				var name string
				if it.Author != nil {
					name = it.Author.Name
				}
				switch r.name {
				case "rss":
					// Names only: gofeed reads a creator with parentheses
					// as "name (e-mail)" and would show no author at all.
					if it.DublinCoreExt == nil || !slices.Equal(it.DublinCoreExt.Creator, []string{want.names}) {
						t.Errorf("%s dc:creator %v, want [%q]", id, it.DublinCoreExt, want.names)
					}
					if name != want.names {
						t.Errorf("%s author %q, want %q", id, name, want.names)
					}
				case "atom":
					if name != want.labels || !slices.Equal(personNames(it.Authors), []string{want.labels}) {
						t.Errorf("%s author %q authors %q, want %q", id, name, personNames(it.Authors), want.labels)
					}
				case "json":
					if name != want.names {
						t.Errorf("%s author %q, want %q", id, name, want.names)
					}
					wantAuthors := map[string][]string{"plain": {"Jane Doe", "John Roe", "Ann Poe"}, "affiliated": {"Jane Doe", "John Roe", "Ann Poe"}, "solo": {"Jane Doe"}}[id]
					if got := personNames(it.Authors); !slices.Equal(got, wantAuthors) {
						t.Errorf("%s authors %q, want %q", id, got, wantAuthors)
					}
				}
			}
		})
	}
}

// RSS has exactly one dc:creator per item, whatever the number of
// speakers.
func TestOneCreatorPerRSSItem(t *testing.T) {
	b := render(t, renderers[0], speakersView(), testOptions())
	items := bytes.Split(b, []byte("<item>"))[1:]
	if len(items) != 3 {
		t.Fatalf("%d items", len(items))
	}
	for i, it := range items {
		if n := bytes.Count(it, []byte("<dc:creator>")); n != 1 {
			t.Errorf("item %d has %d dc:creator:\n%s", i, n, it)
		}
	}
}

// Atom has one author per entry, naming every speaker, and with several
// speakers each one as a contributor with their URI; a lone speaker is
// the author with their URI.
func TestAtomSpeakersAsContributors(t *testing.T) {
	var doc struct {
		Entries []struct {
			ID           string       `xml:"id"`
			Authors      []atomPerson `xml:"author"`
			Contributors []atomPerson `xml:"contributor"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(render(t, renderers[1], speakersView(), testOptions()), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		author       atomPerson
		contributors []atomPerson
	}{
		"plain": {atomPerson{Name: "Jane Doe, John Roe and Ann Poe"}, []atomPerson{{Name: "Jane Doe"}, {Name: "John Roe"}, {Name: "Ann Poe"}}},
		"affiliated": {atomPerson{Name: "Jane Doe (Acme), John Roe and Ann Poe (Beta)"}, []atomPerson{
			{Name: "Jane Doe (Acme)", URI: "https://jane.example/"}, {Name: "John Roe", URI: "https://john.example/"}, {Name: "Ann Poe (Beta)"},
		}},
		"solo": {atomPerson{Name: "Jane Doe (Acme)", URI: "https://jane.example/"}, nil},
	}
	if len(doc.Entries) != len(want) {
		t.Fatalf("%d entries", len(doc.Entries))
	}
	for _, e := range doc.Entries {
		id := strings.TrimPrefix(e.ID, "tag:talks.example,2000:")
		w := want[id]
		if !slices.Equal(e.Authors, []atomPerson{w.author}) || !slices.Equal(e.Contributors, w.contributors) {
			t.Errorf("%s authors %+v contributors %+v, want %+v and %+v", id, e.Authors, e.Contributors, w.author, w.contributors)
		}
	}
}
