package source

import (
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/demo"
	"github.com/talkfeed/talkfeed/internal/testcorpus"
)

func load(t *testing.T, opts Options, dir string) *Result {
	t.Helper()
	l, err := NewLoader(opts)
	if err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	res, err := l.Load(context.Background(), root.FS())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func talk(title, date string) string {
	return "---\ntitle: " + title + "\ndate: " + date + "\n---\nBody of " + title + ".\n"
}

func findDiag(res *Result, file string, sev talkfeed.Severity, substr string) bool {
	for _, d := range res.Diagnostics {
		if d.File == file && d.Severity == sev && strings.Contains(d.Message, substr) {
			return true
		}
	}
	return false
}

func eventIDs(res *Result) []string {
	var ids []string
	for _, e := range res.Events {
		ids = append(ids, e.ID)
	}
	return ids
}

// Every kind of bad file gets its error while the good pages still load.
func TestLoadBadFilesKeepOthers(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	writeFile(t, dir, "good.md", talk("Good", "2020-01-01"))
	writeFile(t, dir, "sub/also-good.markdown", talk("Also good", "2020-01-02"))
	writeFile(t, dir, "huge.md", "---\ntitle: Huge\ndate: 2020-01-03\n---\n"+strings.Repeat("x", DefaultMaxPageBytes))
	writeFile(t, dir, "binary.md", "\x89PNG\r\n\x1a\n\x00\x00")
	writeFile(t, dir, "broken.md", "---\ntitle: [\ndate: 2020-01-04\n---\n")
	writeFile(t, dir, "notes.txt", "not a page")
	writeFile(t, dir, ".hidden/secret.md", talk("Hidden", "2020-01-05"))
	writeFile(t, outside, "stolen.md", talk("Outside", "2020-01-06"))
	if err := os.Symlink(filepath.Join(outside, "stolen.md"), filepath.Join(dir, "escape.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../"+filepath.Base(outside)+"/stolen.md", filepath.Join(dir, "sub", "escape-relative.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("good.md", filepath.Join(dir, "alias.md")); err != nil {
		t.Fatal(err)
	}
	res := load(t, Options{}, dir)

	if got, want := eventIDs(res), []string{"alias", "good", "sub/also-good"}; !reflect.DeepEqual(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	for _, c := range []struct{ file, substr string }{
		{"huge.md", "over the 1 MiB limit"},
		{"binary.md", "binary"},
		{"escape.md", "leads out of the source root"},
		{"sub/escape-relative.md", "leads out of the source root"},
	} {
		if !findDiag(res, c.file, talkfeed.SeverityError, c.substr) {
			t.Errorf("no error for %s containing %q: %v", c.file, c.substr, res.Diagnostics)
		}
	}
	for _, d := range res.Diagnostics {
		if d.File == "broken.md" && d.Line != 2 {
			t.Errorf("YAML error line %d, want 2", d.Line)
		}
		if strings.Contains(d.File, "hidden") || strings.Contains(d.File, "notes") {
			t.Errorf("hidden or non-page file reported: %v", d)
		}
	}
	if c := res.Counts(); c.Errors != 5 {
		t.Errorf("errors %d, want 5: %v", c.Errors, res.Diagnostics)
	}
	if res.Pages != 8 {
		t.Errorf("pages %d, want 8", res.Pages)
	}
}

// An os.Root also refuses a link that escapes through a chain of links.
func TestLoadRootRefusesEscapes(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	writeFile(t, outside, "x.md", talk("Outside", "2020-01-06"))
	if err := os.Symlink(outside, filepath.Join(dir, "linkdir")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("linkdir/x.md", filepath.Join(dir, "chain.md")); err != nil {
		t.Fatal(err)
	}
	res := load(t, Options{}, dir)
	if len(res.Events) != 0 || !findDiag(res, "chain.md", talkfeed.SeverityError, "out of the source root") {
		t.Errorf("events %v diagnostics %v", eventIDs(res), res.Diagnostics)
	}
}

func TestLoadDuplicateIDs(t *testing.T) {
	fsys := fstest.MapFS{
		"a.md":       {Data: []byte(talk("A", "2020-01-01"))},
		"a.markdown": {Data: []byte(talk("A again", "2020-01-02"))},
		"b.md":       {Data: []byte("---\ntitle: B\ndate: 2020-01-03\nuid: shared\n---\n")},
		"c.md":       {Data: []byte("---\ntitle: C\ndate: 2020-01-04\nuid: shared\n---\n")},
	}
	l, _ := NewLoader(Options{})
	res, err := l.Load(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := eventIDs(res), []string{"a", "shared"}; !reflect.DeepEqual(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	// "a.markdown" sorts before "a.md": the first in path order keeps the ID.
	if res.Events[0].Source.Path != "a.markdown" || res.Events[0].Title != "A again" {
		t.Errorf("ID a went to %s (%q)", res.Events[0].Source.Path, res.Events[0].Title)
	}
	if !findDiag(res, "a.md", talkfeed.SeverityError, `ID "a" is already used by a.markdown`) {
		t.Errorf("diagnostics %v", res.Diagnostics)
	}
	for _, d := range res.Diagnostics {
		if d.File == "c.md" && d.Line != 4 {
			t.Errorf("duplicate uid reported at line %d, want the uid's line 4", d.Line)
		}
	}
	if !findDiag(res, "c.md", talkfeed.SeverityError, `ID "shared" is already used by b.md`) {
		t.Errorf("diagnostics %v", res.Diagnostics)
	}
}

func TestLoadDuplicatePageURLs(t *testing.T) {
	fsys := fstest.MapFS{
		"a.md": {Data: []byte(talk("Same Title", "2020-01-01"))},
		"b.md": {Data: []byte(talk("Same Title", "2020-05-01"))},
		"c.md": {Data: []byte(talk("Same Title", "2021-05-01"))},
	}
	l, _ := NewLoader(Options{BaseURL: "https://x.example"})
	res, _ := l.Load(context.Background(), fsys)
	var urls []string
	for _, e := range res.Events {
		urls = append(urls, e.PageURL)
	}
	want := []string{
		"https://x.example/events/2020/same-title/",
		"https://x.example/events/2020/same-title-2/",
		"https://x.example/events/2021/same-title/",
	}
	if !reflect.DeepEqual(urls, want) {
		t.Errorf("page URLs %v, want %v", urls, want)
	}
	if !findDiag(res, "b.md", talkfeed.SeverityWarning, "already used by a.md") {
		t.Errorf("diagnostics %v", res.Diagnostics)
	}
}

// The result does not depend on how many workers parse.
func TestLoadDeterministicAcrossWorkers(t *testing.T) {
	l1, _ := NewLoader(Options{Workers: 1})
	l8, _ := NewLoader(Options{Workers: 8})
	a, err := l1.Load(context.Background(), demo.Talks())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := l8.Load(context.Background(), demo.Talks())
	if !reflect.DeepEqual(a, b) {
		t.Error("results differ between 1 and 8 workers")
	}
}

func TestLoadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l, _ := NewLoader(Options{})
	if _, err := l.Load(ctx, demo.Talks()); err == nil {
		t.Error("a cancelled load succeeded")
	}
}

func TestLoadMissingRoot(t *testing.T) {
	l, _ := NewLoader(Options{})
	if _, err := l.Load(context.Background(), os.DirFS(filepath.Join(t.TempDir(), "nope"))); err == nil {
		t.Error("a missing root loaded")
	}
}

// The demo content covers every shape the README promises and checks
// clean.
func TestDemoContent(t *testing.T) {
	l, _ := NewLoader(Options{})
	res, err := l.Load(context.Background(), demo.Talks())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Diagnostics) != 0 {
		t.Errorf("demo diagnostics: %v", res.Diagnostics)
	}
	if n := len(res.Events); n < 8 || n > 12 {
		t.Errorf("%d demo talks, want 8 to 12", n)
	}
	var allDay, timedZone, multiDay, cancelled, online, several, nonASCII, image bool
	for _, e := range res.Events {
		allDay = allDay || (e.AllDay && e.End.IsZero())
		timedZone = timedZone || (!e.AllDay && e.TimeZone != "" && e.TimeZone != "UTC")
		multiDay = multiDay || (e.AllDay && e.End.After(e.Start))
		cancelled = cancelled || e.Status == talkfeed.StatusCancelled
		online = online || e.OnlineURL != ""
		several = several || len(e.Speakers) > 2
		image = image || e.ImageURL != ""
		for _, s := range e.Speakers {
			nonASCII = nonASCII || strings.ContainsFunc(s.Name, func(r rune) bool { return r > 127 })
		}
	}
	for name, ok := range map[string]bool{
		"all-day": allDay, "timed with zone": timedZone, "multi-day": multiDay, "cancelled": cancelled,
		"online": online, "several speakers": several, "non-ASCII name": nonASCII, "image": image,
	} {
		if !ok {
			t.Errorf("demo content lacks a %s talk", name)
		}
	}
	for _, e := range res.Events {
		if e.ImageURL == "" {
			continue
		}
		rel := strings.TrimPrefix(e.ImageURL, DefaultBaseURL)
		if _, err := fs.Stat(demo.Assets(), rel); err != nil {
			t.Errorf("demo image %s is not embedded: %v", e.ImageURL, err)
		}
	}
}

func TestCorpusDCOS(t *testing.T) {
	dir := testcorpus.Dir(t, "dcos-events")
	res := load(t, Options{BaseURL: "https://dcos.io/"}, dir)
	c := res.Counts()
	if len(res.Events) != 74 || res.Skipped != 1 || c.Errors != 0 {
		t.Fatalf("%d events, %d skipped, %d errors: %v", len(res.Events), res.Skipped, c.Errors, res.Diagnostics)
	}
	if !findDiag(res, "index.md", talkfeed.SeverityNotice, "not a talk") {
		t.Error("index.md not reported as skipped")
	}
	byID := map[string]talkfeed.Event{}
	for _, e := range res.Events {
		byID[e.ID] = e
		if !e.AllDay || !e.End.IsZero() || e.Start.Hour() != 0 {
			t.Errorf("%s: all-day %v start %v end %v", e.ID, e.AllDay, e.Start, e.End)
		}
		if e.Title == "" || e.Location == "" || len(e.Speakers) == 0 || e.BodyHTML == "" || e.Summary == "" {
			t.Errorf("%s: missing title, location, speakers, body or summary", e.ID)
		}
	}

	m := byID["2018-03-28_Manchester_Kafka_Meetup"]
	checks := map[string][2]string{
		"start":      {m.Start.Format("2006-01-02 15:04 MST"), "2018-03-28 00:00 UTC"},
		"title":      {m.Title, "From batch to pipelines - why Apache Mesos and DC/OS are a solution for emerging patterns in data processing"},
		"page URL":   {m.PageURL, "https://dcos.io/events/2018/from-batch-to-pipelines-why-apache-mesos-and-dc-os-are-a-solution-for-emerging-patterns-in-data-processing/"},
		"image":      {m.ImageURL, "https://dcos.io/assets/images/events/2018-03-28_Manchester_Kafka_Crowd.jpg"},
		"location":   {m.Location, "Manchester, UK"},
		"event name": {m.EventName, "Manchester Apache Kafka® Meetup by Confluent"},
		"category":   {m.Category, "Fast Data"},
		"summary":    {m.Summary, "Learn how Apache Mesos and DC/OS make it easier to run batch and streaming data analysis tools like Apache Spark and Apache Flink."},
		"speaker":    {m.SpeakerText, "Matt Jarvis, Mesosphere"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("Manchester %s = %q, want %q", name, c[0], c[1])
		}
	}
	if want := []talkfeed.Speaker{{Name: "Matt Jarvis", Affiliation: "Mesosphere", URL: "https://twitter.com/mattj_io"}}; !slices.Equal(m.Speakers, want) {
		t.Errorf("Manchester speakers %+v", m.Speakers)
	}
	if !strings.Contains(m.BodyHTML, `<img src="https://dcos.io/assets/images/events/2018-03-28_Manchester_Kafka_Preso.jpg"`) {
		t.Error("Manchester body image is not absolute")
	}
	if !strings.HasPrefix(m.Links.Slides, "https://docs.google.com/presentation/") {
		t.Errorf("Manchester slides %q", m.Links.Slides)
	}

	speakerCases := map[string][]talkfeed.Speaker{
		"2017-08-01_smack_vamp_flink": {{Name: "Jörg Schad"}, {Name: "Johannes Unterstein"}, {Name: "Tim Nolet"}, {Name: "Matt Jarvis"}},
		"2017-10-05_containers_data_javaone": {
			{Name: "Johannes Unterstein", Affiliation: "Mesosphere"},
			{Name: "Jörg Schad", Affiliation: "Mesosphere"},
		},
		"2018-03-19_K8s-Philly": {{Name: "Daniel Mennell", Affiliation: "Mesosphere"}, {Name: "Greg Erb", Affiliation: "Mesosphere", URL: "https://twitter.com/gregerb"}},
		"2017-11-01_jolt_yelp":  {{Name: "Sunil Shah", Affiliation: "Yelp"}, {Name: "Kyle Kelly", Affiliation: "Yelp"}, {Name: "Timmy Zhu", Affiliation: "Yelp"}},
	}
	for id, want := range speakerCases {
		if got := byID[id].Speakers; !slices.Equal(got, want) {
			t.Errorf("%s speakers\n got %+v\nwant %+v", id, got, want)
		}
	}

	// A page without a description gets its first paragraph as summary.
	for _, e := range res.Events {
		if e.Summary == "" || strings.Contains(e.Summary, "<") {
			t.Errorf("%s summary %q", e.ID, e.Summary)
		}
		if strings.Contains(e.BodyHTML, "<script") || strings.Contains(e.BodyHTML, "<iframe") {
			t.Errorf("%s body keeps a script or iframe", e.ID)
		}
	}
}

// A page that breaks after an edit keeps its last good version, with its
// error reported; a fixed page is read anew; a deleted page goes.
func TestLastGoodVersionKept(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.md", talk("Alpha", "2020-01-01"))
	writeFile(t, dir, "b.md", talk("Beta", "2020-01-02"))
	l, _ := NewLoader(Options{})
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	loadNow := func() *Result {
		res, err := l.Load(context.Background(), root.FS())
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	loadNow()
	writeFile(t, dir, "a.md", "---\ntitle: [Alpha\ndate: 2020-01-01\n---\n")
	res := loadNow()
	if len(res.Events) != 2 || res.Events[0].Title != "Alpha" {
		t.Fatalf("broken page dropped: %v", eventIDs(res))
	}
	if !findDiag(res, "a.md", talkfeed.SeverityError, "YAML") || !findDiag(res, "a.md", talkfeed.SeverityWarning, "last good version") {
		t.Errorf("diagnostics %v", res.Diagnostics)
	}
	writeFile(t, dir, "a.md", talk("Alpha fixed", "2020-01-01"))
	if res := loadNow(); res.Events[0].Title != "Alpha fixed" || res.Counts().Errors != 0 {
		t.Errorf("fixed page: %q, %v", res.Events[0].Title, res.Diagnostics)
	}
	if err := os.Remove(filepath.Join(dir, "b.md")); err != nil {
		t.Fatal(err)
	}
	if res := loadNow(); len(res.Events) != 1 {
		t.Errorf("deleted page still listed: %v", eventIDs(res))
	}
	// A page never good before has nothing to keep: it is named as
	// unloaded, so that the ledger does not take it for a removal.
	writeFile(t, dir, "c.md", "---\ntitle: [\n---\n")
	if res := loadNow(); len(res.Events) != 1 || !slices.Equal(res.Unloaded, []string{"c.md"}) {
		t.Errorf("events %v, unloaded %v", eventIDs(res), res.Unloaded)
	}
}

// A real watcher reports a page written, a folder made, and a page
// written in that new folder. Each step waits for the report of the one
// before, so nothing depends on how fast the machine is.
func TestWatch(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	w, err := NewWatcher(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	changes := make(chan struct{}, 10)
	done := make(chan struct{})
	go func() {
		w.Run(ctx, 10*time.Millisecond, func() { changes <- struct{}{} })
		close(done)
	}()
	wait := func(what string) {
		t.Helper()
		select {
		case <-changes:
		case <-time.After(10 * time.Second):
			t.Fatalf("no change reported after %s", what)
		}
	}
	writeFile(t, dir, "a.md", talk("A", "2020-01-01"))
	wait("writing a page")
	if err := os.Mkdir(filepath.Join(dir, "new"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Reported only once the new folder is watched: a page written there
	// now can only be seen through that watch.
	wait("making a folder")
	writeFile(t, dir, "new/b.md", talk("B", "2020-01-02"))
	wait("writing a page in a new folder")
	cancel()
	<-done
}

// Changes in hidden entries and metadata-only events need no reload;
// everything else does.
func TestWatchRelevant(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWatcher(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer w.w.Close()
	for _, tc := range []struct {
		name string
		op   fsnotify.Op
		want bool
	}{
		{"a.md", fsnotify.Write, true},
		{"a.md", fsnotify.Create, true},
		{"a.md", fsnotify.Remove, true},
		{"a.md", fsnotify.Rename, true},
		{"a.md", fsnotify.Chmod, false},
		{"a.md", fsnotify.Chmod | fsnotify.Write, true},
		{".git/index", fsnotify.Write, false},
		{"2027/.draft.md", fsnotify.Write, false},
		{"node_modules/x/y.md", fsnotify.Create, false},
		{"2027/talk.md", fsnotify.Write, true},
	} {
		ev := fsnotify.Event{Name: filepath.Join(dir, filepath.FromSlash(tc.name)), Op: tc.op}
		if got := w.relevant(ev); got != tc.want {
			t.Errorf("%s %v: relevant %v, want %v", tc.name, tc.op, got, tc.want)
		}
	}
}

// Changes that come before the wait after the previous one is over make
// one call. The test decides when each wait ends, so a burst is a burst
// however slow the machine is.
func TestWatchDebounce(t *testing.T) {
	waits := make(chan chan time.Time)
	w := &Watcher{after: func(time.Duration) <-chan time.Time {
		c := make(chan time.Time) // unbuffered: a send returns once taken
		waits <- c
		return c
	}}
	changes := make(chan struct{})
	calls := make(chan struct{}, 10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		w.debounce(ctx, changes, time.Second, func() { calls <- struct{}{} })
		close(done)
	}()
	defer cancel()
	change := func() chan time.Time {
		t.Helper()
		changes <- struct{}{}
		select {
		case c := <-waits:
			return c
		case <-time.After(10 * time.Second):
			t.Fatal("a change started no wait")
			return nil
		}
	}
	first, second, last := change(), change(), change()
	// A wait cut short by a later change is no longer listened to.
	for _, c := range []chan time.Time{first, second} {
		select {
		case c <- time.Time{}:
			t.Error("a wait cut short by a later change still ends in a call")
		default:
		}
	}
	if len(calls) != 0 {
		t.Fatal("a call before the burst settled")
	}
	last <- time.Time{}
	select {
	case <-calls:
	case <-time.After(10 * time.Second):
		t.Fatal("no call once the burst settled")
	}
	next := change() // the loop is waiting again, with nothing pending
	if n := len(calls); n != 0 {
		t.Errorf("%d more calls for one burst", n)
	}
	next <- time.Time{}
	<-calls
	cancel()
	<-done
}

// A page whose size and modification time are those it was parsed at is
// not read again; any edit, even one that keeps the size, is.
func TestUnchangedPagesNotReadAgain(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.md", talk("Alpha", "2027-01-01"))
	l, _ := NewLoader(Options{})
	reads := 0
	fsys := countingFS{FS: os.DirFS(dir), reads: &reads}
	load := func() *Result {
		t.Helper()
		res, err := l.Load(context.Background(), fsys)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	load()
	if load(); reads != 1 {
		t.Errorf("an unchanged page was read %d times", reads)
	}
	// The same size, a new time: read again.
	writeFile(t, dir, "a.md", talk("Alphb", "2027-01-01"))
	if res := load(); reads != 2 || res.Events[0].Title != "Alphb" {
		t.Errorf("%d reads, title %q", reads, res.Events[0].Title)
	}
	// Whole-second times are not trusted.
	sec := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	os.Chtimes(filepath.Join(dir, "a.md"), sec, sec)
	load()
	load()
	if reads != 4 {
		t.Errorf("a page with a whole-second time was trusted: %d reads", reads)
	}
}

// countingFS counts the pages read through it.
type countingFS struct {
	fs.FS
	reads *int
}

func (c countingFS) Open(name string) (fs.File, error) {
	f, err := c.FS.Open(name)
	if err == nil && strings.HasSuffix(name, ".md") {
		return &countingFile{File: f, reads: c.reads}, nil
	}
	return f, err
}

// countingFile counts once when it is first read.
type countingFile struct {
	fs.File
	reads *int
	read  bool
}

func (c *countingFile) Read(p []byte) (int, error) {
	if !c.read {
		c.read = true
		*c.reads++
	}
	return c.File.Read(p)
}

// deniedFS refuses to open the names in denied, as a folder or page
// without read permission does, whoever runs the test (root reads
// anything on disk).
type deniedFS struct {
	fs.FS
	denied map[string]bool
}

func (d deniedFS) Open(name string) (fs.File, error) {
	if d.denied[name] {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return d.FS.Open(name)
}

// A page that cannot be read for a moment — being written (empty, or cut
// short in its front matter), unreadable, or in a folder that cannot be
// read — keeps its last good version with its error, and is read anew
// once it can be: a talk never vanishes from the feeds (and the ledger)
// because a page was caught mid-write or a permission changed.
func TestLastGoodVersionKeptWhileUnreadable(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.md", talk("Alpha", "2027-01-01"))
	writeFile(t, dir, "2027/b.md", talk("Beta", "2027-01-02"))
	writeFile(t, dir, "2027/deep/c.md", talk("Gamma", "2027-01-03"))
	l, _ := NewLoader(Options{})
	denied := map[string]bool{}
	fsys := deniedFS{FS: os.DirFS(dir), denied: denied}
	loadNow := func() *Result {
		t.Helper()
		res, err := l.Load(context.Background(), fsys)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	titles := func(res *Result) []string {
		var out []string
		for _, e := range res.Events {
			out = append(out, e.Title)
		}
		return out
	}
	all := []string{"Beta", "Gamma", "Alpha"} // in path order
	if got := titles(loadNow()); !slices.Equal(got, all) {
		t.Fatalf("first load: %q", got)
	}
	for _, c := range []struct {
		name   string
		break_ func()
		file   string // the diagnostic's
		err    string
	}{
		{"an empty page", func() { writeFile(t, dir, "a.md", "") }, "a.md", "empty"},
		{"a page cut short in its first line", func() { writeFile(t, dir, "a.md", "--") }, "a.md", "empty"},
		{"a page cut short in its front matter", func() { writeFile(t, dir, "a.md", "---\ntitle: Alp") }, "a.md", "front matter"},
		{"an unreadable page", func() { // a chmod: the change time moves
			denied["a.md"] = true
			os.Chmod(filepath.Join(dir, "a.md"), 0)
		}, "a.md", "permission denied"},
		{"an unreadable folder", func() { denied["2027"] = true }, "2027", "permission denied"},
		{"an unreadable folder below", func() { denied["2027/deep"] = true }, "2027/deep", "permission denied"},
	} {
		c.break_()
		res := loadNow()
		if got := titles(res); !slices.Equal(got, all) {
			t.Errorf("%s: talks %q, want %q", c.name, got, all)
		}
		if !findDiag(res, c.file, talkfeed.SeverityError, c.err) || !findDiag(res, c.file, talkfeed.SeverityWarning, "last good version") {
			t.Errorf("%s: diagnostics %v", c.name, res.Diagnostics)
		}
		clear(denied)
		os.Chmod(filepath.Join(dir, "a.md"), 0o644)
		writeFile(t, dir, "a.md", talk("Alpha", "2027-01-01"))
		if res := loadNow(); !slices.Equal(titles(res), all) || res.Counts().Errors+res.Counts().Warnings != 0 {
			t.Errorf("%s, readable again: %q %v", c.name, titles(res), res.Diagnostics)
		}
	}
	// Only what was good before is kept: an empty page never good is no
	// talk, and no error.
	writeFile(t, dir, "new.md", "")
	if res := loadNow(); len(res.Events) != 3 || res.Counts().Errors != 0 || len(res.Unloaded) != 0 {
		t.Errorf("a new empty page: %q %v, unloaded %v", titles(res), res.Diagnostics, res.Unloaded)
	}
}
