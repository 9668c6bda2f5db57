package publish

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/mmcdole/gofeed"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/demo"
	"github.com/talkfeed/talkfeed/internal/testcorpus"
	"github.com/talkfeed/talkfeed/source"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func buildTree(t testing.TB, fsys fs.FS, site talkfeed.Site, assets fs.FS) *Tree {
	t.Helper()
	l, err := source.NewLoader(source.Options{BaseURL: site.BaseURL})
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Load(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := Build(talkfeed.NewCatalog(res.Events), Options{Site: site, Generator: "talkfeed test", TTL: 5 * time.Minute, Assets: assets,
		Today: demo.Anchor})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// checkGolden compares each named file with testdata/golden/<name>/, or
// rewrites the goldens with -update.
func checkGolden(t *testing.T, tree *Tree, name string, paths []string) {
	t.Helper()
	dir := filepath.Join("testdata", "golden", name)
	for _, p := range paths {
		f, ok := tree.File(p)
		if !ok {
			t.Errorf("tree has no %s", p)
			continue
		}
		golden := filepath.Join(dir, filepath.FromSlash(p))
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, f.Body, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./publish -update)", err)
		}
		if !bytes.Equal(f.Body, want) {
			t.Errorf("%s differs from %s (run go test ./publish -update and review the diff)", p, golden)
		}
	}
}

var demoSite = talkfeed.Site{Title: "Demo Talks", Description: "Talks by the talkfeed demo community", BaseURL: "http://localhost:8080/", Language: "en"}

func treePaths(tree *Tree, ext string) []string {
	var out []string
	for _, f := range tree.Files() {
		if strings.HasSuffix(f.Path, ext) {
			out = append(out, f.Path)
		}
	}
	return out
}

func TestGoldenDemo(t *testing.T) {
	tree := buildTree(t, demo.Talks(), demoSite, demo.Assets())
	var paths []string
	for _, ext := range []string{".rss", ".atom", ".json", ".ics", ".html"} {
		paths = append(paths, treePaths(tree, ext)...)
	}
	if len(paths) < 4*8+10 {
		t.Errorf("only %d feed files: %v", len(paths), paths)
	}
	checkGolden(t, tree, "demo", paths)
}

func TestGoldenCorpus(t *testing.T) {
	dir := testcorpus.Dir(t, "dcos-events")
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	site := talkfeed.Site{Title: "DC/OS Events", BaseURL: "https://dcos.io/", Language: "en"}
	tree := buildTree(t, root.FS(), site, nil)
	checkGolden(t, tree, "dcos", []string{"feed.rss", "feed.atom", "feed.json", "calendar.ics", "category/fast-data/feed.rss",
		"category/fast-data/calendar.ics", "events/2018-03-28_Manchester_Kafka_Meetup.ics"})

	// The bar for calendars: 74 events that go-ical parses, the
	// Manchester talk on its day, and every per-talk file valid the same
	// way.
	cal, _ := tree.File("calendar.ics")
	parsed, err := goical.NewDecoder(bytes.NewReader(cal.Body)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(parsed.Events()); n != 74 {
		t.Errorf("calendar.ics has %d events", n)
	}
	if !bytes.Contains(cal.Body, []byte("UID:2018-03-28_Manchester_Kafka_Meetup@dcos.io\r\n")) ||
		!bytes.Contains(cal.Body, []byte("DTSTART;VALUE=DATE:20180328\r\nDTEND;VALUE=DATE:20180329\r\n")) {
		t.Error("the Manchester talk is not DTSTART;VALUE=DATE:20180328 with DTEND;VALUE=DATE:20180329")
	}
	perTalk := 0
	for _, f := range tree.Files() {
		if !strings.HasPrefix(f.Path, "events/") || !strings.HasSuffix(f.Path, ".ics") {
			continue
		}
		perTalk++
		c, err := goical.NewDecoder(bytes.NewReader(f.Body)).Decode()
		if err != nil || len(c.Events()) != 1 {
			t.Errorf("%s: %v", f.Path, err)
			continue
		}
		ev := c.Events()[0]
		start, err1 := ev.DateTimeStart(nil)
		end, err2 := ev.DateTimeEnd(nil)
		if err1 != nil || err2 != nil || !end.After(start) || ev.Props.Get(goical.PropDateTimeStart).ValueType() != goical.ValueDate {
			t.Errorf("%s: start %v end %v", f.Path, start, end)
		}
	}
	if perTalk != 74 {
		t.Errorf("%d per-talk calendars", perTalk)
	}

	// The bar: three feeds of 74 items each, every field present.
	for _, p := range []string{"feed.rss", "feed.atom", "feed.json"} {
		f, _ := tree.File(p)
		feed, err := gofeed.NewParser().Parse(bytes.NewReader(f.Body))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if len(feed.Items) != 74 {
			t.Errorf("%s has %d items", p, len(feed.Items))
		}
		for _, it := range feed.Items {
			authors := len(it.Authors)
			if it.DublinCoreExt != nil {
				authors = max(authors, len(it.DublinCoreExt.Creator))
			}
			if it.Title == "" || it.Link == "" || it.GUID == "" || it.PublishedParsed == nil || authors == 0 || len(it.Categories) == 0 || it.Description == "" || it.Content == "" {
				t.Errorf("%s item %q lacks a field: link %q guid %q published %v authors %d categories %v", p, it.Title, it.Link, it.GUID, it.PublishedParsed, authors, it.Categories)
			}
			if it.PublishedParsed != nil && it.PublishedParsed.After(time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("%s item %q published %v: after its 2017–2018 talk", p, it.Title, it.PublishedParsed)
			}
		}
	}
}

func TestTreeLayout(t *testing.T) {
	tree := buildTree(t, demo.Talks(), demoSite, demo.Assets())
	for path, ctype := range map[string]string{
		"feed.rss":                             TypeRSS,
		"feed.atom":                            TypeAtom,
		"feed.json":                            TypeJSON,
		"category/languages/feed.rss":          TypeRSS,
		"category/machine-learning/feed.json":  TypeJSON,
		"assets/images/events/rust-summit.png": "image/png",
		"calendar.ics":                         TypeICS,
		"category/security/calendar.ics":       TypeICS,
		"events/2027/rust-summit.ics":          TypeICS,
	} {
		f, ok := tree.File(path)
		if !ok {
			t.Errorf("no %s", path)
			continue
		}
		if f.ContentType != ctype || len(f.ETag) != 34 || f.ETag[0] != '"' {
			t.Errorf("%s: type %q etag %q", path, f.ContentType, f.ETag)
		}
	}
	// A category feed holds only its talks.
	f, _ := tree.File("category/community/feed.rss")
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(f.Body))
	if err != nil {
		t.Fatal(err)
	}
	if len(feed.Items) != 2 || feed.Title != "Demo Talks: Community" {
		t.Errorf("community feed: %d items, title %q", len(feed.Items), feed.Title)
	}
	// The image's real size reaches the enclosure.
	rss, _ := tree.File("feed.rss")
	img, _ := tree.File("assets/images/events/rust-summit.png")
	if !bytes.Contains(rss.Body, []byte(`rust-summit.png" length="`+strconv.Itoa(len(img.Body))+`" type="image/png"`)) {
		t.Error("enclosure length of an embedded image is not its size")
	}
}

// Two builds of the same content are identical, file for file and ETag
// for ETag, whatever the load order.
func TestBuildDeterministic(t *testing.T) {
	a := buildTree(t, demo.Talks(), demoSite, demo.Assets())
	b := buildTree(t, demo.Talks(), demoSite, demo.Assets())
	if len(a.Files()) != len(b.Files()) {
		t.Fatal("file counts differ")
	}
	for i := range a.Files() {
		fa, fb := a.Files()[i], b.Files()[i]
		if fa.Path != fb.Path || fa.ETag != fb.ETag || !bytes.Equal(fa.Body, fb.Body) {
			t.Errorf("%s differs between builds", fa.Path)
		}
	}
}

// Each representation has its own strong tag (RFC 9110 8.8.1): a cache
// holding the gzip bytes must not validate them against the identity tag.
func TestETagPerRepresentation(t *testing.T) {
	tree := buildTree(t, demo.Talks(), demoSite, demo.Assets())
	for _, f := range tree.Files() {
		if f.Gzip == nil || f.Brotli == nil {
			continue
		}
		id, gz, br := f.ETagFor(Identity), f.ETagFor(Gzip), f.ETagFor(Brotli)
		if id != f.ETag || gz == id || br == id || gz == br {
			t.Errorf("%s: ETag %s, identity %s, gzip %s, br %s", f.Path, f.ETag, id, gz, br)
		}
	}
}

func TestChangedFeeds(t *testing.T) {
	a := buildTree(t, demo.Talks(), demoSite, demo.Assets())
	if n := len(a.ChangedFeeds(nil)); n != 3*(1+len(a.Catalog().Categories())) {
		t.Errorf("a first tree changes %d feeds", n)
	}
	if got := a.ChangedFeeds(a); len(got) != 0 {
		t.Errorf("an unchanged tree changes %v", got)
	}
	// One talk fewer: the main feeds and that talk's category change.
	evs := a.Catalog().Events()
	var rest []talkfeed.Event
	for _, e := range evs {
		if e.Category != "Security" {
			rest = append(rest, e)
		}
	}
	b, err := Build(talkfeed.NewCatalog(rest), Options{Site: demoSite, Generator: "talkfeed test", TTL: 5 * time.Minute, Assets: demo.Assets(), Today: demo.Anchor})
	if err != nil {
		t.Fatal(err)
	}
	got := b.ChangedFeeds(a)
	want := []string{demoSite.BaseURL + "feed.atom", demoSite.BaseURL + "feed.json", demoSite.BaseURL + "feed.rss"}
	if !slices.Equal(got, want) {
		t.Errorf("changed %v, want %v", got, want)
	}
}

// A page whose permalink lands on another output gets talks/<id>/
// instead of breaking the build.
func TestPermalinkCollision(t *testing.T) {
	evs := []talkfeed.Event{
		{ID: "a", Title: "A", Start: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), AllDay: true, PageURL: demoSite.BaseURL + "feed.rss"},
		{ID: "b", Title: "B", Start: time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC), AllDay: true, PageURL: demoSite.BaseURL + "index.html"},
	}
	tree, err := Build(talkfeed.NewCatalog(evs), Options{Site: demoSite, Today: demo.Anchor})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"talks/a/index.html", "talks/b/index.html"} {
		if f, ok := tree.File(p); !ok || f.ContentType != TypeHTML {
			t.Errorf("no page at %s", p)
		}
	}
	if f, _ := tree.File("feed.rss"); f.ContentType != TypeRSS {
		t.Error("the feed was replaced")
	}
}

// A page under a reserved path, above another output, or with a long ID,
// still makes a tree every file system can hold: no segment over 255
// bytes (with .gz and .br), no file where a folder must be.
func TestTreePathsWritable(t *testing.T) {
	long := strings.Repeat("x", 252) // a file name's stem at the limit
	day := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	evs := []talkfeed.Event{
		{ID: "under-feed", Title: "A", Start: day, AllDay: true, PageURL: demoSite.BaseURL + "feed.rss/talk/"},
		{ID: "metrics", Title: "B", Start: day, AllDay: true, PageURL: demoSite.BaseURL + "metrics"},
		{ID: "asset", Title: "C", Start: day, AllDay: true, PageURL: demoSite.BaseURL + "assets/talk/"},
		{ID: "sub/" + long, Title: "D", Start: day, AllDay: true, PageURL: demoSite.BaseURL + "events/" + long + "/"},
	}
	tree, err := Build(talkfeed.NewCatalog(evs), Options{Site: demoSite, Today: demo.Anchor})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"talks/under-feed/index.html", "talks/metrics/index.html", "talks/asset/index.html"} {
		if f, ok := tree.File(p); !ok || f.ContentType != TypeHTML {
			t.Errorf("no page at %s", p)
		}
	}
	files := map[string]bool{}
	for _, f := range tree.Files() {
		files[f.Path] = true
	}
	for _, f := range tree.Files() {
		segs := strings.Split(f.Path, "/")
		for i, s := range segs {
			if len(s)+len(".gz") > 255 {
				t.Errorf("%s: segment of %d bytes", f.Path, len(s))
			}
			if i < len(segs)-1 && files[strings.Join(segs[:i+1], "/")] {
				t.Errorf("%s is under the file %s", f.Path, strings.Join(segs[:i+1], "/"))
			}
		}
	}
	if ics := EventICSPath("sub/" + long); !files[ics] {
		t.Errorf("no calendar at %s", ics)
	}
}

// Every gzip form is a gzip member with no time, name or comment (RFC
// 1952: MTIME 0 when there is none), so that equal content gives equal
// bytes on every machine, and decodes to the body.
func TestGzipFormsCarryNoTime(t *testing.T) {
	tree := buildTree(t, demo.Talks(), demoSite, demo.Assets())
	n := 0
	for _, f := range tree.Files() {
		if f.Gzip == nil {
			continue
		}
		n++
		if hdr := f.Gzip[:10]; !bytes.Equal(hdr[:8], []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0}) || hdr[9] != 255 {
			t.Errorf("%s: gzip header % x", f.Path, f.Gzip[:10])
		}
		zr, err := gzip.NewReader(bytes.NewReader(f.Gzip))
		if err != nil {
			t.Fatal(err)
		}
		if b, err := io.ReadAll(zr); err != nil || !bytes.Equal(b, f.Body) {
			t.Errorf("%s: the gzip form decodes to other bytes: %v", f.Path, err)
		}
	}
	if n == 0 {
		t.Fatal("nothing compressed")
	}
}
