package feeds

import (
	"sync"

	"github.com/talkfeed/talkfeed"
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
	prev, cur map[string][]byte
}

// NewFragments starts a generation that takes what prev has (nil for
// none).
func NewFragments(prev *Fragments) *Fragments {
	f := &Fragments{cur: map[string][]byte{}}
	if prev != nil {
		prev.mu.Lock()
		f.prev = prev.cur
		prev.mu.Unlock()
	}
	return f
}

func (f *Fragments) get(format string, it item, render func() ([]byte, error)) ([]byte, error) {
	if f == nil {
		return render()
	}
	key := format + "\x00" + talkfeed.OutputKey(it.ev)
	f.mu.Lock()
	b, ok := f.cur[key]
	if !ok {
		b, ok = f.prev[key]
	}
	f.mu.Unlock()
	if !ok {
		var err error
		if b, err = render(); err != nil {
			return nil, err
		}
	}
	f.mu.Lock()
	f.cur[key] = b
	f.mu.Unlock()
	return b, nil
}
