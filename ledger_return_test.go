package talkfeed_test

import (
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
)

// A talk that comes back after a removal keeps its announce time, unless
// a talk announced while it was away took that second: then it moves to
// the next free one, never sharing a feed item's date.
func TestLedgerReturnNeverSharesASecond(t *testing.T) {
	published := day("2026-10-01")
	a := talkfeed.Event{ID: "a", Title: "A", Start: day("2027-01-01"), AllDay: true, Published: published, PageURL: "https://t.example/a/"}
	b := talkfeed.Event{ID: "b", Title: "B", Start: day("2027-02-01"), AllDay: true, Published: published, PageURL: "https://t.example/b/"}
	l, _ := talkfeed.NewLedger().Observe([]talkfeed.Event{a}, importAt)
	l, _ = l.Observe(nil, importAt.Add(time.Hour))
	// b, new while a is away, is announced by its page: a's second.
	l, _ = l.Observe([]talkfeed.Event{b}, importAt.Add(2*time.Hour))
	if got := l.Stamp("b").Announced; !got.Equal(published) {
		t.Fatalf("b is announced at %v, want %v", got, published)
	}
	back, news := l.Observe([]talkfeed.Event{a, b}, importAt.Add(3*time.Hour))
	if len(news) != 1 || news[0].Kind != talkfeed.ChangeNew || news[0].ID != "a" {
		t.Fatalf("a's return: %+v", news)
	}
	if sa, sb := back.Stamp("a"), back.Stamp("b"); !sb.Announced.Equal(published) || !sa.Announced.Equal(published.Add(time.Second)) {
		t.Errorf("after a's return: a announced at %v, b at %v; want a a second after b's %v", sa.Announced, sb.Announced, published)
	}
	// With its second free, a returning talk keeps it.
	l, _ = talkfeed.NewLedger().Observe([]talkfeed.Event{a}, importAt)
	l, _ = l.Observe(nil, importAt.Add(time.Hour))
	if back, _ := l.Observe([]talkfeed.Event{a}, importAt.Add(2*time.Hour)); !back.Stamp("a").Announced.Equal(published) {
		t.Errorf("a back on its own: announced at %v, want %v", back.Stamp("a").Announced, published)
	}
}
