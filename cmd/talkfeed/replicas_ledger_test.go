package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// testRepo is a git repository of talk pages whose commits are made at
// chosen times.
type testRepo struct {
	t   *testing.T
	dir string
	wt  *git.Worktree
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	return &testRepo{t: t, dir: dir, wt: wt}
}

// commit writes files (slash paths), removes the paths of remove, and
// commits at when.
func (r *testRepo) commit(when time.Time, files map[string]string, remove ...string) {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		writePage(r.t, r.dir, filepath.FromSlash(name), content)
		if _, err := r.wt.Add(name); err != nil {
			r.t.Fatal(err)
		}
	}
	for _, name := range remove {
		if _, err := r.wt.Remove(name); err != nil {
			r.t.Fatal(err)
		}
	}
	sig := &object.Signature{Name: "Ada", Email: "ada@example.org", When: when}
	if _, err := r.wt.Commit("talks", &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		r.t.Fatal(err)
	}
}

// Two replicas of one repository whose history adds talks, moves one,
// removes one and gives one a new page URL serve the same change feeds,
// calendar and feed, byte for byte, whenever each started: the history
// alone dates every change.
func TestReplicasAgreeOnTheLedger(t *testing.T) {
	r := newTestRepo(t)
	added := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	moved := time.Date(2026, 11, 5, 10, 30, 0, 0, time.UTC)
	removed := time.Date(2026, 11, 9, 14, 0, 0, 0, time.UTC)
	relinked := time.Date(2026, 11, 12, 16, 45, 0, 0, time.UTC)
	r.commit(added, map[string]string{
		"talks/alpha.md": page("Alpha Talk", "2027-01-10 18:00", "timezone: Europe/Berlin\nlocation: Berlin\n"),
		"talks/beta.md":  page("Beta Talk", "2025-05-05", "location: Paris\n"),
		"talks/gamma.md": page("Gamma Talk", "2027-03-03", ""),
	})
	r.commit(moved, map[string]string{
		"talks/alpha.md": page("Alpha Talk", "2027-01-10 18:00", "timezone: Europe/Berlin\nlocation: Lisbon\n"),
	})
	r.commit(removed, nil, "talks/gamma.md")
	r.commit(relinked, map[string]string{
		"talks/beta.md": page("Beta Talk", "2025-05-05", "location: Paris\npermalink: /talks/beta/\n"),
	})

	// Two clocks of one day, separate caches, one base URL.
	var replicas []*daemonProc
	for _, now := range []string{"2026-11-24T00:00:05Z", "2026-11-24T21:30:00Z"} {
		replicas = append(replicas, startDaemon(t, "file://"+r.dir,
			[]string{clockVar + "=" + now, "TALKFEED_BASE_URL=https://talks.example/"},
			"--git-subdir", "talks", "--cache-dir", t.TempDir()))
	}
	bodies := map[string][]byte{}
	for _, p := range []string{"/changes.rss", "/changes.atom", "/changes.json", "/calendar.ics", "/feed.rss", "/feed.atom", "/feed.json", "/events/gamma.ics"} {
		res0, b0 := replicas[0].get(p)
		res1, b1 := replicas[1].get(p)
		if res0.StatusCode != 200 || res1.StatusCode != 200 {
			t.Errorf("%s: %d and %d", p, res0.StatusCode, res1.StatusCode)
			continue
		}
		if !bytes.Equal(b0, b1) || res0.Header.Get("Etag") != res1.Header.Get("Etag") {
			t.Errorf("%s differs between the replicas:\n%s\n---\n%s", p, b0, b1)
		}
		bodies[p] = b0
	}

	// The change feeds tell the history, each change dated by its commit
	// (the three talks of one commit a second apart), newest first. The
	// new permalink raises beta's version but is no change to tell.
	want := []struct {
		title string
		at    time.Time
	}{
		{"Removed: Gamma Talk", removed},
		{"Moved: Alpha Talk", moved},
		{"New: Alpha Talk", added},
		{"New: Beta Talk", added.Add(-time.Second)},
		{"New: Gamma Talk", added.Add(-2 * time.Second)},
	}
	for _, p := range []string{"/changes.rss", "/changes.atom", "/changes.json"} {
		f := parseFeedBytes(t, bodies[p])
		if len(f.Items) != len(want) {
			t.Errorf("%s: %d items, want %d", p, len(f.Items), len(want))
			continue
		}
		for i, it := range f.Items {
			if it.Title != want[i].title || it.PublishedParsed == nil || !it.PublishedParsed.Equal(want[i].at) {
				t.Errorf("%s item %d: %q at %v, want %q at %v", p, i, it.Title, it.PublishedParsed, want[i].title, want[i].at)
			}
		}
	}

	// The calendar: alpha moved once, beta relinked once, gamma
	// cancelled by its removal (still in its grace), each with the
	// commit that last changed it.
	type stamp struct{ seq, status, modified string }
	wantCal := map[string]stamp{
		"alpha": {"1", "CONFIRMED", "20261105T103000Z"},
		"beta":  {"1", "CONFIRMED", "20261112T164500Z"},
		"gamma": {"1", "CANCELLED", "20261109T140000Z"},
	}
	got := map[string]stamp{}
	for _, ev := range decodeCalendar(t, bodies["/calendar.ics"]).Events() {
		id, _, _ := strings.Cut(ev.Props.Get(goical.PropUID).Value, "@")
		got[id] = stamp{ev.Props.Get(goical.PropSequence).Value, ev.Props.Get(goical.PropStatus).Value, ev.Props.Get(goical.PropLastModified).Value}
	}
	for id, w := range wantCal {
		if got[id] != w {
			t.Errorf("calendar.ics %s: %+v, want %+v", id, got[id], w)
		}
	}
	if len(got) != len(wantCal) {
		t.Errorf("calendar.ics events %v", got)
	}

	// Both replicas send beta's old page to its new one.
	noFollow := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i, d := range replicas {
		res, err := noFollow.Get(d.base + "/events/2025/beta-talk/")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "https://talks.example/talks/beta/" {
			t.Errorf("replica %d: the old page answers %d, Location %q", i, res.StatusCode, res.Header.Get("Location"))
		}
	}
}
