package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

var quiet = slog.New(slog.DiscardHandler)

func TestParseSchedule(t *testing.T) {
	good := map[string]time.Duration{
		"@every 5m":                       5 * time.Minute,
		"@hourly":                         time.Hour,
		"*/15 * * * *":                    15 * time.Minute,
		"0 9 * * 1-5":                     24 * time.Hour,
		"CRON_TZ=Europe/Berlin 0 * * * *": time.Hour,
	}
	for spec, want := range good {
		_, got, err := parseSchedule(spec)
		if err != nil || got != want {
			t.Errorf("%q: interval %v, %v; want %v", spec, got, err, want)
		}
	}
	// "CRON_TZ=" alone makes cron's parser panic; it must be an error.
	for _, spec := range []string{"CRON_TZ=", "TZ=", "", "every five minutes", "* * * *", "*/0 * * * *", "CRON_TZ=Mars/Base * * * * *", "0 0 30 2 *"} {
		if _, _, err := parseSchedule(spec); err == nil {
			t.Errorf("%q accepted", spec)
		}
	}
}

// A panicking job neither stops later runs nor leaks the skip-if-running
// token, with the wrappers in our order; in the other order cron v3.0.1
// skips every run after a panic, which is why the order matters.
func TestScheduledJobSurvivesPanics(t *testing.T) {
	var runs atomic.Int32
	job := func() {
		if runs.Add(1) == 1 {
			panic("boom")
		}
	}
	wrapped := scheduledJob(quiet, job)
	for range 3 {
		wrapped.Run()
	}
	if n := runs.Load(); n != 3 {
		t.Errorf("our order: %d runs of 3", n)
	}

	var wrongRuns atomic.Int32
	wrongOrder := cron.NewChain(cron.Recover(cronLogger{quiet}), cron.SkipIfStillRunning(cronLogger{quiet})).Then(cron.FuncJob(func() {
		if wrongRuns.Add(1) == 1 {
			panic("boom")
		}
	}))
	for range 3 {
		wrongOrder.Run()
	}
	if n := wrongRuns.Load(); n != 1 {
		t.Errorf("the other order ran %d times; cron's SkipIfStillRunning no longer leaks its token?", n)
	}
}

// With a real scheduler: the process survives the panic and the job keeps
// running on schedule.
func TestSchedulerKeepsRunningAfterPanic(t *testing.T) {
	var runs atomic.Int32
	done := make(chan struct{})
	c := cron.New()
	c.Schedule(cron.Every(time.Second), scheduledJob(quiet, func() {
		switch runs.Add(1) {
		case 1:
			panic("boom")
		case 3:
			close(done)
		}
	}))
	c.Start()
	defer c.Stop()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%d runs after a panic", runs.Load())
	}
}

// Reloads never overlap; asks during a reload coalesce into one more
// reload; every asker that waits gets the result of a reload that
// started after it asked.
func TestReloadLoopCoalesces(t *testing.T) {
	release, started := make(chan struct{}), make(chan struct{})
	var running, overlap, runs atomic.Int32
	var mu sync.Mutex
	var whys []string
	l := newReloadLoop(quiet, func(_ context.Context, why string) error {
		if running.Add(1) > 1 {
			overlap.Add(1)
		}
		defer running.Add(-1)
		mu.Lock()
		whys = append(whys, why)
		mu.Unlock()
		if runs.Add(1) == 1 {
			close(started)
			<-release
			return errors.New("first failed")
		}
		return nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a trigger never answered fails the test
	defer cancel()
	go l.run(ctx)
	first := make(chan error, 1)
	go func() { first <- l.trigger(ctx, "start") }()
	<-started // the first reload is under way
	later := make(chan error, 2)
	for _, why := range []string{"sighup", "http"} {
		go func() { later <- l.trigger(ctx, why) }()
	}
	l.ask("change")
	deadline := time.Now().Add(10 * time.Second)
	for len(l.asks) < 3 { // polling, against a deadline: all three wait
		if time.Now().After(deadline) {
			t.Fatalf("%d asks waiting", len(l.asks))
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	if err := <-first; err == nil || err.Error() != "first failed" {
		t.Errorf("first result %v", err)
	}
	for range 2 {
		if err := <-later; err != nil {
			t.Errorf("a later trigger: %v", err)
		}
	}
	if n := runs.Load(); n != 2 {
		t.Errorf("%d reloads, want 2 (the first and one coalesced)", n)
	}
	if overlap.Load() != 0 {
		t.Error("reloads overlapped")
	}
	if len(whys) != 2 || !strings.Contains(whys[1], "+2 coalesced") {
		t.Errorf("triggers %q", whys)
	}
}

func TestReloadLoopRecoversPanics(t *testing.T) {
	calls := 0
	l := newReloadLoop(quiet, func(context.Context, string) error {
		calls++
		if calls == 1 {
			panic("bad page parser")
		}
		return nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go l.run(ctx)
	if err := l.trigger(ctx, "a"); err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Errorf("panic became %v", err)
	}
	if err := l.trigger(ctx, "b"); err != nil {
		t.Errorf("after a panic: %v", err)
	}
}

// Once the loop stops, nobody waits for a reload that will not come.
func TestReloadLoopStops(t *testing.T) {
	release := make(chan struct{})
	l := newReloadLoop(quiet, func(ctx context.Context, _ string) error {
		<-release
		return ctx.Err()
	})
	ctx, cancel := context.WithCancel(context.Background())
	go l.run(ctx)
	l.ask("start") // under way until released
	waiting := make(chan error, 1)
	go func() { waiting <- l.trigger(context.Background(), "http") }()
	cancel()
	close(release)
	<-l.stopped
	if err := <-waiting; !errors.Is(err, errStopped) && !errors.Is(err, context.Canceled) {
		t.Errorf("a trigger during shutdown: %v", err)
	}
	if err := l.trigger(context.Background(), "late"); !errors.Is(err, errStopped) {
		t.Errorf("a trigger after the stop: %v", err)
	}
}
