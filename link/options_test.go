package link

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/internal/conncount"
)

// TestPerCallOptionsOverrideForOneCall: an option given to a method applies to that call alone.
func TestPerCallOptionsOverrideForOneCall(t *testing.T) {
	srv, n := countingServer(t, reply(503, internalError))
	c := newTestClient(t, srv.URL) // 2 retries
	_, err := c.CreateToken(context.Background(), tokenCreateRequest(), WithMaxRetries(0))
	require.Error(t, err)
	assert.Equal(t, int32(1), n.Load(), "no retries for this call")
	_, err = c.CreateToken(context.Background(), tokenCreateRequest())
	require.Error(t, err)
	assert.Equal(t, int32(4), n.Load(), "the Client's setting is unchanged")

	// Options that change how requests are sent: base URL, headers, logger.
	other, otherN := countingServer(t, reply(200, tokenCreateReply))
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	resp, err := c.CreateToken(context.Background(), tokenCreateRequest(), WithBaseURL(other.URL),
		WithLogger(logger), WithUserAgent("percall/1"))
	require.NoError(t, err)
	assert.Equal(t, testLink, resp.LinkToken)
	assert.Equal(t, int32(1), otherN.Load())
	assert.Contains(t, logs.String(), "path=/link/token/create")
	_, _ = c.CreateToken(context.Background(), tokenCreateRequest(), WithMaxRetries(0))
	assert.Equal(t, int32(5), n.Load(), "the next call goes back to the Client's base URL")

	_, err = c.CreateToken(context.Background(), tokenCreateRequest(), WithMaxRetries(-1))
	require.EqualError(t, err, "link: CreateToken: WithMaxRetries(-1): the count must not be negative")
	_, err = c.GetToken(context.Background(), &TokenGetRequest{LinkToken: testLink}, nil)
	require.EqualError(t, err, "link: GetToken: option 1 of 1 is nil")
	assert.Equal(t, int32(5), n.Load(), "a bad option sends nothing")
}

// TestPerCallOptionsShareTheConnectionPool: a call with its own logger, timeout, base URL,
// Plaid-Version or User-Agent still reuses the Client's connections, and sends its own headers.
func TestPerCallOptionsShareTheConnectionPool(t *testing.T) {
	versions := make(chan string, 10)
	srv, conns := conncount.Server(t, func(w http.ResponseWriter, r *http.Request) {
		versions <- r.Header.Get("Plaid-Version") + " " + r.Header.Get("User-Agent")
		reply(200, tokenCreateReply)(w)
	})
	c := newTestClient(t, srv.URL)
	logger := slog.New(slog.DiscardHandler)
	for i := range 8 {
		var opts []Option
		want := DefaultPlaidVersion + " " + userAgent
		switch i % 4 {
		case 1:
			opts = []Option{WithLogger(logger), WithTimeout(time.Minute)}
		case 2:
			opts = []Option{WithMaxRetries(1)}
		case 3:
			opts = []Option{WithBaseURL(srv.URL), WithPlaidVersion("2099-01-01"), WithUserAgent("percall/1")}
			want = "2099-01-01 percall/1 " + userAgent
		}
		_, err := c.CreateToken(context.Background(), tokenCreateRequest(), opts...)
		require.NoError(t, err)
		assert.Equal(t, want, <-versions, "call %d", i)
	}
	assert.Equal(t, int32(1), conns.Load())

	// CloseIdleConnections drops the pooled connection: the next call opens a new one.
	c.CloseIdleConnections()
	_, err := c.CreateToken(context.Background(), tokenCreateRequest())
	require.NoError(t, err)
	assert.Equal(t, int32(2), conns.Load())
	var nilClient *Client
	nilClient.CloseIdleConnections() // harmless
}

func TestWithResponseInto(t *testing.T) {
	body := `{"link_token":"` + testLink + `","expiration":"2024-07-29T22:22:36Z","request_id":"XQVgFigpGHXkb0b",` +
		`"brand_new_field":{"a":null},"hosted_link_url":null}`
	srv, _ := countingServer(t, reply(503, "", "X-Request-Id", "first"),
		reply(200, body, "Plaid-Request-Id", "hdr-ok", "X-Echo", "sent "+testSecret, "Set-Cookie", "session=abc"))
	var raw Response
	resp, err := newTestClient(t, srv.URL).CreateToken(context.Background(), tokenCreateRequest(), WithResponseInto(&raw))
	require.NoError(t, err)
	assert.Equal(t, testLink, resp.LinkToken)
	assert.Equal(t, http.StatusOK, raw.StatusCode)
	assert.Equal(t, 2, raw.Attempts)
	assert.Equal(t, "XQVgFigpGHXkb0b", raw.RequestID)
	assert.Equal(t, body, string(raw.RawJSON), "byte for byte, nulls and unknown fields kept")
	assert.Equal(t, "hdr-ok", raw.Header.Get("Plaid-Request-Id"))
	assert.Equal(t, "sent [REDACTED]", raw.Header.Get("X-Echo"))
	assert.Equal(t, "[REDACTED]", raw.Header.Get("Set-Cookie"))

	// A failure fills it too.
	srv2, _ := countingServer(t, reply(400, invalidRequest, "X-Request-Id", "hdr-400"))
	_, err = newTestClient(t, srv2.URL).GetToken(context.Background(), &TokenGetRequest{LinkToken: testLink}, WithResponseInto(&raw))
	require.Error(t, err)
	assert.Equal(t, Response{StatusCode: 400, Header: raw.Header, RequestID: "rir", Attempts: 1, RawJSON: json.RawMessage(invalidRequest)}, raw)

	_, err = newTestClient(t, srv2.URL).GetToken(context.Background(), &TokenGetRequest{LinkToken: testLink}, WithResponseInto(nil))
	require.EqualError(t, err, "link: GetToken: WithResponseInto(nil): the Response must not be nil")
}

// TestOptionsNotForAMethodAreIgnored: WithUnsafeRetries means nothing to a repeatable call.
func TestOptionsNotForAMethodAreIgnored(t *testing.T) {
	srv, n := countingServer(t, reply(400, invalidRequest))
	_, err := newTestClient(t, srv.URL).CreateToken(context.Background(), tokenCreateRequest(), WithUnsafeRetries())
	assert.True(t, IsErrorCode(err, ErrorCodeInvalidField))
	assert.Equal(t, int32(1), n.Load())
}

func TestParseEnvironment(t *testing.T) {
	tests := []struct {
		in   string
		want Environment
	}{
		{"sandbox", Sandbox}, {"SANDBOX", Sandbox}, {" Sandbox ", Sandbox},
		{"production", Production}, {"Production", Production},
		{"https://sandbox.plaid.com", Sandbox}, {"https://production.plaid.com/", Production},
		{"HTTPS://PRODUCTION.PLAID.COM", Production},
	}
	for _, tt := range tests {
		got, err := ParseEnvironment(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
	for _, bad := range []string{"", "development", "prod", "https://development.plaid.com", "http://sandbox.plaid.com"} {
		got, err := ParseEnvironment(bad)
		require.Error(t, err, bad)
		assert.Empty(t, got)
		assert.Contains(t, err.Error(), "link: ParseEnvironment: unknown environment")
		assert.Contains(t, err.Error(), `"sandbox", "production"`)
	}
	env, err := ParseEnvironment("Production")
	require.NoError(t, err)
	_, err = NewClient(testClientID, testSecret, WithEnvironment(env))
	require.NoError(t, err)
}

// TestCrossOriginRedirectWithBodyIsRefused: a caller whose CheckRedirect follows everything still
// never sends the public token to another origin.
func TestCrossOriginRedirectWithBodyIsRefused(t *testing.T) {
	var otherHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		reply(200, exchangeReply)(w)
	}))
	defer other.Close()
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		srv, n := countingServer(t, func(w http.ResponseWriter) {
			w.Header().Set("Location", other.URL+"/item/public_token/exchange")
			w.WriteHeader(status)
		})
		hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
		c := newTestClient(t, srv.URL, WithHTTPClient(hc))
		_, err := exchange(c)
		require.ErrorIs(t, err, ErrCrossOriginRedirect)
		assert.ErrorIs(t, err, ErrOutcomeUnknown, "the first server did get the request")
		assert.Equal(t, int32(1), n.Load(), "a refused redirect is not retried")
		assert.Equal(t, int32(0), otherHits.Load())

		_, err = c.CreateToken(context.Background(), tokenCreateRequest())
		require.ErrorIs(t, err, ErrCrossOriginRedirect)
		assert.Equal(t, int32(2), n.Load(), "not retried either: it would be refused again")
		assert.Equal(t, int32(0), otherHits.Load())
	}
}

func TestProtectResultsOmittedWhenEmpty(t *testing.T) {
	in := `{"link_sessions":[{"link_session_id":"s","started_at":"2024-07-29T20:22:21Z","results":{"item_add_results":[]}}]}`
	var resp TokenGetResponse
	require.NoError(t, json.Unmarshal([]byte(in), &resp))
	out, err := json.Marshal(resp)
	require.NoError(t, err)
	assert.NotContains(t, string(out), "protect_results")
	assert.NotContains(t, string(out), "prism_products")

	withProtect := `{"event_id":"ev-1"}`
	require.NoError(t, json.Unmarshal([]byte(strings.Replace(in, `"item_add_results":[]`,
		`"item_add_results":[],"protect_results":`+withProtect, 1)), &resp))
	out, err = json.Marshal(resp)
	require.NoError(t, err)
	assert.Contains(t, string(out), `"protect_results":{"event_id":"ev-1"}`)

	req, err := json.Marshal(TokenCreateRequest{CRAOptions: &TokenCreateRequestCraOptions{PartnerInsights: &TokenCreateRequestCraOptionsPartnerInsights{}}})
	require.NoError(t, err)
	assert.NotContains(t, string(req), "prism_products")
}

// Every option given a value it cannot use makes NewClient, or the call it is given to, fail with
// an error naming the option and the value, before anything is sent; none is replaced by a
// default. No message carries a header's value, user information or a credential.
func TestOptionsRefuseBadValues(t *testing.T) {
	noop := func(req *http.Request, next MiddlewareNext) (*http.Response, error) { return next(req) }
	cases := []struct {
		opt  Option
		want string
	}{
		{WithEnvironment("https://development.plaid.com"), `WithEnvironment("https://development.plaid.com"): unknown environment (use link.Sandbox, link.Production, ParseEnvironment or WithBaseURL)`},
		{WithEnvironment(""), `WithEnvironment(""): unknown environment (use link.Sandbox, link.Production, ParseEnvironment or WithBaseURL)`},
		{WithBaseURL("ftp://plaid.test"), `WithBaseURL("ftp://plaid.test"): scheme must be http or https`},
		{WithBaseURL("https://"), `WithBaseURL("https://"): host is missing`},
		{WithBaseURL("https://plaid.test/#x"), `WithBaseURL("https://plaid.test/#x"): must not have a query or fragment`},
		{WithBaseURL("https://user:hunter2@plaid.test"), "WithBaseURL(...): the URL must not carry user information"},
		{WithBaseURL("http://user:hunter2@[::1"), "WithBaseURL(...): not a URL: missing ']' in host"},
		{WithBaseURL("http://plaid.test"), `WithBaseURL("http://plaid.test"): plain http is allowed only for loopback hosts (localhost, 127.0.0.0/8, ::1), since the secret travels with every request: use https`},
		{WithHTTPClient(nil), "WithHTTPClient(nil): the client must not be nil"},
		{WithMaxRetries(-1), "WithMaxRetries(-1): the count must not be negative"},
		{WithTimeout(-time.Second), "WithTimeout(-1s): the timeout must not be negative (0 removes the bound)"},
		{WithLogger(nil), "WithLogger(nil): the logger must not be nil"},
		{WithPlaidVersion(""), `WithPlaidVersion(""): not a valid version`},
		{WithPlaidVersion("2020-09-14\r\nX: 1"), `WithPlaidVersion("2020-09-14\r\nX: 1"): not a valid version`},
		{WithUserAgent(" "), `WithUserAgent(" "): not a valid User-Agent`},
		{WithUserAgent("app\n1"), `WithUserAgent("app\n1"): not a valid User-Agent`},
		{WithResponseInto(nil), "WithResponseInto(nil): the Response must not be nil"},
		{WithHeader("", "v"), `WithHeader("", ...): not a valid header name`},
		{WithHeader("X Key", "v"), `WithHeader("X Key", ...): not a valid header name`},
		{WithHeader("plaid-secret", "hunter2"), `WithHeader("plaid-secret", ...): Plaid-Secret is set by the Client and cannot be replaced (it carries the secret given to NewClient)`},
		{WithHeader("X-Key", "hunter2\r\n"), `WithHeader("X-Key", ...): the value contains characters not allowed in an HTTP header`},
		{WithMiddleware(), "WithMiddleware(): no middleware given"},
		{WithMiddleware(noop, nil), "WithMiddleware: middleware 2 of 2 is nil"},
		{WithCallWrapper(nil), "WithCallWrapper(nil): the wrapper must not be nil"},
		{WithRetryBackoff(-time.Second, time.Second), "WithRetryBackoff(-1s, 1s): want 0 <= min <= max"},
		{WithRetryBackoff(2*time.Second, time.Second), "WithRetryBackoff(2s, 1s): want 0 <= min <= max"},
		{WithPollInterval(0, time.Second), "WithPollInterval(0s, 1s): want 0 < first <= max"},
		{WithPollInterval(2*time.Second, time.Second), "WithPollInterval(2s, 1s): want 0 < first <= max"},
		{WithOptions(WithMaxRetries(1), nil), "WithOptions: option 2 of 2 is nil"},
		{WithOptions(WithTimeout(-1)), "WithOptions: WithTimeout(-1ns): the timeout must not be negative (0 removes the bound)"},
		{nil, "option 2 of 2 is nil"},
	}
	srv, n := countingServer(t, reply(200, tokenCreateReply))
	c := newTestClient(t, srv.URL)
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			got, err := NewClient(testClientID, testSecret, WithMaxRetries(1), tc.opt)
			assert.Nil(t, got)
			require.EqualError(t, err, "link: NewClient: "+tc.want)
			assert.NotContains(t, err.Error(), "hunter2")

			_, err = c.CreateToken(context.Background(), tokenCreateRequest(), WithMaxRetries(1), tc.opt)
			require.EqualError(t, err, "link: CreateToken: "+tc.want)
			_, err = c.WaitForSession(context.Background(), testLink, WithMaxRetries(1), tc.opt)
			require.EqualError(t, err, "link: WaitForSession: "+tc.want)
		})
	}
	assert.Zero(t, n.Load(), "a refused option sends nothing")

	// The first bad option is the one named.
	_, err := NewClient(testClientID, testSecret, WithMaxRetries(-2), WithLogger(nil))
	require.EqualError(t, err, "link: NewClient: WithMaxRetries(-2): the count must not be negative")

	// The edges are taken as given.
	_, err = NewClient(testClientID, testSecret, WithMaxRetries(0), WithTimeout(0), WithRetryBackoff(0, 0),
		WithPollInterval(time.Nanosecond, time.Nanosecond), WithOptions())
	require.NoError(t, err)
}
