package talkfeed_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// clockReaders are the standard library's ways to read the wall clock.
var clockReaders = map[string]bool{"Now": true, "Since": true, "Until": true}

// clockAllowed are the only production files that may read the clock:
// the command's wiring, which makes the clock every other part is given,
// and the request-duration metrics, which measure and never publish.
func clockAllowed(rel string) bool {
	return strings.HasPrefix(rel, "cmd/talkfeed/") || rel == "server/metrics.go"
}

// Every path that reads the time takes it from an injected clock, so that
// tests pin it and a test that passes today cannot fail next month. This
// finds any direct time.Now, time.Since or time.Until (under any import
// name), and Prometheus' SetToCurrentTime, in the module's non-test code.
func TestNoHiddenClock(t *testing.T) {
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(p)
		if d.IsDir() {
			name := d.Name()
			if rel != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "deploy") {
				return filepath.SkipDir // not this module's production code
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		checked++
		if clockAllowed(rel) {
			return nil
		}
		timeName := ""
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); path == "time" {
				timeName = "time"
				if imp.Name != nil {
					timeName = imp.Name.Name
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && timeName != "" && x.Name == timeName && clockReaders[sel.Sel.Name] {
				t.Errorf("%s: %s.%s reads the wall clock; take the clock injected (a now func or a day) instead", fset.Position(sel.Pos()), x.Name, sel.Sel.Name)
			}
			if sel.Sel.Name == "SetToCurrentTime" {
				t.Errorf("%s: SetToCurrentTime reads the wall clock; set the injected clock's time instead", fset.Position(sel.Pos()))
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 40 {
		t.Fatalf("checked only %d files: is the walk rooted at the module?", checked)
	}
}
