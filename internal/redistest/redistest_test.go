package redistest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/internal/redistest"
)

func TestStopRestart(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	c := srv.Client()
	require.NoError(t, c.Set(ctx, "k", "v", 0).Err())
	assert.Equal(t, "v", c.Get(ctx, "k").Val())

	srv.Stop()
	require.Error(t, c.Ping(ctx).Err(), "stopped")
	srv.Stop() // twice is fine

	srv.Restart()
	require.NoError(t, c.Ping(ctx).Err())
	n, err := c.Exists(ctx, "k").Result()
	require.NoError(t, err)
	assert.Zero(t, n, "a restarted server is empty: nothing is kept on disk")
}

func TestArgs(t *testing.T) {
	srv := redistest.Start(t, "--maxmemory", "12345678")
	got, err := srv.Client().ConfigGet(context.Background(), "maxmemory").Result()
	require.NoError(t, err)
	assert.Equal(t, "12345678", got["maxmemory"])
}
