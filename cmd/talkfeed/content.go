package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/talkfeed/talkfeed/demo"
	"github.com/talkfeed/talkfeed/source"
)

// demoName is how diagnostics name the embedded demo content.
const demoName = "demo"

// sourceRef is a SOURCE resolved: the embedded demo, a folder, or a git
// repository cloned into the cache.
type sourceRef struct {
	dir  string      // the folder; "" for the demo
	git  *source.Git // nil unless SOURCE is a git URL
	name string      // how diagnostics name it
}

// resolveSource checks SOURCE and, for a git URL, clones it (or opens the
// clone a previous run cached).
func resolveSource(ctx context.Context, src string, cfg settings, getenv func(string) string) (*sourceRef, error) {
	switch {
	case src == "":
		return &sourceRef{name: demoName}, nil
	case source.IsGitURL(src):
		auth, err := source.GitAuth(getenv)
		if err != nil {
			return nil, err
		}
		g, err := source.OpenGit(ctx, source.GitOptions{URL: src, Branch: cfg.gitBranch, Subdir: cfg.gitSubdir, CacheDir: cfg.cacheDir, Auth: auth, Timeout: cfg.gitTimeout})
		if err != nil {
			return nil, err
		}
		return &sourceRef{dir: g.Dir(), git: g, name: gitSourceName(src, cfg.gitSubdir)}, nil
	}
	info, err := os.Stat(src)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", src, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("source %s is not a directory", src)
	}
	return &sourceRef{dir: src, name: filepath.Clean(src)}, nil
}

// demo reports whether the source is the embedded demo content.
func (s *sourceRef) demo() bool { return s.dir == "" && s.git == nil }

// watchable is the folder to watch for changes: a folder source's, never
// a clone's (fetches bring its changes).
func (s *sourceRef) watchable() string {
	if s.git != nil {
		return ""
	}
	return s.dir
}

// content is an opened source, ready to load.
type content struct {
	fsys fs.FS
	// name prefixes diagnostics' paths so that they open in an editor.
	name string
	// assets are files the pages refer to that talkfeed publishes too:
	// the demo's images. Nil for a folder, whose site publishes its own.
	assets fs.FS
	close  func() error
}

// open makes the source ready to load as of day: a git source fetches
// first; the demo's dates are moved to keep it alive on that day. A
// folder is opened as an os.Root so that no symbolic link can lead a read
// out of it.
func (s *sourceRef) open(ctx context.Context, day time.Time) (*content, error) {
	if s.demo() {
		return &content{fsys: demo.TalksOn(day), name: demoName, assets: demo.Assets(), close: func() error { return nil }}, nil
	}
	if s.git != nil {
		if err := s.git.Fetch(ctx); err != nil {
			return nil, err
		}
	}
	root, err := os.OpenRoot(s.dir)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", s.name, err)
	}
	return &content{fsys: root.FS(), name: s.name, close: root.Close}, nil
}

// load reads the content with the loader and names diagnostics' files
// after the source as the user wrote it.
func (c *content) load(ctx context.Context, l *source.Loader) (*source.Result, error) {
	res, err := l.Load(ctx, c.fsys)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", c.name, err)
	}
	for i := range res.Diagnostics {
		res.Diagnostics[i].File = filepath.Join(c.name, filepath.FromSlash(res.Diagnostics[i].File))
	}
	return res, nil
}

// prepare resolves the configuration, makes the loader (on the command's
// clock, which dates its far-future warnings) and resolves SOURCE:
// everything a command does before loading. Its errors are usage errors
// (a bad flag, config file or SOURCE) or a clone that failed.
func prepare(ctx context.Context, cf *configFlags, getenv func(string) string, now func() time.Time, src string) (settings, *source.Loader, *sourceRef, error) {
	cfg, err := cf.resolve(getenv)
	if err != nil {
		return settings{}, nil, nil, err
	}
	cfg.loader.Today = now
	loader, err := source.NewLoader(cfg.loader)
	if err != nil {
		return settings{}, nil, nil, err
	}
	ref, err := resolveSource(ctx, src, cfg, getenv)
	if err != nil {
		return settings{}, nil, nil, err
	}
	return cfg, loader, ref, nil
}

// gitSourceName is how logs, diagnostics and the status page name a git
// source: its URL without the credentials it may carry, then the folder.
func gitSourceName(url, subdir string) string {
	return filepath.Join(source.RedactURL(url), subdir)
}
