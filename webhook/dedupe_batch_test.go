package webhook

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// callLog records the calls a deduper gets, by method name.
type callLog struct {
	mu    sync.Mutex
	calls []string
}

func (l *callLog) add(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, name)
}

func (l *callLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.calls
	l.calls = nil
	return c
}

// countingBatch is a MemoryDeduper that logs its calls, and can make ClaimBatch answer what the
// test chooses.
type countingBatch struct {
	*MemoryDeduper
	log        callLog
	claimBatch func(keys []string) ([]ClaimState, error) // nil: the MemoryDeduper's
	released   [][]string
}

func (c *countingBatch) Claim(ctx context.Context, key, owner string, lease time.Duration) (ClaimState, error) {
	c.log.add("Claim")
	return c.MemoryDeduper.Claim(ctx, key, owner, lease)
}

func (c *countingBatch) Done(ctx context.Context, key string, ttl time.Duration) error {
	c.log.add("Done")
	return c.MemoryDeduper.Done(ctx, key, ttl)
}

func (c *countingBatch) Release(ctx context.Context, key, owner string) error {
	c.log.add("Release")
	return c.MemoryDeduper.Release(ctx, key, owner)
}

func (c *countingBatch) ClaimBatch(ctx context.Context, keys []string, owner string, lease time.Duration) ([]ClaimState, error) {
	c.log.add("ClaimBatch")
	if c.claimBatch != nil {
		return c.claimBatch(keys)
	}
	return c.MemoryDeduper.ClaimBatch(ctx, keys, owner, lease)
}

func (c *countingBatch) DoneBatch(ctx context.Context, keys []string, ttl time.Duration) error {
	c.log.add("DoneBatch")
	return c.MemoryDeduper.DoneBatch(ctx, keys, ttl)
}

func (c *countingBatch) ReleaseBatch(ctx context.Context, keys []string, owner string) error {
	c.log.add("ReleaseBatch")
	c.released = append(c.released, keys)
	return c.MemoryDeduper.ReleaseBatch(ctx, keys, owner)
}

// plainDeduper hides every method but the three of Deduper, as a Deduper written before
// BatchDeduper has.
type plainDeduper struct{ d Deduper }

func (p plainDeduper) Claim(ctx context.Context, key, owner string, lease time.Duration) (ClaimState, error) {
	return p.d.Claim(ctx, key, owner, lease)
}
func (p plainDeduper) Done(ctx context.Context, key string, ttl time.Duration) error {
	return p.d.Done(ctx, key, ttl)
}
func (p plainDeduper) Release(ctx context.Context, key, owner string) error {
	return p.d.Release(ctx, key, owner)
}

// manyEvents is an EVENTS webhook of n events, e0 to e(n-1).
func manyEvents(n int) *Events {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "e" + strconv.Itoa(i)
	}
	return eventsOf(ids...)
}

func repeat(name string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = name
	}
	return out
}

// TestRunDedupedBatch checks that a BatchDeduper costs a webhook one call to claim all its keys
// and one to mark them done or release them, whatever their number.
func TestRunDedupedBatch(t *testing.T) {
	ctx := context.Background()
	mem, _ := newTestMemoryDeduper(1000)
	d := &countingBatch{MemoryDeduper: mem}
	h := dedupeHandler(d)
	var c counter

	_, err := h.runDeduped(ctx, manyEvents(34), c.fn(errors.New("db down")))
	require.Error(t, err)
	assert.Equal(t, []string{"ClaimBatch", "ReleaseBatch"}, d.log.take(), "fn failed")
	assert.Zero(t, mem.Len(), "every claim released")

	skipped, err := h.runDeduped(ctx, manyEvents(34), c.fn(nil))
	require.NoError(t, err)
	assert.False(t, skipped)
	assert.Equal(t, []string{"ClaimBatch", "DoneBatch"}, d.log.take(), "fn succeeded")
	assert.Equal(t, 34, mem.Len())

	skipped, err = h.runDeduped(ctx, manyEvents(34), c.fn(nil))
	require.NoError(t, err)
	assert.True(t, skipped)
	assert.Equal(t, []string{"ClaimBatch"}, d.log.take(), "a duplicate")

	// Two new events among the 34 old: fn runs, and only the new keys are marked.
	skipped, err = h.runDeduped(ctx, manyEvents(36), c.fn(nil))
	require.NoError(t, err)
	assert.False(t, skipped)
	assert.Equal(t, []string{"ClaimBatch", "DoneBatch"}, d.log.take())
	assert.Equal(t, int32(3), c.n.Load())

	// A key in flight elsewhere: the keys this delivery claimed, and only those, are released.
	inFlight := dedupeKeys(eventsOf("e40"))[0]
	_, err = mem.Claim(ctx, inFlight, "elsewhere", time.Minute)
	require.NoError(t, err)
	_, err = h.runDeduped(ctx, manyEvents(42), c.fn(nil))
	require.ErrorIs(t, err, ErrInFlight)
	assert.Equal(t, []string{"ClaimBatch", "ReleaseBatch"}, d.log.take())
	require.Len(t, d.released, 2)
	assert.ElementsMatch(t, dedupeKeys(eventsOf("e36", "e37", "e38", "e39", "e41")), d.released[1])
	assert.Equal(t, ClaimInFlight, stateOf(t, mem, inFlight), "the other delivery's claim stays")
	assert.Equal(t, 37, mem.Len())
}

// TestRunDedupedWithoutBatch checks that a Deduper with the three per-key methods alone keeps
// working, one call per key.
func TestRunDedupedWithoutBatch(t *testing.T) {
	ctx := context.Background()
	mem, _ := newTestMemoryDeduper(1000)
	logged := &countingBatch{MemoryDeduper: mem}
	h := dedupeHandler(plainDeduper{logged})
	var c counter
	skipped, err := h.runDeduped(ctx, manyEvents(34), c.fn(nil))
	require.NoError(t, err)
	assert.False(t, skipped)
	assert.Equal(t, append(repeat("Claim", 34), repeat("Done", 34)...), logged.log.take())
	skipped, err = h.runDeduped(ctx, manyEvents(34), c.fn(nil))
	require.NoError(t, err)
	assert.True(t, skipped)
	assert.Equal(t, repeat("Claim", 34), logged.log.take())

	_, err = h.runDeduped(ctx, manyEvents(35), c.fn(errors.New("db down")))
	require.Error(t, err)
	assert.Equal(t, append(repeat("Claim", 35), "Release"), logged.log.take(), "only the claimed key is released")
	assert.Equal(t, int32(2), c.n.Load())
}

// TestRunDedupedBatchFailures checks what a ClaimBatch that fails, or answers nonsense, costs: a
// 503, no fn, and every key released.
func TestRunDedupedBatchFailures(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		answer  func(keys []string) ([]ClaimState, error)
		wantErr string
	}{
		{name: "store error", answer: func([]string) ([]ClaimState, error) { return nil, errStore },
			wantErr: errStore.Error()},
		{name: "too few states", answer: func(keys []string) ([]ClaimState, error) {
			return make([]ClaimState, len(keys)-1), nil
		}, wantErr: "ClaimBatch returned 2 states for 3 keys"},
		{name: "unknown state", answer: func(keys []string) ([]ClaimState, error) {
			return []ClaimState{ClaimOK, ClaimState(9), ClaimDone}, nil
		}, wantErr: "ClaimBatch returned ClaimState(9)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem, _ := newTestMemoryDeduper(10)
			d := &countingBatch{MemoryDeduper: mem, claimBatch: tc.answer}
			var c counter
			ev := eventsOf("e1", "e2", "e3")
			_, err := dedupeHandler(d).runDeduped(ctx, ev, c.fn(nil))
			require.ErrorIs(t, err, ErrDedupeUnavailable)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.Zero(t, c.n.Load())
			assert.Equal(t, []string{"ClaimBatch", "ReleaseBatch"}, d.log.take())
			require.Len(t, d.released, 1)
			assert.Equal(t, dedupeKeys(ev), d.released[0], "every key, whatever the answer said")
		})
	}
}

// TestMemoryDeduperBatch checks the batch methods against the per-key ones: the same states, and
// the bound.
func TestMemoryDeduperBatch(t *testing.T) {
	ctx := context.Background()
	d, clock := newTestMemoryDeduper(4)
	require.NoError(t, d.Done(ctx, "done", time.Hour))
	_, err := d.Claim(ctx, "other", "b", time.Minute)
	require.NoError(t, err)

	states, err := d.ClaimBatch(ctx, []string{"done", "other", "new"}, "a", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, []ClaimState{ClaimDone, ClaimInFlight, ClaimOK}, states)
	assert.Equal(t, time.Minute, d.expiry("new").Sub(clock.Now()), "the lease")

	require.NoError(t, d.ReleaseBatch(ctx, []string{"new", "other", "absent"}, "a"))
	assert.Equal(t, ClaimOK, stateOf(t, d, "new"), "released")
	assert.Equal(t, ClaimInFlight, stateOf(t, d, "other"), "b's claim stays")

	require.NoError(t, d.DoneBatch(ctx, []string{"other", "new"}, time.Hour))
	assert.Equal(t, ClaimDone, stateOf(t, d, "other"))
	assert.Equal(t, ClaimDone, stateOf(t, d, "new"))
	assert.Equal(t, time.Hour, d.expiry("new").Sub(clock.Now()), "the TTL")

	// Full of live claims: the batch stops at the key it has no room for.
	full, _ := newTestMemoryDeduper(2)
	_, err = full.ClaimBatch(ctx, []string{"k1", "k2", "k3"}, "a", time.Minute)
	require.ErrorIs(t, err, ErrDeduperFull)
	assert.Equal(t, 2, full.Len())
	require.ErrorIs(t, full.DoneBatch(ctx, []string{"k4"}, time.Hour), ErrDeduperFull)

	var nilDeduper *MemoryDeduper
	_, err = nilDeduper.ClaimBatch(ctx, []string{"k"}, "a", time.Minute)
	require.ErrorIs(t, err, errNilMemoryDeduper)
	require.ErrorIs(t, nilDeduper.DoneBatch(ctx, []string{"k"}, time.Hour), errNilMemoryDeduper)
	require.ErrorIs(t, nilDeduper.ReleaseBatch(ctx, []string{"k"}, "a"), errNilMemoryDeduper)
}
