// Package jsonfile stores values as JSON files on disk, each written
// atomically (a temporary file beside it, synced, then renamed over it),
// so that a crash at any moment leaves the old file or the new one, never
// half of one. It keeps the ledger of a folder source and the
// announcer's outbox.
package jsonfile

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/talkfeed/talkfeed"
)

// ErrCorrupt wraps a file that exists but does not decode.
var ErrCorrupt = errors.New("not a valid file")

// Read decodes the file at path into v. It reports false, and no error,
// when there is no file.
func Read(path string, v any) (bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("%s: %w: %v", path, ErrCorrupt, err)
	}
	return true, nil
}

// Write encodes v into the file at path atomically, creating its folder.
func Write(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename or a new file in dir durable.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Writable makes the folder dir if need be and checks that files can be
// written in it, so that a read-only mount is found at start, not at the
// first write.
func Writable(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".talkfeed-probe-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// LedgerStore keeps a ledger in a snapshot file and a journal beside it
// (Path + ".journal"): a save appends one line with what the reload
// changed (the ledger's Delta), synced, and rewrites the snapshot only
// when the journal has grown past it. So a reload that changed one talk
// writes about a kilobyte whatever the number of talks, and the cost of
// the occasional rewrite, spread over the saves before it, stays in
// proportion to what changed.
//
// Each snapshot has a generation, and each journal line the generation
// it follows: a crash between writing a new snapshot and removing the
// old journal leaves lines of an older generation, which Load skips. A
// last line torn by a crash mid-append was never acknowledged (the
// snapshot it belonged to was not published) and is dropped.
//
// Files rather than an embedded database: the ledger is read once at
// start and written by one reload at a time, so they need no locking,
// schema or page cache, and stay readable and diffable text.
type LedgerStore struct {
	Path string

	generation    int64
	snapshotBytes int64
	journalBytes  int64
	// rewrite forces the next save to write a snapshot: the journal's
	// end is unknown after a failed or torn append.
	rewrite bool
	// minJournal overrides minJournalBytes (tests).
	minJournal int64
}

type ledgerSnapshot struct {
	Generation int64            `json:"generation"`
	Ledger     *talkfeed.Ledger `json:"ledger"`
}

type journalLine struct {
	Generation int64                `json:"generation"`
	Delta      talkfeed.LedgerDelta `json:"delta"`
}

// minJournalBytes is the journal a small ledger may keep before its
// snapshot is rewritten.
const minJournalBytes = 1 << 20

func (s *LedgerStore) journalPath() string { return s.Path + ".journal" }

// Load reads the ledger: the snapshot, then the journal's lines of its
// generation in order. No snapshot is a new, empty ledger. A snapshot or
// a journal line (but a torn last one) that does not decode is an error
// wrapping ErrCorrupt.
func (s *LedgerStore) Load() (*talkfeed.Ledger, error) {
	snap := ledgerSnapshot{Ledger: talkfeed.NewLedger()}
	found, err := Read(s.Path, &snap)
	if err != nil {
		return nil, err
	}
	if found && (snap.Generation < 1 || snap.Ledger == nil) {
		return nil, fmt.Errorf("%s: %w: no talkfeed ledger in it", s.Path, ErrCorrupt)
	}
	*s = LedgerStore{Path: s.Path, generation: snap.Generation, minJournal: s.minJournal}
	if !found {
		return snap.Ledger, nil
	}
	if info, err := os.Stat(s.Path); err == nil {
		s.snapshotBytes = info.Size()
	}
	data, err := os.ReadFile(s.journalPath())
	if errors.Is(err, fs.ErrNotExist) {
		return snap.Ledger, nil
	}
	if err != nil {
		return nil, err
	}
	s.journalBytes = int64(len(data))
	for n := 1; len(data) > 0; n++ {
		line, rest, complete := bytes.Cut(data, []byte("\n"))
		data = rest
		var jl journalLine
		if err := json.Unmarshal(line, &jl); err != nil || !complete {
			if len(rest) == 0 {
				s.rewrite = true // torn by a crash: never acknowledged
				break
			}
			return nil, fmt.Errorf("%s line %d: %w: %v", s.journalPath(), n, ErrCorrupt, err)
		}
		if jl.Generation == snap.Generation {
			snap.Ledger.ApplyDelta(jl.Delta)
		}
	}
	return snap.Ledger, nil
}

// Save stores l, which must be the ledger Load returned or one observed
// from the ledger last loaded or saved here (its Delta is what changed
// since): one line appended to the journal, or a new snapshot when the
// journal has outgrown the last one.
func (s *LedgerStore) Save(l *talkfeed.Ledger) error {
	d := l.Delta()
	if s.generation > 0 && !s.rewrite && s.journalBytes <= max(s.snapshotBytes, cmp.Or(s.minJournal, minJournalBytes)) {
		if d.Empty() {
			return nil
		}
		return s.appendLine(journalLine{Generation: s.generation, Delta: d})
	}
	next := s.generation + 1
	if err := Write(s.Path, ledgerSnapshot{Generation: next, Ledger: l}); err != nil {
		return err
	}
	s.generation, s.rewrite, s.journalBytes = next, false, 0
	if info, err := os.Stat(s.Path); err == nil {
		s.snapshotBytes = info.Size()
	}
	// The old journal is of an older generation now: Load skips it even
	// if this removal never happens.
	if err := os.Remove(s.journalPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.rewrite = true
	}
	return nil
}

func (s *LedgerStore) appendLine(jl journalLine) error {
	data, err := json.Marshal(jl)
	if err != nil {
		return err
	}
	data = append(data, '\n')
	_, statErr := os.Stat(s.journalPath())
	f, err := os.OpenFile(s.journalPath(), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		s.rewrite = true // a part of the line may be there
		return err
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		syncDir(filepath.Dir(s.Path))
	}
	s.journalBytes += int64(len(data))
	return nil
}

// SetAside renames a corrupt ledger out of the way, its snapshot and its
// journal, keeping them for a look, and returns the snapshot's new name.
func (s *LedgerStore) SetAside(now time.Time) (string, error) {
	aside := s.Path + ".corrupt-" + now.UTC().Format("20060102T150405Z")
	if err := os.Rename(s.Path, aside); err != nil {
		return aside, err
	}
	if err := os.Rename(s.journalPath(), aside+".journal"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return aside, err
	}
	*s = LedgerStore{Path: s.Path, minJournal: s.minJournal}
	return aside, nil
}
