// Package fifo is the size-bounded map the fake keeps its tokens, Items, sessions, webhooks and
// page submissions in: it remembers insertion order and holds at most a bound of entries,
// forgetting the oldest first, so that a long test run cannot make the server grow without limit.
// It is the module's one bounded map, internal/boundedmap, with string keys and the few
// operations the fake's stores use. A Map is not safe for concurrent use; its owner guards it
// with its own lock.
package fifo

import "github.com/plaidlink/plaidlink-go/internal/boundedmap"

// Map is a map from string keys that remembers insertion order and holds at most max entries,
// dropping the oldest when full.
type Map[V any] struct {
	m *boundedmap.Map[string, V]
}

// New returns an empty Map that holds at most max entries (no bound if max is 0 or less).
func New[V any](bound int) *Map[V] {
	return &Map[V]{m: boundedmap.New[string, V](max(bound, 0))}
}

// SetMax rebounds the Map to max entries, keeping the newest: a test lowers the fake's bounds to
// reach them quickly.
func (f *Map[V]) SetMax(bound int) {
	old := f.m
	f.m = boundedmap.New[string, V](max(bound, 0))
	for k, v := range old.All() {
		f.m.Put(k, v)
	}
}

// Get returns the value stored under k.
func (f *Map[V]) Get(k string) (V, bool) { return f.m.Get(k) }

// Put stores v under k (a new key goes to the back) and returns the values it evicted.
func (f *Map[V]) Put(k string, v V) []V {
	if _, old, evicted := f.m.Put(k, v); evicted {
		return []V{old}
	}
	return nil
}

// Del removes k, if it is there.
func (f *Map[V]) Del(k string) { f.m.Delete(k) }

// Len is the number of entries.
func (f *Map[V]) Len() int { return f.m.Len() }

// Each calls fn with every value, oldest first.
func (f *Map[V]) Each(fn func(V)) {
	for _, v := range f.m.All() {
		fn(v)
	}
}

// DeleteIf removes every entry for which drop reports true and returns the removed values.
func (f *Map[V]) DeleteIf(drop func(V) bool) []V {
	var removed []V
	for k, v := range f.m.All() {
		if drop(v) {
			removed = append(removed, v)
			f.m.Delete(k) // All allows deleting the key it yields
		}
	}
	return removed
}
