package redistest_test

import (
	"context"
	"os"
	"os/exec"
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

// TestMissingBinary runs Start in a child test process whose PATH has no redis-server: under
// CI=true the test must fail, saying so; elsewhere it must skip, saying how to install it.
func TestMissingBinary(t *testing.T) {
	if os.Getenv("REDISTEST_CHILD") == "1" {
		redistest.Start(t)
		t.Log("REDISTEST_CHILD: started")
		return
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	emptyPath := t.TempDir()
	skip := []string{"--- SKIP: TestMissingBinary", "redis-server not found: apt-get install -y redis-server"}
	tests := []struct {
		ci       string
		wantFail bool
		want     []string
	}{
		{ci: "true", wantFail: true, want: []string{"--- FAIL: TestMissingBinary", "redis-server not found, and CI=true requires it"}},
		{ci: "", want: skip},
		{ci: "false", want: skip},
	}
	for _, tc := range tests {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			cmd := exec.Command(exe, "-test.run=^TestMissingBinary$", "-test.v")
			cmd.Env = append(os.Environ(), "REDISTEST_CHILD=1", "PATH="+emptyPath, "CI="+tc.ci)
			out, err := cmd.CombinedOutput()
			if tc.wantFail {
				var exit *exec.ExitError
				require.ErrorAs(t, err, &exit, "%s", out)
			} else {
				require.NoError(t, err, "%s", out)
			}
			for _, want := range tc.want {
				assert.Contains(t, string(out), want)
			}
			assert.NotContains(t, string(out), "REDISTEST_CHILD: started")
		})
	}
}
