package publish

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Files written beside the tree for static hosts, so that they serve what
// the daemon serves: the same bytes, types and caching headers.
const (
	// HeadersPath is the _headers file of Netlify and Cloudflare Pages.
	HeadersPath = "_headers"
	// RedirectsPath is the _redirects file of Netlify and Cloudflare
	// Pages: the moved talk pages.
	RedirectsPath = "_redirects"
	// NginxPath is an nginx snippet for a server block.
	NginxPath = "talkfeed.nginx.conf"
)

// PageCSP is the Content-Security-Policy of the pages: scripts and styles
// from the site only; talk bodies may show images from anywhere, as their
// authors wrote them.
const PageCSP = "default-src 'self'; img-src * data:; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

// NoneCSP is the Content-Security-Policy of every answer that is not a
// page: a feed, a calendar or an error that a browser renders anyway may
// run, load and frame nothing.
const NoneCSP = "default-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

// HeadersFile returns the _headers file for the tree: every output's
// content type, and caching and CORS headers like the daemon's.
func (t *Tree) HeadersFile(maxAge time.Duration) []byte {
	var b strings.Builder
	b.WriteString("# Written by talkfeed build: the daemon's headers for static hosts.\n")
	cache := "public, max-age=" + strconv.Itoa(int(maxAge.Seconds()))
	for _, f := range t.files {
		if strings.HasPrefix(f.Path, assetsRoot) {
			continue
		}
		url := "/" + f.Path
		if strings.HasSuffix(url, "/index.html") {
			url = strings.TrimSuffix(url, "index.html")
		}
		csp := NoneCSP
		if f.ContentType == TypeHTML {
			csp = PageCSP
		}
		fmt.Fprintf(&b, "%s\n  Content-Type: %s\n  Cache-Control: %s\n  Access-Control-Allow-Origin: *\n  X-Content-Type-Options: nosniff\n", url, f.ContentType, cache)
		fmt.Fprintf(&b, "  Content-Security-Policy: %s\n  Referrer-Policy: strict-origin-when-cross-origin\n", csp)
	}
	return []byte(b.String())
}

// NginxConf returns an nginx snippet that serves the tree like the daemon:
// the content types by extension, the .gz (and, with the brotli module,
// .br) siblings, the same caching and CORS headers, and the redirects of
// moved talk pages.
func (t *Tree) NginxConf(maxAge time.Duration) []byte {
	exts := map[string]string{}
	for _, f := range formats {
		exts[f.Ext()] = strings.TrimSuffix(f.ContentType, "; charset=utf-8")
	}
	return []byte(fmt.Sprintf(`# Written by talkfeed build: include it in the server block whose root is
# the build's output folder.
types {
    %s rss;
    %s atom;
    %s json;
    %s ics;
    text/html html;
    text/css css;
    text/javascript js;
    image/png png;
    image/jpeg jpg jpeg;
    image/svg+xml svg;
}
charset utf-8;
charset_types %s %s %s %s text/css text/javascript;
gzip_static on;
# brotli_static on;  # with the ngx_brotli module
# Files under 16 KiB come without .gz (build leaves them): compressed as served.
gzip on;
gzip_types %s %s %s %s text/css text/javascript;
gzip_min_length 256;
etag on;
add_header Cache-Control "public, max-age=%d" always;
add_header Access-Control-Allow-Origin "*" always;
add_header X-Content-Type-Options "nosniff" always;
add_header Content-Security-Policy "%s" always;
add_header Referrer-Policy "strict-origin-when-cross-origin" always;
add_header Vary "Accept-Encoding" always;
index index.html;
# A block with add_header inherits none of the server's: all again.
location ~ \.html$|/$ {
    add_header Cache-Control "public, max-age=%d" always;
    add_header Access-Control-Allow-Origin "*" always;
    add_header X-Content-Type-Options "nosniff" always;
    add_header Content-Security-Policy "%s" always;
    add_header Referrer-Policy "strict-origin-when-cross-origin" always;
    add_header Vary "Accept-Encoding" always;
}
%s`, exts["rss"], exts["atom"], exts["json"], exts["ics"],
		exts["rss"], exts["atom"], exts["json"], exts["ics"],
		exts["rss"], exts["atom"], exts["json"], exts["ics"],
		int(maxAge.Seconds()), NoneCSP, int(maxAge.Seconds()), PageCSP, t.nginxRedirects()))
}
