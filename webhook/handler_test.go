package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

func TestHandler(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "session_finished.json")
	unknownBody := []byte(`{"webhook_type":"ITEM","webhook_code":"NEW_ACCOUNTS_AVAILABLE","item_id":"x"}`)
	notJSON := []byte(`webhook_type=LINK`)

	type call struct{ ev webhook.Event }
	tests := []struct {
		name       string
		method     string
		body       []byte
		header     string
		fnErr      error
		opts       []webhook.HandlerOption
		wantStatus int
		wantEvent  webhook.Event
	}{
		{name: "verified SESSION_FINISHED", method: http.MethodPost, body: body, header: signer.Sign(body), wantStatus: http.StatusOK,
			wantEvent: &webhook.SessionFinished{WebhookType: "LINK", WebhookCode: "SESSION_FINISHED", Status: webhook.SessionStatusSuccess,
				LinkSessionID: "356dbb28-7f98-44d1-8e6d-0cec580f3171", LinkToken: "link-sandbox-af1a0311-da53-4636-b754-dd15cc058176",
				PublicTokens: []string{"public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d"}, Environment: webhook.EnvironmentSandbox}},
		{name: "unknown webhook is acknowledged", method: http.MethodPost, body: unknownBody, header: signer.Sign(unknownBody), wantStatus: http.StatusOK,
			wantEvent: &webhook.Unknown{WebhookType: "ITEM", WebhookCode: "NEW_ACCOUNTS_AVAILABLE", Raw: unknownBody}},
		{name: "GET", method: http.MethodGet, wantStatus: http.StatusMethodNotAllowed},
		{name: "PUT", method: http.MethodPut, body: body, header: signer.Sign(body), wantStatus: http.StatusMethodNotAllowed},
		{name: "too large", method: http.MethodPost, body: body, header: signer.Sign(body), opts: []webhook.HandlerOption{webhook.WithMaxBodySize(100)},
			wantStatus: http.StatusRequestEntityTooLarge},
		{name: "no header", method: http.MethodPost, body: body, wantStatus: http.StatusUnauthorized},
		{name: "stale", method: http.MethodPost, body: body, header: signer.SignAt(body, time.Now().Add(-time.Hour)), wantStatus: http.StatusUnauthorized},
		{name: "another body's header", method: http.MethodPost, body: body, header: signer.Sign(unknownBody), wantStatus: http.StatusUnauthorized},
		{name: "signed but not JSON", method: http.MethodPost, body: notJSON, header: signer.Sign(notJSON), wantStatus: http.StatusBadRequest},
		{name: "fn fails", method: http.MethodPost, body: body, header: signer.Sign(body), fnErr: errors.New("db down"), wantStatus: http.StatusInternalServerError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls []call
			h := webhook.NewHandler(webhook.NewVerifier(signer), func(_ context.Context, ev webhook.Event) error {
				calls = append(calls, call{ev})
				return tc.fnErr
			}, tc.opts...)
			req := httptest.NewRequest(tc.method, "/plaid/webhook", bytes.NewReader(tc.body))
			if tc.header != "" {
				req.Header.Set(webhook.HeaderName, tc.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.Equal(t, tc.wantStatus, rec.Code)
			switch tc.wantStatus {
			case http.StatusOK:
				require.Len(t, calls, 1)
				assert.Equal(t, tc.wantEvent, calls[0].ev)
			case http.StatusMethodNotAllowed:
				assert.Equal(t, http.MethodPost, rec.Header().Get("Allow"))
				assert.Empty(t, calls)
			case http.StatusInternalServerError:
				assert.Len(t, calls, 1)
			default:
				assert.Empty(t, calls)
			}
			if tc.wantStatus != http.StatusOK {
				assert.Equal(t, strconv.Itoa(tc.wantStatus)+" "+http.StatusText(tc.wantStatus)+"\n", rec.Body.String())
			}
		})
	}
}

// chunked hides a reader's length, as a chunked request body does.
type chunked struct{ io.Reader }

func TestHandlerBodyLimits(t *testing.T) {
	signer := webhooktest.NewSigner()
	v := webhook.NewVerifier(signer)
	ok := func(context.Context, webhook.Event) error { return nil }
	body := append(sample(t, "item_add_result.json"), bytes.Repeat([]byte(" "), 200)...)
	limit := webhook.WithMaxBodySize(int64(len(body)))

	tests := []struct {
		name          string
		body          io.Reader
		contentLength int64
		opts          []webhook.HandlerOption
		want          int
	}{
		{"exactly the limit", bytes.NewReader(body), int64(len(body)), []webhook.HandlerOption{limit}, http.StatusOK},
		{"one byte over, by Content-Length", bytes.NewReader(append(bytes.Clone(body), ' ')), int64(len(body) + 1), []webhook.HandlerOption{limit}, http.StatusRequestEntityTooLarge},
		{"unknown length within the limit", chunked{bytes.NewReader(body)}, -1, []webhook.HandlerOption{limit}, http.StatusOK},
		{"unknown length over the limit", chunked{bytes.NewReader(append(bytes.Clone(body), ' '))}, -1, []webhook.HandlerOption{limit}, http.StatusRequestEntityTooLarge},
		{"Content-Length shorter than the body", bytes.NewReader(body), int64(len(body) - 1), nil, http.StatusBadRequest},
		{"Content-Length longer than the body", bytes.NewReader(body), int64(len(body) + 1), nil, http.StatusBadRequest},
		{"default limit is 1 MiB", bytes.NewReader(make([]byte, 1<<20+1)), 1<<20 + 1, nil, http.StatusRequestEntityTooLarge},
		{"non-positive limit keeps the default", bytes.NewReader(body), int64(len(body)), []webhook.HandlerOption{webhook.WithMaxBodySize(0), nil}, http.StatusOK},
		{"empty body", http.NoBody, 0, nil, http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/", tc.body)
			req.ContentLength = tc.contentLength
			req.Header.Set(webhook.HeaderName, signer.Sign(body))
			rec := httptest.NewRecorder()
			webhook.NewHandler(v, ok, tc.opts...).ServeHTTP(rec, req)
			assert.Equal(t, tc.want, rec.Code)
		})
	}
}

func TestHandlerOverRealHTTP(t *testing.T) {
	signer := webhooktest.NewSigner()
	var got webhook.Event
	srv := httptest.NewServer(webhook.NewHandler(webhook.NewVerifier(signer), func(_ context.Context, ev webhook.Event) error {
		got = ev
		return nil
	}, webhook.WithMaxBodySize(4096)))
	defer srv.Close()

	body := sample(t, "events.json")
	req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set(webhook.HeaderName, signer.Sign(body))
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.IsType(t, &webhook.Events{}, got)
	assert.Len(t, got.(*webhook.Events).Events, 11)

	// Signed, so that the header passes and the body is read, through the limit.
	big := bytes.Repeat([]byte("x"), 8192)
	req, err = http.NewRequest(http.MethodPost, srv.URL, chunked{bytes.NewReader(big)})
	require.NoError(t, err)
	req.Header.Set(webhook.HeaderName, signer.Sign(big))
	resp, err = srv.Client().Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
}

func TestHandlerNilVerifierAndFn(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "item_add_result.json")
	send := func(h http.Handler) int {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set(webhook.HeaderName, signer.Sign(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	// A server without a usable Verifier is misconfigured, not sent a forgery: 500, so that Plaid
	// delivers the webhook again once it is fixed.
	assert.Equal(t, http.StatusInternalServerError, send(webhook.NewHandler(nil, nil)))
	assert.Equal(t, http.StatusInternalServerError, send(webhook.NewHandler(webhook.NewVerifier(nil), nil)))
	assert.Equal(t, http.StatusOK, send(webhook.NewHandler(webhook.NewVerifier(signer), nil)))
}

// TestHandlerKeyFetchFailures checks that a key Plaid cannot serve now gets 503, which Plaid
// retries, so a genuine webhook is delivered again once Plaid's key endpoint recovers, while a kid
// Plaid refuses still gets 401.
func TestHandlerKeyFetchFailures(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "session_finished.json")
	header := signer.Sign(body)
	tests := []struct {
		name string
		err  error // from the KeyFetcher, on its first call only
		want int
	}{
		{"Plaid answers 503", &link.Error{ErrorType: link.ErrorTypeAPIError, ErrorCode: "INTERNAL_SERVER_ERROR", HTTPStatus: 503}, http.StatusServiceUnavailable},
		{"Plaid answers 429", &link.Error{ErrorType: link.ErrorTypeRateLimitExceeded, ErrorCode: "RATE_LIMIT", HTTPStatus: 429}, http.StatusServiceUnavailable},
		{"fetch timeout", context.DeadlineExceeded, http.StatusServiceUnavailable},
		{"transport error", errors.New("dial tcp: connection refused"), http.StatusServiceUnavailable},
		{"Plaid refuses the kid", &link.Error{ErrorType: link.ErrorTypeInvalidInput, ErrorCode: "INVALID_WEBHOOK_VERIFICATION_KEY_ID", HTTPStatus: 400}, http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls int
			f := fetcherFunc(func(ctx context.Context, req *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
				calls++
				if calls == 1 {
					return nil, tc.err
				}
				return signer.GetWebhookVerificationKey(ctx, req)
			})
			var logs bytes.Buffer
			var events int
			h := webhook.NewHandler(webhook.NewVerifier(f), func(context.Context, webhook.Event) error {
				events++
				return nil
			}, webhook.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
			send := func() *httptest.ResponseRecorder {
				req := httptest.NewRequest(http.MethodPost, "/plaid/webhook", bytes.NewReader(body))
				req.Header.Set(webhook.HeaderName, header)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec
			}

			rec := send()
			assert.Equal(t, tc.want, rec.Code)
			assert.Equal(t, strconv.Itoa(tc.want)+" "+http.StatusText(tc.want)+"\n", rec.Body.String())
			assert.Zero(t, events, "an unverified webhook never reaches fn")
			assert.Contains(t, logs.String(), `"status":`+strconv.Itoa(tc.want))
			if tc.want == http.StatusServiceUnavailable {
				assert.Contains(t, logs.String(), webhook.ErrKeyUnavailable.Error())
				// Plaid's redelivery fetches the key again, as the failure was not remembered.
				assert.Equal(t, http.StatusOK, send().Code)
				assert.Equal(t, 1, events)
			} else {
				assert.Contains(t, logs.String(), webhook.ErrUnknownKey.Error())
				// The refusal is remembered: the same kid is refused without asking Plaid again.
				assert.Equal(t, http.StatusUnauthorized, send().Code)
				assert.Equal(t, 1, calls)
			}
		})
	}

	t.Run("request ends while waiting for the key", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		f := fetcherFunc(func(ctx context.Context, req *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
			<-release
			return signer.GetWebhookVerificationKey(ctx, req)
		})
		h := webhook.NewHandler(webhook.NewVerifier(f), nil)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/plaid/webhook", bytes.NewReader(body))
		req.Header.Set(webhook.HeaderName, header)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	})
}

func TestHandlerLogsReasonsOnly(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "session_finished.json")
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := webhook.NewHandler(webhook.NewVerifier(signer), func(_ context.Context, ev webhook.Event) error {
		return errors.New("failed on " + ev.(*webhook.SessionFinished).PublicTokens[0])
	}, webhook.WithLogger(logger), webhook.WithMaxBodySize(int64(len(body))))

	var headers []string
	send := func(method string, body []byte, header string) int {
		headers = append(headers, header)
		req := httptest.NewRequest(method, "/", bytes.NewReader(body))
		req.Header.Set(webhook.HeaderName, header)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	stale := signer.SignAt(body, time.Now().Add(-time.Hour))
	assert.Equal(t, http.StatusUnauthorized, send(http.MethodPost, body, stale))
	assert.Equal(t, http.StatusUnauthorized, send(http.MethodPost, body, signer.Sign(body[1:])))
	assert.Equal(t, http.StatusUnauthorized, send(http.MethodPost, body, "not-a-jwt-"+string(body[:20])))
	assert.Equal(t, http.StatusInternalServerError, send(http.MethodPost, body, signer.Sign(body)))
	bad := []byte(`{"webhook_type":"LINK","webhook_code":"EVENTS","events":"public-sandbox-secret"}`)
	assert.Equal(t, http.StatusBadRequest, send(http.MethodPost, bad, signer.Sign(bad)))
	assert.Equal(t, http.StatusRequestEntityTooLarge, send(http.MethodPost, append(bytes.Clone(body), ' '), signer.Sign(body)))
	assert.Equal(t, http.StatusMethodNotAllowed, send(http.MethodDelete, body, signer.Sign(body)))

	out := logs.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 7)
	for _, want := range []string{
		webhook.ErrTooOld.Error(), webhook.ErrBodyMismatch.Error(), webhook.ErrMalformedHeader.Error(),
		"webhook: handler function returned an error", webhook.ErrInvalidPayload.Error(), `"status":413`, `"status":405`,
	} {
		assert.Contains(t, out, want)
	}
	// The verified webhook is identified by its link_session_id, which is no credential.
	assert.Contains(t, lines[3], `"level":"ERROR"`)
	assert.Contains(t, lines[3], `"link_session_id":"356dbb28-7f98-44d1-8e6d-0cec580f3171"`)
	assert.Contains(t, lines[3], `"code":"SESSION_FINISHED"`)
	assert.Contains(t, lines[3], `"kid":"`+signer.KeyID()+`"`)
	for _, secret := range []string{"public-sandbox", "link-sandbox", "SUCCESS", "db down", string(body[:20])} {
		assert.NotContains(t, out, secret)
	}
	for _, hdr := range headers {
		for _, part := range strings.Split(hdr, ".") {
			if len(part) > 8 {
				assert.NotContains(t, out, part, "no part of the JWT is logged")
			}
		}
	}
}

// TestHandlerBodyMemoryFollowsBytesReceived sends requests that announce a 1 MiB Content-Length
// and send 10 bytes: the buffer must follow the bytes that arrive, not the length announced, or
// a few slow connections cost a megabyte each.
func TestHandlerBodyMemoryFollowsBytesReceived(t *testing.T) {
	signer := webhooktest.NewSigner()
	h := webhook.NewHandler(webhook.NewVerifier(signer), func(context.Context, webhook.Event) error { return nil })
	short := []byte(`{"webhook`)
	header := signer.Sign(short)
	send := func() int {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(short))
		req.ContentLength = 1 << 20
		req.Header.Set(webhook.HeaderName, header)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	require.Equal(t, http.StatusBadRequest, send(), "a body shorter than its Content-Length")
	const n = 5
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range n {
		assert.Equal(t, http.StatusBadRequest, send())
	}
	runtime.ReadMemStats(&after)
	assert.Less(t, (after.TotalAlloc-before.TotalAlloc)/n, uint64(256<<10), "bytes per request")
}

// TestHandlerBodySizesAroundFirstRead sends bodies around the 64 KiB the handler reads before
// trusting Content-Length, exact, one byte short, and one byte long.
func TestHandlerBodySizesAroundFirstRead(t *testing.T) {
	signer := webhooktest.NewSigner()
	h := webhook.NewHandler(webhook.NewVerifier(signer), func(context.Context, webhook.Event) error { return nil })
	for _, size := range []int{64<<10 - 1, 64 << 10, 64<<10 + 1, 64<<10 + 2, 3 << 17} {
		prefix, suffix := `{"webhook_type":"ITEM","webhook_code":"NEW","pad":"`, `"}`
		body := []byte(prefix + strings.Repeat("x", size-len(prefix)-len(suffix)) + suffix)
		require.Len(t, body, size)
		header := signer.Sign(body)
		for _, tc := range []struct {
			contentLength int
			want          int
		}{
			{size, http.StatusOK},
			{size - 1, http.StatusBadRequest}, // longer than it claimed
			{size + 1, http.StatusBadRequest}, // shorter than it claimed
		} {
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			req.ContentLength = int64(tc.contentLength)
			req.Header.Set(webhook.HeaderName, header)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.Equal(t, tc.want, rec.Code, "body %d bytes, Content-Length %d", size, tc.contentLength)
		}
	}
}
