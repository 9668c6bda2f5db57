package websub

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// A hub stub that checks each request as a hub would.
func TestPing(t *testing.T) {
	var mu sync.Mutex
	var topics []string
	fail := false
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if err := r.ParseForm(); err != nil || r.PostForm.Get("hub.mode") != "publish" || len(r.PostForm["hub.url"]) != 1 {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		if fail {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		mu.Lock()
		topics = append(topics, r.PostForm.Get("hub.url"))
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hub.Close()
	p := &Publisher{Hub: hub.URL, Client: hub.Client()}
	want := []string{"https://talks.example/feed.rss", "https://talks.example/feed.atom?x=1&y=2"}
	if err := p.Ping(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(topics, want) {
		t.Errorf("hub got %q", topics)
	}
	fail = true
	if err := p.Ping(context.Background(), want[:1]); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("a failing hub: %v", err)
	}
}
