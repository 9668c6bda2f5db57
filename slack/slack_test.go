package slack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
)

func TestMessage(t *testing.T) {
	c := talkfeed.Change{
		Kind: talkfeed.ChangeRescheduled, ID: "a", PageURL: "https://talks.example/a/",
		Talk:   talkfeed.Fingerprint{Title: "Kafka <3 & Flink", When: "2 December 2026", Place: "Berlin", Speakers: []string{"Ada", "Grace"}, EventName: "Meetup"},
		Before: talkfeed.Fingerprint{When: "1 December 2026"},
	}
	b, err := Message(&c, "https://talks.example/events/a.ics")
	if err != nil {
		t.Fatal(err)
	}
	var msg struct {
		Text   string
		Blocks []struct {
			Type     string
			Text     struct{ Type, Text string }
			Elements []struct {
				Type, URL string
				Text      json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(b, &msg); err != nil {
		t.Fatal(err)
	}
	types := []string{}
	for _, bl := range msg.Blocks {
		types = append(types, bl.Type)
	}
	if strings.Join(types, ",") != "header,section,context,actions" {
		t.Errorf("blocks %v", types)
	}
	if msg.Blocks[0].Text.Text != "Rescheduled: Kafka <3 & Flink" || msg.Blocks[0].Text.Type != "plain_text" {
		t.Errorf("header %+v", msg.Blocks[0].Text)
	}
	if s := msg.Blocks[1].Text.Text; !strings.Contains(s, "*When:* 2 December 2026") || !strings.Contains(s, "*Speakers:* Ada, Grace") {
		t.Errorf("section %q", s)
	}
	if !strings.Contains(msg.Text, "&lt;3 &amp; Flink") {
		t.Errorf("fallback text is not escaped for mrkdwn: %q", msg.Text)
	}
	if len(msg.Blocks[3].Elements) != 2 || msg.Blocks[3].Elements[1].URL != "https://talks.example/events/a.ics" {
		t.Errorf("buttons %+v", msg.Blocks[3].Elements)
	}
}

func TestPostErrors(t *testing.T) {
	code, retryAfter := 200, ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(code)
	}))
	defer srv.Close()
	post := func() *Error {
		err := Post(context.Background(), srv.Client(), srv.URL, []byte(`{}`))
		var e *Error
		if err != nil && !errors.As(err, &e) {
			t.Fatal(err)
		}
		return e
	}
	if e := post(); e != nil {
		t.Errorf("200: %v", e)
	}
	code, retryAfter = 429, "7"
	if e := post(); e == nil || !e.Retry || e.After != 7*time.Second {
		t.Errorf("429: %+v", e)
	}
	code, retryAfter = 503, ""
	if e := post(); e == nil || !e.Retry {
		t.Errorf("503: %+v", e)
	}
	code = 404
	if e := post(); e == nil || e.Retry {
		t.Errorf("404 must not be retried: %+v", e)
	}
}
