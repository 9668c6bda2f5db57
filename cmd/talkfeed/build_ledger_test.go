package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/talkfeed/talkfeed/internal/testcorpus"
	"github.com/talkfeed/talkfeed/jsonfile"
)

// The build tests' own pages: a past talk with a published time, a past
// one without, an upcoming one, in two categories.
func writeLedgerPages(t *testing.T, dir string) {
	t.Helper()
	writePage(t, dir, "alpha.md", "---\ntitle: Alpha Talk\ndate: 2026-12-01 18:00\nlocation: Berlin\ncategory: Go\npublished: 2026-10-01T08:00:00Z\n---\nAbout alpha.\n")
	writePage(t, dir, "beta.md", "---\ntitle: Beta Talk\ndate: 2026-06-10 19:00\ntimezone: Europe/Paris\nlocation: Paris\ncategory: Rust\n---\nAbout beta.\n")
	writePage(t, dir, "gamma.md", "---\ntitle: Gamma Talk\ndate: 2025-03-03\nlocation: Online\ncategory: Go\n---\nAbout gamma.\n")
}

// buildAt runs `talkfeed build` in-process with the clock at now and
// fails the test unless it exits 0. It returns stderr.
func buildAt(t *testing.T, now, out, state, src string) string {
	t.Helper()
	code, stdout, stderr := runArgs(t, map[string]string{clockVar: now},
		"build", "--out", out, "--state", state, "--base-url", "https://talks.example/", src)
	if code != exitOK {
		t.Fatalf("build at %s: exit %d\n%s%s", now, code, stdout, stderr)
	}
	return stderr
}

// readTree reads every file below dir, by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sameTree reports every file that differs between two trees, but those
// skip names.
func sameTree(t *testing.T, what string, a, b map[string][]byte, skip func(string) bool) {
	t.Helper()
	for _, p := range sortedKeys(a) {
		if skip != nil && skip(p) {
			continue
		}
		if bb, ok := b[p]; !ok {
			t.Errorf("%s: %s is missing", what, p)
		} else if !bytes.Equal(a[p], bb) {
			t.Errorf("%s: %s differs", what, p)
		}
	}
	for _, p := range sortedKeys(b) {
		if _, ok := a[p]; !ok && (skip == nil || !skip(p)) {
			t.Errorf("%s: %s is new", what, p)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

// isIndexPage is the subscribe page and its siblings: the one output
// that depends on the day (it sorts upcoming from past talks).
func isIndexPage(p string) bool { return strings.HasPrefix(p, "index.html") }

// Two builds from the same pages and the same state write the same bytes,
// whenever they run: every output, its compressed siblings, the static
// host's files and the change feeds. Only the subscribe page follows the
// day.
func TestBuildSameStateSameBytes(t *testing.T) {
	src := t.TempDir()
	writeLedgerPages(t, src)
	state := t.TempDir()
	out1 := t.TempDir()
	buildAt(t, "2026-11-24T12:00:00Z", out1, state, src)
	state2 := filepath.Join(t.TempDir(), "state")
	copyDir(t, state, state2)

	// Later the same day, from the state and from its copy.
	out2, out3 := t.TempDir(), t.TempDir()
	buildAt(t, "2026-11-24T20:15:07Z", out2, state, src)
	buildAt(t, "2026-11-24T23:59:59Z", out3, state2, src)
	tree1 := readTree(t, out1)
	for _, want := range []string{"feed.rss", "calendar.ics", "changes.rss", "changes.atom", "changes.json", "_headers", "_redirects", "talkfeed.nginx.conf", "index.html", "category/go/feed.atom", "events/2026/alpha-talk/index.html"} {
		if _, ok := tree1[want]; !ok {
			t.Errorf("the build wrote no %s", want)
		}
	}
	sameTree(t, "out1 vs out2 (same state, later)", tree1, readTree(t, out2), nil)
	sameTree(t, "out1 vs out3 (copied state, later)", tree1, readTree(t, out3), nil)

	// The next day: everything but the subscribe page is the same.
	out4 := t.TempDir()
	buildAt(t, "2026-11-25T09:00:00Z", out4, state, src)
	sameTree(t, "out1 vs out4 (the next day)", tree1, readTree(t, out4), isIndexPage)

	// Nothing changed, so neither did the ledger: the state and its copy
	// still store the same bytes.
	a, errA := os.ReadFile(filepath.Join(state, ledgerFile))
	b, errB := os.ReadFile(filepath.Join(state2, ledgerFile))
	if errA != nil || errB != nil || !bytes.Equal(a, b) {
		t.Errorf("the ledgers differ after builds with no change: %v %v\n%s\n%s", errA, errB, a, b)
	}
}

// sequences reads each VEVENT's SEQUENCE by UID.
func sequences(t *testing.T, ics []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, ev := range decodeCalendar(t, ics).Events() {
		out[ev.Props.Get(goical.PropUID).Value] = ev.Props.Get(goical.PropSequence).Value
	}
	return out
}

// A moved talk's SEQUENCE rises by one, and no other's; the change feed
// tells the move once; a build after it with no edit changes nothing.
func TestBuildEditRaisesOneSequence(t *testing.T) {
	src := t.TempDir()
	writeLedgerPages(t, src)
	state := t.TempDir()
	out1, out2, out3 := t.TempDir(), t.TempDir(), t.TempDir()
	buildAt(t, "2026-11-24T12:00:00Z", out1, state, src)
	before := sequences(t, readTree(t, out1)["calendar.ics"])
	if len(before) != 3 {
		t.Fatalf("calendar.ics has %d events: %v", len(before), before)
	}

	writePage(t, src, "beta.md", "---\ntitle: Beta Talk\ndate: 2026-06-10 19:00\ntimezone: Europe/Paris\nlocation: Lyon\ncategory: Rust\n---\nAbout beta.\n")
	buildAt(t, "2026-11-24T13:00:00Z", out2, state, src)
	tree2 := readTree(t, out2)
	after := sequences(t, tree2["calendar.ics"])
	for uid, seq := range before {
		want := seq
		if strings.HasPrefix(uid, "beta@") {
			want = "1"
			if seq != "0" {
				t.Errorf("%s: SEQUENCE %s before the edit", uid, seq)
			}
		}
		if after[uid] != want {
			t.Errorf("%s: SEQUENCE %s after the edit, want %s (was %s)", uid, after[uid], want, seq)
		}
	}
	changes := parseFeedBytes(t, tree2["changes.rss"])
	if len(changes.Items) != 1 || changes.Items[0].Title != "Moved: Beta Talk" {
		var titles []string
		for _, it := range changes.Items {
			titles = append(titles, it.Title)
		}
		t.Fatalf("changes.rss items %q, want one move", titles)
	}
	if at := changes.Items[0].PublishedParsed; at == nil || !at.Equal(time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC)) {
		t.Errorf("the move is dated %v, want the build's time", at)
	}

	// A third build, no edit: not a byte changes, the ledger included.
	ledger2, _ := os.ReadFile(filepath.Join(state, ledgerFile))
	buildAt(t, "2026-11-24T14:00:00Z", out3, state, src)
	sameTree(t, "after the edit vs a build with no edit", tree2, readTree(t, out3), nil)
	if ledger3, _ := os.ReadFile(filepath.Join(state, ledgerFile)); !bytes.Equal(ledger2, ledger3) {
		t.Error("a build with no edit changed the ledger")
	}
}

// A corrupt ledger is no failure: the build warns, naming the file, sets
// it aside for a look, and writes a new ledger from the pages.
func TestBuildSetsACorruptLedgerAside(t *testing.T) {
	src := t.TempDir()
	writeLedgerPages(t, src)
	state := t.TempDir()
	path := filepath.Join(state, ledgerFile)
	corrupt := []byte(`{"since":"2026-01-01T00:00:00Z","talks":{"alpha":`)
	if err := os.WriteFile(path, corrupt, 0o644); err != nil {
		t.Fatal(err)
	}
	stderr := buildAt(t, testNow, t.TempDir(), state, src)
	if !strings.Contains(stderr, "corrupt") || !strings.Contains(stderr, path) {
		t.Errorf("no warning naming %s:\n%s", path, stderr)
	}
	aside, _ := filepath.Glob(path + ".corrupt-*")
	if len(aside) != 1 {
		t.Fatalf("set aside: %v", aside)
	}
	if b, err := os.ReadFile(aside[0]); err != nil || !bytes.Equal(b, corrupt) {
		t.Errorf("%s does not keep the corrupt file: %v %q", aside[0], err, b)
	}
	l, err := (&jsonfile.LedgerStore{Path: path}).Load()
	if err != nil || l.Len() != 3 {
		t.Fatalf("the new ledger: %v", err)
	}
	if e, _ := l.Entry("alpha"); !e.Announced.Equal(time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("alpha, rebuilt from its page, is announced at %v", e.Announced)
	}
	// The next build reads the new ledger without a word.
	if stderr := buildAt(t, testNow, t.TempDir(), state, src); strings.Contains(stderr, "ledger") {
		t.Errorf("the rebuilt ledger is not read back:\n%s", stderr)
	}
}

// A first import of the corpus, all of whose talks are past, dates every
// talk at a second of its own and none after the import: in every feed,
// each category's too, in every format.
func TestBuildCorpusImportDatesDistinct(t *testing.T) {
	dir := testcorpus.Dir(t, "dcos-events")
	out := t.TempDir()
	now, _ := time.Parse(time.RFC3339, testNow)
	code, stdout, stderr := runArgs(t, nil, "build", "--out", out, "--state", t.TempDir(), "--base-url", "https://dcos.io", dir)
	if code != exitOK || !strings.HasPrefix(stdout, "74 events, ") {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	feeds, _ := filepath.Glob(filepath.Join(out, "category", "*", "feed.*"))
	feeds = slices.DeleteFunc(feeds, func(p string) bool { return strings.HasSuffix(p, ".gz") || strings.HasSuffix(p, ".br") })
	if len(feeds) < 3 {
		t.Fatalf("category feeds: %v", feeds)
	}
	feeds = append(feeds, filepath.Join(out, "feed.rss"), filepath.Join(out, "feed.atom"), filepath.Join(out, "feed.json"))
	total := 0
	for _, p := range feeds {
		rel, _ := filepath.Rel(out, p)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f := parseFeedBytes(t, b)
		if filepath.Dir(rel) == "." {
			if len(f.Items) != 74 {
				t.Errorf("%s: %d items, want 74", rel, len(f.Items))
			}
		} else {
			total += len(f.Items)
		}
		// RSS has pubDate only; Atom published and updated; JSON Feed
		// date_published and date_modified.
		published, updated := map[int64]string{}, map[int64]string{}
		for _, it := range f.Items {
			check := func(field string, at *time.Time, seen map[int64]string) {
				switch {
				case at == nil:
					t.Errorf("%s: %q has no %s", rel, it.Title, field)
				case at.After(now):
					t.Errorf("%s: %q has %s %v, after the import at %v", rel, it.Title, field, at, now)
				case seen[at.Unix()] != "":
					t.Errorf("%s: %q and %q share %s %v", rel, seen[at.Unix()], it.Title, field, at)
				default:
					seen[at.Unix()] = it.Title
				}
			}
			check("published", it.PublishedParsed, published)
			if f.FeedType != "rss" {
				check("updated", it.UpdatedParsed, updated)
			}
		}
		if filepath.Base(rel) == "feed.rss" && filepath.Dir(rel) == "." {
			t.Logf("%s: %d distinct pubDates of %d items", rel, len(published), len(f.Items))
		}
	}
	if total != 3*74 {
		t.Errorf("the category feeds have %d items, want each talk in one category's three feeds (%d)", total, 3*74)
	}
}
