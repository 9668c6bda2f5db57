package feeds

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/bench/pagegen"
	"github.com/talkfeed/talkfeed/source"
)

// BenchmarkRender renders 10,000 talks in each format. The baseline is
// encoding/json of the same events, measured in the same run: compare
// ratios, not times.
func BenchmarkRender(b *testing.B) {
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
	v := View{SelfURL: "https://talks.example/feed", HomeURL: "https://talks.example/", Title: "Bench", Events: talkfeed.NewCatalog(res.Events).Events()}
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
