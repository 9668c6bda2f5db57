// Package websub tells a WebSub hub (W3C WebSub, the successor of
// PubSubHubbub) that feeds changed, so that subscribers get new talks
// pushed instead of waiting for their next poll.
package websub

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/talkfeed/talkfeed/internal/redact"
)

// Publisher pings one hub.
type Publisher struct {
	Hub    string
	Client *http.Client
}

// Ping announces that the topics (feed URLs) changed: one publish request
// per topic, as hubs such as Google's pubsubhubbub.appspot.com expect
// (https://www.w3.org/TR/websub/ leaves the publish request to the hub;
// hub.mode=publish with hub.url is what hubs accept).
func (p *Publisher) Ping(ctx context.Context, topics []string) error {
	var failed []string
	for _, topic := range topics {
		if err := p.ping(ctx, topic); err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", topic, err))
		}
	}
	if len(failed) > 0 {
		// The hub's URL may carry a token: only its scheme and host.
		return fmt.Errorf("websub ping to %s failed for %s", redact.URL(p.Hub), strings.Join(failed, "; "))
	}
	return nil
}

func (p *Publisher) ping(ctx context.Context, topic string) error {
	form := url.Values{"hub.mode": {"publish"}, "hub.url": {topic}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Hub, strings.NewReader(form.Encode()))
	if err != nil {
		return redact.Error(err, p.Hub)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	client := p.Client
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return redact.Error(err, p.Hub)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("hub answered %s", res.Status)
	}
	return nil
}
