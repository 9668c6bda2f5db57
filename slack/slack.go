// Package slack posts talk announcements to Slack incoming webhooks, as
// Block Kit messages with links to the talk's page and calendar.
package slack

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/internal/redact"
)

// headings say what happened to a talk. A cancellation has none: the
// talk's display title already begins "Cancelled: ".
var headings = map[talkfeed.ChangeKind]string{
	talkfeed.ChangeNew:         "New talk",
	talkfeed.ChangeRescheduled: "Rescheduled",
	talkfeed.ChangeMoved:       "Moved",
	talkfeed.ChangeRemoved:     "Removed",
}

// Message builds the Block Kit message for a change; icsURL is the talk's
// calendar.
func Message(c *talkfeed.Change, icsURL string) ([]byte, error) {
	title := c.Talk.DisplayTitle()
	if h, ok := headings[c.Kind]; ok {
		title = h + ": " + title
	}
	var facts []string
	facts = append(facts, "*When:* "+escape(c.Talk.When))
	if label := c.Talk.Status.Label(); label != "" {
		facts = append(facts, "*Status:* "+label)
	}
	if c.Talk.Place != "" {
		facts = append(facts, "*Where:* "+escape(c.Talk.Place))
	} else if c.Talk.OnlineURL != "" {
		facts = append(facts, "*Where:* online")
	}
	if len(c.Talk.Speakers) > 0 {
		facts = append(facts, "*Speakers:* "+escape(talkfeed.JoinNames(c.Talk.Speakers)))
	}
	if c.Talk.EventName != "" {
		facts = append(facts, "*Event:* "+escape(c.Talk.EventName))
	}
	blocks := []any{
		map[string]any{"type": "header", "text": plain(truncate(title, 150))},
		map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": strings.Join(facts, "\n")}},
	}
	switch c.Kind {
	case talkfeed.ChangeRescheduled:
		blocks = append(blocks, contextBlock("Was "+escape(c.Before.When)))
	case talkfeed.ChangeMoved:
		blocks = append(blocks, contextBlock("Was at "+escape(cmp.Or(c.Before.Place, "an online venue"))))
	case talkfeed.ChangeRemoved:
		blocks = append(blocks, contextBlock("Its page was taken down: the talk is off the calendars"))
	}
	var buttons []any
	if c.PageURL != "" && c.Kind != talkfeed.ChangeRemoved {
		buttons = append(buttons, map[string]any{"type": "button", "text": plain("Talk page"), "url": c.PageURL, "action_id": "talk_page"})
	}
	if icsURL != "" && c.Kind != talkfeed.ChangeCancelled && c.Kind != talkfeed.ChangeRemoved {
		buttons = append(buttons, map[string]any{"type": "button", "text": plain("Add to calendar"), "url": icsURL, "action_id": "add_to_calendar"})
	}
	if len(buttons) > 0 {
		blocks = append(blocks, map[string]any{"type": "actions", "elements": buttons})
	}
	// text is the notification's and the fallback's: plain words.
	return json.Marshal(map[string]any{
		"text":   escape(title + " — " + c.Talk.When),
		"blocks": blocks,
	})
}

func plain(s string) map[string]any {
	return map[string]any{"type": "plain_text", "text": s, "emoji": true}
}

func contextBlock(mrkdwn string) map[string]any {
	return map[string]any{"type": "context", "elements": []any{map[string]any{"type": "mrkdwn", "text": mrkdwn}}}
}

// escape makes text safe in Slack's mrkdwn, which gives &, < and >
// meaning.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Redact is a webhook URL as a log line may show it: its scheme and host
// ("https://hooks.slack.com/…").
func Redact(webhook string) string { return redact.URL(webhook) }

// Error is a failed post. Retry says whether trying again can help, and
// After how long Slack asked to wait (429), if it did.
type Error struct {
	Status int
	Body   string
	Retry  bool
	After  time.Duration
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return "slack: " + e.Err.Error()
	}
	return fmt.Sprintf("slack: %d %s", e.Status, e.Body)
}

// Post sends a message to a webhook. Network errors, 429 and 5xx can be
// retried; other answers (a revoked webhook, a bad payload) cannot.
//
// The webhook's path is its secret: no error names more of it than its
// scheme and host (see Redact), although net/http's errors name the whole
// URL and a proxy's answer may echo it.
func Post(ctx context.Context, client *http.Client, webhook string, msg []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, webhook, bytes.NewReader(msg))
	if err != nil {
		return &Error{Err: redact.Error(err, webhook)}
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return &Error{Err: redact.Error(err, webhook), Retry: true}
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	if res.StatusCode == http.StatusOK {
		return nil
	}
	e := &Error{Status: res.StatusCode, Body: redact.Text(strings.TrimSpace(string(body)), webhook)}
	switch {
	case res.StatusCode == http.StatusTooManyRequests:
		e.Retry = true
		if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && s > 0 {
			e.After = time.Duration(s) * time.Second
		}
	case res.StatusCode >= 500:
		e.Retry = true
	}
	return e
}
