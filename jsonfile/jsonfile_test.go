package jsonfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
)

type record struct {
	Name  string    `json:"name"`
	Count int       `json:"count"`
	At    time.Time `json:"at"`
	Tags  []string  `json:"tags"`
}

// names lists a folder's entries.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestReadMissingFile(t *testing.T) {
	var v record
	found, err := Read(filepath.Join(t.TempDir(), "none.json"), &v)
	if found || err != nil {
		t.Errorf("Read of a missing file: %v, %v; want false, nil", found, err)
	}
}

func TestWriteThenRead(t *testing.T) {
	// Write makes the folder.
	path := filepath.Join(t.TempDir(), "a", "b", "state.json")
	in := record{Name: "outbox", Count: 3, At: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC), Tags: []string{"x", "y"}}
	if err := Write(path, in); err != nil {
		t.Fatal(err)
	}
	var out record
	if found, err := Read(path, &out); !found || err != nil {
		t.Fatalf("Read: %v, %v", found, err)
	}
	if out.Name != in.Name || out.Count != in.Count || !out.At.Equal(in.At) || !slices.Equal(out.Tags, in.Tags) {
		t.Errorf("read back %+v, wrote %+v", out, in)
	}
	// A second write replaces the file whole.
	if err := Write(path, record{Name: "second"}); err != nil {
		t.Fatal(err)
	}
	out = record{}
	if found, err := Read(path, &out); !found || err != nil || out.Name != "second" || out.Count != 0 || out.Tags != nil {
		t.Errorf("after a second write: %v, %v, %+v", found, err, out)
	}
}

func TestReadCorruptFile(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"truncated.json": `{"name":"outbox","cou`,
		"empty.json":     ``,
		"garbage.json":   "\x00\x01not json",
		"wrong.json":     `{"count":"three"}`,
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		var v record
		found, err := Read(path, &v)
		if found || !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, %v; want false and ErrCorrupt", name, found, err)
		} else if !bytes.Contains([]byte(err.Error()), []byte(path)) {
			t.Errorf("%s: the error does not name the file: %v", name, err)
		}
	}
}

// An error reading a file that is there is no ErrCorrupt: it is not
// the file's content that is wrong.
func TestReadUnreadableIsNotCorrupt(t *testing.T) {
	dir := t.TempDir() // a folder is not a file
	var v record
	if found, err := Read(dir, &v); found || err == nil || errors.Is(err, ErrCorrupt) {
		t.Errorf("Read of a folder: %v, %v", found, err)
	}
}

func TestWriteLeavesNoTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	for i := range 20 {
		if err := Write(path, record{Count: i}); err != nil {
			t.Fatal(err)
		}
	}
	if got := names(t, dir); !slices.Equal(got, []string{"state.json"}) {
		t.Errorf("the folder holds %q", got)
	}
	// A value that does not encode writes nothing, and keeps the file.
	if err := Write(path, map[string]any{"f": func() {}}); err == nil {
		t.Error("a function encoded")
	}
	// A file that cannot be renamed into place (a folder is there)
	// leaves no temporary file behind either.
	if err := os.Mkdir(filepath.Join(dir, "taken"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "taken", "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(filepath.Join(dir, "taken"), record{}); err == nil {
		t.Error("wrote over a folder")
	}
	if got := names(t, dir); !slices.Equal(got, []string{"state.json", "taken"}) {
		t.Errorf("after failed writes the folder holds %q", got)
	}
	var v record
	if found, err := Read(path, &v); !found || err != nil || v.Count != 19 {
		t.Errorf("the last good file: %v, %v, %+v", found, err, v)
	}
}

// testLedger is a ledger that has seen something: an import, then a
// move and a new talk.
func testLedger(t *testing.T) *talkfeed.Ledger {
	t.Helper()
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	a := talkfeed.Event{ID: "a", Title: "Alpha", Start: time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC), Location: "Berlin", PageURL: "https://talks.example/a/"}
	l, _ := talkfeed.NewLedger().Observe([]talkfeed.Event{a}, at)
	a.Location = "Lisbon"
	b := talkfeed.Event{ID: "b", Title: "Beta", Start: time.Date(2027, 1, 1, 18, 0, 0, 0, time.UTC), PageURL: "https://talks.example/b/"}
	l, news := l.Observe([]talkfeed.Event{a, b}, at.Add(time.Hour))
	if len(news) != 2 {
		t.Fatalf("changes %+v", news)
	}
	return l
}

func TestLedgerStoreLoadMissing(t *testing.T) {
	s := &LedgerStore{Path: filepath.Join(t.TempDir(), "ledger.json")}
	l, err := s.Load()
	if err != nil || l == nil || l.Len() != 0 || len(l.Changes()) != 0 {
		t.Fatalf("Load of a missing ledger: %v, %v", l, err)
	}
}

func TestLedgerStoreSaveLoad(t *testing.T) {
	s := &LedgerStore{Path: filepath.Join(t.TempDir(), "state", "ledger.json")}
	l := testLedger(t)
	if err := s.Save(l); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got.Len() != 2 || len(got.Changes()) != 2 || got.Stamp("a") != l.Stamp("a") || got.Stamp("b") != l.Stamp("b") {
		t.Errorf("loaded %d talks, %d changes, stamps %+v %+v", got.Len(), len(got.Changes()), got.Stamp("a"), got.Stamp("b"))
	}
	// Equal ledgers store equal bytes: saving what was loaded rewrites
	// the file as it was.
	before, _ := os.ReadFile(s.Path)
	if err := s.Save(got); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(s.Path)
	if !bytes.Equal(before, after) || !json.Valid(after) {
		t.Errorf("a ledger saved again stored other bytes:\n%s\n%s", before, after)
	}
	// The loaded ledger goes on as the saved one would: the same next
	// observation gives the same ledger.
	next := func(l *talkfeed.Ledger) []byte {
		n, _ := l.Observe(nil, time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
		b, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if a, b := next(l), next(got); !bytes.Equal(a, b) {
		t.Errorf("the loaded ledger observes otherwise:\n%s\n%s", a, b)
	}
}

func TestLedgerStoreCorruptAndSetAside(t *testing.T) {
	dir := t.TempDir()
	s := &LedgerStore{Path: filepath.Join(dir, "ledger.json")}
	corrupt := []byte(`{"talks":{"a":{"version":"one"}}}`)
	if err := os.WriteFile(s.Path, corrupt, 0o644); err != nil {
		t.Fatal(err)
	}
	if l, err := s.Load(); !errors.Is(err, ErrCorrupt) || l != nil {
		t.Fatalf("Load of a corrupt ledger: %v, %v", l, err)
	}
	now := time.Date(2026, 11, 24, 13, 0, 0, 0, time.FixedZone("CET", 3600))
	aside, err := s.SetAside(now)
	if err != nil {
		t.Fatal(err)
	}
	if want := s.Path + ".corrupt-20261124T120000Z"; aside != want {
		t.Errorf("set aside as %s, want %s (UTC)", aside, want)
	}
	if b, err := os.ReadFile(aside); err != nil || !bytes.Equal(b, corrupt) {
		t.Errorf("the file set aside: %v %q", err, b)
	}
	if _, err := os.Stat(s.Path); !os.IsNotExist(err) {
		t.Errorf("the corrupt file is still in place: %v", err)
	}
	// With the file aside, the store starts afresh.
	if l, err := s.Load(); err != nil || l.Len() != 0 {
		t.Errorf("Load after SetAside: %v, %v", l, err)
	}
	// Nothing to set aside is an error, and no file appears.
	if _, err := s.SetAside(now.Add(time.Second)); err == nil {
		t.Error("SetAside of a missing file succeeded")
	}
	if got := names(t, dir); !slices.Equal(got, []string{filepath.Base(aside)}) {
		t.Errorf("the folder holds %q", got)
	}
}
