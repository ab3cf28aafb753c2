package webhook

import "time"

// NewTestClock returns the key cache tests' fake clock, starting at now, for the tests of package
// webhook_test.
func NewTestClock(now time.Time) *fakeClock { return &fakeClock{now: now} }

// WaitForFetches waits until every key fetch v started has ended, refreshes included, so that
// tests of package webhook_test count them all.
func WaitForFetches(v *Verifier) { v.keys.background.Wait() }

// StatusFor is the handler's status for an Outcome.Reason, for the test that holds the README's
// status table to it.
var StatusFor = statusFor

// FetcherFunc and RequireOnly are the key cache tests' helpers, for the tests of package
// webhook_test (helpers_test.go).
type FetcherFunc = fetcherFunc

var RequireOnly = requireOnly
