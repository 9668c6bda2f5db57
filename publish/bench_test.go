package publish

import (
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/internal/fixtures"
)

// BenchmarkBuild renders and compresses the whole tree of 1,000 talks;
// BenchmarkCompress compresses the same tree's files alone, in the same
// run: the difference is what rendering costs.
func BenchmarkBuild(b *testing.B) {
	cat := talkfeed.NewCatalog(fixtures.Generated(b, 1000))
	o := Options{Site: talkfeed.Site{Title: "Bench", BaseURL: "https://talks.example/"}, TTL: 5 * time.Minute, Today: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)}
	for b.Loop() {
		if _, err := Build(cat, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompress(b *testing.B) {
	cat := talkfeed.NewCatalog(fixtures.Generated(b, 1000))
	o := Options{Site: talkfeed.Site{Title: "Bench", BaseURL: "https://talks.example/"}, TTL: 5 * time.Minute, Today: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)}
	tree, err := Build(cat, o)
	if err != nil {
		b.Fatal(err)
	}
	files := make([]File, len(tree.Files()))
	ptrs := make([]*File, len(files))
	for b.Loop() {
		for i, f := range tree.Files() {
			f.Gzip, f.Brotli = nil, nil
			files[i] = f
			ptrs[i] = &files[i]
		}
		compressAll(ptrs)
	}
}
