package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/publish"
	"github.com/talkfeed/talkfeed/slack"
)

// state is what the daemon keeps across restarts in its state file: the
// talks as last published (to tell what changed while it was down), the
// change feed's history, and the announcements not yet delivered.
type state struct {
	Talks   map[string]talkfeed.Fingerprint `json:"talks"`
	Changes []talkfeed.Change               `json:"changes"`
	Outbox  []announcement                  `json:"outbox"`
}

// announcement is one change for one webhook, named (never its URL, a
// secret).
type announcement struct {
	Webhook string          `json:"webhook"`
	Change  talkfeed.Change `json:"change"`
}

// webhook is a Slack incoming webhook and the categories it wants (all
// when none).
type webhook struct {
	Name       string
	URL        string
	Categories []string
}

// stateFile keeps the state on disk, written atomically, and delivers the
// outbox to Slack when announcing.
type stateFile struct {
	path     string
	announce bool
	hooks    map[string]webhook
	order    []string
	client   *http.Client
	log      *slog.Logger
	now      func() time.Time
	baseURL  string
	// Back-off between failed posts: doubling from min to max.
	backoffMin, backoffMax time.Duration

	mu   sync.Mutex
	st   state
	wake chan struct{}
}

// openState reads the state file, or starts empty when there is none.
func openState(path string, announce bool, hooks []webhook, baseURL string, now func() time.Time, log *slog.Logger) (*stateFile, error) {
	s := &stateFile{
		path: path, announce: announce, hooks: map[string]webhook{},
		client: &http.Client{Timeout: 15 * time.Second}, log: log, now: now, baseURL: baseURL,
		backoffMin: time.Second, backoffMax: 5 * time.Minute,
		wake: make(chan struct{}, 1),
	}
	for _, h := range hooks {
		s.hooks[h.Name] = h
		s.order = append(s.order, h.Name)
	}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return s, nil
	case err != nil:
		return nil, fmt.Errorf("state file: %w", err)
	}
	if err := json.Unmarshal(data, &s.st); err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	return s, nil
}

// known returns the talks and changes the file remembers; nil talks when
// it is new, so that the first load announces nothing.
func (s *stateFile) known() (map[string]talkfeed.Fingerprint, []talkfeed.Change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.Talks, s.st.Changes
}

// observe records a published snapshot and queues an announcement of each
// change to a talk that is not over, for every webhook that wants its
// category.
func (s *stateFile) observe(changes []talkfeed.Change, all []talkfeed.Change, talks map[string]talkfeed.Fingerprint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Talks, s.st.Changes = talks, all
	queued := 0
	if s.announce {
		now := s.now()
		for _, c := range changes {
			ev := c.AsEvent()
			if ev.Over(now) {
				continue // history, not news
			}
			for _, name := range s.order {
				if wants(s.hooks[name], c.Talk.Category) {
					s.st.Outbox = append(s.st.Outbox, announcement{Webhook: name, Change: c})
					queued++
				}
			}
		}
	}
	if err := s.saveLocked(); err != nil {
		s.log.Error("cannot save the state file", "path", s.path, "error", err)
	}
	if queued > 0 {
		s.log.Info("announcements queued", "count", queued)
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

func wants(h webhook, category string) bool {
	if len(h.Categories) == 0 {
		return true
	}
	for _, c := range h.Categories {
		if talkfeed.Slug(c) == talkfeed.Slug(category) {
			return true
		}
	}
	return false
}

// saveLocked writes the state through a temporary file, synced and
// renamed over the old one, so that a crash leaves the old or the new
// state, never half of one.
func (s *stateFile) saveLocked() error {
	data, err := json.MarshalIndent(s.st, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.path)
	tmp, err := os.CreateTemp(dir, ".talkfeed-state-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// deliver posts the outbox in order until ctx ends: each announcement
// once, retried with back-off while Slack or the network fails, without
// ever holding up a reload.
func (s *stateFile) deliver(ctx context.Context) {
	backoff := s.backoffMin
	for ctx.Err() == nil {
		s.mu.Lock()
		if len(s.st.Outbox) == 0 {
			s.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-s.wake:
				continue
			}
		}
		next := s.st.Outbox[0]
		s.mu.Unlock()

		// A post under way finishes (the client's timeout bounds it): a
		// stop that cut it off could leave Slack's answer unrecorded and
		// the message posted again on the next start.
		err := s.post(context.WithoutCancel(ctx), next)
		var se *slack.Error
		if err != nil && errors.As(err, &se) && se.Retry {
			wait := backoff
			if se.After > wait {
				wait = se.After
			}
			s.log.Warn("slack post failed; retrying", "webhook", next.Webhook, "talk", next.Change.ID, "in", wait, "error", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			backoff = min(backoff*2, s.backoffMax)
			continue
		}
		backoff = s.backoffMin
		if err != nil {
			s.log.Error("slack post refused; dropping it", "webhook", next.Webhook, "talk", next.Change.ID, "error", err)
		} else {
			s.log.Info("announced", "webhook", next.Webhook, "talk", next.Change.ID, "change", string(next.Change.Kind))
		}
		s.mu.Lock()
		if len(s.st.Outbox) > 0 {
			s.st.Outbox = s.st.Outbox[1:]
		}
		if err := s.saveLocked(); err != nil {
			s.log.Error("cannot save the state file", "path", s.path, "error", err)
		}
		s.mu.Unlock()
	}
}

func (s *stateFile) post(ctx context.Context, a announcement) error {
	h, ok := s.hooks[a.Webhook]
	if !ok {
		return fmt.Errorf("no webhook %q is configured any more", a.Webhook)
	}
	msg, err := slack.Message(&a.Change, s.baseURL+publish.EventICSPath(a.Change.ID))
	if err != nil {
		return err
	}
	return slack.Post(ctx, s.client, h.URL, msg)
}
