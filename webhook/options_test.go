package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

// An option given a value it cannot use makes NewVerifier panic, naming the option and the value,
// instead of keeping the default as if nothing had been asked.
func TestVerifierOptionsRefuseBadValues(t *testing.T) {
	cases := []struct {
		opt  webhook.VerifierOption
		want string
	}{
		{webhook.WithMaxAge(0), "webhook: NewVerifier: WithMaxAge(0s): the age must be positive"},
		{webhook.WithMaxAge(-time.Minute), "webhook: NewVerifier: WithMaxAge(-1m0s): the age must be positive"},
		{webhook.WithClockSkew(-time.Second), "webhook: NewVerifier: WithClockSkew(-1s): the skew must not be negative"},
		{webhook.WithClock(nil), "webhook: NewVerifier: WithClock(nil): the clock must not be nil"},
		{webhook.WithFetchTimeout(0), "webhook: NewVerifier: WithFetchTimeout(0s): the timeout must be positive"},
		{webhook.WithFetchTimeout(-time.Second), "webhook: NewVerifier: WithFetchTimeout(-1s): the timeout must be positive"},
		{webhook.WithCacheSize(0, 10), "webhook: NewVerifier: WithCacheSize(0, 10): both sizes must be positive"},
		{webhook.WithCacheSize(10, -1), "webhook: NewVerifier: WithCacheSize(10, -1): both sizes must be positive"},
		{webhook.WithKeyFetchLimit(0, 5), "webhook: NewVerifier: WithKeyFetchLimit(0s, 5): the interval and the burst must be positive"},
		{webhook.WithKeyFetchLimit(time.Second, 0), "webhook: NewVerifier: WithKeyFetchLimit(1s, 0): the interval and the burst must be positive"},
		{webhook.WithKeyFetchLimit(-time.Second, -1), "webhook: NewVerifier: WithKeyFetchLimit(-1s, -1): the interval and the burst must be positive"},
		{nil, "webhook: NewVerifier: option 2 of 2 is nil"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			assert.PanicsWithValue(t, tc.want, func() {
				webhook.NewVerifier(webhooktest.NewSigner(), webhook.WithClockSkew(0), tc.opt)
			})
		})
	}
	// The first bad option is the one named.
	assert.PanicsWithValue(t, "webhook: NewVerifier: WithMaxAge(-1ns): the age must be positive", func() {
		webhook.NewVerifier(webhooktest.NewSigner(), webhook.WithMaxAge(-1), webhook.WithClock(nil))
	})
	// The edges are accepted.
	assert.NotPanics(t, func() {
		webhook.NewVerifier(webhooktest.NewSigner(), webhook.WithMaxAge(time.Nanosecond), webhook.WithClockSkew(0),
			webhook.WithFetchTimeout(time.Nanosecond), webhook.WithCacheSize(1, 1), webhook.WithKeyFetchLimit(time.Nanosecond, 1))
	})
}

// An option given a value it cannot use makes NewHandler panic, naming the option and the value;
// a bad DedupeOption is named under WithDeduper. A nil option, hook, observer or logger is refused
// rather than ignored.
func TestHandlerOptionsRefuseBadValues(t *testing.T) {
	store := webhook.NewMemoryDeduper(0)
	cases := []struct {
		opt  webhook.HandlerOption
		want string
	}{
		{webhook.WithMaxBodySize(0), "webhook: NewHandler: WithMaxBodySize(0): the limit must be positive"},
		{webhook.WithMaxBodySize(-1), "webhook: NewHandler: WithMaxBodySize(-1): the limit must be positive"},
		{webhook.WithObserver(nil), "webhook: NewHandler: WithObserver(nil): the observer must not be nil"},
		{webhook.WithLogger(nil), "webhook: NewHandler: WithLogger(nil): the logger must not be nil"},
		{webhook.WithRequestHook(nil), "webhook: NewHandler: WithRequestHook(nil): the hook must not be nil"},
		{webhook.WithDeduper(store, webhook.WithLease(0)), "webhook: NewHandler: WithDeduper: WithLease(0s): the lease must be positive"},
		{webhook.WithDeduper(store, webhook.WithLease(-time.Second)), "webhook: NewHandler: WithDeduper: WithLease(-1s): the lease must be positive"},
		{webhook.WithDeduper(store, webhook.WithDoneTTL(0)), "webhook: NewHandler: WithDeduper: WithDoneTTL(0s): the TTL must be positive"},
		{webhook.WithDeduper(store, webhook.WithDoneTTL(-time.Hour)), "webhook: NewHandler: WithDeduper: WithDoneTTL(-1h0m0s): the TTL must be positive"},
		{webhook.WithDeduper(store, webhook.WithDedupeTimeout(0)), "webhook: NewHandler: WithDeduper: WithDedupeTimeout(0s): the timeout must be positive"},
		{webhook.WithDeduper(store, webhook.WithDedupeTimeout(-time.Second)), "webhook: NewHandler: WithDeduper: WithDedupeTimeout(-1s): the timeout must be positive"},
		{webhook.WithDeduper(store, webhook.WithLease(time.Second), nil), "webhook: NewHandler: WithDeduper: option 2 of 2 is nil"},
		{webhook.WithDeduper(nil, webhook.WithLease(0)), "webhook: NewHandler: WithDeduper: WithLease(0s): the lease must be positive"},
		{nil, "webhook: NewHandler: option 2 of 2 is nil"},
	}
	v := webhook.NewVerifier(webhooktest.NewSigner())
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			assert.PanicsWithValue(t, tc.want, func() {
				webhook.NewHandler(v, nil, webhook.WithMaxBodySize(1<<10), tc.opt)
			})
		})
	}
	// The edges are accepted.
	assert.NotPanics(t, func() {
		webhook.NewHandler(v, nil, webhook.WithMaxBodySize(1), webhook.WithDeduper(store, webhook.WithLease(time.Nanosecond),
			webhook.WithDoneTTL(time.Nanosecond), webhook.WithDedupeTimeout(time.Nanosecond)),
			webhook.WithObserver(func(context.Context, webhook.Outcome) {}),
			webhook.WithRequestHook(func(*http.Request) (context.Context, func(webhook.Outcome)) { return nil, nil }))
	})
}

// A negative bound makes NewMemoryDeduper panic, naming the value; 0 asks for the default.
func TestNewMemoryDeduperRefusesNegativeBound(t *testing.T) {
	for _, n := range []int{-1, -100} {
		want := fmt.Sprintf("webhook: NewMemoryDeduper(%d): the bound must not be negative (0 means DefaultMemoryDeduperKeys)", n)
		assert.PanicsWithValue(t, want, func() { webhook.NewMemoryDeduper(n) })
	}
	assert.NotPanics(t, func() { webhook.NewMemoryDeduper(0) })
}
