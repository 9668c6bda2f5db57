package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/talkfeed/talkfeed/bench/pagegen"
)

// folderDaemon is the daemon `talkfeed serve dir` makes, at the pinned
// clock, with a state folder of its own.
func folderDaemon(t *testing.T, dir string) *daemon {
	t.Helper()
	getenv := func(k string) string { return map[string]string{clockVar: testNow}[k] }
	fs := newFlagSet("serve", "serve", io.Discard)
	var f serveFlags
	f.register(fs)
	cfg, err := f.resolve([]string{dir}, getenv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.stateDir = t.TempDir()
	now, _ := newClock(getenv)
	d, _, err := newDaemon(context.Background(), cfg, getenv, now, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// runawayDaemon is a daemon on five good pages whose plans, after stick,
// block until release, ignoring their context, as a page that sends a
// renderer into a loop would.
func runawayDaemon(t *testing.T) (d *daemon, stick func(), release func()) {
	d, stick, release, _ = runawayDaemonIn(t)
	return d, stick, release
}

func runawayDaemonIn(t *testing.T) (d *daemon, stick func(), release func(), dir string) {
	t.Helper()
	dir = t.TempDir()
	if err := pagegen.Write(dir, 5, 1); err != nil {
		t.Fatal(err)
	}
	d = folderDaemon(t, dir)
	stuck, released := make(chan struct{}), make(chan struct{})
	d.planStarts = func(context.Context) {
		select {
		case <-stuck:
			<-released
		default:
		}
	}
	return d, func() { close(stuck) }, func() { close(released) }, dir
}

// A reload that overruns its deadline is abandoned: the last good
// snapshot stays served, /-/status and a metric say so, no second
// runaway starts beside it, and reloads resume by themselves once it
// ends.
func TestReloadOverrunIsAbandoned(t *testing.T) {
	d, stick, release := runawayDaemon(t)
	ctx := context.Background()
	if err := d.reload(ctx, "start"); err != nil {
		t.Fatal(err)
	}
	// Short only for the runaway: a load under the race detector takes
	// longer.
	d.cfg.reloadTimeout = 300 * time.Millisecond
	stick()
	err := d.reload(ctx, "http")
	if !errors.Is(err, errReloadTimeout) || !strings.Contains(err.Error(), "300ms") {
		t.Fatalf("an overrunning reload returned %v", err)
	}
	st := d.srv.CurrentStatus()
	if st.LastReload == nil || st.LastReload.OK || !st.LastReload.TimedOut || st.Events != 5 {
		t.Errorf("status after the overrun: %+v (events %d)", st.LastReload, st.Events)
	}
	if got := testutil.ToFloat64(d.metrics.timeouts); got != 1 {
		t.Errorf("talkfeed_reload_timeouts_total %v, want 1", got)
	}
	if got := testutil.ToFloat64(d.metrics.success); got != 0 {
		t.Errorf("talkfeed_reload_success %v after an overrun", got)
	}
	if !d.srv.Ready() {
		t.Fatal("the last good snapshot is gone")
	}
	// While the runaway runs, a reload does not start another.
	if err := d.reload(ctx, "schedule"); !errors.Is(err, errReloadTimeout) || !strings.Contains(err.Error(), "still running") {
		t.Errorf("a reload beside the runaway: %v", err)
	}
	release()
	d.cfg.reloadTimeout = time.Minute
	deadline := time.Now().Add(20 * time.Second)
	for d.overrunning.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the runaway never counted as ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := d.reload(ctx, "schedule"); err != nil {
		t.Fatalf("after the runaway ended: %v", err)
	}
	if st := d.srv.CurrentStatus(); !st.LastReload.OK || st.LastReload.TimedOut {
		t.Errorf("status after recovery: %+v", st.LastReload)
	}
}

// A shutdown during a runaway reload ends Run within the shutdown
// grace, whatever the reload is doing.
func TestShutdownDuringARunawayReload(t *testing.T) {
	d, stick, release := runawayDaemon(t)
	defer release()
	d.cfg.reloadTimeout = time.Hour
	stick()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- d.Run(ctx, ln) }()
	url := "http://" + ln.Addr().String() + "/healthz"
	for deadline := time.Now().Add(10 * time.Second); ; {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("never listened")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(shutdownTimeout + 10*time.Second):
		t.Fatal("Run did not end during a runaway reload")
	}
}

// A reload that fails (here: refused, for it found no talk where there
// were five) leaves /-/status counting the snapshot still served.
func TestStatusCountsWhatIsServed(t *testing.T) {
	d, _, _, dir := runawayDaemonIn(t)
	ctx := context.Background()
	if err := d.reload(ctx, "start"); err != nil {
		t.Fatal(err)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "*", "*.md"))
	more, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	for _, p := range append(pages, more...) {
		os.Remove(p)
	}
	if err := d.reload(ctx, "http"); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("a reload finding no talk: %v", err)
	}
	if st := d.srv.CurrentStatus(); st.Events != 5 || st.LastReload.OK {
		t.Errorf("status after the refused reload: events %d, last reload %+v", st.Events, st.LastReload)
	}
}
