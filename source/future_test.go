package source

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/talkfeed/talkfeed"
)

// futureDay is the day the far-future tests load on.
var futureDay = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// farWarnings loads fsys once on the clock and returns the far-future
// warnings by file and line.
func farWarnings(t *testing.T, l *Loader, fsys fstest.MapFS) (*Result, []talkfeed.Diagnostic) {
	t.Helper()
	res, err := l.Load(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	var far []talkfeed.Diagnostic
	for _, d := range res.Diagnostics {
		if strings.Contains(d.Message, "years after today") {
			far = append(far, d)
		}
	}
	return res, far
}

func clockAt(t *time.Time) func() time.Time { return func() time.Time { return *t } }

func pageFS(pages map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, text := range pages {
		fsys[name] = &fstest.MapFile{Data: []byte(text), ModTime: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
	}
	return fsys
}

func TestFarFutureDatesWarn(t *testing.T) {
	now := futureDay
	l, err := NewLoader(Options{Today: clockAt(&now)})
	if err != nil {
		t.Fatal(err)
	}
	fsys := pageFS(map[string]string{
		"placeholder.md": "---\ntitle: Placeholder\ndate: 2100-01-01\n---\nTo be announced.\n",
		"published.md":   "---\ntitle: Soon\ndate: 2027-03-01 18:00\nspeaker: Ada Lovelace\npublished: 3018-05-01\n---\n",
		"hugo.md":        "---\ntitle: Hugo\nstart: 2027-04-01\ndate: 3018-05-01T10:00:00Z\n---\n",
		"far-end.md":     "---\ntitle: Long\ndate: 2027-05-01\nend: 2100-01-01\n---\n",
		"both-far.md":    "---\ntitle: Both\ndate: 2100-01-01 18:00\nend: 2100-01-01 20:00\npublished: 2100-01-01\n---\n",
		"toml.md":        "+++\ntitle = \"TOML\"\n\ndate = 2100-01-01T19:00:00Z\n+++\n",
		"three-years.md": "---\ntitle: Planned\ndate: 2029-11-24\npublished: 2029-01-01\nend: 2029-11-26\n---\n",
		"ten-years.md":   "---\ntitle: On the day\ndate: 2036-11-24T23:00:00Z\n---\n",
		"day-after.md":   "---\ntitle: A day late\ndate: 2036-11-25\n---\n",
	})
	res, far := farWarnings(t, l, fsys)
	type at struct {
		file string
		line int
	}
	want := map[at]string{
		{"placeholder.md", 3}: "date 2100-01-01 is more than 10 years after today; a placeholder? The talk is listed as upcoming until then",
		{"published.md", 5}:   "published 3018-05-01 is more than 10 years after today; a placeholder? It is not used as the announcement",
		{"hugo.md", 4}:        "date 3018-05-01T10:00:00Z is more than 10 years after today; a placeholder? It is not used as the announcement",
		{"far-end.md", 4}:     "end 2100-01-01 is more than 10 years after today; a placeholder? The talk is listed as running until then",
		{"both-far.md", 3}:    "date 2100-01-01 18:00 is more than 10 years",
		{"both-far.md", 5}:    "published 2100-01-01 is more than 10 years",
		{"toml.md", 4}:        "date 2100-01-01T19:00:00Z is more than 10 years",
		{"day-after.md", 3}:   "date 2036-11-25 is more than 10 years",
	}
	got := map[at]string{}
	for _, d := range far {
		if d.Severity != talkfeed.SeverityWarning {
			t.Errorf("%s: severity %s, want warning", d, d.Severity)
		}
		got[at{d.File, d.Line}] = d.Message
	}
	for k, w := range want {
		if !strings.HasPrefix(got[k], w) {
			t.Errorf("%s:%d: got %q, want %q…", k.file, k.line, got[k], w)
		}
	}
	for k, m := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s:%d: unexpected warning %q", k.file, k.line, m)
		}
	}
	// A warning, not an error: every talk is still loaded.
	if len(res.Events) != len(fsys) || res.Counts().Errors != 0 {
		t.Errorf("%d events of %d, diagnostics %v", len(res.Events), len(fsys), res.Diagnostics)
	}
}

// Without a clock the loader makes no far-future check.
func TestFarFutureNeedsClock(t *testing.T) {
	l, err := NewLoader(Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, far := farWarnings(t, l, pageFS(map[string]string{"p.md": "---\ntitle: P\ndate: 2100-01-01\n---\n"}))
	if len(far) != 0 {
		t.Errorf("warnings without a clock: %v", far)
	}
}

// The check runs per load, outside the parse cache, on the clock read
// once per load. A fixed date comes nearer as the clock runs on: a page
// flagged on one day is not on a later day once it is within 10 years, and
// a cached page is flagged on a day it is over them (here a day 2 years
// earlier, as TALKFEED_NOW may pin).
func TestFarFutureCachedPageOnAnotherDay(t *testing.T) {
	now := futureDay
	reads := 0
	l, err := NewLoader(Options{Today: func() time.Time { reads++; return now }})
	if err != nil {
		t.Fatal(err)
	}
	fsys := pageFS(map[string]string{
		"nine.md":   "---\ntitle: Nine years out\ndate: 2035-09-01\n---\n",
		"eleven.md": "---\ntitle: Eleven years out\n\ndate: 2037-09-01\n---\n",
	})
	_, far := farWarnings(t, l, fsys)
	if len(far) != 1 || far[0].File != "eleven.md" || far[0].Line != 4 {
		t.Fatalf("on %s: %v", now.Format(time.DateOnly), far)
	}
	if reads != 1 {
		t.Errorf("the clock was read %d times in one load, want 1", reads)
	}
	cached := map[string]*talkfeed.Event{}
	for p, c := range l.cache {
		cached[p] = c.result.event
		if len(c.result.diags) != 0 {
			t.Errorf("%s: a diagnostic went into the cache: %v", p, c.result.diags)
		}
	}
	loadOn := func(day time.Time) []talkfeed.Diagnostic {
		t.Helper()
		now = day
		_, far := farWarnings(t, l, fsys)
		for p, ev := range cached {
			if l.cache[p].result.event != ev {
				t.Fatalf("%s was parsed again; the test needs it cached", p)
			}
		}
		return far
	}
	// A year on, the eleven-year page is within 10 years.
	if far := loadOn(futureDay.AddDate(1, 0, 0)); len(far) != 0 {
		t.Errorf("a year later: %v", far)
	}
	// Two years earlier, the nine-year page is over 10 years ahead.
	far = loadOn(futureDay.AddDate(-2, 0, 0))
	if len(far) != 2 || far[1].File != "nine.md" || far[1].Line != 3 || !strings.HasPrefix(far[1].Message, "date 2035-09-01 is more than 10 years after today") {
		t.Errorf("2 years earlier: %v", far)
	}
}
