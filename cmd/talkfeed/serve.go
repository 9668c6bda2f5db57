package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/talkfeed/talkfeed/source"
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

// serveConfig is everything `talkfeed serve` runs with, resolved in one
// place: flag, then environment, then config file, then default.
type serveConfig struct {
	settings
	source      string
	listen      string
	logFormat   string
	watch       bool
	announce    bool
	reloadToken string
	hooks       []webhook
}

// serveFlags are serve's own flags, beside the shared configFlags.
type serveFlags struct {
	configFlags
	addr, logFormat string
	watch, announce optBool
}

func (f *serveFlags) register(fs *flag.FlagSet) {
	f.configFlags.register(fs)
	fs.StringVar(&f.addr, "addr", "", "listen `address` [TALKFEED_ADDR] (default :8080)")
	fs.StringVar(&f.logFormat, "log-format", "", "log `format`: text or json [TALKFEED_LOG_FORMAT] (default text)")
	fs.Var(&f.watch, "watch", "reload when a page changes [TALKFEED_WATCH] (default true)")
	fs.Var(&f.announce, "announce", "post changes to Slack; set it on one replica only [TALKFEED_ANNOUNCE]")
}

// resolve applies the layers to every setting and validates the result.
func (f *serveFlags) resolve(positional []string, getenv func(string) string) (serveConfig, error) {
	var c serveConfig
	var err error
	if c.source, err = oneSource(positional, getenv); err != nil {
		return c, err
	}
	if c.settings, err = f.configFlags.resolve(getenv); err != nil {
		return c, err
	}
	c.listen = pick(getenv, f.addr, "TALKFEED_ADDR", c.settings.addr, ":8080")
	c.logFormat = pick(getenv, f.logFormat, "TALKFEED_LOG_FORMAT", "", "text")
	if c.logFormat != "text" && c.logFormat != "json" {
		return c, fmt.Errorf("--log-format must be text or json, not %q", c.logFormat)
	}
	if c.watch, err = pickBool(getenv, f.watch, "TALKFEED_WATCH", true); err != nil {
		return c, err
	}
	if c.announce, err = pickBool(getenv, f.announce, "TALKFEED_ANNOUNCE", false); err != nil {
		return c, err
	}
	if c.reloadToken, err = reloadToken(getenv); err != nil {
		return c, err
	}
	if !c.announce {
		return c, nil
	}
	if c.hooks, err = c.webhooks(getenv); err != nil {
		return c, err
	}
	if len(c.hooks) == 0 {
		return c, errors.New("--announce needs a webhook: TALKFEED_SLACK_WEBHOOK or slack: in the config file")
	}
	return c, nil
}

func runServe(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", "serve [flags] [SOURCE]", stderr)
	var f serveFlags
	f.register(fs)
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return usageError(err)
	}
	cfg, err := f.resolve(positional, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed serve: %v\n", err)
		return exitUsage
	}
	// Listen first: without a base URL, links point at this daemon, at
	// the port it really got (":0" picks one), and the base URL is
	// settled before any source is opened.
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed serve: %v\n", err)
		return exitFail
	}
	defer ln.Close()
	if !cfg.baseURLSet {
		cfg.setBaseURL(selfURL(ln.Addr()))
	}
	d, code, err := newDaemon(ctx, cfg, getenv, now, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "talkfeed serve: %v\n", err)
		return code
	}
	return d.Run(ctx, ln)
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

// newLogger logs to w as text or JSON.
func newLogger(w io.Writer, format string) (*slog.Logger, slog.Handler) {
	var h slog.Handler = slog.NewTextHandler(w, nil)
	if format == "json" {
		h = slog.NewJSONHandler(w, nil)
	}
	return slog.New(h), h
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

// maxTokenBytes bounds a token file like every other input.
const maxTokenBytes = 4096

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
	b, err := io.ReadAll(io.LimitReader(f, maxTokenBytes+1))
	if err != nil {
		return "", fmt.Errorf("reload token file: %w", err)
	}
	if len(b) > maxTokenBytes {
		return "", fmt.Errorf("reload token file %s is over %d bytes: is it the right file?", p, maxTokenBytes)
	}
	t := strings.TrimSpace(string(b))
	if t == "" {
		return "", fmt.Errorf("reload token file %s is empty", p)
	}
	return t, nil
}
