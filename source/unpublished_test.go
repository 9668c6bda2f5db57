package source

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/publish"
)

// Files that are there but publish nothing each get a warning naming
// them, and the other pages still load.

// diagAt returns the diagnostic of file whose message holds substr.
func diagAt(res *Result, file string, substr string) (talkfeed.Diagnostic, bool) {
	for _, d := range res.Diagnostics {
		if d.File == file && strings.Contains(d.Message, substr) {
			return d, true
		}
	}
	return talkfeed.Diagnostic{}, false
}

// feedFIFO makes a FIFO at p and writes a talk page into it once a
// reader opens it, so that a loader that wrongly opens it reads a talk
// (and the test sees that) instead of blocking. release lets the writer
// finish when nothing opened the FIFO.
func feedFIFO(t *testing.T, p string) (release func()) {
	t.Helper()
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		w, err := os.OpenFile(p, os.O_WRONLY, 0) // blocks until a reader opens
		if err != nil {
			return
		}
		w.WriteString(talk("From a pipe", "2020-03-03"))
		w.Close()
	}()
	return func() {
		// A reader of our own unblocks the writer; the pipe's buffer takes
		// the page.
		if r, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			<-done
			r.Close()
		}
	}
}

func TestLoadWarnsAboutFIFOs(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "good.md", talk("Good", "2020-01-01"))
	defer feedFIFO(t, filepath.Join(dir, "x.md"))()
	defer feedFIFO(t, filepath.Join(dir, "pipe"))()
	// A link to a FIFO: its target is looked at before it is opened.
	if err := os.Symlink("pipe", filepath.Join(dir, "y.md")); err != nil {
		t.Fatal(err)
	}
	res := load(t, Options{}, dir)
	if got := eventIDs(res); len(got) != 1 || got[0] != "good" {
		t.Errorf("events %v, want only good", got)
	}
	for _, f := range []string{"x.md", "y.md"} {
		d, ok := diagAt(res, f, "named pipe (FIFO), not a regular file; not read")
		if !ok || d.Severity != talkfeed.SeverityWarning {
			t.Errorf("%s: no warning about the FIFO: %v", f, res.Diagnostics)
		}
	}
}

// Links to folders are never followed; each gets a warning that says why:
// out of the root, a loop, or a folder whose pages load where they are.
func TestLoadWarnsAboutLinkedFolders(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	writeFile(t, outside, "secret.md", talk("Outside", "2020-01-06"))
	writeFile(t, dir, "good.md", talk("Good", "2020-01-01"))
	writeFile(t, dir, "talks/inner.md", talk("Inner", "2020-01-02"))
	for link, target := range map[string]string{
		"away":        outside,
		"up":          "..",
		"talks/loop":  "..",
		"talks/self":  ".",
		"again":       "talks",
		"notes.txt":   "good.md", // a link to a file that is no page: nothing to say
		"dangling":    "nowhere",
		"talks/other": "../../" + filepath.Base(outside),
	} {
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	res := load(t, Options{}, dir)
	if got := eventIDs(res); strings.Join(got, " ") != "good talks/inner" {
		t.Errorf("events %v, want good and talks/inner, once each", got)
	}
	for _, c := range []struct{ file, substr string }{
		{"away", "leads out of the source root; not followed"},
		{"up", "leads out of the source root; not followed"},
		{"talks/other", "leads out of the source root; not followed"},
		{"talks/loop", "loops back to a folder that holds it; not followed"},
		{"talks/self", "loops back to a folder that holds it; not followed"},
		{"again", `symbolic link to the folder "talks" is not followed; the pages there load from talks/`},
	} {
		d, ok := diagAt(res, c.file, c.substr)
		if !ok || d.Severity != talkfeed.SeverityWarning {
			t.Errorf("%s: no warning %q: %v", c.file, c.substr, res.Diagnostics)
		}
	}
	for _, d := range res.Diagnostics {
		if d.File == "notes.txt" || d.File == "dangling" || strings.Contains(d.Message, "Outside") {
			t.Errorf("unexpected diagnostic %v", d)
		}
	}
}

// A permalink on another output of the tree, or on a path the daemon
// answers itself, gets a warning at its line, and the talk its default
// URL; the other pages keep theirs.
func TestLoadReservedPermalinks(t *testing.T) {
	const base = "https://talks.example/"
	dir := t.TempDir()
	writeFile(t, dir, "good.md", talk("Good", "2020-01-01"))
	reserved := map[string]string{
		"feed":     "/feed.rss",
		"root":     "/",
		"calendar": "/calendar.ics",
		"status":   "/-/status",
		"healthz":  "/healthz",
		"metrics":  "/metrics",
		"asset":    "/assets/style.css",
		"category": "/category/kafka/",
		"under":    "/feed.rss/more/",
		"ics":      "/events/good.ics",
		"gz":       "/events/2020/good/index.html.gz",
	}
	for name, pl := range reserved {
		writeFile(t, dir, name+".md", "---\ntitle: Talk "+name+"\ndate: 2020-02-02\npermalink: "+pl+"\n---\nBody.\n")
	}
	writeFile(t, dir, "fine.md", "---\ntitle: Fine\ndate: 2020-02-02\npermalink: /talks/fine/\n---\nBody.\n")
	res := load(t, Options{BaseURL: base, Reserved: func(u string) string { return publish.ReservedPageURL(base, u) }}, dir)
	if len(res.Events) != len(reserved)+2 {
		t.Errorf("%d events, want %d: %v", len(res.Events), len(reserved)+2, eventIDs(res))
	}
	urls := map[string]string{}
	for _, e := range res.Events {
		urls[e.ID] = e.PageURL
	}
	for name, pl := range reserved {
		d, ok := diagAt(res, name+".md", "permalink "+strings.TrimSuffix(base, "/")+pl)
		if !ok || d.Line != 4 || d.Severity != talkfeed.SeverityWarning || !strings.Contains(d.Message, "this page is published at "+base+"events/2020/talk-"+name+"/ instead") {
			t.Errorf("%s (%s): diagnostic %+v (found %v)", name, pl, d, ok)
		}
		if want := base + "events/2020/talk-" + name + "/"; urls[name] != want {
			t.Errorf("%s: page URL %s, want %s", name, urls[name], want)
		}
	}
	if urls["good"] != base+"events/2020/good/" || urls["fine"] != base+"talks/fine/" {
		t.Errorf("unreserved pages moved: %v", urls)
	}
	if _, ok := diagAt(res, "fine.md", "permalink"); ok {
		t.Errorf("a free permalink reported: %v", res.Diagnostics)
	}
}

// A permalink, or an :id from a long file name, with a segment no file
// system can name is cut to one it can, with a warning at its line.
func TestLoadBoundsLongPermalinks(t *testing.T) {
	const base = "https://talks.example/"
	dir := t.TempDir()
	long := strings.Repeat("segment", 40) // 280 bytes
	writeFile(t, dir, "long.md", "---\ntitle: Long\ndate: 2020-02-02\npermalink: /talks/"+long+"/\n---\nBody.\n")
	writeFile(t, dir, "title.md", "---\ntitle: "+strings.Repeat("Very Long Title ", 20)+"\ndate: 2020-02-02\n---\nBody.\n")
	res := load(t, Options{BaseURL: base}, dir)
	for _, e := range res.Events {
		rel := strings.TrimPrefix(e.PageURL, base)
		for _, seg := range strings.Split(rel, "/") {
			if len(seg) > talkfeed.MaxSegmentBytes {
				t.Errorf("%s: page URL segment of %d bytes: %s", e.ID, len(seg), e.PageURL)
			}
		}
	}
	d, ok := diagAt(res, "long.md", "has a path segment over 200 bytes")
	if !ok || d.Line != 4 || d.Severity != talkfeed.SeverityWarning {
		t.Errorf("long permalink: %+v (found %v) in %v", d, ok, res.Diagnostics)
	}
	if _, ok := diagAt(res, "title.md", "segment"); ok {
		t.Errorf("a long title's slug is cut without a word: %v", res.Diagnostics)
	}
}
