package server

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/talkfeed/talkfeed/publish"
)

// entry is one output with its response headers made once per snapshot,
// so that serving it allocates next to nothing.
type entry struct {
	// deferred is set for a view of a deferred tree: the entry is made
	// on its first request, once the view is rendered.
	deferred *deferredEntry

	file     *publish.File
	html     bool
	ctype    []string
	cache    []string
	lastMod  []string // nil when unknown
	modified time.Time
	vary     []string // nil when there is one representation only
	reps     [3]representation
	// tags name this content in any coding (File.ContentTags).
	tags []string
}

// representation is the file in one content coding.
type representation struct {
	body     []byte
	encoding []string // nil for identity
	etag     string
	etagHdr  []string
	length   []string
}

const (
	repIdentity = iota
	repGzip
	repBrotli
)

var (
	headerACAO     = []string{"*"}
	headerPlain    = []string{"text/plain; charset=utf-8"}
	headerNoSniff  = []string{"nosniff"}
	headerVary     = []string{"Accept-Encoding"}
	encodingGzip   = []string{publish.Gzip}
	encodingBrotli = []string{publish.Brotli}
	// Pages load scripts and styles from this host only; talk bodies may
	// show images from anywhere, as their authors wrote them.
	headerCSP      = []string{publish.PageCSP}
	headerReferrer = []string{"strict-origin-when-cross-origin"}
	// Every other answer (feeds, calendars, JSON, plain text) is no page:
	// should a browser render one, nothing in it may run or load.
	headerCSPNone = []string{publish.NoneCSP}
)

// deferredEntry makes an entry for a file rendered on first use.
type deferredEntry struct {
	once  sync.Once
	file  *publish.File
	cache string
	entry *entry
	log   func(err error)
}

// resolved is the entry of the rendered file; nil when it failed with
// nothing to fall back on.
func (d *deferredEntry) resolved() *entry {
	d.once.Do(func() {
		f, err := d.file.Rendered()
		if err != nil {
			d.log(err)
		}
		if f != nil {
			d.entry = newEntry(f, d.cache, d.log)
		}
	})
	return d.entry
}

func newEntry(f *publish.File, cacheControl string, log func(error)) *entry {
	if f.Deferred() {
		return &entry{deferred: &deferredEntry{file: f, cache: cacheControl, log: log}}
	}
	if rf, err := f.Rendered(); rf != f {
		// Rendered since it was published (or failed: its fallback).
		if err != nil {
			log(err)
		}
		f = rf
	}
	e := &entry{file: f, ctype: []string{f.ContentType}, cache: []string{cacheControl}, html: f.ContentType == publish.TypeHTML, tags: f.ContentTags()}
	if !f.Modified.IsZero() {
		e.modified = f.Modified.UTC().Truncate(time.Second)
		e.lastMod = []string{e.modified.Format(http.TimeFormat)}
	}
	rep := func(body []byte, encoding []string, enc string) representation {
		etag := f.ETagFor(enc)
		return representation{body: body, encoding: encoding, etag: etag, etagHdr: []string{etag}, length: []string{strconv.Itoa(len(body))}}
	}
	e.reps[repIdentity] = rep(f.Body, nil, publish.Identity)
	if f.Gzip != nil {
		e.reps[repGzip] = rep(f.Gzip, encodingGzip, publish.Gzip)
	}
	if f.Brotli != nil {
		e.reps[repBrotli] = rep(f.Brotli, encodingBrotli, publish.Brotli)
	}
	if f.Gzip != nil || f.Brotli != nil {
		e.vary = headerVary
	}
	return e
}

// serve answers GET and HEAD: the representation that Accept-Encoding
// prefers, or 304 when the client's copy is current.
func (e *entry) serve(w http.ResponseWriter, r *http.Request) {
	if e.deferred != nil {
		if e = e.deferred.resolved(); e == nil {
			plain(w, http.StatusInternalServerError, "cannot render this view")
			return
		}
	}
	rep := &e.reps[e.choose(r.Header["Accept-Encoding"])]
	h := w.Header()
	h["Content-Type"] = e.ctype
	h["Cache-Control"] = e.cache
	h["Etag"] = rep.etagHdr
	h["Access-Control-Allow-Origin"] = headerACAO
	h["X-Content-Type-Options"] = headerNoSniff
	if e.lastMod != nil {
		h["Last-Modified"] = e.lastMod
	}
	if e.vary != nil {
		h["Vary"] = e.vary
	}
	if e.html {
		h["Content-Security-Policy"] = headerCSP
		h["Referrer-Policy"] = headerReferrer
	}
	if e.notModified(r) {
		delete(h, "Content-Type")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if rep.encoding != nil {
		h["Content-Encoding"] = rep.encoding
	}
	h["Content-Length"] = rep.length
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(rep.body)
	}
}

// notModified applies If-None-Match (weak comparison, lists, "*") and,
// only when that header is absent, If-Modified-Since (RFC 9110 13.2.2).
// Any representation's tag matches: they are one content in different
// codings.
func (e *entry) notModified(r *http.Request) bool {
	if inm := r.Header["If-None-Match"]; len(inm) > 0 {
		for _, line := range inm {
			for tag := range strings.SplitSeq(line, ",") {
				tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
				if tag == "*" {
					return true
				}
				if slices.Contains(e.tags, tag) {
					return true
				}
			}
		}
		return false
	}
	if e.lastMod == nil {
		return false
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !e.modified.After(t)
}

// choose picks brotli, then gzip, then identity, as the client accepts
// them (q=0 refuses a coding; identity is always acceptable here).
func (e *entry) choose(accept []string) int {
	if len(accept) == 0 || e.vary == nil {
		return repIdentity
	}
	var br, gz bool
	for _, line := range accept {
		for part := range strings.SplitSeq(line, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if q, ok := strings.CutPrefix(strings.ReplaceAll(strings.TrimSpace(params), " ", ""), "q="); ok {
				if v, err := strconv.ParseFloat(q, 64); err != nil || v <= 0 {
					continue
				}
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "br":
				br = true
			case "gzip", "x-gzip":
				gz = true
			case "*":
				br, gz = true, true
			}
		}
	}
	switch {
	case br && e.reps[repBrotli].body != nil:
		return repBrotli
	case gz && e.reps[repGzip].body != nil:
		return repGzip
	}
	return repIdentity
}
