// Package server serves the URL tree of the current snapshot over HTTP:
// every output from memory, precompressed, with validators and caching
// headers that feed readers and calendar apps rely on, filtered views on
// demand, and the operations endpoints.
package server

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/internal/lru"
	"github.com/talkfeed/talkfeed/publish"
)

// Options configure a Server.
type Options struct {
	// Now is the clock, for views that depend on the date (upcoming, the
	// subscribe page). It is required, so that tests and replicas decide
	// the day, never a hidden wall clock.
	Now func() time.Time
	// MaxAge is how long clients may cache an output: the reload interval.
	MaxAge time.Duration
	// ReadyMaxAge makes /readyz fail when the last successful reload is
	// older (0: a snapshot is enough), so that a replica whose reloads
	// fail or hang leaves the load balancer.
	ReadyMaxAge time.Duration
	// ReloadToken guards POST /-/reload; empty turns the endpoint off.
	ReloadToken string
	// Reload runs a reload and returns its error; it is what
	// POST /-/reload calls.
	Reload func(ctx context.Context) error
	// Registry receives the HTTP metrics and serves /metrics.
	Registry *prometheus.Registry
	Logger   *slog.Logger
	// Checks, when set, is the health of what the daemon depends on (its
	// source, the state it writes, its watcher), read for each
	// /-/status: one that recovers between reloads shows at once.
	Checks func() map[string]Check
}

// Status is what /-/status reports about reloads.
type Status struct {
	Ready       bool                  `json:"ready"`
	LastReload  *ReloadReport         `json:"last_reload,omitempty"`
	LastSuccess *time.Time            `json:"last_success,omitempty"`
	Events      int                   `json:"events"`
	Skipped     int                   `json:"skipped"`
	Warnings    int                   `json:"warnings"`
	Errors      int                   `json:"errors"`
	Diagnostics []talkfeed.Diagnostic `json:"diagnostics"`
	Checks      map[string]Check      `json:"checks,omitempty"`
}

// Check is the health of one thing the daemon depends on, by its last
// attempt: a failing one says what fails in one line, and since when.
type Check struct {
	OK bool `json:"ok"`
	// Since is when it began to fail, or to work again.
	Since time.Time `json:"since"`
	// Error is the last failure, in one line; empty while OK.
	Error string `json:"error,omitempty"`
	// Failures counts the attempts failed in a row.
	Failures int `json:"failures,omitempty"`
}

// ReloadReport describes one reload.
type ReloadReport struct {
	Started  time.Time `json:"started"`
	Duration string    `json:"duration"`
	Trigger  string    `json:"trigger"`
	OK       bool      `json:"ok"`
	// TimedOut says the reload overran its deadline and was abandoned.
	TimedOut bool   `json:"timed_out,omitempty"`
	Error    string `json:"error,omitempty"`
}

// Server serves one snapshot at a time; Publish swaps it atomically.
type Server struct {
	o       Options
	current atomic.Pointer[snapshot]
	status  atomic.Pointer[Status]
	mux     *http.ServeMux
	metrics *httpMetrics
}

// New returns a server with no snapshot: it answers 503 until Publish.
func New(o Options) *Server {
	if o.Now == nil {
		panic("server: Options.Now is required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	s := &Server{o: o, metrics: newHTTPMetrics(o.Registry)}
	s.status.Store(&Status{Diagnostics: []talkfeed.Diagnostic{}})
	mux := http.NewServeMux()
	s.handle(mux, "GET /healthz", "healthz", s.healthz)
	s.handle(mux, "GET /readyz", "readyz", s.readyz)
	mux.Handle("GET /metrics", s.metrics.wrap("metrics", promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{})))
	s.handle(mux, "GET /-/status", "status", s.statusJSON)
	s.handle(mux, "POST /-/reload", "reload", s.reload)
	mux.HandleFunc("GET /{path...}", s.serveTree)
	s.mux = mux
	return s
}

func (s *Server) handle(mux *http.ServeMux, pattern, route string, h http.HandlerFunc) {
	mux.Handle(pattern, s.metrics.wrap(route, h))
}

// ServeHTTP implements http.Handler. Every answer carries the security
// headers, whoever writes it: the tree's outputs, the operations
// endpoints, /metrics, and the mux's own 404s, 405s and redirects. A
// page's entry replaces the policy that lets nothing run with the pages'.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["X-Content-Type-Options"] = headerNoSniff
	h["Referrer-Policy"] = headerReferrer
	h["Content-Security-Policy"] = headerCSPNone
	s.mux.ServeHTTP(w, r)
}

// Publish makes tree the snapshot served from now on. Requests already
// under way finish with the snapshot they started with.
func (s *Server) Publish(tree *publish.Tree) {
	s.current.Store(newSnapshot(tree, s.o.MaxAge, func(err error) { s.o.Logger.Error("rendering a view", "error", err) }))
}

// SetStatus replaces what /-/status reports.
func (s *Server) SetStatus(st Status) {
	if st.Diagnostics == nil {
		st.Diagnostics = []talkfeed.Diagnostic{}
	}
	s.status.Store(&st)
}

// CurrentStatus returns what /-/status reports now.
func (s *Server) CurrentStatus() *Status { return s.status.Load() }

// Ready reports whether a snapshot is loaded.
func (s *Server) Ready() bool { return s.current.Load() != nil }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) { plain(w, http.StatusOK, "ok") }

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if !s.Ready() {
		plain(w, http.StatusServiceUnavailable, "no snapshot loaded yet")
		return
	}
	if st := s.status.Load(); s.o.ReadyMaxAge > 0 && st != nil && st.LastSuccess != nil {
		if age := s.o.Now().Sub(*st.LastSuccess); age > s.o.ReadyMaxAge {
			plain(w, http.StatusServiceUnavailable, fmt.Sprintf("stale: the last successful reload was %s ago (ready_max_age %s)", age.Round(time.Second), s.o.ReadyMaxAge))
			return
		}
	}
	plain(w, http.StatusOK, "ready")
}

func (s *Server) statusJSON(w http.ResponseWriter, r *http.Request) {
	st := *s.status.Load()
	st.Ready = s.Ready()
	if s.o.Checks != nil {
		st.Checks = s.o.Checks()
	}
	writeJSON(w, http.StatusOK, st)
}

// maxReloadBody bounds what POST /-/reload reads; it needs no body.
const maxReloadBody = 1 << 10

func (s *Server) reload(w http.ResponseWriter, r *http.Request) {
	if s.o.ReloadToken == "" || s.o.Reload == nil {
		plain(w, http.StatusNotFound, "the reload endpoint is off: set TALKFEED_RELOAD_TOKEN or TALKFEED_RELOAD_TOKEN_FILE")
		return
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.o.ReloadToken)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="talkfeed"`)
		plain(w, http.StatusUnauthorized, "a valid bearer token is required")
		return
	}
	if _, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, maxReloadBody)); err != nil {
		plain(w, http.StatusRequestEntityTooLarge, "a reload needs no body")
		return
	}
	if err := s.o.Reload(r.Context()); err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"ok": false, "error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// serveTree serves what the snapshot's tree has at the path: a file, the
// subscribe page of today, a filtered view, or a moved page's redirect.
func (s *Server) serveTree(w http.ResponseWriter, r *http.Request) {
	snap := s.current.Load()
	p := r.PathValue("path")
	rec := s.metrics.start(w)
	route := publish.RouteOf(p)
	defer func() { s.metrics.done(rec, string(route)) }()
	w = rec
	if snap == nil {
		plain(w, http.StatusServiceUnavailable, "no snapshot loaded yet")
		return
	}
	if strings.HasSuffix(p, "/") {
		p += "index.html"
	}
	var f talkfeed.Filter
	var q string
	if r.URL.RawQuery != "" && publish.IsViewFile(path.Base(p)) {
		var err error
		if f, q, err = parseFilter(r.URL.Query()); err != nil {
			plain(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	file, err := snap.tree.View(p, f, q, s.today())
	switch {
	case errors.Is(err, publish.ErrNotFound):
		if _, err := snap.tree.View(p+"/index.html", talkfeed.Filter{}, "", s.today()); err == nil {
			target := "/" + p + "/"
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return
		}
		if to, ok := snap.tree.Redirect(p); ok {
			route = publish.RouteRedirect
			snap.redirect(w, r, to)
			return
		}
		plain(w, http.StatusNotFound, publish.NotFoundReason(p))
	case err != nil:
		s.o.Logger.Error("rendering a view", "path", p, "query", q, "error", err)
		plain(w, http.StatusInternalServerError, "cannot render this view")
	default:
		snap.entryFor(file).serve(w, r)
	}
}

// today is midnight UTC of the clock's day: what date-dependent views
// are computed for.
func (s *Server) today() time.Time { return talkfeed.UTCDay(s.o.Now()) }

// maxLimit bounds the limit parameter like every other input.
const maxLimit = 10000

// parseFilter reads the filter parameters of a query and returns the
// filter and its canonical query string ("" when the query has no filter:
// unknown parameters, such as utm_source, are ignored).
func parseFilter(q map[string][]string) (talkfeed.Filter, string, error) {
	var f talkfeed.Filter
	canon := make(map[string][]string)
	multi := map[string]*[]string{
		"category": &f.Categories, "tag": &f.Tags, "speaker": &f.Speakers, "location": &f.Locations, "event": &f.EventNames,
	}
	for key, vals := range q {
		switch key {
		case "category", "tag", "speaker", "location", "event":
			for _, v := range vals {
				if v = strings.TrimSpace(v); v != "" {
					if len(v) > 200 {
						return f, "", fmt.Errorf("%s is over 200 characters", key)
					}
					*multi[key] = append(*multi[key], v)
					canon[key] = append(canon[key], v)
				}
			}
		case "upcoming":
			switch v := last(vals); v {
			case "1", "true", "yes":
				f.Upcoming = true
				canon[key] = []string{"1"}
			case "0", "false", "no", "":
			default:
				return f, "", fmt.Errorf("upcoming must be 1 or 0, not %q", v)
			}
		case "from", "to":
			v := last(vals)
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				return f, "", fmt.Errorf("%s must be a date like 2026-12-31, not %q", key, v)
			}
			if key == "from" {
				f.From = t
			} else {
				f.To = t
			}
			canon[key] = []string{v}
		case "limit":
			v := last(vals)
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > maxLimit {
				return f, "", fmt.Errorf("limit must be a whole number from 1 to %d, not %q", maxLimit, v)
			}
			f.Limit = n
			canon[key] = []string{strconv.Itoa(n)}
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, "", errors.New("from must be before to")
	}
	for _, vs := range canon {
		slices.Sort(vs)
	}
	// Sorted keys and values: equal filters, one self link and cache key.
	return f, url.Values(canon).Encode(), nil
}

func last(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return strings.TrimSpace(vs[len(vs)-1])
}

// plain writes a short plain-text answer: errors say why in words, and a
// page on another origin may read why (CORS), as it reads the outputs.
func plain(w http.ResponseWriter, code int, msg string) {
	h := w.Header()
	h["Access-Control-Allow-Origin"] = headerACAO
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	io.WriteString(w, msg+"\n")
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// snapshot is one published tree with its ready-made responses: made
// once for the tree's files, and once for each view the tree renders on
// demand (the tree keeps those; a few more entries are kept here).
type snapshot struct {
	tree *publish.Tree
	log  func(error)
	// entries are made on a file's first request, not when the tree is
	// published: at 10,000 talks, making one for each of its 20,000
	// files was a tenth of a one-page reload.
	entries sync.Map // *publish.File → *entry
	views   *lru.Cache[*publish.File, *entry]
	maxAge  string
}

// viewEntries bounds the responses kept for views rendered on demand, as
// the tree bounds the views.
const viewEntries = 256

func newSnapshot(tree *publish.Tree, maxAge time.Duration, log func(error)) *snapshot {
	return &snapshot{
		tree:   tree,
		log:    log,
		views:  lru.New[*publish.File, *entry](viewEntries),
		maxAge: "public, max-age=" + strconv.Itoa(int(maxAge.Seconds())),
	}
}

// redirect answers a moved page's old path: 301 to its current page,
// cached and readable from other origins as the outputs are. The target
// is the tree's, never built from the request.
func (s *snapshot) redirect(w http.ResponseWriter, r *http.Request, to string) {
	body := "Moved Permanently: " + to + "\n"
	h := w.Header()
	h["Location"] = []string{to}
	h["Content-Type"] = headerPlain
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	h["Cache-Control"] = []string{s.maxAge}
	h["Access-Control-Allow-Origin"] = headerACAO
	h["X-Content-Type-Options"] = headerNoSniff
	w.WriteHeader(http.StatusMovedPermanently)
	if r.Method != http.MethodHead {
		io.WriteString(w, body)
	}
}

// entryFor returns the ready-made response for one of the tree's outputs.
func (s *snapshot) entryFor(f *publish.File) *entry {
	if e, ok := s.entries.Load(f); ok {
		return e.(*entry)
	}
	if tf, ok := s.tree.File(f.Path); ok && tf == f {
		e, _ := s.entries.LoadOrStore(f, newEntry(f, s.maxAge, s.log))
		return e.(*entry)
	}
	if e, ok := s.views.Get(f); ok {
		return e
	}
	e := newEntry(f, s.maxAge, s.log)
	s.views.Put(f, e)
	return e
}
