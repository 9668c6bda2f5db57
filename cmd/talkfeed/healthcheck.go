package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// runHealthcheck asks the daemon's /healthz and exits 0 when it answers
// 200: the HEALTHCHECK of an image that has no shell or curl.
func runHealthcheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := newFlagSet("healthcheck", "healthcheck [URL]", stderr)
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return usageError(err)
	}
	url := healthURL(getenv("TALKFEED_ADDR"))
	switch len(positional) {
	case 0:
	case 1:
		url = positional[0]
	default:
		fmt.Fprintln(stderr, "talkfeed healthcheck: one URL at most")
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed healthcheck: %v\n", err)
		return exitUsage
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed healthcheck: %v\n", err)
		return exitFail
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "talkfeed healthcheck: %s answered %s\n", url, res.Status)
		return exitFail
	}
	fmt.Fprintln(stdout, "ok")
	return exitOK
}

// healthURL is where a daemon listening at addr (TALKFEED_ADDR) answers
// /healthz: on its own host, or on loopback when it listens on every
// address.
func healthURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		host, port = "", "8080"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz"
}
