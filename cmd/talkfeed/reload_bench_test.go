package main

import (
	"context"
	"fmt"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/demo"
	"github.com/talkfeed/talkfeed/internal/fixtures"
	"github.com/talkfeed/talkfeed/publish"
	"github.com/talkfeed/talkfeed/source"
)

// BenchmarkReloadOneEdit is a reload after one page's title changed at
// 10,000 talks, until its new bytes can be served: the ledger's
// observation and the lazy tree built on the one served (compression
// follows in the background). Its baseline, in the same run, is the cold
// build of the same talks, which is what every reload cost before
// outputs were reused.
func BenchmarkReloadOneEdit(b *testing.B) {
	evs := fixtures.Generated(b, 10000)
	for i := range evs {
		evs[i].Source.Hash = fmt.Sprint(i)
	}
	o := publish.Options{Site: talkfeed.Site{Title: "Bench", BaseURL: "https://talks.example/"}, TTL: 5 * time.Minute, Today: demo.Anchor, Changes: []talkfeed.Change{}}
	at := demo.Anchor.Add(12 * time.Hour)
	first, err := planSnapshot(lastPublished{}, planInput{res: &source.Result{Events: evs}, base: talkfeed.NewLedger(), at: at}, o, false)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("baseline-cold", func(b *testing.B) {
		for b.Loop() {
			if _, err := planSnapshot(lastPublished{}, planInput{res: &source.Result{Events: evs}, base: talkfeed.NewLedger(), at: at}, o, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("one-edit", func(b *testing.B) {
		lazy := o
		lazy.Lazy, lazy.Deferred = true, true // as the daemon plans: views rendered and compressed after serving
		last, n := first.published(), 0
		for b.Loop() {
			n++
			evs[0].Title, evs[0].Source.Hash = fmt.Sprint("Edited ", n), fmt.Sprint("edit", n)
			// Labelled, with the goroutines it starts: a CPU profile of
			// the benchmark shows the reload apart from the cold build
			// before it (go tool pprof -tagfocus reload=one-edit).
			pprof.Do(context.Background(), pprof.Labels("reload", "one-edit"), func(context.Context) {
				p, err := planSnapshot(last, planInput{res: &source.Result{Events: evs}, base: last.ledger, at: at.Add(time.Duration(n) * time.Second)}, lazy, true)
				if err != nil || p.tree == nil {
					b.Fatal(err)
				}
				last = p.published()
			})
		}
	})
}
