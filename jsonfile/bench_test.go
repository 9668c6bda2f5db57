package jsonfile

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
)

// BenchmarkLedgerSave is the store's part of a reload that edited one
// talk (a journal line, synced), beside its baseline: writing the whole
// ledger as one file, as a store without a journal would on every save.
func BenchmarkLedgerSave(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		evs := journalTalks(n)
		l, _ := talkfeed.NewLedger().Observe(evs, journalStart)
		b.Run(fmt.Sprintf("%d/baseline-whole-file", n), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "ledger.json")
			for b.Loop() {
				if err := Write(path, l); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%d/one-edit", n), func(b *testing.B) {
			s := &LedgerStore{Path: filepath.Join(b.TempDir(), "ledger.json")}
			if err := s.Save(l); err != nil {
				b.Fatal(err)
			}
			cur, i := l, 0
			for b.Loop() {
				b.StopTimer()
				i++
				evs[i%n].Location = fmt.Sprint("Room ", i)
				cur, _ = cur.Observe(evs, journalStart.Add(time.Duration(i)*time.Second))
				b.StartTimer()
				if err := s.Save(cur); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
