package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/demo"
	"github.com/talkfeed/talkfeed/publish"
	"github.com/talkfeed/talkfeed/source"
	"github.com/talkfeed/talkfeed/websub"
)

// testPlan plans the snapshot of evs after last, as a reload would.
func testPlan(t *testing.T, last lastPublished, evs ...talkfeed.Event) plan {
	t.Helper()
	o := publish.Options{Site: talkfeed.Site{Title: "T", BaseURL: "https://talks.example/"}, Today: demo.Anchor}
	base := last.ledger
	if base == nil {
		base = announcerLedger()
	}
	in := planInput{res: &source.Result{Events: evs}, base: base, at: announceNow.Add(time.Duration(base.Len()) * time.Minute)}
	p, err := planSnapshot(last, in, o, last.tree != nil)
	if err != nil || p.tree == nil {
		t.Fatalf("plan: %v, tree %v", err, p.tree != nil)
	}
	return p
}

// hubRecorder is a WebSub hub that records the topics it is told of.
type hubRecorder struct {
	*httptest.Server
	mu     sync.Mutex
	topics []string
}

func newHub(t *testing.T) *hubRecorder {
	h := &hubRecorder{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		h.mu.Lock()
		h.topics = append(h.topics, r.PostForm.Get("hub.url"))
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.Close)
	return h
}

// The announcer's state records each published snapshot in order, and
// what was queued is written before run returns: shutdown loses nothing.
func TestEffectsRecordState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	st := newTestState(t, path)
	e := newEffects(st, nil, quiet)
	a := talkAt("a", "Alpha", "Go", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	b := talkAt("b", "Beta", "Go", time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
	first := testPlan(t, lastPublished{}, a)
	second := testPlan(t, first.published(), a, b)
	e.queue(first, nil)
	e.queue(second, first.tree)
	e.close()
	e.run()
	var saved state
	data, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(data, &saved) != nil {
		t.Fatalf("state file: %v", err)
	}
	if len(saved.Seen) != 2 || !strings.HasPrefix(saved.Seen[0], "change/a/new/") || !strings.HasPrefix(saved.Seen[1], "change/b/new/") {
		t.Errorf("state: seen %q", saved.Seen)
	}
}

// The hub hears of exactly the feeds a snapshot changed, once each.
func TestEffectsPingTheHub(t *testing.T) {
	hub := newHub(t)
	e := newEffects(nil, &websub.Publisher{Hub: hub.URL, Client: hub.Client()}, quiet)
	a := talkAt("a", "Alpha", "Go", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	b := talkAt("b", "Beta", "Rust", time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
	first := testPlan(t, lastPublished{}, a)
	second := testPlan(t, first.published(), a, b) // Rust is new; Go is as it was
	e.queue(first, nil)
	e.queue(second, first.tree)
	e.close()
	e.run()
	// In path order, snapshot by snapshot; the change feeds too.
	var want []string
	for _, category := range []string{"category/go/", "category/rust/"} {
		for _, p := range []string{category + "feed.atom", category + "feed.json", category + "feed.rss",
			"changes.atom", "changes.json", "changes.rss", "feed.atom", "feed.json", "feed.rss"} {
			want = append(want, "https://talks.example/"+p)
		}
	}
	if !slices.Equal(hub.topics, want) {
		t.Errorf("pinged %q\nwant %q", hub.topics, want)
	}
}
