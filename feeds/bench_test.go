package feeds

import (
	"encoding/json"
	"testing"

	"github.com/talkfeed/talkfeed/internal/fixtures"
)

// BenchmarkRender renders 10,000 talks in each format. The baseline is
// encoding/json of the same events, measured in the same run: compare
// ratios, not times.
func BenchmarkRender(b *testing.B) {
	evs := fixtures.Generated(b, 10000)
	v := View{SelfURL: "https://talks.example/feed", HomeURL: "https://talks.example/", Title: "Bench", Events: evs}
	o := testOptions()
	b.Run("baseline-json.Marshal", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(v.Events); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, r := range renderers {
		b.Run(r.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := r.render(v, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
