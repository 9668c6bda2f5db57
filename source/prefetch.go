package source

import (
	"context"
	"io/fs"
	"path"
	"sync"
)

// prefetched is a file system whose folders were all read at once, on
// several cores, for a walk to take in order: reading a folder also
// stats each entry (os.Root does), and at 10,000 pages reading them one
// after another was half of a reload that found nothing changed.
type prefetched struct {
	fs.FS
	mu   sync.Mutex
	dirs map[string]readDir
}

type readDir struct {
	entries []fs.DirEntry
	err     error
}

// ReadDir hands over a folder read ahead (once: a walk reads each
// folder once), else reads it.
func (p *prefetched) ReadDir(name string) ([]fs.DirEntry, error) {
	p.mu.Lock()
	r, ok := p.dirs[name]
	delete(p.dirs, name)
	p.mu.Unlock()
	if ok {
		return r.entries, r.err
	}
	return fs.ReadDir(p.FS, name)
}

// prefetch reads every folder below the root of fsys that a walk of the
// loader enters (not the skipped ones, nor linked ones), with workers
// reading at once.
func prefetch(ctx context.Context, fsys fs.FS, workers int) fs.FS {
	p := &prefetched{FS: fsys, dirs: map[string]readDir{}}
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(workers, 1))
	var read func(dir string)
	read = func(dir string) {
		defer wg.Done()
		sem <- struct{}{}
		entries, err := fs.ReadDir(fsys, dir)
		<-sem
		p.mu.Lock()
		p.dirs[dir] = readDir{entries, err}
		p.mu.Unlock()
		if ctx.Err() != nil {
			return
		}
		for _, e := range entries {
			if e.IsDir() && !skipped(e.Name()) {
				wg.Add(1)
				go read(path.Join(dir, e.Name()))
			}
		}
	}
	wg.Add(1)
	read(".")
	wg.Wait()
	return p
}
