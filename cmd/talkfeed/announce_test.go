package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
)

// receiver is a local Slack webhook that records posts and fails on
// demand.
type receiver struct {
	*httptest.Server
	mu    sync.Mutex
	posts []string // header texts, in arrival order
	fails int      // answer 500 to this many posts first
	code  int      // then answer this (200 by default)
	// acceptOnly, when positive, accepts that many posts in all and
	// answers 500 to the rest: Slack going down mid-way.
	acceptOnly int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{code: 200}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var msg struct {
			Text   string
			Blocks []struct {
				Type string
				Text struct{ Text string }
			}
		}
		if req.Method != "POST" || req.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &msg) != nil || len(msg.Blocks) == 0 {
			http.Error(w, "invalid_payload", 400)
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.fails > 0 {
			r.fails--
			http.Error(w, "oops", 500)
			return
		}
		if r.acceptOnly > 0 && len(r.posts) >= r.acceptOnly {
			http.Error(w, "down", 503)
			return
		}
		if r.code != 200 {
			http.Error(w, "no_service", r.code)
			return
		}
		r.posts = append(r.posts, msg.Blocks[0].Text.Text)
		io.WriteString(w, "ok")
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.posts...)
}

var announceNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func talkAt(id, title, category string, start time.Time) talkfeed.Event {
	return talkfeed.Event{ID: id, Title: title, Category: category, Start: start, AllDay: true, TimeZone: "UTC",
		Location: "Berlin", PageURL: "https://talks.example/" + id + "/", Status: talkfeed.StatusConfirmed}
}

func newTestState(t *testing.T, path string, hooks ...webhook) *stateFile {
	t.Helper()
	s := openTestState(t, path, hooks...)
	if s.fresh {
		s.observe(nil) // a daemon that has run before
	}
	return s
}

func openTestState(t *testing.T, path string, hooks ...webhook) *stateFile {
	t.Helper()
	s, err := openState(path, hooks, "https://talks.example/", func() time.Time { return announceNow }, quiet)
	if err != nil {
		t.Fatal(err)
	}
	s.backoffMin, s.backoffMax = 5*time.Millisecond, 20*time.Millisecond
	return s
}

// deliverUntil delivers until only left announcements wait in the
// outbox (those Slack keeps refusing), then stops the delivery as a
// process exit would. An announcement is taken out of the outbox only
// once it is posted, so when this returns every post has been made:
// nothing waits for posts that should not come.
func deliverUntil(t *testing.T, s *stateFile, left int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.deliver(ctx); close(done) }()
	outbox := func() int {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.st.Outbox)
	}
	deadline := time.Now().Add(10 * time.Second)
	for outbox() > left {
		if time.Now().After(deadline) {
			t.Fatalf("%d announcements in the outbox, want %d", outbox(), left)
		}
		time.Sleep(5 * time.Millisecond) // polling, against the deadline
	}
	cancel()
	<-done
}

// announcerLedger is a ledger past its import, so that talks it sees
// are news.
func announcerLedger() *talkfeed.Ledger {
	l, _ := talkfeed.NewLedger().Observe(nil, announceNow.Add(-time.Hour))
	return l
}

// seeing observes the talks into *l at at and returns the ledger's
// changes: what a published snapshot shows the announcer.
func seeing(l **talkfeed.Ledger, at time.Time, evs ...talkfeed.Event) []talkfeed.Change {
	*l, _ = (*l).Observe(evs, at)
	return (*l).Changes()
}

func TestAnnouncerPostsEachChangeOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	r := newReceiver(t)
	s := newTestState(t, path, webhook{Name: "all", URL: r.URL})
	a := talkAt("a", "Alpha", "Go", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	b := talkAt("b", "Beta", "Rust", time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
	old := talkAt("old", "Old", "Go", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))

	// Two talks at once, and one of a past date that is history, not news.
	l := announcerLedger()
	s.observe(seeing(&l, announceNow, a, b, old))
	deliverUntil(t, s, 0)
	if got := r.got(); len(got) != 2 || got[0] != "New talk: Beta" || got[1] != "New talk: Alpha" {
		t.Fatalf("posts %q", got)
	}

	// A restart with nothing new posts nothing.
	s2 := newTestState(t, path, webhook{Name: "all", URL: r.URL})
	s2.observe(seeing(&l, announceNow.Add(time.Minute), a, b, old))
	deliverUntil(t, s2, 0)
	if got := r.got(); len(got) != 2 {
		t.Fatalf("a restart re-posted: %q", got)
	}

	// A rescheduling and a cancellation, after the restart; a removal.
	b.Start = b.Start.AddDate(0, 0, 7)
	a.Status = talkfeed.StatusCancelled
	s2.observe(seeing(&l, announceNow.Add(2*time.Minute), a, b, old))
	s2.observe(seeing(&l, announceNow.Add(3*time.Minute), a, old))
	deliverUntil(t, s2, 0)
	if got := r.got(); len(got) != 5 || got[2] != "Rescheduled: Beta" || got[3] != "Cancelled: Alpha" || got[4] != "Removed: Beta" {
		t.Fatalf("posts %q", got)
	}
}

// The first start with a new state announces nothing of what the
// ledger already holds: subscribers knew it all along.
func TestAnnouncerFirstStartAnnouncesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	r := newReceiver(t)
	l := announcerLedger()
	a := talkAt("a", "Alpha", "Go", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	changes := seeing(&l, announceNow, a)
	s := openTestState(t, path, webhook{Name: "all", URL: r.URL})
	s.observe(changes)
	b := talkAt("b", "Beta", "Go", time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
	s.observe(seeing(&l, announceNow.Add(time.Minute), a, b))
	deliverUntil(t, s, 0)
	if got := r.got(); len(got) != 1 || got[0] != "New talk: Beta" {
		t.Fatalf("posts %q", got)
	}
}

func TestAnnouncerRetriesAndSurvivesRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	r := newReceiver(t)
	r.fails = 3      // Slack is down for a while,
	r.acceptOnly = 1 // then takes one post and goes down again
	s := newTestState(t, path, webhook{Name: "all", URL: r.URL})
	a := talkAt("a", "Alpha", "Go", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	b := talkAt("b", "Beta", "Go", time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
	l := announcerLedger()
	s.observe(seeing(&l, announceNow, a, b))
	deliverUntil(t, s, 1)
	if got := r.got(); len(got) != 1 || got[0] != "New talk: Beta" {
		t.Fatalf("after retries: %q", got)
	}
	// The process stops with Beta undelivered: it waits in the state file.
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), `"outbox":[`) || !strings.Contains(string(data), `"title":"Alpha"`) {
		t.Fatalf("the undelivered announcement is not in the state file:\n%s", data)
	}
	// Slack is back, behind the same webhook name. (A new receiver: a
	// post the stopped process had in flight may still reach the old one,
	// which keeps refusing it.)
	back := newReceiver(t)
	s2 := newTestState(t, path, webhook{Name: "all", URL: back.URL})
	deliverUntil(t, s2, 0)
	if got := back.got(); len(got) != 1 || got[0] != "New talk: Alpha" {
		t.Fatalf("across a restart: %q", got)
	}
	if got := r.got(); len(got) != 1 {
		t.Fatalf("Slack while it was down: %q", got)
	}
}

func TestAnnouncerRoutesByCategoryAndDropsRefusals(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	goHook, rustHook, revoked := newReceiver(t), newReceiver(t), newReceiver(t)
	revoked.code = 404
	s := newTestState(t, path,
		webhook{Name: "go", URL: goHook.URL, Categories: []string{"go"}},
		webhook{Name: "revoked", URL: revoked.URL},
		webhook{Name: "rust", URL: rustHook.URL, Categories: []string{"Rust"}})
	a := talkAt("a", "Alpha", "Go", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	b := talkAt("b", "Beta", "Rust", time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
	l := announcerLedger()
	s.observe(seeing(&l, announceNow, a, b))
	deliverUntil(t, s, 0)
	if g, r := goHook.got(), rustHook.got(); len(g) != 1 || g[0] != "New talk: Alpha" || len(r) != 1 || r[0] != "New talk: Beta" {
		t.Errorf("go %q, rust %q", g, r)
	}
	if len(s.st.Outbox) != 0 {
		t.Errorf("outbox left: %v", s.st.Outbox)
	}
	if r := revoked.got(); len(r) != 0 {
		t.Errorf("a revoked webhook got %q", r)
	}
}

// roundTripFunc answers requests in-process.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A post Slack took just as the process is told to stop is done: it
// leaves the outbox, so that the next start does not post it again.
func TestAnnouncerRecordsAPostThatLandedDuringShutdown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s := newTestState(t, path, webhook{Name: "all", URL: "https://hooks.example/x"})
	ctx, cancel := context.WithCancel(context.Background())
	posts := 0
	s.client = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		posts++
		cancel() // the stop arrives while Slack answers
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("ok")), Header: http.Header{}, Request: r}, nil
	})}
	a := talkAt("a", "Alpha", "Go", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	l := announcerLedger()
	s.observe(seeing(&l, announceNow, a))
	s.deliver(ctx)
	if posts != 1 || len(s.st.Outbox) != 0 {
		t.Errorf("%d posts, %d left in the outbox", posts, len(s.st.Outbox))
	}
	reopened := newTestState(t, path, webhook{Name: "all", URL: "https://hooks.example/x"})
	if n := len(reopened.st.Outbox); n != 0 {
		t.Errorf("the state file keeps %d delivered announcements", n)
	}
}

// A stop that comes while Slack is answering lets the post finish and
// records it: a graceful stop never repeats a message.
func TestAnnouncerFinishesAPostUnderWayAtShutdown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	arrived, answer := make(chan struct{}), make(chan struct{})
	slackHook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-answer // Slack takes its time
		io.WriteString(w, "ok")
	}))
	defer slackHook.Close()
	s := newTestState(t, path, webhook{Name: "all", URL: slackHook.URL})
	a := talkAt("a", "Alpha", "Go", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	l := announcerLedger()
	s.observe(seeing(&l, announceNow, a))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.deliver(ctx); close(done) }()
	<-arrived
	cancel() // SIGTERM, mid-post
	close(answer)
	<-done
	if reopened := newTestState(t, path, webhook{Name: "all", URL: slackHook.URL}); len(reopened.st.Outbox) != 0 {
		t.Errorf("the posted announcement is still in the outbox: %+v", reopened.st.Outbox)
	}
}
