package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed/websub"
)

// syncBuffer is a log sink the delivery goroutine and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// secretPath is a webhook's credential: its path and query.
const secretPath = "/services/T0SECRET/B0SECRET/xoxSeCrEt?token=q5ecret"

var secretParts = []string{"T0SECRET", "B0SECRET", "xoxSeCrEt", "q5ecret"}

// A failed Slack post logs the webhook's name, scheme and host, never its
// path or query: whether Slack answers 500 or 404 echoing the request, the
// network fails, or redirects loop.
func TestFailedSlackPostsLogNoSecret(t *testing.T) {
	echo := func(code int) string {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no route for "+r.URL.RequestURI(), code)
		}))
		t.Cleanup(s.Close)
		return s.URL
	}
	loop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	t.Cleanup(loop.Close)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()

	for _, c := range []struct {
		name, base string
		retried    bool // else refused and dropped
	}{
		{"500", echo(500), true},
		{"404", echo(404), false},
		{"closed port", closed, true},
		{"redirect loop", loop.URL, true},
	} {
		var logged syncBuffer
		log := slog.New(slog.NewTextHandler(&logged, nil))
		s, err := openState(filepath.Join(t.TempDir(), "state.json"), []webhook{{Name: "team", URL: c.base + secretPath}},
			"https://talks.example/", func() time.Time { return announceNow }, log)
		if err != nil {
			t.Fatal(err)
		}
		s.backoffMin, s.backoffMax = time.Millisecond, time.Millisecond
		s.observe(nil)
		ledger := announcerLedger()
		s.observe(seeing(&ledger, announceNow, talkAt("a", "Alpha", "Go", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))))
		if c.retried {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { s.deliver(ctx); close(done) }()
			deadline := time.Now().Add(10 * time.Second)
			for strings.Count(logged.String(), "slack post failed") < 2 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond) // polling, against the deadline
			}
			cancel()
			<-done
		} else {
			deliverUntil(t, s, 0)
		}
		out := logged.String()
		if !strings.Contains(out, "webhook=team") {
			t.Errorf("%s: the log does not name the webhook:\n%s", c.name, out)
		}
		if c.name == "closed port" && !strings.Contains(out, `Post \"`+c.base+`/…\"`) {
			t.Errorf("%s: the log does not name the webhook's host:\n%s", c.name, out)
		}
		for _, secret := range secretParts {
			if strings.Contains(out, secret) {
				t.Errorf("%s: %q was logged:\n%s", c.name, secret, out)
			}
		}
	}
}

// A failed WebSub ping names the hub by its scheme and host only: a hub
// URL may carry a token.
func TestFailedHubPingLogsNoSecret(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hub := "http://ada:pa55word@" + l.Addr().String() + secretPath
	l.Close()
	var logged syncBuffer
	e := newEffects(nil, &websub.Publisher{Hub: hub, Client: &http.Client{}}, slog.New(slog.NewTextHandler(&logged, nil)))
	a := talkAt("a", "Alpha", "Go", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	e.queue(testPlan(t, lastPublished{}, a), nil)
	e.close()
	e.run()
	out := logged.String()
	if !strings.Contains(out, "websub ping to http://"+l.Addr().String()+"/… failed") {
		t.Errorf("the log does not name the hub's host:\n%s", out)
	}
	for _, secret := range append(secretParts, "ada", "pa55word") {
		if strings.Contains(out, secret) {
			t.Errorf("%q was logged:\n%s", secret, out)
		}
	}
}

// A git source is named without its credentials in logs, diagnostics and
// the status page.
func TestGitSourceNameHasNoCredentials(t *testing.T) {
	for _, u := range []string{"https://ada:s3cret@git.example.org/talks.git", "https://ghp_s3cret@github.com/org/talks.git"} {
		if name := gitSourceName(u, "events"); strings.Contains(name, "s3cret") || !strings.HasSuffix(name, "talks.git/events") {
			t.Errorf("gitSourceName(%q) = %q", u, name)
		}
	}
}
