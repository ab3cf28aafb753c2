package redisdedup_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/internal/redistest"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/redisdedup"
)

// TestCluster runs the deduper through a ClusterClient, on a one-node Redis Cluster that holds
// every slot: each call must be a single-key command or script that the client can route.
func TestCluster(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
	admin := srv.Client()
	require.NoError(t, admin.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", "0", "16383").Err())
	require.Eventually(t, func() bool {
		info, err := admin.ClusterInfo(ctx).Result()
		return err == nil && strings.Contains(info, "cluster_state:ok")
	}, 10*time.Second, 5*time.Millisecond)

	opts := redistest.ClientOptions(srv.Addr)
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{srv.Addr}, MaxRetries: opts.MaxRetries,
		DialTimeout: opts.DialTimeout, DialerRetries: opts.DialerRetries, DialerRetryTimeout: opts.DialerRetryTimeout})
	t.Cleanup(func() { _ = c.Close() })
	d := redisdedup.New(c)

	// Keys in many slots.
	keys := []string{"ITEM_ADD_RESULT:a", "EVENTS:b", "EVENTS:c", "SESSION_FINISHED:d"}
	for _, k := range keys {
		st, err := d.Claim(ctx, k, "a", time.Minute)
		require.NoError(t, err, k)
		assert.Equal(t, webhook.ClaimOK, st, k)
		st, err = d.Claim(ctx, k, "b", time.Minute)
		require.NoError(t, err, k)
		assert.Equal(t, webhook.ClaimInFlight, st, k)
	}
	require.NoError(t, d.Release(ctx, keys[0], "a"))
	require.NoError(t, d.Done(ctx, keys[1], time.Hour))
	require.NoError(t, d.Release(ctx, keys[1], "a"))
	for k, want := range map[string]webhook.ClaimState{keys[0]: webhook.ClaimOK, keys[1]: webhook.ClaimDone, keys[2]: webhook.ClaimInFlight} {
		st, err := d.Claim(ctx, k, "c", time.Minute)
		require.NoError(t, err, k)
		assert.Equal(t, want, st, k)
	}
}

// TestSentinel runs the deduper through the client redis.NewUniversalClient makes for a
// MasterName: a failover client that asks a Sentinel where the primary is.
func TestSentinel(t *testing.T) {
	ctx := context.Background()
	primary := redistest.Start(t)
	sentinel := redistest.StartSentinel(t, primary)
	opts := redistest.ClientOptions(sentinel.Addr)
	c := redis.NewUniversalClient(&redis.UniversalOptions{MasterName: "primary", Addrs: []string{sentinel.Addr},
		MaxRetries: opts.MaxRetries, DialTimeout: opts.DialTimeout, DialerRetries: opts.DialerRetries, DialerRetryTimeout: opts.DialerRetryTimeout})
	t.Cleanup(func() { _ = c.Close() })
	d := redisdedup.New(c)

	st, err := d.Claim(ctx, "k", "a", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, webhook.ClaimOK, st)
	require.NoError(t, d.Done(ctx, "k", time.Hour))
	st, err = d.Claim(ctx, "k", "b", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, webhook.ClaimDone, st)
	v, err := primary.Client().Get(ctx, redisdedup.DefaultPrefix+"k").Result()
	require.NoError(t, err)
	assert.Equal(t, "d", v, "the marker is on the primary the Sentinel names")
}
