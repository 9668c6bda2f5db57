package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/talkfeed/talkfeed/publish"
)

// How `build --out DIR` replaces DIR (see the README's build section):
// the whole tree is written, fsynced, beside DIR, and swapped in at once,
// so that a reader (a static server, a CDN sync) sees the old tree or the
// new one, never a mix, and a killed build leaves the old one.
//
//   - DIR absent or a symbolic link: the tree goes to DIR.talkfeed-<N>,
//     N one past the highest there, and DIR becomes (by a rename over it)
//     a link to it. The version the link named before stays, for readers
//     still in it and for a rollback; older ones are removed.
//   - DIR a folder: it is exchanged with the new tree in one rename
//     (renameat2 RENAME_EXCHANGE), then removed. Where the system cannot
//     exchange, two renames leave DIR absent for a moment. A folder that
//     is neither empty nor a talkfeed tree is refused, so that a wrong
//     --out never removes anything else.
//
// The names beside DIR that a killed build leaves (DIR.talkfeed-new-*,
// DIR.talkfeed-old-*, DIR.talkfeed-link) are removed by the next build.
// Builds beside the same DIR take turns (a lock on the parent folder).

const (
	versionInfix = ".talkfeed-"
	newInfix     = ".talkfeed-new-"
	oldInfix     = ".talkfeed-old-"
	linkSuffix   = ".talkfeed-link"
)

// writeTree writes every file of the tree with its .gz and .br
// siblings, and the _headers and _redirects files and nginx snippet that
// make a static host serve them, and redirect moved talk pages, as the
// daemon does (_redirects even when there are none), and swaps the tree
// in at dir. Large trees report progress. It returns where the tree is:
// dir itself, or the version folder dir links to.
func writeTree(dir string, tree *publish.Tree, maxAge time.Duration, progress io.Writer) (string, error) {
	out, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	parent, name := filepath.Split(out)
	if name == "" {
		return "", fmt.Errorf("--out %s: cannot replace a root folder", dir)
	}
	unlock, err := lockFolder(parent)
	if err != nil {
		return "", fmt.Errorf("--out %s: %w", dir, err)
	}
	defer unlock()
	if err := removeStrays(parent, name); err != nil {
		return "", err
	}
	info, err := os.Lstat(out)
	linkMode := errors.Is(err, fs.ErrNotExist) || err == nil && info.Mode()&fs.ModeSymlink != 0
	switch {
	case linkMode:
	case err != nil:
		return "", err
	case !info.IsDir():
		return "", fmt.Errorf("--out %s exists and is not a folder", dir)
	default:
		if err := checkReplaceable(out); err != nil {
			return "", fmt.Errorf("--out %s: %w", dir, err)
		}
	}

	tmp, err := os.MkdirTemp(parent, name+newInfix)
	if err != nil {
		return "", err
	}
	// Until the swap, the new tree is a stray: removed on failure here,
	// or by the next build if this one is killed.
	swapped := false
	defer func() {
		if !swapped {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	if err := writeFiles(tmp, tree, maxAge, progress); err != nil {
		return "", err
	}
	if !linkMode {
		if err := exchange(tmp, out); err != nil {
			return "", err
		}
		swapped = true
		if err := syncPath(parent); err != nil {
			return "", err
		}
		// tmp holds the old tree now.
		return out, os.RemoveAll(tmp)
	}

	previous, _ := os.Readlink(out)
	if filepath.IsAbs(previous) && filepath.Dir(filepath.Clean(previous)) == filepath.Clean(parent) {
		previous = filepath.Base(previous)
	}
	gen := 0
	for _, v := range versions(parent, name) {
		gen = max(gen, v.gen)
	}
	current := name + versionInfix + strconv.Itoa(gen+1)
	if err := os.Rename(tmp, filepath.Join(parent, current)); err != nil {
		return "", err
	}
	swapped = true
	link := filepath.Join(parent, name+linkSuffix)
	if err := os.Symlink(current, link); err != nil {
		return "", err
	}
	// A rename over the old link: readers resolve the old version or the
	// new one, never nothing.
	if err := os.Rename(link, out); err != nil {
		os.Remove(link)
		return "", err
	}
	if err := syncPath(parent); err != nil {
		return "", err
	}
	for _, v := range versions(parent, name) {
		if v.name != current && v.name != previous {
			if err := os.RemoveAll(filepath.Join(parent, v.name)); err != nil {
				return "", err
			}
		}
	}
	return filepath.Join(parent, current), nil
}

type treeVersion struct {
	name string
	gen  int
}

// versions are the version folders of name in parent (name.talkfeed-<N>).
func versions(parent, name string) []treeVersion {
	entries, _ := os.ReadDir(parent)
	var vs []treeVersion
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), name+versionInfix)
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(rest); err == nil && n > 0 && strconv.Itoa(n) == rest {
			vs = append(vs, treeVersion{e.Name(), n})
		}
	}
	return vs
}

// removeStrays removes what a killed build left beside name: a tree being
// written, an old tree being removed, a link not yet renamed.
func removeStrays(parent, name string) error {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return err
	}
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, name+newInfix) || strings.HasPrefix(n, name+oldInfix) || n == name+linkSuffix {
			if err := os.RemoveAll(filepath.Join(parent, n)); err != nil {
				return fmt.Errorf("removing what an earlier build left: %w", err)
			}
		}
	}
	return nil
}

// checkReplaceable refuses a folder that an earlier build did not write
// (and that is not empty): swapping in a tree would remove its files.
func checkReplaceable(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	for _, marker := range []string{publish.NginxPath, publish.RedirectsPath, publish.HeadersPath} {
		if _, err := os.Lstat(filepath.Join(dir, marker)); err == nil {
			return nil
		}
	}
	return fmt.Errorf("the folder is neither empty nor a tree talkfeed built (no %s); build replaces the whole folder, so remove it or choose another", publish.NginxPath)
}

// writeFiles writes the tree into the new folder dir, each file fsynced,
// then every folder, so that the tree is on disk before it is swapped in.
func writeFiles(dir string, tree *publish.Tree, maxAge time.Duration, progress io.Writer) error {
	files := tree.Files()
	// Creating a file costs a disk round trip on most machines (0.8 ms
	// on a virtual disk here), and so does its fsync, so files are
	// written by many at once: the writes overlap, where one after
	// another they add up.
	var (
		mu      sync.Mutex
		written int
		first   error
		folders = map[string]bool{dir: true}
	)
	mkdir := func(p string) error {
		d := filepath.Dir(p)
		mu.Lock()
		known := folders[d]
		mu.Unlock()
		if known {
			return nil
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		mu.Lock()
		for ; d != dir && !folders[d]; d = filepath.Dir(d) {
			folders[d] = true
		}
		mu.Unlock()
		return nil
	}
	var paths []string
	write := func(p string, body []byte) error {
		if err := mkdir(p); err != nil {
			return err
		}
		mu.Lock()
		paths = append(paths, p)
		mu.Unlock()
		return writeFile(p, body)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for i := range next {
				f := &files[i]
				p := filepath.Join(dir, filepath.FromSlash(f.Path))
				err := write(p, f.Body)
				if err == nil && f.Gzip != nil {
					err = write(p+".gz", f.Gzip)
				}
				if err == nil && f.Brotli != nil {
					err = write(p+".br", f.Brotli)
				}
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				written++
				if n := written; len(files) > 2000 && (n%1000 == 0 || n == len(files)) {
					fmt.Fprintf(progress, "wrote %d of %d files\n", n, len(files))
				}
				mu.Unlock()
			}
		})
	}
	for i := range files {
		mu.Lock()
		failed := first != nil
		mu.Unlock()
		if failed {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if first != nil {
		return first
	}
	for _, f := range []struct {
		path string
		body []byte
	}{
		{publish.HeadersPath, tree.HeadersFile(maxAge)},
		{publish.RedirectsPath, tree.RedirectsFile()},
		{publish.NginxPath, tree.NginxConf(maxAge)},
	} {
		p := filepath.Join(dir, f.path)
		if err := writeFile(p, f.body); err != nil {
			return err
		}
		paths = append(paths, p)
	}
	// The folders' entries, deepest first for no reason but order.
	all := make([]string, 0, len(folders))
	for d := range folders {
		all = append(all, d)
	}
	slices.Sort(all)
	slices.Reverse(all)
	return syncTree(dir, paths, all)
}

// syncEach fsyncs each file, then each folder.
func syncEach(files, folders []string) error {
	for _, p := range files {
		if err := syncPath(p); err != nil {
			return err
		}
	}
	for _, d := range folders {
		if err := syncPath(d); err != nil {
			return err
		}
	}
	return nil
}

// writers is how many files build writes at once.
const writers = 16

// writeFile creates the file p with body. The folder is the build's own,
// so no one reads a file half written; syncTree makes it durable.
func writeFile(p string, body []byte) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	// 0644 whatever the umask, as a static server must read it.
	_, werr := f.Write(body)
	merr := f.Chmod(0o644)
	cerr := f.Close()
	return errors.Join(werr, merr, cerr)
}

// syncPath makes a file, or a folder's entries, durable.
func syncPath(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	serr := d.Sync()
	cerr := d.Close()
	return errors.Join(serr, cerr)
}

// swapByRenames puts the folder at a in b's place and b's at a, by two
// renames: between them nothing is at b. A build killed there leaves the
// old tree at b.talkfeed-old-…, which the next build removes.
func swapByRenames(a, b string) error {
	parent, name := filepath.Split(b)
	aside, err := os.MkdirTemp(parent, name+oldInfix)
	if err != nil {
		return err
	}
	if err := os.Remove(aside); err != nil {
		return err
	}
	if err := os.Rename(b, aside); err != nil {
		return err
	}
	if err := os.Rename(a, b); err != nil {
		os.Rename(aside, b)
		return err
	}
	return os.Rename(aside, a)
}
