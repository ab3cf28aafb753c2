package link

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The identifiers of the tokens the hostile calls send, which a server may echo alone.
var (
	accessID = strings.TrimPrefix(testAccess, "access-sandbox-")
	publicID = strings.TrimPrefix(testPublic, "public-sandbox-")
)

// credentialLeaks returns what text holds of a credential or of the call's own token: a
// 10-character piece of the client ID or secret, or of the token's identifier, in any case.
// (Another token's bare identifier is a UUID like any other: only a token's shape, which
// RedactTokens masks, or the call's knowing it, tells it from one.)
func credentialLeaks(text string, exchangeCall bool) []string {
	found := leaks(text)
	lower := strings.ToLower(text)
	id := accessID
	if exchangeCall {
		id = publicID
	}
	for i := 0; i+10 <= len(id); i++ {
		if p := id[i : i+10]; strings.Contains(lower, p) {
			found = append(found, p)
		}
	}
	return found
}

// rawServer answers every request with raw, written on the socket as it is, and closes the
// connection: a server that does not speak HTTP properly.
func rawServer(t testing.TB, raw string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				_, _ = io.Copy(io.Discard, req.Body)
				_, _ = io.WriteString(conn, raw)
			}()
		}
	}()
	return "http://" + l.Addr().String()
}

// hostileCall makes one call, CreateToken carrying an access token (update mode) or
// ExchangePublicToken, with opts, and returns every text it produced that may reach a log: the
// error's text, %+v, %#v and JSON, each error in its chain, the debug log, and the Response but
// its RawJSON.
func hostileCall(t testing.TB, baseURL string, exchangeCall bool, opts ...Option) []string {
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := NewClient(testClientID, testSecret, append([]Option{WithBaseURL(baseURL), WithRetryBackoff(0, 0),
		WithLogger(logger), WithMaxRetries(1)}, opts...)...)
	require.NoError(t, err)
	var raw Response
	if exchangeCall {
		_, err = c.ExchangePublicToken(context.Background(), &ItemPublicTokenExchangeRequest{PublicToken: testPublic},
			WithResponseInto(&raw))
	} else {
		req := tokenCreateRequest()
		req.AccessToken = testAccess
		_, err = c.CreateToken(context.Background(), req, WithResponseInto(&raw))
	}
	texts := []string{logs.String(), raw.RequestID, fmt.Sprint(raw.Header)}
	for e := err; e != nil; e = errors.Unwrap(e) {
		b, jerr := json.Marshal(e)
		require.NoError(t, jerr, "an error always marshals")
		texts = append(texts, e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e), string(b))
		var ue *url.Error
		if errors.As(e, &ue) {
			texts = append(texts, ue.URL)
		}
	}
	return texts
}

// The cases of a secret, and of the calls' tokens, a hostile server puts where net/http quotes it.
func hostileRawReplies() map[string]string {
	secretish := testSecret + "-" + testClientID + "-" + accessID + "-" + publicID
	return map[string]string{
		"malformed status line":     "HTTP/1.1 " + secretish + " OK\r\n\r\n",
		"status code out of range":  "HTTP/1.1 2000 " + secretish + "\r\nContent-Length: 0\r\n\r\n",
		"header line without colon": "HTTP/1.1 200 OK\r\n" + secretish + "\r\n\r\n",
		"bad Content-Length":        "HTTP/1.1 200 OK\r\nContent-Length: " + secretish + "\r\n\r\n",
		"bad Transfer-Encoding":     "HTTP/1.1 200 OK\r\nTransfer-Encoding: " + secretish + "\r\n\r\n",
		"bad chunk size":            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + secretish + "\r\n",
		"bad chunk extension":       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;" + secretish + "\r\nhello\r\n0\r\n\r\n",
		"two Content-Lengths":       "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: " + secretish + "\r\n\r\n",
		"tokens in any case in an HTML page": "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n" +
			"<p>ACCESS-SANDBOX-" + strings.ToUpper(accessID) + " AcCeSs-sAnDbOx-" + accessID + " bad_access-sandbox-" + accessID +
			" xpublic-sandbox-" + publicID + " bare " + accessID + " " + strings.ToUpper(publicID) + "</p>",
		"tokens in a header and a Plaid error": "HTTP/1.1 400 Bad Request\r\nX-Request-Id: " + strings.ToUpper(accessID) +
			"\r\nX-Echo: " + publicID + "\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n" +
			`{"error_type":"INVALID_INPUT","error_code":"X","error_message":"token ` + strings.ToUpper(publicID) +
			` or ` + accessID + `","request_id":"` + publicID + `"}`,
	}
}

// TestHostileRepliesLeakNoCredential: whatever a server writes on the socket, no credential and
// none of the call's tokens reach an error, its chain, a log or the Response.
func TestHostileRepliesLeakNoCredential(t *testing.T) {
	for name, raw := range hostileRawReplies() {
		srvURL := rawServer(t, raw)
		for _, ex := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s exchange=%v", name, ex), func(t *testing.T) {
				texts := hostileCall(t, srvURL, ex)
				for _, text := range texts {
					assert.Empty(t, credentialLeaks(text, ex), text)
				}
			})
		}
	}
}

// redirectingServer answers every request with a 302 to location.
func redirectingServer(t testing.TB, location string) string {
	return rawServer(t, "HTTP/1.1 302 Found\r\nLocation: "+location+"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
}

// TestRedirectURLsLeakNoCredential: with a caller's http.Client that follows redirects, neither a
// redirect to a URL carrying a secret nor an unparseable Location puts it in the error.
func TestRedirectURLsLeakNoCredential(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	deadAddr := closed.Addr().String()
	require.NoError(t, closed.Close())

	follow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	for name, location := range map[string]string{
		"to a dead host, secrets in the query": "http://" + deadAddr + "/?s=" + testSecret + "&c=" + testClientID +
			"&t=" + strings.ToUpper(testAccess) + "&p=" + publicID,
		"unparseable Location": "/%zz" + testSecret + testClientID + accessID + publicID,
	} {
		srvURL := redirectingServer(t, location)
		for _, ex := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s exchange=%v", name, ex), func(t *testing.T) {
				texts := hostileCall(t, srvURL, ex, WithHTTPClient(follow))
				require.NotEmpty(t, texts)
				for _, text := range texts {
					assert.Empty(t, credentialLeaks(text, ex), text)
				}
			})
		}
	}
}

// TestMaskedErrorsStillMatch: an error whose text had to be masked still says what it is:
// errors.As reaches the *url.Error (its URL masked), and ExchangePublicToken's is still an unknown
// outcome.
func TestMaskedErrorsStillMatch(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	deadAddr := closed.Addr().String()
	require.NoError(t, closed.Close())
	srvURL := redirectingServer(t, "http://"+deadAddr+"/?s="+testSecret)
	follow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	c := newTestClient(t, srvURL, WithHTTPClient(follow), WithMaxRetries(0))

	_, err = c.CreateToken(context.Background(), tokenCreateRequest())
	require.Error(t, err)
	var ue *url.Error
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, "http://"+deadAddr+"/?s=[REDACTED]", ue.URL)
	var opErr *net.OpError
	assert.ErrorAs(t, err, &opErr, "what did not need masking stays in the chain")

	srvURL = rawServer(t, "HTTP/1.1 "+testSecret+" OK\r\n\r\n")
	_, err = exchange(newTestClient(t, srvURL))
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	var re *RedactedError
	require.ErrorAs(t, err, &re)
	assert.Contains(t, re.Error(), "[REDACTED]")
	assert.NotContains(t, err.Error(), testSecret)
}

// TestEveryErrorTypeCanBeNamed: each error type a method's chain may hold is exported from link.
func TestEveryErrorTypeCanBeNamed(t *testing.T) {
	srv, _ := countingServer(t, reply(503, internalError))
	_, err := newTestClient(t, srv.URL).CreateToken(context.Background(), tokenCreateRequest())
	var (
		ce *CallError
		ee *ExhaustedError
		pe *Error
	)
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "CreateToken", ce.Method)
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 3, ee.Attempts)
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, ErrorCodeInternalServerError, pe.ErrorCode)

	_, err = exchange(newTestClient(t, srv.URL))
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	assert.Equal(t, 1, ou.Attempts)

	stall, _ := stallingServer(t)
	_, err = newTestClient(t, stall.URL, WithMaxRetries(0), WithTimeout(20e6)).GetToken(context.Background(),
		&TokenGetRequest{LinkToken: testLink})
	var at *AttemptTimeoutError
	require.ErrorAs(t, err, &at)
	assert.Equal(t, "20ms", at.After.String())
	assert.True(t, at.Timeout())

	refusal := errors.New("no redirects here")
	refuse := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return refusal }}
	_, err = newTestClient(t, redirectingServer(t, "/elsewhere"), WithHTTPClient(refuse)).GetToken(context.Background(),
		&TokenGetRequest{LinkToken: testLink})
	var rr *RedirectRefusedError
	require.ErrorAs(t, err, &rr)
	assert.ErrorIs(t, rr, refusal)
}

// TestErrorsNameTheirCallOnce: whatever failed, a method's error starts with "link: " and the
// method's name, and says "link:" once.
func TestErrorsNameTheirCallOnce(t *testing.T) {
	srv, _ := countingServer(t, reply(400, invalidPublic))
	c := newTestClient(t, srv.URL)
	var nilClient *Client
	_, nilErr := nilClient.GetToken(context.Background(), &TokenGetRequest{LinkToken: testLink})
	assert.ErrorIs(t, nilErr, ErrNilClient)
	_, plaidErr := exchange(c)
	assert.Equal(t, "link: ExchangePublicToken: INVALID_INPUT INVALID_PUBLIC_TOKEN (HTTP 400): provided public token is expired [request_id=rip]",
		plaidErr.Error())
	rl, _ := countingServer(t, reply(429, rateLimited))
	_, exhausted := newTestClient(t, rl.URL, WithMaxRetries(1)).CreateToken(context.Background(), tokenCreateRequest())
	_, validation := c.CreateToken(context.Background(), &TokenCreateRequest{})
	_, option := c.CreateToken(context.Background(), tokenCreateRequest(), WithMaxRetries(-1))
	for _, err := range []error{nilErr, plaidErr, exhausted, validation, option} {
		require.Error(t, err)
		msg := err.Error()
		assert.True(t, strings.HasPrefix(msg, "link: "), msg)
		assert.Equal(t, 1, strings.Count(msg, "link:"), msg)
	}
	assert.Equal(t, "link: GetToken: nil Client: create one with NewClient", nilErr.Error())
	assert.Equal(t, "link: CreateToken: WithMaxRetries(-1): the count must not be negative", option.Error())
}
