package link

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// headerServer answers replies[i] to the i-th request, like countingServer, and records the
// value of header on each request.
func headerServer(t *testing.T, header string, replies ...func(w http.ResponseWriter)) (*httptest.Server, func() []string) {
	t.Helper()
	var (
		mu   sync.Mutex
		seen []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get(header))
		i := len(seen) - 1
		mu.Unlock()
		replies[min(i, len(replies)-1)](w)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

func TestWithHeaderIsSentOnEveryAttempt(t *testing.T) {
	srv, seen := headerServer(t, "X-Gateway-Key", reply(500, internalError), reply(200, tokenCreateReply))
	c := newTestClient(t, srv.URL, WithHeader("x-gateway-key", "first"), WithHeader("X-GATEWAY-KEY", "client"))
	_, err := c.CreateToken(context.Background(), tokenCreateRequest())
	require.NoError(t, err)
	assert.Equal(t, []string{"client", "client"}, seen(), "the last value for a key wins, on every attempt")

	_, err = c.CreateToken(context.Background(), tokenCreateRequest(), WithHeader("X-Gateway-Key", "call"))
	require.NoError(t, err)
	_, err = c.CreateToken(context.Background(), tokenCreateRequest())
	require.NoError(t, err)
	assert.Equal(t, []string{"client", "client", "call", "client"}, seen(),
		"a per-call header overrides the Client's for that call alone")
}

func TestWithHeaderRefusesWhatTheClientSets(t *testing.T) {
	for _, key := range []string{"PLAID-CLIENT-ID", "plaid-secret", "Plaid-Version", "content-type", "User-Agent", "Host", "Content-Length"} {
		_, err := NewClient(testClientID, testSecret, WithHeader(key, "v"))
		require.Error(t, err, key)
		assert.Contains(t, err.Error(), "link: NewClient: WithHeader(\""+key+"\", ...): ", key)
		assert.Contains(t, err.Error(), "cannot be replaced", key)
	}
	for _, key := range []string{"", "Bad Header", "X:Y", "X\nY"} {
		_, err := NewClient(testClientID, testSecret, WithHeader(key, "v"))
		require.Error(t, err, key)
		assert.Contains(t, err.Error(), "not a valid header name", key)
	}
	_, err := NewClient(testClientID, testSecret, WithHeader("X-Key", "my-key\r\nX-Evil: 1"))
	require.Error(t, err)
	assert.Equal(t, "link: NewClient: WithHeader(\"X-Key\", ...): the value contains characters not allowed in an HTTP header", err.Error())

	srv, seen := headerServer(t, "Plaid-Secret", reply(200, tokenCreateReply))
	c := newTestClient(t, srv.URL)
	_, err = c.CreateToken(context.Background(), tokenCreateRequest(), WithHeader("PLAID-SECRET", "other"))
	require.Error(t, err)
	assert.Equal(t, "link: CreateToken: WithHeader(\"PLAID-SECRET\", ...): Plaid-Secret is set by the Client and cannot be replaced "+
		"(it carries the secret given to NewClient)", err.Error())
	assert.Empty(t, seen(), "a call with a refused option sends nothing")
}

// recordingMiddleware logs, under name, each request it sees and each reply's status.
func recordingMiddleware(name string, log *[]string) Middleware {
	return func(req *http.Request, next MiddlewareNext) (*http.Response, error) {
		*log = append(*log, name+" > "+req.URL.Path)
		resp, err := next(req)
		if err != nil {
			*log = append(*log, name+" < error")
		} else {
			*log = append(*log, name+" < "+resp.Status[:3])
		}
		return resp, err
	}
}

func TestMiddlewareRunsOncePerAttemptInOrder(t *testing.T) {
	srv, _ := countingServer(t, reply(500, internalError), reply(429, rateLimited), reply(200, tokenCreateReply))
	var log []string
	c := newTestClient(t, srv.URL, WithMiddleware(recordingMiddleware("a", &log), recordingMiddleware("b", &log)))
	_, err := c.CreateToken(context.Background(), tokenCreateRequest(), WithMiddleware(recordingMiddleware("call", &log)))
	require.NoError(t, err)
	var want []string
	for _, status := range []string{"500", "429", "200"} {
		want = append(want, "a > /link/token/create", "b > /link/token/create", "call > /link/token/create",
			"call < "+status, "b < "+status, "a < "+status)
	}
	assert.Equal(t, want, log, "the Client's middleware first, then the call's, around each of the three attempts")
}

func TestMiddlewareSeesTheRequestAsSent(t *testing.T) {
	srv, seen := headerServer(t, "X-Trace", reply(200, tokenCreateReply))
	var got http.Header
	mw := func(req *http.Request, next MiddlewareNext) (*http.Response, error) {
		got = req.Header.Clone()
		req.Header.Set("X-Trace", "t-1")
		return next(req)
	}
	c := newTestClient(t, srv.URL, WithHeader("X-Gateway", "g"), WithMiddleware(mw))
	_, err := c.CreateToken(context.Background(), tokenCreateRequest())
	require.NoError(t, err)
	assert.Equal(t, testClientID, got.Get("PLAID-CLIENT-ID"), "the request carries the credentials, as documented")
	assert.Equal(t, "g", got.Get("X-Gateway"))
	assert.Equal(t, "application/json", got.Get("Content-Type"))
	assert.Equal(t, []string{"t-1"}, seen(), "a header a middleware sets is sent")
}

// TestMiddlewareChangingAHeaderValueChangesThatRequestAlone: a request's header values are its
// own, so a middleware that writes into them in place reaches no other request.
func TestMiddlewareChangingAHeaderValueChangesThatRequestAlone(t *testing.T) {
	srv, seen := headerServer(t, "User-Agent", reply(200, tokenCreateReply))
	rewrite := func(req *http.Request, next MiddlewareNext) (*http.Response, error) {
		req.Header["User-Agent"][0] = "rewritten"
		return next(req)
	}
	c := newTestClient(t, srv.URL)
	_, err := c.CreateToken(context.Background(), tokenCreateRequest(), WithMiddleware(rewrite))
	require.NoError(t, err)
	_, err = c.CreateToken(context.Background(), tokenCreateRequest())
	require.NoError(t, err)
	assert.Equal(t, []string{"rewritten", userAgent}, seen())
}

func TestMiddlewareErrors(t *testing.T) {
	srv, n := countingServer(t, reply(200, tokenCreateReply))
	c := newTestClient(t, srv.URL, WithMaxRetries(0))
	refuse := func(*http.Request, MiddlewareNext) (*http.Response, error) {
		return nil, errors.New("refused by policy")
	}
	_, err := c.CreateToken(context.Background(), tokenCreateRequest(), WithMiddleware(refuse))
	require.Error(t, err)
	assert.Equal(t, `link: CreateToken: Post "`+srv.URL+`/link/token/create": refused by policy`, err.Error(),
		"a middleware's error reads as a connection error does")

	nothing := func(*http.Request, MiddlewareNext) (*http.Response, error) { return nil, nil }
	_, err = c.CreateToken(context.Background(), tokenCreateRequest(), WithMiddleware(nothing))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "middleware returned neither a response nor an error")
	assert.Equal(t, int32(0), n.Load(), "neither middleware called next")

	_, err = NewClient(testClientID, testSecret, WithMiddleware())
	assert.EqualError(t, err, "link: NewClient: WithMiddleware(): no middleware given")
	_, err = NewClient(testClientID, testSecret, WithMiddleware(refuse, nil))
	assert.EqualError(t, err, "link: NewClient: WithMiddleware: middleware 2 of 2 is nil")
}

type ctxKey struct{}

func TestCallWrapperRunsOncePerCallAroundEveryAttempt(t *testing.T) {
	srv, _ := countingServer(t, reply(500, internalError), reply(200, tokenCreateReply))
	var (
		log       []string
		attemptOf []any
	)
	wrapper := func(name string) CallWrapper {
		return func(ctx context.Context, op string, call func(context.Context) error) error {
			log = append(log, name+" begin "+op)
			err := call(context.WithValue(ctx, ctxKey{}, name))
			log = append(log, name+" end")
			return err
		}
	}
	seeCtx := func(req *http.Request, next MiddlewareNext) (*http.Response, error) {
		attemptOf = append(attemptOf, req.Context().Value(ctxKey{}))
		return next(req)
	}
	c := newTestClient(t, srv.URL, WithCallWrapper(wrapper("outer")), WithMiddleware(seeCtx))
	_, err := c.CreateToken(context.Background(), tokenCreateRequest(), WithCallWrapper(wrapper("inner")))
	require.NoError(t, err)
	assert.Equal(t, []string{"outer begin CreateToken", "inner begin CreateToken", "inner end", "outer end"}, log)
	assert.Equal(t, []any{"inner", "inner"}, attemptOf, "each attempt's request context derives from the innermost wrapper's")

	var gotErr error
	observe := func(ctx context.Context, op string, call func(context.Context) error) error {
		gotErr = call(ctx)
		return gotErr
	}
	_, err = c.GetToken(context.Background(), &TokenGetRequest{LinkToken: testLink}, WithCallWrapper(observe), WithMaxRetries(0),
		WithMiddleware(func(*http.Request, MiddlewareNext) (*http.Response, error) { return nil, errors.New("down") }))
	require.Error(t, err)
	assert.Equal(t, `link: GetToken: Post "`+srv.URL+`/link/token/get": down`, err.Error())
	require.Error(t, gotErr, "the wrapper sees the call's error")
	assert.Equal(t, `Post "`+srv.URL+`/link/token/get": down`, gotErr.Error())

	skip := func(context.Context, string, func(context.Context) error) error { return nil }
	_, err = c.GetToken(context.Background(), &TokenGetRequest{LinkToken: testLink}, WithCallWrapper(skip))
	assert.EqualError(t, err, "link: GetToken: a CallWrapper returned without making the call")

	_, err = NewClient(testClientID, testSecret, WithCallWrapper(nil))
	assert.EqualError(t, err, "link: NewClient: WithCallWrapper(nil): the wrapper must not be nil")
}

func TestWithOptionsAppliesEach(t *testing.T) {
	srv, seen := headerServer(t, "X-A", reply(200, tokenCreateReply))
	c := newTestClient(t, srv.URL, WithOptions(WithHeader("X-A", "1"), WithMaxRetries(0)))
	assert.Equal(t, 0, c.cfg.maxRetries)
	_, err := c.CreateToken(context.Background(), tokenCreateRequest())
	require.NoError(t, err)
	assert.Equal(t, []string{"1"}, seen())
	_, err = NewClient(testClientID, testSecret, WithOptions(WithMaxRetries(-1)))
	assert.EqualError(t, err, "link: NewClient: WithOptions: WithMaxRetries(-1): the count must not be negative")
}

func TestWithRetryBackoff(t *testing.T) {
	// An hour-long Retry-After would hang the test if WithRetryBackoff(0, 0) did not cap it.
	srv, n := countingServer(t, reply(429, rateLimited, "Retry-After", "3600"), reply(200, tokenCreateReply))
	c, err := NewClient(testClientID, testSecret, WithBaseURL(srv.URL), WithRetryBackoff(0, 0))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = c.CreateToken(ctx, tokenCreateRequest())
	require.NoError(t, err)
	assert.Equal(t, int32(2), n.Load())

	for _, bad := range [][2]time.Duration{{-1, 0}, {2 * time.Second, time.Second}} {
		_, err := NewClient(testClientID, testSecret, WithRetryBackoff(bad[0], bad[1]))
		require.Error(t, err)
		assert.EqualError(t, err, fmt.Sprintf("link: NewClient: WithRetryBackoff(%v, %v): want 0 <= min <= max", bad[0], bad[1]))
	}
	c, err = NewClient(testClientID, testSecret)
	require.NoError(t, err)
	assert.Equal(t, 500*time.Millisecond, c.cfg.pacing.BackoffMin, "the documented defaults")
	assert.Equal(t, 8*time.Second, c.cfg.pacing.BackoffMax)
	assert.Equal(t, 30*time.Second, c.cfg.pacing.RetryAfterMax)
}

func TestAttemptReplyOf(t *testing.T) {
	srv, _ := countingServer(t, reply(400, `{"error_type":"INVALID_INPUT","error_code":"INVALID_PUBLIC_TOKEN","error_message":"m `+
		testSecret+`","request_id":"r-`+strings.ToUpper(testSecret)+`"}`), reply(200, tokenCreateReply))
	var got []AttemptReply
	var bodies []string
	mw := func(req *http.Request, next MiddlewareNext) (*http.Response, error) {
		resp, err := next(req)
		if err == nil {
			r, ok := AttemptReplyOf(resp)
			require.True(t, ok)
			got = append(got, r)
			b, _ := io.ReadAll(resp.Body)
			bodies = append(bodies, string(b))
		}
		return resp, err
	}
	c := newTestClient(t, srv.URL, WithMiddleware(mw))
	_, err := exchange(c)
	require.Error(t, err)
	_, err = c.CreateToken(context.Background(), tokenCreateRequest())
	require.NoError(t, err)
	assert.Equal(t, []AttemptReply{
		{RequestID: "r-[REDACTED]", ErrorType: ErrorTypeInvalidInput, ErrorCode: ErrorCodeInvalidPublicToken},
		{RequestID: "XQVgFigpGHXkb0b"},
	}, got, "masked, as every value from the server")
	assert.Equal(t, []string{"", ""}, bodies, "the Client has read the body")

	_, ok := AttemptReplyOf(&http.Response{StatusCode: 200, Request: httptest.NewRequest("GET", "/", nil)})
	assert.False(t, ok, "a response that is not an attempt's")
	_, ok = AttemptReplyOf(nil)
	assert.False(t, ok)
}
