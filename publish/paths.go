package publish

import (
	"net/url"
	"path"
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

// EventICSPath is the path of a talk's own calendar.
func EventICSPath(id string) string { return eventsRoot + id + ".ics" }

// CategoryPath is the folder of a category's outputs, with a trailing
// slash.
func CategoryPath(category string) string { return categoryRoot + talkfeed.Slug(category) + "/" }

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
	if strings.HasSuffix(rel, "/") {
		return rel + "index.html", true
	}
	if path.Ext(rel) == "" {
		return rel + "/index.html", true
	}
	return rel, true
}

// fallbackTalkPagePath is a talk's page when its page URL cannot be.
func fallbackTalkPagePath(e *talkfeed.Event) string { return "talks/" + e.ID + "/index.html" }

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
