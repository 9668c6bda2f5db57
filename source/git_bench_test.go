package source

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/talkfeed/talkfeed/bench/pagegen"
)

// BenchmarkGitReload measures a reload after one new commit on a
// repository of 10,000 pages (written in 100 commits): fetch, checkout,
// history update and load. The baseline is loading the same folder
// without git, in the same run.
func BenchmarkGitReload(b *testing.B) {
	const pages, commits = 10000, 100
	dir := b.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		b.Fatal(err)
	}
	wt, _ := repo.Worktree()
	rng := rand.New(rand.NewPCG(1, 2))
	when := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	commit := func(msg string) {
		when = when.Add(time.Hour)
		sig := &object.Signature{Name: "Ada", Email: "ada@example.org", When: when}
		if _, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
			b.Fatal(err)
		}
	}
	for c := range commits {
		for i := c * pages / commits; i < (c+1)*pages/commits; i++ {
			name := filepath.Join("talks", fmt.Sprintf("%03d", i/100), fmt.Sprintf("talk-%05d.md", i))
			if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte(pagegen.Page(i, rng)), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := wt.Add("talks"); err != nil {
			b.Fatal(err)
		}
		commit(fmt.Sprint("batch ", c))
	}
	ctx := context.Background()
	g, err := OpenGit(ctx, GitOptions{URL: "file://" + dir, Subdir: "talks", CacheDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	if err := g.Fetch(ctx); err != nil {
		b.Fatal(err)
	}
	warm, _ := NewLoader(Options{})
	load := func(l *Loader, history bool) {
		if history {
			if _, _, err := g.History(ctx, l); err != nil {
				b.Fatal(err)
			}
		}
		root, err := os.OpenRoot(g.Dir())
		if err != nil {
			b.Fatal(err)
		}
		defer root.Close()
		res, err := l.Load(ctx, root.FS())
		if err != nil || len(res.Events) != pages {
			b.Fatalf("%v, %d events", err, len(res.Events))
		}
	}
	b.Run("baseline-cold-load-folder", func(b *testing.B) {
		for b.Loop() {
			cold, _ := NewLoader(Options{})
			load(cold, false)
		}
	})
	load(warm, true)
	n := 0
	b.Run("one-commit-then-reload", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			n++
			p := filepath.Join("talks", "000", "talk-00000.md")
			if err := os.WriteFile(filepath.Join(dir, p), []byte(pagegen.Page(n, rng)), 0o644); err != nil {
				b.Fatal(err)
			}
			wt.Add(p)
			commit(fmt.Sprint("edit ", n))
			b.StartTimer()
			if err := g.Fetch(ctx); err != nil {
				b.Fatal(err)
			}
			load(warm, true)
		}
	})
	b.Run("fetch-only", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			n++
			p := filepath.Join("talks", "000", "talk-00001.md")
			os.WriteFile(filepath.Join(dir, p), []byte(pagegen.Page(n, rng)), 0o644)
			wt.Add(p)
			commit(fmt.Sprint("edit ", n))
			b.StartTimer()
			if err := g.Fetch(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
