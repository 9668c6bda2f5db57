package main

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromium finds Debian's Chromium; .ci/run installs it. In CI ($CI set,
// as .ci/run does) its absence fails the test; elsewhere the browser
// tests skip, saying so.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium in CI: .ci/run installs Debian's chromium package")
	}
	t.Skip("no Chromium here: apt-get install chromium to run the browser tests")
	return ""
}

// browser starts headless Chromium and collects console errors.
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	// Not t.TempDir: Chromium may still write its profile while it exits,
	// and a failed removal would fail the test. It is removed best-effort.
	profile, err := os.MkdirTemp("", "talkfeed-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	// Chromium speaks a newer protocol than chromedp's pinned cdproto
	// knows; the events it cannot decode are not ours to report, and its
	// goroutines may outlive the test, so nothing goes to t from here.
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithErrorf(func(string, ...any) {}))
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		for range 10 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	var mu sync.Mutex
	var problems []string
	chromedp.ListenTarget(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError || ev.Type == runtime.APITypeWarning {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				problems = append(problems, "console: "+strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Error())
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.LevelError || ev.Entry.Level == log.LevelWarning {
				problems = append(problems, "log: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		}
	})
	if err := chromedp.Run(ctx, log.Enable(), runtime.Enable()); err != nil {
		t.Fatal(err)
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}

// artifactDir is where screenshots go: $TALKFEED_ARTIFACTS, else a
// folder in the system's temporary directory that outlives the test.
func artifactDir(t *testing.T) string {
	dir := os.Getenv("TALKFEED_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "talkfeed-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The demo's pages in a real browser: no console errors, every link on
// this host resolves, the feeds are discoverable, and the page is
// captured at phone and desktop widths.
func TestPagesInChromium(t *testing.T) {
	chromium(t) // skip, or fail in CI, before starting anything
	// Without a base URL the daemon links to itself, at the port it got.
	base := startDaemon(t, "", nil).base + "/"
	ctx, problems := browser(t)

	var links, alternates []string
	err := chromedp.Run(ctx,
		chromedp.Navigate(base),
		chromedp.WaitReady("main"),
		chromedp.Evaluate(`Array.from(document.querySelectorAll("a[href]")).map(a => a.href)`, &links),
		chromedp.Evaluate(`Array.from(document.querySelectorAll("link[rel=alternate]")).map(l => l.type + " " + l.href)`, &alternates),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"application/rss+xml " + base + "feed.rss", "application/atom+xml " + base + "feed.atom", "application/feed+json " + base + "feed.json"} {
		if !slices.Contains(alternates, want) {
			t.Errorf("discovery lacks %q", want)
		}
	}
	checked := 0
	for _, l := range links {
		u := strings.Replace(l, "webcal://", "http://", 1)
		if !strings.HasPrefix(u, base) {
			continue // another host: a calendar service, a speaker's site
		}
		res, err := http.Get(u)
		if err != nil {
			t.Errorf("%s: %v", l, err)
			continue
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("%s: %d", l, res.StatusCode)
		}
		checked++
	}
	if checked < 20 {
		t.Errorf("only %d links on this host", checked)
	}

	// Screenshots at phone and desktop widths.
	dir := artifactDir(t)
	for _, size := range []struct {
		name          string
		width, height int64
	}{{"phone", 390, 844}, {"desktop", 1280, 900}} {
		var shot []byte
		if err := chromedp.Run(ctx, chromedp.EmulateViewport(size.width, size.height), chromedp.Navigate(base), chromedp.WaitReady("main"), chromedp.FullScreenshot(&shot, 100)); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "subscribe-"+size.name+".png")
		if err := os.WriteFile(p, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(shot))
		if err != nil {
			t.Errorf("%s screenshot: %v", size.name, err)
		} else if img.Bounds().Dx() != int(size.width) {
			t.Errorf("%s screenshot is %d wide", size.name, img.Bounds().Dx())
		}
		t.Logf("screenshot: %s", p)
	}

	// Click through to a talk: its page renders cleanly and describes
	// itself to search engines.
	var ld string
	if err := chromedp.Run(ctx,
		chromedp.Navigate(base),
		chromedp.WaitReady("main"),
		chromedp.Click("a.title", chromedp.ByQuery),
		chromedp.WaitReady("article"),
		chromedp.Evaluate(`document.querySelector('script[type="application/ld+json"]').textContent`, &ld),
	); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ld, `"@type":"Event"`) {
		t.Errorf("talk page JSON-LD %q", ld)
	}
	var shot []byte
	if err := chromedp.Run(ctx, chromedp.EmulateViewport(390, 844), chromedp.FullScreenshot(&shot, 100)); err == nil {
		os.WriteFile(filepath.Join(dir, "talk-phone.png"), shot, 0o644)
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("console problems:\n%s", strings.Join(p, "\n"))
	}
}
