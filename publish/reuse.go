package publish

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"maps"
	"slices"
	"time"

	"github.com/talkfeed/talkfeed"
)

// inputKey identifies everything an output is rendered from: the options
// that reach it, and the content and ledger stamp of each talk in it. An
// output of the previous tree with the same path and key has the same
// bytes, so a reload takes it, compressed forms and all, instead of
// rendering and compressing it again: a reload costs what changed.
type inputKey [sha256.Size]byte

// keyer writes values into a key unambiguously: each with its length.
type keyer struct{ h hash.Hash }

func newKeyer(parts ...string) keyer {
	k := keyer{h: sha256.New()}
	for _, p := range parts {
		k.str(p)
	}
	return k
}

func (k keyer) str(s string) keyer {
	var n [binary.MaxVarintLen64]byte
	k.h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
	k.h.Write([]byte(s))
	return k
}

func (k keyer) key(ik inputKey) keyer { k.h.Write(ik[:]); return k }

func (k keyer) sum() inputKey {
	var out inputKey
	k.h.Sum(out[:0])
	return out
}

// rendererKey is what every output of a tree depends on beyond its
// talks: the options, the subscriptions the pages offer and the assets
// (feeds give an image's length).
func rendererKey(o Options, r *renderer, assetSums map[string][sha256.Size]byte) inputKey {
	k := newKeyer(fmt.Sprintf("%#v", o.Site), o.Generator, o.Version, o.TTL.String(), o.DefaultDuration.String(),
		fmt.Sprint(o.DefaultDays), fmt.Sprint(o.FeedLimit), o.Hub, fmt.Sprintf("%#v", r.po.Feeds), r.po.ChangesURL)
	for _, p := range slices.Sorted(maps.Keys(assetSums)) {
		sum := assetSums[p]
		k.str(p).str(string(sum[:]))
	}
	return k.sum()
}

// sumAssets digests each asset once per build: the renderer's key and
// each asset's own key both take it.
func sumAssets(assets map[string][]byte) map[string][sha256.Size]byte {
	out := make(map[string][sha256.Size]byte, len(assets))
	for p, body := range assets {
		out[p] = sha256.Sum256(body)
	}
	return out
}

// eventKeys keys each talk by its ID, its content and its stamp.
type eventKeys map[string]inputKey

func (ks eventKeys) of(e *talkfeed.Event) inputKey {
	if k, ok := ks[e.ID]; ok {
		return k
	}
	k := newKeyer(talkfeed.OutputKey(e)).sum()
	ks[e.ID] = k
	return k
}

// viewKey is a view's output in a format.
func (t *Tree) viewKey(v view, f *Format) inputKey {
	k := newKeyer("view", f.Name, v.file(f), v.title, v.description, v.query, fmt.Sprint(v.limit),
		v.updated.Format(time.RFC3339), fmt.Sprint(v.noEventICS)).key(t.base)
	for i := range v.events {
		k.key(t.keys.of(&v.events[i]))
	}
	k.str("tombstones")
	for i := range v.tombstones {
		k.key(t.keys.of(&v.tombstones[i]))
	}
	return k.sum()
}

// output returns the previous tree's file at the job's path when its key
// is the job's, else renders it (or, for a view of a deferred tree,
// leaves it to render on first use); either way the file carries the
// key. reused says which.
func (t *Tree) output(j outputJob) (f File, reused bool, err error) {
	var old *File
	if t.prev != nil {
		old, _ = t.prev.File(j.path)
	}
	if old != nil && old.key == j.key {
		return *old, true, nil
	}
	render := func() (File, error) {
		f, err := j.render()
		f.key = j.key
		return f, err
	}
	// A first build defers every talk's own files too: a daemon's first
	// load serves before it renders (at 100,000 talks, 200,000 files).
	if t.r.o.Deferred && j.contentType != "" && (j.view || t.prev == nil) {
		// Rendered later, and then compressed as a build compresses
		// what it rendered: at once when small, else after (pending).
		o := &Options{Lazy: t.r.o.Lazy, PrecompressFrom: t.r.o.PrecompressFrom} // not all of it: it holds the previous tree
		d := &deferredFile{view: j.view, render: func() (File, error) {
			f, err := render()
			switch {
			case err != nil, len(f.Body) < o.PrecompressFrom:
			case o.later(&f, false):
				f.pending = true
				if len(f.Body) < gzipNowBelow {
					gzipNow(&f)
				}
			default:
				compressNow(&f)
			}
			return f, err
		}}
		if old != nil {
			d.fallback.Store(old.asRendered())
		}
		return File{Path: j.path, ContentType: j.contentType, key: j.key, deferred: d}, false, nil
	}
	f, err = render()
	return f, false, err
}
