package source

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/talkfeed/talkfeed"
)

// remote is a repository made in the test, committed to at chosen times.
type remote struct {
	t    *testing.T
	dir  string
	repo *git.Repository
	wt   *git.Worktree
}

func newRemote(t *testing.T) *remote {
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
	return &remote{t: t, dir: dir, repo: repo, wt: wt}
}

func (r *remote) write(name, content string) {
	r.t.Helper()
	writeFile(r.t, r.dir, name, content)
	if _, err := r.wt.Add(name); err != nil {
		r.t.Fatal(err)
	}
}

func (r *remote) remove(name string) {
	r.t.Helper()
	if _, err := r.wt.Remove(name); err != nil {
		r.t.Fatal(err)
	}
}

func (r *remote) move(from, to string) {
	r.t.Helper()
	if _, err := r.wt.Move(from, to); err != nil {
		r.t.Fatal(err)
	}
}

func (r *remote) commit(msg string, when time.Time) plumbing.Hash {
	r.t.Helper()
	sig := &object.Signature{Name: "Ada", Email: "ada@example.org", When: when}
	h, err := r.wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		r.t.Fatal(err)
	}
	return h
}

// history reads the ledger of g's history with l.
func history(t *testing.T, g *Git, l *Loader) (*talkfeed.Ledger, time.Time) {
	t.Helper()
	h, at, err := g.History(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	return h, at
}

func ledgerBytes(t *testing.T, l *talkfeed.Ledger) string {
	t.Helper()
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rewind moves the branch and the work tree back to an older commit, as
// "git reset --hard" before a force-push does.
func (r *remote) rewind(to plumbing.Hash) {
	r.t.Helper()
	if err := r.wt.Reset(&git.ResetOptions{Commit: to, Mode: git.HardReset}); err != nil {
		r.t.Fatal(err)
	}
}

func day(d int) time.Time { return time.Date(2026, 10, d, 9, 0, 0, 0, time.UTC) }

func TestGitHistory(t *testing.T) {
	r := newRemote(t)
	r.write("README.md", "not under the subdir")
	r.write("src/events/a.md", talk("Alpha", "2027-01-01"))
	r.write("src/events/b.md", talk("Beta", "2027-01-02"))
	r.commit("add two talks", day(1))
	r.write("src/events/a.md", talk("Alpha, edited", "2027-01-01"))
	r.commit("edit alpha", day(2))
	r.move("src/events/b.md", "src/events/2027/beta.md")
	r.commit("move beta", day(3))
	r.write("src/events/c.md", talk("Gamma", "2027-01-03"))
	r.commit("add gamma", day(4))

	ctx := context.Background()
	cache := t.TempDir()
	g, err := OpenGit(ctx, GitOptions{URL: "file://" + r.dir, Subdir: "src/events", CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Fetch(ctx); err != nil {
		t.Fatal(err)
	}
	l, _ := NewLoader(Options{})
	h, at := history(t, g, l)
	if !at.Equal(day(4)) {
		t.Errorf("head time %v", at)
	}
	for id, want := range map[string]talkfeed.Stamp{
		// Added, then its title edited: one version more.
		"a": {Version: 1, Announced: day(1), Changed: day(2)},
		// A file moved is another page (its ID is its path), added then.
		"2027/beta": {Version: 0, Announced: day(3), Changed: day(3)},
		"c":         {Version: 0, Announced: day(4), Changed: day(4)},
	} {
		if got := h.Stamp(id); got != want {
			t.Errorf("%s: %+v, want %+v", id, got, want)
		}
	}
	if e, ok := h.Entry("b"); !ok || !e.Removed.Equal(day(3)) || e.Version != 1 {
		t.Errorf("the moved page's old talk: %+v %v", e, ok)
	}
	kinds := func(h *talkfeed.Ledger) (out []string) {
		for _, c := range h.Changes() {
			out = append(out, string(c.Kind)+" "+c.ID)
		}
		return out
	}
	if got := strings.Join(kinds(h), ", "); got != "new b, new a, removed b, new 2027/beta, new c" {
		t.Errorf("changes: %s", got)
	}

	// A new commit: its pages are dated by it, and a deleted page is
	// removed at its time; a page's own published field wins.
	r.write("src/events/d.md", "---\ntitle: Delta\ndate: 2027-02-02\npublished: 2026-09-01\n---\n")
	r.remove("src/events/c.md")
	r.commit("add delta, drop gamma", day(5))
	if err := g.Fetch(ctx); err != nil {
		t.Fatal(err)
	}
	h, _ = history(t, g, l)
	if st := h.Stamp("d"); st.Announced.Format(time.DateOnly) != "2026-09-01" || !st.Changed.Equal(day(5)) {
		t.Errorf("delta %+v", st)
	}
	if e, _ := h.Entry("c"); !e.Removed.Equal(day(5)) {
		t.Errorf("gamma not removed: %+v", e)
	}

	// A page broken at the head keeps its last good version, also for a
	// loader that never saw it good on disk.
	r.write("src/events/a.md", "---\ntitle: [unclosed\n---\n")
	r.commit("break alpha", day(6))
	if err := g.Fetch(ctx); err != nil {
		t.Fatal(err)
	}
	fresh, _ := NewLoader(Options{})
	h, _ = history(t, g, fresh)
	root, err := os.OpenRoot(g.Dir())
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	res, err := fresh.Load(ctx, root.FS())
	if err != nil {
		t.Fatal(err)
	}
	if ids := eventIDs(res); len(ids) != 3 || h.Stamp("a").Version != 1 {
		t.Fatalf("events %v, alpha %+v", ids, h.Stamp("a"))
	}
	for _, e := range res.Events {
		if e.ID == "a" && e.Title != "Alpha, edited" {
			t.Errorf("alpha %q", e.Title)
		}
	}

	// A restart (a replica) reads the history in one go to the same
	// ledger as the one read commit by commit.
	g2, err := OpenGit(ctx, GitOptions{URL: "file://" + r.dir, Subdir: "src/events", CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := g2.Fetch(ctx); err != nil {
		t.Fatal(err)
	}
	h2, _ := history(t, g2, fresh)
	if a, b := ledgerBytes(t, h), ledgerBytes(t, h2); a != b {
		t.Errorf("two replicas, two ledgers:\n%s\n%s", a, b)
	}

	// The remote disappears: the fetch fails and the clone stays usable.
	if err := os.RemoveAll(r.dir); err != nil {
		t.Fatal(err)
	}
	if err := g2.Fetch(ctx); err == nil {
		t.Error("a fetch from a vanished remote succeeded")
	}
	if _, err := os.Stat(filepath.Join(g2.Dir(), "a.md")); err != nil {
		t.Errorf("the clone is gone: %v", err)
	}
}

// A force-push rewrites the history: the clone and the dates follow the
// new one, and nothing of the dropped commit survives.
func TestGitFollowsForcePush(t *testing.T) {
	r := newRemote(t)
	r.write("a.md", talk("Alpha", "2027-01-01"))
	r.write("b.md", talk("Beta", "2027-01-02"))
	r.commit("add alpha and beta", day(1))
	r.write("a.md", talk("Alpha, edited", "2027-01-01"))
	kept := r.commit("edit alpha", day(2))
	r.write("b.md", talk("Beta, edited", "2027-01-02"))
	r.write("c.md", talk("Gamma", "2027-01-03"))
	r.commit("edit beta, add gamma", day(3))

	ctx := context.Background()
	g, err := OpenGit(ctx, GitOptions{URL: "file://" + r.dir, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Fetch(ctx); err != nil {
		t.Fatal(err)
	}
	l, _ := NewLoader(Options{})
	if st, _ := history(t, g, l); st.Stamp("b").Version != 1 || !st.Stamp("b").Changed.Equal(day(3)) {
		t.Fatalf("before the force-push, beta: %+v", st.Stamp("b"))
	}

	r.rewind(kept)
	r.write("d.md", talk("Delta", "2027-01-04"))
	r.commit("add delta", day(4))
	if err := g.Fetch(ctx); err != nil {
		t.Fatalf("fetch after a force-push: %v", err)
	}

	h, _ := history(t, g, l)
	for id, want := range map[string]talkfeed.Stamp{
		"a": {Version: 1, Announced: day(1), Changed: day(2)},
		// One second before alpha, added by the same commit: never the
		// same second, never after the commit.
		"b": {Version: 0, Announced: day(1).Add(-time.Second), Changed: day(1).Add(-time.Second)},
		"d": {Version: 0, Announced: day(4), Changed: day(4)},
	} {
		if got := h.Stamp(id); got != want {
			t.Errorf("%s: %+v, want %+v", id, got, want)
		}
	}
	if e, ok := h.Entry("c"); ok {
		t.Errorf("gamma, added only by the dropped commit, is still known: %+v", e)
	}
	for name, want := range map[string]string{"b.md": talk("Beta", "2027-01-02"), "d.md": talk("Delta", "2027-01-04"), "c.md": ""} {
		b, err := os.ReadFile(filepath.Join(g.Dir(), name))
		if want == "" {
			if err == nil {
				t.Errorf("%s, added only by the dropped commit, is still in the work tree", name)
			}
		} else if string(b) != want {
			t.Errorf("%s in the work tree: %q %v, want %q", name, b, err, want)
		}
	}
}

func TestIsGitURL(t *testing.T) {
	for s, want := range map[string]bool{
		"https://github.com/dcos/dcos-website.git": true,
		"ssh://git@github.com/dcos/dcos-website":   true,
		"git@github.com:dcos/dcos-website.git":     true,
		"file:///srv/repo":                         true,
		"../shared/corpus/dcos-events":             false,
		"/srv/talks":                               false,
		"talks":                                    false,
		"C:/talks":                                 false,
	} {
		if got := IsGitURL(s); got != want {
			t.Errorf("IsGitURL(%q) = %v", s, got)
		}
	}
}

// setRemote points the clone's origin at url, as a remote that moved or
// started failing.
func setRemote(t *testing.T, g *Git, url string) {
	t.Helper()
	cfg, err := g.repo.Config()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Remotes["origin"].URLs = []string{url}
	if err := g.repo.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	g.o.URL = url
}

// A remote that accepts the connection and never answers fails the
// fetch once the timeout is up, not never; the clone stays as it was, and
// the next fetch from a remote that answers goes on from it.
func TestGitFetchTimesOut(t *testing.T) {
	r := newRemote(t)
	r.write("a.md", talk("Alpha", "2027-01-01"))
	r.commit("add alpha", day(1))
	ctx := context.Background()
	g, err := OpenGit(ctx, GitOptions{URL: "file://" + r.dir, CacheDir: t.TempDir(), Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Fetch(ctx); err != nil {
		t.Fatal(err)
	}
	head := g.Head()

	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c) // held open, never answered
		}
	}()
	t.Cleanup(func() {
		silent.Close()
		<-accepted
		for _, c := range conns {
			c.Close()
		}
	})
	setRemote(t, g, "http://"+silent.Addr().String()+"/talks.git")
	fetched := make(chan error, 1)
	go func() { fetched <- g.Fetch(ctx) }()
	select {
	case err := <-fetched:
		if err == nil || !strings.Contains(err.Error(), "git fetch") || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("a silent remote: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a fetch from a silent remote is still waiting")
	}
	if g.Head() != head {
		t.Errorf("the head moved on a failed fetch: %s, was %s", g.Head(), head)
	}

	r.write("b.md", talk("Beta", "2027-01-02"))
	r.commit("add beta", day(2))
	setRemote(t, g, "file://"+r.dir)
	if err := g.Fetch(ctx); err != nil {
		t.Fatalf("the remote answers again: %v", err)
	}
	if _, err := os.Stat(filepath.Join(g.Dir(), "b.md")); err != nil {
		t.Errorf("the fetch after the timeout did not bring the new commit: %v", err)
	}
}
