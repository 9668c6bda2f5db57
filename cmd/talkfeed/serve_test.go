package main

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
)

func TestHTTPServerIsBounded(t *testing.T) {
	s := newHTTPServer(context.Background(), http.NotFoundHandler(), slog.DiscardHandler)
	if s.ReadHeaderTimeout == 0 || s.ReadTimeout == 0 || s.WriteTimeout == 0 || s.IdleTimeout == 0 || s.MaxHeaderBytes == 0 || s.MaxHeaderBytes > 1<<20 {
		t.Errorf("unbounded server: %+v", s)
	}
}
