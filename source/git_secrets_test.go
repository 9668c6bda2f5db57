package source

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"log"
	"log/slog"
	"net"
	nethttp "net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
)

func TestRedact(t *testing.T) {
	for _, c := range []struct{ url, want string }{
		{"https://ada:s3cret@git.example.org/talks.git", "https://ada:xxxxx@git.example.org/talks.git"},
		{"https://ghp_s3cret@github.com/org/talks.git", "https://xxxxx@github.com/org/talks.git"},        // a token as the user name
		{"https://ada:s3c@ret@git.example.org/talks.git", "https://ada:xxxxx@git.example.org/talks.git"}, // "@" in the password
		{"https://ada:s3c%2Fret@git.example.org/talks.git", "https://ada:xxxxx@git.example.org/talks.git"},
		{"https://ada:s3cret@git.example.org/org/talks@v1.git", "https://ada:xxxxx@git.example.org/org/talks@v1.git"},
		{"https://ada:12/s3cret@git.example.org/talks.git", "https://xxxxx@git.example.org/talks.git"}, // parses, as host "ada" and port 12
		{"https://ada:s3 cret@git.example.org/talks.git", "https://xxxxx@git.example.org/talks.git"},   // does not parse
		{"https://git.example.org/talks.git", "https://git.example.org/talks.git"},
		{"ssh://git@git.example.org:2222/org/talks.git", "ssh://git@git.example.org:2222/org/talks.git"},
		{"ssh://git:s3cret@git.example.org/org/talks.git", "ssh://git:xxxxx@git.example.org/org/talks.git"},
		{"git@github.com:org/talks.git", "git@github.com:org/talks.git"}, // scp-like
		{"file:///srv/talks.git", "file:///srv/talks.git"},
	} {
		if got := redact(c.url); got != c.want {
			t.Errorf("redact(%q) = %q, want %q", c.url, got, c.want)
		}
	}
}

// Credentials in a SOURCE URL appear in no error from a clone or a fetch,
// whatever the server answers, nor in the log.
func TestGitSecretsStayOutOfErrorsAndLogs(t *testing.T) {
	var logged bytes.Buffer
	oldSlog, oldOut, oldFlags := slog.Default(), log.Writer(), log.Flags()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
	t.Cleanup(func() { slog.SetDefault(oldSlog); log.SetOutput(oldOut); log.SetFlags(oldFlags) })

	status := func(code int) string {
		s := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			w.WriteHeader(code)
		}))
		t.Cleanup(s.Close)
		return s.Listener.Addr().String()
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	hosts := map[string]string{"401": status(401), "404": status(404), "500": status(500), "closed port": closed}

	ctx := context.Background()
	r := newRemote(t)
	r.write("a.md", talk("Alpha", "2027-01-01"))
	r.commit("add alpha", day(1))
	// A clone whose remote starts failing.
	g, err := OpenGit(ctx, GitOptions{URL: "file://" + r.dir, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	fetch := func(url string) error {
		cfg, err := g.repo.Config()
		if err != nil {
			t.Fatal(err)
		}
		cfg.Remotes["origin"].URLs = []string{url}
		if err := g.repo.SetConfig(cfg); err != nil {
			t.Fatal(err)
		}
		g.o.URL = url
		return g.Fetch(ctx)
	}

	secrets := []string{"s3cret", "s3c@ret", "s3 cret", "s3c/ret", "s3c%2Fret"}
	for name, host := range hosts {
		for _, url := range []string{
			"http://ada:s3cret@" + host + "/talks.git",
			"http://s3cret@" + host + "/talks.git", // a token as the user name
			"http://ada:s3c@ret@" + host + "/talks.git",
			"http://ada:s3c%2Fret@" + host + "/talks.git",
			"http://ada:s3 cret@" + host + "/talks.git", // url.Parse refuses it
		} {
			_, cloneErr := OpenGit(ctx, GitOptions{URL: url, CacheDir: t.TempDir()})
			for what, err := range map[string]error{"clone": cloneErr, "fetch": fetch(url)} {
				if err == nil {
					t.Errorf("%s %s from %s succeeded", what, url, name)
					continue
				}
				if !strings.Contains(err.Error(), "xxxxx@"+host) {
					t.Errorf("%s %s from %s: the error does not name the redacted URL: %v", what, url, name, err)
				}
				for _, s := range secrets {
					if strings.Contains(err.Error(), s) {
						t.Errorf("%s from %s: %q is in the error: %v", what, name, s, err)
					}
				}
			}
		}
	}
	for _, s := range secrets {
		if strings.Contains(logged.String(), s) {
			t.Errorf("%q was logged:\n%s", s, logged.String())
		}
	}
}

func TestGitAuthToken(t *testing.T) {
	dir := t.TempDir()
	echoed := filepath.Join(dir, "token") // padded, as echo or a hand-made secret leaves it
	if err := os.WriteFile(echoed, []byte("  file-token \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		env       map[string]string
		user, pwd string
	}{
		{"env, padded", map[string]string{"TALKFEED_GIT_TOKEN": " env-token\n"}, "x-access-token", "env-token"},
		{"file", map[string]string{"TALKFEED_GIT_TOKEN_FILE": echoed}, "x-access-token", "file-token"},
		{"env wins", map[string]string{"TALKFEED_GIT_TOKEN": "env-token", "TALKFEED_GIT_TOKEN_FILE": echoed}, "x-access-token", "env-token"},
		{"user", map[string]string{"TALKFEED_GIT_TOKEN_FILE": echoed, "TALKFEED_GIT_USERNAME": "oauth2"}, "oauth2", "file-token"},
	} {
		auth, err := GitAuth(func(k string) string { return c.env[k] })
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if b, ok := auth.(*http.BasicAuth); !ok || b.Username != c.user || b.Password != c.pwd {
			t.Errorf("%s: %#v, want %s:%s", c.name, auth, c.user, c.pwd)
		}
	}

	missing := map[string]string{"TALKFEED_GIT_TOKEN_FILE": filepath.Join(dir, "nope")}
	if _, err := GitAuth(func(k string) string { return missing[k] }); err == nil || !strings.Contains(err.Error(), "git token file") {
		t.Errorf("a missing token file: %v", err)
	}
	if auth, err := GitAuth(func(string) string { return "" }); auth != nil || err != nil {
		t.Errorf("no credentials: %v %v", auth, err)
	}
}

func TestGitAuthSSHKey(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyFile := func(block *pem.Block, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.CreateTemp(dir, "id_ed25519_")
		if err == nil {
			err = pem.Encode(f, block)
		}
		if err == nil {
			err = f.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
		return f.Name()
	}
	plain := keyFile(ssh.MarshalPrivateKey(priv, ""))
	encrypted := keyFile(ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("open sesame")))
	want, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name, file, passphrase string
		ok                     bool
	}{
		{"unencrypted", plain, "", true},
		{"right passphrase", encrypted, "open sesame", true},
		{"wrong passphrase", encrypted, "open barley", false},
		{"no passphrase", encrypted, "", false},
		{"missing file", filepath.Join(dir, "nope"), "", false},
	} {
		env := map[string]string{"TALKFEED_GIT_SSH_KEY_FILE": c.file, "TALKFEED_GIT_SSH_PASSPHRASE": c.passphrase}
		auth, err := GitAuth(func(k string) string { return env[k] })
		if !c.ok {
			if err == nil || !strings.Contains(err.Error(), "git ssh key") {
				t.Errorf("%s: %v %v, want a git ssh key error", c.name, auth, err)
			}
			continue
		}
		k, ok := auth.(*gitssh.PublicKeys)
		if err != nil || !ok {
			t.Errorf("%s: %#v %v", c.name, auth, err)
			continue
		}
		if k.User != "git" || !bytes.Equal(k.Signer.PublicKey().Marshal(), want.Marshal()) {
			t.Errorf("%s: user %q, key %s", c.name, k.User, ssh.FingerprintSHA256(k.Signer.PublicKey()))
		}
	}
}
