package source

import (
	"html"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed/demo"
)

// FuzzParsePage feeds arbitrary bytes to the page parser: it must never
// panic, every diagnostic must point into the page, and an event it
// returns must be usable.
func FuzzParsePage(f *testing.F) {
	seeds := []string{
		"---\ntitle: T\ndate: 2018-03-28\nspeaker: A, B and C, D & E\n---\nbody",
		"+++\ntitle = \"T\"\ndate = 2018-03-28T19:00:00Z\n+++\n",
		"---\ndate: 2018-03-28 19:00 Asia/Tokyo\nend: 18:00\ntime: 1900\n---\n<iframe src=//x></iframe>",
		"---\n: [\n---\n",
		"---\ntitle: KafkaÂ®\ndate: 2018-03-28\n---\n",
		"---\ntitle: \"a <b>x</b> &amp;lt;i&amp;gt; \\u202E\"\ndate: 2018-03-28\nspeaker: A <i>B</i> &amp; C\ntags: [\"&lt;p&gt;\"]\n---\n&lt;img onerror=x&gt;",
	}
	_ = fs.WalkDir(demo.Talks(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := fs.ReadFile(demo.Talks(), p)
			seeds = append(seeds, string(data))
		}
		return nil
	})
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	p := newTestParser(f, Options{DefaultZone: time.UTC})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := p.parse("fuzz.md", data, time.Time{})
		lines := strings.Count(string(data), "\n") + 2
		for _, d := range r.diags {
			if d.File != "fuzz.md" || d.Line < 1 || d.Line > lines || d.Message == "" {
				t.Fatalf("bad diagnostic %+v for %q", d, data)
			}
		}
		if ev := r.event; ev != nil {
			if ev.ID == "" || ev.Title == "" || ev.Start.IsZero() || ev.PageURL == "" {
				t.Fatalf("incomplete event %+v", ev)
			}
			if !ev.End.IsZero() && ev.End.Before(ev.Start) {
				t.Fatalf("end %v before start %v", ev.End, ev.Start)
			}
			if strings.Contains(strings.ToLower(ev.BodyHTML), "<script") {
				t.Fatalf("script in body %q", ev.BodyHTML)
			}
			texts := append([]string{ev.Title, ev.Summary, ev.Location, ev.Venue, ev.Address, ev.EventName, ev.Category, ev.SpeakerText}, ev.Tags...)
			for _, s := range ev.Speakers {
				texts = append(texts, s.Name, s.Affiliation)
			}
			for _, x := range texts {
				// Plain text: no markup, even decoded once, and nothing
				// invisible.
				if html.UnescapeString(plainPolicy.Sanitize(x)) != html.UnescapeString(x) || dropInvisible(x, &textCleaning{}) != x {
					t.Fatalf("text field %q is not plain text", x)
				}
			}
		}
	})
}
