package redisdedup_test

import (
	"context"
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

// TestCluster runs the deduper through a ClusterClient, on a one-node Redis Cluster that holds
// every slot: each call must be a single-key command or script that the client can route.
func TestCluster(t *testing.T) {
	ctx := context.Background()
	d := redisdedup.New(startCluster(t))

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

// startCluster starts a one-node Redis Cluster that holds every slot, and returns a ClusterClient
// on it. One node is enough to check routing: a Cluster refuses a command or script over keys of
// several slots (CROSSSLOT) whichever nodes hold them.
func startCluster(t *testing.T) *redis.ClusterClient {
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
	return c
}

// TestClusterContract runs the contract, batch checks included, through a ClusterClient: the
// keys of a webhook share a hash tag and go in one script; keys of several tags given together
// are split by slot rather than refused.
func TestClusterContract(t *testing.T) {
	c := startCluster(t)
	var n atomic.Int32
	webhooktest.TestDeduper(t, func(*testing.T) webhook.Deduper {
		return redisdedup.New(c, redisdedup.WithPrefix("check"+strconv.Itoa(int(n.Add(1)))+":"))
	})
}

// TestClusterCrossSlotIsRefused shows what the contract's hash tag check guards against: a script
// over keys of two slots is refused by the Cluster.
func TestClusterCrossSlotIsRefused(t *testing.T) {
	c := startCluster(t)
	err := c.Eval(context.Background(), "return 1", []string{"{a}1", "{b}1"}).Err()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "CROSSSLOT")
	require.NoError(t, c.Eval(context.Background(), "return 1", []string{"{a}1", "{a}2"}).Err(), "one hash tag, one slot")
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
	v, err := primary.Client().HGet(ctx, redisdedup.DefaultPrefix+"k", "").Result()
	require.NoError(t, err)
	assert.Equal(t, "d", v, "the marker is on the primary the Sentinel names")
}
