package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestHTTPServerIsBounded(t *testing.T) {
	s := newHTTPServer(context.Background(), http.NotFoundHandler(), slog.DiscardHandler)
	if s.ReadHeaderTimeout == 0 || s.ReadTimeout == 0 || s.WriteTimeout == 0 || s.IdleTimeout == 0 || s.MaxHeaderBytes == 0 || s.MaxHeaderBytes > 1<<20 {
		t.Errorf("unbounded server: %+v", s)
	}
}

func TestHealthcheck(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			w.WriteHeader(503)
		}
	}))
	defer ok.Close()
	if code, out, errOut := runArgs(t, nil, "healthcheck", ok.URL+"/healthz"); code != exitOK {
		t.Errorf("healthy: %d %s%s", code, out, errOut)
	}
	if code, _, _ := runArgs(t, nil, "healthcheck", ok.URL+"/down"); code != exitFail {
		t.Errorf("unhealthy: %d", code)
	}
	ok.Close()
	if code, _, _ := runArgs(t, nil, "healthcheck", ok.URL+"/healthz"); code != exitFail {
		t.Errorf("no daemon: %d", code)
	}
}

func TestHealthURL(t *testing.T) {
	for addr, want := range map[string]string{
		"":               "http://127.0.0.1:8080/healthz",
		":9090":          "http://127.0.0.1:9090/healthz",
		"0.0.0.0:9090":   "http://127.0.0.1:9090/healthz",
		"[::]:9090":      "http://127.0.0.1:9090/healthz",
		"127.0.0.2:9090": "http://127.0.0.2:9090/healthz",
		"[::1]:9090":     "http://[::1]:9090/healthz",
		"talks:9090":     "http://talks:9090/healthz",
		"nonsense":       "http://127.0.0.1:8080/healthz",
	} {
		if got := healthURL(addr); got != want {
			t.Errorf("healthURL(%q) = %q, want %q", addr, got, want)
		}
	}
}

// An announcer state that is there but is no state is a failure to
// start, not a usage error: the command line was right. (Guessing would
// repeat or lose posts; a corrupt ledger, which the pages rebuild, is
// only a warning.)
func TestServeRefusesACorruptAnnouncerState(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, announceFile)
	if err := os.WriteFile(path, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TALKFEED_SLACK_WEBHOOK": "https://hooks.example/x"}
	code, _, errOut := runArgs(t, env, "serve", "--addr", "127.0.0.1:0", "--announce", "--state", dir, t.TempDir())
	if code != exitFail || !strings.Contains(errOut, "announcer state: "+path) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// Every setting of serve resolves one way: flag, then environment, then
// the config file, then the default; booleans too.
func TestServeConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "talkfeed.yaml")
	if err := os.WriteFile(cfgFile, []byte("addr: 127.0.0.1:7000\nschedule: \"@every 7m\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	resolve := func(env map[string]string, args ...string) (serveConfig, error) {
		fs := newFlagSet("serve", "serve", io.Discard)
		var f serveFlags
		f.register(fs)
		positional, err := parseInterspersed(fs, args)
		if err != nil {
			t.Fatal(err)
		}
		return f.resolve(positional, func(k string) string { return env[k] })
	}
	c, err := resolve(map[string]string{"TALKFEED_CONFIG": cfgFile})
	if err != nil || c.listen != "127.0.0.1:7000" || c.schedule != "@every 7m" || !c.watch || c.announce || c.logFormat != "text" {
		t.Errorf("file: %v %+v", err, c)
	}
	c, _ = resolve(map[string]string{"TALKFEED_CONFIG": cfgFile, "TALKFEED_ADDR": ":7001", "TALKFEED_WATCH": "false", "TALKFEED_LOG_FORMAT": "json"})
	if c.listen != ":7001" || c.watch || c.logFormat != "json" {
		t.Errorf("environment over file: %+v", c)
	}
	c, _ = resolve(map[string]string{"TALKFEED_ADDR": ":7001", "TALKFEED_WATCH": "false"}, "--addr", ":7002", "--watch")
	if c.listen != ":7002" || !c.watch {
		t.Errorf("flags over environment: listen %q watch %v", c.listen, c.watch)
	}
	if c, _ := resolve(nil); c.reloadTimeout != defaultReloadTimeout || c.readyMaxAge != 0 {
		t.Errorf("default reload timeout %v, ready max age %v", c.reloadTimeout, c.readyMaxAge)
	}
	if c, _ := resolve(map[string]string{"TALKFEED_RELOAD_TIMEOUT": "90s"}, "--ready-max-age", "2h"); c.reloadTimeout != 90*time.Second || c.readyMaxAge != 2*time.Hour {
		t.Errorf("reload timeout %v, ready max age %v", c.reloadTimeout, c.readyMaxAge)
	}
	if _, err := resolve(nil, "--reload-timeout", "soon"); err == nil || !strings.Contains(err.Error(), "reload timeout") {
		t.Errorf("a bad reload timeout: %v", err)
	}
	if _, err := resolve(map[string]string{"TALKFEED_WATCH": "sometimes"}); err == nil || !strings.Contains(err.Error(), "TALKFEED_WATCH") {
		t.Errorf("a bad boolean: %v", err)
	}
	if _, err := resolve(nil, "--announce"); err == nil || !strings.Contains(err.Error(), "webhook") {
		t.Errorf("announce without a webhook: %v", err)
	}
}

// When the listener fails, Run stops everything it started and returns:
// no goroutine waits for a signal that will not come.
func TestRunEndsWhenTheListenerFails(t *testing.T) {
	getenv := func(k string) string { return map[string]string{clockVar: testNow}[k] }
	fs := newFlagSet("serve", "serve", io.Discard)
	var f serveFlags
	f.register(fs)
	cfg, err := f.resolve(nil, getenv)
	if err != nil {
		t.Fatal(err)
	}
	now, _ := newClock(getenv)
	d, _, err := newDaemon(context.Background(), cfg, getenv, now, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	done := make(chan int, 1)
	go func() { done <- d.Run(context.Background(), ln) }()
	select {
	case code := <-done:
		if code != exitFail {
			t.Errorf("exit %d, want %d", code, exitFail)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run hangs after its listener failed")
	}
}
