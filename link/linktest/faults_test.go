package linktest_test

import (
	"context"
	"errors"
	"net/http"
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
	assert.Equal(t, "INTERNAL_SERVER_ERROR", perr.ErrorCode)
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
	s.FailNext("link/token/get", 1, http.StatusBadRequest, nil) // a path without its slash works too

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
		ErrorCode:      "RATE_LIMIT",
		ErrorMessage:   "rate limit exceeded",
		DisplayMessage: "Too many attempts. Try again later.",
	})
	r := rawPost(t, s, linktest.PathPublicTokenExchange, map[string]any{"public_token": "public-sandbox-x"})
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, "RATE_LIMIT_EXCEEDED", r.body["error_type"])
	assert.Equal(t, "RATE_LIMIT", r.body["error_code"])
	assert.Equal(t, "Too many attempts. Try again later.", r.body["display_message"])
	assert.Regexp(t, `^[A-Za-z0-9]{15}$`, r.body["request_id"])

	// The fault is used up; the next request is answered normally.
	r = rawPost(t, s, linktest.PathPublicTokenExchange, map[string]any{"public_token": "public-sandbox-x"})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "INVALID_PUBLIC_TOKEN", r.body["error_code"])

	s.FailNext(linktest.PathTokenGet, 5, http.StatusInternalServerError, nil)
	s.ClearFaults()
	r = rawPost(t, s, linktest.PathTokenGet, map[string]any{"link_token": "x"})
	assert.Equal(t, "INVALID_LINK_TOKEN", r.body["error_code"])
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
