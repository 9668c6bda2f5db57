// Package source loads a folder of talk pages (Markdown with YAML or TOML
// front matter, as Metalsmith, Jekyll and Hugo sites keep them) into
// talkfeed events, with a diagnostic for every problem it finds.
package source

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/talkfeed/talkfeed"
)

// Defaults reproduce the reference site (dcos/dcos-website).
const (
	DefaultPermalink    = "/events/:year/:slug/"
	DefaultImageBase    = "/assets/images/events/"
	DefaultBaseURL      = "http://localhost:8080/"
	DefaultMaxPageBytes = 1 << 20
)

// Options configure a Loader. The zero value of every field means its
// default.
type Options struct {
	// BaseURL is the absolute URL the site is published at; page, image and
	// body URLs are made absolute against it.
	BaseURL string
	// DefaultZone applies to dates and times written without an offset or
	// a zone. Nil means UTC.
	DefaultZone *time.Location
	// Permalink is the page URL pattern, with :year, :month, :day, :slug
	// (or :title), :id, :filename and :category.
	Permalink string
	// ImageBase is where image file names resolve: a path on the site or an
	// absolute URL.
	ImageBase string
	// Fields maps canonical field names (see CanonicalFields) to extra
	// front matter keys, tried before the built-in aliases.
	Fields map[string][]string
	// MaxPageBytes bounds a page's size.
	MaxPageBytes int64
	// Workers is the number of pages parsed at once; 0 means one per CPU.
	Workers int
	// Today is the clock a load reads once for its day: a page's start,
	// end or published time more than 10 years after that day is warned
	// about as a likely placeholder. Nil means no such check; the loader
	// never reads the wall clock itself.
	Today func() time.Time
	// Reserved says why a page URL cannot be a talk's page (it is another
	// output of the tree, or a path the daemon answers), or "" when it
	// can: a permalink it refuses gets a warning at its line and the page
	// its permalink pattern's URL instead. Nil refuses none; the commands
	// pass publish.ReservedPageURL.
	Reserved func(pageURL string) string
}

// Result is what one load produced.
type Result struct {
	// Events are in source path order; talkfeed.NewCatalog orders them.
	Events      []talkfeed.Event
	Diagnostics []talkfeed.Diagnostic
	// Pages counts the page files read, Skipped those that are not talks.
	Pages   int
	Skipped int
	// Unloaded are the paths of pages that are there but gave no talk:
	// an error, and no last good version to keep serving.
	Unloaded []string
}

// Counts returns the diagnostics tallied by severity.
func (r *Result) Counts() talkfeed.DiagnosticCounts {
	return talkfeed.CountDiagnostics(r.Diagnostics)
}

// Loader loads talk pages. It is safe for concurrent use.
//
// It remembers each page's last good event: a page that breaks after an
// edit keeps its last good version (with its error and a warning), so that
// subscribers never see a talk vanish because of a typo.
type Loader struct {
	parser   *pageParser
	maxSize  int64
	workers  int
	today    func() time.Time
	reserved func(pageURL string) string

	mu       sync.Mutex
	lastGood map[string]talkfeed.Event // by source path

	cacheMu sync.Mutex
	cache   map[string]cachedPage // by source path
}

// NewLoader validates opts and returns a loader.
func NewLoader(opts Options) (*Loader, error) {
	base := opts.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	baseURL, err := url.Parse(base)
	if err != nil || (baseURL.Scheme != "http" && baseURL.Scheme != "https") || baseURL.Host == "" {
		return nil, fmt.Errorf("base URL %q must be absolute, like https://example.org/", base)
	}
	if !strings.HasSuffix(baseURL.Path, "/") {
		// A base without a trailing slash would drop its last segment when
		// references resolve against it.
		baseURL.Path += "/"
	}
	permalink := opts.Permalink
	if permalink == "" {
		permalink = DefaultPermalink
	}
	if err := validatePermalink(permalink); err != nil {
		return nil, err
	}
	imageBase := opts.ImageBase
	if imageBase == "" {
		imageBase = DefaultImageBase
	}
	imageBaseURL, err := url.Parse(imageBase)
	if err != nil {
		return nil, fmt.Errorf("image base %q: %v", imageBase, err)
	}
	if !strings.HasSuffix(imageBaseURL.Path, "/") {
		imageBaseURL.Path += "/"
	}
	resolver, err := newFieldResolver(opts.Fields)
	if err != nil {
		return nil, err
	}
	zone := opts.DefaultZone
	if zone == nil {
		zone = time.UTC
	}
	maxSize := opts.MaxPageBytes
	if maxSize <= 0 {
		maxSize = DefaultMaxPageBytes
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return &Loader{
		parser: &pageParser{
			base:      baseURL,
			imageBase: baseURL.ResolveReference(imageBaseURL),
			permalink: permalink,
			zone:      zone,
			fields:    resolver,
			body:      newBodyRenderer(),
		},
		maxSize:  maxSize,
		workers:  workers,
		today:    opts.Today,
		reserved: opts.Reserved,
		cache:    map[string]cachedPage{},
	}, nil
}

// skipped reports whether the loader (and the watcher) pass over a file
// or folder: hidden ones (.git, editors' swap files) and node_modules.
func skipped(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules"
}

// IsPage reports whether a file name is a talk page by its extension.
func IsPage(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".md", ".markdown":
		return true
	}
	return false
}

// Load reads every page below the root of fsys. An error means the source
// as a whole could not be read; problems with single pages are diagnostics
// in the result, and the other pages still load.
//
// For a directory on disk, pass os.Root's FS: it refuses symbolic links
// that lead out of the root, which Load reports as errors.
func (l *Loader) Load(ctx context.Context, fsys fs.FS) (*Result, error) {
	res := &Result{}
	// The day is read once, so that every page of a load is checked
	// against the same one.
	var farLimit time.Time
	if l.today != nil {
		farLimit = farFutureLimit(l.today())
	}
	var files []string
	var infos []fs.FileInfo // each file's, or nil
	// unreadable are the folders that could not be read: their pages
	// are there, unseen, and keep their last good versions.
	var unreadable []string
	err := fs.WalkDir(prefetch(ctx, fsys, l.workers), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			unreadable = append(unreadable, p)
			res.Diagnostics = append(res.Diagnostics, talkfeed.Diagnostic{
				File: p, Severity: talkfeed.SeverityError, Message: "cannot read: " + pathErrText(err),
			})
			return nil
		}
		if p != "." && skipped(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !IsPage(p) {
			// A link to a folder is never followed (see linkedFolder).
			if d.Type()&fs.ModeSymlink != 0 {
				if diag, ok := linkedFolder(fsys, p); ok {
					res.Diagnostics = append(res.Diagnostics, diag)
				}
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			if diag, ok := checkSymlink(fsys, p); !ok {
				res.Diagnostics = append(res.Diagnostics, diag)
				res.Pages++
				return nil
			}
			// The target is looked at before it is opened, as below.
			if info, err := fs.Stat(fsys, p); err == nil && !info.Mode().IsRegular() {
				res.Diagnostics = append(res.Diagnostics, notRegular(p, info.Mode().Type()))
				return nil
			}
		} else if !d.Type().IsRegular() {
			// The type is the directory entry's: a FIFO is never opened,
			// as opening one blocks until something writes to it.
			res.Diagnostics = append(res.Diagnostics, notRegular(p, d.Type()))
			return nil
		}
		files = append(files, p)
		// A regular file's directory entry has its size and time at
		// hand (stat relative to its folder): a page unchanged since it
		// was parsed costs no open, stat and close (with os.Root, an
		// open per folder of its path too), which at 10,000 pages was
		// most of a reload that found nothing changed.
		var info fs.FileInfo
		if d.Type().IsRegular() {
			info, _ = d.Info()
		}
		infos = append(infos, info)
		return ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	results := make([]pageResult, len(files))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(l.workers, max(len(files), 1)) {
		wg.Go(func() {
			for i := range jobs {
				if r, ok := l.cached(files[i], infos[i]); ok {
					results[i] = r
					continue
				}
				results[i] = l.loadFile(fsys, files[i])
			}
		})
	}
feed:
	for i := range files {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.Pages += len(files)
	if !farLimit.IsZero() {
		// Outside the parse cache: a cached page is checked against this
		// load's day.
		for i := range results {
			results[i].diags = append(results[i].diags, results[i].farFuture(farLimit)...)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range results {
		r := &results[i]
		broken := hasError(r.diags) && !r.skipped || r.blank
		if r.event != nil || !broken {
			continue
		}
		if ev, ok := l.lastGood[r.path]; ok {
			if r.blank {
				r.skipped, r.diags = false, []talkfeed.Diagnostic{{
					File: r.path, Line: 1, Severity: talkfeed.SeverityError,
					Message: "the page is empty or cut short (being written?)",
				}}
			}
			r.event = &ev
			r.diags = append(r.diags, talkfeed.Diagnostic{
				File: r.path, Line: 1, Severity: talkfeed.SeverityWarning,
				Message: "serving the last good version of this page until the error is fixed",
			})
		}
	}
	results = append(results, l.keptUnseen(unreadable, files)...)
	collect(res, results, l.reserved)
	l.pruneCache(files)
	l.lastGood = make(map[string]talkfeed.Event, len(res.Events))
	for _, e := range res.Events {
		l.lastGood[e.Source.Path] = e
	}
	talkfeed.SortDiagnostics(res.Diagnostics)
	return res, nil
}

// keptUnseen are the last good versions of the pages below folders
// that could not be read (and so are not among files), with a warning on
// each folder: they are there, only unseen. Called with l.mu held.
func (l *Loader) keptUnseen(unreadable, files []string) []pageResult {
	if len(unreadable) == 0 {
		return nil
	}
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		seen[f] = true
	}
	var out []pageResult
	for _, dir := range unreadable {
		var paths []string
		for p := range l.lastGood {
			if strings.HasPrefix(p, dir+"/") && !seen[p] {
				paths = append(paths, p)
				seen[p] = true
			}
		}
		if len(paths) == 0 {
			continue
		}
		slices.Sort(paths)
		for _, p := range paths {
			ev := l.lastGood[p]
			out = append(out, pageResult{path: p, event: &ev})
		}
		out[len(out)-len(paths)].diags = []talkfeed.Diagnostic{{
			File: dir, Severity: talkfeed.SeverityWarning,
			Message: fmt.Sprintf("serving the last good version of the %d pages below until this folder can be read", len(paths)),
		}}
	}
	return out
}

// rememberGood makes ev the last good version of the page at p: a
// history's newest good revision of a page, which it keeps serving while
// it is broken, on a replica that never loaded it good too.
func (l *Loader) rememberGood(p string, ev talkfeed.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lastGood == nil {
		l.lastGood = map[string]talkfeed.Event{}
	}
	l.lastGood[p] = ev
}

// pruneCache forgets pages that are gone.
func (l *Loader) pruneCache(files []string) {
	keep := make(map[string]bool, len(files))
	for _, f := range files {
		keep[f] = true
	}
	l.cacheMu.Lock()
	defer l.cacheMu.Unlock()
	for p := range l.cache {
		if !keep[p] {
			delete(l.cache, p)
		}
	}
}

func hasError(ds []talkfeed.Diagnostic) bool {
	for _, d := range ds {
		if d.Severity == talkfeed.SeverityError {
			return true
		}
	}
	return false
}

// loadFile reads one page within the size bound and parses it.
func (l *Loader) loadFile(fsys fs.FS, p string) pageResult {
	fail := func(msg string) pageResult {
		return pageResult{path: p, diags: []talkfeed.Diagnostic{{File: p, Severity: talkfeed.SeverityError, Message: msg}}}
	}
	f, err := fsys.Open(p)
	if err != nil {
		if isEscape(err) {
			return fail("symbolic link leads out of the source root; not read")
		}
		return fail("cannot read: " + pathErrText(err))
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fail("cannot read: " + pathErrText(err))
	}
	if !info.Mode().IsRegular() {
		return fail("not a regular file")
	}
	if info.Size() > l.maxSize {
		return fail(fmt.Sprintf("page is %s, over the %s limit for a page; not read", byteSize(info.Size()), byteSize(l.maxSize)))
	}
	// The same size and modification time as when it was parsed: the
	// page is not read again, so a reload of a large source reads what
	// changed. (An edit moves the time, in nanoseconds on ext4, xfs,
	// btrfs and APFS; coarser times are not trusted.)
	if r, ok := l.cached(p, info); ok {
		return r
	}
	data, err := io.ReadAll(io.LimitReader(f, l.maxSize+1))
	if err != nil {
		return fail("cannot read: " + pathErrText(err))
	}
	if int64(len(data)) > l.maxSize { // grew since Stat
		return fail(fmt.Sprintf("page is over the %s limit for a page; not read", byteSize(l.maxSize)))
	}
	return l.parse(p, data, info)
}

// cachedPage is a parsed page, reused while its bytes and modification
// time stay the same: a reload of a large source parses only what changed.
type cachedPage struct {
	sum     [32]byte
	modTime time.Time
	// changed is the inode's change time where the system gives it
	// (zero elsewhere): a chmod that makes the page unreadable moves it,
	// not the modification time.
	changed time.Time
	size    int64
	result  pageResult
}

// cached returns the last parse of the page at p when the file's size and
// modification time are those it was parsed at.
func (l *Loader) cached(p string, info fs.FileInfo) (pageResult, bool) {
	if info == nil || info.ModTime().Nanosecond() == 0 {
		// No times, or times in whole seconds (HFS+, FAT, some network
		// file systems): two edits within a second could look alike.
		return pageResult{}, false
	}
	l.cacheMu.Lock()
	c, ok := l.cache[p]
	l.cacheMu.Unlock()
	if !ok || c.size != info.Size() || !c.modTime.Equal(info.ModTime()) || !c.changed.Equal(changeTime(info)) {
		return pageResult{}, false
	}
	return c.copyResult(), true
}

// copyResult is the cached result for a caller that may change it
// (page URL, diagnostics): its own copy.
func (c cachedPage) copyResult() pageResult {
	r := c.result
	r.diags = slices.Clone(r.diags)
	if r.event != nil {
		ev := *r.event
		r.event = &ev
	}
	return r
}

// parse parses a page read with info, or reuses the last parse of the
// same bytes; either way the cache notes the file's times as read.
func (l *Loader) parse(p string, data []byte, info fs.FileInfo) pageResult {
	sum := sha256.Sum256(data)
	modTime, changed := info.ModTime(), changeTime(info)
	l.cacheMu.Lock()
	c, ok := l.cache[p]
	l.cacheMu.Unlock()
	if !ok || c.sum != sum || !c.modTime.Equal(modTime) {
		c = cachedPage{sum: sum, modTime: modTime, size: int64(len(data)), result: l.parser.parseHashed(p, data, sum, modTime)}
	}
	c.changed = changed
	l.cacheMu.Lock()
	l.cache[p] = c
	l.cacheMu.Unlock()
	return c.copyResult()
}

// checkSymlink allows a link to a file inside the root and reports any
// other.
func checkSymlink(fsys fs.FS, p string) (talkfeed.Diagnostic, bool) {
	diag := talkfeed.Diagnostic{File: p, Severity: talkfeed.SeverityError}
	target, err := fs.ReadLink(fsys, p)
	if err != nil {
		if errors.Is(err, errors.ErrUnsupported) {
			return diag, true // the FS resolves links itself
		}
		diag.Message = "cannot read symbolic link: " + pathErrText(err)
		return diag, false
	}
	resolved := path.Join(path.Dir(p), target)
	if path.IsAbs(target) || resolved == ".." || strings.HasPrefix(resolved, "../") {
		diag.Message = fmt.Sprintf("symbolic link to %q leads out of the source root; not read", target)
		return diag, false
	}
	return diag, true
}

// notRegular is the warning for a page name that is no regular file (a
// FIFO, a socket, a device): it is not read.
func notRegular(p string, mode fs.FileMode) talkfeed.Diagnostic {
	kind := "a special file"
	switch {
	case mode.IsDir():
		kind = "a folder"
	case mode&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case mode&fs.ModeSocket != 0:
		kind = "a socket"
	case mode&fs.ModeDevice != 0:
		kind = "a device"
	}
	return talkfeed.Diagnostic{File: p, Severity: talkfeed.SeverityWarning, Message: kind + ", not a regular file; not read"}
}

// linkedFolder returns the warning for a symbolic link to a folder, or
// false when p is no such link. The loader never follows one: a link out
// of the source root would read files outside it (os.Root refuses it
// anyway), a link to a folder that holds it (..) loops, and a link to a
// folder inside the root would load that folder's pages a second time,
// under other paths and so other IDs.
func linkedFolder(fsys fs.FS, p string) (talkfeed.Diagnostic, bool) {
	diag := talkfeed.Diagnostic{File: p, Severity: talkfeed.SeverityWarning}
	target, err := fs.ReadLink(fsys, p)
	if err != nil {
		return diag, false
	}
	resolved := path.Join(path.Dir(p), target)
	if path.IsAbs(target) || resolved == ".." || strings.HasPrefix(resolved, "../") {
		// Out of the root: not even stat'ed, so whether it is a folder
		// is not known; a page there would not be read either.
		diag.Message = fmt.Sprintf("symbolic link to %q leads out of the source root; not followed, nothing there is loaded", target)
		return diag, true
	}
	info, err := fs.Stat(fsys, p)
	if err != nil || !info.IsDir() {
		return diag, false
	}
	if resolved == "." || strings.HasPrefix(p, resolved+"/") {
		diag.Message = fmt.Sprintf("symbolic link to %q loops back to a folder that holds it; not followed", target)
	} else {
		diag.Message = fmt.Sprintf("symbolic link to the folder %q is not followed; the pages there load from %s/ (link the files instead)", target, resolved)
	}
	return diag, true
}

// isEscape reports os.Root's refusal of a path that leaves the root.
func isEscape(err error) bool {
	return err != nil && strings.Contains(err.Error(), "path escapes from parent")
}

func pathErrText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// collect merges per-page results in path order, rejecting a second page
// with an ID already taken and giving a second page with a taken page URL
// a distinct one, so that neither can shadow the first, and a page whose
// permalink is reserved (Options.Reserved) its pattern's URL.
func collect(res *Result, results []pageResult, reserved func(string) string) {
	byID := make(map[string]string, len(results))
	byURL := make(map[string]string, len(results))
	res.Events = slices.Grow(res.Events, len(results))
	for _, r := range results {
		res.Diagnostics = append(res.Diagnostics, r.diags...)
		if r.skipped {
			res.Skipped++
		}
		if r.event == nil {
			if !r.skipped && hasError(r.diags) {
				res.Unloaded = append(res.Unloaded, r.path)
			}
			continue
		}
		ev := r.event
		if first, ok := byID[ev.ID]; ok {
			res.Diagnostics = append(res.Diagnostics, talkfeed.Diagnostic{
				File: r.path, Line: max(r.uidLine, 1), Severity: talkfeed.SeverityError,
				Message: fmt.Sprintf("ID %q is already used by %s; this page is not loaded (set a distinct uid)", ev.ID, first),
			})
			continue
		}
		byID[ev.ID] = r.path
		if why := reservedURL(reserved, ev.PageURL); why != "" {
			d := talkfeed.Diagnostic{File: r.path, Line: max(r.urlLine, 1), Severity: talkfeed.SeverityWarning}
			if r.defaultURL != "" && reservedURL(reserved, r.defaultURL) == "" {
				d.Message = fmt.Sprintf("permalink %s is %s; this page is published at %s instead (choose another permalink)", ev.PageURL, why, r.defaultURL)
				ev.PageURL = r.defaultURL
			} else {
				// The tree places it under talks/<id>/ (publish).
				d.Message = fmt.Sprintf("page URL %s is %s; this page is published under talks/ instead (set a permalink or slug)", ev.PageURL, why)
			}
			res.Diagnostics = append(res.Diagnostics, d)
		}
		if first, ok := byURL[ev.PageURL]; ok {
			unique := uniqueURL(ev.PageURL, byURL)
			res.Diagnostics = append(res.Diagnostics, talkfeed.Diagnostic{
				File: r.path, Line: max(r.urlLine, 1), Severity: talkfeed.SeverityWarning,
				Message: fmt.Sprintf("page URL %s is already used by %s; this page gets %s (set a distinct slug or permalink)", ev.PageURL, first, unique),
			})
			ev.PageURL = unique
		}
		byURL[ev.PageURL] = r.path
		res.Events = append(res.Events, *ev)
	}
	byPath := func(a, b talkfeed.Event) int { return strings.Compare(a.Source.Path, b.Source.Path) }
	// Mostly in order already (the walk's), and an Event is large to swap.
	if !slices.IsSortedFunc(res.Events, byPath) {
		slices.SortStableFunc(res.Events, byPath)
	}
}

func reservedURL(reserved func(string) string, u string) string {
	if reserved == nil {
		return ""
	}
	return reserved(u)
}

// uniqueURL appends -2, -3, … to the last path segment until the URL is
// free.
func uniqueURL(u string, taken map[string]string) string {
	stem, slash := strings.CutSuffix(u, "/")
	for n := 2; ; n++ {
		c := fmt.Sprintf("%s-%d", stem, n)
		if slash {
			c += "/"
		}
		if _, ok := taken[c]; !ok {
			return c
		}
	}
}
