package webhook_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"runtime"
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

func TestHandler(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "session_finished.json")
	unknownBody := []byte(`{"webhook_type":"TRANSACTIONS","webhook_code":"SYNC_UPDATES_AVAILABLE","item_id":"x"}`)
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
			wantEvent: &webhook.Unknown{WebhookType: "TRANSACTIONS", WebhookCode: "SYNC_UPDATES_AVAILABLE", Raw: unknownBody}},
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
		// Refusals of this server's own credentials or configuration say nothing about the webhook.
		{"our secret is wrong", &link.Error{ErrorType: link.ErrorTypeInvalidInput, ErrorCode: "INVALID_API_KEYS", HTTPStatus: 400}, http.StatusInternalServerError},
		{"our configuration is wrong", &link.Error{ErrorType: link.ErrorTypeInvalidRequest, ErrorCode: "INVALID_CONFIGURATION", HTTPStatus: 400}, http.StatusInternalServerError},
		{"401 from a proxy", &link.Error{HTTPStatus: 401, RawBody: "Unauthorized"}, http.StatusInternalServerError},
		{"403", &link.Error{ErrorType: link.ErrorTypeInvalidRequest, ErrorCode: "FORBIDDEN", HTTPStatus: 403}, http.StatusInternalServerError},
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
			switch tc.want {
			case http.StatusServiceUnavailable, http.StatusInternalServerError:
				want := webhook.ErrKeyUnavailable
				if tc.want == http.StatusInternalServerError {
					want = webhook.ErrKeyFetchMisconfigured
				}
				assert.Contains(t, logs.String(), `"reason":"`+want.Error()+`"`)
				// Plaid's redelivery fetches the key again, as the failure was not remembered.
				assert.Equal(t, http.StatusOK, send().Code)
				assert.Equal(t, 1, events)
				assert.Equal(t, 2, calls)
			default:
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

// countingBody is a request body that counts the bytes the handler reads from it.
type countingBody struct {
	r    io.Reader
	read atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read.Add(int64(n))
	return n, err
}

// forger signs JWTs the way Plaid does, but with a key of its own: what an attacker who knows the
// format can send.
type forger struct {
	t   testing.TB
	key *ecdsa.PrivateKey
}

func newForger(t testing.TB) *forger {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return &forger{t: t, key: k}
}

// header returns a well-formed ES256 header naming kid, with true claims for body issued at iat.
func (f *forger) header(kid string, body []byte, iat time.Time) string {
	return compact(f.t, map[string]any{"alg": "ES256", "kid": kid, "typ": "JWT"}, claimsFor(body, iat), es256(f.t, f.key))
}

// TestHandlerUnauthenticatedRequestCost sends requests that announce a 1 MiB body and carry a
// header that is not authentic: each is refused without a byte of its body being read, and costs
// a few kilobytes of heap, not the megabyte announced.
func TestHandlerUnauthenticatedRequestCost(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "session_finished.json")
	h := webhook.NewHandler(webhook.NewVerifier(signer), func(context.Context, webhook.Event) error { return nil })
	sent := make([]byte, 64<<10) // what each client sends before stalling
	send := func(header string) (int, int64) {
		b := &countingBody{r: bytes.NewReader(sent)}
		req := httptest.NewRequest(http.MethodPost, "/", b)
		req.ContentLength = 1 << 20
		if header != "" {
			req.Header.Set(webhook.HeaderName, header)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, b.read.Load()
	}
	// The genuine key is cached, as on a running server.
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set(webhook.HeaderName, signer.Sign(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)

	f := newForger(t)
	headers := []struct {
		name   string
		header string
		want   int
	}{
		{"none", "", http.StatusUnauthorized},
		{"garbage", "garbage-" + strings.Repeat("A", 4000), http.StatusUnauthorized},
		{"alg none", compact(t, map[string]any{"alg": "none", "kid": signer.KeyID()}, claimsFor(body, time.Now()), func([]byte) []byte { return nil }), http.StatusUnauthorized},
		{"Plaid's kid, another key", f.header(signer.KeyID(), body, time.Now()), http.StatusUnauthorized},
		{"replayed too late", signer.SignAt(body, time.Now().Add(-time.Hour)), http.StatusUnauthorized},
		// Made-up kids are fetched up to the rate limit, then turned away at once.
		{"made-up kid", "", 0},
	}
	const rounds = 20
	madeUp := make([]string, rounds)
	for i := range madeUp {
		madeUp[i] = f.header(fmt.Sprintf("made-up-%d", i), body, time.Now())
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n := 0
	for i := range rounds {
		for _, hc := range headers {
			header := hc.header
			if hc.name == "made-up kid" {
				header = madeUp[i]
			}
			status, read := send(header)
			n++
			if hc.want != 0 {
				assert.Equal(t, hc.want, status, hc.name)
			} else {
				assert.Contains(t, []int{http.StatusUnauthorized, http.StatusServiceUnavailable}, status, hc.name)
			}
			assert.Zero(t, read, "%s: no byte of the body is read", hc.name)
		}
	}
	runtime.ReadMemStats(&after)
	perRequest := (after.TotalAlloc - before.TotalAlloc) / uint64(n)
	t.Logf("heap per unauthenticated request: %d bytes", perRequest)
	assert.LessOrEqual(t, perRequest, uint64(64<<10), "bytes per request")
}

// TestHandlerSlowBodiesBehindForgedHeaders is the attack the issue measured, over real TCP: 100
// connections each announce 1 MiB, send 64 KiB and stall, behind a garbage header. Each gets 401
// at once, while it stalls, and the server's heap per connection stays far below 64 KiB.
func TestHandlerSlowBodiesBehindForgedHeaders(t *testing.T) {
	signer := webhooktest.NewSigner()
	srv := httptest.NewServer(webhook.NewHandler(webhook.NewVerifier(signer), func(context.Context, webhook.Event) error { return nil }))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	head := []byte("POST /plaid/webhook HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\n" +
		"Content-Length: 1048576\r\nPlaid-Verification: eyJhbGciOiJFUzI1NiJ9.e30.garbage\r\n\r\n")
	chunk := bytes.Repeat([]byte(" "), 64<<10)

	const conns = 100
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	open := make([]net.Conn, 0, conns)
	defer func() {
		for _, c := range open {
			c.Close()
		}
	}()
	for range conns {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		open = append(open, c)
		require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
		_, err = c.Write(head)
		require.NoError(t, err)
		_, err = c.Write(chunk)
		require.NoError(t, err)
		// The body stalls here, 960 KiB short; the answer comes anyway.
		status, err := bufio.NewReader(c).ReadString('\n')
		require.NoError(t, err)
		assert.Equal(t, "HTTP/1.1 401 Unauthorized\r\n", status)
	}
	runtime.ReadMemStats(&after)
	perConn := (after.TotalAlloc - before.TotalAlloc) / conns
	t.Logf("heap allocated per stalled connection, client and server: %d bytes", perConn)
	assert.LessOrEqual(t, perConn, uint64(64<<10))
}

// TestHandlerMadeUpKidFlood sends 2,000 webhooks with made-up kids in a burst while genuine
// webhooks keep arriving: Plaid's key endpoint is called at most the rate limit's burst, every
// made-up kid is answered 401 or 503, and every genuine webhook with the cached kid verifies.
func TestHandlerMadeUpKidFlood(t *testing.T) {
	signer, rotated := webhooktest.NewSigner(), webhooktest.NewSigner()
	var fetches atomic.Int32
	keys := fetcherFunc(func(ctx context.Context, req *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
		fetches.Add(1)
		if req.KeyID == rotated.KeyID() {
			return rotated.GetWebhookVerificationKey(ctx, req)
		}
		return signer.GetWebhookVerificationKey(ctx, req)
	})
	clock := webhook.NewTestClock(time.Now())
	var processed atomic.Int32
	var reasons sync.Map // of error -> *atomic.Int32
	v := webhook.NewVerifier(keys, webhook.WithClock(clock.Now))
	h := webhook.NewHandler(v, func(context.Context, webhook.Event) error {
		processed.Add(1)
		return nil
	}, webhook.WithObserver(func(_ context.Context, o webhook.Outcome) {
		n, _ := reasons.LoadOrStore(o.Reason, new(atomic.Int32))
		n.(*atomic.Int32).Add(1)
	}))
	body := sample(t, "session_finished.json")
	send := func(header string) int {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set(webhook.HeaderName, header)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	genuine := signer.SignAt(body, clock.Now())
	require.Equal(t, http.StatusOK, send(genuine))
	require.Equal(t, int32(1), fetches.Load())

	f := newForger(t)
	const kids, workers = 2000, 16
	forged := make([]string, kids)
	for i := range forged {
		forged[i] = f.header(fmt.Sprintf("%08d-made-up", i), body, clock.Now())
	}
	var wg sync.WaitGroup
	next := atomic.Int32{}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < kids; i = int(next.Add(1)) - 1 {
				status := send(forged[i])
				assert.Contains(t, []int{http.StatusUnauthorized, http.StatusServiceUnavailable}, status)
			}
		}()
	}
	const genuineDuringFlood = 200
	for range genuineDuringFlood {
		assert.Equal(t, http.StatusOK, send(genuine), "a cached kid never waits for the limit")
	}
	wg.Wait()

	webhook.WaitForFetches(v)
	t.Logf("calls to the key endpoint caused by %d made-up kids: %d", kids, fetches.Load()-1)
	assert.LessOrEqual(t, fetches.Load()-1, int32(webhook.DefaultKeyFetchBurst), "fetches caused by the flood")
	assert.Equal(t, int32(1+genuineDuringFlood), processed.Load())
	limited, _ := reasons.Load(webhook.ErrKeyRateLimited)
	require.NotNil(t, limited)
	assert.GreaterOrEqual(t, limited.(*atomic.Int32).Load(), int32(kids-webhook.DefaultKeyFetchBurst))

	// Plaid rotates its key during the flood: the new kid is turned away with 503 until the bucket
	// refills, and Plaid's redelivery then verifies.
	rotatedHeader := rotated.SignAt(body, clock.Now())
	assert.Equal(t, http.StatusServiceUnavailable, send(rotatedHeader))
	clock.Add(webhook.DefaultKeyFetchInterval)
	assert.Equal(t, http.StatusOK, send(rotated.SignAt(body, clock.Now())))
}

// TestHandlerAnswersInTimeWithKeyEndpointHung hangs Plaid's key endpoint and sends webhooks with
// new kids: each gets 503 within 5 s, the first ones after the fetch timeout and the rest, turned
// away by the rate limit or a full fetch queue, at once. The endpoint hangs in a KeyFetcher that
// ignores its context (the worst case), and behind a real *link.Client whose HTTP server never
// answers (the usual case, retries and all).
func TestHandlerAnswersInTimeWithKeyEndpointHung(t *testing.T) {
	hung := make(chan struct{})
	t.Cleanup(func() { close(hung) })
	ignoresContext := func(*testing.T) webhook.KeyFetcher {
		return fetcherFunc(func(context.Context, *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
			<-hung
			return nil, context.Canceled
		})
	}
	hungServer := func(t *testing.T) webhook.KeyFetcher {
		stop := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // so that net/http notices the client hanging up
			select {
			case <-stop:
			case <-r.Context().Done():
			}
		}))
		t.Cleanup(func() {
			close(stop)
			srv.Close()
		})
		client, err := link.NewClient("client-id", "secret-abc", link.WithBaseURL(srv.URL))
		require.NoError(t, err)
		return client
	}
	body := sample(t, "item_add_result.json")
	tests := []struct {
		name     string
		keys     func(*testing.T) webhook.KeyFetcher
		opts     []webhook.VerifierOption
		requests int
	}{
		{"default limits", ignoresContext, nil, 20},
		// Without the rate limit, the new kids fill every fetch slot and the queue behind them.
		{"fetch slots and queue full", ignoresContext, []webhook.VerifierOption{webhook.WithKeyFetchLimit(time.Nanosecond, 1<<20)}, 100},
		{"link.Client, server never answers", hungServer, nil, 20},
		{"link.Client, fetch slots and queue full", hungServer, []webhook.VerifierOption{webhook.WithKeyFetchLimit(time.Nanosecond, 1<<20)}, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := webhook.NewHandler(webhook.NewVerifier(tc.keys(t), tc.opts...), func(context.Context, webhook.Event) error {
				t.Error("fn called without a key")
				return nil
			})
			f := newForger(t)
			var wg sync.WaitGroup
			for i := range tc.requests {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
					req.Header.Set(webhook.HeaderName, f.header(fmt.Sprintf("kid-%d", i), body, time.Now()))
					rec := httptest.NewRecorder()
					start := time.Now()
					h.ServeHTTP(rec, req)
					elapsed := time.Since(start)
					assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
					assert.Less(t, elapsed, 5*time.Second, "answered in time")
				}()
			}
			wg.Wait()
		})
	}
}

// TestStatusTableInREADME holds the README's status table, the one list of what the handler
// answers for each reason, to the handler's: every reason a row names is answered with that row's
// status, and every reason is named.
func TestStatusTableInREADME(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "### What Plaid does, and what the handler answers")
	require.True(t, ok, "the README's section")
	section, _, _ = strings.Cut(section, "\n### ")
	rows := regexp.MustCompile(`(?m)^\| (\d{3}) \|.*$`).FindAllStringSubmatch(section, -1)
	require.NotEmpty(t, rows, "the status table")
	named := map[error]bool{}
	for _, row := range rows {
		status, err := strconv.Atoi(row[1])
		require.NoError(t, err)
		for _, n := range regexp.MustCompile("`(Err\\w+)`").FindAllStringSubmatch(row[0], -1) {
			reason, ok := outcomeReasons[n[1]]
			if assert.True(t, ok, "the table names %s, which is no Outcome.Reason", n[1]) {
				assert.Equal(t, webhook.StatusFor(reason), status, "the table's status for %s", n[1])
				named[reason] = true
			}
		}
	}
	for n, reason := range outcomeReasons {
		assert.True(t, named[reason], "the table leaves out %s", n)
	}
	assert.Equal(t, http.StatusOK, webhook.StatusFor(nil))
}
