package main

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/bench/pagegen"
)

var (
	plainOnce sync.Once
	plainPath string
	plainErr  error
)

// plainBinary is the binary without the race detector, which makes a
// build of 300 pages take 15 s instead of 2: the kill loop tests what a
// killed process leaves on disk, not its goroutines.
func plainBinary(t *testing.T) string {
	t.Helper()
	if !raceEnabled {
		return daemonBinary(t)
	}
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	plainOnce.Do(func() {
		dir, err := os.MkdirTemp("", "talkfeed-plain-")
		if err != nil {
			plainErr = err
			return
		}
		plainPath = filepath.Join(dir, "talkfeed")
		if out, err := exec.Command("go", "build", "-o", plainPath, ".").CombinedOutput(); err != nil {
			plainErr = fmt.Errorf("%v\n%s", err, out)
		}
	})
	if plainErr != nil {
		t.Fatal(plainErr)
	}
	return plainPath
}

// treeDigest is a tree read through dir (a folder or a link to one):
// each file's digest by slash path; nil when nothing is at dir.
func treeDigest(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	root, err := filepath.EvalSymlinks(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][32]byte{}
	for p, b := range readTree(t, root) {
		files[p] = sha256.Sum256(b)
	}
	return files
}

func sameDigests(a, b map[string][32]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for p, d := range a {
		if b[p] != d {
			return false
		}
	}
	return true
}

// strays are the names beside out that a build leaves only when killed.
func strays(t *testing.T, out string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(out))
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	name := filepath.Base(out)
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, name+newInfix) || strings.HasPrefix(n, name+oldInfix) || n == name+linkSuffix {
			s = append(s, n)
		}
	}
	return s
}

// A build killed at any moment leaves at --out the tree that was there
// (or nothing) or the whole new one, never a mix, whether --out is new,
// a link to an earlier version or a folder; the next build removes what
// the killed ones left beside it.
func TestBuildKilledLeavesOldOrNewTree(t *testing.T) {
	bin := plainBinary(t)
	srcA, srcB := t.TempDir(), t.TempDir()
	if err := pagegen.Write(srcA, 300, 1); err != nil {
		t.Fatal(err)
	}
	if err := pagegen.Write(srcB, 300, 2); err != nil {
		t.Fatal(err)
	}
	work, state := t.TempDir(), t.TempDir()
	// One state folder per source: each build of a source then sees the
	// ledger its last one left, and writes the same tree.
	stateOf := map[string]string{srcA: filepath.Join(state, "a"), srcB: filepath.Join(state, "b")}
	command := func(out, src string) *exec.Cmd {
		cmd := exec.Command(bin, "build", "--out", out, "--state", stateOf[src], "--base-url", "https://talks.example/", src)
		cmd.Env = append(os.Environ(), clockVar+"=2026-06-01T12:00:00Z")
		return cmd
	}
	build := func(out, src string) time.Duration {
		t.Helper()
		start := time.Now()
		if b, err := command(out, src).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", out, err, b)
		}
		return time.Since(start)
	}
	// The reference trees, and how long a build takes here.
	took := min(build(filepath.Join(work, "refA"), srcA), build(filepath.Join(work, "refB"), srcB))
	want := map[string]map[string][32]byte{srcA: treeDigest(t, filepath.Join(work, "refA")), srcB: treeDigest(t, filepath.Join(work, "refB"))}
	if sameDigests(want[srcA], want[srcB]) || len(want[srcA]) < 600 {
		t.Fatalf("reference trees: %d and %d files", len(want[srcA]), len(want[srcB]))
	}

	// Kill delays from a seeded source, spread over a whole build, so
	// that kills land in the loading, the writing, the fsyncs and the
	// swap, and a build that runs faster than the reference finishes.
	rng := rand.New(rand.NewPCG(15, 15))
	var runs, torn, finished, leftStrays int
	// fresh makes --out absent again before each kill, as for a first
	// build, leaving what the killed builds left beside it.
	killLoop := func(t *testing.T, out string, kills int, fresh bool) {
		current := ""
		switch got := treeDigest(t, out); {
		case got == nil:
		case sameDigests(got, want[srcA]):
			current = srcA
		case sameDigests(got, want[srcB]):
			current = srcB
		default:
			t.Fatalf("%s holds neither tree before the kills", out)
		}
		for i := range kills {
			if fresh {
				os.Remove(out)
				for _, v := range versions(filepath.Dir(out), filepath.Base(out)) {
					os.RemoveAll(filepath.Join(filepath.Dir(out), v.name))
				}
				current = ""
			}
			next := srcA
			if current == srcA {
				next = srcB
			}
			cmd := command(out, next)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			delay := time.Duration(rng.Int64N(int64(took)))
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("run %d: build failed before its kill: %v", i, err)
				}
			case <-time.After(delay):
				cmd.Process.Signal(syscall.SIGKILL)
				<-done
			}
			runs++
			if cmd.ProcessState.Success() {
				finished++
			}
			leftStrays += len(strays(t, out))
			switch got := treeDigest(t, out); {
			case got == nil && current == "":
			case got != nil && sameDigests(got, want[next]):
				current = next
			case got != nil && current != "" && sameDigests(got, want[current]):
			default:
				torn++
				t.Errorf("run %d, killed after %v: %s holds %d files, neither the old tree nor the new one", i, delay, out, len(got))
			}
		}
		// The next build finishes, with the whole tree, and removes what
		// the killed ones left.
		build(out, srcA)
		if got := treeDigest(t, out); !sameDigests(got, want[srcA]) {
			t.Errorf("%s after a finished build: %d files, not the tree", out, len(got))
		}
		if s := strays(t, out); len(s) > 0 {
			t.Errorf("left beside %s after a finished build: %v", out, s)
		}
	}

	t.Run("new", func(t *testing.T) {
		killLoop(t, filepath.Join(work, "fresh"), 8, true)
	})
	t.Run("link", func(t *testing.T) {
		out := filepath.Join(work, "site")
		build(out, srcA)
		killLoop(t, out, 8, false)
		// The current version and the one before it are kept, no more.
		var versions []string
		entries, _ := os.ReadDir(work)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "site"+versionInfix) {
				versions = append(versions, e.Name())
			}
		}
		if len(versions) > 2 {
			t.Errorf("versions kept: %v", versions)
		}
	})
	t.Run("folder", func(t *testing.T) {
		out := filepath.Join(work, "public")
		if err := os.Mkdir(out, 0o755); err != nil {
			t.Fatal(err)
		}
		build(out, srcA)
		killLoop(t, out, 8, false)
		if info, err := os.Lstat(out); err != nil || !info.IsDir() {
			t.Errorf("a folder --out is no longer a folder: %v", err)
		}
	})
	t.Logf("%d builds killed at random (%d finished first): %d torn trees, %d temporaries left beside --out after the kills, none after the next build",
		runs, finished, torn, leftStrays)
}

// A folder that is neither empty nor a built tree is never replaced: a
// wrong --out must not remove anything.
func TestBuildRefusesForeignFolder(t *testing.T) {
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "thesis.tex"), []byte("years of work"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runArgs(t, nil, "build", "--out", out)
	if code != exitFail || !strings.Contains(stderr, "neither empty nor a tree talkfeed built") {
		t.Errorf("exit %d: %s%s", code, stdout, stderr)
	}
	if b, err := os.ReadFile(filepath.Join(out, "thesis.tex")); err != nil || string(b) != "years of work" {
		t.Errorf("the folder's file: %q, %v", b, err)
	}
}

// A link --out: each build is a new version, the link flips to it, the
// one before stays for readers still in it, older ones and temporaries
// of killed builds go.
func TestBuildLinkVersions(t *testing.T) {
	work := t.TempDir()
	out := filepath.Join(work, "site")
	for _, stray := range []string{"site" + newInfix + "123", "site" + oldInfix + "456"} {
		if err := os.MkdirAll(filepath.Join(work, stray, "events"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("nowhere", filepath.Join(work, "site"+linkSuffix)); err != nil {
		t.Fatal(err)
	}
	// Not ours: kept.
	if err := os.Mkdir(filepath.Join(work, "site.old"), 0o755); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if code, stdout, stderr := runArgs(t, nil, "build", "--out", out); code != exitOK {
			t.Fatalf("exit %d: %s%s", code, stdout, stderr)
		}
	}
	target, err := os.Readlink(out)
	if err != nil || target != "site"+versionInfix+"3" {
		t.Errorf("site links to %q (%v)", target, err)
	}
	var names []string
	entries, _ := os.ReadDir(work)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"site", "site.old", "site.talkfeed-2", "site.talkfeed-3"}; !slices.Equal(names, want) {
		t.Errorf("beside site: %v, want %v", names, want)
	}
	if _, err := os.Stat(filepath.Join(out, "feed.rss")); err != nil {
		t.Error(err)
	}
}

// A 300-character title, and a permalink on the tree's own feed, no
// longer stop a build or a page: every page is published, and check says
// what it changed.
func TestBuildLongTitleAndReservedPermalink(t *testing.T) {
	src := t.TempDir()
	long := strings.Repeat("A Very Long Title About Distributed Systems ", 7)[:300]
	writePage(t, src, "long.md", page(long, "2026-03-01", ""))
	writePage(t, src, "feed.md", page("Feed Talk", "2026-03-02", "permalink: /feed.rss\n"))
	for i := range 20 {
		writePage(t, src, "talk-"+string(rune('a'+i))+".md", page("Talk "+string(rune('A'+i)), "2026-03-03", ""))
	}
	code, stdout, stderr := runArgs(t, nil, "check", "--base-url", "https://talks.example/", src)
	if code != exitOK || !strings.Contains(stdout, "feed.md:6: warning: permalink https://talks.example/feed.rss is the tree's /feed.rss; this page is published at https://talks.example/events/2026/feed-talk/ instead") {
		t.Errorf("check: exit %d:\n%s%s", code, stdout, stderr)
	}
	out := filepath.Join(t.TempDir(), "site")
	code, stdout, stderr = runArgs(t, nil, "build", "--out", out, "--base-url", "https://talks.example/", src)
	if code != exitOK || !strings.HasPrefix(stdout, "22 events, ") {
		t.Fatalf("build: exit %d:\n%s%s", code, stdout, stderr)
	}
	tree := treeDigest(t, out)
	pages := 0
	for p := range tree {
		if strings.HasSuffix(p, "/index.html") && strings.HasPrefix(p, "events/2026/") {
			pages++
			// The long title's slug is cut at a word, to a readable length.
			if slug := strings.Split(p, "/")[2]; len(slug) > talkfeed.MaxSlugBytes {
				t.Errorf("slug of %d bytes: %s", len(slug), slug)
			}
		}
	}
	if pages != 22 {
		t.Errorf("%d talk pages written, want 22", pages)
	}
	rss, err := os.ReadFile(filepath.Join(out, "feed.rss"))
	if err != nil || !strings.Contains(string(rss), "<link>https://talks.example/events/2026/feed-talk/</link>") {
		t.Errorf("feed.rss: %v", err)
	}
}

// Where the system cannot exchange two folders, two renames swap them,
// and leave nothing beside them.
func TestSwapByRenames(t *testing.T) {
	work := t.TempDir()
	a, b := filepath.Join(work, "new"), filepath.Join(work, "site")
	for dir, file := range map[string]string{a: "new.txt", b: "old.txt"} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, file), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := swapByRenames(a, b); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(b, "new.txt")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(a, "old.txt")); err != nil {
		t.Error(err)
	}
	if s := strays(t, b); len(s) > 0 {
		t.Errorf("left: %v", s)
	}
}

// A build stops at SIGTERM and at its deadline (reload_timeout), leaving
// --out as it was, instead of running on as long as a page keeps a
// renderer busy.
func TestBuildStopsOnSignalAndDeadline(t *testing.T) {
	bin := plainBinary(t)
	src := t.TempDir()
	if err := pagegen.Write(src, 3000, 1); err != nil {
		t.Fatal(err)
	}
	run := func(out string, signal bool, extra ...string) (string, error) {
		args := append([]string{"build", "--out", out, "--state", t.TempDir(), "--base-url", "https://talks.example/"}, extra...)
		cmd := exec.Command(bin, append(args, src)...)
		cmd.Env = append(os.Environ(), clockVar+"=2026-06-01T12:00:00Z")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if signal {
			time.Sleep(300 * time.Millisecond) // loading 3,000 pages
			cmd.Process.Signal(syscall.SIGTERM)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			return stderr.String(), err
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatal("build did not stop")
			return "", nil
		}
	}
	out := filepath.Join(t.TempDir(), "site")
	msg, err := run(out, false, "--reload-timeout", "50ms")
	if err == nil || !strings.Contains(msg, "abandoned after 50ms") {
		t.Errorf("a build past its deadline: %v, %q", err, msg)
	}
	if _, err := os.Lstat(out); !os.IsNotExist(err) {
		t.Errorf("a build past its deadline left %s: %v", out, err)
	}
	msg, err = run(out, true)
	if err == nil || !strings.Contains(msg, "stopped") {
		t.Errorf("a build at SIGTERM: %v, %q", err, msg)
	}
	if _, err := os.Lstat(out); !os.IsNotExist(err) {
		t.Errorf("a build stopped by SIGTERM left %s: %v", out, err)
	}
}
