// Package publish maps a catalog to the URL tree that talkfeed serves and
// writes: every output's path, bytes (plain and precompressed), content
// type, ETag and modification time. It is the one place that knows the
// tree, so `talkfeed build` and `talkfeed serve` can never disagree.
package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/feeds"
	"github.com/talkfeed/talkfeed/ical"
	"github.com/talkfeed/talkfeed/pages"
)

// Content types of the outputs, each with its charset.
const (
	TypeRSS  = "application/rss+xml; charset=utf-8"
	TypeAtom = "application/atom+xml; charset=utf-8"
	TypeJSON = "application/feed+json; charset=utf-8"
	TypeICS  = "text/calendar; charset=utf-8"
	TypeHTML = "text/html; charset=utf-8"
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
	// Today is the day the subscribe page (index.html) sorts upcoming from
	// past talks by. It is required: the tree never reads the clock, so
	// the same content and day give the same bytes.
	Today time.Time
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
		return strings.TrimSuffix(f.ETag, `"`) + `-gz"`
	case Brotli:
		return strings.TrimSuffix(f.ETag, `"`) + `-br"`
	}
	return f.ETag
}

// Tree is every output of one catalog, in path order, plus what it takes
// to render a filtered view or another day's subscribe page on demand.
type Tree struct {
	files      []File
	index      map[string]int
	cat        *talkfeed.Catalog
	r          *renderer
	categories map[string]string // slug → category as spelled
	today      time.Time         // the day index.html was rendered for
}

// IndexPath is the subscribe page, which depends on the date.
const IndexPath = "index.html"

// TalkPagePath is where a talk's own page is published: its page URL's
// path when the page URL is under the base URL (so the links in feeds and
// calendars resolve), else talks/<id>/.
func TalkPagePath(baseURL string, e *talkfeed.Event) string {
	rel, ok := strings.CutPrefix(e.PageURL, baseURL)
	if ok {
		// A path is served and written decoded: "東京", not "%E6%9D%B1".
		var err error
		if rel, err = url.PathUnescape(rel); err != nil {
			ok = false
		}
	}
	if !ok || rel == "" || strings.ContainsAny(rel, "?#\\") || strings.Contains(rel, "..") {
		return "talks/" + e.ID + "/index.html"
	}
	if strings.HasSuffix(rel, "/") {
		return rel + "index.html"
	}
	if path.Ext(rel) == "" {
		return rel + "/index.html"
	}
	return rel
}

// ChangedFeeds returns the URLs of the feeds of t that are new or differ
// from those of old (nil for none): what a WebSub hub must hear about.
func (t *Tree) ChangedFeeds(old *Tree) []string {
	var out []string
	for _, f := range t.files {
		switch path.Base(f.Path) {
		case "feed.rss", "feed.atom", "feed.json":
		default:
			continue
		}
		if old != nil {
			if prev, ok := old.File(f.Path); ok && prev.ETag == f.ETag {
				continue
			}
		}
		out = append(out, t.r.base+f.Path)
	}
	return out
}

// ChangesBase is the change feed's path without its extension.
const ChangesBase = "changes"

// IndexDay is the day the tree's own index.html was rendered for.
func (t *Tree) IndexDay() time.Time { return t.today }

// Index renders the subscribe page as of a day.
func (t *Tree) Index(today time.Time) (File, error) {
	body, err := pages.Index(t.cat.Events(), today, t.r.po)
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", IndexPath, err)
	}
	f := newFile(IndexPath, TypeHTML, body, lastChanged(t.cat.Events()))
	newCompressor().compress(&f)
	return f, nil
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

// EventICSPath is the path of a talk's own calendar.
func EventICSPath(id string) string { return "events/" + id + ".ics" }

// CategoryPath is the folder of a category's outputs, with a trailing
// slash.
func CategoryPath(category string) string { return "category/" + talkfeed.Slug(category) + "/" }

// viewFiles are the outputs of every view folder.
var viewFiles = map[string]string{
	"feed.rss": TypeRSS, "feed.atom": TypeAtom, "feed.json": TypeJSON, "calendar.ics": TypeICS,
}

// IsViewFile reports whether name is one of a view folder's outputs.
func IsViewFile(name string) bool { _, ok := viewFiles[name]; return ok }

// renderer renders the views of one site.
type renderer struct {
	o    Options
	base string
	fo   feeds.Options
	co   ical.Options
	po   pages.Options
}

// Build renders and compresses every output of the catalog.
func Build(cat *talkfeed.Catalog, o Options) (*Tree, error) { return build(cat, o, true) }

func build(cat *talkfeed.Catalog, o Options, precompress bool) (*Tree, error) {
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
		assets["assets/"+p] = body
	}
	t := &Tree{index: map[string]int{}, cat: cat, categories: map[string]string{}}

	views := []struct{ dir, title, desc string }{{"", o.Site.Title, description(o.Site, "")}}
	for _, c := range cat.Categories() {
		t.categories[talkfeed.Slug(c)] = c
		views = append(views, struct{ dir, title, desc string }{CategoryPath(c), o.Site.Title + ": " + c, description(o.Site, c)})
	}
	r := newRenderer(o, assets, cat)
	if o.Changes != nil {
		r.po.ChangesURL = r.base + ChangesBase
	}
	t.r = r
	for _, v := range views {
		evs := cat.Events()
		if v.dir != "" {
			evs = talkfeed.Filter{Categories: []string{t.categories[strings.TrimSuffix(strings.TrimPrefix(v.dir, "category/"), "/")]}}.Apply(cat)
		}
		for _, name := range []string{"feed.rss", "feed.atom", "feed.json", "calendar.ics"} {
			f, err := r.renderView(v.dir+name, name, "", v.title, v.desc, evs, o.FeedLimit)
			if err != nil {
				return nil, err
			}
			t.files = append(t.files, f)
		}
	}
	if o.Changes != nil {
		evs := make([]talkfeed.Event, len(o.Changes))
		for i := range o.Changes {
			evs[i] = o.Changes[i].AsEvent()
		}
		title := o.Site.Title + ": what changed"
		desc := "New, rescheduled, moved and cancelled talks of " + o.Site.Title
		for _, name := range []string{"feed.rss", "feed.atom", "feed.json"} {
			f, err := r.renderView(ChangesBase+path.Ext(name), name, "", title, desc, evs, 0)
			if err != nil {
				return nil, err
			}
			t.files = append(t.files, f)
		}
	}
	for _, e := range cat.Events() {
		p := EventICSPath(e.ID)
		body, err := ical.Calendar(ical.View{SelfURL: r.base + p, Name: e.Title, Description: e.Summary, Events: []talkfeed.Event{e}}, r.co)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		t.files = append(t.files, newFile(p, TypeICS, body, lastChanged([]talkfeed.Event{e})))
	}
	taken := make(map[string]bool, len(t.files))
	for _, f := range t.files {
		taken[f.Path] = true
	}
	for _, e := range cat.Events() {
		body, err := pages.Talk(&e, r.po)
		p := TalkPagePath(r.base, &e)
		if taken[p] || p == IndexPath {
			// A permalink onto another output must not take its place.
			p = "talks/" + e.ID + "/index.html"
		}
		taken[p] = true
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		t.files = append(t.files, newFile(p, TypeHTML, body, lastChanged([]talkfeed.Event{e})))
	}
	t.today = o.Today
	index, err := t.Index(o.Today)
	if err != nil {
		return nil, err
	}
	t.files = append(t.files, index)
	for p, body := range assets {
		t.files = append(t.files, newFile(p, assetType(p), body, time.Time{}))
	}
	slices.SortFunc(t.files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	for i, f := range t.files {
		if _, dup := t.index[f.Path]; dup {
			return nil, fmt.Errorf("two outputs at %s", f.Path)
		}
		t.index[f.Path] = i
	}
	if precompress {
		compressAll(t.files)
	}
	return t, nil
}

func newRenderer(o Options, assets map[string][]byte, cat *talkfeed.Catalog) *renderer {
	base := o.Site.BaseURL
	subscriptions := []pages.Feed{{Name: "All talks", Base: base}}
	for _, c := range cat.Categories() {
		subscriptions = append(subscriptions, pages.Feed{Name: c, Base: base + CategoryPath(c)})
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

// renderView renders one view of talks: p is the path it is published
// at, name the view file whose format it has ("feed.rss", …,
// "calendar.ics"), query the canonical query string of a filtered view
// ("" for the plain one). A feed keeps the newest `limit` items.
func (r *renderer) renderView(p, name, query, title, desc string, evs []talkfeed.Event, limit int) (File, error) {
	self := r.base + p
	if query != "" {
		self += "?" + query
	}
	var body []byte
	var err error
	if name == "calendar.ics" {
		body, err = ical.Calendar(ical.View{SelfURL: self, Name: title, Description: desc, Events: evs}, r.co)
	} else {
		fo := r.fo
		fo.Limit = limit
		v := feeds.View{SelfURL: self, HomeURL: r.base, Title: title, Description: desc, Events: evs}
		switch name {
		case "feed.rss":
			body, err = feeds.RSS(v, fo)
		case "feed.atom":
			body, err = feeds.Atom(v, fo)
		case "feed.json":
			body, err = feeds.JSON(v, fo)
		}
	}
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", p, err)
	}
	return newFile(p, viewFiles[name], body, lastChanged(evs)), nil
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

// ErrNotFound is returned by Render for a path that is no view.
var ErrNotFound = errors.New("not found")

// Render renders a filtered view on demand: path is a view file of the
// tree ("feed.rss", "category/kafka/calendar.ics"), f the filter the
// query asked for, query its canonical form for the self link. A feed
// keeps the newest f.Limit items; a calendar the first f.Limit talks.
func (t *Tree) Render(p string, f talkfeed.Filter, query string) (File, error) {
	dir, name := path.Split(p)
	if !IsViewFile(name) {
		return File{}, ErrNotFound
	}
	title, desc := t.r.o.Site.Title, description(t.r.o.Site, "")
	if dir != "" {
		slug, ok := strings.CutPrefix(dir, "category/")
		slug = strings.TrimSuffix(slug, "/")
		c, known := t.categories[slug]
		if !ok || !known {
			return File{}, ErrNotFound
		}
		f.Categories = append(slices.Clone(f.Categories), c)
		title, desc = title+": "+c, description(t.r.o.Site, c)
	}
	limit := f.Limit
	if name != "calendar.ics" {
		// A feed's limit keeps the newest-announced, not the earliest.
		f.Limit = 0
		if limit == 0 {
			limit = t.r.o.FeedLimit
		}
	}
	file, err := t.r.renderView(p, name, query, title, desc, f.Apply(t.cat), limit)
	if err != nil {
		return File{}, err
	}
	newCompressor().compress(&file)
	return file, nil
}

// compressAll compresses the files on every core.
func compressAll(files []File) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			c := newCompressor()
			for i := range jobs {
				c.compress(&files[i])
			}
		})
	}
	for i := range files {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
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
