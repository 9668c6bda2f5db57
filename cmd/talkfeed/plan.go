package main

import (
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/publish"
	"github.com/talkfeed/talkfeed/source"
)

// lastPublished is what the snapshot served now was made from: what the
// next plan compares with.
type lastPublished struct {
	tree   *publish.Tree
	digest [32]byte
	events int
	// ledger is what subscribers were told, as of that snapshot.
	ledger *talkfeed.Ledger
}

// plan is what one reload would publish.
type plan struct {
	res *source.Result
	// tree is the new snapshot; nil when nothing changed.
	tree   *publish.Tree
	digest [32]byte
	// ledger is the ledger the tree was rendered from, news the changes
	// this reload found in it.
	ledger *talkfeed.Ledger
	news   []talkfeed.Change
}

// planInput is one load and what it is observed against.
type planInput struct {
	res *source.Result
	// base is the ledger the load is observed onto, at its time (the
	// reload's, or a git source's fetched commit's); key names base
	// beyond its content (a git head), "" when base is the last
	// published ledger itself.
	base *talkfeed.Ledger
	at   time.Time
	key  string
	// grace keeps a removed talk's tombstone.
	grace time.Duration
}

// planSnapshot decides what a load publishes, given the last snapshot: a
// load with no talks where there were some is refused, one where nothing
// changed keeps the snapshot served (when one is), anything else is
// observed into a new ledger and rendered from it. It has no side
// effects: the ledger of last stays as it was.
func planSnapshot(last lastPublished, in planInput, opts publish.Options, serving bool) (plan, error) {
	p := plan{res: in.res, digest: contentDigest(in.res, in.key, opts.Today)}
	if len(in.res.Events) == 0 && last.events > 0 {
		return p, errEmptySnapshot(last.events)
	}
	if p.digest == last.digest && serving {
		return p, nil
	}
	base := in.base
	if base == nil {
		base = talkfeed.NewLedger()
	}
	o := observe(base, in.res, in.at, opts.Today, in.grace, &opts)
	// Outputs whose inputs are unchanged are taken from the snapshot
	// served: a reload renders and compresses what changed.
	opts.Previous = last.tree
	tree, err := publish.Build(o.catalog, opts)
	if err != nil {
		return plan{res: in.res}, err
	}
	p.tree, p.ledger, p.news = tree, o.ledger, o.news
	return p, nil
}

// published is what the plan's snapshot, once served, was made from.
func (p plan) published() lastPublished {
	return lastPublished{tree: p.tree, digest: p.digest, events: len(p.res.Events), ledger: p.ledger}
}

// contentDigest identifies what a plan renders from: every page's path,
// bytes and URL, the base ledger's key and the day (which ends
// tombstones). Equal digests render equal snapshots.
func contentDigest(res *source.Result, key string, day time.Time) [32]byte {
	h := sha256.New()
	b := make([]byte, 0, 512)
	b = append(append(append(append(b, key...), 0), day.Format(time.DateOnly)...), 0)
	for i := range res.Events {
		e := &res.Events[i]
		b = append(append(append(append(append(append(b, e.Source.Path...), 0), e.Source.Hash...), 0), e.PageURL...), 0)
		if len(b) > 256 {
			h.Write(b)
			b = b[:0]
		}
	}
	h.Write(b)
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// errEmptySnapshot is a load that would publish no talks where there
// were some: a typo or a missing mount, never what subscribers should
// see. It is the source's failure.
func errEmptySnapshot(had int) error {
	return sourceFailed(fmt.Errorf("the source has no talks now (it had %d); refusing to publish an empty snapshot", had))
}
