package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
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
	p, err := planSnapshot(last, &source.Result{Events: evs}, o, announceNow, last.tree != nil)
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

// The state file records each published snapshot in order, and what was
// queued is written before run returns: shutdown loses nothing.
func TestEffectsRecordState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	st := newTestState(t, path)
	e := newEffects(st, nil, quiet)
	a := talkAt("a", "Alpha", "Go", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	b := talkAt("b", "Beta", "Go", time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
	first := testPlan(t, lastPublished{known: map[string]talkfeed.Fingerprint{}}, a)
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
	if len(saved.Talks) != 2 || len(saved.Changes) != 2 || saved.Changes[0].ID != "a" || saved.Changes[1].ID != "b" {
		t.Errorf("state: %d talks, changes %+v", len(saved.Talks), saved.Changes)
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
	// In path order, snapshot by snapshot.
	var want []string
	for _, dirs := range [][]string{{"category/go/", ""}, {"category/rust/", ""}} {
		for _, dir := range dirs {
			for _, f := range []string{"feed.atom", "feed.json", "feed.rss"} {
				want = append(want, "https://talks.example/"+dir+f)
			}
		}
	}
	if !slices.Equal(hub.topics, want) {
		t.Errorf("pinged %q\nwant %q", hub.topics, want)
	}
}
