package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
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

// stateDeduper is a Deduper whose store always finds its keys in one state, as when another
// instance holds them (ClaimInFlight) or processed them (ClaimDone).
type stateDeduper struct{ state webhook.ClaimState }

func (d stateDeduper) Claim(context.Context, string, string, time.Duration) (webhook.ClaimState, error) {
	return d.state, nil
}
func (stateDeduper) Done(context.Context, string, time.Duration) error { return nil }
func (stateDeduper) Release(context.Context, string, string) error     { return nil }

// TestObserverOutcomes sends one request down each path of the handler and checks what the
// observer is told: once per request, with the status sent, the sentinel reason, and what was
// known of the webhook; never a token, the JWT, the body or a store's error.
func TestObserverOutcomes(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "item_add_result.json")
	const session = "356dbb28-7f98-44d1-8e6d-0cec580f3171"
	const publicToken = "public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d"
	require.Contains(t, string(body), session)
	require.Contains(t, string(body), publicToken)
	unknown := []byte(`{"webhook_type":"ITEM","webhook_code":"NEW_ACCOUNTS_AVAILABLE","item_id":"x"}`)
	f := newForger(t)
	kid := signer.KeyID()
	verified := func(o webhook.Outcome) webhook.Outcome {
		o.WebhookType, o.WebhookCode, o.LinkSessionID, o.KeyID, o.KeyFetched = "LINK", "ITEM_ADD_RESULT", session, kid, true
		return o
	}
	// failingKeys is Plaid's key endpoint answering err.
	failingKeys := func(err error) func(*testing.T) *webhook.Verifier {
		return func(*testing.T) *webhook.Verifier {
			return webhook.NewVerifier(fetcherFunc(func(context.Context, *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
				return nil, err
			}))
		}
	}
	// hungKeys is Plaid's key endpoint not answering until the test ends.
	hungKeys := func(t *testing.T) *webhook.Verifier {
		hung := make(chan struct{})
		t.Cleanup(func() { close(hung) })
		return webhook.NewVerifier(fetcherFunc(func(context.Context, *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
			<-hung
			return nil, context.Canceled
		}))
	}
	gone, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name     string
		method   string
		body     []byte
		header   string
		length   int64 // Content-Length if not len(body)
		ctx      context.Context
		verifier func(*testing.T) *webhook.Verifier // a verifier on signer if nil
		fn       func(context.Context, webhook.Event) error
		opts     []webhook.HandlerOption
		want     webhook.Outcome
	}{
		// 200
		{name: "processed", body: body, header: signer.Sign(body),
			want: verified(webhook.Outcome{Status: 200})},
		{name: "an ITEM webhook has no session, and names its Item", body: unknown, header: signer.Sign(unknown),
			want: webhook.Outcome{Status: 200, WebhookType: "ITEM", WebhookCode: "NEW_ACCOUNTS_AVAILABLE", ItemID: "x", KeyID: kid, KeyFetched: true}},
		{name: "key cached already", body: body, header: signer.Sign(body),
			verifier: func(t *testing.T) *webhook.Verifier {
				v := webhook.NewVerifier(signer)
				require.NoError(t, v.Verify(context.Background(), signer.Sign(body), body))
				return v
			},
			want: webhook.Outcome{Status: 200, WebhookType: "LINK", WebhookCode: "ITEM_ADD_RESULT", LinkSessionID: session, KeyID: kid}},
		{name: "fn says permanent", body: body, header: signer.Sign(body),
			fn: func(context.Context, webhook.Event) error {
				return fmt.Errorf("unknown user: %w", webhook.ErrPermanent)
			},
			want: verified(webhook.Outcome{Status: 200, Reason: webhook.ErrPermanent, Dropped: true})},
		{name: "duplicate of a processed webhook", body: body, header: signer.Sign(body),
			opts: []webhook.HandlerOption{webhook.WithDeduper(stateDeduper{webhook.ClaimDone})},
			fn: func(context.Context, webhook.Event) error {
				t.Error("fn ran for a duplicate")
				return nil
			},
			want: verified(webhook.Outcome{Status: 200, Duplicate: true})},
		// 500
		{name: "fn fails", body: body, header: signer.Sign(body),
			fn:   func(context.Context, webhook.Event) error { return errors.New("exchange " + publicToken + " failed") },
			want: verified(webhook.Outcome{Status: 500, Reason: webhook.ErrFuncFailed})},
		{name: "fn panics", body: body, header: signer.Sign(body),
			fn:   func(_ context.Context, ev webhook.Event) error { panic(ev.(*webhook.ItemAddResult).PublicToken) },
			want: verified(webhook.Outcome{Status: 500, Reason: webhook.ErrFuncPanicked})},
		{name: "no verifier", body: body, header: signer.Sign(body), verifier: func(*testing.T) *webhook.Verifier { return nil },
			want: webhook.Outcome{Status: 500, Reason: webhook.ErrNoVerifier}},
		{name: "our Plaid secret is wrong", body: body, header: signer.Sign(body),
			verifier: failingKeys(&link.Error{ErrorType: link.ErrorTypeInvalidInput, ErrorCode: link.ErrorCodeInvalidAPIKeys, HTTPStatus: 400}),
			want:     webhook.Outcome{Status: 500, Reason: webhook.ErrKeyFetchMisconfigured, KeyID: kid, KeyFetched: true}},
		{name: "key endpoint answers 403", body: body, header: signer.Sign(body),
			verifier: failingKeys(&link.Error{HTTPStatus: 403, RawBody: "Forbidden"}),
			want:     webhook.Outcome{Status: 500, Reason: webhook.ErrKeyFetchMisconfigured, KeyID: kid, KeyFetched: true}},
		// 503
		{name: "key endpoint fails", body: body, header: signer.Sign(body),
			verifier: failingKeys(&link.Error{ErrorType: link.ErrorTypeAPIError, ErrorCode: link.ErrorCodeInternalServerError, HTTPStatus: 500}),
			want:     webhook.Outcome{Status: 503, Reason: webhook.ErrKeyUnavailable, KeyID: kid, KeyFetched: true}},
		{name: "key fetch rate limit reached", body: body, header: signer.Sign(body),
			verifier: func(t *testing.T) *webhook.Verifier {
				v := webhook.NewVerifier(signer, webhook.WithKeyFetchLimit(time.Hour, 1))
				// A made-up kid takes the bucket's one token.
				require.ErrorIs(t, v.Verify(context.Background(), f.header("made-up", body, time.Now()), body), webhook.ErrUnknownKey)
				return v
			},
			want: webhook.Outcome{Status: 503, Reason: webhook.ErrKeyRateLimited, KeyID: kid}},
		{name: "client gone while waiting for the key", body: body, header: signer.Sign(body), ctx: gone, verifier: hungKeys,
			want: webhook.Outcome{Status: 503, Reason: webhook.ErrKeyUnavailable, KeyID: kid, KeyFetched: true}},
		{name: "in flight elsewhere", body: body, header: signer.Sign(body),
			opts: []webhook.HandlerOption{webhook.WithDeduper(stateDeduper{webhook.ClaimInFlight})},
			want: verified(webhook.Outcome{Status: 503, Reason: webhook.ErrInFlight})},
		{name: "deduper store down", body: body, header: signer.Sign(body), opts: []webhook.HandlerOption{webhook.WithDeduper(brokenStore{})},
			want: verified(webhook.Outcome{Status: 503, Reason: webhook.ErrDedupeUnavailable})},
		{name: "a nil *MemoryDeduper", body: body, header: signer.Sign(body), opts: []webhook.HandlerOption{webhook.WithDeduper((*webhook.MemoryDeduper)(nil))},
			want: verified(webhook.Outcome{Status: 503, Reason: webhook.ErrDedupeUnavailable})},
		// 401
		{name: "forged", body: body, header: f.header(kid, body, time.Now()),
			want: webhook.Outcome{Status: 401, Reason: webhook.ErrInvalidSignature, KeyID: kid, KeyFetched: true}},
		{name: "made-up kid", body: body, header: f.header("made-up-kid", body, time.Now()),
			want: webhook.Outcome{Status: 401, Reason: webhook.ErrUnknownKey, KeyID: "made-up-kid", KeyFetched: true}},
		{name: "made-up kid refused already", body: body, header: f.header("made-up-kid", body, time.Now()),
			verifier: func(t *testing.T) *webhook.Verifier {
				v := webhook.NewVerifier(signer)
				require.ErrorIs(t, v.Verify(context.Background(), f.header("made-up-kid", body, time.Now()), body), webhook.ErrUnknownKey)
				return v
			},
			want: webhook.Outcome{Status: 401, Reason: webhook.ErrUnknownKey, KeyID: "made-up-kid"}},
		{name: "no header", body: body,
			want: webhook.Outcome{Status: 401, Reason: webhook.ErrMissingHeader}},
		{name: "garbage header", body: body, header: "garbage." + publicToken,
			want: webhook.Outcome{Status: 401, Reason: webhook.ErrMalformedHeader}},
		{name: "replayed too late", body: body, header: signer.SignAt(body, time.Now().Add(-time.Hour)),
			want: webhook.Outcome{Status: 401, Reason: webhook.ErrTooOld, KeyID: kid, KeyFetched: true}},
		{name: "altered body", body: bytes.Replace(body, []byte("b0e2"), []byte("0000"), 1), header: signer.Sign(body),
			want: webhook.Outcome{Status: 401, Reason: webhook.ErrBodyMismatch, KeyID: kid, KeyFetched: true}},
		// 400
		{name: "signed but not a webhook", body: []byte(`[1]`), header: signer.Sign([]byte(`[1]`)),
			want: webhook.Outcome{Status: 400, Reason: webhook.ErrInvalidPayload, KeyID: kid, KeyFetched: true}},
		{name: "body shorter than its Content-Length", body: body, header: signer.Sign(body), length: int64(len(body)) + 100,
			want: webhook.Outcome{Status: 400, Reason: webhook.ErrBodyIncomplete, KeyID: kid, KeyFetched: true}},
		// 413, 405
		{name: "too large", body: body, header: signer.Sign(body), opts: []webhook.HandlerOption{webhook.WithMaxBodySize(10)},
			want: webhook.Outcome{Status: 413, Reason: webhook.ErrBodyTooLarge}},
		{name: "too large, no Content-Length", body: body, header: signer.Sign(body), length: -1,
			opts: []webhook.HandlerOption{webhook.WithMaxBodySize(10)},
			want: webhook.Outcome{Status: 413, Reason: webhook.ErrBodyTooLarge, KeyID: kid, KeyFetched: true}},
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
			v := webhook.NewVerifier(signer)
			if tc.verifier != nil {
				v = tc.verifier(t)
			}
			h := webhook.NewHandler(v, fn, append(tc.opts, webhook.WithObserver(rec.observe))...)
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			req := httptest.NewRequestWithContext(ctx, method, "/plaid/webhook", bytes.NewReader(tc.body))
			if tc.length != 0 {
				req.ContentLength = tc.length
			}
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
			if o.Reason != nil {
				assert.Contains(t, slices.Collect(maps.Values(outcomeReasons)), o.Reason, "one of the documented sentinels, comparable with ==")
			}
			printed := fmt.Sprintf("%+v %v %s", o, o.Reason, resp.Body.String())
			for _, secret := range []string{publicToken, "link-sandbox-", "10.0.0.7", tc.header, string(tc.body)} {
				if secret != "" {
					assert.NotContains(t, printed, secret)
				}
			}
		})
	}
}

// outcomeReasons are the reasons Outcome.Reason documents, by the names the README's status
// table gives them.
var outcomeReasons = map[string]error{
	"ErrMethodNotAllowed": webhook.ErrMethodNotAllowed, "ErrBodyTooLarge": webhook.ErrBodyTooLarge,
	"ErrBodyIncomplete": webhook.ErrBodyIncomplete, "ErrInvalidPayload": webhook.ErrInvalidPayload,
	"ErrFuncFailed": webhook.ErrFuncFailed, "ErrFuncPanicked": webhook.ErrFuncPanicked,
	"ErrPermanent": webhook.ErrPermanent, "ErrInFlight": webhook.ErrInFlight,
	"ErrDedupeUnavailable": webhook.ErrDedupeUnavailable, "ErrNoVerifier": webhook.ErrNoVerifier,
	"ErrMissingHeader": webhook.ErrMissingHeader, "ErrMalformedHeader": webhook.ErrMalformedHeader,
	"ErrUnsupportedAlgorithm": webhook.ErrUnsupportedAlgorithm, "ErrInvalidKeyID": webhook.ErrInvalidKeyID,
	"ErrKeyUnavailable": webhook.ErrKeyUnavailable, "ErrKeyRateLimited": webhook.ErrKeyRateLimited,
	"ErrKeyFetchMisconfigured": webhook.ErrKeyFetchMisconfigured, "ErrUnknownKey": webhook.ErrUnknownKey,
	"ErrKeyExpired": webhook.ErrKeyExpired, "ErrInvalidKey": webhook.ErrInvalidKey,
	"ErrInvalidSignature": webhook.ErrInvalidSignature, "ErrMissingIssuedAt": webhook.ErrMissingIssuedAt,
	"ErrTooOld": webhook.ErrTooOld, "ErrIssuedInFuture": webhook.ErrIssuedInFuture,
	"ErrBodyMismatch": webhook.ErrBodyMismatch,
}

// TestObserverClientGone hangs up over real TCP at each point a client can: while sending the
// body, while the key is fetched, and while fn runs. The observer hears of each request once,
// with what the handler did.
func TestObserverClientGone(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "item_add_result.json")
	tests := []struct {
		name string
		body []byte
		// sent is how much of body the client sends before it hangs up.
		sent int
		// hangFetch makes the key endpoint answer only once the test ends. The fetch timeout is
		// then a minute, so that only the client hanging up can end the wait: net/http notices
		// it once the body has been read, here at once as there is none.
		hangFetch bool
		// fnHangs makes fn wait for the request's context to end.
		fnHangs bool
		want    webhook.Outcome
	}{
		{name: "while sending the body", body: body, sent: len(body) / 2,
			want: webhook.Outcome{Status: 400, Reason: webhook.ErrBodyIncomplete, KeyID: signer.KeyID(), KeyFetched: true}},
		{name: "while the key is fetched", body: []byte{}, hangFetch: true,
			want: webhook.Outcome{Status: 503, Reason: webhook.ErrKeyUnavailable, KeyID: signer.KeyID(), KeyFetched: true}},
		{name: "while fn runs", body: body, sent: len(body), fnHangs: true,
			want: webhook.Outcome{Status: 200, WebhookType: "LINK", WebhookCode: "ITEM_ADD_RESULT",
				LinkSessionID: "356dbb28-7f98-44d1-8e6d-0cec580f3171", KeyID: signer.KeyID(), KeyFetched: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fetching, unblock := make(chan struct{}), make(chan struct{})
			var once sync.Once
			keys := fetcherFunc(func(ctx context.Context, req *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
				if tc.hangFetch {
					once.Do(func() { close(fetching) })
					<-unblock
				}
				return signer.GetWebhookVerificationKey(ctx, req)
			})
			defer close(unblock)
			inFn := make(chan struct{})
			outcomes := make(chan webhook.Outcome, 4)
			h := webhook.NewHandler(webhook.NewVerifier(keys, webhook.WithFetchTimeout(time.Minute)), func(ctx context.Context, _ webhook.Event) error {
				if tc.fnHangs {
					close(inFn)
					<-ctx.Done()
				}
				return nil
			}, webhook.WithObserver(func(_ context.Context, o webhook.Outcome) { outcomes <- o }))
			srv := httptest.NewServer(h)
			defer srv.Close()

			c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
			require.NoError(t, err)
			head := "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(len(tc.body)) + "\r\n" +
				webhook.HeaderName + ": " + signer.Sign(tc.body) + "\r\n\r\n"
			_, err = io.WriteString(c, head+string(tc.body[:tc.sent]))
			require.NoError(t, err)
			switch {
			case tc.hangFetch:
				<-fetching
			case tc.fnHangs:
				<-inFn
			}
			require.NoError(t, c.Close())

			select {
			case o := <-outcomes:
				o.Duration = 0
				tc.want.Method = http.MethodPost
				assert.Equal(t, tc.want, o)
			case <-time.After(10 * time.Second):
				t.Fatal("the observer was not called")
			}
			srv.Close() // waits for the handler to return
			assert.Empty(t, outcomes, "one outcome per request")
		})
	}
}

// TestSlowObserverDoesNotDelayTheAnswer holds the observer until the client has its answer, over
// real HTTP: the answer must go out before the observers run, or a slow log or metrics sink would
// hold it past Plaid's 10 s.
func TestSlowObserverDoesNotDelayTheAnswer(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "session_finished.json")
	answered := make(chan struct{}, 2)
	h := webhook.NewHandler(webhook.NewVerifier(signer), nil, webhook.WithObserver(func(context.Context, webhook.Outcome) {
		select {
		case <-answered:
		case <-time.After(10 * time.Second):
			t.Error("the answer waited for the observer")
		}
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, tc := range []struct {
		header string
		want   int
		body   string
	}{
		{signer.Sign(body), http.StatusOK, ""},
		{"", http.StatusUnauthorized, "401 Unauthorized\n"},
	} {
		req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set(webhook.HeaderName, tc.header)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		got, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		answered <- struct{}{}
		assert.Equal(t, tc.want, resp.StatusCode)
		assert.Equal(t, tc.body, string(got))
		assert.Equal(t, int64(len(tc.body)), resp.ContentLength, "a complete answer, not chunked")
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

	var answers, bodies []string
	post := func() int {
		req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set(webhook.HeaderName, signer.Sign(body))
		resp, err := srv.Client().Do(req)
		require.NoError(t, err, "the connection is not dropped")
		answer, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		answers = append(answers, fmt.Sprint(resp.Header)+string(answer))
		bodies = append(bodies, string(answer))
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusInternalServerError, post())
	assert.Equal(t, "500 Internal Server Error\n", bodies[0], "the answer is the status alone")
	assert.Equal(t, http.StatusOK, post(), "the redelivery runs fn again")
	assert.Equal(t, http.StatusOK, post(), "and then it is a duplicate")
	assert.Equal(t, int32(2), calls.Load())

	srv.Close() // waits for the handlers, which log after they have answered
	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, logs.String(), `"level":"ERROR","msg":"webhook refused","status":500,"method":"POST","reason":"webhook: handler function panicked"`)
	assert.Contains(t, logs.String(), `"msg":"webhook duplicate"`)
	assert.NotContains(t, logs.String(), publicToken)
	assert.NotContains(t, logs.String(), "cannot exchange")
	assert.NotContains(t, serverLog.String(), publicToken)
	for _, answer := range answers {
		assert.NotContains(t, answer, publicToken)
		assert.NotContains(t, answer, "cannot exchange")
	}
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
// the order given. WithLogger(nil) and WithObserver(nil) make NewHandler panic
// (TestHandlerOptionsRefuseBadValues).
func TestObserversAndLoggerTogether(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "events.json")
	var order []string
	var logs bytes.Buffer
	h := webhook.NewHandler(webhook.NewVerifier(signer), nil,
		webhook.WithObserver(func(context.Context, webhook.Outcome) { order = append(order, "first") }),
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
