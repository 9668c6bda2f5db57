package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// defaultSchedule reloads every five minutes.
const defaultSchedule = "@every 5m"

// parseSchedule validates a cron spec (five fields, a descriptor such as
// @hourly or "@every 5m", optionally prefixed CRON_TZ=Zone) and returns
// it with its interval, which caches are told to wait. cron's parser
// panics on some malformed specs; that becomes an error here.
func parseSchedule(spec string) (sched cron.Schedule, interval time.Duration, err error) {
	defer func() {
		if p := recover(); p != nil {
			sched, err = nil, fmt.Errorf("schedule %q: %v", spec, p)
		}
	}()
	sched, err = cron.ParseStandard(spec)
	if err != nil {
		return nil, 0, fmt.Errorf("schedule %q: %v (use five cron fields, @hourly, or @every 5m)", spec, err)
	}
	if sched.Next(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return nil, 0, fmt.Errorf("schedule %q never runs", spec)
	}
	interval = scheduleInterval(sched)
	if interval < time.Second {
		return nil, 0, fmt.Errorf("schedule %q runs more than once a second", spec)
	}
	return sched, interval, nil
}

// scheduleInterval is the shortest gap between runs, measured from a fixed
// date so that every replica advertises the same cache lifetime.
func scheduleInterval(s cron.Schedule) time.Duration {
	if c, ok := s.(cron.ConstantDelaySchedule); ok {
		return c.Delay
	}
	t := s.Next(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
	shortest := time.Duration(0)
	for range 500 {
		next := s.Next(t)
		if next.IsZero() {
			break
		}
		if gap := next.Sub(t); shortest == 0 || gap < shortest {
			shortest = gap
		}
		t = next
	}
	if shortest == 0 {
		return 24 * time.Hour
	}
	return shortest
}

// scheduledJob wraps a job so that a panic is recovered and logged and
// runs never overlap. The order matters: cron v3.0.1's SkipIfStillRunning
// puts its token back only when the job returns, so a panic passing
// through it would skip every later run. Recover therefore sits inside
// it.
func scheduledJob(log *slog.Logger, job func()) cron.Job {
	l := cronLogger{log}
	return cron.NewChain(cron.SkipIfStillRunning(l), cron.Recover(l)).Then(cron.FuncJob(job))
}

// cronLogger adapts slog to cron's logger.
type cronLogger struct{ log *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.log.Debug("cron: "+msg, kv...) }

func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.log.Error("cron: "+msg, append(kv, "error", err)...)
}

// reloader runs reloads one at a time. Triggers that arrive while one runs
// coalesce into a single further run, and each caller learns the result of
// a run that started after its trigger.
type reloader struct {
	run func(ctx context.Context, trigger string) error
	ctx context.Context
	log *slog.Logger

	mu       sync.Mutex
	running  bool
	waiters  []chan error
	triggers []string
}

func newReloader(ctx context.Context, log *slog.Logger, run func(ctx context.Context, trigger string) error) *reloader {
	return &reloader{run: run, ctx: ctx, log: log}
}

// trigger asks for a reload and returns where its result will arrive.
func (r *reloader) trigger(why string) <-chan error {
	ch := make(chan error, 1)
	r.mu.Lock()
	r.waiters = append(r.waiters, ch)
	r.triggers = append(r.triggers, why)
	if !r.running {
		r.running = true
		go r.loop()
	}
	r.mu.Unlock()
	return ch
}

// reload triggers a reload and waits for its result or for ctx.
func (r *reloader) reload(ctx context.Context, why string) error {
	select {
	case err := <-r.trigger(why):
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *reloader) loop() {
	for {
		r.mu.Lock()
		if len(r.waiters) == 0 {
			r.running = false
			r.mu.Unlock()
			return
		}
		waiters, triggers := r.waiters, r.triggers
		r.waiters, r.triggers = nil, nil
		r.mu.Unlock()
		why := triggers[0]
		if len(triggers) > 1 {
			why = fmt.Sprintf("%s (+%d coalesced)", why, len(triggers)-1)
		}
		err := r.safeRun(why)
		for _, ch := range waiters {
			ch <- err
		}
	}
}

// safeRun turns a panic in a reload into its error, so that the daemon
// keeps serving the last good snapshot.
func (r *reloader) safeRun(why string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("reload panicked: %v", p)
			r.log.Error("reload panicked", "trigger", why, "panic", p)
		}
	}()
	return r.run(r.ctx, why)
}
