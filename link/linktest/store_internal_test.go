package linktest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestFIFO(t *testing.T) {
	f := newFIFO[int](3)
	assert.Empty(t, f.put("a", 1))
	assert.Empty(t, f.put("b", 2))
	assert.Empty(t, f.put("c", 3))
	assert.Empty(t, f.put("b", 20), "replacing a key evicts nothing")
	assert.Equal(t, []int{1}, f.put("d", 4), "the oldest goes first")
	assert.Equal(t, 3, f.len())

	v, ok := f.get("b")
	assert.True(t, ok)
	assert.Equal(t, 20, v)
	_, ok = f.get("a")
	assert.False(t, ok)

	f.del("c")
	f.del("missing")
	assert.Equal(t, 2, f.len())
	assert.Equal(t, []int{20}, f.deleteIf(func(v int) bool { return v == 20 }))
	assert.Equal(t, []int{4}, f.deleteIf(func(int) bool { return true }))
	assert.Zero(t, f.len())
	assert.Zero(t, f.order.Len())
}

func TestClockAndDefaults(t *testing.T) {
	s := NewServer()
	defer s.Close()
	now := s.Clock().Now()
	assert.Equal(t, time.UTC, now.Location())
	assert.Equal(t, now, now.Truncate(time.Second), "the default clock starts on a whole second")
	assert.WithinDuration(t, time.Now(), now, time.Minute)
	assert.Equal(t, DefaultWebhookTimeout, s.webhookTimeout)

	c := NewClock(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	assert.Equal(t, time.Date(2024, 1, 1, 0, 30, 0, 0, time.UTC), c.Advance(30*time.Minute))
	c.Set(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	assert.Equal(t, 2030, c.Now().Year())
}

func TestIDShapes(t *testing.T) {
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, newUUID())
	assert.Regexp(t, `^[A-Za-z0-9]{15}$`, newRequestID())
	assert.Regexp(t, `^[A-Za-z0-9]{37}$`, newItemID())
	assert.NotEqual(t, newUUID(), newUUID())
}
