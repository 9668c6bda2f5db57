package feeds

import (
	"sync"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/internal/gzjoin"
)

// Fragments keeps each talk's rendered item per format, so that a talk
// in many feeds (all talks, its category, filtered views) and in the next
// reload's feeds is rendered once: a feed is then its items' bytes put
// together. Each generation keeps only the items asked for since the one
// before it, so it never grows past the talks of two snapshots. The
// items depend on the Options as well as the talk: a generation must
// only follow one made with the same Options. Safe for concurrent use; a
// nil Fragments renders every item every time.
type Fragments struct {
	mu        sync.Mutex
	prev, cur map[string]*fragment
}

// fragment is one item as it stands in a document, and, once a feed's
// gzip form asks for it, its compressed piece (gzjoin) with the
// separator before it.
type fragment struct {
	b     []byte
	once  sync.Once
	piece []byte
}

// gz is the fragment's compressed piece, sep and the item.
func (fr *fragment) gz(sep string) []byte {
	fr.once.Do(func() {
		fr.piece = gzjoin.Piece(append([]byte(sep), fr.b...))
	})
	return fr.piece
}

// NewFragments starts a generation that takes what prev has (nil for
// none).
func NewFragments(prev *Fragments) *Fragments {
	f := &Fragments{cur: map[string]*fragment{}}
	if prev != nil {
		prev.mu.Lock()
		f.prev = prev.cur
		prev.mu.Unlock()
	}
	return f
}

func (f *Fragments) get(format string, it item, render func() ([]byte, error)) (*fragment, error) {
	if f == nil {
		b, err := render()
		return &fragment{b: b}, err
	}
	key := format + "\x00" + talkfeed.OutputKey(it.ev)
	f.mu.Lock()
	fr, ok := f.cur[key]
	if !ok {
		fr, ok = f.prev[key]
	}
	f.mu.Unlock()
	if !ok {
		b, err := render()
		if err != nil {
			return nil, err
		}
		fr = &fragment{b: b}
	}
	f.mu.Lock()
	f.cur[key] = fr
	f.mu.Unlock()
	return fr, nil
}
