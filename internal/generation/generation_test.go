package generation

import (
	"errors"
	"fmt"
	"sync"
	"testing"
)

// A value is made once per key and taken by the next generation; a
// generation keeps only what it was asked for, so a key asked for by no
// one since is gone two generations on.
func TestGenerations(t *testing.T) {
	made := 0
	mk := func(v string) func() (string, error) {
		return func() (string, error) { made++; return v, nil }
	}
	g1 := Next[string](nil)
	for range 3 {
		if v, _ := g1.Get("a", mk("A")); v != "A" {
			t.Fatalf("got %q", v)
		}
	}
	g1.Get("b", mk("B"))
	if made != 2 || g1.Len() != 2 {
		t.Fatalf("made %d, kept %d; want 2 and 2", made, g1.Len())
	}
	g2 := Next(g1)
	if !g2.Took("a") || !g2.Took("b") || g2.Took("c") {
		t.Error("the next generation does not take what the last kept")
	}
	if v, _ := g2.Get("a", mk("other")); v != "A" || made != 2 {
		t.Errorf("a kept value is made again: %q after %d", v, made)
	}
	g3 := Next(g2)
	if !g3.Took("a") || g3.Took("b") {
		t.Error("a generation keeps what no one asked it for")
	}
}

// A value that fails is not kept; a nil cache makes every time.
func TestFailuresAndNil(t *testing.T) {
	g := Next[int](nil)
	boom := errors.New("boom")
	if _, err := g.Get("k", func() (int, error) { return 0, boom }); err != boom {
		t.Fatalf("err %v", err)
	}
	if g.Len() != 0 {
		t.Error("a failed value is kept")
	}
	var none *Cache[int]
	n := 0
	for range 2 {
		none.Get("k", func() (int, error) { n++; return n, nil })
	}
	if n != 2 || none.Len() != 0 || none.Took("k") {
		t.Errorf("a nil cache kept something: made %d", n)
	}
}

// The snapshot still served keeps asking its generation for values while
// the next reload's generation reads what it kept (run under -race: the
// maps each generation once kept under its own lock raced there).
func TestOldAndNewGenerationsAtOnce(t *testing.T) {
	old := Next[int](nil)
	next := Next(old)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 500 {
				key := fmt.Sprint(i % 50)
				c := old
				if w%2 == 1 {
					c = next
				}
				if v, _ := c.Get(key, func() (int, error) { return i % 50, nil }); v != i%50 {
					t.Errorf("key %s: %d", key, v)
					return
				}
			}
		})
	}
	wg.Wait()
	if old.Len() != 50 || next.Len() != 50 {
		t.Errorf("kept %d and %d of 50", old.Len(), next.Len())
	}
}
