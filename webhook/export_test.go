package webhook

import "time"

// NewTestClock returns the key cache tests' fake clock, starting at now, for the tests of package
// webhook_test.
func NewTestClock(now time.Time) *fakeClock { return &fakeClock{now: now} }
