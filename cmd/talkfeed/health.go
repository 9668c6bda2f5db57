package main

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/talkfeed/talkfeed/server"
)

// The checks /-/status and the metrics report, besides the reload's own
// result: what failed, so that "the last reload failed" says why.
const (
	// checkSource is the last load: the folder there and readable, the
	// git fetch and its history, talks in it.
	checkSource = "source"
	// checkLedger is the last save of a folder source's ledger: while it
	// fails, no new snapshot is served (subscribers are never told what
	// the ledger would forget), and each reload tries again.
	checkLedger = "ledger"
	// checkAnnounce is the last write of the announcer's state, retried
	// with back-off until it is written.
	checkAnnounce = "announce_state"
	// checkWatch is the watcher of a folder source: failing while the
	// folder is gone or cannot be watched, when only the schedule, SIGHUP
	// and POST /-/reload reload.
	checkWatch = "watch"
)

// health keeps each check's last result for /-/status and the metrics,
// and logs when one starts failing and when it recovers. It is safe for
// concurrent use: the reload loop, the watcher and the announcer report.
type health struct {
	now      func() time.Time
	log      *slog.Logger
	success  *prometheus.GaugeVec
	failures *prometheus.CounterVec

	mu     sync.Mutex
	checks map[string]server.Check
}

func newHealth(reg prometheus.Registerer, now func() time.Time, log *slog.Logger) *health {
	h := &health{
		now: now, log: log, checks: map[string]server.Check{},
		success:  prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "talkfeed_check_success", Help: "Whether a check's last attempt worked (1) or failed (0): source, ledger, announce_state, watch."}, []string{"check"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "talkfeed_check_failures_total", Help: "Failed attempts by check."}, []string{"check"}),
	}
	reg.MustRegister(h.success, h.failures)
	return h
}

// expect makes a check's failure counter start at 0, so that rate()
// sees its first failure.
func (h *health) expect(names ...string) {
	for _, n := range names {
		h.failures.WithLabelValues(n)
	}
}

// report records a check's last attempt: err nil when it worked.
func (h *health) report(name string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	prev, seen := h.checks[name]
	now := h.now().UTC()
	if err == nil {
		h.success.WithLabelValues(name).Set(1)
		if seen && prev.OK {
			return
		}
		if seen {
			h.log.Info("recovered", "check", name, "failing_since", prev.Since, "failures", prev.Failures)
		}
		h.checks[name] = server.Check{OK: true, Since: now}
		return
	}
	h.success.WithLabelValues(name).Set(0)
	h.failures.WithLabelValues(name).Inc()
	c := server.Check{Since: now, Error: oneLine(err.Error()), Failures: 1}
	if seen && !prev.OK {
		c.Since, c.Failures = prev.Since, prev.Failures+1
	} else {
		h.log.Warn("failing", "check", name, "error", c.Error)
	}
	h.checks[name] = c
}

// snapshot is every check as /-/status shows it.
func (h *health) snapshot() map[string]server.Check {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps.Clone(h.checks)
}

// oneLine keeps an error's text on one line for /-/status: go-git and
// servers answer with several.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// sourceError is a reload that failed at the source: it could not be
// opened, fetched or read, or held no talks where there were some.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

// sourceFailed marks err, if any, as the source's.
func sourceFailed(err error) error {
	if err == nil {
		return nil
	}
	return &sourceError{err}
}

// reportHealth has the ledger and the announcer's state report their
// writes.
func (d *daemon) reportHealth() {
	d.health.expect(checkSource)
	if d.ledgers.store != nil {
		d.health.expect(checkLedger)
		d.ledgers.report = func(err error) { d.health.report(checkLedger, err) }
	}
	if d.state != nil {
		d.health.expect(checkAnnounce)
		d.state.report = func(err error) { d.health.report(checkAnnounce, err) }
	}
}

// reportSource tells the source check what a reload's error says of
// it: a source error fails it; any other result means the source loaded.
// A reload cut short by shutdown says nothing.
func (h *health) reportSource(err error) {
	var se *sourceError
	switch {
	case errors.As(err, &se):
		h.report(checkSource, se.err)
	case errors.Is(err, context.Canceled):
	default:
		h.report(checkSource, nil)
	}
}
