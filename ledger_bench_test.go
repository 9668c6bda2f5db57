package talkfeed_test

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
)

func benchTalks(n int) []talkfeed.Event {
	evs := make([]talkfeed.Event, n)
	for i := range evs {
		evs[i] = talkfeed.Event{
			ID: fmt.Sprintf("2027/talk-%06d", i), Title: fmt.Sprintf("Talk %d about streams", i),
			Summary: "A talk about streaming data at scale, with a demo.", BodyHTML: "<p>A talk about streaming data at scale, with a demo and questions.</p>",
			Start: day("2027-01-01").Add(time.Duration(i) * time.Hour), TimeZone: "UTC", Location: "Leeds, UK", Category: "Streams",
			Speakers: []talkfeed.Speaker{{Name: "Ann Example", Affiliation: "Acme"}}, PageURL: fmt.Sprintf("https://t.example/events/2027/talk-%06d/", i),
		}
	}
	return evs
}

// BenchmarkLedgerObserve is a reload's ledger work at 10,000 talks: one
// edited (the digests of all, the index, the copy), beside the floor of
// only digesting them, and that digest beside encoding/json's.
func BenchmarkLedgerObserve(b *testing.B) {
	evs := benchTalks(10000)
	l, _ := talkfeed.NewLedger().Observe(evs, importAt)
	// The baseline: the same digest through encoding/json, as a
	// reflection-based digest would take it.
	b.Run("baseline-json-digest", func(b *testing.B) {
		for b.Loop() {
			for i := range evs {
				data, _ := json.Marshal(&evs[i])
				sha256.Sum256(data)
			}
		}
	})
	b.Run("digest-only", func(b *testing.B) {
		for b.Loop() {
			for i := range evs {
				talkfeed.ContentDigest(&evs[i])
			}
		}
	})
	b.Run("observe-one-edit", func(b *testing.B) {
		n := 0
		for b.Loop() {
			n++
			evs[0].Location = fmt.Sprint("Room ", n)
			l.Observe(evs, laterAt.Add(time.Duration(n)*time.Second))
		}
	})
}
