package fifo

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFIFO(t *testing.T) {
	f := New[int](3)
	assert.Empty(t, f.Put("a", 1))
	assert.Empty(t, f.Put("b", 2))
	assert.Empty(t, f.Put("c", 3))
	assert.Empty(t, f.Put("b", 20), "replacing a key evicts nothing")
	assert.Equal(t, []int{1}, f.Put("d", 4), "the oldest goes first")
	assert.Equal(t, 3, f.Len())

	v, ok := f.Get("b")
	assert.True(t, ok)
	assert.Equal(t, 20, v)
	_, ok = f.Get("a")
	assert.False(t, ok)

	f.Del("c")
	f.Del("missing")
	assert.Equal(t, 2, f.Len())
	assert.Equal(t, []int{20}, f.DeleteIf(func(v int) bool { return v == 20 }))
	assert.Equal(t, []int{4}, f.DeleteIf(func(int) bool { return true }))
	assert.Zero(t, f.Len())
	f.Each(func(int) { t.Error("an emptied Map yields nothing") })
}

func TestSetMaxKeepsTheNewest(t *testing.T) {
	f := New[int](0)
	for i, k := range []string{"a", "b", "c", "d"} {
		f.Put(k, i)
	}
	f.SetMax(2)
	var kept []int
	f.Each(func(v int) { kept = append(kept, v) })
	assert.Equal(t, []int{2, 3}, kept)
	assert.Equal(t, []int{2}, f.Put("e", 4), "the new bound holds")
}
