package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/demo"
	"github.com/talkfeed/talkfeed/internal/fixtures"
	"github.com/talkfeed/talkfeed/publish"
)

// build writes the tree's redirects for static hosts: _redirects and the
// nginx snippet's locations, and a later build without any replaces them.
// (Nothing fills Options.Redirects from content yet, so this builds the
// tree itself.)
func TestWriteTreeWritesRedirects(t *testing.T) {
	base := "https://example.org/talks/"
	evs := fixtures.Demo(t, base)
	current := evs[0].PageURL
	build := func(redirects map[string]string) *publish.Tree {
		tree, err := publish.Build(talkfeed.NewCatalog(evs), publish.Options{
			Site: talkfeed.Site{Title: "Demo", BaseURL: base}, Today: demo.Anchor, Redirects: redirects,
		})
		if err != nil {
			t.Fatal(err)
		}
		return tree
	}
	read := func(dir, name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	out := t.TempDir()
	tree := build(map[string]string{base + "events/2020/moved-talk/": current})
	if _, err := writeTree(out, tree, 5*time.Minute, io.Discard); err != nil {
		t.Fatal(err)
	}
	redirects := read(out, publish.RedirectsPath)
	if redirects != string(tree.RedirectsFile()) || !strings.HasPrefix(redirects, "# ") ||
		!strings.Contains(redirects, "\n/events/2020/moved-talk/ "+current+" 301\n") {
		t.Errorf("_redirects:\n%s", redirects)
	}
	nginx := read(out, publish.NginxPath)
	if nginx != string(tree.NginxConf(5*time.Minute)) ||
		!strings.Contains(nginx, "\nlocation = \"/events/2020/moved-talk/\" { return 301 \""+current+"\"; }\n") {
		t.Errorf("nginx snippet:\n%s", nginx)
	}
	// The old page is a rule, not a file.
	if _, err := os.Stat(filepath.Join(out, "events", "2020")); !os.IsNotExist(err) {
		t.Errorf("build wrote something at the old page: %v", err)
	}

	none := build(nil)
	if _, err := writeTree(out, none, 5*time.Minute, io.Discard); err != nil {
		t.Fatal(err)
	}
	if got := read(out, publish.RedirectsPath); got != string(none.RedirectsFile()) || strings.Contains(got, "moved-talk") {
		t.Errorf("_redirects after a build without redirects:\n%s", got)
	}
	if got := read(out, publish.NginxPath); strings.Contains(got, "moved-talk") {
		t.Errorf("nginx snippet after a build without redirects:\n%s", got)
	}
}
