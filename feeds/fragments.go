package feeds

import (
	"sync"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/internal/generation"
	"github.com/talkfeed/talkfeed/internal/gzjoin"
)

// Fragments keeps each talk's rendered item per format, so that a talk
// in many feeds (all talks, its category, filtered views) and in the next
// reload's feeds is rendered once: a feed is then its items' bytes put
// together. The items depend on the Options as well as the talk: a
// generation must only follow one made with the same Options. A nil
// Fragments renders every item every time.
type Fragments = generation.Cache[*fragment]

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
func NewFragments(prev *Fragments) *Fragments { return generation.Next(prev) }

func fragmentOf(f *Fragments, format string, it item, render func() ([]byte, error)) (*fragment, error) {
	mk := func() (*fragment, error) {
		b, err := render()
		return &fragment{b: b}, err
	}
	if f == nil {
		return mk()
	}
	return f.Get(format+"\x00"+talkfeed.OutputKey(it.ev), mk)
}
