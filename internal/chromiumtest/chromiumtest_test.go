package chromiumtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRequireFindsChromiumOnPath: without Debian's binary, a chromium on PATH is the one driven.
func TestRequireFindsChromiumOnPath(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "chromium")
	require.NoError(t, os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755))
	t.Setenv("PATH", dir)
	assert.Equal(t, fake, find(t, filepath.Join(t.TempDir(), "absent")))
}

// TestRequirePrefersDebian: Debian's binary, when present, wins over one on PATH.
func TestRequirePrefersDebian(t *testing.T) {
	debian := filepath.Join(t.TempDir(), "chromium")
	require.NoError(t, os.WriteFile(debian, []byte("#!/bin/sh\n"), 0o755))
	onPath := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(onPath, "chromium"), []byte("#!/bin/sh\n"), 0o755))
	t.Setenv("PATH", onPath)
	assert.Equal(t, debian, find(t, debian))
}

// TestRequireMissing runs find in a child test process with no Chromium anywhere: under
// CI=true the test must fail, saying so; elsewhere it must skip, saying how to install it.
func TestRequireMissing(t *testing.T) {
	if os.Getenv("CHROMIUMTEST_CHILD") == "1" {
		find(t, filepath.Join(t.TempDir(), "absent"))
		t.Log("CHROMIUMTEST_CHILD: found")
		return
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	emptyPath := t.TempDir()
	skip := []string{"--- SKIP: TestRequireMissing", "install it with: apt-get install -y chromium"}
	tests := []struct {
		ci       string
		wantFail bool
		want     []string
	}{
		{ci: "true", wantFail: true, want: []string{"--- FAIL: TestRequireMissing", "CI must install it: apt-get install -y chromium"}},
		{ci: "", want: skip},
		{ci: "false", want: skip},
	}
	for _, tc := range tests {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			cmd := exec.Command(exe, "-test.run=^TestRequireMissing$", "-test.v")
			cmd.Env = append(os.Environ(), "CHROMIUMTEST_CHILD=1", "PATH="+emptyPath, "CI="+tc.ci)
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
			assert.NotContains(t, string(out), "CHROMIUMTEST_CHILD: found")
		})
	}
}
