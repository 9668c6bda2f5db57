package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/jsonfile"
	"github.com/talkfeed/talkfeed/server"
)

// lockedBuffer is a log read by the test while the daemon writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// inproc is a daemon made in the test's process, on the pinned clock,
// its log kept: reloads are called, or Run.
type inproc struct {
	t    *testing.T
	d    *daemon
	logs *lockedBuffer
}

func newInproc(t *testing.T, args ...string) *inproc {
	t.Helper()
	getenv := func(k string) string { return map[string]string{clockVar: testNow, "HOME": t.TempDir()}[k] }
	fs := newFlagSet("serve", "serve", io.Discard)
	var f serveFlags
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	cfg, err := f.resolve(fs.Args(), getenv)
	if err != nil {
		t.Fatal(err)
	}
	now, _ := newClock(getenv)
	logs := &lockedBuffer{}
	d, _, err := newDaemon(context.Background(), cfg, getenv, now, logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.stopCompress)
	return &inproc{t: t, d: d, logs: logs}
}

func (p *inproc) reload() error { return p.d.reload(context.Background(), "test") }

func (p *inproc) get(path string) (int, string) {
	rec := httptest.NewRecorder()
	p.d.srv.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code, rec.Body.String()
}

func (p *inproc) status() server.Status {
	p.t.Helper()
	_, b := p.get("/-/status")
	var st server.Status
	if err := json.Unmarshal([]byte(b), &st); err != nil {
		p.t.Fatalf("status %q: %v", b, err)
	}
	return st
}

// metric is the value of the metrics line that starts with series.
func (p *inproc) metric(series string) string {
	p.t.Helper()
	_, b := p.get("/metrics")
	for line := range strings.Lines(b) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), series+" "); ok {
			return v
		}
	}
	return "none"
}

// failing checks that a reload failure with want in its error is
// reported everywhere: the reload's result in /-/status, the check's
// one-line error, the metrics and the log; and that the feed still
// served is feed.
func (p *inproc) failing(check, want, feed string) {
	p.t.Helper()
	st := p.status()
	if st.LastReload == nil || st.LastReload.OK || !strings.Contains(st.LastReload.Error, want) {
		p.t.Errorf("%s: last reload %+v, want a failure with %q", check, st.LastReload, want)
	}
	c, ok := st.Checks[check]
	if !ok || c.OK || !strings.Contains(c.Error, want) || strings.Contains(c.Error, "\n") || c.Since.IsZero() {
		p.t.Errorf("%s: check %+v, want failing with %q in one line", check, c, want)
	}
	for series, v := range map[string]string{
		"talkfeed_reload_success":                              "0",
		`talkfeed_check_success{check="` + check + `"}`:        "0",
		`talkfeed_check_failures_total{check="` + check + `"}`: "",
		`talkfeed_reloads_total{result="failure"}`:             "",
	} {
		if got := p.metric(series); v != "" && got != v || v == "" && (got == "none" || got == "0") {
			p.t.Errorf("%s: %s = %s", check, series, got)
		}
	}
	if !strings.Contains(p.logs.String(), "msg=failing check="+check) {
		p.t.Errorf("%s: no failing line in the log:\n%s", check, p.logs.String())
	}
	if code, b := p.get("/feed.rss"); code != 200 || b != feed {
		p.t.Errorf("%s: the last good feed is not served: %d", check, code)
	}
}

// recovered checks that the check and the reload are reported good
// again, and logged so.
func (p *inproc) recovered(check string) {
	p.t.Helper()
	st := p.status()
	if c := st.Checks[check]; !c.OK || c.Error != "" || st.LastReload == nil || !st.LastReload.OK {
		p.t.Errorf("%s: after recovery, check %+v, last reload %+v", check, c, st.LastReload)
	}
	for series, v := range map[string]string{"talkfeed_reload_success": "1", `talkfeed_check_success{check="` + check + `"}`: "1"} {
		if got := p.metric(series); got != v {
			p.t.Errorf("%s: after recovery, %s = %s", check, series, got)
		}
	}
	if !strings.Contains(p.logs.String(), "msg=recovered check="+check) {
		p.t.Errorf("%s: no recovered line in the log", check)
	}
}

// eventually polls ok against a generous deadline.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A source folder that vanishes, or is emptied, fails the reload: the
// feeds keep their talks, the failure is in /-/status, the metrics and
// the log, and the watcher says it lost the folder; once the folder is
// back (moved away and copied back, as mv s s.old; cp -a s.old s does)
// the watcher sees it, and an edit in it is served without any other
// trigger.
func TestVanishedSourceFolderKeepsTheFeeds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "talks")
	os.Mkdir(dir, 0o755)
	writePage(t, dir, "alpha.md", page("Alpha Talk", "2026-12-01", ""))
	p := newInproc(t, "--state", t.TempDir(), dir)
	ctx, cancel := context.WithCancel(context.Background())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ran := make(chan int)
	go func() { ran <- p.d.Run(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-ran })
	eventually(t, "the first load", func() bool { code, _ := p.get("/feed.rss"); return code == 200 })
	if c := p.status().Checks[checkWatch]; !c.OK {
		t.Errorf("watching: %+v", c)
	}
	_, feed := p.get("/feed.rss")

	if err := os.Rename(dir, dir+".old"); err != nil {
		t.Fatal(err)
	}
	// The watcher's own reload, as the folder went.
	eventually(t, "a failed reload", func() bool { st := p.status(); return st.LastReload != nil && !st.LastReload.OK })
	p.failing(checkSource, "no such file or directory", feed)
	eventually(t, "the watcher reporting the folder gone", func() bool { return !p.status().Checks[checkWatch].OK })
	if got := p.metric(`talkfeed_check_success{check="watch"}`); got != "0" {
		t.Errorf("watch metric %s", got)
	}

	// A folder there but with no pages (a mount point not mounted).
	os.Mkdir(dir, 0o755)
	if err := p.d.reloads.trigger(ctx, "test"); err == nil {
		t.Error("a reload of an empty folder succeeded")
	}
	p.failing(checkSource, "no talks", feed)
	os.Remove(dir)

	if out, err := exec.Command("cp", "-a", dir+".old", dir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	eventually(t, "the watcher watching again", func() bool { return p.status().Checks[checkWatch].OK })
	eventually(t, "the reload after the folder came back", func() bool { st := p.status(); return st.LastReload.OK })
	p.recovered(checkSource)
	writePage(t, dir, "alpha.md", page("Alpha Talk, Edited", "2026-12-01", ""))
	eventually(t, "an edit in the folder copied back", func() bool { _, b := p.get("/feed.rss"); return strings.Contains(b, "Alpha Talk, Edited") })
}

// fullDisk is a ledger store whose saves fail while full is set, as on
// a full disk.
type fullDisk struct {
	ledgerStore
	full  atomic.Bool
	saves atomic.Int32
}

func (f *fullDisk) Save(l *talkfeed.Ledger) error {
	f.saves.Add(1)
	if f.full.Load() {
		return &fs.PathError{Op: "write", Path: "ledger.json.journal", Err: syscall.ENOSPC}
	}
	return f.ledgerStore.Save(l)
}

// A ledger that cannot be saved fails the reload visibly: the last good
// snapshot stays, /-/status has a ledger check failing with the
// reason, the metrics and the log say so; each reload tries again, and
// the first that can write stores the ledger, serves the edit and clears
// the check. /readyz stays ready: the last good snapshot is served.
func TestLedgerSaveFailureIsFlaggedAndRetried(t *testing.T) {
	dir, state := t.TempDir(), t.TempDir()
	writePage(t, dir, "alpha.md", page("Alpha Talk", "2026-12-01", ""))
	p := newInproc(t, "--state", state, "--watch=false", dir)
	disk := &fullDisk{ledgerStore: p.d.ledgers.store}
	p.d.ledgers.store = disk
	if err := p.reload(); err != nil {
		t.Fatal(err)
	}
	_, feed := p.get("/feed.rss")

	disk.full.Store(true)
	writePage(t, dir, "alpha.md", page("Alpha Talk, Moved", "2026-12-02", ""))
	for range 2 {
		if err := p.reload(); err == nil {
			t.Fatal("a reload that could not save the ledger succeeded")
		}
	}
	p.failing(checkLedger, "no space left on device", feed)
	if c := p.status().Checks[checkLedger]; c.Failures != 2 {
		t.Errorf("failures in a row: %+v", c)
	}
	if c := p.status().Checks[checkSource]; !c.OK {
		t.Errorf("the source is blamed for the ledger: %+v", c)
	}
	if code, _ := p.get("/readyz"); code != 200 {
		t.Errorf("readyz while the ledger cannot be saved: %d", code)
	}
	saves := disk.saves.Load()

	disk.full.Store(false)
	if err := p.reload(); err != nil {
		t.Fatalf("the disk has room again: %v", err)
	}
	if disk.saves.Load() != saves+1 {
		t.Errorf("%d saves after the disk had room, want 1", disk.saves.Load()-saves)
	}
	p.recovered(checkLedger)
	if _, b := p.get("/feed.rss"); !strings.Contains(b, "Alpha Talk, Moved") {
		t.Error("the edit is not served once the ledger is saved")
	}
	// What was saved is the ledger served: a restart reads the edit.
	again := newInproc(t, "--state", state, "--watch=false", dir)
	if s := again.d.last.ledger.Stamp("alpha"); s.Version != 1 {
		t.Errorf("the stored ledger after recovery: %+v", s)
	}
}

// An announcer state that cannot be written (a full disk) is logged,
// reported failing, and written again with back-off until it is: not
// left stale until the talks next change.
func TestAnnouncerStateWriteIsRetried(t *testing.T) {
	path := filepath.Join(t.TempDir(), announceFile)
	s := newTestState(t, path)
	os.Remove(path) // as if never written: the write under test is the first
	var logs lockedBuffer
	log, _ := newLogger(&logs, "text")
	s.log = log
	reg := prometheus.NewRegistry()
	h := newHealth(reg, func() time.Time { return announceNow }, log)
	s.report = func(err error) { h.report(checkAnnounce, err) }
	var full atomic.Bool
	full.Store(true)
	var writes atomic.Int32
	s.write = func(p string, v any) error {
		writes.Add(1)
		if full.Load() {
			return &fs.PathError{Op: "write", Path: p, Err: syscall.ENOSPC}
		}
		return jsonfile.Write(p, v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.deliver(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	l := announcerLedger()
	s.observe(seeing(&l, announceNow, talkAt("a", "Alpha", "Go", announceNow.Add(24*time.Hour))))
	if c := h.snapshot()[checkAnnounce]; c.OK || !strings.Contains(c.Error, "no space left on device") {
		t.Errorf("a failed write: %+v", c)
	}
	if !strings.Contains(logs.String(), "cannot save the announcer state") {
		t.Errorf("log: %s", logs.String())
	}
	eventually(t, "a retried write", func() bool { return writes.Load() >= 3 })
	full.Store(false)
	eventually(t, "the state written once the disk has room", func() bool { _, err := os.Stat(path); return err == nil })
	var saved state
	if _, err := jsonfile.Read(path, &saved); err != nil || len(saved.Seen) != 1 || !strings.HasPrefix(saved.Seen[0], "change/a/new/") {
		t.Errorf("the state written: %+v %v", saved, err)
	}
	eventually(t, "the check recovered", func() bool { return h.snapshot()[checkAnnounce].OK })
	n := writes.Load()
	if !strings.Contains(logs.String(), "saved the announcer state again") {
		t.Errorf("log: %s", logs.String())
	}
	// Written, the retries stop.
	s.mu.Lock()
	unsaved := s.unsaved
	s.mu.Unlock()
	if unsaved || writes.Load() > n+1 {
		t.Errorf("still retrying after a write: unsaved %v, %d more writes", unsaved, writes.Load()-n)
	}
}

// gitRemote is a repository served over smart HTTP by git http-backend,
// whose answers the test decides: served, 401 to every request (a
// revoked token), or none at all (a remote that accepts and hangs).
type gitRemote struct {
	dir  string
	repo *git.Repository
	wt   *git.Worktree
	url  string
	mode atomic.Value // "ok", "401", "silent"
}

func newGitRemote(t *testing.T) *gitRemote {
	t.Helper()
	backend, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Skipf("no git: %v", err)
	}
	root := t.TempDir()
	r := &gitRemote{dir: filepath.Join(root, "talks")}
	if r.repo, err = git.PlainInit(r.dir, false); err != nil {
		t.Fatal(err)
	}
	r.wt, _ = r.repo.Worktree()
	r.mode.Store("ok")
	quit := make(chan struct{})
	cgiHandler := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(backend)), "git-http-backend"),
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch r.mode.Load() {
		case "401":
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "bad credentials", http.StatusUnauthorized)
		case "silent":
			select { // until the client gives up, or the test ends
			case <-req.Context().Done():
			case <-quit:
			}
		default:
			cgiHandler.ServeHTTP(w, req)
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(quit) }) // first: srv.Close waits for the handlers
	r.url = srv.URL + "/talks/.git"
	return r
}

func (r *gitRemote) commit(t *testing.T, when time.Time, files map[string]string) {
	t.Helper()
	for name, content := range files {
		writePage(t, r.dir, name, content)
		if _, err := r.wt.Add(name); err != nil {
			t.Fatal(err)
		}
	}
	sig := &object.Signature{Name: "Ada", Email: "ada@example.org", When: when}
	if _, err := r.wt.Commit("talks", &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		t.Fatal(err)
	}
}

// A git remote that refuses the credentials, or accepts and never
// answers, fails the reload within the timeout: the last good snapshot
// stays, the failure is in /-/status, the metrics and the log, and the
// first fetch that works again serves the new commits, a force-push's
// too, with the history's ledger replayed.
func TestGitRemoteFailuresAreFlaggedAndRecover(t *testing.T) {
	r := newGitRemote(t)
	day := func(d int) time.Time { return time.Date(2026, 10, d, 9, 0, 0, 0, time.UTC) }
	r.commit(t, day(1), map[string]string{"alpha.md": page("Alpha Talk", "2027-01-10", "")})
	p := newInproc(t, "--cache-dir", t.TempDir(), "--git-timeout", "500ms", r.url)
	if err := p.reload(); err != nil {
		t.Fatal(err)
	}
	_, feed := p.get("/feed.rss")
	r.commit(t, day(2), map[string]string{"beta.md": page("Beta Talk", "2027-02-10", "")})
	head, _ := r.repo.Head()

	r.mode.Store("401")
	if err := p.reload(); err == nil {
		t.Fatal("a fetch refused 401 succeeded")
	}
	p.failing(checkSource, "authentication required", feed)

	r.mode.Store("silent")
	reloaded := make(chan error, 1)
	go func() { reloaded <- p.reload() }()
	select {
	case err := <-reloaded:
		if err == nil {
			t.Fatal("a fetch from a silent remote succeeded")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a silent remote holds the reload")
	}
	p.failing(checkSource, "deadline exceeded", feed)
	if c := p.status().Checks[checkSource]; c.Failures != 2 {
		t.Errorf("failures in a row: %+v", c)
	}

	r.mode.Store("ok")
	if err := p.reload(); err != nil {
		t.Fatalf("the remote answers again: %v", err)
	}
	p.recovered(checkSource)
	if _, b := p.get("/feed.rss"); !strings.Contains(b, "Beta Talk") {
		t.Error("the commit made while the remote failed is not served")
	}

	// A force-push: beta's commit is dropped for gamma's.
	c, _ := r.repo.CommitObject(head.Hash())
	if err := r.wt.Reset(&git.ResetOptions{Commit: c.ParentHashes[0], Mode: git.HardReset}); err != nil {
		t.Fatal(err)
	}
	r.commit(t, day(3), map[string]string{"gamma.md": page("Gamma Talk", "2027-03-10", "")})
	if err := p.reload(); err != nil {
		t.Fatalf("after a force-push: %v", err)
	}
	if _, b := p.get("/feed.rss"); !strings.Contains(b, "Gamma Talk") || strings.Contains(b, "Beta Talk") {
		t.Error("the force-pushed branch is not what is served")
	}
	if s := p.d.last.ledger.Stamp("gamma"); !s.Announced.Equal(day(3)) {
		t.Errorf("gamma dated %v by the replayed history, want %v", s.Announced, day(3))
	}
}
