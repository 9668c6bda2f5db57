package ical

import (
	"encoding/json"
	"testing"

	"github.com/talkfeed/talkfeed/internal/fixtures"
)

// BenchmarkCalendar renders 10,000 talks as one calendar. The baseline is
// encoding/json of the same events in the same run: compare ratios.
func BenchmarkCalendar(b *testing.B) {
	evs := fixtures.Generated(b, 10000)
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
