package linktest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
)

func TestFailNextThenRetrySucceeds(t *testing.T) {
	s := newServer(t)
	s.FailNext(linktest.PathTokenCreate, 2, http.StatusInternalServerError, nil)

	// Without retries the first failure is the answer.
	_, err := s.Client().CreateToken(context.Background(), tokenRequest())
	perr := plaidErr(t, err)
	assert.Equal(t, link.ErrorTypeAPIError, perr.ErrorType)
	assert.Equal(t, link.ErrorCodeInternalServerError, perr.ErrorCode)
	assert.Equal(t, http.StatusInternalServerError, perr.HTTPStatus)

	// One failure is left; a client with retries gets through on its second attempt. Queue one
	// more so that it succeeds on the third.
	s.FailNext(linktest.PathTokenCreate, 1, http.StatusInternalServerError, nil)
	tok, err := s.Client(link.WithMaxRetries(2)).CreateToken(context.Background(), tokenRequest())
	require.NoError(t, err)
	assert.NotEmpty(t, tok.LinkToken)
}

func TestFailNextRetriedOnThirdAttempt(t *testing.T) {
	s := newServer(t)
	s.FailNext(linktest.PathTokenCreate, 2, http.StatusInternalServerError, nil)
	// A path without its slash works too. The error must be one the client does not retry: an
	// API_ERROR is retried whatever its status.
	s.FailNext("link/token/get", 1, http.StatusBadRequest, &link.Error{ErrorType: link.ErrorTypeInvalidRequest,
		ErrorCode: link.ErrorCodeInvalidField, ErrorMessage: "bad field"})

	c := s.Client(link.WithMaxRetries(2))
	tok, err := c.CreateToken(context.Background(), tokenRequest())
	require.NoError(t, err, "two 500s, then success on the third attempt")
	assert.Regexp(t, `^link-sandbox-`, tok.LinkToken)

	// Faults are per path: the token endpoint's queue is used up, /link/token/get has its own.
	_, err = c.GetToken(context.Background(), &link.TokenGetRequest{LinkToken: tok.LinkToken})
	perr := plaidErr(t, err)
	assert.Equal(t, http.StatusBadRequest, perr.HTTPStatus)
	_, err = c.GetToken(context.Background(), &link.TokenGetRequest{LinkToken: tok.LinkToken})
	require.NoError(t, err)
}

func TestFailNextWithCustomError(t *testing.T) {
	s := newServer(t)
	s.FailNext(linktest.PathPublicTokenExchange, 1, http.StatusTooManyRequests, &link.Error{
		ErrorType:      link.ErrorTypeRateLimitExceeded,
		ErrorCode:      link.ErrorCodeRateLimit,
		ErrorMessage:   "rate limit exceeded",
		DisplayMessage: "Too many attempts. Try again later.",
	})
	r := rawPost(t, s, linktest.PathPublicTokenExchange, map[string]any{"public_token": "public-sandbox-x"})
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, string(link.ErrorTypeRateLimitExceeded), r.body["error_type"])
	assert.Equal(t, string(link.ErrorCodeRateLimit), r.body["error_code"])
	assert.Equal(t, "Too many attempts. Try again later.", r.body["display_message"])
	assert.Regexp(t, `^[A-Za-z0-9]{15}$`, r.body["request_id"])

	// The fault is used up; the next request is answered normally.
	r = rawPost(t, s, linktest.PathPublicTokenExchange, map[string]any{"public_token": "public-sandbox-x"})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, string(link.ErrorCodeInvalidPublicToken), r.body["error_code"])

	s.FailNext(linktest.PathTokenGet, 5, http.StatusInternalServerError, nil)
	s.ClearFaults()
	r = rawPost(t, s, linktest.PathTokenGet, map[string]any{"link_token": "x"})
	assert.Equal(t, string(link.ErrorCodeInvalidLinkToken), r.body["error_code"])
}

func TestDelayNextHitsClientTimeout(t *testing.T) {
	s := linktest.NewServer()
	s.DelayNext(linktest.PathTokenCreate, 1, 5*time.Second)

	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := s.Client().CreateToken(ctx, tokenRequest())
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "got %v", err)
	assert.Less(t, time.Since(began), 3*time.Second, "the server gives up when the client does")

	// With a per-attempt timeout option instead of a context deadline.
	s.DelayNext(linktest.PathTokenCreate, 1, 5*time.Second)
	began = time.Now()
	_, err = s.Client(link.WithTimeout(100*time.Millisecond)).CreateToken(context.Background(), tokenRequest())
	require.Error(t, err)
	assert.Less(t, time.Since(began), 3*time.Second)

	// A short delay only slows the answer down.
	s.DelayNext(linktest.PathTokenCreate, 1, 50*time.Millisecond)
	began = time.Now()
	_, err = s.Client().CreateToken(context.Background(), tokenRequest())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(began), 50*time.Millisecond)

	// The delayed handlers ended with their clients, so nothing holds Close up.
	began = time.Now()
	s.Close()
	assert.Less(t, time.Since(began), 2*time.Second)
}

// A mistyped path is a programming error that would make the fault never fire, so it panics with
// a message naming it, as httptest does on misuse.
func TestFaultsOnUnknownPathPanic(t *testing.T) {
	s := newServer(t)
	assert.PanicsWithValue(t,
		`linktest: FailNext: the server serves no endpoint at "/link/token/creat"; use one of the linktest.Path constants`,
		func() { s.FailNext("/link/token/creat", 1, http.StatusInternalServerError, nil) })
	assert.PanicsWithValue(t,
		`linktest: DelayNext: the server serves no endpoint at "/hl/abc"; use one of the linktest.Path constants`,
		func() { s.DelayNext("/hl/abc", 1, time.Second) })
	assert.Panics(t, func() { s.DelayNext("/nope", 1, 0) }, "checked even when the delay is ignored")

	// Nothing was queued, so a real request is served normally.
	_, err := s.Client().CreateToken(context.Background(), tokenRequest())
	require.NoError(t, err)
}

// A fault is used by the next request the endpoint serves, not by one it answers 404.
func TestFaultNotUsedByRequestsTheEndpointDoesNotServe(t *testing.T) {
	s := newServer(t)
	s.FailNext(linktest.PathTokenGet, 1, http.StatusServiceUnavailable, nil)

	r := rawDo(t, s, http.MethodGet, linktest.PathTokenGet, nil, nil)
	requirePlaidErrorBody(t, r, http.StatusNotFound, link.ErrorTypeInvalidRequest, link.ErrorCodeNotFound)
	r = rawDo(t, s, http.MethodPut, linktest.PathTokenGet, map[string]any{"link_token": "x"}, nil)
	requirePlaidErrorBody(t, r, http.StatusNotFound, link.ErrorTypeInvalidRequest, link.ErrorCodeNotFound)
	assert.Equal(t, 1, linktest.QueuedFaults(s, linktest.PathTokenGet))

	r = rawPost(t, s, linktest.PathTokenGet, map[string]any{"link_token": "x"})
	requirePlaidErrorBody(t, r, http.StatusServiceUnavailable, link.ErrorTypeAPIError, link.ErrorCodeInternalServerError)
	r = rawPost(t, s, linktest.PathTokenGet, map[string]any{"link_token": "x"})
	requirePlaidErrorBody(t, r, http.StatusBadRequest, link.ErrorTypeInvalidInput, link.ErrorCodeInvalidLinkToken)
}

// Close does not wait out a delay that a client without a timeout is still waiting for: the
// delayed request is answered 503 at once.
func TestCloseEndsInjectedDelay(t *testing.T) {
	s := linktest.NewServer()
	defer s.Close()
	s.DelayNext(linktest.PathTokenGet, 1, 10*time.Second)

	type result struct {
		status int
		body   map[string]any
		err    error
	}
	done := make(chan result, 1)
	go func() {
		var res result
		defer func() { done <- res }()
		req, err := http.NewRequest(http.MethodPost, s.URL+linktest.PathTokenGet, strings.NewReader(`{"link_token":"x"}`))
		if err != nil {
			res.err = err
			return
		}
		req.Header.Set("PLAID-CLIENT-ID", s.ClientID())
		req.Header.Set("PLAID-SECRET", s.Secret())
		resp, err := (&http.Client{}).Do(req) // no timeout: only the server can end the wait
		if err != nil {
			res.err = err
			return
		}
		defer resp.Body.Close()
		res.status = resp.StatusCode
		res.err = json.NewDecoder(resp.Body).Decode(&res.body)
	}()

	// The request has arrived once it has taken its fault.
	require.Eventually(t, func() bool { return linktest.QueuedFaults(s, linktest.PathTokenGet) == 0 },
		5*time.Second, 5*time.Millisecond)

	began := time.Now()
	s.Close()
	assert.Less(t, time.Since(began), 3*time.Second, "Close must not wait out the 10s delay")

	res := <-done
	require.NoError(t, res.err)
	assert.Equal(t, http.StatusServiceUnavailable, res.status)
	assert.Equal(t, string(link.ErrorTypeAPIError), res.body["error_type"])
	assert.Equal(t, string(link.ErrorCodeInternalServerError), res.body["error_code"])
	s.Close() // a second Close is harmless
}
