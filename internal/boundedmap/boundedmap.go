// Package boundedmap is a map that remembers the order its keys were added in and holds at most a
// bound of them, forgetting the oldest first. It is the one such structure the module has: the
// webhook key cache, the memory deduper and link/linktest's stores are built on it.
//
// The order is a doubly linked list threaded through one slice by index, not container/list: an
// entry costs no allocation of its own and no interface boxing, which is what a deduper holding a
// hundred thousand keys pays for every one of them.
package boundedmap

import (
	"fmt"
	"iter"
)

// none marks the end of the list, and an empty free list.
const none = -1

// Map is a map from K to V in insertion order, holding at most its bound of entries. The zero
// value is not usable; call [New]. A Map is not safe for concurrent use.
type Map[K comparable, V any] struct {
	max        int
	index      map[K]int32
	slots      []slot[K, V]
	head, tail int32 // oldest and newest entry, none when empty
	free       int32 // first unused slot, chained through next
}

type slot[K comparable, V any] struct {
	key        K
	val        V
	prev, next int32
}

// New returns an empty Map holding at most max entries; max 0 means no bound, for a caller that
// decides itself what to drop. A negative max panics, naming it.
func New[K comparable, V any](max int) *Map[K, V] {
	if max < 0 {
		panic(fmt.Sprintf("boundedmap.New: max %d is negative", max))
	}
	return &Map[K, V]{max: max, index: make(map[K]int32), head: none, tail: none, free: none}
}

// Len returns the number of entries.
func (m *Map[K, V]) Len() int { return len(m.index) }

// Get returns k's value, and whether k is present.
func (m *Map[K, V]) Get(k K) (V, bool) {
	if i, ok := m.index[k]; ok {
		return m.slots[i].val, true
	}
	var zero V
	return zero, false
}

// Put sets k's value. A key already present keeps its place in the order; a new one goes last,
// and if the Map is full the oldest entry is dropped first and returned (evicted reports it).
func (m *Map[K, V]) Put(k K, v V) (oldKey K, oldVal V, evicted bool) {
	if i, ok := m.index[k]; ok {
		m.slots[i].val = v
		return oldKey, oldVal, false
	}
	if m.max > 0 && len(m.index) >= m.max {
		oldKey, oldVal, evicted = m.DeleteOldest()
	}
	i := m.alloc()
	m.slots[i] = slot[K, V]{key: k, val: v}
	m.link(i)
	m.index[k] = i
	return oldKey, oldVal, evicted
}

// Renew sets k's value and makes it the newest entry, if k is present, and reports whether it
// was; one lookup where Delete and Put take two.
func (m *Map[K, V]) Renew(k K, v V) bool {
	i, ok := m.index[k]
	if !ok {
		return false
	}
	m.slots[i].val = v
	if i == m.tail {
		return true
	}
	m.unlink(i)
	m.link(i)
	return true
}

// Delete removes k and returns its value, if it was present.
func (m *Map[K, V]) Delete(k K) (V, bool) {
	i, ok := m.index[k]
	if !ok {
		var zero V
		return zero, false
	}
	v := m.slots[i].val
	m.deleteAt(i)
	return v, true
}

// DeleteOldest removes the entry added longest ago and returns it, if there is one; it costs no
// lookup.
func (m *Map[K, V]) DeleteOldest() (K, V, bool) {
	if m.head == none {
		var k K
		var v V
		return k, v, false
	}
	i := m.head
	k, v := m.slots[i].key, m.slots[i].val
	m.deleteAt(i)
	return k, v, true
}

// deleteAt removes the entry in slot i.
func (m *Map[K, V]) deleteAt(i int32) {
	s := &m.slots[i]
	m.unlink(i)
	delete(m.index, s.key)
	// The slot is cleared so that it keeps no key or value reachable, and chained for reuse.
	*s = slot[K, V]{prev: none, next: m.free}
	m.free = i
}

// Oldest returns the entry added longest ago, if there is one.
func (m *Map[K, V]) Oldest() (K, V, bool) {
	if m.head == none {
		var k K
		var v V
		return k, v, false
	}
	s := &m.slots[m.head]
	return s.key, s.val, true
}

// All yields every entry, oldest first. The loop body may Delete the key it is given (and no
// other), but must not Put.
func (m *Map[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for i := m.head; i != none; {
			s := &m.slots[i]
			next := s.next
			if !yield(s.key, s.val) {
				return
			}
			i = next
		}
	}
}

// alloc returns an unused slot, reusing a deleted one before growing the slice.
func (m *Map[K, V]) alloc() int32 {
	if m.free != none {
		i := m.free
		m.free = m.slots[i].next
		return i
	}
	m.slots = append(m.slots, slot[K, V]{})
	return int32(len(m.slots) - 1)
}

// link puts slot i last in the order.
func (m *Map[K, V]) link(i int32) {
	s := &m.slots[i]
	s.prev, s.next = m.tail, none
	if m.tail == none {
		m.head = i
	} else {
		m.slots[m.tail].next = i
	}
	m.tail = i
}

// unlink takes slot i out of the order.
func (m *Map[K, V]) unlink(i int32) {
	s := &m.slots[i]
	if s.prev == none {
		m.head = s.next
	} else {
		m.slots[s.prev].next = s.next
	}
	if s.next == none {
		m.tail = s.prev
	} else {
		m.slots[s.next].prev = s.prev
	}
}
