package server

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// httpMetrics counts requests by route and status and times them. The
// children are looked up once and kept: resolving label values hashes
// them, which would cost every request.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec

	mu        sync.RWMutex
	counters  map[routeCode]prometheus.Counter
	observers map[string]prometheus.Observer
}

type routeCode struct {
	route string
	code  int
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "talkfeed_http_requests_total",
			Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "talkfeed_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route.",
			Buckets: []float64{.0001, .0005, .001, .005, .01, .05, .1, .5, 1},
		}, []string{"route"}),
	}
	m.counters = map[routeCode]prometheus.Counter{}
	m.observers = map[string]prometheus.Observer{}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *httpMetrics) counter(route string, code int) (prometheus.Counter, prometheus.Observer) {
	key := routeCode{route, code}
	m.mu.RLock()
	c, ok := m.counters[key]
	o := m.observers[route]
	m.mu.RUnlock()
	if ok && o != nil {
		return c, o
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok = m.counters[key]; !ok {
		c = m.requests.WithLabelValues(route, strconv.Itoa(code))
		m.counters[key] = c
	}
	if o = m.observers[route]; o == nil {
		o = m.duration.WithLabelValues(route)
		m.observers[route] = o
	}
	return c, o
}

// recorder remembers the status a handler wrote.
type recorder struct {
	http.ResponseWriter
	code  int
	start time.Time
}

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (m *httpMetrics) start(w http.ResponseWriter) *recorder {
	return &recorder{ResponseWriter: w, start: time.Now()}
}

func (m *httpMetrics) done(r *recorder, route string) {
	code := r.code
	if code == 0 {
		code = http.StatusOK
	}
	c, o := m.counter(route, code)
	c.Inc()
	o.Observe(time.Since(r.start).Seconds())
}

func (m *httpMetrics) wrap(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rec := m.start(w)
		defer m.done(rec, route)
		h.ServeHTTP(rec, req)
	})
}
