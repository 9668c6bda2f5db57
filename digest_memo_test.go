package talkfeed

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// One instant in another zone is the same content, to the digest and to
// the comparison; a speaker's affiliation is content to both (the
// field-by-field agreement is in TestContentDigest).
func TestSameContentEdges(t *testing.T) {
	base := Event{ID: "a", Title: "A", Start: time.Date(2027, 1, 2, 18, 0, 0, 0, time.UTC), Speakers: []Speaker{{Name: "Ada"}}}
	var va, vb digestValues
	c := base
	c.Speakers = []Speaker{{Name: "Ada", Affiliation: "Engines"}}
	if sameContent(&base, &c, &va, &vb) {
		t.Error("a speaker's affiliation is not compared")
	}
	c.Start = base.Start.In(time.FixedZone("X", 3600))
	c.Speakers = base.Speakers
	if !sameContent(&base, &c, &va, &vb) || ContentDigest(&c) != ContentDigest(&base) {
		t.Error("one instant in another zone is other content")
	}
}

// The memo gives the digest ContentDigest gives, through edits, a tag
// changed in place (the memo keeps its own slices), removals and returns.
func TestDigestMemo(t *testing.T) {
	evs := make([]Event, 600)
	for i := range evs {
		evs[i] = Event{ID: fmt.Sprint(i), Title: fmt.Sprint("T", i), Tags: []string{"a", "b"}, Speakers: []Speaker{{Name: "S"}}}
	}
	m := &digestMemo{}
	check := func(what string) {
		t.Helper()
		got := m.digests(evs)
		for i := range evs {
			if want := ContentDigest(&evs[i]); got[i] != want {
				t.Fatalf("%s: talk %d has a stale digest", what, i)
			}
		}
	}
	check("first")
	check("unchanged")
	evs[3].Title = "edited"
	check("a title")
	evs[4].Tags[1] = "c"
	check("a tag in place")
	evs[5].Speakers[0].Name = "Other"
	check("a speaker in place")
	gone := evs[7]
	evs = slices.Delete(evs, 7, 8)
	check("a removal")
	gone.Title = "back, edited"
	evs = append(evs, gone)
	check("a return")
}
