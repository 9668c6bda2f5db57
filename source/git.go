package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/plumbing/transport/ssh"

	"github.com/talkfeed/talkfeed"
)

// IsGitURL reports whether a SOURCE names a git repository rather than a
// folder: https://….git, ssh://, git@host:path or file://.
func IsGitURL(s string) bool {
	switch {
	case strings.HasPrefix(s, "file://"), strings.HasPrefix(s, "ssh://"), strings.HasPrefix(s, "git://"):
		return true
	case strings.HasPrefix(s, "https://"), strings.HasPrefix(s, "http://"):
		return true
	}
	// scp-like: git@github.com:org/repo.git
	at, colon := strings.Index(s, "@"), strings.Index(s, ":")
	return at > 0 && colon > at && !strings.Contains(s[:colon], "/")
}

// GitOptions configure a git source.
type GitOptions struct {
	URL string
	// Branch to follow; "" follows the remote's default branch.
	Branch string
	// Subdir is the folder of talk pages inside the repository.
	Subdir string
	// CacheDir keeps the clone (and the history ledger) across restarts.
	CacheDir string
	// Auth is nil for public repositories.
	Auth transport.AuthMethod
	// Timeout bounds the clone and each fetch, so that a remote that
	// stops answering fails a reload instead of holding every reload
	// after it; 0 means DefaultGitTimeout.
	Timeout time.Duration
}

// DefaultGitTimeout is how long a clone or a fetch may take by default:
// minutes for a large first clone, and a bound on a silent remote.
const DefaultGitTimeout = 2 * time.Minute

// GitAuth builds credentials from the environment: a token
// (TALKFEED_GIT_TOKEN or the file TALKFEED_GIT_TOKEN_FILE, sent as HTTP
// basic auth with TALKFEED_GIT_USERNAME, default "x-access-token") or an
// SSH key file (TALKFEED_GIT_SSH_KEY_FILE, TALKFEED_GIT_SSH_PASSPHRASE).
// Secrets never come from flags or the config file.
func GitAuth(getenv func(string) string) (transport.AuthMethod, error) {
	token := strings.TrimSpace(getenv("TALKFEED_GIT_TOKEN"))
	if f := getenv("TALKFEED_GIT_TOKEN_FILE"); token == "" && f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("git token file: %w", err)
		}
		token = strings.TrimSpace(string(b))
	}
	if token != "" {
		user := getenv("TALKFEED_GIT_USERNAME")
		if user == "" {
			user = "x-access-token"
		}
		return &http.BasicAuth{Username: user, Password: token}, nil
	}
	if key := getenv("TALKFEED_GIT_SSH_KEY_FILE"); key != "" {
		auth, err := ssh.NewPublicKeysFromFile("git", key, getenv("TALKFEED_GIT_SSH_PASSPHRASE"))
		if err != nil {
			return nil, fmt.Errorf("git ssh key: %w", err)
		}
		return auth, nil
	}
	return nil, nil
}

// Git is a repository of talk pages, cloned once into the cache and
// fetched on every reload. Its history is the ledger of its talks
// (History): every replica of one repository reads the same commits, so
// every replica computes the same versions, dates and changes, with no
// state of its own.
type Git struct {
	o    GitOptions
	repo *git.Repository
	dir  string

	mu   sync.Mutex
	head plumbing.Hash // fetched
	hist *replay       // nil until History is first asked for
}

// replay is the ledger read from the history up to head, kept so that a
// fetch reads only the commits new since then.
type replay struct {
	loader   *Loader
	head     plumbing.Hash
	headTime time.Time
	ledger   *talkfeed.Ledger
	// ids is each page's talk ID as of head, by path under the subdir.
	ids map[string]string
}

// OpenGit clones the repository into the cache directory, or opens the
// clone a previous run left there.
func OpenGit(ctx context.Context, o GitOptions) (*Git, error) {
	if o.CacheDir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		o.CacheDir = filepath.Join(base, "talkfeed")
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultGitTimeout
	}
	sum := sha256.Sum256([]byte(o.URL + "\x00" + o.Branch))
	dir := filepath.Join(o.CacheDir, hex.EncodeToString(sum[:8]))
	g := &Git{o: o, dir: dir}
	repo, err := git.PlainOpen(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		if err := os.MkdirAll(o.CacheDir, 0o755); err != nil {
			return nil, err
		}
		clone := &git.CloneOptions{URL: o.URL, Auth: o.Auth, Tags: git.NoTags}
		if o.Branch != "" {
			clone.ReferenceName = plumbing.NewBranchReferenceName(o.Branch)
			clone.SingleBranch = true
		}
		cloneCtx, cancel := context.WithTimeout(ctx, o.Timeout)
		repo, err = git.PlainCloneContext(cloneCtx, dir, false, clone)
		cancel()
		if err != nil {
			os.RemoveAll(dir)
			return nil, urlError("git clone", o.URL, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("git cache %s: %w", dir, err)
	}
	g.repo = repo
	return g, nil
}

// Dir is the folder of talk pages in the clone's work tree.
func (g *Git) Dir() string { return filepath.Join(g.dir, filepath.FromSlash(g.o.Subdir)) }

// Fetch brings the clone to the remote branch's newest commit. A failure (network, credentials, a vanished
// remote) leaves the clone as it was.
func (g *Git) Fetch(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, g.o.Timeout)
	defer cancel()
	// Force lets a force-push through. The refspec has no "+": it would
	// force too, and then Force could be dropped without anything noticing.
	err := g.repo.FetchContext(ctx, &git.FetchOptions{
		RemoteName: "origin", Auth: g.o.Auth, Force: true, Tags: git.NoTags,
		RefSpecs: []config.RefSpec{"refs/heads/*:refs/remotes/origin/*"},
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return urlError("git fetch", g.o.URL, err)
	}
	head, err := g.remoteHead()
	if err != nil {
		return err
	}
	wt, err := g.repo.Worktree()
	if err != nil {
		return err
	}
	// A force-push is followed too: the remote is the truth.
	if err := wt.Reset(&git.ResetOptions{Commit: head, Mode: git.HardReset}); err != nil {
		return fmt.Errorf("git checkout %s: %w", head, err)
	}
	g.head = head
	return nil
}

func (g *Git) remoteHead() (plumbing.Hash, error) {
	branch := g.o.Branch
	if branch == "" {
		ref, err := g.repo.Reference(plumbing.NewRemoteHEADReferenceName("origin"), true)
		if err == nil {
			return ref.Hash(), nil
		}
		// Clones record the default branch as the local HEAD's.
		if local, err := g.repo.Head(); err == nil {
			branch = local.Name().Short()
		} else {
			return plumbing.ZeroHash, err
		}
	}
	ref, err := g.repo.Reference(plumbing.NewRemoteReferenceName("origin", branch), true)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("git: no branch %s at %s: %w", branch, redact(g.o.URL), err)
	}
	return ref.Hash(), nil
}

// Head is the commit Fetch brought the clone to.
func (g *Git) Head() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.head.String()
}

// History returns the ledger of the talks as the history up to the
// fetched commit tells it, and that commit's time: each commit's pages,
// parsed by l, are recorded at the commit's time, oldest first along the
// first parents. A page that fails to parse in a commit keeps its last
// good version, which also becomes l's last good version of the page, so
// that a replica started after the break serves what the others do.
// Only commits new since the last call are read; after a force-push the
// history is read again from the start. The ledger returned is the
// caller's.
func (g *Git) History(ctx context.Context, l *Loader) (*talkfeed.Ledger, time.Time, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.head.IsZero() {
		return nil, time.Time{}, errors.New("git: History before Fetch")
	}
	if g.hist == nil || g.hist.loader != l {
		g.hist = &replay{loader: l, ledger: talkfeed.NewLedger(), ids: map[string]string{}}
	}
	if g.hist.head != g.head {
		next, err := g.replayTo(ctx, g.hist, g.head)
		if err != nil {
			return nil, time.Time{}, err
		}
		g.hist = next
	}
	return g.hist.ledger.Clone(), g.hist.headTime, nil
}

// replayTo reads the commits from r's head to head into a copy of r.
func (g *Git) replayTo(ctx context.Context, r *replay, head plumbing.Hash) (*replay, error) {
	var commits []*object.Commit
	c, err := g.repo.CommitObject(head)
	if err != nil {
		return nil, err
	}
	headTime := c.Committer.When.UTC().Truncate(time.Second)
	found := false
	for c != nil {
		if c.Hash == r.head {
			found = true
			break
		}
		commits = append(commits, c)
		if c.NumParents() == 0 {
			break
		}
		if c, err = c.Parent(0); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	next := &replay{loader: r.loader, head: head, headTime: headTime, ledger: r.ledger.Clone(), ids: maps.Clone(r.ids)}
	if !found { // a force-push: the old head is not an ancestor
		next.ledger, next.ids = talkfeed.NewLedger(), map[string]string{}
	}
	for i := len(commits) - 1; i >= 0; i-- {
		if err := g.apply(ctx, next, commits[i]); err != nil {
			return nil, err
		}
	}
	return next, nil
}

// apply records one commit: the pages it added, changed, renamed or
// deleted.
func (g *Git) apply(ctx context.Context, r *replay, c *object.Commit) error {
	tree, err := c.Tree()
	if err != nil {
		return err
	}
	var parentTree *object.Tree
	if c.NumParents() > 0 {
		p, err := c.Parent(0)
		if err != nil {
			return err
		}
		if parentTree, err = p.Tree(); err != nil {
			return err
		}
	}
	changes, err := object.DiffTreeWithOptions(ctx, parentTree, tree, &object.DiffTreeOptions{DetectRenames: true, RenameScore: 60, RenameLimit: 1000})
	if err != nil {
		return err
	}
	when := c.Committer.When.UTC()
	var changed []*talkfeed.Event
	var removed []string
	// gone drops a path's talk unless another page still has its ID.
	gone := func(p string) {
		id, ok := r.ids[p]
		if !ok {
			return
		}
		delete(r.ids, p)
		for _, other := range r.ids {
			if other == id {
				return
			}
		}
		removed = append(removed, id)
	}
	var renamedFrom []string
	for _, ch := range changes {
		from, to := g.rel(ch.From.Name), g.rel(ch.To.Name)
		if from != "" && from != to {
			renamedFrom = append(renamedFrom, from) // after the pages that may take its ID
		}
		if to == "" {
			continue
		}
		data, err := g.blob(tree, ch.To.Name, r.loader.maxSize)
		if err != nil {
			continue // too large or unreadable: the load reports it
		}
		sum := sha256.Sum256(data)
		res := r.loader.parser.parseHashed(to, data, sum, time.Time{})
		switch {
		case res.event != nil:
			if old, ok := r.ids[to]; ok && old != res.event.ID {
				gone(to)
			}
			r.ids[to] = res.event.ID
			changed = append(changed, res.event)
			r.loader.rememberGood(to, *res.event)
		case res.skipped:
			gone(to) // no longer a talk
		}
		// A page that fails keeps its last good version.
	}
	for _, p := range renamedFrom {
		gone(p)
	}
	// A talk that went from one page to another in the commit stays.
	removed = slices.DeleteFunc(removed, func(id string) bool {
		return slices.ContainsFunc(changed, func(e *talkfeed.Event) bool { return e.ID == id })
	})
	r.ledger.Apply(when, changed, removed)
	return nil
}

// blob reads a file of a commit's tree within the size bound.
func (g *Git) blob(tree *object.Tree, name string, limit int64) ([]byte, error) {
	f, err := tree.File(name)
	if err != nil {
		return nil, err
	}
	if f.Size > limit {
		return nil, fmt.Errorf("%s is over the size limit", name)
	}
	rd, err := f.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(io.LimitReader(rd, limit+1))
}

// rel maps a repository path to a page path under the subdir, or "" when
// it is not a page there.
func (g *Git) rel(p string) string {
	if p == "" || !IsPage(p) {
		return ""
	}
	sub := strings.Trim(g.o.Subdir, "/")
	if sub == "" {
		return p
	}
	if r, ok := strings.CutPrefix(p, sub+"/"); ok {
		return r
	}
	return ""
}

// RedactURL is a git URL with its credentials hidden, for anything that
// names the source: logs, diagnostics, the status page.
func RedactURL(rawURL string) string { return redact(rawURL) }

// redact hides the credentials written into a URL, for errors. url.Parse
// ends the userinfo at the last "@", so a password holding "@" is hidden
// whole; scp-like git@host:org/repo.git does not parse and has no secret.
func redact(rawURL string) string {
	s := rawURL
	if u, err := url.Parse(rawURL); err == nil {
		s = u.Redacted()
	}
	return scrub(s, rawURL)
}

// scrub hides in msg what the URL's userinfo holds: the password, or for
// http(s) a user name alone, which GitHub and GitLab take as a token.
// When url.Parse refuses the URL, or takes no userinfo from it although it
// has an "@" (a token with "/", "?" or "#"), go-git quotes it raw: then
// all before the last "@" is a secret.
func scrub(msg, rawURL string) string {
	var secrets []string
	if u, err := url.Parse(rawURL); err == nil && u.User != nil {
		p, ok := u.User.Password()
		if !ok && strings.HasPrefix(u.Scheme, "http") {
			p = u.User.Username()
		}
		if p != "" {
			secrets = append(secrets, p, url.PathEscape(p), url.QueryEscape(p))
		}
	} else if _, rest, ok := strings.Cut(rawURL, "://"); ok {
		if at := strings.LastIndex(rest, "@"); at > 0 {
			_, pass, _ := strings.Cut(rest[:at], ":")
			secrets = append(secrets, rest[:at], pass)
		}
	}
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
		}
	}
	return msg
}

// urlError names the URL in an error from go-git with its credentials
// hidden from go-git's text too: go-git and net/http hide a password but
// not a user name, and quote a URL they cannot parse whole.
func urlError(op, rawURL string, err error) error {
	return &scrubbedError{op + " " + redact(rawURL) + ": " + scrub(err.Error(), rawURL), err}
}

// scrubbedError keeps errors.Is working on what go-git returned.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }
