package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/mmcdole/gofeed"
)

// The end-to-end tests run the real binary on loopback.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// daemonBinary builds talkfeed once per test run, with the race detector
// when the tests have it.
func daemonBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "talkfeed-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "talkfeed")
		args := []string{"build", "-o", binPath}
		if raceEnabled {
			args = append(args, "-race")
		}
		if out, err := exec.Command("go", append(args, ".")...).CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("%v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

type daemonProc struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	logs *bytes.Buffer
	mu   *sync.Mutex
	done chan error
}

func page(title, date, extra string) string {
	return "---\ntitle: " + title + "\ndate: " + date + "\ncategory: Testing\nspeaker: Ada Lovelace, Engines\n" + extra + "---\nAbout " + title + ".\n"
}

func writePage(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	tmp := p + ".tmp~"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
}

// daemonEnv is the whole environment of a daemon under test: nothing of
// the test's own but PATH (go-git runs git-upload-pack for file:// URLs),
// so that a stray TALKFEED_* variable cannot change it, and the clock
// pinned to testNow unless extra pins it elsewhere (later entries win).
func daemonEnv(t *testing.T, extra ...string) []string {
	t.Helper()
	return append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TMPDIR=" + os.TempDir(),
		"TALKFEED_RELOAD_TOKEN=e2e-token", clockVar + "=" + testNow,
	}, extra...)
}

// startDaemon runs `talkfeed serve dir` (the demo content when dir is "")
// on a loopback port the kernel picks, read back from its log, with env
// added to daemonEnv, and waits until it is ready.
func startDaemon(t *testing.T, dir string, env []string, extraArgs ...string) *daemonProc {
	t.Helper()
	bin := daemonBinary(t)
	args := []string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json", "--schedule", "@every 1h"}
	if dir != "" {
		args = append(args, dir)
	}
	args = append(args, extraArgs...)
	cmd := exec.Command(bin, args...)
	cmd.Env = daemonEnv(t, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &daemonProc{t: t, cmd: cmd, logs: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan error, 1)}
	listening := make(chan string, 1)
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			d.mu.Lock()
			d.logs.WriteString(line + "\n")
			d.mu.Unlock()
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				listening <- rec.Addr
			}
		}
	}()
	// Wait reads the pipe's end only once the log is read to its end.
	go func() { <-logged; d.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-d.done
		if t.Failed() {
			t.Logf("daemon log:\n%s", d.log())
		}
	})
	select {
	case a := <-listening:
		d.base = "http://" + a
	case err := <-d.done:
		d.done <- err // for the cleanup
		t.Fatalf("daemon exited: %v\n%s", err, d.log())
	case <-time.After(60 * time.Second):
		t.Fatal("daemon did not start")
	}
	d.eventually("ready", func() bool {
		res, err := http.Get(d.base + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	})
	return d
}

// stop signals the daemon and waits for it to exit, returning how it
// exited.
func (d *daemonProc) stop(sig os.Signal) error {
	d.t.Helper()
	d.cmd.Process.Signal(sig)
	select {
	case err := <-d.done:
		d.done <- err // for the cleanup
		return err
	case <-time.After(30 * time.Second):
		d.t.Fatalf("no exit after %v", sig)
		return nil
	}
}

// reloads counts the daemon's successful reloads, from its metrics.
func (d *daemonProc) reloads() int {
	d.t.Helper()
	_, b := d.get("/metrics")
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, `talkfeed_reloads_total{result="success"} `); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				d.t.Fatal(err)
			}
			return n
		}
	}
	d.t.Fatalf("no reload counter in the metrics:\n%s", b)
	return 0
}

func (d *daemonProc) log() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.logs.String()
}

func (d *daemonProc) eventually(what string, ok func() bool) {
	d.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			d.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var client = &http.Client{Timeout: 10 * time.Second}

func (d *daemonProc) get(path string) (*http.Response, []byte) {
	d.t.Helper()
	res, err := client.Get(d.base + path)
	if err != nil {
		d.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		d.t.Fatal(err)
	}
	return res, b
}

func (d *daemonProc) reload(token string) (int, map[string]any) {
	d.t.Helper()
	req, _ := http.NewRequest("POST", d.base+"/-/reload", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func (d *daemonProc) feedHas(s string) bool {
	_, b := d.get("/feed.rss")
	return bytes.Contains(b, []byte(s))
}

// untorn reports whether a body is the one its strong ETag names. Go's
// client asks for gzip and decodes it, so the tag may be the gzip
// representation's: the same digest of the plain bytes, marked.
func untorn(res *http.Response, b []byte) bool {
	sum := sha256.Sum256(b)
	tag := strings.TrimSuffix(strings.Trim(res.Header.Get("Etag"), `"`), "-gz")
	return len(b) > 0 && tag == hex.EncodeToString(sum[:16])
}

func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	writePage(t, dir, "alpha.md", page("Alpha Talk", "2026-12-01", ""))
	writePage(t, dir, "beta.md", page("Beta Talk", "2027-01-15 19:00", "timezone: Europe/Paris\n"))
	writePage(t, dir, "gamma.md", page("Gamma Talk", "2025-05-05", ""))
	d := startDaemon(t, dir, nil, "--watch=false")

	// Every output.
	for _, p := range []string{"/feed.rss", "/feed.atom", "/feed.json", "/category/testing/feed.rss", "/category/testing/feed.atom", "/category/testing/feed.json"} {
		res, b := d.get(p)
		feed, err := gofeed.NewParser().Parse(bytes.NewReader(b))
		if res.StatusCode != 200 || err != nil || len(feed.Items) != 3 {
			t.Errorf("%s: %d %v", p, res.StatusCode, err)
		}
	}
	for _, p := range []string{"/calendar.ics", "/category/testing/calendar.ics", "/events/alpha.ics", "/events/beta.ics", "/events/gamma.ics"} {
		res, b := d.get(p)
		if _, err := goical.NewDecoder(bytes.NewReader(b)).Decode(); res.StatusCode != 200 || err != nil {
			t.Errorf("%s: %d %v", p, res.StatusCode, err)
		}
	}
	for p, code := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 200, "/-/status": 200, "/events/nope.ics": 404, "/feed.rss?limit=x": 400} {
		if res, _ := d.get(p); res.StatusCode != code {
			t.Errorf("%s: %d, want %d", p, res.StatusCode, code)
		}
	}

	// Headers are bounded.
	req, _ := http.NewRequest("GET", d.base+"/feed.rss", nil)
	req.Header.Set("X-Padding", strings.Repeat("x", 100<<10))
	if res, err := client.Do(req); err != nil || res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("a 100 KiB header: %v %v", res, err)
	} else {
		res.Body.Close()
	}

	// An edit, then SIGHUP.
	writePage(t, dir, "alpha.md", page("Alpha Talk Renamed", "2026-12-01", ""))
	if d.feedHas("Alpha Talk Renamed") {
		t.Fatal("the edit showed without a reload: is the watcher off?")
	}
	d.cmd.Process.Signal(syscall.SIGHUP)
	d.eventually("the edit after SIGHUP", func() bool { return d.feedHas("Alpha Talk Renamed") })

	// An edit, then POST /-/reload.
	writePage(t, dir, "beta.md", page("Beta Talk Moved", "2027-01-16 19:00", "timezone: Europe/Paris\n"))
	if code, _ := d.reload("wrong"); code != 401 {
		t.Errorf("wrong token: %d", code)
	}
	if code, out := d.reload("e2e-token"); code != 200 || out["ok"] != true {
		t.Errorf("reload: %d %v", code, out)
	}
	if !d.feedHas("Beta Talk Moved") {
		t.Error("the edit is not served after POST /-/reload")
	}
	if _, b := d.get("/changes.rss"); !bytes.Contains(b, []byte("<title>Rescheduled: Beta Talk Moved</title>")) {
		t.Errorf("the change feed lacks the rescheduling:\n%s", b)
	}

	// A page that breaks keeps its last good version, and says why.
	writePage(t, dir, "gamma.md", "---\ntitle: [Gamma\ndate: 2025-05-05\n---\n")
	if code, out := d.reload("e2e-token"); code != 200 {
		t.Errorf("reload with a broken page: %d %v", code, out)
	}
	if !d.feedHas("Gamma Talk") {
		t.Error("the broken page's last good version is gone")
	}
	var st struct {
		Errors      int
		Diagnostics []struct{ File, Severity, Message string }
	}
	_, b := d.get("/-/status")
	json.Unmarshal(b, &st)
	found := false
	for _, diag := range st.Diagnostics {
		if strings.HasSuffix(diag.File, "gamma.md") && diag.Severity == "error" && strings.Contains(diag.Message, "YAML") {
			found = true
		}
	}
	if !found || st.Errors != 1 {
		t.Errorf("/-/status does not report the broken page: %s", b)
	}

	// The whole source unreadable: the last good snapshot stays.
	before, beforeBody := d.get("/feed.rss")
	if err := os.Rename(dir, dir+".gone"); err != nil {
		t.Fatal(err)
	}
	code, out := d.reload("e2e-token")
	if code != 500 || out["ok"] != false || out["error"] == "" {
		t.Errorf("reload of a missing source: %d %v", code, out)
	}
	after, afterBody := d.get("/feed.rss")
	if after.StatusCode != 200 || after.Header.Get("Etag") != before.Header.Get("Etag") || !bytes.Equal(beforeBody, afterBody) {
		t.Error("the last good snapshot is not served")
	}
	if err := os.Rename(dir+".gone", dir); err != nil {
		t.Fatal(err)
	}

	// Every page gone from a folder that is still there (an unmounted
	// volume, a bad checkout): refused, the last good snapshot stays.
	aside := t.TempDir()
	pages, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	for _, p := range pages {
		if err := os.Rename(p, filepath.Join(aside, filepath.Base(p))); err != nil {
			t.Fatal(err)
		}
	}
	code, out = d.reload("e2e-token")
	if code != 500 || !strings.Contains(fmt.Sprint(out["error"]), "refusing to publish an empty snapshot") {
		t.Errorf("reload of an empty folder: %d %v", code, out)
	}
	if after, afterBody := d.get("/feed.rss"); after.Header.Get("Etag") != before.Header.Get("Etag") || !bytes.Equal(beforeBody, afterBody) {
		t.Error("an empty folder emptied the feed")
	}
	for _, p := range pages {
		if err := os.Rename(filepath.Join(aside, filepath.Base(p)), p); err != nil {
			t.Fatal(err)
		}
	}

	// Readers during a hundred reloads: no failure, no torn response.
	var failures, fetched atomic.Int64
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for i := 0; i < 5000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				res, err := client.Get(d.base + "/feed.rss")
				if err != nil {
					failures.Add(1)
					continue
				}
				b, err := io.ReadAll(res.Body)
				res.Body.Close()
				if err != nil || res.StatusCode != 200 || !untorn(res, b) {
					failures.Add(1)
				}
				fetched.Add(1)
			}
		})
	}
	for i := range 100 {
		writePage(t, dir, "alpha.md", page(fmt.Sprintf("Alpha Talk v%d", i), "2026-12-01", ""))
		if code, out := d.reload("e2e-token"); code != 200 {
			t.Errorf("reload %d: %d %v", i, code, out)
			break
		}
	}
	close(stop)
	readers.Wait()
	if failures.Load() != 0 || fetched.Load() == 0 {
		t.Errorf("%d failed or torn responses of %d", failures.Load(), fetched.Load())
	}
	if !d.feedHas("Alpha Talk v99") {
		t.Error("the last reload is not served")
	}

	// SIGTERM with requests in flight: they finish, the process exits 0.
	var inflight sync.WaitGroup
	var torn atomic.Int64
	served := make(chan struct{}, 8)
	for range 8 {
		inflight.Go(func() {
			signalled := false
			underWay := func() {
				if !signalled {
					signalled = true
					served <- struct{}{}
				}
			}
			defer underWay()
			for range 200 {
				res, err := client.Get(d.base + "/calendar.ics")
				if err != nil {
					return // the listener closed: shutdown has begun
				}
				b, err := io.ReadAll(res.Body)
				res.Body.Close()
				if err != nil || res.StatusCode != 200 || !untorn(res, b) {
					torn.Add(1)
				}
				underWay()
			}
		})
	}
	for range 8 {
		<-served // every reader is under way
	}
	exitErr := d.stop(syscall.SIGTERM)
	inflight.Wait()
	if exitErr != nil {
		t.Errorf("exit after SIGTERM: %v", exitErr)
	}
	if torn.Load() != 0 {
		t.Errorf("%d requests in flight failed", torn.Load())
	}
	if !strings.Contains(d.log(), `"msg":"stopped"`) {
		t.Error("no graceful stop in the log")
	}
}

// With the watcher on, saving a page is enough; the WebSub hub hears of
// every feed that changed.
func TestEndToEndFileChange(t *testing.T) {
	var mu sync.Mutex
	pinged := map[string]int{}
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.ParseForm() != nil || r.PostForm.Get("hub.mode") != "publish" {
			http.Error(w, "bad ping", 400)
			return
		}
		mu.Lock()
		pinged[r.PostForm.Get("hub.url")]++
		mu.Unlock()
		w.WriteHeader(204)
	}))
	defer hub.Close()
	pings := func(u string) int {
		mu.Lock()
		defer mu.Unlock()
		return pinged[u]
	}
	dir := t.TempDir()
	writePage(t, dir, "alpha.md", page("Alpha Talk", "2026-12-01", ""))
	d := startDaemon(t, dir, []string{"TALKFEED_WEBSUB_HUB=" + hub.URL}, "--base-url", "https://talks.example/")
	if _, b := d.get("/feed.rss"); !bytes.Contains(b, []byte(`<atom:link href="`+hub.URL+`" rel="hub">`)) {
		t.Error("the RSS feed does not name the hub")
	}
	d.eventually("the first pings", func() bool { return pings("https://talks.example/feed.rss") == 1 })
	writePage(t, dir, "alpha.md", page("Alpha Talk Saved", "2026-12-01", ""))
	d.eventually("the edit after a file change", func() bool { return d.feedHas("Alpha Talk Saved") })
	d.eventually("pings for the changed feeds", func() bool {
		return pings("https://talks.example/feed.rss") == 2 && pings("https://talks.example/category/testing/feed.json") == 2
	})
	// A new folder is itself a change; once the reload it caused is done,
	// only a watch on the new folder can see a page written there.
	before := d.reloads()
	if err := os.MkdirAll(filepath.Join(dir, "2027"), 0o755); err != nil {
		t.Fatal(err)
	}
	d.eventually("the reload after a new folder", func() bool { return d.reloads() > before })
	writePage(t, dir, "2027/delta.md", page("Delta Talk", "2027-02-02", ""))
	d.eventually("a page in a new folder", func() bool { return d.feedHas("Delta Talk") })
	if !strings.Contains(d.log(), `"trigger":"change`) {
		t.Error("no reload triggered by a change in the log")
	}

}

// The real daemon announces each change exactly once, across a restart.
func TestEndToEndAnnouncesOncePerChange(t *testing.T) {
	r := newReceiver(t)
	dir := t.TempDir()
	stateDir := t.TempDir()
	statePath := filepath.Join(stateDir, announceFile)
	writePage(t, dir, "alpha.md", page("Alpha Talk", "2099-01-01", ""))
	env := []string{"TALKFEED_SLACK_WEBHOOK=" + r.URL}
	args := []string{"--watch=false", "--announce", "--state", stateDir}

	d := startDaemon(t, dir, env, args...)
	// The first load is the baseline: nothing to announce.
	writePage(t, dir, "beta.md", page("Beta Talk", "2099-02-02", ""))
	if code, out := d.reload("e2e-token"); code != 200 {
		t.Fatalf("reload: %d %v", code, out)
	}
	d.eventually("the announcement of the new talk", func() bool { return len(r.got()) == 1 })
	if err := d.stop(syscall.SIGTERM); err != nil {
		t.Fatalf("exit: %v", err)
	}

	d2 := startDaemon(t, dir, env, args...)
	d2.reload("e2e-token")
	writePage(t, dir, "beta.md", page("Beta Talk", "2099-02-09", ""))
	if code, out := d2.reload("e2e-token"); code != 200 {
		t.Fatalf("reload: %d %v", code, out)
	}
	d2.eventually("the announcement of the new date", func() bool { return len(r.got()) == 2 })
	if _, b := d2.get("/changes.rss"); !bytes.Contains(b, []byte("New: Beta Talk")) || !bytes.Contains(b, []byte("Rescheduled: Beta Talk")) {
		t.Errorf("the change feed lost its history across the restart:\n%s", b)
	}
	// Once the daemon has stopped, nothing more can come: anything it
	// still meant to post would wait in the state file's outbox.
	if err := d2.stop(syscall.SIGTERM); err != nil {
		t.Fatalf("exit: %v", err)
	}
	if got := r.got(); len(got) != 2 || got[0] != "New talk: Beta Talk" || got[1] != "Rescheduled: Beta Talk" {
		t.Errorf("posts %q", got)
	}
	var st state
	if data, err := os.ReadFile(statePath); err != nil || json.Unmarshal(data, &st) != nil || len(st.Outbox) != 0 {
		t.Errorf("the outbox is not empty: %v %+v", err, st.Outbox)
	}
}

// Three daemons started at different times from one repository serve the
// same bytes and ETags for every output: replicas behind a load balancer
// never make a reader see an item change.
func TestReplicasServeIdenticalBytes(t *testing.T) {
	repoDir := t.TempDir()
	repo, err := git.PlainInit(repoDir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, _ := repo.Worktree()
	commit := func(when time.Time, files map[string]string) {
		for name, content := range files {
			writePage(t, repoDir, filepath.FromSlash(name), content)
			if _, err := wt.Add(name); err != nil {
				t.Fatal(err)
			}
		}
		sig := &object.Signature{Name: "Ada", Email: "ada@example.org", When: when}
		if _, err := wt.Commit("talks", &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(repoDir, "talks"), 0o755)
	commit(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC), map[string]string{
		"talks/alpha.md": page("Alpha Talk", "2027-01-10 18:00", "timezone: Europe/Berlin\n"),
		"talks/beta.md":  page("Beta Talk", "2025-05-05", ""),
	})
	commit(time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC), map[string]string{
		"talks/alpha.md": page("Alpha Talk", "2027-01-11 18:00", "timezone: Europe/Berlin\n"),
	})
	paths := []string{"/", "/feed.rss", "/feed.atom", "/feed.json", "/calendar.ics", "/changes.rss", "/changes.json",
		"/category/testing/feed.rss", "/category/testing/calendar.ics", "/events/alpha.ics", "/events/beta.ics",
		"/events/2027/alpha-talk/", "/events/2025/beta-talk/", "/feed.rss?upcoming=1"}
	// Each replica's clock stands at another time of one day: outputs
	// depend on the content and the day, never on when a replica started.
	var replicas []*daemonProc
	for _, now := range []string{"2026-11-24T00:00:01Z", "2026-11-24T12:00:00Z", "2026-11-24T23:59:00Z"} {
		replicas = append(replicas, startDaemon(t, "file://"+repoDir, []string{clockVar + "=" + now},
			"--git-subdir", "talks", "--cache-dir", t.TempDir(), "--base-url", "https://talks.example/"))
	}
	for _, p := range paths {
		res0, b0 := replicas[0].get(p)
		if res0.StatusCode != 200 {
			t.Errorf("%s: %d", p, res0.StatusCode)
			continue
		}
		for i, d := range replicas[1:] {
			res, b := d.get(p)
			if !bytes.Equal(b, b0) || res.Header.Get("Etag") != res0.Header.Get("Etag") || res.Header.Get("Last-Modified") != res0.Header.Get("Last-Modified") {
				t.Errorf("%s differs between replica 0 and replica %d", p, i+1)
			}
		}
	}
	// A new commit is picked up by the next fetch.
	commit(time.Date(2026, 10, 9, 9, 0, 0, 0, time.UTC), map[string]string{
		"talks/gamma.md": page("Gamma Talk", "2027-03-03", ""),
	})
	if code, out := replicas[0].reload("e2e-token"); code != 200 || !replicas[0].feedHas("Gamma Talk") {
		t.Errorf("a new commit: %d %v", code, out)
	}
	// A force-push drops that commit for another: the replica follows
	// the rewritten branch.
	head, err := repo.Head()
	if err != nil {
		t.Fatal(err)
	}
	parent, err := repo.CommitObject(head.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.Reset(&git.ResetOptions{Commit: parent.ParentHashes[0], Mode: git.HardReset}); err != nil {
		t.Fatal(err)
	}
	commit(time.Date(2026, 10, 10, 9, 0, 0, 0, time.UTC), map[string]string{
		"talks/delta.md": page("Delta Talk", "2027-04-04", ""),
	})
	if code, out := replicas[0].reload("e2e-token"); code != 200 || !replicas[0].feedHas("Delta Talk") || replicas[0].feedHas("Gamma Talk") {
		t.Errorf("a force-push: %d %v", code, out)
	}
	// The remote disappears: the fetch fails, the last good snapshot stays.
	before, beforeBody := replicas[0].get("/feed.rss")
	if err := os.RemoveAll(repoDir); err != nil {
		t.Fatal(err)
	}
	if code, out := replicas[0].reload("e2e-token"); code != 500 || !strings.Contains(fmt.Sprint(out["error"]), "git fetch") {
		t.Errorf("a vanished remote: %d %v", code, out)
	}
	if after, afterBody := replicas[0].get("/feed.rss"); after.Header.Get("Etag") != before.Header.Get("Etag") || !bytes.Equal(afterBody, beforeBody) {
		t.Error("the last good snapshot is not served after a failed fetch")
	}

	// The history dates the talks: alpha was announced by its first
	// commit and changed by its second.
	_, b := replicas[0].get("/events/alpha.ics")
	for _, want := range []string{"CREATED:20261001T090000Z", "LAST-MODIFIED:20261005T090000Z", "SEQUENCE:1"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("alpha.ics lacks %s", want)
		}
	}
}

// The schedule alone reloads: with the watcher off and no signal or
// request, an edit shows once the next scheduled reload has run.
func TestEndToEndScheduledReload(t *testing.T) {
	dir := t.TempDir()
	writePage(t, dir, "alpha.md", page("Alpha Talk", "2026-12-01", ""))
	d := startDaemon(t, dir, nil, "--watch=false", "--schedule", "@every 1s")
	writePage(t, dir, "alpha.md", page("Alpha Talk Rescheduled", "2026-12-02", ""))
	d.eventually("the edit after a scheduled reload", func() bool { return d.feedHas("Alpha Talk Rescheduled") })
	if !strings.Contains(d.log(), `"trigger":"schedule"`) {
		t.Error("no scheduled reload in the log")
	}
	if !strings.Contains(d.log(), `"schedule":"@every 1s"`) {
		t.Error("the daemon does not log the schedule it runs on")
	}
}

// SIGINT (Ctrl-C on a laptop) stops the daemon as SIGTERM does: the
// schedule stops, requests drain, and it exits 0.
func TestEndToEndInterrupt(t *testing.T) {
	d := startDaemon(t, "", nil, "--schedule", "@every 1s")
	if res, _ := d.get("/feed.rss"); res.StatusCode != 200 {
		t.Fatalf("feed: %d", res.StatusCode)
	}
	if err := d.stop(os.Interrupt); err != nil {
		t.Errorf("exit after SIGINT: %v", err)
	}
	for _, want := range []string{`"msg":"shutting down: draining requests in flight"`, `"msg":"stopped"`} {
		if !strings.Contains(d.log(), want) {
			t.Errorf("the log lacks %s", want)
		}
	}
}
