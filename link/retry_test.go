package link

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	exchangeReply  = `{"access_token":"` + testAccess + `","item_id":"M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op","request_id":"Aim3b"}`
	rateLimited    = `{"error_type":"RATE_LIMIT_EXCEEDED","error_code":"RATE_LIMIT","error_message":"rate limit exceeded","request_id":"r429"}`
	maintenance    = `{"error_type":"API_ERROR","error_code":"PLANNED_MAINTENANCE","error_message":"the Plaid API is down for maintenance","request_id":"rpm"}`
	invalidPublic  = `{"error_type":"INVALID_INPUT","error_code":"INVALID_PUBLIC_TOKEN","error_message":"provided public token is expired","request_id":"rip"}`
	invalidRequest = `{"error_type":"INVALID_REQUEST","error_code":"INVALID_FIELD","error_message":"bad","request_id":"rir"}`
)

func exchange(c *Client, opts ...Option) (*ItemPublicTokenExchangeResponse, error) {
	return c.ExchangePublicToken(context.Background(), &ItemPublicTokenExchangeRequest{PublicToken: testPublic}, opts...)
}

// dropAfterReading is a handler that reads the whole request (so the exchange "happened") and
// then closes the connection without a reply.
func dropAfterReading(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// TestExchangeIsNotRetriedWhenItMayHaveHappened: every failure after the request may have reached
// Plaid returns at once, as ErrOutcomeUnknown wrapping the cause.
func TestExchangeIsNotRetriedWhenItMayHaveHappened(t *testing.T) {
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		wantPlaid ErrorCode // the *Error the cause is, if any
		status    int
	}{
		{"proxy 504 after the exchange", func(w http.ResponseWriter, r *http.Request) {
			reply(504, `<html>504 Gateway Time-out</html>`)(w)
		}, "", 504},
		{"proxy 502", func(w http.ResponseWriter, r *http.Request) { reply(502, "bad gateway")(w) }, "", 502},
		{"Plaid 500", func(w http.ResponseWriter, r *http.Request) { reply(500, internalError)(w) }, ErrorCodeInternalServerError, 500},
		{"connection dropped after the request", dropAfterReading, "", 0},
		{"2xx whose body is lost", func(w http.ResponseWriter, r *http.Request) {
			reply(200, `{"access_token":"`+testAccess)(w)
		}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				tt.handler(w, r)
			}))
			defer srv.Close()
			var raw Response
			resp, err := exchange(newTestClient(t, srv.URL, WithMaxRetries(3)), WithResponseInto(&raw))
			assert.Nil(t, resp)
			require.ErrorIs(t, err, ErrOutcomeUnknown)
			assert.Equal(t, int32(1), n.Load(), "a single-use call is not sent again")
			assert.Equal(t, 1, raw.Attempts)
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, "link: ExchangePublicToken: outcome unknown after 1 attempt: "), msg)
			assert.Contains(t, msg, "public token is spent")
			assert.Contains(t, msg, "access token cannot be recovered")
			assert.Contains(t, msg, "must link again")
			assert.Equal(t, 1, strings.Count(msg, "link:"), msg)
			assert.NotContains(t, msg, testAccess)
			var perr *Error
			if tt.status != 0 {
				require.ErrorAs(t, err, &perr, "the cause is still reachable")
				assert.Equal(t, tt.status, perr.HTTPStatus)
				assert.Equal(t, tt.wantPlaid, perr.ErrorCode)
			} else {
				assert.False(t, errors.As(err, &perr))
			}
		})
	}
}

func TestExchangeDroppedConnectionWrapsTheNetworkError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(dropAfterReading))
	defer srv.Close()
	_, err := exchange(newTestClient(t, srv.URL))
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	var uerr interface{ Timeout() bool } // *url.Error and net.Error both have it
	require.ErrorAs(t, err, &uerr, "errors.As reaches the network error")
}

// TestExchangeRetriesWhenNothingWasDone: rate limiting and planned maintenance say Plaid did
// nothing, so even the exchange is sent again.
func TestExchangeRetriesWhenNothingWasDone(t *testing.T) {
	srv, n := countingServer(t, reply(429, rateLimited), reply(503, maintenance), reply(200, exchangeReply))
	var raw Response
	resp, err := exchange(newTestClient(t, srv.URL), WithResponseInto(&raw))
	require.NoError(t, err)
	assert.Equal(t, testAccess, resp.AccessToken)
	assert.Equal(t, int32(3), n.Load())
	assert.Equal(t, 3, raw.Attempts)
}

func TestExchangeRateLimitedToTheEnd(t *testing.T) {
	srv, n := countingServer(t, reply(429, rateLimited))
	_, err := exchange(newTestClient(t, srv.URL, WithMaxRetries(1)))
	assert.Equal(t, int32(2), n.Load())
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "rate limiting says nothing was done")
	assert.True(t, IsErrorCode(err, ErrorCodeRateLimit))
	assert.Equal(t, "link: ExchangePublicToken: gave up after 2 attempts: RATE_LIMIT_EXCEEDED RATE_LIMIT (HTTP 429): "+
		"rate limit exceeded [request_id=r429]", err.Error())
}

// TestExchangeRetriesWhenNoConnectionWasMade: a dial that fails never reached Plaid.
func TestExchangeRetriesWhenNoConnectionWasMade(t *testing.T) {
	t.Run("real dial to a closed port", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		require.NoError(t, l.Close())
		var raw Response
		_, err = exchange(newTestClient(t, "http://"+addr), WithResponseInto(&raw))
		require.Error(t, err)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown)
		assert.Equal(t, 3, raw.Attempts, "retried like any call")
		assert.Contains(t, err.Error(), "link: ExchangePublicToken: gave up after 3 attempts: ")
		var opErr *net.OpError
		require.ErrorAs(t, err, &opErr)
		assert.Equal(t, "dial", opErr.Op)

		_, err = newTestClient(t, "http://"+addr).CreateToken(context.Background(), tokenCreateRequest(), WithResponseInto(&raw))
		require.ErrorAs(t, err, &opErr)
		assert.Equal(t, 3, raw.Attempts, "a repeatable call likewise")
	})
	t.Run("mocked dial error", func(t *testing.T) {
		c, mt := mockClient(t)
		calls := 0
		mt.RegisterResponder(http.MethodPost, "https://plaid.test/item/public_token/exchange", func(r *http.Request) (*http.Response, error) {
			calls++
			if calls == 1 {
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
			}
			return httpmock.NewStringResponse(200, exchangeReply), nil
		})
		resp, err := exchange(c)
		require.NoError(t, err)
		assert.Equal(t, testAccess, resp.AccessToken)
		assert.Equal(t, 2, calls)
	})
	t.Run("mocked error that does not say", func(t *testing.T) {
		c, mt := mockClient(t)
		mt.RegisterResponder(http.MethodPost, "https://plaid.test/item/public_token/exchange",
			httpmock.NewErrorResponder(errors.New("connection reset by peer")))
		_, err := exchange(c)
		require.ErrorIs(t, err, ErrOutcomeUnknown, "not provably unsent")
		assert.Equal(t, 1, mt.GetTotalCallCount())
	})
}

// TestExchangeRefusalsAreReturnedAsTheyAre: a Plaid error other than API_ERROR is Plaid refusing
// the request; the outcome is known, and only rate limiting is sent again.
func TestExchangeRefusalsAreReturnedAsTheyAre(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		code   ErrorCode
	}{
		{"spent token", 400, invalidPublic, ErrorCodeInvalidPublicToken},
		{"institution error with a gateway status", 503,
			`{"error_type":"INSTITUTION_ERROR","error_code":"INSTITUTION_DOWN","error_message":"down"}`, ErrorCodeInstitutionDown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, n := countingServer(t, reply(tt.status, tt.body))
			_, err := exchange(newTestClient(t, srv.URL))
			assert.Equal(t, int32(1), n.Load())
			assert.NotErrorIs(t, err, ErrOutcomeUnknown)
			perr, ok := errors.Unwrap(err).(*Error)
			require.True(t, ok, "the *Error itself, under the CallError naming the method: %T", errors.Unwrap(err))
			assert.Equal(t, "link: ExchangePublicToken: "+perr.Error(), err.Error(), "the method is named once")
			assert.Equal(t, tt.code, perr.ErrorCode)
		})
	}
}

// TestForcedRetriesAfterAnAmbiguousAttempt: the second attempt's INVALID_PUBLIC_TOKEN most likely
// means the first one spent the token, so the outcome is still unknown.
func TestForcedRetriesAfterAnAmbiguousAttempt(t *testing.T) {
	srv, n := countingServer(t, reply(504, "gateway timeout"), reply(400, invalidPublic))
	_, err := exchange(newTestClient(t, srv.URL), WithUnsafeRetries())
	assert.Equal(t, int32(2), n.Load(), "retried, as forced")
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.True(t, IsErrorCode(err, ErrorCodeInvalidPublicToken))
	assert.Contains(t, err.Error(), "outcome unknown after 2 attempts")

	// Forced retries that end in success are a success.
	srv2, _ := countingServer(t, reply(502, "bad gateway"), reply(200, exchangeReply))
	resp, err := exchange(newTestClient(t, srv2.URL, WithUnsafeRetries()))
	require.NoError(t, err)
	assert.Equal(t, testAccess, resp.AccessToken)
}

// TestExchangeAttemptTimeoutAfterSending: a request that timed out after it was sent is both an
// attempt timeout and an unknown outcome.
func TestExchangeAttemptTimeoutAfterSending(t *testing.T) {
	script := attemptScript(heldUntilAttemptEnds)
	_, err := exchange(newTestClient(t, "https://plaid.test", script.client(), WithTimeout(20*time.Millisecond)))
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.ErrorIs(t, err, ErrAttemptTimeout)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, int32(1), script.n.Load())
}

// TestCallerDeadlineIsNotAnAttemptTimeout: the caller's own deadline reads as such.
func TestCallerDeadlineIsNotAnAttemptTimeout(t *testing.T) {
	srv, _ := stallingServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := newTestClient(t, srv.URL).CreateToken(ctx, tokenCreateRequest())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, ErrAttemptTimeout)
}

// TestRetryTable is the retry table of the package documentation (doc.go), row by row, for both
// classes of call: every row drives a repeatable call (CreateToken) and the single-use one
// (ExchangePublicToken) against the same reply, and checks (*Error).Retryable against what the
// repeatable call did.
func TestRetryTable(t *testing.T) {
	const (
		retried = 3 // attempts with the default 2 retries
		once    = 1
	)
	tests := []struct {
		name   string
		status int
		body   string
		// What a repeatable call does: how many attempts it makes.
		repeatable int32
		// What ExchangePublicToken does: how many attempts, and whether the outcome is unknown.
		exchange int32
		unknown  bool
	}{
		{"Plaid RATE_LIMIT_EXCEEDED", 429, rateLimited, retried, retried, false},
		{"Plaid RATE_LIMIT_EXCEEDED with an odd status", 400, rateLimited, retried, retried, false},
		{"Plaid API_ERROR PLANNED_MAINTENANCE", 503, maintenance, retried, retried, false},
		{"Plaid API_ERROR INTERNAL_SERVER_ERROR", 500, internalError, retried, once, true},
		{"Plaid API_ERROR with another code, 500", 500, `{"error_type":"API_ERROR","error_code":"NEW_CODE"}`, once, once, true},
		{"Plaid API_ERROR with another code, 503", 503, `{"error_type":"API_ERROR","error_code":"NEW_CODE"}`, retried, once, true},
		{"Plaid INVALID_REQUEST with a 500", 500, invalidRequest, once, once, false},
		{"Plaid INVALID_INPUT with a 503", 503, invalidPublic, once, once, false},
		{"Plaid INVALID_RESULT with a 502", 502, `{"error_type":"INVALID_RESULT","error_code":"X"}`, once, once, false},
		{"Plaid ITEM_ERROR with a 429", 429, `{"error_type":"ITEM_ERROR","error_code":"ITEM_LOGIN_REQUIRED"}`, once, once, false},
		{"Plaid INSTITUTION_ERROR with a 503: the status rule", 503,
			`{"error_type":"INSTITUTION_ERROR","error_code":"INSTITUTION_DOWN"}`, retried, once, false},
		{"Plaid INSTITUTION_ERROR with a 400", 400,
			`{"error_type":"INSTITUTION_ERROR","error_code":"INSTITUTION_NOT_FOUND"}`, once, once, false},
		{"proxy 408", 408, "", retried, once, true},
		{"proxy 429", 429, "slow down", retried, once, true},
		{"proxy 502", 502, "<html>bad gateway</html>", retried, once, true},
		{"proxy 503", 503, "", retried, once, true},
		{"proxy 504", 504, "<html>timeout</html>", retried, once, true},
		{"proxy 500", 500, "<html>oops</html>", once, once, true},
		{"proxy 404", 404, "not found", once, once, true},
		{"gateway JSON that is not a Plaid error", 502, `{"message":"upstream timed out"}`, retried, once, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, n := countingServer(t, reply(tt.status, tt.body))
			_, err := newTestClient(t, srv.URL).CreateToken(context.Background(), tokenCreateRequest())
			var perr *Error
			require.ErrorAs(t, err, &perr)
			assert.Equal(t, tt.repeatable, n.Load(), "repeatable call")
			assert.Equal(t, tt.repeatable > 1, perr.Retryable(), "(*Error).Retryable is the transport's rule")
			if tt.repeatable > 1 {
				assert.Contains(t, err.Error(), "link: CreateToken: gave up after 3 attempts: ")
			} else {
				assert.Same(t, perr, errors.Unwrap(err), "a reply that is not retried is the *Error itself, under the method's name")
				assert.Equal(t, "link: CreateToken: "+perr.Error(), err.Error())
			}

			exSrv, exN := countingServer(t, reply(tt.status, tt.body))
			_, err = exchange(newTestClient(t, exSrv.URL))
			assert.Equal(t, tt.exchange, exN.Load(), "single-use call")
			assert.Equal(t, tt.unknown, errors.Is(err, ErrOutcomeUnknown), "%v", err)
			var exErr *Error
			require.ErrorAs(t, err, &exErr, "the *Error is reachable whatever wraps it")
			assert.Equal(t, tt.status, exErr.HTTPStatus)
		})
	}
}

func TestIsErrorCodeAndRetryable(t *testing.T) {
	perr := &Error{ErrorType: ErrorTypeInvalidInput, ErrorCode: ErrorCodeInvalidPublicToken, HTTPStatus: 400}
	assert.True(t, IsErrorCode(perr, ErrorCodeInvalidPublicToken))
	assert.True(t, IsErrorCode(fmtWrap(perr), ErrorCodeInvalidPublicToken), "through wrapping")
	assert.False(t, IsErrorCode(perr, ErrorCodeInvalidLinkToken))
	assert.False(t, IsErrorCode(errors.New("INVALID_PUBLIC_TOKEN"), ErrorCodeInvalidPublicToken))
	assert.False(t, IsErrorCode(nil, ErrorCodeInvalidPublicToken))

	var nilErr *Error
	assert.False(t, nilErr.Retryable())
	assert.True(t, (&Error{ErrorType: ErrorTypeAPIError, ErrorCode: ErrorCodeInternalServerError, Status: Ptr(500)}).Retryable(),
		"an error from a webhook carries its status in the body")
	assert.False(t, (&Error{ErrorType: ErrorTypeItemError, ErrorCode: ErrorCodeItemLoginRequired, HTTPStatus: 503}).Retryable())

	// Unknown codes are kept as they came.
	c, mt := mockClient(t)
	mt.RegisterResponder(http.MethodPost, "https://plaid.test/link/token/get",
		httpmock.NewStringResponder(400, `{"error_type":"INVALID_INPUT","error_code":"BRAND_NEW_CODE","error_message":"m"}`))
	_, err := c.GetToken(context.Background(), &TokenGetRequest{LinkToken: testLink})
	assert.True(t, IsErrorCode(err, "BRAND_NEW_CODE"))
}

// TestExchangeTLSHandshakeFailures: a handshake that fails never reached Plaid. One that fails
// for an untrusted certificate is not retried (it would fail the same way); one that breaks off
// is.
func TestExchangeTLSHandshakeFailures(t *testing.T) {
	t.Run("untrusted certificate", func(t *testing.T) {
		var hits atomic.Int32
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
		srv.StartTLS()
		defer srv.Close()
		var raw Response
		_, err := exchange(newTestClient(t, srv.URL), WithResponseInto(&raw))
		require.Error(t, err)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown)
		assert.Equal(t, 1, raw.Attempts)
		assert.Equal(t, int32(0), hits.Load())

		// Nor is a repeatable call: it would fail the same way.
		_, err = newTestClient(t, srv.URL).CreateToken(context.Background(), tokenCreateRequest(), WithResponseInto(&raw))
		var certErr *tls.CertificateVerificationError
		require.ErrorAs(t, err, &certErr)
		assert.Equal(t, 1, raw.Attempts)
		assert.Equal(t, int32(0), hits.Load())
	})
	t.Run("handshake cut off", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer l.Close()
		var accepted atomic.Int32
		go func() {
			for {
				conn, err := l.Accept()
				if err != nil {
					return
				}
				accepted.Add(1)
				_ = conn.Close() // before any TLS byte
			}
		}()
		var raw Response
		_, err = exchange(newTestClient(t, "https://"+l.Addr().String()), WithResponseInto(&raw))
		require.Error(t, err)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown)
		assert.Equal(t, 3, raw.Attempts, "retried: no connection was made")
		assert.Contains(t, err.Error(), "gave up after 3 attempts")
	})
	t.Run("plain connection closed after accept", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer l.Close()
		go func() {
			for {
				conn, err := l.Accept()
				if err != nil {
					return
				}
				_, _ = conn.Read(make([]byte, 4096)) // the request arrives
				_ = conn.Close()
			}
		}()
		var raw Response
		_, err = exchange(newTestClient(t, "http://"+l.Addr().String()), WithResponseInto(&raw))
		require.ErrorIs(t, err, ErrOutcomeUnknown, "the connection was made and the request sent")
		assert.Equal(t, 1, raw.Attempts)
	})
}

// TestAttemptTimeoutsUntilRetriesRunOut: every attempt timed out while the caller's context was
// alive: the error names the attempts and matches ErrAttemptTimeout, not DeadlineExceeded.
func TestAttemptTimeoutsUntilRetriesRunOut(t *testing.T) {
	script := attemptScript(heldUntilAttemptEnds)
	_, err := newTestClient(t, "https://plaid.test", script.client(), WithTimeout(20*time.Millisecond)).GetToken(
		context.Background(), &TokenGetRequest{LinkToken: testLink})
	require.ErrorIs(t, err, ErrAttemptTimeout)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, "link: GetToken: gave up after 3 attempts: attempt timed out after 20ms (the per-attempt timeout)", err.Error())
	assert.Equal(t, int32(3), script.n.Load())
}

// scriptedAttempts is an http.RoundTripper that answers the attempts of calls in this process, in
// turn (the last step answers every later attempt), and counts them. No network is involved, so
// the test, not how fast the machine sends a request or a reply, decides which attempts time out:
// heldUntilAttemptEnds times out whatever the per-attempt timeout, and a step that answers
// answers in full however late, since nothing here watches the attempt's context.
type scriptedAttempts struct {
	steps []func(*http.Request) (*http.Response, error)
	n     atomic.Int32
}

func attemptScript(steps ...func(*http.Request) (*http.Response, error)) *scriptedAttempts {
	return &scriptedAttempts{steps: steps}
}

func (s *scriptedAttempts) RoundTrip(req *http.Request) (*http.Response, error) {
	i := int(s.n.Add(1)) - 1
	return s.steps[min(i, len(s.steps)-1)](req)
}

// client is the Option sending a Client's requests to s.
func (s *scriptedAttempts) client() Option {
	return WithHTTPClient(&http.Client{Transport: s})
}

// heldUntilAttemptEnds is a server that has the request and never answers: the attempt ends when
// its context does, with the error net/http returns then.
func heldUntilAttemptEnds(req *http.Request) (*http.Response, error) {
	<-req.Context().Done()
	return nil, req.Context().Err()
}

// endingReader is the rest of a reply body that never comes: Read fails with err, or, when err is
// nil, with the attempt's context's error once the attempt ends, as net/http's body does.
type endingReader struct {
	ctx context.Context
	err error
}

func (r *endingReader) Read([]byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	<-r.ctx.Done()
	return 0, r.ctx.Err()
}

// answer is a step answering at once with status and body.
func answer(status int, body string) func(*http.Request) (*http.Response, error) {
	return func(req *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		reply(status, body)(rec)
		resp := rec.Result()
		resp.Request = req
		return resp, nil
	}
}

// stallingServer answers nothing until the client gives up (or the test ends), and counts the
// requests.
func stallingServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	release := make(chan struct{})
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // before Close, which waits for handlers
	return srv, &n
}

// TestExchangeContextEndedAfterSending: the caller's context ended while the exchange was in
// flight: the error says both that the context ended and that the outcome is unknown.
func TestExchangeContextEndedAfterSending(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The caller gives up once the request is with the server.
	script := attemptScript(func(req *http.Request) (*http.Response, error) {
		cancel()
		return heldUntilAttemptEnds(req)
	})
	_, err := newTestClient(t, "https://plaid.test", script.client()).ExchangePublicToken(ctx,
		&ItemPublicTokenExchangeRequest{PublicToken: testPublic})
	require.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.NotErrorIs(t, err, ErrAttemptTimeout)
	assert.Equal(t, int32(1), script.n.Load())
}

// TestForcedRetriesExhaustedAfterAnAmbiguousAttempt: the message names the attempts once.
func TestForcedRetriesExhaustedAfterAnAmbiguousAttempt(t *testing.T) {
	srv, n := countingServer(t, reply(504, "gateway timeout"))
	_, err := exchange(newTestClient(t, srv.URL, WithMaxRetries(1)), WithUnsafeRetries())
	assert.Equal(t, int32(2), n.Load())
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, "link: ExchangePublicToken: outcome unknown after 2 attempts: "), msg)
	assert.True(t, strings.HasSuffix(msg, ": HTTP 504: not a Plaid error: gateway timeout"), msg)
	assert.NotContains(t, msg, "gave up")
	var perr *Error
	require.ErrorAs(t, err, &perr)
	assert.Equal(t, 504, perr.HTTPStatus)
}

// TestSuccessBodyCutOff: a 2xx body that broke off in transit (the connection closed early, or the
// attempt timeout) is a connection failure: a repeatable call is sent again, the exchange is not.
// A 2xx body that arrived whole but malformed is not sent again.
func TestSuccessBodyCutOff(t *testing.T) {
	// A 200 whose body breaks off after its first bytes: with err once the connection closed
	// (net/http's error for a body shorter than its Content-Length), or when the attempt ends.
	cutOff := func(err error) func(*http.Request) (*http.Response, error) {
		return func(req *http.Request) (*http.Response, error) {
			resp, _ := answer(200, `{"link_token":"link-sa`)(req)
			resp.ContentLength = 500
			resp.Body = io.NopCloser(io.MultiReader(resp.Body, &endingReader{ctx: req.Context(), err: err}))
			return resp, nil
		}
	}
	tests := []struct {
		name       string
		first      func(*http.Request) (*http.Response, error)
		repeatable int32 // requests a CreateToken makes: the first fails, the second succeeds
		wantErr    string
	}{
		{"connection closed mid-body", cutOff(io.ErrUnexpectedEOF), 2, ""},
		{"attempt timeout mid-body", cutOff(nil), 2, ""},
		{"malformed body", answer(200, `{"request_id":7}`), 1,
			"link: CreateToken: decoding HTTP 200 response: field request_id: a JSON number cannot be a Go string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script := attemptScript(tt.first, answer(200, tokenCreateReply))
			n := &script.n
			// Short: only the stalled attempt waits for it, and the answered one is answered in
			// full whatever it is.
			c := newTestClient(t, "https://plaid.test", script.client(), WithTimeout(20*time.Millisecond))

			var raw Response
			resp, err := c.CreateToken(context.Background(), tokenCreateRequest(), WithResponseInto(&raw))
			assert.Equal(t, tt.repeatable, n.Load())
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, testLink, resp.LinkToken)
				assert.Equal(t, 2, raw.Attempts)
			} else {
				require.EqualError(t, err, tt.wantErr)
			}

			// The exchange, whose 2xx means it happened, is never sent again.
			n.Store(0)
			_, err = exchange(c)
			assert.Equal(t, int32(1), n.Load())
			require.ErrorIs(t, err, ErrOutcomeUnknown)
		})
	}
}

// TestSlowCreateTokenIsRetried: an attempt past the per-attempt timeout is sent again for a call
// whose repeat does no harm (a second link token), and the call succeeds.
func TestSlowCreateTokenIsRetried(t *testing.T) {
	// The first attempt is still being worked on when the client gives up on it.
	script := attemptScript(heldUntilAttemptEnds, answer(200, tokenCreateReply))
	var raw Response
	resp, err := newTestClient(t, "https://plaid.test", script.client(), WithTimeout(20*time.Millisecond)).CreateToken(
		context.Background(), tokenCreateRequest(), WithResponseInto(&raw))
	require.NoError(t, err)
	assert.Equal(t, testLink, resp.LinkToken)
	assert.Equal(t, int32(2), script.n.Load())
	assert.Equal(t, 2, raw.Attempts)
}
