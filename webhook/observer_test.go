package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

// recorder collects the outcomes an observer is given.
type recorder struct {
	mu       sync.Mutex
	outcomes []webhook.Outcome
}

func (r *recorder) observe(_ context.Context, o webhook.Outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outcomes = append(r.outcomes, o)
}

func (r *recorder) all() []webhook.Outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]webhook.Outcome(nil), r.outcomes...)
}

// brokenStore is a Deduper whose store is unreachable.
type brokenStore struct{}

var errStoreDown = errors.New("dial tcp 10.0.0.7:6379: connection refused, key ITEM_ADD_RESULT:public-sandbox-b0e2")

func (brokenStore) Claim(context.Context, string, string, time.Duration) (webhook.ClaimState, error) {
	return 0, errStoreDown
}
func (brokenStore) Done(context.Context, string, time.Duration) error { return errStoreDown }
func (brokenStore) Release(context.Context, string, string) error     { return errStoreDown }

// TestObserverOutcomes sends one request per outcome and checks what the observer is told: once
// per request, with the status sent, the sentinel reason, and what was known of the webhook.
func TestObserverOutcomes(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "item_add_result.json")
	const session = "356dbb28-7f98-44d1-8e6d-0cec580f3171"
	const publicToken = "public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d"
	require.Contains(t, string(body), session)
	require.Contains(t, string(body), publicToken)
	unknown := []byte(`{"webhook_type":"ITEM","webhook_code":"NEW_ACCOUNTS_AVAILABLE","item_id":"x"}`)
	f := newForger(t)

	tests := []struct {
		name   string
		method string
		body   []byte
		header string
		fn     func(context.Context, webhook.Event) error
		opts   []webhook.HandlerOption
		want   webhook.Outcome
	}{
		{name: "processed", body: body, header: signer.Sign(body),
			want: webhook.Outcome{Status: 200, WebhookType: "LINK", WebhookCode: "ITEM_ADD_RESULT", LinkSessionID: session, KeyID: signer.KeyID()}},
		{name: "an ITEM webhook has no session", body: unknown, header: signer.Sign(unknown),
			want: webhook.Outcome{Status: 200, WebhookType: "ITEM", WebhookCode: "NEW_ACCOUNTS_AVAILABLE", KeyID: signer.KeyID()}},
		{name: "fn fails", body: body, header: signer.Sign(body),
			fn:   func(context.Context, webhook.Event) error { return errors.New("exchange " + publicToken + " failed") },
			want: webhook.Outcome{Status: 500, Reason: webhook.ErrFuncFailed, WebhookType: "LINK", WebhookCode: "ITEM_ADD_RESULT", LinkSessionID: session, KeyID: signer.KeyID()}},
		{name: "fn panics", body: body, header: signer.Sign(body),
			fn:   func(_ context.Context, ev webhook.Event) error { panic(ev.(*webhook.ItemAddResult).PublicToken) },
			want: webhook.Outcome{Status: 500, Reason: webhook.ErrFuncPanicked, WebhookType: "LINK", WebhookCode: "ITEM_ADD_RESULT", LinkSessionID: session, KeyID: signer.KeyID()}},
		{name: "fn says permanent", body: body, header: signer.Sign(body),
			fn: func(context.Context, webhook.Event) error {
				return fmt.Errorf("unknown user: %w", webhook.ErrPermanent)
			},
			want: webhook.Outcome{Status: 200, Reason: webhook.ErrPermanent, Dropped: true, WebhookType: "LINK", WebhookCode: "ITEM_ADD_RESULT", LinkSessionID: session, KeyID: signer.KeyID()}},
		{name: "deduper store down", body: body, header: signer.Sign(body), opts: []webhook.HandlerOption{webhook.WithDeduper(brokenStore{})},
			want: webhook.Outcome{Status: 503, Reason: webhook.ErrDedupeUnavailable, WebhookType: "LINK", WebhookCode: "ITEM_ADD_RESULT", LinkSessionID: session, KeyID: signer.KeyID()}},
		{name: "forged", body: body, header: f.header(signer.KeyID(), body, time.Now()),
			want: webhook.Outcome{Status: 401, Reason: webhook.ErrInvalidSignature, KeyID: signer.KeyID()}},
		{name: "made-up kid", body: body, header: f.header("made-up-kid", body, time.Now()),
			want: webhook.Outcome{Status: 401, Reason: webhook.ErrUnknownKey, KeyID: "made-up-kid"}},
		{name: "no header", body: body,
			want: webhook.Outcome{Status: 401, Reason: webhook.ErrMissingHeader}},
		{name: "altered body", body: bytes.Replace(body, []byte("b0e2"), []byte("0000"), 1), header: signer.Sign(body),
			want: webhook.Outcome{Status: 401, Reason: webhook.ErrBodyMismatch, KeyID: signer.KeyID()}},
		{name: "signed but not a webhook", body: []byte(`[1]`), header: signer.Sign([]byte(`[1]`)),
			want: webhook.Outcome{Status: 400, Reason: webhook.ErrInvalidPayload, KeyID: signer.KeyID()}},
		{name: "too large", body: body, header: signer.Sign(body), opts: []webhook.HandlerOption{webhook.WithMaxBodySize(10)},
			want: webhook.Outcome{Status: 413, Reason: webhook.ErrBodyTooLarge}},
		{name: "GET", method: http.MethodGet,
			want: webhook.Outcome{Status: 405, Reason: webhook.ErrMethodNotAllowed}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			fn := tc.fn
			if fn == nil {
				fn = func(context.Context, webhook.Event) error { return nil }
			}
			h := webhook.NewHandler(webhook.NewVerifier(signer), fn, append(tc.opts, webhook.WithObserver(rec.observe))...)
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			req := httptest.NewRequest(method, "/plaid/webhook", bytes.NewReader(tc.body))
			if tc.header != "" {
				req.Header.Set(webhook.HeaderName, tc.header)
			}
			resp := httptest.NewRecorder()
			h.ServeHTTP(resp, req)

			got := rec.all()
			require.Len(t, got, 1, "one outcome per request")
			o := got[0]
			assert.Equal(t, resp.Code, o.Status, "the status sent")
			assert.Positive(t, o.Duration)
			o.Duration = 0
			tc.want.Method = method
			assert.Equal(t, tc.want, o)
			printed := fmt.Sprintf("%+v %v", o, o.Reason)
			for _, secret := range []string{publicToken, "link-sandbox-", "10.0.0.7", tc.header, string(tc.body)} {
				if secret != "" {
					assert.NotContains(t, printed, secret)
				}
			}
		})
	}
}

// TestHandlerRecoversPanics checks that a panic in fn is answered 500 over real HTTP, that
// neither net/http nor the logger sees the panic value, and that the deduper's claim is released
// so that Plaid's redelivery runs fn again.
func TestHandlerRecoversPanics(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "item_add_result.json")
	const publicToken = "public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d"
	var calls atomic.Int32
	var logs, serverLog bytes.Buffer
	var mu sync.Mutex
	h := webhook.NewHandler(webhook.NewVerifier(signer), func(_ context.Context, ev webhook.Event) error {
		if calls.Add(1) == 1 {
			panic("cannot exchange " + ev.(*webhook.ItemAddResult).PublicToken)
		}
		return nil
	}, webhook.WithDeduper(webhook.NewMemoryDeduper(100)), webhook.WithLogger(slog.New(slog.NewJSONHandler(&lockedWriter{mu: &mu, w: &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(&lockedWriter{mu: &mu, w: &serverLog}, "", 0)
	srv.Start()
	defer srv.Close()

	post := func() int {
		req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set(webhook.HeaderName, signer.Sign(body))
		resp, err := srv.Client().Do(req)
		require.NoError(t, err, "the connection is not dropped")
		require.NoError(t, resp.Body.Close())
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusInternalServerError, post())
	assert.Equal(t, http.StatusOK, post(), "the redelivery runs fn again")
	assert.Equal(t, http.StatusOK, post(), "and then it is a duplicate")
	assert.Equal(t, int32(2), calls.Load())

	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, logs.String(), `"level":"ERROR","msg":"webhook refused","status":500,"method":"POST","reason":"webhook: handler function panicked"`)
	assert.Contains(t, logs.String(), `"msg":"webhook duplicate"`)
	assert.NotContains(t, logs.String(), publicToken)
	assert.NotContains(t, serverLog.String(), publicToken)
	assert.Empty(t, serverLog.String(), "net/http saw no panic")
}

// lockedWriter serialises writes to w under mu, which the test also takes to read w.
type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestHandlerPermanentFailure checks that an error wrapping ErrPermanent is answered 200, so that
// Plaid stops delivering, and is logged as dropped, without fn's error text.
func TestHandlerPermanentFailure(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "session_finished.json")
	var logs bytes.Buffer
	h := webhook.NewHandler(webhook.NewVerifier(signer), func(context.Context, webhook.Event) error {
		return fmt.Errorf("no user for link token link-sandbox-af1a0311: %w", webhook.ErrPermanent)
	}, webhook.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set(webhook.HeaderName, signer.Sign(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, logs.String(), `level=WARN msg="webhook dropped" status=200 method=POST reason="webhook: permanent failure, not to be retried" type=LINK code=SESSION_FINISHED link_session_id=356dbb28-7f98-44d1-8e6d-0cec580f3171 kid=`+signer.KeyID()+` duration=`)
	assert.NotContains(t, logs.String(), "link-sandbox-af1a0311")
}

// TestObserverDeduplication checks Duplicate and the deduper's 503: a delivery arriving while fn
// runs for the same webhook elsewhere gets 503 with ErrInFlight; once fn succeeded, a redelivery
// gets 200 without fn and is reported as a duplicate.
func TestObserverDeduplication(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "session_finished.json")
	rec := &recorder{}
	entered, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	h := webhook.NewHandler(webhook.NewVerifier(signer), func(context.Context, webhook.Event) error {
		if calls.Add(1) == 1 {
			close(entered)
			<-release
		}
		return nil
	}, webhook.WithDeduper(webhook.NewMemoryDeduper(100)), webhook.WithObserver(rec.observe))
	send := func() int {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set(webhook.HeaderName, signer.Sign(body))
		resp := httptest.NewRecorder()
		h.ServeHTTP(resp, req)
		return resp.Code
	}
	first := make(chan int)
	go func() { first <- send() }()
	<-entered
	assert.Equal(t, http.StatusServiceUnavailable, send(), "in flight elsewhere")
	close(release)
	assert.Equal(t, http.StatusOK, <-first)
	assert.Equal(t, http.StatusOK, send(), "a processed webhook")
	assert.Equal(t, int32(1), calls.Load())

	got := rec.all()
	require.Len(t, got, 3)
	assert.Equal(t, webhook.ErrInFlight, got[0].Reason)
	assert.Equal(t, 503, got[0].Status)
	assert.False(t, got[1].Duplicate)
	assert.Nil(t, got[1].Reason)
	assert.True(t, got[2].Duplicate)
	assert.Nil(t, got[2].Reason)
	assert.Equal(t, "356dbb28-7f98-44d1-8e6d-0cec580f3171", got[2].LinkSessionID)
}

// TestObserversAndLoggerTogether checks that several observers each see every request once, in
// the order given, and that WithLogger(nil) and WithObserver(nil) are ignored.
func TestObserversAndLoggerTogether(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "events.json")
	var order []string
	var logs bytes.Buffer
	h := webhook.NewHandler(webhook.NewVerifier(signer), nil,
		webhook.WithObserver(func(context.Context, webhook.Outcome) { order = append(order, "first") }),
		webhook.WithLogger(nil), webhook.WithObserver(nil),
		webhook.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		webhook.WithObserver(func(context.Context, webhook.Outcome) { order = append(order, "second") }))
	for _, header := range []string{signer.Sign(body), ""} {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set(webhook.HeaderName, header)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	assert.Equal(t, []string{"first", "second", "first", "second"}, order)
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	require.Len(t, lines, 2)
	assert.Contains(t, lines[0], `level=DEBUG msg="webhook processed" status=200 method=POST type=LINK code=EVENTS link_session_id=`)
	assert.Contains(t, lines[1], `level=WARN msg="webhook refused" status=401 method=POST reason="webhook: missing Plaid-Verification header" duration=`)
}

// TestKeyFetchMisconfiguredIsNotRemembered checks through Verify that Plaid refusing this
// server's credentials is ErrKeyFetchMisconfigured, never ErrUnknownKey, and is not remembered.
func TestKeyFetchMisconfiguredIsNotRemembered(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "item_add_result.json")
	var calls atomic.Int32
	var refuse atomic.Bool
	refuse.Store(true)
	keys := fetcherFunc(func(ctx context.Context, req *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
		calls.Add(1)
		if refuse.Load() {
			return nil, &link.Error{ErrorType: link.ErrorTypeInvalidInput, ErrorCode: "INVALID_API_KEYS", HTTPStatus: 400,
				ErrorMessage: "invalid client_id or secret provided"}
		}
		return signer.GetWebhookVerificationKey(ctx, req)
	})
	v := webhook.NewVerifier(keys)
	err := v.Verify(context.Background(), signer.Sign(body), body)
	require.ErrorIs(t, err, webhook.ErrKeyFetchMisconfigured)
	for _, other := range allSentinels {
		if other != webhook.ErrKeyFetchMisconfigured {
			assert.NotErrorIs(t, err, other)
		}
	}
	require.ErrorIs(t, v.Verify(context.Background(), signer.Sign(body), body), webhook.ErrKeyFetchMisconfigured)
	assert.Equal(t, int32(2), calls.Load(), "asked again: not remembered")
	refuse.Store(false)
	require.NoError(t, v.Verify(context.Background(), signer.Sign(body), body), "fixed credentials verify at once")
}
