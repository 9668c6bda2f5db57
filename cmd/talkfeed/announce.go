package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/jsonfile"
	"github.com/talkfeed/talkfeed/publish"
	"github.com/talkfeed/talkfeed/slack"
)

// state is what the announcer keeps across restarts: the ledger's
// changes it has already seen (so that a change made while the daemon
// was down, or found by a git history replayed at start, is news exactly
// once) and the announcements not yet delivered.
type state struct {
	Seen   []string       `json:"seen"`
	Outbox []announcement `json:"outbox"`
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

// stateFile keeps the announcer's state on disk, written atomically, and
// delivers the outbox to Slack.
type stateFile struct {
	path    string
	hooks   map[string]webhook
	order   []string
	client  *http.Client
	log     *slog.Logger
	now     func() time.Time
	baseURL string
	// Back-off between failed posts, and between writes of a state
	// that could not be written: doubling from min to max.
	backoffMin, backoffMax time.Duration
	// write stores the state (tests make it fail, as a full disk does);
	// report, when set, hears each write's result.
	write  func(path string, v any) error
	report func(error)

	mu sync.Mutex
	st state
	// fresh is a state with no file yet: its first sight of the ledger
	// announces nothing, as subscribers knew nothing before.
	fresh bool
	wake  chan struct{}
	// unsaved is a state whose last write failed; unsavedWake tells the
	// retries.
	unsaved     bool
	unsavedWake chan struct{}
}

// openState reads the state file, or starts fresh when there is none.
func openState(path string, hooks []webhook, baseURL string, now func() time.Time, log *slog.Logger) (*stateFile, error) {
	s := &stateFile{
		path: path, hooks: map[string]webhook{},
		client: &http.Client{Timeout: 15 * time.Second}, log: log, now: now, baseURL: baseURL,
		backoffMin: time.Second, backoffMax: 5 * time.Minute,
		write: jsonfile.Write,
		wake:  make(chan struct{}, 1), unsavedWake: make(chan struct{}, 1),
	}
	for _, h := range hooks {
		s.hooks[h.Name] = h
		s.order = append(s.order, h.Name)
	}
	found, err := jsonfile.Read(path, &s.st)
	if err != nil {
		return nil, fmt.Errorf("announcer state: %w", err)
	}
	s.fresh = !found
	return s, nil
}

// observe takes the ledger's changes after a published snapshot: each
// not seen before is queued, for every webhook that wants its category,
// unless its talk is over (history, not news).
func (s *stateFile) observe(changes []talkfeed.Change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := make(map[string]bool, len(s.st.Seen))
	for _, k := range s.st.Seen {
		seen[k] = true
	}
	queued := 0
	now := s.now()
	for _, c := range changes {
		if seen[c.Key()] || s.fresh {
			continue
		}
		if ev := c.AsEvent(); ev.Over(now) {
			continue
		}
		for _, name := range s.order {
			if wants(s.hooks[name], c.Talk.Category) {
				s.st.Outbox = append(s.st.Outbox, announcement{Webhook: name, Change: c})
				queued++
			}
		}
	}
	s.fresh = false
	s.st.Seen = s.st.Seen[:0]
	for _, c := range changes {
		s.st.Seen = append(s.st.Seen, c.Key())
	}
	s.saveLocked()
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
		if talkfeed.CategorySlug(c) == talkfeed.CategorySlug(category) {
			return true
		}
	}
	return false
}

// saveLocked writes the state atomically: a crash leaves the old or the
// new state, never half of one. A write that fails (a full disk) is
// logged, reported and retried by deliver until one succeeds, as no
// reload writes the state again unless the talks change.
func (s *stateFile) saveLocked() error {
	err := s.write(s.path, s.st)
	if err != nil {
		s.log.Error("cannot save the announcer state; retrying", "path", s.path, "error", err)
		if !s.unsaved {
			s.unsaved = true
			select {
			case s.unsavedWake <- struct{}{}:
			default:
			}
		}
	} else if s.unsaved {
		s.unsaved = false
		s.log.Info("saved the announcer state again", "path", s.path)
	}
	if s.report != nil {
		s.report(err)
	}
	return err
}

// retrySaves writes the state again, backing off, while its last write
// failed, until ctx ends.
func (s *stateFile) retrySaves(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.unsavedWake:
		}
		for backoff := s.backoffMin; ; backoff = min(backoff*2, s.backoffMax) {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			s.mu.Lock()
			ok := !s.unsaved || s.saveLocked() == nil
			s.mu.Unlock()
			if ok {
				break
			}
		}
	}
}

// deliver posts the outbox in order until ctx ends: each announcement
// once, retried with back-off while Slack or the network fails, without
// ever holding up a reload.
func (s *stateFile) deliver(ctx context.Context) {
	var retries sync.WaitGroup
	retries.Go(func() { s.retrySaves(ctx) })
	defer retries.Wait()
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
		s.saveLocked()
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
