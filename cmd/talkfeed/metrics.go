package main

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// reloadMetrics follow blackbox_exporter's reload metrics.
type reloadMetrics struct {
	reloads      *prometheus.CounterVec
	success      prometheus.Gauge
	lastSuccess  prometheus.Gauge
	duration     prometheus.Histogram
	talks        prometheus.Gauge
	pageErrors   prometheus.Gauge
	pageWarnings prometheus.Gauge
	timeouts     prometheus.Counter
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
		timeouts:     prometheus.NewCounter(prometheus.CounterOpts{Name: "talkfeed_reload_timeouts_total", Help: "Reloads abandoned at their deadline (reload_timeout)."}),
	}
	reg.MustRegister(m.reloads, m.success, m.lastSuccess, m.duration, m.talks, m.pageErrors, m.pageWarnings, m.timeouts)
	m.reloads.WithLabelValues("success")
	m.reloads.WithLabelValues("failure")
	return m
}

// observe records a reload that took took and ended at.
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
