package link

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
	testLink     = "link-sandbox-af1a0311-da53-4636-b754-dd15cc058176"
)

// fastRetries keeps retry tests quick: millisecond backoff, Retry-After capped at 80ms.
func fastRetries() Option {
	return func(c *config) error {
		c.pacing.BackoffMin = time.Millisecond
		c.pacing.BackoffMax = 2 * time.Millisecond
		c.pacing.RetryAfterMax = 80 * time.Millisecond
		return nil
	}
}

func newTestClient(t *testing.T, baseURL string, opts ...Option) *Client {
	t.Helper()
	c, err := NewClient(testClientID, testSecret, append([]Option{WithBaseURL(baseURL), fastRetries()}, opts...)...)
	require.NoError(t, err)
	return c
}

// mockClient returns a Client whose requests go to an httpmock transport.
func mockClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	c := newTestClient(t, "https://plaid.test", append([]Option{WithHTTPClient(&http.Client{Transport: mt})}, opts...)...)
	return c, mt
}

func tokenCreateRequest() *TokenCreateRequest {
	return &TokenCreateRequest{
		ClientName:   "Plaid Test App",
		Language:     LanguageEnglish,
		CountryCodes: []CountryCode{CountryCodeUS},
		User:         &TokenCreateRequestUser{ClientUserID: "user-good"},
		Products:     []Product{ProductAuth},
	}
}

const tokenCreateReply = `{"link_token":"` + testLink + `","expiration":"2024-07-29T22:22:36Z","request_id":"XQVgFigpGHXkb0b"}`

func TestNewClientRefusesBadInput(t *testing.T) {
	tests := []struct {
		name     string
		id, sec  string
		opts     []Option
		contains string
	}{
		{"empty client id", "", testSecret, nil, "client ID is required"},
		{"blank secret", testClientID, "  ", nil, "secret is required"},
		{"control character in secret", testClientID, "abc\r\nX-Evil: 1", nil, "secret contains characters"},
		{"unknown environment", testClientID, testSecret, []Option{WithEnvironment("development")}, "unknown environment"},
		{"unparseable base URL", testClientID, testSecret, []Option{WithBaseURL("http://[::1")}, "WithBaseURL"},
		{"relative base URL", testClientID, testSecret, []Option{WithBaseURL("/v1")}, "scheme must be http or https"},
		{"ftp base URL", testClientID, testSecret, []Option{WithBaseURL("ftp://plaid.test")}, "scheme must be http or https"},
		{"base URL without host", testClientID, testSecret, []Option{WithBaseURL("https://")}, "host is missing"},
		{"base URL with query", testClientID, testSecret, []Option{WithBaseURL("https://plaid.test/?a=b")}, "query or fragment"},
		{"base URL with user", testClientID, testSecret, []Option{WithBaseURL("https://u:p@plaid.test")}, "user information"},
		{"http to a remote host", testClientID, testSecret, []Option{WithBaseURL("http://proxy.internal:8080")}, "plain http is allowed only for loopback hosts"},
		{"http to a name that merely starts with localhost", testClientID, testSecret, []Option{WithBaseURL("http://localhost.evil.example")}, "plain http is allowed only for loopback hosts"},
		{"http to a name embedding a loopback IP", testClientID, testSecret, []Option{WithBaseURL("http://127.0.0.1.nip.io")}, "plain http is allowed only for loopback hosts"},
		{"http to the unspecified address", testClientID, testSecret, []Option{WithBaseURL("http://0.0.0.0:8080")}, "plain http is allowed only for loopback hosts"},
		{"http to a public IP", testClientID, testSecret, []Option{WithBaseURL("http://203.0.113.7")}, "plain http is allowed only for loopback hosts"},
		{"nil http client", testClientID, testSecret, []Option{WithHTTPClient(nil)}, "WithHTTPClient(nil): the client must not be nil"},
		{"negative retries", testClientID, testSecret, []Option{WithMaxRetries(-1)}, "WithMaxRetries(-1): the count must not be negative"},
		{"negative timeout", testClientID, testSecret, []Option{WithTimeout(-time.Second)}, "WithTimeout(-1s): the timeout must not be negative"},
		{"nil logger", testClientID, testSecret, []Option{WithLogger(nil)}, "WithLogger(nil): the logger must not be nil"},
		{"empty plaid version", testClientID, testSecret, []Option{WithPlaidVersion("")}, "WithPlaidVersion"},
		{"empty user agent", testClientID, testSecret, []Option{WithUserAgent(" ")}, "WithUserAgent"},
		{"user agent with newline", testClientID, testSecret, []Option{WithUserAgent("a\nb")}, "WithUserAgent"},
		{"nil option", testClientID, testSecret, []Option{nil}, "option 1 of 1 is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.id, tt.sec, tt.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.Contains(t, err.Error(), tt.contains)
			assert.NotContains(t, err.Error(), "abc\r\n", "a credential is never echoed")
		})
	}
}

func TestNewClientDefaults(t *testing.T) {
	mt := httpmock.NewMockTransport()
	var got *http.Request
	mt.RegisterResponder(http.MethodPost, "https://sandbox.plaid.com/link/token/create", func(r *http.Request) (*http.Response, error) {
		got = r
		return httpmock.NewStringResponse(200, tokenCreateReply), nil
	})
	c, err := NewClient(testClientID, testSecret, WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)
	_, err = c.CreateToken(context.Background(), tokenCreateRequest())
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, "2020-09-14", got.Header.Get("Plaid-Version"))
	assert.Equal(t, "plaidlink-go/"+Version, got.Header.Get("User-Agent"))
	assert.Equal(t, "plaidlink-go/0.1.0", got.Header.Get("User-Agent"))
}

func TestOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    []Option
		wantURL string
		wantUA  string
		wantVer string
	}{
		{"production", []Option{WithEnvironment(Production)}, "https://production.plaid.com/item/public_token/exchange", "plaidlink-go/0.1.0", "2020-09-14"},
		{"sandbox", []Option{WithEnvironment(Production), WithEnvironment(Sandbox)}, "https://sandbox.plaid.com/item/public_token/exchange", "plaidlink-go/0.1.0", "2020-09-14"},
		{"base URL with prefix", []Option{WithBaseURL("https://proxy.internal:8080/plaid/")}, "https://proxy.internal:8080/plaid/item/public_token/exchange", "plaidlink-go/0.1.0", "2020-09-14"},
		{"http to localhost", []Option{WithBaseURL("http://LocalHost:8080")}, "http://LocalHost:8080/item/public_token/exchange", "plaidlink-go/0.1.0", "2020-09-14"},
		{"http to 127.0.0.0/8", []Option{WithBaseURL("http://127.3.2.1:9/v1")}, "http://127.3.2.1:9/v1/item/public_token/exchange", "plaidlink-go/0.1.0", "2020-09-14"},
		{"http to ::1", []Option{WithBaseURL("http://[::1]:9")}, "http://[::1]:9/item/public_token/exchange", "plaidlink-go/0.1.0", "2020-09-14"},
		{"version and user agent", []Option{WithPlaidVersion("2020-09-14-beta"), WithUserAgent("myapp/1.2")}, "https://sandbox.plaid.com/item/public_token/exchange", "myapp/1.2 plaidlink-go/0.1.0", "2020-09-14-beta"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mt := httpmock.NewMockTransport()
			var got *http.Request
			mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
				got = r
				return httpmock.NewStringResponse(200, `{"access_token":"`+testAccess+`","item_id":"item-1","request_id":"r"}`), nil
			})
			c, err := NewClient(testClientID, testSecret, append(tt.opts, WithHTTPClient(&http.Client{Transport: mt}))...)
			require.NoError(t, err)
			resp, err := c.ExchangePublicToken(context.Background(), &ItemPublicTokenExchangeRequest{PublicToken: testPublic})
			require.NoError(t, err)
			assert.Equal(t, testAccess, resp.AccessToken)
			require.NotNil(t, got)
			assert.Equal(t, tt.wantURL, got.URL.String())
			assert.Equal(t, tt.wantUA, got.Header.Get("User-Agent"))
			assert.Equal(t, tt.wantVer, got.Header.Get("Plaid-Version"))
		})
	}
}

func TestNilClient(t *testing.T) {
	var nilClient *Client
	_, err := nilClient.CreateToken(context.Background(), tokenCreateRequest())
	require.ErrorIs(t, err, ErrNilClient)
	assert.Equal(t, "link: CreateToken: nil Client: create one with NewClient", err.Error(), "one link: prefix")

	_, err = (&Client{}).GetToken(context.Background(), &TokenGetRequest{LinkToken: testLink})
	require.ErrorIs(t, err, ErrNilClient)
	assert.Equal(t, "link: GetToken: nil Client: create one with NewClient", err.Error(), "not link: GetToken: link: nil Client")

	// Every method, on a nil and on a zero Client, names itself once, with one "link:".
	ctx := context.Background()
	calls := map[string]func(c *Client) error{
		"CreateToken": func(c *Client) error { _, err := c.CreateToken(ctx, tokenCreateRequest()); return err },
		"GetToken":    func(c *Client) error { _, err := c.GetToken(ctx, &TokenGetRequest{LinkToken: testLink}); return err },
		"ExchangePublicToken": func(c *Client) error {
			_, err := c.ExchangePublicToken(ctx, &ItemPublicTokenExchangeRequest{PublicToken: testPublic})
			return err
		},
		"CreateSandboxPublicToken": func(c *Client) error {
			_, err := c.CreateSandboxPublicToken(ctx, &SandboxPublicTokenCreateRequest{InstitutionID: "ins_109508",
				InitialProducts: []Product{ProductAuth}})
			return err
		},
		"ResetSandboxItemLogin": func(c *Client) error {
			_, err := c.ResetSandboxItemLogin(ctx, &SandboxItemResetLoginRequest{AccessToken: testAccess})
			return err
		},
		"CreateSessionToken": func(c *Client) error {
			_, err := c.CreateSessionToken(ctx, &SessionTokenCreateRequest{TemplateID: "template_4uinBNe4B2x9",
				User: &SessionTokenCreateRequestUser{ClientUserID: "user-1"}})
			return err
		},
		"GetWebhookVerificationKey": func(c *Client) error {
			_, err := c.GetWebhookVerificationKey(ctx, &WebhookVerificationKeyGetRequest{KeyID: "6c5516e1-92dc-479e-a8ff-5a51992e0001"})
			return err
		},
	}
	for method, call := range calls {
		for _, c := range []*Client{nil, {}} {
			err := call(c)
			require.ErrorIs(t, err, ErrNilClient, method)
			assert.Equal(t, "link: "+method+": nil Client: create one with NewClient", err.Error())
		}
	}
}

func TestNilContextIsAnError(t *testing.T) {
	c, mt := mockClient(t)
	var ctx context.Context
	_, err := c.CreateToken(ctx, tokenCreateRequest())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "link: CreateToken:")
	assert.Equal(t, 0, mt.GetTotalCallCount())
}

func TestPtr(t *testing.T) {
	b := Ptr(false)
	require.NotNil(t, b)
	assert.False(t, *b)
	assert.Equal(t, 90, *Ptr(90))
}

// countingServer serves replies[i] to the i-th request (the last one repeats) and counts them.
func countingServer(t *testing.T, replies ...func(w http.ResponseWriter)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		replies[min(i, len(replies)-1)](w)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func reply(status int, body string, headers ...string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

const internalError = `{"error_type":"API_ERROR","error_code":"INTERNAL_SERVER_ERROR","error_message":"an unexpected error occurred","display_message":null,"request_id":"r500"}`

func TestRetriesServerErrorsThenSucceeds(t *testing.T) {
	srv, n := countingServer(t, reply(500, internalError), reply(500, internalError), reply(200, tokenCreateReply))
	resp, err := newTestClient(t, srv.URL).CreateToken(context.Background(), tokenCreateRequest())
	require.NoError(t, err)
	assert.Equal(t, testLink, resp.LinkToken)
	assert.Equal(t, "XQVgFigpGHXkb0b", resp.RequestID)
	assert.Equal(t, int32(3), n.Load())
}

func TestGivesUpAfterMaxRetries(t *testing.T) {
	srv, n := countingServer(t, reply(503, internalError))
	_, err := newTestClient(t, srv.URL, WithMaxRetries(1)).CreateToken(context.Background(), tokenCreateRequest())
	var perr *Error
	require.ErrorAs(t, err, &perr)
	assert.Equal(t, 503, perr.HTTPStatus)
	assert.Equal(t, ErrorCodeInternalServerError, perr.ErrorCode)
	assert.Equal(t, int32(2), n.Load())
	assert.Equal(t, "link: CreateToken: gave up after 2 attempts: API_ERROR INTERNAL_SERVER_ERROR (HTTP 503): "+
		"an unexpected error occurred [request_id=r500]", err.Error())
}

func TestRetryAfterIsHonoured(t *testing.T) {
	rateLimited := `{"error_type":"RATE_LIMIT_EXCEEDED","error_code":"RATE_LIMIT","error_message":"rate limit exceeded","request_id":"r429"}`
	// An hour: a wait that was not capped would outlast the test by far.
	srv, n := countingServer(t, reply(429, rateLimited, "Retry-After", "3600"), reply(200, tokenCreateReply))
	start := time.Now()
	resp, err := newTestClient(t, srv.URL).CreateToken(context.Background(), tokenCreateRequest())
	elapsed := time.Since(start)
	require.NoError(t, err)
	assert.Equal(t, testLink, resp.LinkToken)
	assert.Equal(t, int32(2), n.Load())
	// fastRetries backs off for about a millisecond; only Retry-After (capped at 80ms) explains more.
	assert.GreaterOrEqual(t, elapsed, 80*time.Millisecond)
	assert.Less(t, elapsed, 30*time.Second, "Retry-After is capped")
}

func TestInvalidFieldIsNotRetried(t *testing.T) {
	body := `{"error_type":"INVALID_REQUEST","error_code":"INVALID_FIELD","error_code_reason":null,
		"error_message":"client_name must be a non-empty string","display_message":null,
		"request_id":"Nnclj9HntPMu5dm","causes":[],"status":400,
		"documentation_url":"https://plaid.com/docs/errors/invalid-request/#invalid_field",
		"suggested_action":null}`
	srv, n := countingServer(t, reply(400, body))
	_, err := newTestClient(t, srv.URL).CreateToken(context.Background(), tokenCreateRequest())
	assert.Equal(t, int32(1), n.Load())

	var perr *Error
	require.ErrorAs(t, fmtWrap(err), &perr)
	assert.Equal(t, &Error{
		ErrorType:        ErrorTypeInvalidRequest,
		ErrorCode:        ErrorCodeInvalidField,
		ErrorMessage:     "client_name must be a non-empty string",
		RequestID:        "Nnclj9HntPMu5dm",
		Causes:           []json.RawMessage{},
		Status:           Ptr(400),
		DocumentationURL: "https://plaid.com/docs/errors/invalid-request/#invalid_field",
		HTTPStatus:       400,
	}, perr)
	assert.Equal(t, "link: CreateToken: INVALID_REQUEST INVALID_FIELD (HTTP 400): client_name must be a non-empty string [request_id=Nnclj9HntPMu5dm]", err.Error())
}

// TestConnectionResetIsRetried serves the first request by closing its connection unanswered.
func TestConnectionResetIsRetried(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return // the retry count assertion below reports it
			}
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // reset rather than close politely
			}
			_ = conn.Close()
			return
		}
		reply(200, tokenCreateReply)(w)
	}))
	defer srv.Close()

	resp, err := newTestClient(t, srv.URL).CreateToken(context.Background(), tokenCreateRequest())
	require.NoError(t, err)
	assert.Equal(t, testLink, resp.LinkToken)
	assert.Equal(t, int32(2), n.Load())
}

func TestContextEndingDuringBackoff(t *testing.T) {
	srv, n := countingServer(t, reply(500, internalError))
	slow := func(c *config) error {
		c.pacing.BackoffMin, c.pacing.BackoffMax = time.Minute, time.Minute
		return nil
	}
	// The context ends when the client logs that it will wait to retry: during the backoff,
	// whatever the machine's speed.
	var endWait func()
	c := newTestClient(t, srv.URL, slow, WithLogger(ctxtest.OnLog("plaid: retryable failure", func() { endWait() })))

	ctx, end := ctxtest.Deadline(context.Background())
	endWait = end
	start := time.Now()
	_, err := c.CreateToken(ctx, tokenCreateRequest())
	assert.Less(t, time.Since(start), 30*time.Second, "the minute-long wait ended with the context")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "link: CreateToken: waiting to retry after attempt 1:")
	assert.Equal(t, int32(1), n.Load())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	endWait = cancel
	_, err = c.GetToken(ctx, &TokenGetRequest{LinkToken: testLink})
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "waiting to retry after attempt 1:")
	assert.Equal(t, int32(2), n.Load(), "one attempt each")
}

func TestTimeoutFromHTTPClientIsKept(t *testing.T) {
	srv, _ := stallingServer(t)

	c := newTestClient(t, srv.URL, WithHTTPClient(&http.Client{Timeout: 50 * time.Millisecond}), WithMaxRetries(0))
	start := time.Now()
	_, err := c.CreateToken(context.Background(), tokenCreateRequest())
	require.Error(t, err)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.ErrorIs(t, err, ErrAttemptTimeout)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's context had no deadline")
}

// TestSequentialCallsReuseOneConnection checks that every body, an error's included, is drained
// and closed: twenty calls, one TCP connection.
func TestSequentialCallsReuseOneConnection(t *testing.T) {
	var n atomic.Int32
	srv, newConns := conncount.Server(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%5 == 0 {
			reply(400, `{"error_type":"INVALID_INPUT","error_code":"INVALID_LINK_TOKEN","error_message":"`+strings.Repeat("x", 8000)+`"}`)(w)
			return
		}
		reply(200, tokenCreateReply+"\n")(w)
	})

	c := newTestClient(t, srv.URL)
	for i := 1; i <= 20; i++ {
		_, err := c.CreateToken(context.Background(), tokenCreateRequest())
		if i%5 == 0 {
			var perr *Error
			require.ErrorAs(t, err, &perr)
		} else {
			require.NoError(t, err)
		}
	}
	assert.Equal(t, int32(20), n.Load())
	assert.Equal(t, int32(1), newConns.Load())
}

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

// TestRedirectBecomesAnError: Plaid never redirects, so a 3xx is reported as it came, and the host
// it points at never sees the credentials.
func TestRedirectBecomesAnError(t *testing.T) {
	other, otherHits := countingServer(t, reply(200, tokenCreateReply))
	srv, _ := countingServer(t, reply(http.StatusTemporaryRedirect, `<a href="elsewhere">Temporary Redirect</a>`,
		"Location", other.URL+"/link/token/create", "X-Request-Id", "hdr-307"))

	_, err := newTestClient(t, srv.URL).CreateToken(context.Background(), tokenCreateRequest())
	var perr *Error
	require.ErrorAs(t, err, &perr)
	assert.Equal(t, http.StatusTemporaryRedirect, perr.HTTPStatus)
	assert.Equal(t, `<a href="elsewhere">Temporary Redirect</a>`, perr.RawBody)
	assert.Equal(t, `link: CreateToken: HTTP 307: not a Plaid error: <a href="elsewhere">Temporary Redirect</a> [request_id=hdr-307]`, err.Error())
	assert.Equal(t, int32(0), otherHits.Load())
}

// TestNoSecretsInLogsOrErrors runs success, retry and error paths with a debug logger, and a
// server that echoes tokens and credentials back, and looks for them everywhere.
func TestNoSecretsInLogsOrErrors(t *testing.T) {
	echoing := `<html>bad gateway for ` + testSecret + ` ` + testClientID + ` ` + testAccess + `</html>`
	srv, _ := countingServer(t,
		// Retried even for the exchange: rate limiting says nothing was done. Retry-After echoes.
		reply(429, `{"error_type":"RATE_LIMIT_EXCEEDED","error_code":"RATE_LIMIT","request_id":"`+testSecret+`"}`,
			"Retry-After", testSecret, "X-Request-Id", strings.ToUpper(testClientID)),
		reply(200, `{"access_token":"`+testAccess+`","item_id":"i","request_id":"ok1"}`),
		reply(400, `{"error_type":"INVALID_INPUT","error_code":"INVALID_ACCESS_TOKEN","error_message":"bad token `+testAccess+` / `+testPublic+`","request_id":"e1"}`),
		reply(502, echoing),
		reply(502, echoing), // retried
		// A Plaid-shaped error that echoes the credentials in every text field.
		reply(401, `{"error_type":"INVALID_INPUT `+testClientID+`","error_code":"INVALID_API_KEYS",`+
			`"error_message":"invalid client_id or secret provided: `+testClientID+` / `+testSecret+`",`+
			`"display_message":"secret `+testSecret+`","suggested_action":"check `+testClientID+`",`+
			`"causes":[{"error_message":"`+testSecret+`"}],"request_id":"e401"}`),
	)
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newTestClient(t, srv.URL, WithLogger(logger), WithMaxRetries(1))

	var errs []string
	resp, err := c.ExchangePublicToken(context.Background(), &ItemPublicTokenExchangeRequest{PublicToken: testPublic})
	require.NoError(t, err)
	assert.Equal(t, testAccess, resp.AccessToken, "the response itself is not redacted")
	_, err = c.ResetSandboxItemLogin(context.Background(), &SandboxItemResetLoginRequest{AccessToken: testAccess})
	require.Error(t, err)
	errs = append(errs, err.Error())
	_, err = c.ResetSandboxItemLogin(context.Background(), &SandboxItemResetLoginRequest{AccessToken: testAccess})
	var perr *Error
	require.ErrorAs(t, err, &perr)
	assert.Equal(t, 502, perr.HTTPStatus)
	errs = append(errs, err.Error(), perr.RawBody)
	_, err = c.CreateToken(context.Background(), &TokenCreateRequest{AccessToken: testAccess})
	require.Error(t, err)
	errs = append(errs, err.Error())
	_, err = c.GetToken(context.Background(), &TokenGetRequest{LinkToken: testLink})
	require.ErrorAs(t, err, &perr)
	assert.Equal(t, ErrorCodeInvalidAPIKeys, perr.ErrorCode)
	assert.Equal(t, "invalid client_id or secret provided: [REDACTED] / [REDACTED]", perr.ErrorMessage)
	assert.Equal(t, "e401", perr.RequestID)
	errs = append(errs, err.Error(), fmt.Sprintf("%+v", *perr))
	b, err := json.Marshal(perr)
	require.NoError(t, err)
	errs = append(errs, string(b))

	out := logs.String()
	assert.Contains(t, out, "path=/item/public_token/exchange")
	assert.Contains(t, out, "status=429")
	assert.Contains(t, out, "request_id=ok1")
	assert.Contains(t, out, "attempt=2")
	for _, s := range append(errs, out) {
		for _, secret := range []string{testAccess, testPublic} {
			assert.NotContains(t, s, secret)
		}
		for _, cred := range []string{testSecret, testClientID} {
			for i := 0; i+10 <= len(cred); i++ {
				assert.NotContains(t, strings.ToLower(s), cred[i:i+10], "no piece of a credential, in any case")
			}
		}
	}
}

func TestWithoutLoggerNothingIsLogged(t *testing.T) {
	var logs syncBuffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(prev)

	srv, _ := countingServer(t, reply(500, internalError), reply(200, tokenCreateReply))
	_, err := newTestClient(t, srv.URL).CreateToken(context.Background(), tokenCreateRequest())
	require.NoError(t, err)
	assert.Empty(t, logs.String())
}

// fmtWrap wraps err the way calling code does, to show errors.As still finds the *Error.
func fmtWrap(err error) error {
	if err == nil {
		return nil
	}
	return errors.Join(errors.New("creating link token"), err)
}
