package talkfeed_test

import (
	"testing"

	"github.com/talkfeed/talkfeed"
)

func TestEventCategories(t *testing.T) {
	e := talkfeed.Event{Category: "Fast Data", EventName: "Kafka Meetup", Tags: []string{"fast-data", "", "Kafka", "kafka meetup", "Streams"}}
	got := e.Categories()
	want := []string{"Fast Data", "Kafka Meetup", "Kafka", "Streams"}
	if len(got) != len(want) {
		t.Fatalf("Categories() = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Categories() = %q, want %q", got, want)
		}
	}
	if got := (&talkfeed.Event{}).Categories(); len(got) != 0 {
		t.Errorf("a talk filed under nothing: %q", got)
	}
}
