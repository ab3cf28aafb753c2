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
	assert.Zero(t, f.order.Len())
}
