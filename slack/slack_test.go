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
		Talk:   talkfeed.Fingerprint{Title: "Kafka <3 & Flink", When: "2 December 2026", Place: "Berlin", Speakers: []string{"Ada", "Grace", "Hedy"}, EventName: "Meetup"},
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
	if s := msg.Blocks[1].Text.Text; !strings.Contains(s, "*When:* 2 December 2026") || !strings.Contains(s, "*Speakers:* Ada, Grace and Hedy") {
		t.Errorf("section %q", s)
	}
	if !strings.Contains(msg.Text, "&lt;3 &amp; Flink") {
		t.Errorf("fallback text is not escaped for mrkdwn: %q", msg.Text)
	}
	if len(msg.Blocks[3].Elements) != 2 || msg.Blocks[3].Elements[1].URL != "https://talks.example/events/a.ics" {
		t.Errorf("buttons %+v", msg.Blocks[3].Elements)
	}
}

// The header names the talk by its display title, as feeds and
// calendars do, and the facts say a status other than confirmed.
func TestMessageStatus(t *testing.T) {
	type message struct {
		Blocks []struct {
			Type     string
			Text     struct{ Text string }
			Elements []struct{ URL string }
		}
	}
	post := func(c talkfeed.Change) (header, facts string, buttons int) {
		t.Helper()
		b, err := Message(&c, "https://talks.example/events/a.ics")
		if err != nil {
			t.Fatal(err)
		}
		var msg message
		if err := json.Unmarshal(b, &msg); err != nil {
			t.Fatal(err)
		}
		for _, bl := range msg.Blocks {
			if bl.Type == "actions" {
				buttons = len(bl.Elements)
			}
		}
		return msg.Blocks[0].Text.Text, msg.Blocks[1].Text.Text, buttons
	}
	talk := func(s talkfeed.Status) talkfeed.Fingerprint {
		return talkfeed.Fingerprint{Title: "Kafka", When: "2 December 2026", Status: s}
	}
	tests := []struct {
		name   string
		change talkfeed.Change
		header string
		status string // the Status fact, "" for none
	}{
		{"new, confirmed", talkfeed.Change{Kind: talkfeed.ChangeNew, PageURL: "https://talks.example/a/", Talk: talk(talkfeed.StatusConfirmed)}, "New talk: Kafka", ""},
		{"new, tentative", talkfeed.Change{Kind: talkfeed.ChangeNew, PageURL: "https://talks.example/a/", Talk: talk(talkfeed.StatusTentative)}, "New talk: Kafka", "To be confirmed"},
		{"new, already cancelled", talkfeed.Change{Kind: talkfeed.ChangeNew, PageURL: "https://talks.example/a/", Talk: talk(talkfeed.StatusCancelled)}, "New talk: Cancelled: Kafka", "Cancelled"},
		{"cancelled", talkfeed.Change{Kind: talkfeed.ChangeCancelled, PageURL: "https://talks.example/a/", Talk: talk(talkfeed.StatusCancelled)}, "Cancelled: Kafka", "Cancelled"},
		{"moved, cancelled", talkfeed.Change{Kind: talkfeed.ChangeMoved, PageURL: "https://talks.example/a/", Talk: talk(talkfeed.StatusCancelled)}, "Moved: Cancelled: Kafka", "Cancelled"},
	}
	for _, tc := range tests {
		header, facts, buttons := post(tc.change)
		if header != tc.header {
			t.Errorf("%s: header %q, want %q", tc.name, header, tc.header)
		}
		if got := strings.Contains(facts, "*Status:*"); got != (tc.status != "") || tc.status != "" && !strings.Contains(facts, "*Status:* "+tc.status) {
			t.Errorf("%s: facts %q, want status %q", tc.name, facts, tc.status)
		}
		// A cancellation offers no calendar; a cancelled talk that is new
		// or moved still does, its calendar saying it is cancelled.
		want := 2
		if tc.change.Kind == talkfeed.ChangeCancelled {
			want = 1
		}
		if buttons != want {
			t.Errorf("%s: %d buttons, want %d", tc.name, buttons, want)
		}
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
