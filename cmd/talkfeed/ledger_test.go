package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed/bench/pagegen"
	"github.com/talkfeed/talkfeed/server"
)

// A state folder that cannot be written is found at start: configured,
// it is an error; the default, a warning and a ledger in memory.
func TestLedgerKeeperStateFolder(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	unwritable := filepath.Join(blocker, "state") // under a file: never a folder
	ref := &sourceRef{dir: t.TempDir(), name: "talks"}
	now := func() time.Time { return announceNow }
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))

	if _, err := newLedgerKeeper(ref, settings{stateDir: unwritable}, unwritable, log, now); err == nil || !strings.Contains(err.Error(), "state folder") {
		t.Errorf("a configured folder that cannot be written: %v", err)
	}
	k, err := newLedgerKeeper(ref, settings{}, unwritable, log, now)
	if err != nil || k.store != nil || !strings.Contains(logs.String(), "ledger lives in memory") {
		t.Errorf("the default folder unwritable: %v, store %v, log %q", err, k.store, logs.String())
	}
	dir := t.TempDir()
	k, err = newLedgerKeeper(ref, settings{stateDir: dir}, dir, log, now)
	if err != nil || k.store == nil || k.path != filepath.Join(dir, ledgerFile) {
		t.Fatalf("a writable folder: %v %+v", err, k.store)
	}
	// The demo, with no folder configured, keeps its ledger in memory.
	if k, _ := newLedgerKeeper(&sourceRef{git: nil, dir: ""}, settings{}, "", log, now); k.store != nil {
		t.Error("the demo stores a ledger")
	}
}

// The default state folder is one per source, under systemd's
// STATE_DIRECTORY or XDG_STATE_HOME or ~/.local/state; the demo has none
// unless one is configured.
func TestStateFolder(t *testing.T) {
	site := &sourceRef{dir: "/srv/site/talks", name: "/srv/site/talks"}
	other := &sourceRef{dir: "/srv/other/talks", name: "/srv/other/talks"}
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	if got := stateFolder(settings{stateDir: "/var/lib/x"}, site, env("STATE_DIRECTORY", "/ignored")); got != "/var/lib/x" {
		t.Errorf("configured: %s", got)
	}
	if got := stateFolder(settings{}, site, env("STATE_DIRECTORY", "/var/lib/talkfeed:/var/lib/other")); got != "/var/lib/talkfeed" {
		t.Errorf("systemd: %s", got)
	}
	a := stateFolder(settings{}, site, env("HOME", "/home/ada"))
	b := stateFolder(settings{}, other, env("HOME", "/home/ada"))
	if !strings.HasPrefix(a, "/home/ada/.local/state/talkfeed/talks-") || a == b {
		t.Errorf("per source: %s and %s", a, b)
	}
	if got := stateFolder(settings{}, site, env("XDG_STATE_HOME", "/x", "HOME", "/home/ada")); !strings.HasPrefix(got, "/x/talkfeed/talks-") {
		t.Errorf("XDG: %s", got)
	}
	demo := &sourceRef{name: demoName}
	if got := stateFolder(settings{}, demo, env("HOME", "/home/ada")); got != "" {
		t.Errorf("the demo: %s", got)
	}
	if got := stateFolder(settings{}, site, env()); got != "" {
		t.Errorf("no home: %s", got)
	}
}

// A ledger that cannot be stored fails the reload before anything is
// served: subscribers are never told what the ledger would forget.
func TestPublishStoresTheLedgerFirst(t *testing.T) {
	dir := t.TempDir()
	ref := &sourceRef{dir: t.TempDir(), name: "talks"}
	k, err := newLedgerKeeper(ref, settings{stateDir: dir}, dir, quiet, func() time.Time { return announceNow })
	if err != nil {
		t.Fatal(err)
	}
	d := &daemon{ledgers: k, srv: server.New(server.Options{Now: func() time.Time { return announceNow }, Logger: quiet}), effects: newEffects(nil, nil, quiet)}
	p := testPlan(t, lastPublished{}, talkAt("a", "Alpha", "Go", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)))
	// The folder turns into a file: no ledger can be written there.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := d.publish(p); err == nil || !strings.Contains(err.Error(), "saving the ledger") {
		t.Errorf("publish: %v", err)
	}
	if d.srv.Ready() || d.last.tree != nil {
		t.Error("a snapshot whose ledger was not stored is served")
	}
	// Writable again: stored, then served.
	os.Remove(dir)
	if err := d.publish(p); err != nil || !d.srv.Ready() {
		t.Fatalf("publish: %v, ready %v", err, d.srv.Ready())
	}
	if _, err := os.Stat(filepath.Join(dir, ledgerFile)); err != nil {
		t.Errorf("no ledger stored: %v", err)
	}
}

// The daemon serves a snapshot's new bytes at once and its compressed
// forms after; reloads that change nothing meanwhile never stop that
// compression for good, and one that changes something carries it on.
func TestCompressionFollowsThePublish(t *testing.T) {
	dir := t.TempDir()
	if err := pagegen.Write(dir, 120, 1); err != nil { // a feed over lazyAbove
		t.Fatal(err)
	}
	d := folderDaemon(t, dir)
	ctx := context.Background()
	if err := d.reload(ctx, "start"); err != nil {
		t.Fatal(err)
	}
	if d.last.tree.Pending() == 0 {
		t.Fatal("nothing left to compress after the publish: the test needs a larger feed")
	}
	for range 5 { // reloads that find nothing new, at once
		if err := d.reload(ctx, "http"); err != nil {
			t.Fatal(err)
		}
	}
	compressed := func() bool {
		d.collectCompress()
		f, _ := d.last.tree.File("feed.rss")
		return d.last.tree.Pending() == 0 && f.Gzip != nil && f.Brotli != nil
	}
	deadline := time.Now().Add(30 * time.Second)
	for !compressed() {
		if time.Now().After(deadline) {
			t.Fatalf("still %d files uncompressed", d.last.tree.Pending())
		}
		if err := d.reload(ctx, "http"); err != nil { // more no-op reloads
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond) // polling, against the deadline
	}
	d.stopCompress()
}
