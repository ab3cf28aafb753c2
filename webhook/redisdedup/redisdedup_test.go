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

	"github.com/plaidlink/plaidlink-go/internal/redistest"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/redisdedup"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

func TestDeduperStates(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	c := srv.Client()
	d := redisdedup.New(c)
	const key = "ITEM_ADD_RESULT:{0123}"
	const stored = redisdedup.DefaultPrefix + key // a hash, with the key's field: "", after the tag

	claim := func(owner string, lease time.Duration) webhook.ClaimState {
		t.Helper()
		st, err := d.Claim(ctx, key, owner, lease)
		require.NoError(t, err)
		return st
	}
	value := func() string {
		t.Helper()
		v, err := c.HGet(ctx, stored, "").Result()
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
	// claimed checks that the field holds owner's claim, ending a lease from Redis's now.
	claimed := func(owner string, lease time.Duration) {
		t.Helper()
		v := value()
		ends, by, ok := strings.Cut(strings.TrimPrefix(v, "c"), ":")
		require.True(t, ok && strings.HasPrefix(v, "c"), "a claim: %q", v)
		assert.Equal(t, owner, by)
		ms, err := strconv.ParseInt(ends, 10, 64)
		require.NoError(t, err)
		now, err := c.Time(ctx).Result()
		require.NoError(t, err)
		assert.InDelta(t, float64(now.Add(lease).UnixMilli()), float64(ms), float64(5*time.Second/time.Millisecond), "the lease's end")
	}

	assert.Equal(t, webhook.ClaimOK, claim("a", time.Minute))
	claimed("a", time.Minute)
	assert.InDelta(t, time.Minute, pttl(), float64(5*time.Second), "the hash lasts the lease")
	assert.Equal(t, webhook.ClaimInFlight, claim("b", time.Minute))
	assert.Equal(t, webhook.ClaimOK, claim("a", time.Minute), "the owner's own claim")

	require.NoError(t, d.Release(ctx, key, "b"))
	claimed("a", time.Minute)
	require.NoError(t, d.Release(ctx, key, "a"))
	assert.Equal(t, "<absent>", value())
	n, err := c.Exists(ctx, stored).Result()
	require.NoError(t, err)
	assert.Zero(t, n, "the emptied hash is gone")

	assert.Equal(t, webhook.ClaimOK, claim("b", time.Minute))
	require.NoError(t, d.Done(ctx, key, 25*time.Hour))
	assert.Equal(t, "d", value())
	assert.InDelta(t, 25*time.Hour, pttl(), float64(5*time.Second), "the done TTL is the hash's expiry")
	require.NoError(t, d.Release(ctx, key, "b"))
	assert.Equal(t, "d", value(), "release does not undo done")
	assert.Equal(t, webhook.ClaimDone, claim("c", time.Minute))
	assert.Equal(t, webhook.ClaimDone, claim("b", time.Minute))
	assert.InDelta(t, 25*time.Hour, pttl(), float64(5*time.Second), "a shorter lease does not shorten the hash")
}

// TestDeduperEventsShareAHash checks where the keys of an EVENTS webhook go: one hash per session
// tag, a field per event, each marked on its own.
func TestDeduperEventsShareAHash(t *testing.T) {
	ctx := context.Background()
	c := redistest.Start(t).Client()
	d := redisdedup.New(c)
	keys := []string{"EVENTS:{s1}e1", "EVENTS:{s1}e2", "EVENTS:{s2}e1"}
	states, err := d.ClaimBatch(ctx, keys, "a", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, []webhook.ClaimState{webhook.ClaimOK, webhook.ClaimOK, webhook.ClaimOK}, states)
	require.NoError(t, d.DoneBatch(ctx, keys[:1], time.Hour))
	stored, err := c.Keys(ctx, "*").Result()
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{redisdedup.DefaultPrefix + "EVENTS:{s1}", redisdedup.DefaultPrefix + "EVENTS:{s2}"}, stored)
	fields, err := c.HGetAll(ctx, redisdedup.DefaultPrefix+"EVENTS:{s1}").Result()
	require.NoError(t, err)
	assert.Len(t, fields, 2)
	assert.Equal(t, "d", fields["e1"])
	assert.True(t, strings.HasPrefix(fields["e2"], "c") && strings.HasSuffix(fields["e2"], ":a"), fields["e2"])

	// A session of more events than one Lua unpack takes at once.
	many := make([]string, 2500)
	for i := range many {
		many[i] = "EVENTS:{big}" + strconv.Itoa(i)
	}
	states, err = d.ClaimBatch(ctx, many, "a", time.Minute)
	require.NoError(t, err)
	require.Len(t, states, len(many))
	for _, st := range states {
		require.Equal(t, webhook.ClaimOK, st)
	}
	require.NoError(t, d.DoneBatch(ctx, many, time.Hour))
	n, err := c.HLen(ctx, redisdedup.DefaultPrefix+"EVENTS:{big}").Result()
	require.NoError(t, err)
	assert.Equal(t, int64(len(many)), n)
	states, err = d.ClaimBatch(ctx, many, "b", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, webhook.ClaimDone, states[len(many)-1])
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
// clients, as two instances would share it: each call goes to the other instance. Each check has
// a prefix of its own.
func TestDeduperContract(t *testing.T) {
	srv := redistest.Start(t)
	c1, c2 := srv.Client(), srv.Client()
	var n atomic.Int32
	webhooktest.TestDeduper(t, func(*testing.T) webhook.Deduper {
		prefix := redisdedup.WithPrefix("check" + strconv.Itoa(int(n.Add(1))) + ":")
		return &twoInstances{d: [2]*redisdedup.Deduper{redisdedup.New(c1, prefix), redisdedup.New(c2, prefix)}}
	})
}

// twoInstances is two Dedupers on one store, taking calls in turn.
type twoInstances struct {
	d [2]*redisdedup.Deduper
	n atomic.Uint32
}

func (t *twoInstances) next() *redisdedup.Deduper { return t.d[t.n.Add(1)%2] }

func (t *twoInstances) Claim(ctx context.Context, key, owner string, lease time.Duration) (webhook.ClaimState, error) {
	return t.next().Claim(ctx, key, owner, lease)
}

func (t *twoInstances) Done(ctx context.Context, key string, ttl time.Duration) error {
	return t.next().Done(ctx, key, ttl)
}

func (t *twoInstances) Release(ctx context.Context, key, owner string) error {
	return t.next().Release(ctx, key, owner)
}

func (t *twoInstances) ClaimBatch(ctx context.Context, keys []string, owner string, lease time.Duration) ([]webhook.ClaimState, error) {
	return t.next().ClaimBatch(ctx, keys, owner, lease)
}

func (t *twoInstances) DoneBatch(ctx context.Context, keys []string, ttl time.Duration) error {
	return t.next().DoneBatch(ctx, keys, ttl)
}

func (t *twoInstances) ReleaseBatch(ctx context.Context, keys []string, owner string) error {
	return t.next().ReleaseBatch(ctx, keys, owner)
}

func TestPrefix(t *testing.T) {
	ctx := context.Background()
	c := redistest.Start(t).Client()
	def, other := redisdedup.New(c), redisdedup.New(c, redisdedup.WithPrefix("billing:"))
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
	for name, d := range map[string]*redisdedup.Deduper{"zero Deduper": {}, "nil Deduper": nil, "server down": redisdedup.New(c)} {
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

// New returns no error, so a setting it cannot use makes it panic, naming it, rather than making a
// Deduper that fails every webhook.
func TestNewRefusesBadSettings(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never dialled
	defer c.Close()
	cases := []struct {
		name string
		new  func()
		want string
	}{
		{"nil client", func() { redisdedup.New(nil) }, "redisdedup: New: the Redis client must not be nil"},
		{"nil *redis.Client", func() { redisdedup.New((*redis.Client)(nil)) }, "redisdedup: New: the Redis client must not be nil"},
		{"nil *redis.ClusterClient", func() { redisdedup.New((*redis.ClusterClient)(nil)) }, "redisdedup: New: the Redis client must not be nil"},
		{"nil *redis.Ring", func() { redisdedup.New((*redis.Ring)(nil)) }, "redisdedup: New: the Redis client must not be nil"},
		{"nil option", func() { redisdedup.New(c, redisdedup.WithPrefix("a:"), nil) }, "redisdedup: New: option 2 of 2 is nil"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tc.want, tc.new)
		})
	}
	assert.NotPanics(t, func() { redisdedup.New(c, redisdedup.WithPrefix("")) }, "an empty prefix is taken as given")
}
