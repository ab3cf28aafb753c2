package chromiumtest

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// NewBrowser starts the headless Chromium at path (from [Require]) with a fresh profile and
// returns a context that drives one tab of it. Everything ends with ctx or when the test ends,
// and the profile is removed then. The flags are those this machine needs: no sandbox (tests run
// as root), no GPU, and none of Chromium's background connections, which a closed network refuses.
func NewBrowser(ctx context.Context, t testing.TB, path string) context.Context {
	t.Helper()
	// Not t.TempDir: Chromium's helper processes can still be writing the profile for a moment
	// after the browser has exited, which fails TempDir's cleanup.
	profile, err := os.MkdirTemp("", "chromiumtest-profile-")
	if err != nil {
		t.Fatalf("making a Chromium profile directory: %v", err)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		// chromedp gives Chromium 20 s to print its DevTools address; under CI's race-enabled
		// suite, every package at once on 2 cores, its start once took longer. The caller's ctx
		// bounds the start instead.
		chromedp.WSURLReadTimeout(5*time.Minute),
	)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		// Close the browser and wait for it to exit, then remove its profile.
		if err := chromedp.Cancel(browserCtx); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			t.Logf("closing Chromium: %v", err)
		}
		cancelBrowser()
		cancelAlloc()
		removeProfile(t, profile)
	})
	return browserCtx
}

// removeProfile removes a Chromium profile directory, retrying while the last of Chromium's
// processes finish writing to it. It only cleans up: the 30 s bound is generous, and nothing of
// the test depends on how soon the directory goes.
func removeProfile(t testing.TB, dir string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := os.RemoveAll(dir)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("removing the Chromium profile %s: %v", dir, err)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
