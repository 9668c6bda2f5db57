package source

import (
	"strings"
	"testing"

	"github.com/talkfeed/talkfeed"
)

// The page size bound is inclusive: a page of exactly the limit loads,
// one byte more is an error.
func TestPageSizeLimitIsInclusive(t *testing.T) {
	dir := t.TempDir()
	head := "---\ntitle: Big\ndate: 2020-01-03\n---\n"
	writeFile(t, dir, "exact.md", head+strings.Repeat("x", DefaultMaxPageBytes-len(head)))
	writeFile(t, dir, "over.md", head+strings.Repeat("x", DefaultMaxPageBytes-len(head)+1))
	res := load(t, Options{}, dir)
	if ids := eventIDs(res); len(ids) != 1 || ids[0] != "exact" {
		t.Errorf("events %v, want exact only", ids)
	}
	if !findDiag(res, "over.md", talkfeed.SeverityError, "over the 1 MiB limit") {
		t.Errorf("no error for a page one byte over: %v", res.Diagnostics)
	}
}
