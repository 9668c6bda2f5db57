package talkfeed_test

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/talkfeed/talkfeed"
)

func TestSlug(t *testing.T) {
	tests := map[string]string{
		"From batch to pipelines - why Apache Mesos and DC/OS are a solution": "from-batch-to-pipelines-why-apache-mesos-and-dc-os-are-a-solution",
		"Jörg Schad":                      "jorg-schad",
		"Don't Panic!":                    "dont-panic",
		"Manchester Apache Kafka® Meetup": "manchester-apache-kafka-meetup",
		"  Straße & Søren  ":              "strasse-and-soren",
		"Fast Data":                       "fast-data",
		"東京のエッジ":                          "東京のエッジ",
		"नमस्ते दुनिया":                   "नमस्ते-दुनिया",
		"Jo\u0308rg":                      "jorg",
		"CI/CD":                           "ci-cd",
		"---":                             "",
	}
	for in, want := range tests {
		if got := talkfeed.Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func sampleCatalog() *talkfeed.Catalog {
	return talkfeed.NewCatalog([]talkfeed.Event{
		{ID: "c", Title: "C", Start: day("2020-03-01"), AllDay: true, Category: "Fast Data", Tags: []string{"kafka"},
			Speakers: []talkfeed.Speaker{{Name: "Jörg Schad"}}, Location: "Manchester, UK", EventName: "Kafka Meetup"},
		{ID: "a", Title: "A", Start: day("2020-01-01"), AllDay: true, Category: "Containers", Location: "London, UK",
			Speakers: []talkfeed.Speaker{{Name: "Matt Jarvis"}}},
		{ID: "b", Title: "B", Start: day("2020-01-01").Add(19 * time.Hour), End: day("2020-01-01").Add(21 * time.Hour),
			Category: "fast-data", Tags: []string{"Streaming", "Kafka"}, Venue: "The London Hall"},
		{ID: "d", Title: "D", Start: day("2020-05-01"), End: day("2020-05-03"), AllDay: true, Category: "Containers"},
	})
}

func ids(es []talkfeed.Event) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func TestCatalogOrder(t *testing.T) {
	c := sampleCatalog()
	if got := ids(c.Events()); !reflect.DeepEqual(got, []string{"a", "b", "c", "d"}) {
		t.Errorf("order %v", got)
	}
	if got := c.Categories(); !reflect.DeepEqual(got, []string{"Containers", "fast-data"}) {
		t.Errorf("categories %v", got)
	}
	if e, ok := c.Event("c"); !ok || e.Title != "C" {
		t.Errorf("Event(c) = %v %v", e, ok)
	}
	if _, ok := c.Event("nope"); ok {
		t.Error("Event(nope) found")
	}
}

func TestFilters(t *testing.T) {
	c := sampleCatalog()
	tests := []struct {
		name string
		f    talkfeed.Filter
		want []string
	}{
		{"all", talkfeed.Filter{}, []string{"a", "b", "c", "d"}},
		{"category by slug", talkfeed.Filter{Categories: []string{"FAST DATA"}}, []string{"b", "c"}},
		{"two categories", talkfeed.Filter{Categories: []string{"containers", "fast-data"}}, []string{"a", "b", "c", "d"}},
		{"tag", talkfeed.Filter{Tags: []string{"kafka"}}, []string{"b", "c"}},
		{"speaker", talkfeed.Filter{Speakers: []string{"jorg schad"}}, []string{"c"}},
		{"location substring, venue too", talkfeed.Filter{Locations: []string{"london"}}, []string{"a", "b"}},
		{"event name", talkfeed.Filter{EventNames: []string{"kafka-meetup"}}, []string{"c"}},
		{"across fields all must match", talkfeed.Filter{Categories: []string{"fast data"}, Locations: []string{"Manchester"}}, []string{"c"}},
		{"upcoming keeps today's all-day talk", talkfeed.Filter{Upcoming: true, Now: day("2020-03-01").Add(23 * time.Hour)}, []string{"c", "d"}},
		{"upcoming drops a finished timed talk, keeps the all-day one of that day", talkfeed.Filter{Upcoming: true, Now: day("2020-01-01").Add(21 * time.Hour)}, []string{"a", "c", "d"}},
		{"upcoming drops yesterday's all-day talk", talkfeed.Filter{Upcoming: true, Now: day("2020-01-02")}, []string{"c", "d"}},
		{"upcoming keeps a running timed talk", talkfeed.Filter{Upcoming: true, Now: day("2020-01-01").Add(20 * time.Hour)}, []string{"a", "b", "c", "d"}},
		{"upcoming keeps a multi-day talk to its last day", talkfeed.Filter{Upcoming: true, Now: day("2020-05-03").Add(12 * time.Hour)}, []string{"d"}},
		{"from", talkfeed.Filter{From: day("2020-02-01")}, []string{"c", "d"}},
		{"to", talkfeed.Filter{To: day("2020-03-01")}, []string{"a", "b"}},
		{"from and to", talkfeed.Filter{From: day("2020-01-02"), To: day("2020-04-01")}, []string{"c"}},
		{"limit", talkfeed.Filter{Limit: 2}, []string{"a", "b"}},
		{"limit after filtering", talkfeed.Filter{Categories: []string{"containers"}, Limit: 1}, []string{"a"}},
	}
	for _, tc := range tests {
		if got := ids(tc.f.Apply(c)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestDiagnosticString(t *testing.T) {
	tests := []struct {
		d    talkfeed.Diagnostic
		want string
	}{
		{talkfeed.Diagnostic{File: "a.md", Line: 3, Severity: talkfeed.SeverityError, Message: "bad"}, "a.md:3: error: bad"},
		{talkfeed.Diagnostic{File: "a.md", Line: 3, Column: 7, Severity: talkfeed.SeverityWarning, Message: "meh"}, "a.md:3:7: warning: meh"},
		{talkfeed.Diagnostic{File: "a.md", Severity: talkfeed.SeverityNotice, Message: "fyi"}, "a.md: notice: fyi"},
	}
	for _, tc := range tests {
		if got := tc.d.String(); got != tc.want {
			t.Errorf("%q, want %q", got, tc.want)
		}
	}
	ds := []talkfeed.Diagnostic{{File: "b", Line: 1}, {File: "a", Line: 9}, {File: "a", Line: 2}}
	talkfeed.SortDiagnostics(ds)
	if ds[0].Line != 2 || ds[1].Line != 9 || ds[2].File != "b" {
		t.Errorf("sorted %v", ds)
	}
}

// A long title's slug is cut to a file name the tree can hold, at a word,
// with a digest that keeps two titles sharing their start apart.
func TestSlugBounded(t *testing.T) {
	long := strings.Repeat("Kubernetes Operators in Production ", 9) // 315 bytes
	a, b := talkfeed.Slug(long+"Part One"), talkfeed.Slug(long+"Part Two")
	for _, s := range []string{a, b} {
		if len(s) > talkfeed.MaxSlugBytes || !strings.HasPrefix(s, "kubernetes-operators-in-production-") {
			t.Errorf("slug of %d bytes: %q", len(s), s)
		}
		if stem := s[:len(s)-9]; strings.HasSuffix(stem, "-") || !strings.HasSuffix(stem, "kubernetes") && !strings.HasSuffix(stem, "operators") && !strings.HasSuffix(stem, "in") && !strings.HasSuffix(stem, "production") {
			t.Errorf("slug %q not cut at a word", s)
		}
		if talkfeed.Slug(s) != s || talkfeed.BoundSegment(s, talkfeed.MaxSlugBytes) != s {
			t.Errorf("a cut slug changes when cut again: %q", s)
		}
	}
	if a == b {
		t.Errorf("two long titles share a slug: %q", a)
	}
	if talkfeed.Slug(long+"Part One") != a {
		t.Error("slug not stable")
	}
	// Runes are never split; an extension is kept.
	jp := talkfeed.BoundSegment(strings.Repeat("東京", 100)+".html", 100)
	if len(jp) > 100 || !utf8.ValidString(jp) || !strings.HasSuffix(jp, ".html") {
		t.Errorf("cut %q", jp)
	}
	p := talkfeed.BoundPath("events/" + strings.Repeat("x", 300) + "/index.html")
	if segs := strings.Split(p, "/"); len(segs) != 3 || len(segs[1]) > talkfeed.MaxSegmentBytes || segs[2] != "index.html" {
		t.Errorf("BoundPath = %q", p)
	}
}

// A category's events are those a filter on it selects, whatever the
// spelling asked for.
func TestInCategory(t *testing.T) {
	evs := []talkfeed.Event{
		{ID: "a", Category: "Fast Data", Start: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		{ID: "b", Category: "fast-data", Start: time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)},
		{ID: "c", Category: "Go", Start: time.Date(2027, 1, 3, 0, 0, 0, 0, time.UTC)},
		{ID: "d", Start: time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)},
		{ID: "e", Category: "🚀", Start: time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC)},
	}
	c := talkfeed.NewCatalog(evs)
	for _, ask := range []string{"Fast Data", "FAST DATA", "Go", "🚀", "none", ""} {
		want := talkfeed.Filter{Categories: []string{ask}}.Apply(c)
		got := c.InCategory(ask)
		if len(got) != len(want) {
			t.Fatalf("%q: %d events, the filter %d", ask, len(got), len(want))
		}
		for i := range got {
			if got[i].ID != want[i].ID {
				t.Errorf("%q: %s, the filter %s", ask, got[i].ID, want[i].ID)
			}
		}
	}
	if n := len(c.InCategory("fast data")); n != 2 {
		t.Errorf("one category in two spellings: %d events", n)
	}
}
