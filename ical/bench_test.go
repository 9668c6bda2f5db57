package ical

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/bench/pagegen"
	"github.com/talkfeed/talkfeed/source"
)

// BenchmarkCalendar renders 10,000 talks as one calendar. The baseline is
// encoding/json of the same events in the same run: compare ratios.
func BenchmarkCalendar(b *testing.B) {
	dir := b.TempDir()
	if err := pagegen.Write(dir, 10000, 1); err != nil {
		b.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer root.Close()
	l, _ := source.NewLoader(source.Options{})
	res, err := l.Load(context.Background(), root.FS())
	if err != nil || len(res.Events) != 10000 {
		b.Fatalf("load: %v, %d events", err, len(res.Events))
	}
	evs := talkfeed.NewCatalog(res.Events).Events()
	b.Run("baseline-json.Marshal", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(evs); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ics", func(b *testing.B) {
		for b.Loop() {
			if _, err := Calendar(View{Name: "Bench", Events: evs}, testOpts); err != nil {
				b.Fatal(err)
			}
		}
	})
}
