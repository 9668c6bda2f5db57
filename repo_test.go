package talkfeed_test

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// maxTrackedBytes bounds a tracked file outside testdata/: anything
// bigger is an artifact, not source.
const maxTrackedBytes = 1 << 20

// executableMagic are the first bytes of compiled binaries and object
// archives: ELF, Mach-O (both byte orders, 32 and 64 bits, universal), PE,
// ar archives (Go's .a) and WebAssembly.
var executableMagic = [][]byte{
	[]byte("\x7fELF"),
	{0xfe, 0xed, 0xfa, 0xce}, {0xfe, 0xed, 0xfa, 0xcf}, {0xce, 0xfa, 0xed, 0xfe}, {0xcf, 0xfa, 0xed, 0xfe}, {0xca, 0xfe, 0xba, 0xbe},
	[]byte("MZ"),
	[]byte("!<arch>\n"),
	[]byte("\x00asm"),
}

// The repository holds only source: no compiled binary anywhere, and no
// file over 1 MiB outside testdata/ (a test binary once sat at the root).
func TestRepositoryHoldsOnlySource(t *testing.T) {
	out, err := exec.Command("git", "ls-files", "-z").Output()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("git ls-files: %v", err)
		}
		t.Skipf("not a git checkout here (%v)", err)
	}
	files := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(files) < 50 {
		t.Fatalf("only %d tracked files: is this the module's root?", len(files))
	}
	for _, f := range files {
		info, err := os.Lstat(f)
		if err != nil || !info.Mode().IsRegular() {
			continue // deleted in the work tree, or a symbolic link
		}
		if info.Size() > maxTrackedBytes && !strings.Contains("/"+f, "/testdata/") {
			t.Errorf("%s is %d bytes: over 1 MiB outside testdata/", f, info.Size())
		}
		head := make([]byte, 8)
		fh, err := os.Open(f)
		if err != nil {
			t.Error(err)
			continue
		}
		n, _ := fh.Read(head)
		fh.Close()
		for _, magic := range executableMagic {
			if bytes.HasPrefix(head[:n], magic) {
				t.Errorf("%s is a compiled binary", f)
			}
		}
	}
}
