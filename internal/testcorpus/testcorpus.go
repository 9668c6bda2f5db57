// Package testcorpus finds the shared corpus of real talk pages for tests.
package testcorpus

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the corpus folder name (e.g. "dcos-events"), found through
// TALKFEED_CORPUS (relative paths are taken from the module root) or, when
// that is unset, at ../shared/corpus beside the module. When the folder is
// absent the test is skipped, saying so, on a developer's machine, and
// fails in CI ($CI set) or when TALKFEED_CORPUS names a folder: there a
// missing corpus is a broken setup, not a reason to pass.
func Dir(tb testing.TB, name string) string {
	tb.Helper()
	root := moduleRoot(tb)
	base := os.Getenv("TALKFEED_CORPUS")
	if base == "" {
		base = filepath.Join("..", "shared", "corpus")
	}
	if !filepath.IsAbs(base) {
		base = filepath.Join(root, base)
	}
	dir := filepath.Join(base, name)
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		if os.Getenv("CI") != "" || os.Getenv("TALKFEED_CORPUS") != "" {
			tb.Fatalf("corpus %s is absent: %v", dir, err)
		}
		tb.Skipf("corpus %s is absent (set TALKFEED_CORPUS to the shared corpus folder): %v", dir, err)
	}
	return dir
}

func moduleRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			tb.Fatalf("no go.mod above %s", dir)
		}
	}
}
