package source

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
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

func sameDates(d, w PageDates) bool {
	return d.Added.Equal(w.Added) && d.Changed.Equal(w.Changed) && d.Revisions == w.Revisions
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
	want := map[string]PageDates{
		"a.md":         {Added: day(1), Changed: day(2), Revisions: 2},
		"2027/beta.md": {Added: day(1), Changed: day(3), Revisions: 2},
		"c.md":         {Added: day(4), Changed: day(4), Revisions: 1},
	}
	check := func(want map[string]PageDates) {
		t.Helper()
		for p, w := range want {
			d, ok := g.Dates(p)
			if !ok || !d.Added.Equal(w.Added) || !d.Changed.Equal(w.Changed) || d.Revisions != w.Revisions {
				t.Errorf("%s: %+v %v, want %+v", p, d, ok, w)
			}
		}
	}
	check(want)
	if _, ok := g.Dates("b.md"); ok {
		t.Error("the old path of a moved page is still known")
	}

	// The loader dates the talks by the history; page fields still win.
	r.write("src/events/d.md", "---\ntitle: Delta\ndate: 2027-02-02\npublished: 2026-09-01\n---\n")
	r.remove("src/events/c.md")
	r.commit("add delta, drop gamma", day(5))
	if err := g.Fetch(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := g.Dates("c.md"); ok {
		t.Error("a deleted page is still known")
	}
	l, _ := NewLoader(Options{})
	root, err := os.OpenRoot(g.Dir())
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	res, err := l.LoadWithHistory(ctx, root.FS(), g.Dates)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]int{}
	for i, e := range res.Events {
		byID[e.ID] = i
	}
	if len(res.Events) != 3 {
		t.Fatalf("events %v", eventIDs(res))
	}
	a := res.Events[byID["a"]]
	if !a.Published.Equal(day(1)) || !a.Updated.Equal(day(2)) || a.Revisions != 2 || a.Title != "Alpha, edited" {
		t.Errorf("alpha %v %v %d %q", a.Published, a.Updated, a.Revisions, a.Title)
	}
	dlt := res.Events[byID["d"]]
	if dlt.Published.Format(time.DateOnly) != "2026-09-01" || !dlt.Updated.Equal(day(5)) {
		t.Errorf("delta's own published field lost: %v %v", dlt.Published, dlt.Updated)
	}

	// A restart reuses the clone and the ledger.
	g2, err := OpenGit(ctx, GitOptions{URL: "file://" + r.dir, Subdir: "src/events", CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := g2.Dates("a.md"); !ok || d.Revisions != 2 {
		t.Errorf("the ledger was not kept: %+v", d)
	}
	if err := g2.Fetch(ctx); err != nil {
		t.Fatal(err)
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
	if d, _ := g.Dates("b.md"); d.Revisions != 2 || !d.Changed.Equal(day(3)) {
		t.Fatalf("before the force-push, beta: %+v", d)
	}

	r.rewind(kept)
	r.write("d.md", talk("Delta", "2027-01-04"))
	r.commit("add delta", day(4))
	if err := g.Fetch(ctx); err != nil {
		t.Fatalf("fetch after a force-push: %v", err)
	}

	want := map[string]PageDates{
		"a.md": {Added: day(1), Changed: day(2), Revisions: 2},
		"b.md": {Added: day(1), Changed: day(1), Revisions: 1},
		"d.md": {Added: day(4), Changed: day(4), Revisions: 1},
	}
	for p, w := range want {
		if d, ok := g.Dates(p); !ok || !sameDates(d, w) {
			t.Errorf("%s: %+v %v, want %+v", p, d, ok, w)
		}
	}
	if d, ok := g.Dates("c.md"); ok {
		t.Errorf("gamma, added only by the dropped commit, is still known: %+v", d)
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
