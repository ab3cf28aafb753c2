package boundedmap

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// entries lists m oldest first, as "key=value".
func entries(m *Map[string, int]) []string {
	out := []string{}
	for k, v := range m.All() {
		out = append(out, k+"="+strconv.Itoa(v))
	}
	return out
}

func TestPutGetEvict(t *testing.T) {
	m := New[string, int](3)
	for i, k := range []string{"a", "b", "c"} {
		_, _, evicted := m.Put(k, i+1)
		assert.False(t, evicted, k)
	}
	_, _, evicted := m.Put("b", 20)
	assert.False(t, evicted, "replacing a value evicts nothing")
	assert.Equal(t, []string{"a=1", "b=20", "c=3"}, entries(m), "a replaced key keeps its place")

	k, v, evicted := m.Put("d", 4)
	assert.True(t, evicted)
	assert.Equal(t, "a", k, "the oldest goes first")
	assert.Equal(t, 1, v)
	assert.Equal(t, 3, m.Len())
	assert.Equal(t, []string{"b=20", "c=3", "d=4"}, entries(m))

	got, ok := m.Get("b")
	assert.True(t, ok)
	assert.Equal(t, 20, got)
	_, ok = m.Get("a")
	assert.False(t, ok)
}

func TestDelete(t *testing.T) {
	m := New[string, int](0)
	for i := range 5 {
		m.Put(strconv.Itoa(i), i)
	}
	for _, k := range []string{"0", "2", "4"} { // head, middle, tail
		v, ok := m.Delete(k)
		assert.True(t, ok, k)
		assert.Equal(t, k, strconv.Itoa(v))
	}
	_, ok := m.Delete("missing")
	assert.False(t, ok)
	assert.Equal(t, []string{"1=1", "3=3"}, entries(m))
	k, v, ok := m.Oldest()
	assert.True(t, ok)
	assert.Equal(t, "1", k)
	assert.Equal(t, 1, v)

	k, v, ok = m.DeleteOldest()
	assert.True(t, ok)
	assert.Equal(t, "1", k)
	assert.Equal(t, 1, v)
	assert.Equal(t, []string{"3=3"}, entries(m))
	m.Put("1", 1)
	m.Delete("3")
	m.Put("3", 3)

	// Freed slots are reused, and the order is that of the puts.
	m.Put("5", 5)
	m.Put("6", 6)
	m.Put("7", 7)
	assert.Equal(t, []string{"1=1", "3=3", "5=5", "6=6", "7=7"}, entries(m))
	assert.Len(t, m.slots, 5, "the new entries took the three freed slots")

	// Deleted and put again, a key goes last.
	m.Delete("1")
	m.Put("1", 10)
	assert.Equal(t, []string{"3=3", "5=5", "6=6", "7=7", "1=10"}, entries(m))

	for k := range m.All() {
		m.Delete(k)
	}
	assert.Zero(t, m.Len())
	assert.Empty(t, entries(m))
	_, _, ok = m.Oldest()
	assert.False(t, ok)
	_, _, ok = m.DeleteOldest()
	assert.False(t, ok)
	m.Put("x", 1)
	assert.Equal(t, []string{"x=1"}, entries(m), "usable again once emptied")
}

func TestRenew(t *testing.T) {
	m := New[string, int](3)
	m.Put("a", 1)
	m.Put("b", 2)
	m.Put("c", 3)
	assert.True(t, m.Renew("a", 10))
	assert.Equal(t, []string{"b=2", "c=3", "a=10"}, entries(m), "the head goes last")
	assert.True(t, m.Renew("c", 30))
	assert.Equal(t, []string{"b=2", "a=10", "c=30"}, entries(m), "the middle goes last")
	assert.True(t, m.Renew("c", 31))
	assert.Equal(t, []string{"b=2", "a=10", "c=31"}, entries(m), "the tail stays")
	assert.False(t, m.Renew("missing", 1))
	assert.Equal(t, 3, m.Len(), "renewing an absent key adds nothing")
	k, _, evicted := m.Put("d", 4)
	assert.True(t, evicted)
	assert.Equal(t, "b", k, "eviction follows the renewed order")

	one := New[string, int](0)
	one.Put("x", 1)
	assert.True(t, one.Renew("x", 2))
	assert.Equal(t, []string{"x=2"}, entries(one))
}

func TestDeleteWhileIterating(t *testing.T) {
	m := New[string, int](0)
	for i := range 6 {
		m.Put(strconv.Itoa(i), i)
	}
	var seen []int
	for k, v := range m.All() {
		seen = append(seen, v)
		if v%2 == 0 {
			m.Delete(k)
		}
	}
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5}, seen, "every entry is visited once")
	assert.Equal(t, []string{"1=1", "3=3", "5=5"}, entries(m))

	var first []string
	for k := range m.All() {
		first = append(first, k)
		break
	}
	assert.Equal(t, []string{"1"}, first, "break stops the iteration")
}

func TestDeletedSlotsHoldNothing(t *testing.T) {
	m := New[string, *int](2)
	x := new(int)
	m.Put("a", x)
	m.Delete("a")
	for _, s := range m.slots {
		assert.Nil(t, s.val, "a freed slot keeps no value reachable")
		assert.Empty(t, s.key)
	}
}

func TestBoundHolds(t *testing.T) {
	m := New[int, int](100)
	for i := range 10_000 {
		m.Put(i, i)
		require.LessOrEqual(t, m.Len(), 100)
	}
	assert.Len(t, m.slots, 100, "slots are reused, never grown past the bound")
	k, _, _ := m.Oldest()
	assert.Equal(t, 9900, k)
}

func TestNegativeBoundPanics(t *testing.T) {
	assert.PanicsWithValue(t, "boundedmap.New: max -1 is negative", func() { New[string, int](-1) })
}
