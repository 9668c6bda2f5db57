package source

import (
	"net/url"
	"strings"

	"github.com/talkfeed/talkfeed"
)

// urlKind is what a URL field holds, which decides what its relative
// values mean.
type urlKind int

const (
	// linkURL is a link: an absolute http(s) URL, a site path ("/talks/x",
	// against the base URL), or a host without its scheme
	// ("www.example.org/x", read as https).
	linkURL urlKind = iota
	// profileURL is a link to a person, which may also be a bare handle
	// (see profileHandles).
	profileURL
	// imageURL is an image: an absolute http(s) URL, a site path (any value
	// that starts with "/", against the base URL), or a file name (anything
	// else relative, against the image base).
	imageURL
)

// refusal ends the warning about a value that is not a URL of the kind.
func (k urlKind) refusal() string {
	if k == imageURL {
		return "is not a usable image URL"
	}
	return "is not an http(s) URL"
}

// profileHandles are the handles that stand for a profile URL, by how
// pages write them. A value with a "/" is never a handle.
var profileHandles = []struct {
	prefix  string // what marks the handle: "@" in "@gregerb"
	profile string // the handle's URL, less the handle
}{
	{"@", "https://twitter.com/"}, // Twitter/X, as speaker pages give it
}

// handleURL returns the profile URL a bare handle stands for.
func handleURL(raw string) (string, bool) {
	if strings.Contains(raw, "/") {
		return "", false
	}
	for _, h := range profileHandles {
		if handle, ok := strings.CutPrefix(raw, h.prefix); ok {
			return h.profile + handle, true
		}
	}
	return "", false
}

// urlHandle returns the handle a profile URL ends in, spelt as a slug
// without hyphens, to match against speakers' names:
// "https://twitter.com/joerg_schad" gives "joergschad".
func urlHandle(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	segs := strings.Split(strings.Trim(p.Path, "/"), "/")
	return strings.ReplaceAll(talkfeed.Slug(segs[len(segs)-1]), "-", "")
}

// resolveURL makes a URL field's value absolute against the site's base
// URL or image base, as its kind says; false means the value is not a URL
// of that kind.
func (p *pageParser) resolveURL(raw string, kind urlKind) (string, bool) {
	if kind == profileURL {
		if u, ok := handleURL(raw); ok {
			return u, true
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	if u.Scheme == "" {
		switch {
		case isSitePath(u, raw, kind):
			return p.base.ResolveReference(u).String(), true
		case kind == imageURL:
			return p.imageBase.ResolveReference(u).String(), true
		case u.Host == "" && strings.Contains(u.Path, ".") && !strings.Contains(u.Path, " "):
			if u, err = url.Parse("https://" + raw); err != nil {
				return "", false
			}
		}
	}
	// A link needs a host; an image needs only its scheme ("http:x.png"
	// passes), as it always has.
	if (u.Scheme != "http" && u.Scheme != "https") || (u.Host == "" && kind != imageURL) {
		return "", false
	}
	return u.String(), true
}

// isSitePath reports whether a value without a scheme is a path on the
// site. For an image that is any value that starts with "/", so
// "//cdn.example/x.png" takes the site's scheme; for a link, "//host/x"
// is refused.
func isSitePath(u *url.URL, raw string, kind urlKind) bool {
	if kind == imageURL {
		return strings.HasPrefix(raw, "/")
	}
	return u.Host == "" && strings.HasPrefix(u.Path, "/")
}

// urlOf reads a URL field's value, warning about one that is not a URL of
// the kind. An empty value is no URL, and no warning.
func (m *mapping) urlOf(e *entry, raw string, kind urlKind) string {
	if raw == "" {
		return ""
	}
	u, ok := m.p.resolveURL(raw, kind)
	if !ok {
		m.r.warnf(e.line, "field %q: %q %s; ignored", e.key, raw, kind.refusal())
	}
	return u
}
