package main

import (
	"strings"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/demo"
	"github.com/talkfeed/talkfeed/publish"
	"github.com/talkfeed/talkfeed/source"
)

func TestPlanSnapshot(t *testing.T) {
	o := publish.Options{Site: talkfeed.Site{Title: "T", BaseURL: "https://talks.example/"}, Today: demo.Anchor}
	a := talkAt("a", "Alpha", "Go", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	a.Source.Hash = "1"
	load := func(evs ...talkfeed.Event) planInput {
		return planInput{res: &source.Result{Events: evs}, base: announcerLedger(), at: announceNow}
	}
	after := func(last lastPublished, evs ...talkfeed.Event) planInput {
		in := load(evs...)
		in.base = last.ledger
		return in
	}

	// The first load, with no state: published, no changes to tell.
	first, err := planSnapshot(lastPublished{}, load(a), o, false)
	if err != nil || first.tree == nil || len(first.news) != 1 || first.news[0].Kind != talkfeed.ChangeNew {
		t.Fatalf("first: %v, tree %v, news %v", err, first.tree != nil, first.news)
	}
	if _, ok := first.tree.File(publish.ChangesBase + ".rss"); !ok {
		t.Error("no change feed, even an empty one")
	}
	last := first.published()

	// The same pages again: nothing to publish.
	same, err := planSnapshot(last, after(last, a), o, true)
	if err != nil || same.tree != nil {
		t.Errorf("unchanged: %v, tree %v", err, same.tree != nil)
	}
	// Unless nothing is served yet (the first load failed after it).
	if again, _ := planSnapshot(last, after(last, a), o, false); again.tree == nil {
		t.Error("unchanged pages with nothing served published nothing")
	}

	// A moved talk: a new snapshot with the change, dated by the reload.
	moved := a
	moved.Location, moved.Source.Hash = "Lisbon", "2"
	in := after(last, moved)
	in.at = announceNow.Add(time.Hour)
	next, err := planSnapshot(last, in, o, true)
	if err != nil || next.tree == nil || len(next.news) != 1 || next.news[0].Kind != talkfeed.ChangeMoved || !next.news[0].At.Equal(in.at) {
		t.Fatalf("moved: %v, news %+v", err, next.news)
	}
	if len(next.ledger.Changes()) != 2 || next.published().events != 1 || next.ledger.Stamp("a").Version != 1 {
		t.Errorf("change feed %v", next.ledger.Changes())
	}
	if last.ledger.Stamp("a").Version != 0 {
		t.Error("the plan changed the ledger it was given")
	}

	// No talks where there were some: refused, and the last stays.
	empty, err := planSnapshot(next.published(), after(next.published()), o, true)
	if err == nil || !strings.Contains(err.Error(), "refusing to publish an empty snapshot") || empty.tree != nil || empty.res == nil {
		t.Errorf("empty: %v, tree %v", err, empty.tree != nil)
	}
	// No talks ever is no refusal: an empty site is a site.
	if none, err := planSnapshot(lastPublished{}, load(), o, false); err != nil || none.tree == nil {
		t.Errorf("a site with no talks yet: %v", err)
	}

	// A render that fails keeps nothing of its plan.
	bad := o
	bad.Today = time.Time{}
	if p, err := planSnapshot(lastPublished{}, load(a), bad, false); err == nil || p.tree != nil {
		t.Errorf("a failed render: %v", err)
	}
}
