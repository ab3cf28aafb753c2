package webhook

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newTestMemoryDeduper returns a MemoryDeduper on a fake clock.
func newTestMemoryDeduper(maxKeys int) (*MemoryDeduper, *fakeClock) {
	c := &fakeClock{now: time.Unix(1716250693, 0)} // keycache_test.go's
	return newMemoryDeduper(maxKeys, c.Now), c
}

// expiry returns when key's claim or done marker ends; the zero time if d holds neither.
func (d *MemoryDeduper) expiry(key string) time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.entries.Get(d.keyOf(key)); ok {
		return d.epoch.Add(e.expires)
	}
	return time.Time{}
}

// TestMemoryDeduperStates checks what takes time: leases and done markers ending, on a fake clock.
// The states every Deduper shares are TestMemoryDeduperContract's.
func TestMemoryDeduperStates(t *testing.T) {
	ctx := context.Background()
	type step struct {
		op    string // claim, done, release, wait
		owner string
		d     time.Duration // lease, ttl or wait
		want  ClaimState    // for claim
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{name: "lease ends", steps: []step{
			{op: "claim", owner: "a", d: time.Minute, want: ClaimOK},
			{op: "wait", d: time.Minute - time.Nanosecond},
			{op: "claim", owner: "b", d: time.Minute, want: ClaimInFlight},
			{op: "wait", d: time.Nanosecond},
			{op: "claim", owner: "b", d: time.Minute, want: ClaimOK},
			{op: "release", owner: "a"},
			{op: "claim", owner: "c", d: time.Minute, want: ClaimInFlight},
		}},
		{name: "reclaim by the owner renews the lease", steps: []step{
			{op: "claim", owner: "a", d: time.Minute, want: ClaimOK},
			{op: "wait", d: 50 * time.Second},
			{op: "claim", owner: "a", d: time.Minute, want: ClaimOK},
			{op: "wait", d: 50 * time.Second},
			{op: "claim", owner: "b", d: time.Minute, want: ClaimInFlight},
		}},
		{name: "done over another owner's claim after the lease", steps: []step{
			{op: "claim", owner: "a", d: time.Minute, want: ClaimOK},
			{op: "wait", d: 2 * time.Minute},
			{op: "claim", owner: "b", d: time.Minute, want: ClaimOK},
			{op: "done", d: time.Hour}, // a's fn finished late
			{op: "release", owner: "b"},
			{op: "claim", owner: "c", d: time.Minute, want: ClaimDone},
		}},
		{name: "done expires after its TTL", steps: []step{
			{op: "done", d: time.Hour},
			{op: "wait", d: time.Hour - time.Nanosecond},
			{op: "claim", owner: "a", d: time.Minute, want: ClaimDone},
			{op: "wait", d: time.Nanosecond},
			{op: "claim", owner: "a", d: time.Minute, want: ClaimOK},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, clock := newTestMemoryDeduper(10)
			for i, s := range tc.steps {
				switch s.op {
				case "claim":
					got, err := d.Claim(ctx, "k", s.owner, s.d)
					require.NoError(t, err)
					assert.Equal(t, s.want, got, "step %d", i)
				case "done":
					require.NoError(t, d.Done(ctx, "k", s.d))
				case "release":
					require.NoError(t, d.Release(ctx, "k", s.owner))
				case "wait":
					clock.Add(s.d)
				}
			}
			require.LessOrEqual(t, d.Len(), 1)
		})
	}
}

func TestMemoryDeduperBound(t *testing.T) {
	ctx := context.Background()
	t.Run("oldest done marker goes first", func(t *testing.T) {
		d, clock := newTestMemoryDeduper(3)
		for _, k := range []string{"k1", "k2", "k3"} {
			require.NoError(t, d.Done(ctx, k, time.Hour))
			clock.Add(time.Second)
		}
		st, err := d.Claim(ctx, "k4", "a", time.Minute)
		require.NoError(t, err)
		assert.Equal(t, ClaimOK, st)
		assert.Equal(t, 3, d.Len())
		// k1 last: claiming it takes room again, evicting k2.
		for _, p := range []struct {
			key  string
			want ClaimState
		}{{"k2", ClaimDone}, {"k3", ClaimDone}, {"k1", ClaimOK}} {
			st, err := d.Claim(ctx, p.key, "probe", time.Minute)
			require.NoError(t, err)
			assert.Equal(t, p.want, st, p.key)
		}
	})
	t.Run("expired keys go before live done markers", func(t *testing.T) {
		d, clock := newTestMemoryDeduper(3)
		require.NoError(t, d.Done(ctx, "old", time.Hour))
		st, err := d.Claim(ctx, "lapsed", "a", time.Minute) // a claim whose instance crashed
		require.NoError(t, err)
		require.Equal(t, ClaimOK, st)
		clock.Add(2 * time.Minute)
		require.NoError(t, d.Done(ctx, "newer", time.Hour))
		st, err = d.Claim(ctx, "new", "b", time.Minute)
		require.NoError(t, err)
		assert.Equal(t, ClaimOK, st)
		assert.Equal(t, 3, d.Len())
		for _, k := range []string{"old", "newer"} {
			st, err := d.Claim(ctx, k, "probe", time.Minute)
			require.NoError(t, err)
			assert.Equal(t, ClaimDone, st, k)
		}
	})
	t.Run("live claims are never evicted", func(t *testing.T) {
		d, clock := newTestMemoryDeduper(2)
		for _, k := range []string{"k1", "k2"} {
			st, err := d.Claim(ctx, k, "a", time.Minute)
			require.NoError(t, err)
			require.Equal(t, ClaimOK, st)
		}
		_, err := d.Claim(ctx, "k3", "b", time.Minute)
		require.ErrorIs(t, err, ErrDeduperFull)
		require.ErrorIs(t, d.Done(ctx, "k3", time.Hour), ErrDeduperFull)
		st, err := d.Claim(ctx, "k1", "b", time.Minute)
		require.NoError(t, err)
		assert.Equal(t, ClaimInFlight, st, "k1 is still claimed by a")

		// Marking a claimed key done needs no room.
		require.NoError(t, d.Done(ctx, "k1", time.Hour))
		_, err = d.Claim(ctx, "k3", "b", time.Minute)
		require.NoError(t, err, "the done marker k1 makes room")
		st, err = d.Claim(ctx, "k2", "b", time.Minute)
		require.NoError(t, err)
		assert.Equal(t, ClaimInFlight, st, "k2 is still claimed by a")

		clock.Add(time.Minute)
		st, err = d.Claim(ctx, "k4", "c", time.Minute)
		require.NoError(t, err, "expired claims make room")
		assert.Equal(t, ClaimOK, st)
	})
	t.Run("bound 0 is the default, a negative one panics", func(t *testing.T) {
		assert.Equal(t, DefaultMemoryDeduperKeys, NewMemoryDeduper(0).max)
		assert.Equal(t, 1, NewMemoryDeduper(1).max)
		assert.PanicsWithValue(t, "webhook: NewMemoryDeduper(-1): the bound must not be negative (0 means DefaultMemoryDeduperKeys)",
			func() { NewMemoryDeduper(-1) })
	})
	t.Run("many keys stay within the bound", func(t *testing.T) {
		d, clock := newTestMemoryDeduper(100)
		for i := range 1000 {
			k := "k" + strconv.Itoa(i)
			st, err := d.Claim(ctx, k, "a", time.Minute)
			require.NoError(t, err)
			require.Equal(t, ClaimOK, st)
			require.NoError(t, d.Done(ctx, k, time.Hour))
			clock.Add(time.Millisecond)
			require.LessOrEqual(t, d.Len(), 100)
		}
		assert.Equal(t, 100, d.Len())
		assert.Empty(t, d.owners, "no claim is left")
		st, err := d.Claim(ctx, "k999", "b", time.Minute)
		require.NoError(t, err)
		assert.Equal(t, ClaimDone, st, "the newest markers are kept")
	})
}

func TestClaimStateString(t *testing.T) {
	for st, want := range map[ClaimState]string{ClaimOK: "ClaimOK", ClaimInFlight: "ClaimInFlight", ClaimDone: "ClaimDone", 0: "ClaimState(0)"} {
		assert.Equal(t, want, st.String())
	}
}

// BenchmarkMemoryDeduperKey claims a key and marks it done, per op, and reports the heap a done
// marker keeps (heap-B/key; the deduper holds a 128-bit hash of a key, not its string), to size
// the bound: go test ./webhook -run '^$' -bench MemoryDeduperKey.
func BenchmarkMemoryDeduperKey(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	d := NewMemoryDeduper(b.N + 1)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	keys := make([]string, b.N)
	for i := range keys {
		keys[i] = dedupeKey(CodeEvents, "1daca4d5-9a0d-4e85-a2e9-1e905ecaa32e", strconv.Itoa(i))
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := d.Claim(ctx, keys[i], "owner", time.Minute); err != nil {
			b.Fatal(err)
		}
		if err := d.Done(ctx, keys[i], time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	keys = nil // the deduper's entries hold the strings
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(b.N), "heap-B/key")
	runtime.KeepAlive(d)
}

// BenchmarkMemoryDeduperSteady is the deduper at its default bound, full, as a receiver's is after
// a day: each op claims the 34 keys of a new EVENTS webhook and marks them done, evicting the 34
// oldest markers. ns/key is the time per key for both, one call per key ("per-key") or one per
// webhook, as the handler makes them ("batch"):
// go test ./webhook -run '^$' -bench MemoryDeduperSteady -count 5
func BenchmarkMemoryDeduperSteady(b *testing.B) {
	const events = 34
	ctx := context.Background()
	// Twice the bound's worth of webhooks, made beforehand and used in turn: a key comes round
	// again only after it was evicted, so every claim is of a new key.
	webhooks := make([][]string, 2*DefaultMemoryDeduperKeys/events)
	for i := range webhooks {
		keys := make([]string, events)
		session := dedupeKey(CodeEvents, strconv.Itoa(i))
		for e := range keys {
			keys[e] = session + hashPart(strconv.Itoa(e))
		}
		webhooks[i] = keys
	}
	run := func(b *testing.B, op func(d *MemoryDeduper, keys []string)) {
		d := NewMemoryDeduper(DefaultMemoryDeduperKeys)
		for _, keys := range webhooks[len(webhooks)/2:] {
			require.NoError(b, d.DoneBatch(ctx, keys, time.Hour))
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			op(d, webhooks[i%len(webhooks)])
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*events), "ns/key")
	}
	b.Run("per-key", func(b *testing.B) {
		run(b, func(d *MemoryDeduper, keys []string) {
			for _, k := range keys {
				if st, err := d.Claim(ctx, k, "owner", time.Minute); err != nil || st != ClaimOK {
					b.Fatal(st, err)
				}
			}
			for _, k := range keys {
				if err := d.Done(ctx, k, time.Hour); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("batch", func(b *testing.B) {
		run(b, func(d *MemoryDeduper, keys []string) {
			if _, err := d.ClaimBatch(ctx, keys, "owner", time.Minute); err != nil {
				b.Fatal(err)
			}
			if err := d.DoneBatch(ctx, keys, time.Hour); err != nil {
				b.Fatal(err)
			}
		})
	})
}

func TestNilMemoryDeduper(t *testing.T) {
	ctx := context.Background()
	var d *MemoryDeduper
	_, err := d.Claim(ctx, "k", "a", time.Minute)
	require.ErrorIs(t, err, errNilMemoryDeduper)
	require.ErrorIs(t, d.Done(ctx, "k", time.Hour), errNilMemoryDeduper)
	require.ErrorIs(t, d.Release(ctx, "k", "a"), errNilMemoryDeduper)
	assert.Zero(t, d.Len())
}
