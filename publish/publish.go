// Package publish maps a catalog to the URL tree that talkfeed serves and
// writes: every output's path, bytes (plain and precompressed), content
// type, ETag and modification time. It is the one place that knows the
// tree, so `talkfeed build` and `talkfeed serve` can never disagree.
package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/feeds"
	"github.com/talkfeed/talkfeed/ical"
	"github.com/talkfeed/talkfeed/pages"
)

// Options configure the tree.
type Options struct {
	Site      talkfeed.Site
	Generator string
	// Version is the software's version, for PRODID.
	Version string
	// TTL is how long clients may cache an output: the reload interval.
	TTL time.Duration
	// DefaultDuration and DefaultDays are a talk's length in calendars
	// when its page gives no end (see ical.Options).
	DefaultDuration time.Duration
	DefaultDays     int
	// FeedLimit keeps the newest-announced FeedLimit items per feed; 0
	// keeps all.
	FeedLimit int
	// Assets are static files published beside the outputs at their own
	// paths (the demo content's images); nil for none.
	Assets fs.FS
	// Hub is the WebSub hub the feeds name; "" for none.
	Hub string
	// Changes, newest last, make the change feed (changes.rss, .atom,
	// .json); nil writes none.
	Changes []talkfeed.Change
	// Tombstones are removed talks still in their grace period, as
	// cancelled events: every calendar that held one (all talks, its
	// category's, its own) cancels it. Feeds do not list them.
	Tombstones []talkfeed.Event
	// Lazy leaves the large outputs rendered now uncompressed, for
	// Compressed to fill in after the tree is served: a reload serves its
	// new bytes at once, and its compressed forms a moment later.
	Lazy bool
	// Deferred leaves the views that a reload must render anew (the
	// feeds and calendars of every talk and of each category, the change
	// feeds, the subscribe page) to be rendered on first use (File.
	// Rendered): a reload publishes its new talk pages and calendars at
	// once, and the large views that hold the talk a moment later, or
	// when a client first asks, whichever comes first. A view whose
	// render fails serves the one it replaces. For a daemon, with Lazy.
	Deferred bool
	// PrecompressFrom leaves the files smaller than it uncompressed: a
	// static host, CDN or nginx (gzip on) compresses those as it serves
	// them, and at 10,000 talks the .gz and .br of each talk's page and
	// calendar were 40,000 of the 60,000 files build wrote. 0 compresses
	// every file (the daemon serves every coding from memory).
	PrecompressFrom int
	// Previous is the tree served before, if any: its outputs whose inputs
	// are unchanged are taken as they are, compressed forms and all,
	// instead of being rendered and compressed again.
	Previous *Tree
	// Today is the day the subscribe page (index.html) sorts upcoming from
	// past talks by. It is required: the tree never reads the clock, so
	// the same content and day give the same bytes.
	Today time.Time
	// ViewCacheSize bounds the views rendered on demand (filtered views,
	// other days' subscribe pages) kept with the tree; 0 means 256.
	ViewCacheSize int
	// Redirects map a moved talk's old page URL to its current one, both
	// absolute as in talkfeed.Event.PageURL; nil for none. Build keeps
	// those whose old URL is under the base URL, is no output of the tree
	// and is not the new page, and that every host format can state (see
	// Tree.Redirects).
	Redirects map[string]string
}

// File is one output of the tree.
type File struct {
	// Path is relative to the base URL, without a leading slash:
	// "feed.rss", "category/fast-data/feed.atom".
	Path        string
	ContentType string
	Body        []byte
	// Gzip and Brotli are Body compressed once, at build time; nil when
	// compression would not pay (images).
	Gzip, Brotli []byte
	// ETag is strong and quoted, a digest of Body. The compressed forms
	// are other representations and have their own (ETagFor).
	ETag string
	// Modified is the newest change among the file's talks; zero when
	// unknown (assets).
	Modified time.Time

	// key is what the file was rendered from (reuse.go); zero for the
	// views rendered on demand.
	key inputKey
	// pending is a file left for Compressed.
	pending bool
	// joined says Gzip is the quick form put together from pieces
	// (gzjoin), until Compressed compresses the whole: a little larger,
	// other bytes, so another ETag.
	joined bool
	// deferred renders the file on first use (Options.Deferred); nil
	// for a file rendered when built. Copies of the file share it.
	deferred *deferredFile
}

// deferredFile is a file of a deferred tree, rendered once on first use
// by whoever asks first (a request, or the daemon right after
// publishing); those who ask meanwhile wait for it.
type deferredFile struct {
	once sync.Once
	// render is dropped once it ran: what it holds (the catalog, the
	// renderer) would otherwise stay alive with every tree that takes
	// the file.
	render func() (File, error)
	done   atomic.Pointer[File]
	err    error
	// fallback is the file the tree served before at the path, as
	// rendered (never itself deferred, so trees do not chain): served
	// when the render fails, as a failed reload keeps the last good
	// snapshot. Nil for none, and once rendered.
	fallback atomic.Pointer[File]
	// view is a view of many talks (rendered first by Render).
	view bool
}

// Rendered returns the file with its bytes and ETag: f itself, or, for a
// file of a deferred tree, the file once rendered (rendering it now if
// no one has). A render that failed gives its error, and the file the
// previous tree had at the path when there was one.
func (f *File) Rendered() (*File, error) {
	d := f.deferred
	if d == nil {
		return f, nil
	}
	d.once.Do(func() {
		rf, err := d.render()
		d.render = nil
		if err != nil {
			d.err = err
			d.done.Store(d.fallback.Load())
		} else {
			d.done.Store(&rf)
		}
		d.fallback.Store(nil)
	})
	return d.done.Load(), d.err
}

// Deferred reports whether the file waits to be rendered on first use.
func (f *File) Deferred() bool { return f.deferred != nil && f.deferred.done.Load() == nil }

// asRendered is what a next tree may fall back on at this file's path:
// the file as rendered, or, while it is not, what it falls back on.
func (f *File) asRendered() *File {
	if d := f.deferred; d != nil {
		if rf := d.done.Load(); rf != nil {
			return rf
		}
		if fb := d.fallback.Load(); fb != nil {
			return fb
		}
		return d.done.Load() // rendered between the two looks
	}
	return f
}

// lazyAbove is the size from which a lazy build leaves a file for later:
// below it compressing costs less than a millisecond.
const lazyAbove = 64 << 10

// later reports whether a file just rendered is left for Compressed
// rather than compressed now: in a lazy build, when it is large, or one
// of many (a first load), and compressing it pays.
func (o *Options) later(f *File, many bool) bool {
	return o.Lazy && (len(f.Body) >= lazyAbove || many) && compressible(f.ContentType) && len(f.Body) >= minCompress
}

// lazyManyFiles is how many new files a lazy build compresses at once:
// beyond it (a first load), it leaves them all for later. At 10,000
// talks the 20,000 talk pages and calendars took 3 s to compress.
const lazyManyFiles = 256

// Pending is the number of files a lazy build left uncompressed.
func (t *Tree) Pending() int { return t.pending }

// Compressed returns the tree with the files a lazy build left
// uncompressed compressed, on all cores but one; t itself stays as it is, so
// it can be served meanwhile. When ctx ends first it returns, with ctx's
// error, the tree with the files done so far: a later build carries the
// rest.
func (t *Tree) Compressed(ctx context.Context) (*Tree, error) {
	c := *t
	c.files = slices.Clone(t.files)
	var todo []*File
	for i := range c.files {
		if c.files[i].pending {
			todo = append(todo, &c.files[i])
		}
	}
	var mu sync.Mutex
	// All cores but one: the snapshot is served meanwhile, and the next
	// reload must not wait for a core.
	onWorkers(ctx, runtime.GOMAXPROCS(0)-1, todo, newCompressor, func(comp *compressor, f *File) {
		if f.deferred != nil {
			rf, _ := f.Rendered()
			if rf == nil {
				return // failed with nothing to fall back on: requests say so
			}
			*f = *rf
			if !f.pending { // small: compressed as it was rendered
				mu.Lock()
				c.pending--
				mu.Unlock()
				return
			}
		}
		if comp.compressCtx(ctx, f) {
			mu.Lock()
			f.pending = false
			c.pending--
			mu.Unlock()
		}
	})
	return &c, ctx.Err()
}

// Render renders the files of a deferred tree that wait for their first
// use, on all cores but one (the tree is served meanwhile, and requests
// for one of them wait for its render, not for all), until done or ctx
// ends. It returns how many it rendered.
func (t *Tree) Render(ctx context.Context) int {
	var todo []*File
	for i := range t.files {
		if t.files[i].Deferred() {
			todo = append(todo, &t.files[i])
		}
	}
	// The views first: every subscriber's client asks for one.
	slices.SortStableFunc(todo, func(a, b *File) int {
		switch {
		case a.deferred.view == b.deferred.view:
			return 0
		case a.deferred.view:
			return -1
		}
		return 1
	})
	var n atomic.Int64
	onWorkers(ctx, runtime.GOMAXPROCS(0)-1, todo, func() struct{} { return struct{}{} }, func(_ struct{}, f *File) {
		if rf, _ := f.Rendered(); rf != nil {
			n.Add(1)
		}
	})
	return int(n.Load())
}

// Encodings of a file's representations.
const (
	Identity = ""
	Gzip     = "gzip"
	Brotli   = "br"
)

// ETagFor returns the ETag of one representation: the digest of the plain
// bytes, marked for a compressed form.
func (f *File) ETagFor(encoding string) string {
	switch encoding {
	case Gzip:
		if f.joined {
			return strings.TrimSuffix(f.ETag, `"`) + `-gzj"`
		}
		return strings.TrimSuffix(f.ETag, `"`) + `-gz"`
	case Brotli:
		return strings.TrimSuffix(f.ETag, `"`) + `-br"`
	}
	return f.ETag
}

// ContentTags are the ETags of every representation of the file's
// content, served now or not: the plain bytes', and each compressed
// form's, the quick gzip from pieces as well as the whole (another
// replica, or this one a moment ago, may have served either). A client
// holding any of them holds this content.
func (f *File) ContentTags() []string {
	base := strings.TrimSuffix(f.ETag, `"`)
	return []string{f.ETag, base + `-gz"`, base + `-gzj"`, base + `-br"`}
}

// Tree is every output of one catalog, in path order, plus what it takes
// to render the views that depend on a request or a day (View).
type Tree struct {
	files      []File
	index      map[string]int
	cat        *talkfeed.Catalog
	r          *renderer
	categories map[string]string // slug → category as spelled
	today      time.Time         // the day index.html was rendered for
	views      *viewCache
	pending    int // files left for Compressed
	// Only while building: the tree to take unchanged outputs from, what
	// every output depends on, and each talk's key.
	prev       *Tree
	base       inputKey
	keys       eventKeys
	redirects  []Redirect        // by old path
	redirectAt map[string]string // old tree path → new URL
}

// ChangedFeeds returns the URLs of the feeds of t that are new or differ
// from those of old (nil for none): what a WebSub hub must hear about.
func (t *Tree) ChangedFeeds(old *Tree) []string {
	var out []string
	for i := range t.files {
		f := &t.files[i]
		if !isFeedFile(f.Path) {
			continue
		}
		if old != nil {
			// The same inputs are the same bytes; other inputs may be
			// too (the subscribe page's list of categories reaches no
			// feed): the bytes tell, rendering a deferred view.
			if prev, ok := old.File(f.Path); ok && (prev.key == f.key || sameBytes(prev, f)) {
				continue
			}
		}
		out = append(out, t.r.base+f.Path)
	}
	return out
}

// sameBytes reports whether two files have the same bytes, by their
// ETags, rendering deferred ones.
func sameBytes(a, b *File) bool {
	ra, err := a.Rendered()
	if err != nil || ra == nil {
		return false
	}
	rb, err := b.Rendered()
	return err == nil && rb != nil && ra.ETag == rb.ETag
}

// isFeedFile reports whether p is a feed (a WebSub topic): a view
// folder's feeds and the change feeds.
func isFeedFile(p string) bool {
	if format, ok := formatNamed(path.Base(p)); ok {
		return format.Feed
	}
	return RouteOf(p) == RouteChanges
}

// Files returns the outputs in path order. Callers must not modify them.
func (t *Tree) Files() []File { return t.files }

// File returns the output at path.
func (t *Tree) File(path string) (*File, bool) {
	i, ok := t.index[path]
	if !ok {
		return nil, false
	}
	return &t.files[i], true
}

// Catalog is the catalog the tree was built from.
func (t *Tree) Catalog() *talkfeed.Catalog { return t.cat }

// Build renders and compresses every output of the catalog.
func Build(cat *talkfeed.Catalog, o Options) (*Tree, error) {
	if o.Today.IsZero() {
		return nil, errors.New("publish: Options.Today is required (the day the subscribe page is rendered for)")
	}
	assets, err := readAssets(o.Assets)
	if err != nil {
		return nil, err
	}
	static, err := readAssets(pages.Static())
	if err != nil {
		return nil, err
	}
	for p, body := range static {
		assets[assetsRoot+p] = body
	}
	t := &Tree{index: map[string]int{}, cat: cat, categories: map[string]string{}, today: o.Today, views: newViewCache(o.ViewCacheSize),
		prev: o.Previous, keys: eventKeys{}}
	t.r = newRenderer(o, assets, cat)
	if o.Changes != nil {
		t.r.po.ChangesURL = t.r.base + ChangesBase
	}
	assetSums := sumAssets(assets)
	t.base = rendererKey(o, t.r, assetSums)
	// Feed items rendered for the tree served are this tree's when
	// nothing they depend on beyond their talk changed.
	var prevItems *feeds.Fragments
	if o.Previous != nil && o.Previous.base == t.base {
		prevItems = o.Previous.r.fo.Fragments
	}
	t.r.fo.Fragments = feeds.NewFragments(prevItems)
	var prevEvents *ical.Kept
	if o.Previous != nil && o.Previous.base == t.base {
		prevEvents = o.Previous.r.co.Kept
	}
	t.r.co.Kept = ical.NewKept(prevEvents)
	var prevLines *pages.Lines
	if o.Previous != nil && o.Previous.base == t.base {
		prevLines = o.Previous.r.po.Lines
	}
	t.r.po.Lines = pages.NewLines(prevLines)
	// Nothing of the old tree stays alive: each tree kept its previous
	// through its renderer's options, so a daemon kept every snapshot it
	// ever served (the soak: 1.4 GB after 591 reloads).
	t.r.o.Previous = nil
	defer func() { t.prev, t.keys = nil, nil }()
	// Every output is an output job, keyed first, then rendered (or taken
	// from the previous tree) on every core, in order.
	var jobs []outputJob
	add := func(p, contentType string, key inputKey, render func() (File, error)) error {
		jobs = append(jobs, outputJob{path: p, key: key, render: render, contentType: contentType})
		return nil
	}
	addView := func(v view, f *Format) error {
		r := t.r // not t: a deferred render holds what it captures
		jobs = append(jobs, outputJob{path: v.file(f), key: t.viewKey(v, f), render: func() (File, error) { return r.render(v, f) }, contentType: f.ContentType, view: true})
		return nil
	}
	for _, v := range t.folderViews() {
		for _, f := range formats {
			if err := addView(v, f); err != nil {
				return nil, err
			}
		}
	}
	if o.Changes != nil {
		v := changesView(o, lastChanged(cat.Events()))
		for _, f := range formats {
			if f.Feed {
				if err := addView(v, f); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := t.addTalks(add, jobs); err != nil {
		return nil, err
	}
	index := newKeyer("index", o.Today.Format(time.DateOnly)).key(t.base)
	for i := range cat.Events() {
		index.key(t.keys.of(&cat.Events()[i]))
	}
	r, evs, today := t.r, cat.Events(), o.Today // not o: it holds the previous tree
	jobs = append(jobs, outputJob{path: IndexPath, key: index.sum(), render: func() (File, error) { return r.renderIndex(evs, today) }, contentType: TypeHTML, view: true})
	for p, body := range assets {
		sum := assetSums[p]
		if err := add(p, "", newKeyer("asset", p, string(sum[:])).sum(), func() (File, error) {
			return newFile(p, assetType(p), body, time.Time{}), nil
		}); err != nil {
			return nil, err
		}
	}
	fresh, err := t.run(jobs)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(t.files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	for i, f := range t.files {
		if _, dup := t.index[f.Path]; dup {
			return nil, fmt.Errorf("two outputs at %s", f.Path)
		}
		t.index[f.Path] = i
	}
	t.addRedirects(o.Redirects)
	// Compressed now: what was rendered now (the large files later when
	// lazy, and all of them when many: a daemon's first load serves
	// before it compresses), and what the previous tree had left.
	manyFresh := len(fresh) > lazyManyFiles
	var toCompress []*File
	for i := range t.files {
		f := &t.files[i]
		switch {
		case !fresh[f.Path] && !f.pending:
		case f.deferred != nil:
			// Rendered on first use, compressed once rendered.
			f.pending = true
			t.pending++
		case len(f.Body) < o.PrecompressFrom:
			f.pending = false
		case o.later(f, manyFresh):
			f.pending = true
			t.pending++
		default:
			f.pending = false
			toCompress = append(toCompress, f)
		}
	}
	compressAll(toCompress)
	return t, nil
}

// folderViews are the views published in folders: every talk at the
// root, then each category's talks in its folder. A category whose last
// talk was removed keeps its folder while the tombstone lasts, so that
// its subscribers hear of the cancellation.
func (t *Tree) folderViews() []view {
	site, cat, tombs := t.r.o.Site, t.cat, t.r.o.Tombstones
	root := folderView("", site.Title, description(site, ""), cat.Events(), t.r.o.FeedLimit)
	root.tombstones = tombs
	out := []view{root}
	categories := cat.Categories()
	for _, e := range tombs {
		if e.Category != "" && !slices.ContainsFunc(categories, func(c string) bool { return talkfeed.CategorySlug(c) == talkfeed.CategorySlug(e.Category) }) {
			categories = append(categories, e.Category)
		}
	}
	slices.SortStableFunc(categories, func(a, b string) int { return strings.Compare(talkfeed.CategorySlug(a), talkfeed.CategorySlug(b)) })
	for _, c := range categories {
		t.categories[talkfeed.CategorySlug(c)] = c
		f := talkfeed.Filter{Categories: []string{c}}
		v := folderView(CategoryPath(c), site.Title+": "+c, description(site, c), cat.InCategory(c), t.r.o.FeedLimit)
		v.tombstones = matching(f, tombs)
		out = append(out, v)
	}
	return out
}

// matching are the events f selects.
func matching(f talkfeed.Filter, evs []talkfeed.Event) []talkfeed.Event {
	f.Limit = 0
	var out []talkfeed.Event
	for i := range evs {
		if f.Match(&evs[i]) {
			out = append(out, evs[i])
		}
	}
	return out
}

// changesView is the change feed: each change as an item of its own,
// dated by the newest change, or, before any, by the snapshot's.
func changesView(o Options, snapshot time.Time) view {
	evs := make([]talkfeed.Event, len(o.Changes))
	for i := range o.Changes {
		evs[i] = o.Changes[i].AsEvent()
	}
	return view{
		file:        func(f *Format) string { return ChangesBase + "." + f.Ext() },
		title:       o.Site.Title + ": what changed",
		description: "New, rescheduled, moved, cancelled and removed talks of " + o.Site.Title,
		events:      evs,
		updated:     snapshot,
		noEventICS:  true,
	}
}

// addTalks adds each talk's own calendar and page through add. A page
// whose permalink lands on another output, or on a path reserved for one
// (reservedPath), gets talks/<id>/ instead.
func (t *Tree) addTalks(add func(p, contentType string, key inputKey, render func() (File, error)) error, before []outputJob) error {
	r := t.r
	taken := make(map[string]bool, len(before)+2*t.cat.Len())
	for _, j := range before {
		taken[j.path] = true
	}
	for e := range talksAndTombstones(t.cat.Events(), r.o.Tombstones) {
		p := EventICSPath(e.ID)
		taken[p] = true
		err := add(p, TypeICS, newKeyer("ics", p).key(t.base).key(t.keys.of(e)).sum(), func() (File, error) {
			body, err := ical.Calendar(ical.View{SelfURL: r.base + p, Name: e.Title, Description: e.Summary, Events: []talkfeed.Event{*e}}, r.co)
			if err != nil {
				return File{}, fmt.Errorf("%s: %w", p, err)
			}
			return newFile(p, TypeICS, body, e.LastChanged().UTC().Truncate(time.Second)), nil
		})
		if err != nil {
			return err
		}
	}
	evs := t.cat.Events()
	for i := range evs {
		e := &evs[i]
		p := TalkPagePath(r.base, e)
		if taken[p] || reservedPath(p) != "" {
			p = fallbackTalkPagePath(e)
		}
		taken[p] = true
		err := add(p, TypeHTML, newKeyer("page", p).key(t.base).key(t.keys.of(e)).sum(), func() (File, error) {
			body, err := pages.Talk(e, r.po)
			if err != nil {
				return File{}, fmt.Errorf("%s: %w", p, err)
			}
			return newFile(p, TypeHTML, body, e.LastChanged().UTC().Truncate(time.Second)), nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// talksAndTombstones yields each talk, then each tombstone, in place:
// neither slice changes while the tree is built or served.
func talksAndTombstones(talks, tombstones []talkfeed.Event) iter.Seq[*talkfeed.Event] {
	return func(yield func(*talkfeed.Event) bool) {
		for _, evs := range [2][]talkfeed.Event{talks, tombstones} {
			for i := range evs {
				if !yield(&evs[i]) {
					return
				}
			}
		}
	}
}

// outputJob is one output to take from the previous tree or render.
type outputJob struct {
	path   string
	key    inputKey
	render func() (File, error)
	// contentType is the output's, known before it is rendered for the
	// outputs a deferred tree may render on first use ("" for assets).
	contentType string
	// view is a view of many talks: a deferred tree renders those on
	// first use, and on a first build (nothing to reuse) every talk's
	// own page and calendar too.
	view bool
}

// run carries out the jobs on every core into t.files, in job order, and
// returns the paths rendered now (to compress). The first error in job
// order wins.
func (t *Tree) run(jobs []outputJob) (map[string]bool, error) {
	files := make([]File, len(jobs))
	reused := make([]bool, len(jobs))
	errs := make([]error, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				files[i], reused[i], errs[i] = t.output(jobs[i])
			}
		})
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	fresh := make(map[string]bool, len(jobs))
	for i := range files {
		if !reused[i] {
			fresh[files[i].Path] = true
		}
	}
	t.files = append(t.files, files...)
	return fresh, nil
}

// renderIndex renders the subscribe page of the talks as of a day.
func (r *renderer) renderIndex(evs []talkfeed.Event, day time.Time) (File, error) {
	body, err := pages.Index(evs, day, r.po)
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", IndexPath, err)
	}
	return newFile(IndexPath, TypeHTML, body, lastChanged(evs)), nil
}

func newRenderer(o Options, assets map[string][]byte, cat *talkfeed.Catalog) *renderer {
	base := o.Site.BaseURL
	subscriptions := []pages.Feed{subscription("All talks", base)}
	for _, c := range cat.Categories() {
		subscriptions = append(subscriptions, subscription(c, base+CategoryPath(c)))
	}
	length := talkfeed.DefaultLength{Duration: o.DefaultDuration, Days: o.DefaultDays}
	return &renderer{
		po: pages.Options{
			Site:          o.Site,
			Feeds:         subscriptions,
			EventICS:      func(e *talkfeed.Event) string { return base + EventICSPath(e.ID) },
			DefaultLength: length,
		},
		o:    o,
		base: base,
		fo: feeds.Options{
			Site:      o.Site,
			Generator: o.Generator,
			TTL:       o.TTL,
			Hub:       o.Hub,
			EventICS:  func(e *talkfeed.Event) string { return base + EventICSPath(e.ID) },
			ImageLength: func(imageURL string) int64 {
				if rel, ok := strings.CutPrefix(imageURL, base); ok {
					return int64(len(assets[rel]))
				}
				return 0
			},
		},
		co: ical.Options{
			Site: o.Site, Version: o.Version, Refresh: o.TTL,
			DefaultLength: length,
		},
	}
}

// subscription is the page's offer of the view folder at dir (a URL).
func subscription(name, dir string) pages.Feed {
	f := pages.Feed{Name: name}
	for _, format := range formats {
		u := dir + format.Name
		switch format.ContentType {
		case TypeRSS:
			f.RSS = u
		case TypeAtom:
			f.Atom = u
		case TypeJSON:
			f.JSON = u
		case TypeICS:
			f.ICS = u
		}
	}
	return f
}

func newFile(p, contentType string, body []byte, modified time.Time) File {
	sum := sha256.Sum256(body)
	return File{
		Path: p, ContentType: contentType, Body: body,
		ETag:     `"` + hex.EncodeToString(sum[:16]) + `"`,
		Modified: modified,
	}
}

// lastChanged is the newest change among the talks, to the second.
func lastChanged(evs []talkfeed.Event) time.Time {
	var t time.Time
	for i := range evs {
		if c := evs[i].LastChanged(); c.After(t) {
			t = c
		}
	}
	return t.UTC().Truncate(time.Second)
}

// compressors are kept for the files rendered one at a time (deferred
// views, views on demand): making one allocates over a megabyte.
var compressors = sync.Pool{New: func() any { return newCompressor() }}

// compressNow compresses one file with a kept compressor.
func compressNow(f *File) {
	c := compressors.Get().(*compressor)
	c.compress(f)
	compressors.Put(c)
}

// compressAll compresses the files on every core.
func compressAll(files []*File) {
	onWorkers(context.Background(), runtime.GOMAXPROCS(0), files, newCompressor, (*compressor).compress)
}

// onWorkers hands each item to one of n workers (at least one), each
// with its own state from start, until every item is handed out or ctx
// ends, and returns once the workers are done.
func onWorkers[T, S any](ctx context.Context, n int, items []T, start func() S, do func(S, T)) {
	jobs := make(chan T)
	var wg sync.WaitGroup
	for range max(1, n) {
		wg.Go(func() {
			state := start()
			for item := range jobs {
				do(state, item)
			}
		})
	}
	defer func() {
		close(jobs)
		wg.Wait()
	}()
	for _, item := range items {
		// Looked at first: a select picks at random among what is ready.
		if ctx.Err() != nil {
			return
		}
		select {
		case jobs <- item:
		case <-ctx.Done():
			return
		}
	}
}

func description(s talkfeed.Site, category string) string {
	d := s.Description
	if d == "" {
		d = "Talks from " + s.Title
	}
	if category != "" {
		d += " — " + category
	}
	return d
}

// maxAssetBytes bounds one asset, like every other input.
const maxAssetBytes = 8 << 20

// readAssets reads every file of fsys by path.
func readAssets(fsys fs.FS) (map[string][]byte, error) {
	out := map[string][]byte{}
	if fsys == nil {
		return out, nil
	}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Size() > maxAssetBytes {
			return fmt.Errorf("asset %s is over %d bytes", p, maxAssetBytes)
		}
		body, err := fs.ReadFile(fsys, p)
		out[p] = body
		return err
	})
	return out, err
}

// assetType is an asset's content type by extension, from a fixed table
// so that every machine serves the same headers.
func assetType(p string) string {
	switch strings.ToLower(path.Ext(p)) {
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".gif":
		return "image/gif"
	case ".webp":
		return "image/webp"
	case ".svg":
		return "image/svg+xml"
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".html":
		return TypeHTML
	}
	return "application/octet-stream"
}
