// Package generation keeps rendered pieces (a talk's feed item, VEVENT,
// page line) from one reload to the next, so that each is rendered once.
package generation

import (
	"sync"
	"sync/atomic"
)

// Cache is one generation: it takes what the one before it kept and
// keeps what it is asked for, so it never grows past the keys of two
// snapshots. Safe for concurrent use; a nil Cache makes every value
// every time.
//
// The maps are sync.Maps because a generation keeps being asked for
// values (the filtered views of the snapshot still served) while its
// successor reads what it kept: a plain map under each generation's own
// lock raced there. The successor holds the predecessor's map, never the
// predecessor, so generations do not chain.
type Cache[V any] struct {
	prev, cur *sync.Map
	n         atomic.Int64
}

// Next starts a generation that takes what prev keeps (nil for none).
func Next[V any](prev *Cache[V]) *Cache[V] {
	c := &Cache[V]{cur: new(sync.Map)}
	if prev != nil {
		c.prev = prev.cur
	}
	return c
}

// Get returns the value kept for key, from this generation or the one
// before it, else makes it and keeps it. A value that fails to make is
// not kept.
func (c *Cache[V]) Get(key string, make func() (V, error)) (V, error) {
	if c == nil {
		return make()
	}
	if v, ok := c.cur.Load(key); ok {
		return v.(V), nil
	}
	v, ok := load[V](c.prev, key)
	if !ok {
		var err error
		if v, err = make(); err != nil {
			return v, err
		}
	}
	if got, loaded := c.cur.LoadOrStore(key, v); loaded {
		return got.(V), nil
	}
	c.n.Add(1)
	return v, nil
}

func load[V any](m *sync.Map, key string) (V, bool) {
	var zero V
	if m == nil {
		return zero, false
	}
	v, ok := m.Load(key)
	if !ok {
		return zero, false
	}
	return v.(V), true
}

// Len is how many values this generation keeps.
func (c *Cache[V]) Len() int {
	if c == nil {
		return 0
	}
	return int(c.n.Load())
}

// Took reports whether this generation took a value for key from the one
// before it, without asking for it.
func (c *Cache[V]) Took(key string) bool {
	if c == nil {
		return false
	}
	_, ok := load[V](c.prev, key)
	return ok
}
