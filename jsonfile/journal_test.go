package jsonfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
)

var journalStart = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

func journalTalks(n int) []talkfeed.Event {
	evs := make([]talkfeed.Event, n)
	for i := range evs {
		evs[i] = talkfeed.Event{ID: fmt.Sprintf("t%04d", i), Title: fmt.Sprint("Talk ", i), AllDay: true,
			Start: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i), Location: "Leeds", PageURL: fmt.Sprintf("https://t.example/%d/", i)}
	}
	return evs
}

func encoded(t *testing.T, l *talkfeed.Ledger) string {
	t.Helper()
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A save appends what the reload changed, not the whole ledger, and
// loading the snapshot and its journal gives the ledger saved.
func TestJournalAppendsWhatChanged(t *testing.T) {
	s := &LedgerStore{Path: filepath.Join(t.TempDir(), "ledger.json")}
	evs := journalTalks(1000)
	l, _ := talkfeed.NewLedger().Observe(evs, journalStart)
	if err := s.Save(l); err != nil {
		t.Fatal(err)
	}
	snapshot, _ := os.Stat(s.Path)
	for i := range 5 {
		evs[i].Location = "Porto"
		l, _ = l.Observe(evs[:len(evs)-i], journalStart.Add(time.Duration(i+1)*time.Hour))
		if err := s.Save(l); err != nil {
			t.Fatal(err)
		}
	}
	journal, err := os.ReadFile(s.journalPath())
	if err != nil {
		t.Fatal(err)
	}
	if lines := bytes.Count(journal, []byte("\n")); lines != 5 || int64(len(journal)) > snapshot.Size()/20 {
		t.Errorf("journal: %d lines, %d bytes beside a %d-byte snapshot", lines, len(journal), snapshot.Size())
	}
	if after, _ := os.Stat(s.Path); !after.ModTime().Equal(snapshot.ModTime()) || after.Size() != snapshot.Size() {
		t.Error("the snapshot was rewritten for a small change")
	}
	back, err := (&LedgerStore{Path: s.Path}).Load()
	if err != nil {
		t.Fatal(err)
	}
	if encoded(t, back) != encoded(t, l) {
		t.Error("snapshot and journal load another ledger than the one saved")
	}
	// Nothing changed: nothing written.
	same, _ := l.Observe(evs[:len(evs)-4], journalStart.Add(10*time.Hour))
	if err := s.Save(same); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(s.journalPath()); !bytes.Equal(again, journal) {
		t.Error("an unchanged ledger appended to the journal")
	}
}

// Once the journal outgrows the snapshot, the next save writes a new
// snapshot of a new generation; old lines left by a crash before the
// journal went are skipped.
func TestJournalCompacts(t *testing.T) {
	s := &LedgerStore{Path: filepath.Join(t.TempDir(), "ledger.json"), minJournal: 1}
	evs := journalTalks(20)
	l, _ := talkfeed.NewLedger().Observe(evs, journalStart)
	if err := s.Save(l); err != nil {
		t.Fatal(err)
	}
	var oldLines []byte
	for i := range 40 {
		evs[i%20].Location = fmt.Sprint("Room ", i)
		l, _ = l.Observe(evs, journalStart.Add(time.Duration(i+1)*time.Minute))
		if b, err := os.ReadFile(s.journalPath()); err == nil && s.generation == 1 && len(b) > len(oldLines) {
			oldLines = b // of the first generation
		}
		if err := s.Save(l); err != nil {
			t.Fatal(err)
		}
	}
	if s.generation < 2 {
		t.Fatalf("never compacted: generation %d", s.generation)
	}
	// A crash between the new snapshot and the journal's removal: the
	// old generation's lines are there.
	current, _ := os.ReadFile(s.journalPath())
	if bytes.Contains(oldLines, []byte(fmt.Sprintf(`"generation":%d,`, s.generation))) {
		t.Fatal("the old lines are of the current generation")
	}
	if err := os.WriteFile(s.journalPath(), append(oldLines, current...), 0o640); err != nil {
		t.Fatal(err)
	}
	back, err := (&LedgerStore{Path: s.Path}).Load()
	if err != nil {
		t.Fatal(err)
	}
	if encoded(t, back) != encoded(t, l) {
		t.Error("old journal lines were read onto a newer snapshot")
	}
}

// A last line torn by a crash mid-append is dropped, and the next save
// starts a clean snapshot; a bad line before the end is corruption.
func TestJournalTornAndCorrupt(t *testing.T) {
	s := &LedgerStore{Path: filepath.Join(t.TempDir(), "ledger.json")}
	evs := journalTalks(10)
	l, _ := talkfeed.NewLedger().Observe(evs, journalStart)
	s.Save(l)
	evs[0].Location = "Porto"
	l1, _ := l.Observe(evs, journalStart.Add(time.Hour))
	s.Save(l1)
	good, _ := os.ReadFile(s.journalPath())
	evs[1].Location = "Lyon"
	l2, _ := l1.Observe(evs, journalStart.Add(2*time.Hour))
	s.Save(l2)
	full, _ := os.ReadFile(s.journalPath())
	torn := full[:len(good)+(len(full)-len(good))/2]
	os.WriteFile(s.journalPath(), torn, 0o640)

	r := &LedgerStore{Path: s.Path}
	back, err := r.Load()
	if err != nil || encoded(t, back) != encoded(t, l1) {
		t.Fatalf("a torn last line: %v", err)
	}
	if err := r.Save(l2); err != nil || r.generation != 2 {
		t.Errorf("after a torn line the next save writes a snapshot: %v, generation %d", err, r.generation)
	}
	if back, _ := (&LedgerStore{Path: s.Path}).Load(); encoded(t, back) != encoded(t, l2) {
		t.Error("the ledger after the torn line")
	}

	// Garbage before the last line is no crash's doing.
	os.WriteFile(s.journalPath(), append([]byte("{oops\n"), good...), 0o640)
	if _, err := (&LedgerStore{Path: s.Path}).Load(); !errors.Is(err, ErrCorrupt) {
		t.Errorf("a corrupt journal line: %v", err)
	}
}
