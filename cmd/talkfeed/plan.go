package main

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/publish"
	"github.com/talkfeed/talkfeed/source"
)

// maxChanges bounds the change feed.
const maxChanges = 100

// lastPublished is what the snapshot served now was made from: what the
// next plan compares with.
type lastPublished struct {
	tree   *publish.Tree
	digest [32]byte
	events int
	// known are the talks as last published, changes what happened to
	// them since the process (or its state file) began, newest last.
	known   map[string]talkfeed.Fingerprint
	changes []talkfeed.Change
}

// plan is what one reload would publish.
type plan struct {
	res *source.Result
	// tree is the new snapshot; nil when the source is unchanged.
	tree   *publish.Tree
	digest [32]byte
	// news are the changes this reload found; changes the whole change
	// feed with them; known the talks it publishes.
	news    []talkfeed.Change
	changes []talkfeed.Change
	known   map[string]talkfeed.Fingerprint
}

// planSnapshot decides what a load publishes, given the last snapshot: a
// load with no talks where there were some is refused, an unchanged one
// keeps the snapshot served (when one is), anything else is rendered
// with the changes it brings, dated at. It has no side effects.
func planSnapshot(last lastPublished, res *source.Result, opts publish.Options, at time.Time, serving bool) (plan, error) {
	p := plan{res: res, digest: contentDigest(res)}
	if len(res.Events) == 0 && last.events > 0 {
		return p, errEmptySnapshot(last.events)
	}
	if p.digest == last.digest && serving {
		return p, nil
	}
	cat := talkfeed.NewCatalog(res.Events)
	if last.known != nil {
		p.news = talkfeed.Diff(last.known, cat, at)
	}
	p.changes = append(slices.Clone(last.changes), p.news...)
	if len(p.changes) > maxChanges {
		p.changes = p.changes[len(p.changes)-maxChanges:]
	}
	opts.Changes = p.changes
	if opts.Changes == nil {
		opts.Changes = []talkfeed.Change{} // an empty change feed, not none
	}
	tree, err := publish.Build(cat, opts)
	if err != nil {
		return plan{res: res}, err
	}
	p.tree, p.known = tree, talkfeed.Fingerprints(cat)
	return p, nil
}

// published is what the plan's snapshot, once served, was made from.
func (p plan) published() lastPublished {
	return lastPublished{tree: p.tree, digest: p.digest, events: len(p.res.Events), known: p.known, changes: p.changes}
}

// contentDigest identifies what a load produced: every page's path and
// bytes. Equal digests render equal snapshots.
func contentDigest(res *source.Result) [32]byte {
	h := sha256.New()
	for _, e := range res.Events {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00", e.Source.Path, e.Source.Hash, e.PageURL)
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// errEmptySnapshot is a load that would publish no talks where there
// were some: a typo or a missing mount, never what subscribers should
// see.
func errEmptySnapshot(had int) error {
	return fmt.Errorf("the source has no talks now (it had %d); refusing to publish an empty snapshot", had)
}
