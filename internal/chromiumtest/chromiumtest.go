// Package chromiumtest finds the headless Chromium that browser tests drive. Tests that need one
// call Require; where Chromium is not installed they skip, saying how to install it, except under
// CI=true, where they fail. NewBrowser starts it headless, as this machine needs, for chromedp.
package chromiumtest

import (
	"os"
	"os/exec"
	"testing"
)

// debianPath is where Debian's chromium package, which .ci/run installs, puts the browser.
const debianPath = "/usr/bin/chromium"

// Require returns the path of the Chromium to drive: Debian's /usr/bin/chromium, or else chromium
// on PATH. Without one it fails t under CI=true, where the browser tests must run, and skips it
// elsewhere.
func Require(t testing.TB) string {
	t.Helper()
	return find(t, debianPath)
}

// find is Require with the preferred path given, so that a test can take it away.
func find(t testing.TB, preferred string) string {
	t.Helper()
	if _, err := os.Stat(preferred); err == nil {
		return preferred
	}
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium is missing (%v); CI must install it: apt-get install -y chromium", err)
		}
		t.Skipf("Chromium is missing (%v); install it with: apt-get install -y chromium", err)
	}
	return path
}
