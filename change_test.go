package talkfeed_test

import (
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
)

func TestDiff(t *testing.T) {
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	before := talkfeed.Fingerprints(sampleCatalog())
	evs := sampleCatalog().Events()
	changed := make([]talkfeed.Event, len(evs))
	copy(changed, evs)
	changed[0].Status = talkfeed.StatusCancelled       // a: cancelled
	changed[1].Start = changed[1].Start.Add(time.Hour) // b: rescheduled
	changed[1].End = changed[1].End.Add(time.Hour)     // (same change)
	changed[2].Location = "Leeds, UK"                  // c: moved
	changed[3].Title = "D, renamed"                    // d: nothing subscribers act on
	changed = append(changed, talkfeed.Event{ID: "e", Title: "E", Start: day("2020-06-01"), AllDay: true})
	got := talkfeed.Diff(before, talkfeed.NewCatalog(changed), at)
	want := []struct {
		id   string
		kind talkfeed.ChangeKind
	}{{"a", talkfeed.ChangeCancelled}, {"b", talkfeed.ChangeRescheduled}, {"c", talkfeed.ChangeMoved}, {"e", talkfeed.ChangeNew}}
	if len(got) != len(want) {
		t.Fatalf("%d changes: %+v", len(got), got)
	}
	for i, w := range want {
		if got[i].ID != w.id || got[i].Kind != w.kind || !got[i].At.Equal(at) {
			t.Errorf("change %d: %s %s, want %s %s", i, got[i].ID, got[i].Kind, w.id, w.kind)
		}
	}
	if got[1].Before.Start.Equal(got[1].Talk.Start) {
		t.Error("a rescheduling keeps the old time")
	}
	if len(talkfeed.Diff(talkfeed.Fingerprints(talkfeed.NewCatalog(changed)), talkfeed.NewCatalog(changed), at)) != 0 {
		t.Error("an unchanged catalog has changes")
	}
}
