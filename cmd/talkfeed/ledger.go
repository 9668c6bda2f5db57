package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/jsonfile"
	"github.com/talkfeed/talkfeed/publish"
	"github.com/talkfeed/talkfeed/source"
)

// defaultRemovalGrace is how long a removed talk stays in calendars as
// a cancellation, long enough for every client to have refreshed.
const defaultRemovalGrace = 30 * 24 * time.Hour

// Files of the state folder.
const (
	ledgerFile   = "ledger.json"
	announceFile = "announce.json"
)

// stateFolder is where a source's state lives: the folder configured;
// else systemd's $STATE_DIRECTORY; else a folder per source under
// $XDG_STATE_HOME/talkfeed or ~/.local/state/talkfeed, so that two
// sites on one machine never share a ledger. "" when there is none (the
// demo without a configured folder, or no home): then state lives in
// memory only.
func stateFolder(s settings, ref *sourceRef, getenv func(string) string) string {
	if s.stateDir != "" {
		return s.stateDir
	}
	if ref.demo() {
		return ""
	}
	if sd := getenv("STATE_DIRECTORY"); sd != "" {
		first, _, _ := strings.Cut(sd, ":") // systemd lists one per StateDirectory=
		return first
	}
	base := getenv("XDG_STATE_HOME")
	if base == "" {
		home := getenv("HOME")
		if home == "" {
			return ""
		}
		base = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(base, "talkfeed", ref.stateKey())
}

// stateKey names a source's state folder: readable, and distinct for
// distinct sources.
func (s *sourceRef) stateKey() string {
	id := s.name
	if s.git == nil {
		if abs, err := filepath.Abs(s.dir); err == nil {
			id = abs
		}
	}
	sum := sha256.Sum256([]byte(id))
	name := talkfeed.Slug(filepath.Base(strings.TrimSuffix(s.name, ".git")))
	if name == "" {
		name = "source"
	}
	return name + "-" + hex.EncodeToString(sum[:4])
}

// ledgerStore keeps a folder source's ledger: jsonfile's, or in tests
// one that fails as a full disk does.
type ledgerStore interface {
	Load() (*talkfeed.Ledger, error)
	Save(*talkfeed.Ledger) error
	SetAside(now time.Time) (string, error)
}

// ledgerKeeper knows where a source's ledger comes from: a git
// source's history, or the store of a folder's state, or memory.
type ledgerKeeper struct {
	git   *source.Git
	store ledgerStore // nil: memory only
	path  string      // the store's, for the log
	log   *slog.Logger
	now   func() time.Time
	// report, when set, hears each save's result.
	report func(error)
}

// newLedgerKeeper keeps the ledger of the source: a folder's in
// stateDir, checked writable now. A state folder configured but not
// writable is an error; the default one, a warning, and the ledger then
// lives in memory (dated afresh at every start).
func newLedgerKeeper(ref *sourceRef, s settings, stateDir string, log *slog.Logger, now func() time.Time) (*ledgerKeeper, error) {
	k := &ledgerKeeper{git: ref.git, log: log, now: now}
	if ref.git != nil || stateDir == "" {
		return k, nil
	}
	if err := jsonfile.Writable(stateDir); err != nil {
		if s.stateDir != "" {
			return nil, fmt.Errorf("state folder: %w", err)
		}
		log.Warn("cannot write the default state folder; the ledger lives in memory until restart (set --state)", "folder", stateDir, "error", err)
		return k, nil
	}
	k.path = filepath.Join(stateDir, ledgerFile)
	k.store = &jsonfile.LedgerStore{Path: k.path}
	return k, nil
}

// open reads the stored ledger: a new one when there is none, or when
// it is corrupt (set aside with a warning: the pages rebuild it, dated
// by their evidence, never a crash).
func (k *ledgerKeeper) open() *talkfeed.Ledger {
	if k.store == nil {
		return talkfeed.NewLedger()
	}
	l, err := k.store.Load()
	if err == nil {
		return l
	}
	if errors.Is(err, jsonfile.ErrCorrupt) {
		aside, rerr := k.store.SetAside(k.now())
		k.log.Warn("the ledger is corrupt; rebuilding it from the pages", "path", k.path, "kept_as", aside, "error", err, "rename_error", rerr)
	} else {
		k.log.Warn("cannot read the ledger; rebuilding it from the pages", "path", k.path, "error", err)
	}
	return talkfeed.NewLedger()
}

// base is the ledger a load is observed onto, and the time it is
// observed at: for git, the history's ledger at the fetched commit's
// time, the same on every replica; else last, at the reload's time. It
// comes before the load, so that the history can seed the loader's last
// good versions of pages broken at the head.
func (k *ledgerKeeper) base(ctx context.Context, loader *source.Loader, last *talkfeed.Ledger) (*talkfeed.Ledger, time.Time, error) {
	if k.git != nil {
		return k.git.History(ctx, loader)
	}
	return last, k.now().UTC().Truncate(time.Second), nil
}

// save stores a ledger about to be published: before its snapshot is, so
// that a crash after publishing never forgets what subscribers saw.
func (k *ledgerKeeper) save(l *talkfeed.Ledger) error {
	if k.store == nil {
		return nil
	}
	err := k.store.Save(l)
	if err != nil {
		err = fmt.Errorf("saving the ledger: %w", err)
	}
	if k.report != nil {
		k.report(err)
	}
	return err
}

// observed is a load observed onto a ledger, ready to publish.
type observed struct {
	ledger *talkfeed.Ledger
	news   []talkfeed.Change
	// catalog is the load's talks with their stamps.
	catalog *talkfeed.Catalog
}

// observe observes a load onto base at at and sets the publishing
// options that come from the ledger: the change feed, the tombstones
// still in their grace on day, and the redirects of moved pages.
func observe(base *talkfeed.Ledger, res *source.Result, at, day time.Time, grace time.Duration, opts *publish.Options) observed {
	events, unloaded := res.Events, res.Unloaded
	next, news, stamped := base.ObserveStamped(events, at, unloaded)
	opts.Changes = next.Changes()
	if opts.Changes == nil {
		opts.Changes = []talkfeed.Change{} // an empty change feed, not none
	}
	opts.Tombstones = next.Tombstones(day, grace)
	opts.Redirects = next.Redirects()
	return observed{ledger: next, news: news, catalog: talkfeed.NewCatalog(stamped)}
}

// loadInput loads the content and gives it the ledger it is observed
// onto: last, or the history's.
func loadInput(ctx context.Context, c *content, loader *source.Loader, k *ledgerKeeper, last *talkfeed.Ledger, grace time.Duration) (planInput, error) {
	base, at, err := k.base(ctx, loader, last)
	if err != nil {
		return planInput{}, err
	}
	res, err := c.load(ctx, loader)
	if err != nil {
		return planInput{}, err
	}
	in := planInput{res: res, base: base, at: at, grace: grace}
	if k.git != nil {
		in.key = k.git.Head()
	}
	return in, nil
}
