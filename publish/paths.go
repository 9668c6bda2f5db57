package publish

import (
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/talkfeed/talkfeed"
)

// Paths of the tree, relative to the base URL, without a leading slash.
const (
	// IndexPath is the subscribe page, which depends on the day.
	IndexPath = "index.html"
	// ChangesBase is the change feed's path without its extension.
	ChangesBase = "changes"
	// categoryRoot holds a folder of outputs per category.
	categoryRoot = "category/"
	// eventsRoot holds each talk's own calendar (and, by default, its
	// page).
	eventsRoot = "events/"
	// assetsRoot holds the pages' stylesheet and script and the demo's
	// images.
	assetsRoot = "assets/"
)

// EventICSPath is the path of a talk's own calendar. Its segments are
// bounded (talkfeed.BoundPath) so that a long ID still names a file.
func EventICSPath(id string) string { return eventsRoot + talkfeed.BoundPath(id) + ".ics" }

// CategoryPath is the folder of a category's outputs, with a trailing
// slash.
func CategoryPath(category string) string {
	return categoryRoot + talkfeed.CategorySlug(category) + "/"
}

// categoryOfDir is the slug a category folder names ("category/kafka/"
// → "kafka"), or false when dir is no category folder.
func categoryOfDir(dir string) (string, bool) {
	rest, ok := strings.CutPrefix(dir, categoryRoot)
	slug, folder := strings.CutSuffix(rest, "/")
	return slug, ok && folder && slug != "" && !strings.Contains(slug, "/")
}

// TalkPagePath is where a talk's own page is published: its page URL's
// path when the page URL is under the base URL (so the links in feeds and
// calendars resolve), else talks/<id>/.
func TalkPagePath(baseURL string, e *talkfeed.Event) string {
	if p, ok := pagePath(baseURL, e.PageURL); ok {
		return p
	}
	return fallbackTalkPagePath(e)
}

// pagePath is the tree path of a page URL under the base URL, as a talk
// page is placed there (TalkPagePath), or false when the page URL is not
// under the base URL or names no path the tree can hold.
func pagePath(baseURL, pageURL string) (string, bool) {
	rel, ok := strings.CutPrefix(pageURL, baseURL)
	if ok {
		// A path is served and written decoded: "東京", not "%E6%9D%B1".
		var err error
		if rel, err = url.PathUnescape(rel); err != nil {
			ok = false
		}
	}
	if !ok || rel == "" || strings.ContainsAny(rel, "?#\\") || strings.Contains(rel, "..") {
		return "", false
	}
	// The loader bounds the page URLs it makes; this keeps any other
	// page URL from naming a file no file system can hold.
	rel = talkfeed.BoundPath(rel)
	if strings.HasSuffix(rel, "/") {
		return rel + "index.html", true
	}
	if path.Ext(rel) == "" {
		return rel + "/index.html", true
	}
	return rel, true
}

// fallbackTalkPagePath is a talk's page when its page URL cannot be.
func fallbackTalkPagePath(e *talkfeed.Event) string {
	return "talks/" + talkfeed.BoundPath(e.ID) + "/index.html"
}

// daemonPaths are the first segments of the paths that `talkfeed serve`
// answers itself, before the tree.
var daemonPaths = []string{"-", "healthz", "readyz", "metrics"}

// ReservedPageURL says why a talk page cannot be at pageURL — it would be,
// or be inside, or hold, another output of the tree or a path the daemon
// answers itself — or returns "" when it can (or when the page URL is
// not under the base URL, where the tree places nothing). The loader
// asks it, so that `check` reports such a permalink and the talk gets its
// default URL; the tree places a page it refuses under talks/<id>/.
func ReservedPageURL(baseURL, pageURL string) string {
	if pageURL == baseURL || pageURL+"/" == baseURL {
		return "the subscribe page"
	}
	p, ok := pagePath(baseURL, pageURL)
	if !ok {
		return ""
	}
	return reservedPath(p)
}

// reservedPath says why the tree path p cannot be a talk page, or "".
// The assets and category folders are the tree's as a whole, so that a
// new category or asset never lands on a talk page.
func reservedPath(p string) string {
	first, rest, _ := strings.Cut(p, "/")
	switch {
	case p == IndexPath:
		return "the subscribe page"
	case strings.HasSuffix(p, ".gz") || strings.HasSuffix(p, ".br"):
		return "a name the tree keeps for precompressed files"
	case first+"/" == assetsRoot:
		return "inside the assets folder /" + assetsRoot
	case first+"/" == categoryRoot:
		return "inside the category folders /" + categoryRoot
	case slices.Contains(daemonPaths, first):
		return "a path the daemon answers itself (/" + first + ")"
	case IsViewFile(first) || first == HeadersPath || first == RedirectsPath || first == NginxPath ||
		strings.HasPrefix(first, ChangesBase+".") && IsViewFile("feed"+strings.TrimPrefix(first, ChangesBase)):
		return "the tree's /" + first
	case first+"/" == eventsRoot && slices.ContainsFunc(strings.Split(rest, "/"), func(s string) bool { return strings.HasSuffix(s, ".ics") }):
		return "a talk's calendar (/" + eventsRoot + "….ics)"
	}
	return ""
}

// Route names what kind of output a tree path is, from a fixed set, for
// metrics labels and messages.
type Route string

const (
	RouteIndex    Route = "index"
	RouteEvent    Route = "event" // a talk's calendar or page under events/
	RouteAsset    Route = "asset"
	RouteChanges  Route = "changes"
	RouteCalendar Route = "calendar"
	RouteFeed     Route = "feed"
	RouteOther    Route = "other"
	// RouteRedirect is a moved page's old path answered with a redirect
	// (Tree.Redirect); RouteOf never returns it, as it names no output.
	RouteRedirect Route = "redirect"
)

// RouteOf is the route of a tree path.
func RouteOf(p string) Route {
	switch {
	case p == "" || p == IndexPath:
		return RouteIndex
	case strings.HasPrefix(p, eventsRoot):
		return RouteEvent
	case strings.HasPrefix(p, assetsRoot):
		return RouteAsset
	case strings.HasPrefix(p, ChangesBase+"."):
		return RouteChanges
	case strings.HasSuffix(p, ".ics"):
		return RouteCalendar
	case IsViewFile(path.Base(p)):
		return RouteFeed
	}
	return RouteOther
}

// NotFoundReason says in words why a path has no output.
func NotFoundReason(p string) string {
	switch {
	case strings.HasPrefix(p, eventsRoot):
		return "no talk with that ID"
	case strings.HasPrefix(p, categoryRoot):
		return "no such category"
	}
	return "not found"
}
