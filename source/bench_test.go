package source

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"testing"

	"github.com/talkfeed/talkfeed/bench/pagegen"
)

// BenchmarkLoad loads generated pages cold (a new loader, nothing
// cached). Compare load/10000 with read-only/10000 (the same files read
// without parsing, the floor) and with load/1000 (linearity), and
// workers=1 with the default (both cores); reload-unchanged/10000 is a
// warm loader's reload, which parses only what changed.
func BenchmarkLoad(b *testing.B) {
	dirs := map[int]string{}
	for _, n := range []int{1000, 10000} {
		dirs[n] = b.TempDir()
		if err := pagegen.Write(dirs[n], n, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("read-only/10000", func(b *testing.B) {
		root, _ := os.OpenRoot(dirs[10000])
		defer root.Close()
		fsys := root.FS()
		for b.Loop() {
			err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				f, err := fsys.Open(p)
				if err != nil {
					return err
				}
				_, err = io.Copy(io.Discard, f)
				f.Close()
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reload-unchanged/10000", func(b *testing.B) {
		root, _ := os.OpenRoot(dirs[10000])
		defer root.Close()
		l, _ := NewLoader(Options{})
		l.Load(context.Background(), root.FS())
		for b.Loop() {
			if _, err := l.Load(context.Background(), root.FS()); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range []struct {
		n, workers int
	}{{1000, 0}, {10000, 0}, {10000, 1}} {
		name := fmt.Sprintf("load/%d", c.n)
		if c.workers == 1 {
			name = fmt.Sprintf("load-1worker/%d", c.n)
		}
		b.Run(name, func(b *testing.B) {
			root, _ := os.OpenRoot(dirs[c.n])
			defer root.Close()
			for b.Loop() {
				// A new loader each time: a cold load, no page cached.
				l, err := NewLoader(Options{Workers: c.workers})
				if err != nil {
					b.Fatal(err)
				}
				res, err := l.Load(context.Background(), root.FS())
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Events) != c.n || res.Counts().Errors != 0 {
					b.Fatalf("%d events, %v", len(res.Events), res.Diagnostics[:min(3, len(res.Diagnostics))])
				}
			}
		})
	}
}
