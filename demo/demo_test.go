package demo

import (
	"bytes"
	"io/fs"
	"regexp"
	"testing"
	"time"
)

func TestShiftDays(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 15, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		on   time.Time
		want int
	}{
		{day(2026, 11, 24), 0},
		{day(2026, 11, 30), 0},
		{day(2026, 12, 1), 7},
		{day(2026, 11, 23), -7}, // the day before is the week before
		{day(2026, 11, 17), -7},
		{day(2026, 11, 16), -14},
		{day(2031, 11, 25), 1827}, // 261 weeks on: a Tuesday again
		// The day is UTC's: 23:30 in New York on 30 Nov is 1 Dec.
		{time.Date(2026, 11, 30, 23, 30, 0, 0, time.FixedZone("EST", -5*3600)), 7},
	} {
		if got := ShiftDays(tc.on); got != tc.want {
			t.Errorf("ShiftDays(%v) = %d, want %d", tc.on, got, tc.want)
		}
	}
}

// As of Anchor the pages are exactly as written; on another day every
// date moves by whole weeks and nothing else changes.
func TestTalksOn(t *testing.T) {
	asWritten := readAll(t, Talks())
	if same := readAll(t, TalksOn(Anchor.AddDate(0, 0, 6))); !equalPages(same, asWritten) {
		t.Error("the pages differ within the anchor's week")
	}
	later := TalksOn(Anchor.AddDate(0, 0, 7*30+3))
	moved := readAll(t, later)
	if len(moved) != len(asWritten) || len(moved) != 10 {
		t.Fatalf("%d pages moved, %d written", len(moved), len(asWritten))
	}
	date := regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)
	for p, orig := range asWritten {
		got := moved[p]
		if len(got) != len(orig) {
			t.Errorf("%s: %d bytes, written %d", p, len(got), len(orig))
		}
		// Apart from the dates, the text is the same.
		if !bytes.Equal(date.ReplaceAll(got, nil), date.ReplaceAll(orig, nil)) {
			t.Errorf("%s: more than its dates changed", p)
		}
		was, now := date.FindAll(orig, -1), date.FindAll(got, -1)
		if len(was) == 0 {
			t.Errorf("%s has no date", p)
		}
		for i := range was {
			a, _ := time.Parse(time.DateOnly, string(was[i]))
			b, _ := time.Parse(time.DateOnly, string(now[i]))
			if b.Sub(a) != 210*24*time.Hour {
				t.Errorf("%s: %s became %s, want 30 weeks later", p, was[i], now[i])
			}
		}
		info, err := fs.Stat(later, p)
		if err != nil || info.Size() != int64(len(got)) {
			t.Errorf("%s: Stat %v, size %d for %d bytes", p, err, info.Size(), len(got))
		}
	}
}

func readAll(t *testing.T, fsys fs.FS) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		out[p], err = fs.ReadFile(fsys, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func equalPages(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for p := range a {
		if !bytes.Equal(a[p], b[p]) {
			return false
		}
	}
	return true
}
