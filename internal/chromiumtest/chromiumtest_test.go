package chromiumtest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
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

// stopped is a testing.TB that records how a helper stopped the test instead of stopping it.
type stopped struct {
	testing.TB
	how, msg string
}

func (s *stopped) Helper() {}

func (s *stopped) Fatalf(format string, args ...any) {
	s.how, s.msg = "fail", fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (s *stopped) Skipf(format string, args ...any) {
	s.how, s.msg = "skip", fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// TestRequireMissing: with no Chromium anywhere, the test fails under CI=true, where the browser
// tests must run, and skips elsewhere, saying how to install it.
func TestRequireMissing(t *testing.T) {
	tests := []struct{ ci, how, msg string }{
		{ci: "true", how: "fail", msg: "CI must install it: apt-get install -y chromium"},
		{ci: "", how: "skip", msg: "install it with: apt-get install -y chromium"},
		{ci: "false", how: "skip", msg: "install it with: apt-get install -y chromium"},
	}
	for _, tc := range tests {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			t.Setenv("PATH", t.TempDir())
			t.Setenv("CI", tc.ci)
			rec := &stopped{TB: t}
			absent := filepath.Join(t.TempDir(), "absent")
			found := make(chan string, 1)
			done := make(chan struct{})
			go func() {
				defer close(done)
				found <- find(rec, absent)
			}()
			<-done
			require.Empty(t, found, "find returned instead of stopping the test")
			assert.Equal(t, tc.how, rec.how)
			assert.Contains(t, rec.msg, "Chromium is missing")
			assert.Contains(t, rec.msg, tc.msg)
		})
	}
}
