// Command floor is the library floor of a build: it only reads every
// page below a folder, decodes its front matter with yaml.v3 or
// go-toml and renders its body with goldmark, on every core, and prints
// the count. talkfeed's cold build is measured against it
// (bench/compare.sh): what talkfeed does beyond it is its own cost.
//
//	go run ./bench/floor DIR
package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pelletier/go-toml/v2"
	"github.com/yuin/goldmark"
	"gopkg.in/yaml.v3"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: floor DIR")
		os.Exit(2)
	}
	var files []string
	err := filepath.WalkDir(os.Args[1], func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".md") || strings.HasSuffix(p, ".markdown")) {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var pages, failed atomic.Int64
	jobs := make(chan string)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			md := goldmark.New()
			var out bytes.Buffer
			for p := range jobs {
				data, err := os.ReadFile(p)
				if err != nil {
					failed.Add(1)
					continue
				}
				front, body := split(data)
				var m map[string]any
				if bytes.HasPrefix(data, []byte("+++")) {
					err = toml.Unmarshal(front, &m)
				} else {
					err = yaml.Unmarshal(front, &m)
				}
				out.Reset()
				if err != nil || md.Convert(body, &out) != nil {
					failed.Add(1)
					continue
				}
				pages.Add(1)
			}
		})
	}
	for _, f := range files {
		jobs <- f
	}
	close(jobs)
	wg.Wait()
	fmt.Printf("%d pages, %d failed\n", pages.Load(), failed.Load())
}

// split cuts a page into its front matter (between the --- or +++
// fences) and its body.
func split(data []byte) (front, body []byte) {
	for _, fence := range []string{"---", "+++"} {
		if rest, ok := bytes.CutPrefix(data, []byte(fence+"\n")); ok {
			if f, b, ok := bytes.Cut(rest, []byte("\n"+fence+"\n")); ok {
				return f, b
			}
		}
	}
	return nil, data
}
