package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/talkfeed/talkfeed/demo"
	"github.com/talkfeed/talkfeed/source"
)

// demoName is how diagnostics name the embedded demo content.
const demoName = "demo"

// content is an opened SOURCE.
type content struct {
	fsys fs.FS
	// name prefixes diagnostics' paths so that they open in an editor.
	name string
	// assets are files the pages refer to that talkfeed publishes too:
	// the demo's images. Nil for a folder, whose site publishes its own.
	assets fs.FS
	close  func() error
}

// openContent opens a directory, or the embedded demo content when dir is
// empty. The directory is opened as an os.Root so that no symbolic link
// can lead a read out of it.
func openContent(dir string) (*content, error) {
	if dir == "" {
		return &content{fsys: demo.Talks(), name: demoName, assets: demo.Assets(), close: func() error { return nil }}, nil
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", dir, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("source %s is not a directory", dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", dir, err)
	}
	return &content{fsys: root.FS(), name: filepath.Clean(dir), close: root.Close}, nil
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

// prepare resolves the configuration, makes the loader and opens the
// content: everything a command does before loading. Its errors are usage
// errors (a bad flag, config file or SOURCE).
func prepare(cf *configFlags, getenv func(string) string, dir string) (settings, *source.Loader, *content, error) {
	cfg, err := cf.resolve(getenv)
	if err != nil {
		return settings{}, nil, nil, err
	}
	loader, err := source.NewLoader(cfg.loader)
	if err != nil {
		return settings{}, nil, nil, err
	}
	c, err := openContent(dir)
	if err != nil {
		return settings{}, nil, nil, err
	}
	return cfg, loader, c, nil
}
