package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHTTPServerIsBounded(t *testing.T) {
	s := newHTTPServer(context.Background(), http.NotFoundHandler(), slog.DiscardHandler)
	if s.ReadHeaderTimeout == 0 || s.ReadTimeout == 0 || s.WriteTimeout == 0 || s.IdleTimeout == 0 || s.MaxHeaderBytes == 0 || s.MaxHeaderBytes > 1<<20 {
		t.Errorf("unbounded server: %+v", s)
	}
}

func TestHealthcheck(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			w.WriteHeader(503)
		}
	}))
	defer ok.Close()
	if code, out, errOut := runArgs(t, nil, "healthcheck", ok.URL+"/healthz"); code != exitOK {
		t.Errorf("healthy: %d %s%s", code, out, errOut)
	}
	if code, _, _ := runArgs(t, nil, "healthcheck", ok.URL+"/down"); code != exitFail {
		t.Errorf("unhealthy: %d", code)
	}
	ok.Close()
	if code, _, _ := runArgs(t, nil, "healthcheck", ok.URL+"/healthz"); code != exitFail {
		t.Errorf("no daemon: %d", code)
	}
}

func TestHealthURL(t *testing.T) {
	for addr, want := range map[string]string{
		"":               "http://127.0.0.1:8080/healthz",
		":9090":          "http://127.0.0.1:9090/healthz",
		"0.0.0.0:9090":   "http://127.0.0.1:9090/healthz",
		"[::]:9090":      "http://127.0.0.1:9090/healthz",
		"127.0.0.2:9090": "http://127.0.0.2:9090/healthz",
		"[::1]:9090":     "http://[::1]:9090/healthz",
		"talks:9090":     "http://talks:9090/healthz",
		"nonsense":       "http://127.0.0.1:8080/healthz",
	} {
		if got := healthURL(addr); got != want {
			t.Errorf("healthURL(%q) = %q, want %q", addr, got, want)
		}
	}
}
