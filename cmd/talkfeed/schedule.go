package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"
)

// defaultSchedule reloads every five minutes.
const defaultSchedule = "@every 5m"

// defaultReloadTimeout bounds a reload: far above a cold load of 100,000
// pages, far below "the daemon has silently stopped reloading".
const defaultReloadTimeout = 10 * time.Minute

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

// reloadLoop owns every reload, as blackbox_exporter's reload loop does:
// one goroutine runs them one at a time, whatever asks (the start, the
// schedule, a file change, SIGHUP, POST /-/reload). Asks that arrive
// during a reload coalesce into one more, and each asker that waits
// learns the result of a reload that started after it asked.
type reloadLoop struct {
	reload func(ctx context.Context, trigger string) error
	log    *slog.Logger
	asks   chan reloadAsk
	// stopped is closed when the loop has stopped: nothing asked after
	// that is reloaded.
	stopped chan struct{}
}

// errStopped answers asks the stopped loop will not run.
var errStopped = errors.New("shutting down: no more reloads")

// reloadAsk is one ask; done, when not nil, hears the result.
type reloadAsk struct {
	why  string
	done chan error
}

// pendingAsks bounds the asks waiting for the loop; more that come
// while it is full are already covered by a reload that will run.
const pendingAsks = 64

func newReloadLoop(log *slog.Logger, reload func(ctx context.Context, trigger string) error) *reloadLoop {
	return &reloadLoop{reload: reload, log: log, asks: make(chan reloadAsk, pendingAsks), stopped: make(chan struct{})}
}

// ask asks for a reload without waiting for it.
func (l *reloadLoop) ask(why string) {
	select {
	case l.asks <- reloadAsk{why: why}:
	default: // full: a reload is pending anyway
	}
}

// trigger asks for a reload and waits for its result, or for ctx.
func (l *reloadLoop) trigger(ctx context.Context, why string) error {
	done := make(chan error, 1)
	select {
	case l.asks <- reloadAsk{why: why, done: done}:
	case <-ctx.Done():
		return ctx.Err()
	case <-l.stopped:
		return errStopped
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-l.stopped:
		return errStopped
	}
}

// run reloads as asked until ctx ends, then answers the asks left.
func (l *reloadLoop) run(ctx context.Context) {
	defer close(l.stopped)
	for {
		var batch []reloadAsk
		select {
		case <-ctx.Done():
			l.refuse()
			return
		case a := <-l.asks:
			batch = append(batch, a)
		}
	coalesce:
		for {
			select {
			case a := <-l.asks:
				batch = append(batch, a)
			default:
				break coalesce
			}
		}
		why := batch[0].why
		if len(batch) > 1 {
			why = fmt.Sprintf("%s (+%d coalesced)", why, len(batch)-1)
		}
		err := l.safeReload(ctx, why)
		for _, a := range batch {
			if a.done != nil {
				a.done <- err
			}
		}
	}
}

// refuse answers every ask waiting: the loop has stopped.
func (l *reloadLoop) refuse() {
	for {
		select {
		case a := <-l.asks:
			if a.done != nil {
				a.done <- errStopped
			}
		default:
			return
		}
	}
}

// safeReload turns a panic in a reload into its error, so that the
// daemon keeps serving the last good snapshot.
func (l *reloadLoop) safeReload(ctx context.Context, why string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("reload panicked: %v", p)
			l.log.Error("reload panicked", "trigger", why, "panic", p)
		}
	}()
	return l.reload(ctx, why)
}
