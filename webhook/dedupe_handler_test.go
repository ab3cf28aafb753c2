package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

// TestHandlerWithMemoryDeduper checks the statuses a deduplicating handler answers, on one
// instance; webhook/redisdedup runs the same deliveries against a fleet sharing Redis.
func TestHandlerWithMemoryDeduper(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "item_add_result.json")
	var calls atomic.Int32
	var fn func() error
	entered, proceed := make(chan struct{}), make(chan struct{})
	d := webhook.NewMemoryDeduper(100)
	var outcomes []webhook.Outcome
	h := webhook.NewHandler(webhook.NewVerifier(signer), func(context.Context, webhook.Event) error {
		calls.Add(1)
		return fn()
	}, webhook.WithDeduper(d), webhook.WithObserver(func(_ context.Context, o webhook.Outcome) {
		outcomes = append(outcomes, o)
	}))
	deliver := func() int {
		req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
		req.Header.Set(webhook.HeaderName, signer.Sign(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}

	fn = func() error { return errors.New("database down") }
	assert.Equal(t, http.StatusInternalServerError, deliver())
	assert.Equal(t, 0, d.Len(), "the failure released the claim")

	// The redelivery runs fn; a duplicate arriving meanwhile gets 503.
	fn = func() error { close(entered); <-proceed; return nil }
	first := make(chan int)
	go func() { first <- deliver() }()
	<-entered
	assert.Equal(t, http.StatusServiceUnavailable, deliver())
	close(proceed)
	assert.Equal(t, http.StatusOK, <-first)

	fn = func() error { t.Error("fn ran for a processed webhook"); return nil }
	assert.Equal(t, http.StatusOK, deliver())
	assert.Equal(t, int32(2), calls.Load())

	require.Len(t, outcomes, 4)
	assert.ErrorIs(t, outcomes[1].Reason, webhook.ErrInFlight)
	assert.Equal(t, http.StatusServiceUnavailable, outcomes[1].Status)
	assert.True(t, outcomes[3].Duplicate)
	assert.Equal(t, http.StatusOK, outcomes[3].Status)
}
