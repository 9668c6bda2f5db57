package source

import (
	"os"
	"strings"
	"testing"
)

// The README documents every field and alias the loader reads.
func TestREADMEListsEveryAlias(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	for _, canon := range CanonicalFields() {
		row := ""
		for _, l := range strings.Split(readme, "\n") {
			if strings.HasPrefix(l, "| `"+canon+"` |") {
				row = l
				break // the page format table comes before the config table
			}
		}
		if row == "" {
			t.Errorf("README has no row for field %s", canon)
			continue
		}
		for _, a := range Aliases(canon) {
			if !strings.Contains(row, "`"+a+"`") {
				t.Errorf("README row for %s lacks alias %s", canon, a)
			}
		}
	}
}
