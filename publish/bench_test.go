package publish

import (
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/internal/fixtures"
)

// BenchmarkBuild renders and compresses the whole tree of 1,000 talks.
// The baseline is the same tree without compression, in the same run.
func BenchmarkBuild(b *testing.B) {
	cat := talkfeed.NewCatalog(fixtures.Generated(b, 1000))
	o := Options{Site: talkfeed.Site{Title: "Bench", BaseURL: "https://talks.example/"}, TTL: 5 * time.Minute, Today: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)}
	b.Run("render-only", func(b *testing.B) {
		for b.Loop() {
			if _, err := build(cat, o, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("render-and-compress", func(b *testing.B) {
		for b.Loop() {
			if _, err := Build(cat, o); err != nil {
				b.Fatal(err)
			}
		}
	})
}
