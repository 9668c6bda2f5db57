package lru

import "testing"

func TestCache(t *testing.T) {
	c := New[string, int](2)
	c.Put("a", 1)
	c.Put("b", 2)
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Fatalf("a: %v %v", v, ok)
	}
	c.Put("c", 3) // drops b, the least recently used
	if _, ok := c.Get("b"); ok {
		t.Error("b outlived its bound")
	}
	if v, ok := c.Get("a"); !ok || v != 1 || c.Len() != 2 {
		t.Errorf("a: %v %v, %d held", v, ok, c.Len())
	}
	c.Put("a", 4)
	if v, _ := c.Get("a"); v != 4 || c.Len() != 2 {
		t.Errorf("a replaced: %v, %d held", v, c.Len())
	}
}
