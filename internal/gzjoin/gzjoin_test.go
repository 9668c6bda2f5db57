package gzjoin

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"
)

func parts(r *rand.Rand) [][]byte {
	words := []string{"<item>", "</item>", "talk", "Kubernetes", "é", "\n", "  ", "2026-12-01", "<title>", "&amp;"}
	out := make([][]byte, r.IntN(40))
	for i := range out {
		var b strings.Builder
		for range r.IntN(3000) {
			b.WriteString(words[r.IntN(len(words))])
		}
		if r.IntN(5) == 0 {
			b.Reset() // empty parts too
		}
		out[i] = []byte(b.String())
	}
	return out
}

func join(ps [][]byte) ([]byte, []byte) {
	var pieces [][]byte
	for _, p := range ps {
		pieces = append(pieces, Piece(p))
	}
	plain := bytes.Join(ps, nil)
	return plain, Join(plain, pieces)
}

// Pieces put together decode, with compress/gzip, to the parts put
// together, whatever the parts (empty, one, many, large).
func TestJoinDecodes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for i := range 200 {
		ps := parts(r)
		if i == 0 {
			ps = nil
		}
		plain, gz := join(ps)
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		zr.Multistream(false) // one member, not several
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("case %d: %v; %d bytes back of %d", i, err, len(got), len(plain))
		}
	}
}

// gzip(1), an independent decoder, reads the joined stream, checksum
// and length included.
func TestJoinDecodesWithGzipTool(t *testing.T) {
	bin, err := exec.LookPath("gzip")
	if err != nil {
		t.Skip("no gzip(1)")
	}
	plain, gz := join(parts(rand.New(rand.NewPCG(2, 2))))
	cmd := exec.Command(bin, "-dc")
	cmd.Stdin = bytes.NewReader(gz)
	got, err := cmd.Output()
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("gzip -dc: %v; %d bytes of %d", err, len(got), len(plain))
	}
	cmd = exec.Command(bin, "-t")
	cmd.Stdin = bytes.NewReader(gz)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gzip -t: %v %s", err, out)
	}
}

// Equal parts give equal bytes: replicas serve the same stream.
func TestJoinIsDeterministic(t *testing.T) {
	ps := parts(rand.New(rand.NewPCG(3, 3)))
	_, a := join(ps)
	_, b := join(ps)
	if !bytes.Equal(a, b) {
		t.Fatal("two joins of the same parts differ")
	}
}
