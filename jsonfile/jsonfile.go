// Package jsonfile stores values as JSON files on disk, each written
// atomically (a temporary file beside it, synced, then renamed over it),
// so that a crash at any moment leaves the old file or the new one, never
// half of one. It keeps the ledger of a folder source and the
// announcer's outbox.
package jsonfile

import (
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
	// The rename itself is durable only once the folder is synced.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
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

// LedgerStore keeps a ledger in one file.
//
// One file rather than an embedded database: a ledger is written only by
// a reload that changed something, whole and atomically, read once at
// start, and stays small enough (about 0.5 KB a talk: 50 MB at 100,000
// talks) to rewrite in well under the time the reload itself takes; in
// return it needs no locking, no schema and no compaction, and it can be
// read, diffed, backed up and reset with a text editor or rm.
type LedgerStore struct {
	Path string
}

// Load reads the ledger; a missing file is a new, empty ledger. A file
// that does not decode is an error wrapping ErrCorrupt.
func (s LedgerStore) Load() (*talkfeed.Ledger, error) {
	l := talkfeed.NewLedger()
	if _, err := Read(s.Path, l); err != nil {
		return nil, err
	}
	return l, nil
}

// Save writes the ledger atomically.
func (s LedgerStore) Save(l *talkfeed.Ledger) error { return Write(s.Path, l) }

// SetAside renames a corrupt file out of the way, keeping it for a look,
// and returns its new name.
func (s LedgerStore) SetAside(now time.Time) (string, error) {
	aside := s.Path + ".corrupt-" + now.UTC().Format("20060102T150405Z")
	return aside, os.Rename(s.Path, aside)
}
