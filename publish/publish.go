// Package publish maps a catalog to the URL tree that talkfeed serves and
// writes: every output's path, bytes, content type and ETag. It is the one
// place that knows the tree, so `talkfeed build` and `talkfeed serve` can
// never disagree.
package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/feeds"
	"github.com/talkfeed/talkfeed/ical"
)

// Content types of the outputs, each with its charset.
const (
	TypeRSS  = "application/rss+xml; charset=utf-8"
	TypeAtom = "application/atom+xml; charset=utf-8"
	TypeJSON = "application/feed+json; charset=utf-8"
	TypeICS  = "text/calendar; charset=utf-8"
)

// Options configure the tree.
type Options struct {
	Site      talkfeed.Site
	Generator string
	// TTL is how long clients may cache an output: the reload interval.
	TTL time.Duration
	// Version is the software's version, for PRODID.
	Version string
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
}

// File is one output of the tree.
type File struct {
	// Path is relative to the base URL, without a leading slash:
	// "feed.rss", "category/fast-data/feed.atom".
	Path        string
	ContentType string
	Body        []byte
	// ETag is strong and quoted, a digest of Body.
	ETag string
}

// Tree is every output of one catalog, in path order.
type Tree struct {
	files []File
	index map[string]int
}

// Files returns the outputs in path order. Callers must not modify them.
func (t *Tree) Files() []File { return t.files }

// File returns the output at path.
func (t *Tree) File(path string) (File, bool) {
	i, ok := t.index[path]
	if !ok {
		return File{}, false
	}
	return t.files[i], true
}

// EventICSPath is the path of a talk's own calendar.
func EventICSPath(id string) string { return "events/" + id + ".ics" }

// CategoryPath is the folder of a category's outputs, with a trailing
// slash.
func CategoryPath(category string) string { return "category/" + talkfeed.Slug(category) + "/" }

// Build renders every output of the catalog.
func Build(cat *talkfeed.Catalog, o Options) (*Tree, error) {
	base := o.Site.BaseURL
	fo := feeds.Options{
		Site:      o.Site,
		Generator: o.Generator,
		TTL:       o.TTL,
		Limit:     o.FeedLimit,
		EventICS:  func(e *talkfeed.Event) string { return base + EventICSPath(e.ID) },
	}
	t := &Tree{index: map[string]int{}}
	assets, err := readAssets(o.Assets)
	if err != nil {
		return nil, err
	}
	fo.ImageLength = func(imageURL string) int64 {
		if a, ok := assets[strings.TrimPrefix(imageURL, base)]; ok && strings.HasPrefix(imageURL, base) {
			return int64(len(a))
		}
		return 0
	}
	add := func(path, contentType string, body []byte) {
		sum := sha256.Sum256(body)
		t.files = append(t.files, File{
			Path: path, ContentType: contentType, Body: body,
			ETag: `"` + hex.EncodeToString(sum[:16]) + `"`,
		})
	}
	calOpts := ical.Options{
		Site: o.Site, Version: o.Version, Refresh: o.TTL,
		DefaultDuration: o.DefaultDuration, DefaultDays: o.DefaultDays,
	}
	addCalendar := func(p string, v ical.View) error {
		v.SelfURL = base + p
		body, err := ical.Calendar(v, calOpts)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		add(p, TypeICS, body)
		return nil
	}
	addFeeds := func(dir string, v feeds.View) error {
		v.SelfURL = base + dir + "feed"
		v.HomeURL = base
		for _, f := range []struct {
			ext, contentType string
			render           func(feeds.View, feeds.Options) ([]byte, error)
		}{{"rss", TypeRSS, feeds.RSS}, {"atom", TypeAtom, feeds.Atom}, {"json", TypeJSON, feeds.JSON}} {
			body, err := f.render(v, fo)
			if err != nil {
				return fmt.Errorf("%sfeed.%s: %w", dir, f.ext, err)
			}
			add(dir+"feed."+f.ext, f.contentType, body)
		}
		return nil
	}

	if err := addView("", o.Site.Title, description(o.Site, ""), cat.Events(), addFeeds, addCalendar); err != nil {
		return nil, err
	}
	for _, c := range cat.Categories() {
		evs := talkfeed.Filter{Categories: []string{c}}.Apply(cat)
		if err := addView(CategoryPath(c), o.Site.Title+": "+c, description(o.Site, c), evs, addFeeds, addCalendar); err != nil {
			return nil, err
		}
	}
	for _, e := range cat.Events() {
		if err := addCalendar(EventICSPath(e.ID), ical.View{
			Name: e.Title, Description: e.Summary, Events: []talkfeed.Event{e},
		}); err != nil {
			return nil, err
		}
	}

	for p, body := range assets {
		add(p, assetType(p), body)
	}
	slices.SortFunc(t.files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	for i, f := range t.files {
		t.index[f.Path] = i
	}
	return t, nil
}

// addView adds the feeds and the calendar of one selection of talks.
func addView(dir, title, desc string, evs []talkfeed.Event,
	addFeeds func(string, feeds.View) error, addCalendar func(string, ical.View) error) error {
	if err := addFeeds(dir, feeds.View{HomeURL: "", Title: title, Description: desc, Events: evs}); err != nil {
		return err
	}
	return addCalendar(dir+"calendar.ics", ical.View{Name: title, Description: desc, Events: evs})
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
	}
	return "application/octet-stream"
}
