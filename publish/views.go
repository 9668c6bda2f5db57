package publish

import (
	"errors"
	"path"
	"slices"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/internal/lru"
)

// ErrNotFound is returned by View for a path that has no output.
var ErrNotFound = errors.New("not found")

// defaultViewCacheSize bounds the views a tree keeps when Options do not.
const defaultViewCacheSize = 256

// viewCache keeps the views rendered on demand for one tree, bounded;
// concurrent requests for a view not yet cached share one render.
type viewCache struct {
	files  *lru.Cache[string, *File]
	render singleflight.Group
	// compressing holds a place while a view is compressed in the
	// background: one at a time, so that many new filters cost one core
	// at most, and a view that finds it taken keeps its quick gzip.
	compressing chan struct{}
}

func newViewCache(size int) *viewCache {
	if size <= 0 {
		size = defaultViewCacheSize
	}
	return &viewCache{files: lru.New[string, *File](size), compressing: make(chan struct{}, 1)}
}

// get returns the view cached at key, rendering it on a miss.
func (c *viewCache) get(key string, render func() (File, error)) (*File, error) {
	if f, ok := c.files.Get(key); ok {
		return f, nil
	}
	v, err, _ := c.render.Do(key, func() (any, error) {
		if f, ok := c.files.Get(key); ok {
			return f, nil // rendered while this call waited its turn
		}
		f, err := render()
		if err != nil {
			return nil, err
		}
		if f.joined && len(f.Body) >= lazyAbove {
			// A large view of a lazy tree is served at once with its
			// gzip from pieces (18 MB of feed took 30 ms more to
			// compress), then compressed whole behind the request.
			c.files.Put(key, &f)
			c.compressLater(key, f)
			return &f, nil
		}
		newCompressor().compress(&f)
		c.files.Put(key, &f)
		return &f, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*File), nil
}

// compressLater compresses the view cached at key in the background and
// caches the result, unless another is being compressed.
func (c *viewCache) compressLater(key string, f File) {
	select {
	case c.compressing <- struct{}{}:
	default:
		return
	}
	go func() {
		defer func() { <-c.compressing }()
		newCompressor().compress(&f)
		if cur, ok := c.files.Get(key); ok && cur.ETag == f.ETag {
			c.files.Put(key, &f)
		}
	}()
}

// cached is the number of views the tree keeps.
func (c *viewCache) cached() int { return c.files.Len() }

// View returns the output a request for p asks for on day (midnight UTC):
//   - the subscribe page ("" or index.html) as of day, which sorts
//     upcoming from past talks, so it is rendered once per day;
//   - with a filter f (query its canonical form, "" for none), a view
//     file of the root or a category folder showing the talks f selects;
//     an upcoming view is of day, so every replica serves the same view
//     on the same day;
//   - else the tree's file at p.
//
// Views rendered on demand are cached with the tree. A feed's limit keeps
// the newest-announced items, a calendar's the earliest talks.
func (t *Tree) View(p string, f talkfeed.Filter, query string, day time.Time) (*File, error) {
	if p == "" || p == IndexPath {
		if day.Equal(t.today) {
			return t.fileOrNotFound(IndexPath)
		}
		return t.views.get(IndexPath+"#"+day.Format(time.DateOnly), func() (File, error) {
			return t.r.renderIndex(t.cat.Events(), day)
		})
	}
	if query == "" {
		return t.fileOrNotFound(p)
	}
	dir, name := path.Split(p)
	format, ok := formatNamed(name)
	if !ok {
		return t.fileOrNotFound(p)
	}
	site := t.r.o.Site
	title, desc := site.Title, description(site, "")
	if dir != "" {
		slug, ok := categoryOfDir(dir)
		c, known := t.categories[slug]
		if !ok || !known {
			return nil, ErrNotFound
		}
		f.Categories = append(slices.Clone(f.Categories), c)
		title, desc = title+": "+c, description(site, c)
	}
	key := p + "?" + query
	if f.Upcoming {
		f.Now = day
		key += "#" + day.Format(time.DateOnly)
	}
	limit := f.Limit
	if format.Feed {
		// A feed's limit keeps the newest-announced, not the earliest.
		f.Limit = 0
		if limit == 0 {
			limit = t.r.o.FeedLimit
		}
	}
	return t.views.get(key, func() (File, error) {
		v := folderView(dir, title, desc, f.Apply(t.cat), limit)
		v.tombstones = matching(f, t.r.o.Tombstones)
		v.query = query
		return t.r.render(v, format)
	})
}

func (t *Tree) fileOrNotFound(p string) (*File, error) {
	if f, ok := t.File(p); ok {
		return f, nil
	}
	return nil, ErrNotFound
}
