package webhook_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

type hookKey string

// ctxDeduper is a Deduper that records the value of key in the contexts it is called with.
type ctxDeduper struct {
	mu   sync.Mutex
	seen []any
}

func (d *ctxDeduper) Claim(ctx context.Context, _, _ string, _ time.Duration) (webhook.ClaimState, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seen = append(d.seen, ctx.Value(hookKey("outer")))
	return webhook.ClaimOK, nil
}
func (d *ctxDeduper) Done(context.Context, string, time.Duration) error { return nil }
func (d *ctxDeduper) Release(context.Context, string, string) error     { return nil }

// TestRequestHook checks that a hook's context is the one every later step of the request gets
// (the key fetch, the deduper, fn, the observers), that hooks nest as middleware does, and that
// each end function is called once with the Outcome the observers get, before them.
func TestRequestHook(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "item_add_result.json")

	var (
		mu    sync.Mutex
		calls []string
	)
	record := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, s)
	}
	var fetchCtx, fnCtx any
	keys := fetcherFunc(func(ctx context.Context, req *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
		fetchCtx = ctx.Value(hookKey("outer"))
		return signer.GetWebhookVerificationKey(ctx, req)
	})
	var ends []webhook.Outcome
	outer := func(r *http.Request) (context.Context, func(webhook.Outcome)) {
		record("outer start")
		assert.Nil(t, r.Context().Value(hookKey("outer")), "the first hook gets the request's own context")
		return context.WithValue(r.Context(), hookKey("outer"), "outer"), func(o webhook.Outcome) {
			record("outer end")
			ends = append(ends, o)
		}
	}
	inner := func(r *http.Request) (context.Context, func(webhook.Outcome)) {
		record("inner start")
		assert.Equal(t, "outer", r.Context().Value(hookKey("outer")), "a hook sees the context of the hooks before it")
		return nil, func(o webhook.Outcome) {
			record("inner end")
			ends = append(ends, o)
		}
	}
	noEnd := func(r *http.Request) (context.Context, func(webhook.Outcome)) {
		record("noEnd start")
		return context.WithValue(r.Context(), hookKey("inner"), "inner"), nil
	}
	dd := &ctxDeduper{}
	var observed []webhook.Outcome
	var observerCtx []any
	h := webhook.NewHandler(webhook.NewVerifier(keys), func(ctx context.Context, _ webhook.Event) error {
		record("fn")
		fnCtx = ctx.Value(hookKey("outer"))
		assert.Equal(t, "inner", ctx.Value(hookKey("inner")), "fn gets the last hook's context")
		return nil
	},
		webhook.WithRequestHook(outer), webhook.WithRequestHook(inner),
		webhook.WithRequestHook(noEnd), webhook.WithDeduper(dd),
		webhook.WithObserver(func(ctx context.Context, o webhook.Outcome) {
			record("observer")
			observed = append(observed, o)
			observerCtx = append(observerCtx, ctx.Value(hookKey("outer")))
		}))

	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set(webhook.HeaderName, signer.Sign(body))
	resp := httptest.NewRecorder()
	h.ServeHTTP(resp, req)

	require.Equal(t, http.StatusOK, resp.Code)
	assert.Equal(t, []string{"outer start", "inner start", "noEnd start", "fn", "inner end", "outer end", "observer"}, calls)
	assert.Equal(t, "outer", fetchCtx, "the key fetch runs in the hook's context")
	assert.Equal(t, "outer", fnCtx)
	assert.Equal(t, []any{"outer"}, dd.seen, "the deduper runs in the hook's context")
	assert.Equal(t, []any{"outer"}, observerCtx, "the observers get the hook's context")
	require.Len(t, observed, 1)
	require.Len(t, ends, 2)
	assert.Equal(t, observed[0], ends[0], "end gets the observers' Outcome")
	assert.Equal(t, observed[0], ends[1])
	assert.Equal(t, "356dbb28-7f98-44d1-8e6d-0cec580f3171", ends[0].LinkSessionID)
	assert.True(t, ends[0].KeyFetched)
	assert.Positive(t, ends[0].Duration)
}

// TestRequestHookRefusedRequests checks that end is called for requests refused before anything
// is read, with the status sent.
func TestRequestHookRefusedRequests(t *testing.T) {
	var got []webhook.Outcome
	h := webhook.NewHandler(webhook.NewVerifier(webhooktest.NewSigner()), nil, webhook.WithRequestHook(func(r *http.Request) (context.Context, func(webhook.Outcome)) {
		return r.Context(), func(o webhook.Outcome) { got = append(got, o) }
	}))
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		resp := httptest.NewRecorder()
		h.ServeHTTP(resp, httptest.NewRequest(method, "/", nil))
		require.Len(t, got, 1, method)
		assert.Equal(t, resp.Code, got[0].Status)
		assert.Equal(t, method, got[0].Method)
		got = nil
	}
}

// TestSlowHookEndDoesNotDelayTheAnswer holds a hook's end function until the client has its
// answer, over real HTTP, as TestSlowObserverDoesNotDelayTheAnswer does for observers.
func TestSlowHookEndDoesNotDelayTheAnswer(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "session_finished.json")
	answered := make(chan struct{}, 1)
	h := webhook.NewHandler(webhook.NewVerifier(signer), nil, webhook.WithRequestHook(func(r *http.Request) (context.Context, func(webhook.Outcome)) {
		return nil, func(webhook.Outcome) {
			select {
			case <-answered:
			case <-time.After(10 * time.Second):
				t.Error("the answer waited for the hook's end")
			}
		}
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set(webhook.HeaderName, signer.Sign(body))
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	_, err = io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	answered <- struct{}{}
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}
