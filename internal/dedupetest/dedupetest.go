// Package dedupetest holds the contract every webhook.Deduper keeps, as tests that run against
// each implementation (webhook.MemoryDeduper, redisdedup.Deduper), so that both are held to the
// same states and the same answer under concurrent claims. What takes time to see (leases and done
// markers expiring) and how a store keeps its keys stay in each implementation's own tests.
package dedupetest

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/webhook"
)

// Open returns one or more Dedupers on a fresh, empty store of the test's own. Several stand for
// instances sharing the store: the steps of a case use them in turn, as deliveries reaching
// different instances would.
type Open func(t *testing.T) []webhook.Deduper

// step is one call of a case; op is claim, done or release.
type step struct {
	op    string
	owner string
	want  webhook.ClaimState // for claim
}

// cases are the contract's states, on one key, with leases and TTLs far longer than a test.
var cases = []struct {
	name  string
	steps []step
}{
	{"first claim wins, others see it in flight", []step{
		{op: "claim", owner: "a", want: webhook.ClaimOK},
		{op: "claim", owner: "b", want: webhook.ClaimInFlight},
		{op: "claim", owner: "a", want: webhook.ClaimOK},
	}},
	{"done is seen by everyone", []step{
		{op: "claim", owner: "a", want: webhook.ClaimOK},
		{op: "done"},
		{op: "claim", owner: "b", want: webhook.ClaimDone},
		{op: "claim", owner: "a", want: webhook.ClaimDone},
	}},
	{"done without a claim", []step{
		{op: "done"},
		{op: "claim", owner: "a", want: webhook.ClaimDone},
	}},
	{"release by the owner frees the key", []step{
		{op: "claim", owner: "a", want: webhook.ClaimOK},
		{op: "release", owner: "a"},
		{op: "claim", owner: "b", want: webhook.ClaimOK},
	}},
	{"release by another owner does nothing", []step{
		{op: "claim", owner: "a", want: webhook.ClaimOK},
		{op: "release", owner: "b"},
		{op: "release", owner: ""},
		{op: "claim", owner: "b", want: webhook.ClaimInFlight},
	}},
	{"release of an absent key does nothing", []step{
		{op: "release", owner: "a"},
		{op: "claim", owner: "b", want: webhook.ClaimOK},
	}},
	{"release does not undo done", []step{
		{op: "claim", owner: "a", want: webhook.ClaimOK},
		{op: "done"},
		{op: "release", owner: "a"},
		{op: "claim", owner: "b", want: webhook.ClaimDone},
	}},
	{"an empty owner is an owner like any other", []step{
		{op: "claim", owner: "", want: webhook.ClaimOK},
		{op: "claim", owner: "b", want: webhook.ClaimInFlight},
		{op: "release", owner: "b"},
		{op: "claim", owner: "", want: webhook.ClaimOK},
		{op: "release", owner: ""},
		{op: "claim", owner: "b", want: webhook.ClaimOK},
	}},
}

// Run runs the contract against the Dedupers open returns: each case on a fresh store, then 50
// concurrent claims of one key by distinct owners, of which exactly one wins and the rest see the
// key in flight.
func Run(t *testing.T, open Open) {
	ctx := context.Background()
	const key, lease, ttl = "ITEM_ADD_RESULT:0123", time.Minute, time.Hour
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dd := open(t)
			require.NotEmpty(t, dd)
			for i, s := range tc.steps {
				d := dd[i%len(dd)]
				switch s.op {
				case "claim":
					got, err := d.Claim(ctx, key, s.owner, lease)
					require.NoError(t, err, "step %d", i)
					assert.Equal(t, s.want, got, "step %d: claim by %q", i, s.owner)
				case "done":
					require.NoError(t, d.Done(ctx, key, ttl), "step %d", i)
				case "release":
					require.NoError(t, d.Release(ctx, key, s.owner), "step %d", i)
				default:
					t.Fatalf("step %d: unknown op %q", i, s.op)
				}
			}
			// Other keys are untouched.
			got, err := dd[0].Claim(ctx, key+"-other", "z", lease)
			require.NoError(t, err)
			assert.Equal(t, webhook.ClaimOK, got, "another key")
		})
	}

	t.Run("50 concurrent claims, one wins", func(t *testing.T) {
		dd := open(t)
		require.NotEmpty(t, dd)
		var ok, inFlight atomic.Int32
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, err := dd[i%len(dd)].Claim(ctx, key, "owner"+strconv.Itoa(i), lease)
				if !assert.NoError(t, err) {
					return
				}
				switch st {
				case webhook.ClaimOK:
					ok.Add(1)
				case webhook.ClaimInFlight:
					inFlight.Add(1)
				}
			}()
		}
		wg.Wait()
		assert.Equal(t, int32(1), ok.Load())
		assert.Equal(t, int32(49), inFlight.Load())
	})
}
