// Package fifo is the size-bounded map the fake keeps its tokens, Items, sessions, webhooks and
// page submissions in: it remembers insertion order and holds at most a bound of entries,
// forgetting the oldest first, so that a long test run cannot make the server grow without limit.
// A Map is not safe for concurrent use; its owner guards it with its own lock.
package fifo

import "container/list"

// Map is a map from string keys that remembers insertion order and holds at most max entries,
// dropping the oldest when full.
type Map[V any] struct {
	max   int
	order *list.List // of string keys, oldest at the front
	m     map[string]entry[V]
}

type entry[V any] struct {
	v  V
	el *list.Element
}

// New returns an empty Map that holds at most max entries (no bound if max is 0 or less).
func New[V any](max int) *Map[V] {
	return &Map[V]{max: max, order: list.New(), m: make(map[string]entry[V])}
}

// SetMax changes the bound; entries over it go at the next Put of a new key.
func (f *Map[V]) SetMax(max int) { f.max = max }

// Get returns the value stored under k.
func (f *Map[V]) Get(k string) (V, bool) {
	e, ok := f.m[k]
	return e.v, ok
}

// Put stores v under k (a new key goes to the back) and returns the values it evicted.
func (f *Map[V]) Put(k string, v V) []V {
	if e, ok := f.m[k]; ok {
		e.v = v
		f.m[k] = e
		return nil
	}
	var evicted []V
	for f.max > 0 && len(f.m) >= f.max {
		front := f.order.Front()
		key := front.Value.(string)
		evicted = append(evicted, f.m[key].v)
		f.order.Remove(front)
		delete(f.m, key)
	}
	f.m[k] = entry[V]{v: v, el: f.order.PushBack(k)}
	return evicted
}

// Del removes k, if it is there.
func (f *Map[V]) Del(k string) {
	if e, ok := f.m[k]; ok {
		f.order.Remove(e.el)
		delete(f.m, k)
	}
}

// Len is the number of entries.
func (f *Map[V]) Len() int { return len(f.m) }

// Each calls fn with every value, oldest first.
func (f *Map[V]) Each(fn func(V)) {
	for el := f.order.Front(); el != nil; el = el.Next() {
		fn(f.m[el.Value.(string)].v)
	}
}

// DeleteIf removes every entry for which drop reports true and returns the removed values.
func (f *Map[V]) DeleteIf(drop func(V) bool) []V {
	var removed []V
	for el := f.order.Front(); el != nil; {
		next := el.Next()
		key := el.Value.(string)
		if v := f.m[key].v; drop(v) {
			removed = append(removed, v)
			f.order.Remove(el)
			delete(f.m, key)
		}
		el = next
	}
	return removed
}
