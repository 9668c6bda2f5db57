package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/robfig/cron/v3"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/publish"
	"github.com/talkfeed/talkfeed/server"
	"github.com/talkfeed/talkfeed/source"
	"github.com/talkfeed/talkfeed/websub"
)

// daemon is `talkfeed serve` made: the source, the server, the reload
// loop that owns every reload, and the workers that carry out what a
// reload decides.
type daemon struct {
	cfg     serveConfig
	ref     *sourceRef
	loader  *source.Loader
	log     *slog.Logger
	logH    slog.Handler
	srv     *server.Server
	metrics *reloadMetrics
	now     func() time.Time
	// reloads is where every trigger goes: the loop runs them one at a
	// time.
	reloads *reloadLoop
	// ledgers says where the ledger comes from and keeps it.
	ledgers *ledgerKeeper
	// state keeps the announcements across restarts; nil unless
	// announcing.
	state *stateFile
	// effects carries out a published plan's side effects: state
	// writes and WebSub pings.
	effects *effects
	// health is what failed besides a reload: the source, the state
	// written, the watcher.
	health *health

	// Owned by the reload loop.
	last        lastPublished
	compressing *background
	lastSuccess time.Time
	lastDiags   map[string]bool
	// overrunning counts abandoned reloads still running.
	overrunning atomic.Int32
	// planStarts, when set, is called as each plan starts (tests stand a
	// runaway page in with it).
	planStarts func(context.Context)
}

// newDaemon opens the source (a git source is cloned, or its cached
// clone opened), the ledger and the announcer's state. Its errors are a
// bad SOURCE (usage), or a failed clone or unreadable announcer state
// (failure). A corrupt ledger is rebuilt, with a warning.
func newDaemon(ctx context.Context, cfg serveConfig, getenv func(string) string, now func() time.Time, stderr io.Writer) (*daemon, int, error) {
	log, logH := newLogger(stderr, cfg.logFormat)
	cfg.loader.Today = now // each reload dates its far-future warnings by the daemon's clock
	loader, err := source.NewLoader(cfg.loader)
	if err != nil {
		return nil, exitUsage, err
	}
	// Only a wrong path or a failed clone fails here; a reload that cannot
	// read the source later keeps the last good snapshot instead.
	ref, err := resolveSource(ctx, cfg.source, cfg.settings, getenv)
	if err != nil {
		return nil, exitUsage, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	d := &daemon{cfg: cfg, ref: ref, loader: loader, log: log, logH: logH, metrics: newReloadMetrics(reg), health: newHealth(reg, now, log), now: now}
	var hub *websub.Publisher
	if cfg.hub != "" {
		hub = &websub.Publisher{Hub: cfg.hub, Client: &http.Client{Timeout: 10 * time.Second}}
	}
	stateDir := stateFolder(cfg.settings, ref, getenv)
	if d.ledgers, err = newLedgerKeeper(ref, cfg.settings, stateDir, log, now); err != nil {
		return nil, exitFail, err
	}
	d.last.ledger = d.ledgers.open()
	log.Info("state", "folder", stateDir, "ledger_talks", d.last.ledger.Len())
	if cfg.announce {
		if stateDir == "" {
			return nil, exitUsage, errors.New("--announce needs a state folder (--state), so that a restart neither repeats nor loses an announcement")
		}
		if d.state, err = openState(filepath.Join(stateDir, announceFile), cfg.hooks, cfg.site.BaseURL, now, log); err != nil {
			return nil, exitFail, err // a usable path whose content is not a state file
		}
	}
	d.reportHealth()
	d.effects = newEffects(d.state, hub, log)
	d.reloads = newReloadLoop(log, d.reload)
	d.srv = server.New(server.Options{
		Now:         now,
		MaxAge:      cfg.interval,
		ReadyMaxAge: cfg.readyMaxAge,
		ReloadToken: cfg.reloadToken,
		Reload:      func(ctx context.Context) error { return d.reloads.trigger(ctx, "http") },
		Registry:    reg,
		Logger:      log,
		Checks:      d.health.snapshot,
	})
	return d, exitOK, nil
}

// Run serves on ln and reloads on start, on the schedule, on file changes
// and on SIGHUP until ctx ends; then it stops the schedule, drains the
// requests in flight and waits for its workers.
func (d *daemon) Run(ctx context.Context, ln net.Listener) int {
	// Whatever ends the run (a signal, the listener failing) stops the
	// loop, the triggers and the workers with it.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	httpServer := newHTTPServer(ctx, d.srv, d.logH)
	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(ln) }()
	d.log.Info("listening", "addr", ln.Addr().String(), "source", d.ref.name, "schedule", d.cfg.schedule, "reload_endpoint", d.cfg.reloadToken != "")

	var background sync.WaitGroup
	go d.reloads.run(ctx)
	background.Go(d.effects.run)
	if d.state != nil {
		// Before the first load, so that changes seen while the daemon
		// was down go out too.
		background.Go(func() { d.state.deliver(ctx) })
	}
	if err := d.reloads.trigger(ctx, "start"); err != nil && ctx.Err() == nil {
		d.log.Error("the first load failed; serving nothing until a reload succeeds", "error", err)
	}
	sched := d.startTriggers(ctx, &background)

	code := exitOK
	select {
	case <-ctx.Done():
		d.log.Info("shutting down: draining requests in flight")
	case err := <-served:
		d.log.Error("the HTTP server stopped", "error", err)
		code = exitFail
	}
	stop()
	<-sched.Stop().Done()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		d.log.Error("shutdown", "error", err)
		code = exitFail
	}
	// The loop has stopped with ctx (a reload under way ends first); the
	// effects it queued drain, and the other workers stop.
	<-d.reloads.stopped
	d.stopCompress()
	d.effects.close()
	background.Wait()
	d.log.Info("stopped")
	return code
}

// startTriggers starts what asks for reloads besides requests: the
// schedule, the watcher of a folder source and SIGHUP. Each only asks:
// the reload loop decides when.
func (d *daemon) startTriggers(ctx context.Context, background *sync.WaitGroup) *cron.Cron {
	sched := cron.New(cron.WithLocation(time.UTC))
	sched.Schedule(d.cfg.cronSchedule, scheduledJob(d.log, func() { d.reloads.ask("schedule") }))
	sched.Start()
	if dir := d.ref.watchable(); dir != "" && d.cfg.watch {
		d.health.expect(checkWatch)
		if w, err := source.NewWatcher(dir, d.log); err != nil {
			d.log.Warn("not watching the source for changes", "error", err)
			d.health.report(checkWatch, err)
		} else {
			d.health.report(checkWatch, nil)
			w.Health = func(err error) { d.health.report(checkWatch, err) }
			background.Go(func() { w.Run(ctx, watchDebounce, func() { d.reloads.ask("change") }) })
		}
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	background.Go(func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				d.reloads.ask("sighup")
			}
		}
	})
	return sched
}

// reload builds a plan and publishes it, and reports the reload: the
// log, the metrics and /-/status. When anything fails, the last good
// snapshot stays.
func (d *daemon) reload(ctx context.Context, trigger string) error {
	// A compression that finished is the snapshot this plan builds on.
	d.collectCompress()
	start := d.now()
	p, err := d.planWithin(ctx)
	timedOut := errors.Is(err, errReloadTimeout)
	if err == nil && p.tree != nil {
		// A new snapshot replaces the one being compressed: the plan
		// carries what was not done yet, and compresses it after.
		d.stopCompress()
		err = d.publish(p)
	}
	took := d.now().Sub(start)
	// A reload that changed nothing lets a compression under way go on,
	// and starts one for what an earlier one left.
	if d.compressing == nil && d.last.tree != nil && d.last.tree.Pending() > 0 {
		d.startCompress(ctx, d.last.tree)
	}
	d.metrics.observe(err == nil, took, d.now())
	if timedOut {
		d.metrics.timeouts.Inc()
	}
	d.health.reportSource(err)
	report := &server.ReloadReport{Started: start.UTC(), Duration: took.Round(time.Millisecond).String(), Trigger: trigger, OK: err == nil, TimedOut: timedOut}
	if err != nil {
		report.Error = err.Error()
		d.log.Error("reload failed; serving the last good snapshot", "trigger", trigger, "duration", took, "error", err)
	} else {
		d.lastSuccess = start.UTC()
		c := p.res.Counts()
		d.metrics.talks.Set(float64(len(p.res.Events)))
		d.metrics.pageErrors.Set(float64(c.Errors))
		d.metrics.pageWarnings.Set(float64(c.Warnings))
		d.logDiagnostics(p.res.Diagnostics)
		d.log.Info("reloaded", "trigger", trigger, "duration", took, "talks", len(p.res.Events),
			"skipped", p.res.Skipped, "errors", c.Errors, "warnings", c.Warnings, "changed", p.tree != nil, "changes", len(p.news))
	}
	// A failed reload publishes nothing: the counts stay those of the
	// snapshot served (a refused empty load said "events: 0" while five
	// talks were still served); last_reload says why.
	served := p.res
	if err != nil {
		served = nil
	}
	d.srv.SetStatus(d.status(report, served))
	return err
}

// status is what /-/status reports after a reload: its result's counts,
// or, when it loaded nothing, the last ones.
func (d *daemon) status(report *server.ReloadReport, res *source.Result) server.Status {
	st := server.Status{LastReload: report}
	if res != nil {
		c := res.Counts()
		st.Events, st.Skipped, st.Errors, st.Warnings, st.Diagnostics = len(res.Events), res.Skipped, c.Errors, c.Warnings, res.Diagnostics
	} else if prev := d.srv.CurrentStatus(); prev != nil {
		st.Events, st.Skipped, st.Errors, st.Warnings, st.Diagnostics = prev.Events, prev.Skipped, prev.Errors, prev.Warnings, prev.Diagnostics
	}
	if !d.lastSuccess.IsZero() {
		ls := d.lastSuccess
		st.LastSuccess = &ls
	}
	return st
}

// errReloadTimeout is a reload abandoned at its deadline.
var errReloadTimeout = errors.New("reload abandoned")

// planWithin plans under the reload deadline. A plan that overruns it is
// abandoned and the last good snapshot stays: the loop goes on to the
// next reload, and a shutdown is not held up. Its goroutine may run on
// (work that does not look at ctx cannot be stopped from outside), so it
// gets its own copies of what the loop changes, and the next reload a
// fresh loader rather than share this one's cache with it.
func (d *daemon) planWithin(ctx context.Context) (plan, error) {
	if n := d.overrunning.Load(); n > 0 {
		// One runaway is a page's problem; starting another on the same
		// content would only take a second core.
		return plan{}, fmt.Errorf("%w: an abandoned reload is still running; the last good snapshot stays", errReloadTimeout)
	}
	ctx, cancel := context.WithTimeout(ctx, d.cfg.reloadTimeout)
	defer cancel()
	type planned struct {
		p   plan
		err error
	}
	done := make(chan planned, 1)
	loader, last := d.loader, d.last
	const running, finished, abandoned = 0, 1, 2
	var state atomic.Int32
	go func() {
		p, err := d.plan(ctx, loader, last)
		if !state.CompareAndSwap(running, finished) {
			d.overrunning.Add(-1)
		}
		done <- planned{p, err}
	}()
	select {
	case r := <-done:
		return r.p, r.err
	case <-ctx.Done():
	}
	if !state.CompareAndSwap(running, abandoned) {
		r := <-done // it finished as the deadline passed
		return r.p, r.err
	}
	d.overrunning.Add(1)
	if fresh, err := source.NewLoader(d.cfg.loader); err == nil {
		d.loader = fresh
	}
	if ctx := context.Cause(ctx); !errors.Is(ctx, context.DeadlineExceeded) {
		return plan{}, ctx // shutting down
	}
	return plan{}, fmt.Errorf("%w: it took over %s (reload_timeout); the last good snapshot stays", errReloadTimeout, d.cfg.reloadTimeout)
}

// plan loads the source and renders a new snapshot on last, without
// touching anything served or stored. A plan without a tree keeps the
// current snapshot (the source is unchanged).
func (d *daemon) plan(ctx context.Context, loader *source.Loader, last lastPublished) (plan, error) {
	if d.planStarts != nil {
		d.planStarts(ctx)
	}
	today := talkfeed.UTCDay(d.now())
	c, err := d.ref.open(ctx, today)
	if err != nil {
		return plan{}, sourceFailed(err)
	}
	defer c.close()
	in, err := loadInput(ctx, c, loader, d.ledgers, last.ledger, d.cfg.removalGrace)
	if err != nil {
		return plan{}, sourceFailed(err)
	}
	opts := d.cfg.publishOptions(c)
	// The subscribe page depends on the day only, the same on every
	// replica; the tree renders it again when the day changes.
	opts.Today = today
	opts.Lazy = true     // compressed after it is served (compress)
	opts.Deferred = true // large views rendered after it is served
	return planSnapshot(last, in, opts, d.srv.Ready())
}

// publish stores a plan's ledger, makes its snapshot the one served and
// hands its side effects to the workers. A ledger that cannot be stored
// fails the reload: subscribers are never told what the ledger would
// forget.
func (d *daemon) publish(p plan) error {
	if p.tree == nil {
		return nil // unchanged: the current snapshot and its ETags stay
	}
	if err := d.ledgers.save(p.ledger); err != nil {
		return err
	}
	d.srv.Publish(p.tree)
	d.effects.queue(p, d.last.tree)
	d.last = p.published()
	return nil
}

// background is the compression of the snapshot last published, which
// a lazy build left to do after serving it.
type background struct {
	cancel context.CancelFunc
	done   chan struct{}
	tree   *publish.Tree // the compressed snapshot, once done
}

// startCompress compresses the snapshot just published in the
// background and serves the result: the new bytes were served at once,
// their gzip and brotli forms follow. Only the reload loop calls it.
func (d *daemon) startCompress(ctx context.Context, served *publish.Tree) {
	ctx, cancel := context.WithCancel(ctx)
	bg := &background{cancel: cancel, done: make(chan struct{})}
	d.compressing = bg
	go func() {
		defer close(bg.done)
		// The views a reload left to render on first use, at once: a
		// client asking for one meanwhile waits for its render only.
		if n := served.Render(ctx); n > 0 {
			d.log.Debug("rendered", "files", n)
		}
		// Once reloads quiet down: while edits come every moment, the
		// quick gzip serves and the cores serve requests (compressing
		// after each reload took a third of a core at 74 talks
		// reloaded every 200 ms, and 40% of the requests).
		select {
		case <-ctx.Done():
			return
		case <-time.After(compressQuiet):
		}
		start := d.now()
		ct, err := served.Compressed(ctx)
		if ct.Pending() < served.Pending() {
			// What is done is served, even when a reload cut it short.
			d.srv.Publish(ct)
			bg.tree = ct
		}
		d.log.Info("compressed", "files", served.Pending()-ct.Pending(), "left", ct.Pending(), "duration", d.now().Sub(start), "cut_short", err != nil)
	}()
}

// compressQuiet is how long a published snapshot goes without another
// before its large files are compressed whole.
const compressQuiet = 500 * time.Millisecond

// collectCompress makes a background compression that has finished the
// snapshot the next plan builds on; one still running goes on.
func (d *daemon) collectCompress() {
	if bg := d.compressing; bg != nil {
		select {
		case <-bg.done:
			d.stopCompress()
		default:
		}
	}
}

// stopCompress ends the background compression, if any, and makes its
// result, if it finished, the snapshot the next plan builds on. The
// reload loop calls it before a plan, and shutdown before it returns.
func (d *daemon) stopCompress() {
	bg := d.compressing
	if bg == nil {
		return
	}
	bg.cancel()
	<-bg.done
	d.compressing = nil
	if bg.tree != nil {
		d.last.tree = bg.tree
	}
}

// logDiagnostics logs the page problems that are new since the last
// reload, each with its file and line, so that a reload every five
// minutes does not repeat them.
func (d *daemon) logDiagnostics(ds []talkfeed.Diagnostic) {
	seen := make(map[string]bool, len(ds))
	for _, diag := range ds {
		key := diag.String()
		seen[key] = true
		if d.lastDiags[key] || diag.Severity == talkfeed.SeverityNotice {
			continue
		}
		level := slog.LevelWarn
		if diag.Severity == talkfeed.SeverityError {
			level = slog.LevelError
		}
		d.log.Log(context.Background(), level, "page problem", "file", diag.File, "line", diag.Line, "severity", string(diag.Severity), "message", diag.Message)
	}
	d.lastDiags = seen
}
