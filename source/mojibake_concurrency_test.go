package source

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The loader's workers repair pages at once. x/text's encoders and
// decoders are not safe for concurrent use, so the repair must not share
// one: the race detector reports a shared one that keeps state, and
// TestNoSharedTextCoder one that does not.
func TestRepairMojibakeConcurrently(t *testing.T) {
	const in, want = "donâ€™t â€œquoteâ€\u009d: â‚¬5, Trademarkâ„¢, KafkaÂ®", "don’t “quote”: €5, Trademark™, Kafka®"
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if got, lines := repairMojibake(in); got != want || !slices.Equal(lines, []int{1}) {
					t.Errorf("repairMojibake(%q) = %q %v, want %q [1]", in, got, lines, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// An x/text Encoder or Decoder made once for the package would be shared
// by the loader's workers. A Windows-1252 one happens to keep no state,
// so the race detector cannot see it shared; this test can.
func TestNoSharedTextCoder(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			ast.Inspect(gd, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok && (sel.Sel.Name == "NewEncoder" || sel.Sel.Name == "NewDecoder") {
					t.Errorf("%s: a package-level %s is shared by every worker; make one per use", fset.Position(sel.Pos()), sel.Sel.Name)
				}
				return true
			})
		}
	}
}
