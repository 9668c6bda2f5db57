package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/talkfeed/talkfeed/internal/testcorpus"
)

// testNow is the pinned clock of in-process commands and of the daemons
// under test: noon on the demo's anchor day.
const testNow = "2026-11-24T12:00:00Z"

// runArgs runs a command in-process with env as its whole environment;
// the clock is pinned to testNow unless env pins it elsewhere.
func runArgs(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string {
		if v, ok := env[k]; ok || k != clockVar {
			return v
		}
		return testNow
	}
	code := run(context.Background(), args, getenv, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestCheckDemo(t *testing.T) {
	code, out, errOut := runArgs(t, nil, "check")
	if code != exitOK || out != "10 events, 0 skipped, 0 warnings, 0 errors\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestCheckCorpus(t *testing.T) {
	dir := testcorpus.Dir(t, "dcos-events")
	code, out, errOut := runArgs(t, nil, "check", dir)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := lines[len(lines)-1]
	if code != exitOK || !strings.HasPrefix(last, "74 events, 1 skipped, ") || !strings.HasSuffix(last, ", 0 errors") {
		t.Fatalf("exit %d, last line %q, stderr %q", code, last, errOut)
	}
	// Diagnostics name the file as the user can open it.
	if !strings.Contains(out, filepath.Join(dir, "index.md")+":2: notice: ") {
		t.Errorf("no notice for index.md:\n%s", out)
	}
}

func TestCheckJSON(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.md"), []byte("---\ntitle: T\ndate: 2020-13-01\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "good.md"), []byte("---\ntitle: T\ndate: 2020-12-01\ntimezone: Nowhere\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Flags after SOURCE work too.
	code, out, _ := runArgs(t, nil, "check", dir, "--format", "json")
	if code != exitFail {
		t.Errorf("exit %d, want %d", code, exitFail)
	}
	var rep checkReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if rep.Events != 1 || rep.Errors != 1 || rep.Warnings != 1 || len(rep.Diagnostics) != 2 {
		t.Errorf("report %+v", rep)
	}
	d := rep.Diagnostics[0]
	if d.File != filepath.Join(dir, "bad.md") || d.Line != 3 || d.Severity != "error" {
		t.Errorf("diagnostic %+v", d)
	}
}

// A placeholder date decades ahead is a warning at its field's line,
// dated by the command's clock (TALKFEED_NOW); the talk still loads.
func TestCheckFarFutureDate(t *testing.T) {
	dir := t.TempDir()
	pages := map[string]string{
		"placeholder.md": "---\ntitle: To be announced\ndate: 2100-01-01\n---\nSoon.\n",
		"published.md":   "---\ntitle: Soon\ndate: 2027-02-01 18:00\npublished: 3018-05-01\n---\n",
		"decade.md":      "---\ntitle: Planned\ndate: 2036-12-01\n---\n",
	}
	for name, text := range pages {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := runArgs(t, nil, "check", dir)
	want := []string{
		filepath.Join(dir, "decade.md") + ":3: warning: date 2036-12-01 is more than 10 years after today; a placeholder? The talk is listed as upcoming until then\n",
		filepath.Join(dir, "placeholder.md") + ":3: warning: date 2100-01-01 is more than 10 years after today; a placeholder? The talk is listed as upcoming until then\n",
		filepath.Join(dir, "published.md") + ":4: warning: published 3018-05-01 is more than 10 years after today; a placeholder? It is not used as the announcement",
		"3 events, 0 skipped, 3 warnings, 0 errors\n",
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("stdout lacks %q:\n%s", w, out)
		}
	}
	if code != exitOK {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	// On a later day the 2036 talk is within 10 years.
	code, out, _ = runArgs(t, map[string]string{clockVar: "2027-01-01"}, "check", "--strict", dir)
	if strings.Contains(out, "decade.md") || !strings.Contains(out, "3 events, 0 skipped, 2 warnings, 0 errors\n") || code != exitFail {
		t.Errorf("on 2027-01-01: exit %d\n%s", code, out)
	}
}

func TestCheckExitCodes(t *testing.T) {
	warnDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(warnDir, "w.md"), []byte("---\ntitle: T\ndate: 2020-12-01\nstatus: perhaps\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want int
	}{
		{"warnings pass", nil, []string{"check", warnDir}, exitOK},
		{"strict fails on warnings", nil, []string{"check", "--strict", warnDir}, exitFail},
		{"unknown flag", nil, []string{"check", "--nope"}, exitUsage},
		{"two sources", nil, []string{"check", "a", "b"}, exitUsage},
		{"bad format", nil, []string{"check", "--format", "xml"}, exitUsage},
		{"missing source", nil, []string{"check", filepath.Join(warnDir, "missing")}, exitUsage},
		{"bad zone flag", nil, []string{"check", "--timezone", "Mars/Base"}, exitUsage},
		{"bad zone env", map[string]string{"TALKFEED_TIMEZONE": "Mars/Base"}, []string{"check"}, exitUsage},
		{"relative base URL", nil, []string{"check", "--base-url", "/x"}, exitUsage},
		{"missing config", map[string]string{"TALKFEED_CONFIG": filepath.Join(warnDir, "nope.yaml")}, []string{"check"}, exitUsage},
		{"help", nil, []string{"check", "-h"}, exitOK},
		{"unknown command", nil, []string{"frobnicate"}, exitUsage},
		{"no command", nil, nil, exitUsage},
	}
	for _, tc := range tests {
		if code, out, errOut := runArgs(t, tc.env, tc.args...); code != tc.want {
			t.Errorf("%s: exit %d, want %d\n%s%s", tc.name, code, tc.want, out, errOut)
		}
	}
}

func TestConfigFileAndPrecedence(t *testing.T) {
	dir := t.TempDir()
	pages := filepath.Join(dir, "pages")
	if err := os.MkdirAll(pages, 0o755); err != nil {
		t.Fatal(err)
	}
	page := "---\ntitle: Mapped\nkickoff: 2020-05-01\nkickoffTime: \"18:00\"\n---\n"
	if err := os.WriteFile(filepath.Join(pages, "p.md"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "talkfeed.yaml")
	conf := "title: Our Talks\nbase_url: https://file.example/\ntimezone: Europe/Berlin\npermalink: /t/:slug/\nfields:\n  start: kickoff\n  start_time: [kickoffTime]\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var fc configFlags
	fc.config = cfg
	s, err := fc.resolve(func(k string) string {
		return map[string]string{"TALKFEED_BASE_URL": "https://env.example/", "TALKFEED_TITLE": "Env Title"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.site.Title != "Env Title" || s.loader.BaseURL != "https://env.example/" || s.loader.DefaultZone.String() != "Europe/Berlin" || s.loader.Permalink != "/t/:slug/" {
		t.Errorf("settings %+v", s)
	}
	fc.baseURL = "https://flag.example/"
	if s, _ = fc.resolve(func(string) string { return "" }); s.loader.BaseURL != "https://flag.example/" || s.site.Title != "Our Talks" {
		t.Errorf("flag did not win: %+v", s)
	}

	code, out, errOut := runArgs(t, nil, "check", "--config", cfg, pages)
	if code != exitOK || !strings.HasPrefix(out, "1 events, 0 skipped, 0 warnings") {
		t.Errorf("exit %d: %s%s", code, out, errOut)
	}

	if err := os.WriteFile(cfg, []byte("titel: typo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := fc.resolve(func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "titel") {
		t.Errorf("unknown config key accepted: %v", err)
	}
	if err := os.WriteFile(cfg, []byte("fields:\n  begin: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runArgs(t, nil, "check", "--config", cfg); code != exitUsage || !strings.Contains(errOut, "begin") {
		t.Errorf("unknown mapped field: exit %d %s", code, errOut)
	}
}

// The built binary checks the corpus with the documented output and exit
// code.
func TestCheckBinary(t *testing.T) {
	dir := testcorpus.Dir(t, "dcos-events")
	bin := daemonBinary(t)
	command := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, args...)
		cmd.Env = daemonEnv(t)
		return cmd
	}
	out, err := command("check", dir).Output()
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	if !strings.Contains(string(out), "\n74 events, 1 skipped, ") {
		t.Errorf("output:\n%s", out)
	}
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "x.md"), []byte("---\ntitle: [\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var ee *exec.ExitError
	if err := command("check", bad).Run(); !errors.As(err, &ee) || ee.ExitCode() != exitFail {
		t.Errorf("broken page: %v, want exit %d", err, exitFail)
	}
	if err := command("check", "--bogus").Run(); !errors.As(err, &ee) || ee.ExitCode() != exitUsage {
		t.Errorf("bad flag: %v, want exit %d", err, exitUsage)
	}
}

func TestBuildWritesTreeDeterministically(t *testing.T) {
	dir := testcorpus.Dir(t, "dcos-events")
	outA, outB := t.TempDir(), t.TempDir()
	for _, out := range []string{outA, outB} {
		code, stdout, stderr := runArgs(t, nil, "build", "--out", out, "--base-url", "https://dcos.io", dir)
		if code != exitOK || !strings.HasPrefix(stdout, "74 events, 1 skipped, ") {
			t.Fatalf("exit %d: %s%s", code, stdout, stderr)
		}
	}
	var files []string
	err := filepath.WalkDir(outA, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(outA, p)
		files = append(files, rel)
		a, _ := os.ReadFile(p)
		b, err := os.ReadFile(filepath.Join(outB, rel))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between two builds: %v", rel, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"feed.rss", "feed.atom", "feed.json", filepath.Join("category", "fast-data", "feed.rss")} {
		if !slices.Contains(files, want) {
			t.Errorf("build wrote no %s: %v", want, files)
		}
	}
	rss, _ := os.ReadFile(filepath.Join(outA, "feed.rss"))
	if n := strings.Count(string(rss), "<item>"); n != 74 {
		t.Errorf("feed.rss has %d items", n)
	}
	if code, _, _ := runArgs(t, nil, "build"); code != exitUsage {
		t.Errorf("build without --out: exit %d", code)
	}
}

// A static host gets the compressed siblings of the large files (the
// small ones it compresses as it serves them, as the nginx snippet says)
// and the headers the daemon sends.
func TestBuildWritesSiblingsAndHeaders(t *testing.T) {
	out := t.TempDir()
	if code, stdout, stderr := runArgs(t, nil, "build", "--out", out); code != exitOK {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	tree := readTree(t, out)
	withSiblings := 0
	for p, plain := range tree {
		ext := path.Ext(p)
		if ext == ".gz" || ext == ".br" || strings.HasPrefix(p, "_") || strings.HasSuffix(p, ".conf") {
			continue
		}
		gz, hasGz := tree[p+".gz"]
		br, hasBr := tree[p+".br"]
		if len(plain) < precompressFrom {
			if hasGz || hasBr {
				t.Errorf("%s: %d bytes, with siblings", p, len(plain))
			}
			continue
		}
		if !hasGz || !hasBr {
			t.Errorf("%s: %d bytes, without siblings", p, len(plain))
			continue
		}
		withSiblings++
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := io.ReadAll(zr); !bytes.Equal(b, plain) {
			t.Errorf("%s.gz is not %s", p, p)
		}
		if b, _ := io.ReadAll(brotli.NewReader(bytes.NewReader(br))); !bytes.Equal(b, plain) {
			t.Errorf("%s.br is not %s", p, p)
		}
	}
	if withSiblings == 0 {
		t.Error("no file has siblings")
	}
	headers, err := os.ReadFile(filepath.Join(out, "_headers"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"/feed.rss\n  Content-Type: application/rss+xml; charset=utf-8\n  Cache-Control: public, max-age=300\n",
		"/calendar.ics\n  Content-Type: text/calendar; charset=utf-8\n",
		"/events/2027/rust-systems-summit-2027/\n  Content-Type: text/html; charset=utf-8\n",
		"  Content-Security-Policy: ",
	} {
		if !bytes.Contains(headers, []byte(want)) {
			t.Errorf("_headers lacks %q", want)
		}
	}
	nginx, err := os.ReadFile(filepath.Join(out, "talkfeed.nginx.conf"))
	if err != nil || !bytes.Contains(nginx, []byte("application/rss+xml rss;")) || !bytes.Contains(nginx, []byte("gzip_static on;")) || !bytes.Contains(nginx, []byte("\ngzip on;")) {
		t.Errorf("nginx snippet: %v\n%s", err, nginx)
	}
	// _redirects is written even with no moved pages, so that none stays
	// from an older build.
	redirects, err := os.ReadFile(filepath.Join(out, "_redirects"))
	if err != nil || !bytes.HasPrefix(redirects, []byte("# ")) || bytes.Contains(redirects, []byte("\n/")) {
		t.Errorf("_redirects: %v\n%s", err, redirects)
	}
}
