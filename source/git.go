package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
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
}

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
// fetched on every reload. Its history dates the pages: the commit that
// added a page is when it was announced, the last that changed it when it
// was updated, and the number of commits that changed it is its revision.
type Git struct {
	o    GitOptions
	repo *git.Repository
	dir  string

	mu     sync.Mutex
	ledger ledger
}

// ledger is the history of every page, kept incrementally: only commits
// new since Head are read on a fetch.
type ledger struct {
	Head  string               `json:"head"`
	Pages map[string]PageDates `json:"pages"`
}

// PageDates is what the history says about one page.
type PageDates struct {
	Added     time.Time `json:"added"`
	Changed   time.Time `json:"changed"`
	Revisions int       `json:"revisions"`
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
		repo, err = git.PlainCloneContext(ctx, dir, false, clone)
		if err != nil {
			os.RemoveAll(dir)
			return nil, urlError("git clone", o.URL, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("git cache %s: %w", dir, err)
	}
	g.repo = repo
	g.loadLedger()
	return g, nil
}

// Dir is the folder of talk pages in the clone's work tree.
func (g *Git) Dir() string { return filepath.Join(g.dir, filepath.FromSlash(g.o.Subdir)) }

// Fetch brings the clone to the remote branch's newest commit and brings
// the history up to date. A failure (network, credentials, a vanished
// remote) leaves the clone as it was.
func (g *Git) Fetch(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
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
	return g.updateLedger(ctx, head)
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

// Dates returns what the history says about a page, by its path under
// the subdir.
func (g *Git) Dates(p string) (PageDates, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	d, ok := g.ledger.Pages[p]
	return d, ok
}

// updateLedger reads the commits new since the ledger's head, oldest
// first, following the first parent. When the old head is not an ancestor
// (a force-push), the ledger is rebuilt from the start.
func (g *Git) updateLedger(ctx context.Context, head plumbing.Hash) error {
	if g.ledger.Head == head.String() {
		return nil
	}
	var commits []*object.Commit
	c, err := g.repo.CommitObject(head)
	if err != nil {
		return err
	}
	found := false
	for c != nil {
		if c.Hash.String() == g.ledger.Head {
			found = true
			break
		}
		commits = append(commits, c)
		if c.NumParents() == 0 {
			break
		}
		if c, err = c.Parent(0); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if !found {
		g.ledger = ledger{Pages: map[string]PageDates{}}
	}
	for i := len(commits) - 1; i >= 0; i-- {
		if err := g.apply(ctx, commits[i]); err != nil {
			return err
		}
	}
	g.ledger.Head = head.String()
	g.saveLedger()
	return nil
}

// apply records one commit: pages it added, changed or renamed.
func (g *Git) apply(ctx context.Context, c *object.Commit) error {
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
	for _, ch := range changes {
		from, to := g.rel(ch.From.Name), g.rel(ch.To.Name)
		switch {
		case to == "": // deleted
			delete(g.ledger.Pages, from)
		case from != "" && from != to: // renamed: the page keeps its history
			d := g.ledger.Pages[from]
			delete(g.ledger.Pages, from)
			d.Changed, d.Revisions = when, d.Revisions+1
			if d.Added.IsZero() {
				d.Added = when
			}
			g.ledger.Pages[to] = d
		default:
			d, ok := g.ledger.Pages[to]
			if !ok {
				d.Added = when
			}
			d.Changed, d.Revisions = when, d.Revisions+1
			g.ledger.Pages[to] = d
		}
	}
	return nil
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

func (g *Git) ledgerPath() string { return g.dir + ".ledger.json" }

func (g *Git) loadLedger() {
	g.ledger = ledger{Pages: map[string]PageDates{}}
	data, err := os.ReadFile(g.ledgerPath())
	if err != nil {
		return
	}
	var l ledger
	if json.Unmarshal(data, &l) == nil && l.Pages != nil {
		g.ledger = l
	}
}

// saveLedger writes the ledger beside the clone, through a rename; losing
// it only costs a rebuild.
func (g *Git) saveLedger() {
	data, err := json.Marshal(g.ledger)
	if err != nil {
		return
	}
	tmp := g.ledgerPath() + ".tmp"
	if os.WriteFile(tmp, data, 0o644) == nil {
		os.Rename(tmp, g.ledgerPath())
	}
}

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
