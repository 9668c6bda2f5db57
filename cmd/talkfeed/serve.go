package main

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
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

// HTTP bounds: every input is bounded.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
	shutdownTimeout   = 15 * time.Second
	watchDebounce     = 300 * time.Millisecond
)

func runServe(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", "serve [flags] [SOURCE]", stderr)
	var cf configFlags
	cf.register(fs)
	addr := fs.String("addr", "", "listen `address` [TALKFEED_ADDR] (default :8080)")
	logFormat := fs.String("log-format", "", "log `format`: text or json [TALKFEED_LOG_FORMAT] (default text)")
	watch := fs.Bool("watch", getenv("TALKFEED_WATCH") != "false", "reload when a page changes [TALKFEED_WATCH]")
	stateFlag := fs.String("state-file", "", "`file` that keeps the change feed and announcements across restarts [TALKFEED_STATE_FILE]")
	announce := fs.Bool("announce", getenv("TALKFEED_ANNOUNCE") == "true", "post changes to Slack; set it on one replica only [TALKFEED_ANNOUNCE]")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return usageError(err)
	}
	dir, err := oneSource(positional, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed serve: %v\n", err)
		return exitUsage
	}
	cfg, err := cf.resolve(getenv)
	if err == nil {
		*logFormat = cmp.Or(*logFormat, getenv("TALKFEED_LOG_FORMAT"), "text")
		if *logFormat != "text" && *logFormat != "json" {
			err = fmt.Errorf("--log-format must be text or json, not %q", *logFormat)
		}
	}
	var token string
	if err == nil {
		token, err = reloadToken(getenv)
	}
	var hooks []webhook
	statePath := cmp.Or(*stateFlag, getenv("TALKFEED_STATE_FILE"))
	if err == nil && *announce {
		hooks, err = cfg.webhooks(getenv)
		switch {
		case err != nil:
		case statePath == "":
			err = errors.New("--announce needs --state-file, so that a restart neither repeats nor loses an announcement")
		case len(hooks) == 0:
			err = errors.New("--announce needs a webhook: TALKFEED_SLACK_WEBHOOK or slack: in the config file")
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed serve: %v\n", err)
		return exitUsage
	}
	// Listen first: without a base URL, links point at this daemon, at
	// the port it really got (":0" picks one).
	ln, err := net.Listen("tcp", cmp.Or(*addr, getenv("TALKFEED_ADDR"), cfg.addr, ":8080"))
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed serve: %v\n", err)
		return exitFail
	}
	defer ln.Close()
	if !cfg.baseURLSet {
		cfg.setBaseURL(selfURL(ln.Addr()))
	}
	// Only a wrong path or a failed clone fails here; a reload that cannot
	// read the source later keeps the last good snapshot instead.
	loader, err := source.NewLoader(cfg.loader)
	var ref *sourceRef
	if err == nil {
		ref, err = resolveSource(ctx, dir, cfg, getenv)
	}
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed serve: %v\n", err)
		return exitUsage
	}
	var handler slog.Handler = slog.NewTextHandler(stderr, nil)
	if *logFormat == "json" {
		handler = slog.NewJSONHandler(stderr, nil)
	}
	log := slog.New(handler)

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	d := &daemon{
		ref:     ref,
		cfg:     cfg,
		loader:  loader,
		log:     log,
		metrics: newReloadMetrics(reg),
		now:     now,
	}
	if cfg.hub != "" {
		d.hub = &websub.Publisher{Hub: cfg.hub, Client: &http.Client{Timeout: 10 * time.Second}}
	}
	var st *stateFile
	if statePath != "" {
		if st, err = openState(statePath, *announce, hooks, cfg.site.BaseURL, now, log); err != nil {
			fmt.Fprintf(stderr, "talkfeed serve: %v\n", err)
			return exitUsage
		}
		d.known, d.changes = st.known()
		d.onChanges = func(changes []talkfeed.Change, talks map[string]talkfeed.Fingerprint) {
			st.observe(changes, d.changes, talks)
		}
	}
	reloads := newReloader(ctx, log, d.reload)
	d.srv = server.New(server.Options{
		Now:         now,
		MaxAge:      cfg.interval,
		ReloadToken: token,
		Reload:      func(ctx context.Context) error { return reloads.reload(ctx, "http") },
		Registry:    reg,
		Logger:      log,
	})

	httpServer := newHTTPServer(ctx, d.srv, handler)
	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "source", ref.name, "schedule", cfg.schedule, "reload_endpoint", token != "")

	// The first load, then the schedule, file changes and SIGHUP.
	// (The announcer starts before it so that changes seen while the
	// daemon was down go out too.)
	if err := reloads.reload(ctx, "start"); err != nil && ctx.Err() == nil {
		log.Error("the first load failed; serving nothing until a reload succeeds", "error", err)
	}
	sched := cron.New(cron.WithLocation(time.UTC))
	sched.Schedule(cfg.cronSchedule, scheduledJob(log, func() {
		reloads.reload(ctx, "schedule")
	}))
	sched.Start()
	var background sync.WaitGroup
	if st != nil && *announce {
		background.Go(func() { st.deliver(ctx) })
	}
	if watched := ref.watchable(); watched != "" && *watch {
		if w, err := source.NewWatcher(watched, log); err != nil {
			log.Warn("not watching the source for changes", "error", err)
		} else {
			background.Go(func() { w.Run(ctx, watchDebounce, func() { reloads.trigger("change") }) })
		}
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	background.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				reloads.trigger("sighup")
			}
		}
	})

	code := exitOK
	select {
	case <-ctx.Done():
		log.Info("shutting down: draining requests in flight")
	case err := <-served:
		log.Error("the HTTP server stopped", "error", err)
		code = exitFail
	}
	<-sched.Stop().Done()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		log.Error("shutdown", "error", err)
		code = exitFail
	}
	background.Wait()
	log.Info("stopped")
	return code
}

// selfURL is the base URL of a daemon listening at addr: its own host
// when it listens on one address, else localhost.
func selfURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return source.DefaultBaseURL
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// newHTTPServer bounds every request: header, read, write and idle
// timeouts and a header size limit. Requests see a context that outlives
// the shutdown signal, so that those in flight can finish.
func newHTTPServer(ctx context.Context, h http.Handler, logHandler slog.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logHandler, slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
}

// reloadToken reads the POST /-/reload bearer token from the environment
// or from a file (a mounted secret); none turns the endpoint off.
func reloadToken(getenv func(string) string) (string, error) {
	if t := strings.TrimSpace(getenv("TALKFEED_RELOAD_TOKEN")); t != "" {
		return t, nil
	}
	p := getenv("TALKFEED_RELOAD_TOKEN_FILE")
	if p == "" {
		return "", nil
	}
	f, err := os.Open(p)
	if err != nil {
		return "", fmt.Errorf("reload token file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return "", fmt.Errorf("reload token file: %w", err)
	}
	t := strings.TrimSpace(string(b))
	if t == "" {
		return "", fmt.Errorf("reload token file %s is empty", p)
	}
	return t, nil
}

// daemon holds what a reload needs.
type daemon struct {
	ref     *sourceRef
	cfg     settings
	loader  *source.Loader
	log     *slog.Logger
	srv     *server.Server
	metrics *reloadMetrics

	// hub is told which feeds changed; nil without a hub.
	hub *websub.Publisher

	// Owned by reload, which never runs concurrently with itself.
	lastTree    *publish.Tree
	lastDigest  [32]byte
	lastEvents  int
	lastSuccess time.Time
	lastDiags   map[string]bool
	// known are the talks as last published and changes what happened to
	// them since the process (or its state file) began.
	known   map[string]talkfeed.Fingerprint
	changes []talkfeed.Change
	// onChanges hears of every change (the Slack announcer); nil for none.
	onChanges func([]talkfeed.Change, map[string]talkfeed.Fingerprint)
	// now is the clock changes are dated by.
	now func() time.Time
}

// maxChanges bounds the change feed.
const maxChanges = 100

// reload loads the source and renders every output on the side, then
// publishes the new snapshot at once. When anything fails, the last good
// snapshot stays.
func (d *daemon) reload(ctx context.Context, trigger string) error {
	start := d.now()
	res, published, err := d.build(ctx)
	took := d.now().Sub(start)
	report := &server.ReloadReport{Started: start.UTC(), Duration: took.Round(time.Millisecond).String(), Trigger: trigger, OK: err == nil}
	d.metrics.observe(err == nil, took, d.now())
	st := server.Status{LastReload: report}
	if err != nil {
		report.Error = err.Error()
		d.log.Error("reload failed; serving the last good snapshot", "trigger", trigger, "duration", took, "error", err)
	} else {
		d.lastSuccess = start.UTC()
		c := res.Counts()
		d.metrics.talks.Set(float64(len(res.Events)))
		d.metrics.pageErrors.Set(float64(c.Errors))
		d.metrics.pageWarnings.Set(float64(c.Warnings))
		d.logDiagnostics(res.Diagnostics)
		d.log.Info("reloaded", "trigger", trigger, "duration", took, "talks", len(res.Events),
			"skipped", res.Skipped, "errors", c.Errors, "warnings", c.Warnings, "changed", published)
	}
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
	d.srv.SetStatus(st)
	return err
}

// build loads and renders; it reports whether a new snapshot went out (an
// unchanged source keeps the current one and its ETags).
func (d *daemon) build(ctx context.Context) (*source.Result, bool, error) {
	today := dayOf(d.now())
	c, err := d.ref.open(ctx, today)
	if err != nil {
		return nil, false, err
	}
	defer c.close()
	res, err := c.load(ctx, d.loader)
	if err != nil {
		return nil, false, err
	}
	if len(res.Events) == 0 && d.lastEvents > 0 {
		return res, false, fmt.Errorf("the source has no talks now (it had %d); refusing to publish an empty snapshot", d.lastEvents)
	}
	digest := contentDigest(res)
	if digest == d.lastDigest && d.srv.Ready() {
		return res, false, nil
	}
	cat := talkfeed.NewCatalog(res.Events)
	var changes []talkfeed.Change
	if d.known != nil {
		changes = talkfeed.Diff(d.known, cat, d.now().UTC().Truncate(time.Second))
	}
	all := append(slices.Clone(d.changes), changes...)
	if len(all) > maxChanges {
		all = all[len(all)-maxChanges:]
	}
	opts := d.cfg.publishOptions(c)
	// The subscribe page depends on the day only, the same on every
	// replica; the server renders it again when the day changes.
	opts.Today = today
	opts.Changes = all
	if opts.Changes == nil {
		opts.Changes = []talkfeed.Change{}
	}
	tree, err := publish.Build(cat, opts)
	if err != nil {
		return res, false, err
	}
	d.srv.Publish(tree)
	d.changes = all
	known := talkfeed.Fingerprints(cat)
	if d.onChanges != nil {
		d.onChanges(changes, known)
	}
	d.known = known
	if d.hub != nil {
		if topics := tree.ChangedFeeds(d.lastTree); len(topics) > 0 {
			go d.ping(ctx, topics)
		}
	}
	d.lastTree, d.lastDigest, d.lastEvents = tree, digest, len(res.Events)
	return res, true, nil
}

// ping tells the WebSub hub which feeds changed, off the reload path.
func (d *daemon) ping(ctx context.Context, topics []string) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := d.hub.Ping(ctx, topics); err != nil {
		d.log.Warn("websub", "error", err)
		return
	}
	d.log.Info("websub: pinged the hub", "feeds", len(topics))
}

// contentDigest identifies what a load produced: every page's path and
// bytes. Equal digests render equal snapshots.
func contentDigest(res *source.Result) [32]byte {
	h := sha256.New()
	for _, e := range res.Events {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00", e.Source.Path, e.Source.Hash, e.PageURL)
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
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

// reloadMetrics follow blackbox_exporter's reload metrics.
type reloadMetrics struct {
	reloads      *prometheus.CounterVec
	success      prometheus.Gauge
	lastSuccess  prometheus.Gauge
	duration     prometheus.Histogram
	talks        prometheus.Gauge
	pageErrors   prometheus.Gauge
	pageWarnings prometheus.Gauge
}

func newReloadMetrics(reg prometheus.Registerer) *reloadMetrics {
	m := &reloadMetrics{
		reloads:      prometheus.NewCounterVec(prometheus.CounterOpts{Name: "talkfeed_reloads_total", Help: "Reloads by result."}, []string{"result"}),
		success:      prometheus.NewGauge(prometheus.GaugeOpts{Name: "talkfeed_reload_success", Help: "Whether the last reload succeeded (1) or failed (0)."}),
		lastSuccess:  prometheus.NewGauge(prometheus.GaugeOpts{Name: "talkfeed_last_reload_success_timestamp_seconds", Help: "When the last successful reload finished."}),
		duration:     prometheus.NewHistogram(prometheus.HistogramOpts{Name: "talkfeed_reload_duration_seconds", Help: "Time to load and render a snapshot.", Buckets: prometheus.ExponentialBuckets(0.01, 2, 12)}),
		talks:        prometheus.NewGauge(prometheus.GaugeOpts{Name: "talkfeed_talks", Help: "Talks in the current snapshot."}),
		pageErrors:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "talkfeed_page_errors", Help: "Page errors in the last successful load."}),
		pageWarnings: prometheus.NewGauge(prometheus.GaugeOpts{Name: "talkfeed_page_warnings", Help: "Page warnings in the last successful load."}),
	}
	reg.MustRegister(m.reloads, m.success, m.lastSuccess, m.duration, m.talks, m.pageErrors, m.pageWarnings)
	m.reloads.WithLabelValues("success")
	m.reloads.WithLabelValues("failure")
	return m
}

func (m *reloadMetrics) observe(ok bool, took time.Duration, at time.Time) {
	m.duration.Observe(took.Seconds())
	if ok {
		m.reloads.WithLabelValues("success").Inc()
		m.success.Set(1)
		m.lastSuccess.Set(float64(at.UnixNano()) / 1e9)
		return
	}
	m.reloads.WithLabelValues("failure").Inc()
	m.success.Set(0)
}
