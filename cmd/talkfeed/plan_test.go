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
	load := func(evs ...talkfeed.Event) *source.Result { return &source.Result{Events: evs} }

	// The first load, with no state: published, no changes to tell.
	first, err := planSnapshot(lastPublished{}, load(a), o, announceNow, false)
	if err != nil || first.tree == nil || len(first.news) != 0 || first.changes != nil {
		t.Fatalf("first: %v, tree %v, news %v", err, first.tree != nil, first.news)
	}
	if _, ok := first.tree.File(publish.ChangesBase + ".rss"); !ok {
		t.Error("no change feed, even an empty one")
	}
	last := first.published()

	// The same pages again: nothing to publish.
	same, err := planSnapshot(last, load(a), o, announceNow, true)
	if err != nil || same.tree != nil {
		t.Errorf("unchanged: %v, tree %v", err, same.tree != nil)
	}
	// Unless nothing is served yet (the first load failed after it).
	if again, _ := planSnapshot(last, load(a), o, announceNow, false); again.tree == nil {
		t.Error("unchanged pages with nothing served published nothing")
	}

	// A moved talk: a new snapshot with the change, dated by the reload.
	moved := a
	moved.Location, moved.Source.Hash = "Lisbon", "2"
	next, err := planSnapshot(last, load(moved), o, announceNow, true)
	if err != nil || next.tree == nil || len(next.news) != 1 || next.news[0].Kind != talkfeed.ChangeMoved || !next.news[0].At.Equal(announceNow) {
		t.Fatalf("moved: %v, news %+v", err, next.news)
	}
	if len(next.changes) != 1 || next.published().events != 1 {
		t.Errorf("change feed %v", next.changes)
	}

	// No talks where there were some: refused, and the last stays.
	empty, err := planSnapshot(next.published(), load(), o, announceNow, true)
	if err == nil || !strings.Contains(err.Error(), "refusing to publish an empty snapshot") || empty.tree != nil || empty.res == nil {
		t.Errorf("empty: %v, tree %v", err, empty.tree != nil)
	}
	// No talks ever is no refusal: an empty site is a site.
	if none, err := planSnapshot(lastPublished{}, load(), o, announceNow, false); err != nil || none.tree == nil {
		t.Errorf("a site with no talks yet: %v", err)
	}

	// A render that fails keeps nothing of its plan.
	bad := o
	bad.Today = time.Time{}
	if p, err := planSnapshot(lastPublished{}, load(a), bad, announceNow, false); err == nil || p.tree != nil {
		t.Errorf("a failed render: %v", err)
	}
}
