package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/internal/conncount"
	"github.com/plaidlink/plaidlink-go/internal/ctxtest"
)

const (
	testClientID = "5f3c7e9a1b2c3d4e5f607182"
	testSecret   = "0a1b2c3d4e5f60718293a4b5c6d7e8"
	testAccess   = "access-sandbox-de3ce8ef-33f8-452c-a685-8671031fc0f6"
	testPublic   = "public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d"
)

// apiErr is what the test ErrorDecoder returns, so tests can see what it was given.
type apiErr struct {
	status int
	body   string
	hdrID  string
}

func (e *apiErr) Error() string { return fmt.Sprintf("api error %d", e.status) }

// decodeTestError reads error_type and error_code as link's decoder does, so the retry rule
// sees Plaid errors.
func decodeTestError(status int, body []byte, hdrID string, _ *Redactor) APIError {
	var e struct {
		Type string `json:"error_type"`
		Code string `json:"error_code"`
	}
	_ = json.Unmarshal(body, &e)
	return APIError{Err: &apiErr{status: status, body: string(body), hdrID: hdrID}, RequestID: hdrID,
		Plaid: e.Type != "" || e.Code != "", Type: e.Type, Code: e.Code}
}

type echoReq struct {
	AccessToken string `json:"access_token"`
	N           int    `json:"n"`
}

type echoResp struct {
	Value     string `json:"value"`
	RequestID string `json:"request_id"`
}

// newTestClient returns a Client for baseURL with waits short enough for tests.
func newTestClient(t *testing.T, baseURL string, mod ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL:      baseURL,
		ClientID:     testClientID,
		Secret:       testSecret,
		PlaidVersion: "2020-09-14",
		UserAgent:    "plaidlink-go/test",
		MaxRetries:   2,
		Pacing: Pacing{
			Timeout:    5 * time.Second,
			BackoffMin: time.Millisecond,
			BackoffMax: 2 * time.Millisecond,
			// A Retry-After wait is capped as in production unless a test says otherwise.
			RetryAfterMax: DefaultRetryAfterMax,
		},
		DecodeError: decodeTestError,
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	require.NoError(t, err)
	return c
}

// postTo sends in to path as a Repeatable call with the Client's retries.
func postTo(c *Client, ctx context.Context, path string, in, out any, requestID *string) error {
	return c.Do(ctx, &Call{Path: path, MaxRetries: -1, RequestID: requestID}, in, out)
}

func post(c *Client, ctx context.Context) (*echoResp, error) {
	out := new(echoResp)
	err := postTo(c, ctx, "/echo", &echoReq{AccessToken: testAccess, N: 7}, out, &out.RequestID)
	return out, err
}

func TestPostSendsHeadersAndBodyAndDecodes(t *testing.T) {
	var got *http.Request
	var gotBody []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		gotBody, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"value":"ok","request_id":"req-1"}`)
	}))
	defer srv.Close()

	out, err := post(newTestClient(t, srv.URL+"/prefix"), context.Background())
	require.NoError(t, err)
	assert.Equal(t, &echoResp{Value: "ok", RequestID: "req-1"}, out)

	require.NotNil(t, got)
	assert.Equal(t, http.MethodPost, got.Method)
	assert.Equal(t, "/prefix/echo", got.URL.Path)
	assert.Equal(t, testClientID, got.Header.Get("PLAID-CLIENT-ID"))
	assert.Equal(t, testSecret, got.Header.Get("PLAID-SECRET"))
	assert.Equal(t, "2020-09-14", got.Header.Get("Plaid-Version"))
	assert.Equal(t, "plaidlink-go/test", got.Header.Get("User-Agent"))
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.Equal(t, int64(len(gotBody)), got.ContentLength)
	assert.JSONEq(t, `{"access_token":"`+testAccess+`","n":7}`, string(gotBody))
}

func TestRetryPolicy(t *testing.T) {
	tests := []struct {
		status   int
		attempts int
	}{
		{http.StatusBadRequest, 1},
		{http.StatusUnauthorized, 1},
		{http.StatusNotFound, 1},
		{http.StatusConflict, 1},
		{http.StatusRequestTimeout, 3},
		{http.StatusTooManyRequests, 3},
		{http.StatusInternalServerError, 1}, // not a Plaid error: only gateway errors are retried
		{http.StatusNotImplemented, 1},
		{http.StatusBadGateway, 3},
		{http.StatusServiceUnavailable, 3},
		{http.StatusGatewayTimeout, 3},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			mt := httpmock.NewMockTransport()
			mt.RegisterResponder(http.MethodPost, "https://plaid.test/echo",
				httpmock.NewStringResponder(tt.status, `{"message":"X","request_id":"r"}`).
					HeaderSet(http.Header{"X-Request-Id": {"hdr-1"}}))
			c := newTestClient(t, "https://plaid.test", func(c *Config) {
				c.HTTPClient = &http.Client{Transport: mt}
			})
			_, err := post(c, context.Background())
			var ae *apiErr
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.status, ae.status)
			assert.Equal(t, `{"message":"X","request_id":"r"}`, ae.body)
			assert.Equal(t, "hdr-1", ae.hdrID)
			assert.Equal(t, tt.attempts, mt.GetTotalCallCount())
			assert.Equal(t, tt.attempts == 3, Retryable(tt.status))
		})
	}
}

func TestRetriesUntilSuccess(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, "https://plaid.test/echo", httpmock.ResponderFromMultipleResponses(
		[]*http.Response{
			httpmock.NewStringResponse(502, `{}`),
			httpmock.NewStringResponse(503, `{}`),
			httpmock.NewStringResponse(200, `{"value":"third","request_id":"r3"}`),
		}))
	c := newTestClient(t, "https://plaid.test", func(c *Config) { c.HTTPClient = &http.Client{Transport: mt} })
	out, err := post(c, context.Background())
	require.NoError(t, err)
	assert.Equal(t, "third", out.Value)
	assert.Equal(t, 3, mt.GetTotalCallCount())
}

func TestNoRetriesWhenMaxRetriesIsZero(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, "https://plaid.test/echo", httpmock.NewStringResponder(503, `{}`))
	c := newTestClient(t, "https://plaid.test", func(c *Config) {
		c.HTTPClient = &http.Client{Transport: mt}
		c.MaxRetries = 0
	})
	_, err := post(c, context.Background())
	var ae *apiErr
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 503, ae.status)
	assert.Equal(t, "api error 503", err.Error(), "one attempt: nothing was given up")
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestRetryAfterIsHonouredAndCapped(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "3600") // an hour, capped below to 80ms
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = io.WriteString(w, `{"value":"ok"}`)
	}))
	defer srv.Close()

	c := newTestClient(t, srv.URL, func(c *Config) { c.RetryAfterMax = 80 * time.Millisecond })
	start := time.Now()
	out, err := post(c, context.Background())
	elapsed := time.Since(start)
	require.NoError(t, err)
	assert.Equal(t, "ok", out.Value)
	assert.Equal(t, int32(2), calls.Load())
	// The exponential backoff alone would wait about a millisecond.
	assert.GreaterOrEqual(t, elapsed, 80*time.Millisecond)
	assert.Less(t, elapsed, 30*time.Second, "Retry-After must be capped")
}

// TestConnectionResetIsRetried closes the first connection without a reply.
func TestConnectionResetIsRetried(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				if tc, ok := conn.(*net.TCPConn); ok {
					_ = tc.SetLinger(0) // a RST, not a FIN
				}
				_ = conn.Close()
			}
			return
		}
		_, _ = io.WriteString(w, `{"value":"after reset"}`)
	}))
	defer srv.Close()

	out, err := post(newTestClient(t, srv.URL), context.Background())
	require.NoError(t, err)
	assert.Equal(t, "after reset", out.Value)
	assert.Equal(t, int32(2), calls.Load())
}

func TestPerAttemptTimeoutIsRetried(t *testing.T) {
	// In this process, so that the test decides which attempt times out: the first is held until
	// its context ends, whatever the timeout; the second is answered in full however late, since
	// nothing here watches its context.
	var calls atomic.Int32
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if calls.Add(1) == 1 {
			<-r.Context().Done()
			return nil, r.Context().Err()
		}
		rec := httptest.NewRecorder()
		_, _ = io.WriteString(rec, `{"value":"fast"}`)
		return rec.Result(), nil
	})}

	c := newTestClient(t, "https://plaid.test", func(c *Config) {
		c.HTTPClient = hc
		c.Timeout = 20 * time.Millisecond
	})
	out, err := post(c, context.Background())
	require.NoError(t, err)
	assert.Equal(t, "fast", out.Value)
	assert.Equal(t, int32(2), calls.Load())
}

func TestContextEndingDuringBackoffReturnsPromptly(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, "https://plaid.test/echo", httpmock.NewStringResponder(503, `{}`))
	// The context ends when the client logs that it will wait to retry: during the minute-long
	// backoff, whatever the machine's speed.
	var endWait func()
	c := newTestClient(t, "https://plaid.test", func(c *Config) {
		c.HTTPClient = &http.Client{Transport: mt}
		c.BackoffMin = time.Minute
		c.BackoffMax = time.Minute
		c.Logger = ctxtest.OnLog("plaid: retryable failure", func() { endWait() })
	})
	ctx, end := ctxtest.Deadline(context.Background())
	endWait = end
	start := time.Now()
	_, err := post(c, ctx)
	assert.Less(t, time.Since(start), 30*time.Second, "the minute-long wait ended with the context")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "waiting to retry after attempt 1:")
	assert.Equal(t, 1, mt.GetTotalCallCount())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	endWait = cancel
	_, err = post(c, ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "waiting to retry after attempt 1:")
	assert.Equal(t, 2, mt.GetTotalCallCount())
}

// TestPerAttemptTimeoutCoversTheBody: a reply whose headers arrive in time but whose body stalls
// is still cut off by the attempt timeout.
func TestPerAttemptTimeoutCoversTheBody(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"value":`)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release) // before Close, which waits for handlers

	c := newTestClient(t, srv.URL, func(c *Config) {
		c.Timeout = 100 * time.Millisecond
		c.MaxRetries = 0
	})
	start := time.Now()
	_, err := post(c, context.Background())
	require.ErrorIs(t, err, ErrAttemptTimeout)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller set no deadline")
	assert.Equal(t, "attempt timed out after 100ms (the per-attempt timeout)", err.Error())
	assert.Less(t, time.Since(start), 2*time.Second)
}

// The caller's own deadline ending while the body streams in is reported as that deadline, so
// errors.Is works whether the context ended before or after the headers.
func TestContextEndingDuringBody(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"value":`)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release) // before Close, which waits for handlers

	for name, want := range map[string]error{"deadline": context.DeadlineExceeded, "cancel": context.Canceled} {
		t.Run(name, func(t *testing.T) {
			// The context ends once the client has read the first bytes of the body: while the
			// body streams in, whatever the machine's speed.
			ctx, end := ctxtest.Deadline(context.Background())
			if want == context.Canceled {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(context.Background())
				end = cancel
			}
			defer end()
			hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				resp, err := http.DefaultTransport.RoundTrip(r)
				if err == nil {
					resp.Body = &endOnRead{ReadCloser: resp.Body, end: end}
				}
				return resp, err
			})}
			_, err := post(newTestClient(t, srv.URL, func(c *Config) { c.MaxRetries = 0; c.HTTPClient = hc }), ctx)
			require.ErrorIs(t, err, want)
			assert.Contains(t, err.Error(), "reading HTTP 200 response")
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// endOnRead is a response body that calls end once a read has returned some of it.
type endOnRead struct {
	io.ReadCloser
	end  func()
	once sync.Once
}

func (b *endOnRead) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.once.Do(b.end)
	}
	return n, err
}

func TestContextEndingDuringRequest(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release) // before Close, which waits for handlers
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := post(newTestClient(t, srv.URL), ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestSuccessBodyProblems(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		limit   int64
		wantErr string
	}{
		{"empty", "", 0, "empty body"},
		{"html", "<html><body>OK</body></html>", 0, "invalid JSON"},
		{"truncated", `{"value":"x"`, 0, "invalid JSON"},
		{"wrong type", `{"value":12}`, 0, "field value: a JSON number cannot be a Go string"},
		{"too large", `{"value":"` + strings.Repeat("a", 100) + `"}`, 64, "exceeds 64 bytes"},
		{"null", " null\n", 0, "decoding HTTP 200 response: body is not a JSON object"},
		{"string", `"ok"`, 0, "field (top level): a JSON string cannot be a Go transport.echoResp"},
		{"trailing html", `{"value":"l"} <html>`, 0, "decoding HTTP 200 response: body has data after its JSON object"},
		{"two objects", `{"value":"a"}{"value":"b"}`, 0, "body has data after its JSON object"},
		{"stray brace", `{"value":"a"}}`, 0, "body has data after its JSON object"},
		{"trailing number", `{"value":"a"} 1`, 0, "body has data after its JSON object"},
		{"whitespace past the limit", `{"value":"a"}` + strings.Repeat(" ", 100), 64, "exceeds 64 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mt := httpmock.NewMockTransport()
			mt.RegisterResponder(http.MethodPost, "https://plaid.test/echo", httpmock.NewStringResponder(200, tt.body))
			c := newTestClient(t, "https://plaid.test", func(c *Config) {
				c.HTTPClient = &http.Client{Transport: mt}
				c.MaxBodyBytes = tt.limit
			})
			_, err := post(c, context.Background())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Contains(t, err.Error(), "HTTP 200")
			assert.Equal(t, 1, mt.GetTotalCallCount(), "a bad 2xx body is not retried")
		})
	}
}

func TestSuccessBodyWhitespaceIsAccepted(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, "https://plaid.test/echo",
		httpmock.NewStringResponder(200, " \r\n\t{\"value\":\"padded\"} \n\t\r\n"))
	c := newTestClient(t, "https://plaid.test", func(c *Config) { c.HTTPClient = &http.Client{Transport: mt} })
	out, err := post(c, context.Background())
	require.NoError(t, err)
	assert.Equal(t, "padded", out.Value)
}

func TestBodyExactlyAtLimitIsAccepted(t *testing.T) {
	body := `{"value":"abc"}`
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, "https://plaid.test/echo", httpmock.NewStringResponder(200, body))
	c := newTestClient(t, "https://plaid.test", func(c *Config) {
		c.HTTPClient = &http.Client{Transport: mt}
		c.MaxBodyBytes = int64(len(body))
	})
	out, err := post(c, context.Background())
	require.NoError(t, err)
	assert.Equal(t, "abc", out.Value)
}

func TestErrorBodyIsReadThroughLimit(t *testing.T) {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, "https://plaid.test/echo",
		httpmock.NewStringResponder(400, strings.Repeat("x", 1000)))
	c := newTestClient(t, "https://plaid.test", func(c *Config) {
		c.HTTPClient = &http.Client{Transport: mt}
		c.MaxErrorBytes = 100
	})
	_, err := post(c, context.Background())
	var ae *apiErr
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, strings.Repeat("x", 100), ae.body)
}

// TestConnectionsAreReused makes sequential calls, successes and error replies with bodies, and
// expects them all on one connection: every body was drained and closed.
func TestConnectionsAreReused(t *testing.T) {
	var newConns atomic.Int32
	var n atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%3 == 0 {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error_code":"INVALID_FIELD","error_message":"`+strings.Repeat("m", 5000)+`"}`)
			return
		}
		_, _ = io.WriteString(w, `{"value":"ok"}`+"\n\n")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			newConns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	c := newTestClient(t, srv.URL)
	for i := 1; i <= 20; i++ {
		_, err := post(c, context.Background())
		if i%3 == 0 {
			require.Error(t, err)
		} else {
			require.NoError(t, err)
		}
	}
	assert.Equal(t, int32(1), newConns.Load())
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes a slog handler may make.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogging(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			w.Header().Set("X-Request-Id", "hdr-503")
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			_, _ = io.WriteString(w, `{"value":"`+testPublic+`","request_id":"body-ok"}`)
		default:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error_message":"bad `+testAccess+`","request_id":"body-400"}`)
		}
	}))
	defer srv.Close()

	var buf syncBuffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newTestClient(t, srv.URL, func(c *Config) {
		c.Logger = logger
		c.DecodeError = func(status int, body []byte, hdrID string, _ *Redactor) APIError {
			var e struct {
				RequestID string `json:"request_id"`
			}
			_ = json.Unmarshal(body, &e)
			return APIError{RequestID: e.RequestID, Err: fmt.Errorf("plaid said %s", body)} // deliberately leaky
		}
	})
	_, err := post(c, context.Background())
	require.NoError(t, err)
	_, err = post(c, context.Background())
	require.Error(t, err)

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 3)
	var recs []map[string]any
	for _, l := range lines {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m))
		recs = append(recs, m)
	}
	assert.Equal(t, "plaid: retryable failure", recs[0]["msg"])
	assert.Equal(t, "DEBUG", recs[0]["level"])
	assert.Equal(t, float64(503), recs[0]["status"])
	assert.Equal(t, float64(1), recs[0]["attempt"])
	assert.Equal(t, "hdr-503", recs[0]["request_id"])

	assert.Equal(t, "plaid: request", recs[1]["msg"])
	assert.Equal(t, "POST", recs[1]["method"])
	assert.Equal(t, "/echo", recs[1]["path"])
	assert.Equal(t, float64(200), recs[1]["status"])
	assert.Equal(t, float64(2), recs[1]["attempt"])
	assert.Equal(t, "body-ok", recs[1]["request_id"])
	assert.Contains(t, recs[1], "duration")

	assert.Equal(t, float64(400), recs[2]["status"])
	assert.Equal(t, float64(1), recs[2]["attempt"])
	assert.Equal(t, "body-400", recs[2]["request_id"])
	assert.Contains(t, recs[2]["error"], "access-sandbox-[REDACTED]")

	out := buf.String()
	for _, secret := range []string{testSecret, testClientID, testAccess, testPublic} {
		assert.NotContains(t, out, secret)
	}
}

// TestTraceOnlyForSingleUse: tracing costs allocations, so only a single-use call, which needs
// to know whether a connection was made, carries a ClientTrace.
func TestTraceOnlyForSingleUse(t *testing.T) {
	var traced []bool
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, "https://plaid.test/echo", func(r *http.Request) (*http.Response, error) {
		traced = append(traced, httptrace.ContextClientTrace(r.Context()) != nil)
		return httpmock.NewStringResponse(200, `{}`), nil
	})
	c := newTestClient(t, "https://plaid.test", func(c *Config) { c.HTTPClient = &http.Client{Transport: mt} })
	_, err := post(c, context.Background())
	require.NoError(t, err)
	err = c.Do(context.Background(), &Call{Path: "/echo", Class: SingleUse, MaxRetries: -1}, &echoReq{}, &echoResp{})
	require.NoError(t, err)
	assert.Equal(t, []bool{false, true}, traced)
}

func TestNew(t *testing.T) {
	ok := Config{BaseURL: "https://x", ClientID: "id", Secret: "s", DecodeError: decodeTestError}
	tests := []struct {
		name string
		mod  func(*Config)
	}{
		{"no base URL", func(c *Config) { c.BaseURL = "" }},
		{"no client id", func(c *Config) { c.ClientID = "" }},
		{"no secret", func(c *Config) { c.Secret = "" }},
		{"no decoder", func(c *Config) { c.DecodeError = nil }},
		{"negative retries", func(c *Config) { c.MaxRetries = -1 }},
		{"negative timeout", func(c *Config) { c.Timeout = -1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.mod(&cfg)
			c, err := New(cfg)
			assert.Error(t, err)
			assert.Nil(t, c)
		})
	}

	hc := &http.Client{Timeout: time.Hour}
	cfg := ok
	cfg.HTTPClient = hc
	cfg.Timeout = time.Second
	c, err := New(cfg)
	require.NoError(t, err)
	assert.Equal(t, time.Hour, hc.Timeout, "the caller's client is not modified")
	assert.Nil(t, hc.CheckRedirect, "the caller's client is not modified")
	assert.Nil(t, hc.Transport, "the caller's client is not modified")
	assert.Equal(t, time.Second, c.cfg.Timeout, "Config.Timeout bounds each attempt")
	assert.Zero(t, c.hc.Timeout, "the copy's own Timeout would bound attempts a second time")
}

// TestCallOverridesWhereAndHowItIsSent: a call's own base URL, Plaid-Version and User-Agent go
// with that call alone, through the Client's pool; a call's own http.Client carries that call
// through its Transport.
func TestCallOverridesWhereAndHowItIsSent(t *testing.T) {
	type seen struct{ server, path, version, agent string }
	got := make(chan seen, 10)
	serve := func(name string) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got <- seen{name, r.URL.Path, r.Header.Get("Plaid-Version"), r.Header.Get("User-Agent")}
			_, _ = io.WriteString(w, `{"value":"ok"}`)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	home, other := serve("home"), serve("other")
	c := newTestClient(t, home.URL)
	send := func(call Call) seen {
		t.Helper()
		call.Path, call.MaxRetries = "/echo", -1
		require.NoError(t, c.Do(context.Background(), &call, &echoReq{}, new(echoResp)))
		return <-got
	}
	assert.Equal(t, seen{"home", "/echo", "2020-09-14", "plaidlink-go/test"}, send(Call{}))
	assert.Equal(t, seen{"other", "/echo", "2099-01-01", "app/2"},
		send(Call{BaseURL: other.URL, PlaidVersion: "2099-01-01", UserAgent: "app/2"}))
	assert.Equal(t, seen{"home", "/echo", "2020-09-14", "plaidlink-go/test"}, send(Call{}), "the next call is the Client's")

	var through atomic.Int32
	own := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		through.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	assert.Equal(t, seen{"home", "/echo", "2020-09-14", "plaidlink-go/test"}, send(Call{HTTPClient: own}))
	assert.Equal(t, int32(1), through.Load(), "the call went through its own http.Client's Transport")
	send(Call{})
	assert.Equal(t, int32(1), through.Load(), "and the next call through the Client's")
}

func TestNilContext(t *testing.T) {
	c := newTestClient(t, "https://plaid.test")
	var ctx context.Context // a nil Context, as a careless caller might pass
	err := postTo(c, ctx, "/echo", &echoReq{}, &echoResp{}, nil)
	require.Error(t, err)
}

func TestUnencodableRequest(t *testing.T) {
	c := newTestClient(t, "https://plaid.test")
	err := postTo(c, context.Background(), "/echo", map[string]any{"f": func() {}}, &echoResp{}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "encoding request")
}

// ownEncoding is a request type with an encoder of its own, which writes a space that
// json.Marshal's re-scan of a Marshaler's output would remove.
type ownEncoding struct{ fail bool }

func (o ownEncoding) MarshalJSON() ([]byte, error) {
	if o.fail {
		return nil, errors.New("no encoding today")
	}
	return []byte(`{"own": true}`), nil
}

func TestRequestWithItsOwnEncoderIsSentAsItWrites(t *testing.T) {
	var gotBody []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotBody, _ = io.ReadAll(r.Body)
		_, _ = io.WriteString(w, `{"value":"ok"}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL)
	out := new(echoResp)
	require.NoError(t, postTo(c, context.Background(), "/echo", ownEncoding{}, out, nil))
	assert.Equal(t, `{"own": true}`, string(gotBody))
	assert.Equal(t, "ok", out.Value)

	err := postTo(c, context.Background(), "/echo", ownEncoding{fail: true}, out, nil)
	require.EqualError(t, err, "encoding request: no encoding today")
}

func TestLimitedReader(t *testing.T) {
	lr := &limitedReader{r: strings.NewReader("abcdef"), n: 3}
	b, err := io.ReadAll(lr)
	assert.Equal(t, "abc", string(b))
	assert.True(t, errors.Is(err, errTooLarge))

	lr = &limitedReader{r: strings.NewReader("abc"), n: 3}
	b, err = io.ReadAll(lr)
	assert.Equal(t, "abc", string(b))
	assert.NoError(t, err)
}

// TestFailedCallKeepsIdleConnections: a call that fails for good, or whose context ends during a
// backoff wait, must leave the pool's idle connections alone (go-retryablehttp closes the
// http.Client's idle connections when it gives up; the transport's wrapper has none to close).
func TestFailedCallKeepsIdleConnections(t *testing.T) {
	t.Run("retries exhausted", func(t *testing.T) {
		var n atomic.Int32
		srv, conns := conncount.Server(t, func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				// No body: the connection is idle again before the client sees the status.
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			_, _ = io.WriteString(w, `{"value":"ok"}`)
		})
		c := newTestClient(t, srv.URL, func(c *Config) { c.MaxRetries = 0 })
		_, err := post(c, context.Background())
		var ae *apiErr
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, http.StatusServiceUnavailable, ae.status)
		for range 3 {
			out, err := post(c, context.Background())
			require.NoError(t, err)
			assert.Equal(t, "ok", out.Value)
		}
		assert.Equal(t, int32(4), n.Load())
		assert.Equal(t, int32(1), conns.Load(), "the failed call closed the idle connection")
	})
	t.Run("context ends during backoff", func(t *testing.T) {
		var n atomic.Int32
		srv, conns := conncount.Server(t, func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = io.WriteString(w, `{"error_type":"API_ERROR","error_code":"INTERNAL_SERVER_ERROR"}`)
				return
			}
			_, _ = io.WriteString(w, `{"value":"ok"}`)
		})
		// The deadline passes once the client has logged that it will wait to retry.
		ctx, end := ctxtest.Deadline(context.Background())
		c := newTestClient(t, srv.URL, func(c *Config) {
			c.BackoffMin, c.BackoffMax = time.Minute, time.Minute
			c.Logger = ctxtest.OnLog("plaid: retryable failure", end)
		})
		_, err := post(c, ctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		out, err := post(c, context.Background())
		require.NoError(t, err)
		assert.Equal(t, "ok", out.Value)
		assert.Equal(t, int32(2), n.Load())
		assert.Equal(t, int32(1), conns.Load(), "the ended wait closed the idle connection")
	})
}

// credentialSink is a server that records the credential headers of every request it gets.
type credentialSink struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string // "client-id|secret" per request
}

func newCredentialSink(t *testing.T, h http.HandlerFunc) *credentialSink {
	t.Helper()
	s := &credentialSink{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.seen = append(s.seen, r.Header.Get("PLAID-CLIENT-ID")+"|"+r.Header.Get("PLAID-SECRET"))
		s.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *credentialSink) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.seen...)
}

func redirectTo(target string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", target)
		w.WriteHeader(http.StatusTemporaryRedirect)
		_, _ = io.WriteString(w, "moved to "+target)
	}
}

// TestRedirectIsNotFollowed: Plaid never redirects, so a 3xx is the reply, and the host it points
// at never sees a request.
func TestRedirectIsNotFollowed(t *testing.T) {
	b := newCredentialSink(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"value":"from b"}`)
	})
	a := newCredentialSink(t, redirectTo(b.URL+"/echo"))

	_, err := post(newTestClient(t, a.URL), context.Background())
	var ae *apiErr
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusTemporaryRedirect, ae.status)
	assert.Equal(t, "moved to "+b.URL+"/echo", ae.body)
	assert.Equal(t, []string{testClientID + "|" + testSecret}, a.requests())
	assert.Empty(t, b.requests())
}

// TestCallerRedirectPolicyNeverForwardsCredentials: a caller's CheckRedirect is honoured, but the
// credentials go only to the origin they were meant for, and the body (which carries tokens) is
// never re-sent to another origin.
func TestCallerRedirectPolicyNeverForwardsCredentials(t *testing.T) {
	b := newCredentialSink(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"value":"from b"}`)
	})
	var a *credentialSink
	a = newCredentialSink(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/echo":
			redirectTo(a.URL+"/same-origin")(w, r)
		case "/same-origin":
			redirectTo(b.URL+"/other-origin")(w, r)
		case "/see-other":
			w.Header().Set("Location", b.URL+"/other-origin")
			w.WriteHeader(http.StatusSeeOther) // followed as a GET without a body
		}
	})
	var hops atomic.Int32
	hc := &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		hops.Add(1)
		return nil
	}}
	c := newTestClient(t, a.URL, func(c *Config) { c.HTTPClient = hc })
	_, err := post(c, context.Background())
	require.ErrorIs(t, err, ErrCrossOriginRedirect)
	assert.Equal(t, int32(2), hops.Load(), "the caller's policy saw both hops")
	want := testClientID + "|" + testSecret
	assert.Equal(t, []string{want, want}, a.requests(), "same origin: credentials kept")
	assert.Empty(t, b.requests(), "a 307 to another origin (here, another port) is refused, body and all")

	out := new(echoResp)
	err = postTo(c, context.Background(), "/see-other", &echoReq{}, out, nil)
	require.NoError(t, err)
	assert.Equal(t, "from b", out.Value)
	assert.Equal(t, []string{"|"}, b.requests(), "another origin: credentials dropped")
}

// closeRecorder is a response body that records whether it was closed.
type closeRecorder struct {
	io.Reader
	closed atomic.Bool
}

func (c *closeRecorder) Close() error { c.closed.Store(true); return nil }

// cancelThenReply ends the call's context and then answers, as when the context ends just after
// the headers arrive.
type cancelThenReply struct {
	cancel context.CancelFunc
	body   *closeRecorder
}

func (rt *cancelThenReply) RoundTrip(req *http.Request) (*http.Response, error) {
	rt.cancel()
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: rt.body, Request: req}, nil
}

// TestBodyClosedWhenContextEndsAfterHeaders: a reply that arrived whole is kept even if the
// context ended meanwhile (for a public token exchange it carries the only copy of the access
// token), and its body is closed.
func TestBodyClosedWhenContextEndsAfterHeaders(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rt := &cancelThenReply{cancel: cancel, body: &closeRecorder{Reader: strings.NewReader(`{"value":"late"}`)}}
	c := newTestClient(t, "https://plaid.test", func(c *Config) { c.HTTPClient = &http.Client{Transport: rt} })
	out, err := post(c, ctx)
	require.NoError(t, err, "the whole reply arrived: it is not thrown away")
	assert.Equal(t, "late", out.Value)
	assert.True(t, rt.body.closed.Load(), "the response body was left open")
}
