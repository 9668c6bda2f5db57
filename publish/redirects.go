package publish

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Redirect is a moved talk page: a request for its old page answers 301
// Moved Permanently with the talk's current page.
type Redirect struct {
	// From is the old page's URL path as a static host sees it: relative
	// to the base URL's path, beginning with "/", decoded, and a folder's
	// page with its trailing slash ("/events/2026/old-slug/").
	From string
	// To is the talk's current page URL, absolute.
	To string
}

// addRedirects keeps the redirects of Options.Redirects that the tree can
// answer, by old path: an old URL under the base URL, placed as a talk
// page would be (TalkPagePath), that is no output of the tree (a current
// output always wins) and not the new page itself, and that every host
// format can state unchanged (redirectable). Two old URLs of one path
// keep the first by old URL, so that the same map gives the same tree.
func (t *Tree) addRedirects(m map[string]string) {
	type candidate struct{ path, old, to string }
	var cs []candidate
	for old, to := range m {
		p, ok := pagePath(t.r.base, old)
		if !ok || t.isOutput(p) || old == to || !redirectable(p, to) {
			continue
		}
		if np, ok := pagePath(t.r.base, to); ok && np == p {
			continue
		}
		cs = append(cs, candidate{p, old, to})
	}
	slices.SortFunc(cs, func(a, b candidate) int {
		return cmp.Or(strings.Compare(a.path, b.path), strings.Compare(a.old, b.old))
	})
	t.redirectAt = make(map[string]string, len(cs))
	for _, c := range cs {
		if _, dup := t.redirectAt[c.path]; dup {
			continue
		}
		t.redirectAt[c.path] = c.to
		t.redirects = append(t.redirects, Redirect{From: urlPathOf(c.path), To: c.to})
	}
}

// isOutput reports whether p is an output of the tree or a file that
// `talkfeed build` writes beside the outputs.
func (t *Tree) isOutput(p string) bool {
	if _, ok := t.index[p]; ok {
		return true
	}
	return p == HeadersPath || p == RedirectsPath || p == NginxPath
}

// urlPathOf is the URL path a static host serves a tree path at: a
// folder's index.html at the folder, with its trailing slash.
func urlPathOf(p string) string {
	u := "/" + p
	if strings.HasSuffix(u, "/index.html") {
		u = strings.TrimSuffix(u, "index.html")
	}
	return u
}

// redirectable reports whether a redirect from tree path p to the URL to
// can be written as it is into _redirects and the nginx snippet, so that
// every host answers what the daemon does. To must be an absolute http(s)
// URL of printable ASCII without a fragment, and hold nothing an nginx
// string would read as a variable or an escape; the old path must hold no
// space, control character or quote, and nothing a _redirects file reads
// as a pattern (a "*" splat, a ":placeholder" segment).
func redirectable(p, to string) bool {
	u, err := url.Parse(to)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Contains(to, "#") {
		return false
	}
	for i := range len(to) {
		if c := to[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\\' || c == '$' {
			return false
		}
	}
	if !utf8.ValidString(p) || strings.ContainsAny(p, "\"\\*#?") {
		return false
	}
	for _, r := range p {
		if unicode.IsSpace(r) || unicode.IsControl(r) || !unicode.IsPrint(r) {
			return false
		}
	}
	for seg := range strings.SplitSeq(p, "/") {
		if strings.HasPrefix(seg, ":") {
			return false
		}
	}
	return true
}

// Redirects returns the tree's redirects, sorted by old path. Callers
// must not modify them.
func (t *Tree) Redirects() []Redirect { return t.redirects }

// Redirect returns where a request for tree path p (as the server
// resolves it: "events/x/" asks for "events/x/index.html") is redirected,
// or false when p is an output or no moved page's. A folder's old page
// answers for its path with and without the trailing slash and with
// index.html ("events/x", "events/x/index.html").
func (t *Tree) Redirect(p string) (location string, ok bool) {
	if t.isOutput(p) {
		return "", false
	}
	if to, ok := t.redirectAt[p]; ok {
		return to, true
	}
	if p == "" || strings.HasSuffix(p, "/") {
		return "", false
	}
	folder := p + "/" + IndexPath
	if t.isOutput(folder) {
		return "", false
	}
	to, ok := t.redirectAt[folder]
	return to, ok
}

// redirectForms are the URL paths a redirect answers for, as
// Tree.Redirect does: a folder's with and without its trailing slash and
// with index.html, less any that is an output.
func (t *Tree) redirectForms(r Redirect) []string {
	folder, ok := strings.CutSuffix(r.From, "/")
	if !ok {
		return []string{r.From}
	}
	forms := []string{r.From}
	if !t.isOutput(strings.TrimPrefix(folder, "/")) {
		forms = append(forms, folder)
	}
	return append(forms, r.From+IndexPath)
}

// RedirectsFile returns the _redirects file of Netlify and Cloudflare
// Pages for the tree's redirects: one line per URL path a redirect
// answers for. It is a comment only when there are none, so that a
// build always replaces the last one.
func (t *Tree) RedirectsFile() []byte {
	var b strings.Builder
	b.WriteString("# Written by talkfeed build: moved talk pages for static hosts. Each old page\n# answers 301 with the talk's current page, as the daemon does.\n")
	for _, r := range t.redirects {
		for _, from := range t.redirectForms(r) {
			fmt.Fprintf(&b, "%s %s 301\n", from, r.To)
		}
	}
	return []byte(b.String())
}

// nginxRedirects are the nginx locations of the tree's redirects; "" for
// none. The strings are quoted: redirectable keeps out what a quoted
// nginx string would not take literally.
func (t *Tree) nginxRedirects() string {
	if len(t.redirects) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("# Moved talk pages: each old page answers 301 with the talk's current page.\n")
	for _, r := range t.redirects {
		for _, from := range t.redirectForms(r) {
			fmt.Fprintf(&b, "location = \"%s\" { return 301 \"%s\"; }\n", from, r.To)
		}
	}
	return b.String()
}
