package redisdedup_test

import (
	"context"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/internal/dedupetest"
	"github.com/plaidlink/plaidlink-go/internal/redistest"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/redisdedup"
)

func TestDeduperStates(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	c := srv.Client()
	d := redisdedup.New(c)
	const key = "ITEM_ADD_RESULT:0123"
	const stored = redisdedup.DefaultPrefix + key

	claim := func(owner string, lease time.Duration) webhook.ClaimState {
		t.Helper()
		st, err := d.Claim(ctx, key, owner, lease)
		require.NoError(t, err)
		return st
	}
	value := func() string {
		t.Helper()
		v, err := c.Get(ctx, stored).Result()
		if errors.Is(err, redis.Nil) {
			return "<absent>"
		}
		require.NoError(t, err)
		return v
	}
	pttl := func() time.Duration {
		t.Helper()
		ttl, err := c.PTTL(ctx, stored).Result()
		require.NoError(t, err)
		return ttl
	}

	assert.Equal(t, webhook.ClaimOK, claim("a", time.Minute))
	assert.Equal(t, "c:a", value())
	assert.InDelta(t, time.Minute, pttl(), float64(5*time.Second), "the lease is the claim's expiry")
	assert.Equal(t, webhook.ClaimInFlight, claim("b", time.Minute))
	assert.Equal(t, webhook.ClaimOK, claim("a", time.Minute), "the owner's own claim")

	require.NoError(t, d.Release(ctx, key, "b"))
	assert.Equal(t, "c:a", value(), "another owner's release leaves the claim")
	require.NoError(t, d.Release(ctx, key, "a"))
	assert.Equal(t, "<absent>", value())

	assert.Equal(t, webhook.ClaimOK, claim("b", time.Minute))
	require.NoError(t, d.Done(ctx, key, 25*time.Hour))
	assert.Equal(t, "d", value())
	assert.InDelta(t, 25*time.Hour, pttl(), float64(5*time.Second), "the done TTL is the marker's expiry")
	require.NoError(t, d.Release(ctx, key, "b"))
	assert.Equal(t, "d", value(), "release does not undo done")
	assert.Equal(t, webhook.ClaimDone, claim("c", time.Minute))
	assert.Equal(t, webhook.ClaimDone, claim("b", time.Minute))

}

func TestDeduperLeaseEnds(t *testing.T) {
	ctx := context.Background()
	d := redisdedup.New(redistest.Start(t).Client())
	st, err := d.Claim(ctx, "k", "crashed", 20*time.Millisecond)
	require.NoError(t, err)
	require.Equal(t, webhook.ClaimOK, st)
	st, err = d.Claim(ctx, "k", "b", time.Minute)
	require.NoError(t, err)
	require.Equal(t, webhook.ClaimInFlight, st)
	require.Eventually(t, func() bool {
		st, err := d.Claim(ctx, "k", "b", time.Minute)
		return err == nil && st == webhook.ClaimOK
	}, 5*time.Second, 5*time.Millisecond, "the crashed owner's lease ends")
	require.NoError(t, d.Release(ctx, "k", "crashed"))
	st, err = d.Claim(ctx, "k", "c", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, webhook.ClaimInFlight, st, "the crashed owner's late release leaves b's claim")

	// A lease under a millisecond is a millisecond, not an error.
	st, err = d.Claim(ctx, "short", "a", time.Microsecond)
	require.NoError(t, err)
	assert.Equal(t, webhook.ClaimOK, st)
}

// TestDeduperContract runs the contract every Deduper keeps against one Redis shared by two
// clients, as two instances would share it; each case has a prefix of its own.
func TestDeduperContract(t *testing.T) {
	srv := redistest.Start(t)
	c1, c2 := srv.Client(), srv.Client()
	var n atomic.Int32
	dedupetest.Run(t, func(*testing.T) []webhook.Deduper {
		prefix := redisdedup.WithPrefix("case" + strconv.Itoa(int(n.Add(1))) + ":")
		return []webhook.Deduper{redisdedup.New(c1, prefix), redisdedup.New(c2, prefix)}
	})
}

func TestPrefix(t *testing.T) {
	ctx := context.Background()
	c := redistest.Start(t).Client()
	def, other := redisdedup.New(c), redisdedup.New(c, redisdedup.WithPrefix("billing:"), nil)
	require.NoError(t, def.Done(ctx, "k", time.Hour))
	st, err := other.Claim(ctx, "k", "a", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, webhook.ClaimOK, st, "another prefix is another set of keys")
	keys, err := c.Keys(ctx, "*").Result()
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"plaidlink:webhook:k", "billing:k"}, keys)
}

func TestStoreErrors(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	c := srv.Client()
	srv.Stop()
	for name, d := range map[string]*redisdedup.Deduper{"nil client": redisdedup.New(nil), "nil Deduper": nil, "server down": redisdedup.New(c)} {
		t.Run(name, func(t *testing.T) {
			_, err := d.Claim(ctx, "k", "a", time.Minute)
			require.Error(t, err)
			require.Error(t, d.Done(ctx, "k", time.Hour))
			require.Error(t, d.Release(ctx, "k", "a"))
			if name != "server down" {
				require.ErrorIs(t, err, redisdedup.ErrNoClient)
			}
		})
	}
}

// TestImportGraph keeps go-redis out of what users of link and webhook compile.
func TestImportGraph(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps",
		"github.com/plaidlink/plaidlink-go/link", "github.com/plaidlink/plaidlink-go/webhook").CombinedOutput()
	require.NoError(t, err, "%s", out)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/plaidlink/plaidlink-go/webhook", "the listing is of the packages asked for")
	for _, dep := range deps {
		assert.NotContains(t, dep, "go-redis", "link and webhook must not import Redis")
	}

	out, err = exec.Command("go", "list", "-deps", "github.com/plaidlink/plaidlink-go/webhook/redisdedup").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, strings.Fields(string(out)), "github.com/redis/go-redis/v9", "the check would see go-redis")
}
