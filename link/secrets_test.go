package link

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsonEscape writes every character of s as a \u escape, as a server may.
func jsonEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

// leaks returns the 10-character pieces of the client ID and secret that text contains, in any case.
func leaks(text string) []string {
	var found []string
	lower := strings.ToLower(text)
	for _, cred := range []string{testClientID, testSecret} {
		for i := 0; i+10 <= len(cred); i++ {
			if p := strings.ToLower(cred[i : i+10]); strings.Contains(lower, p) {
				found = append(found, p)
			}
		}
	}
	return found
}

// replyCall is one call against a mocked server that answers status, header values and body;
// it returns every text the call produced that may end up in a log.
func replyCall(t testing.TB, status int, headerValue, body string, exchangeCall bool) []string {
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		for _, k := range []string{"X-Request-Id", "Plaid-Request-Id", "Retry-After", "X-Echo"} {
			resp.Header[k] = []string{headerValue}
		}
		return resp, nil
	})
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := NewClient(testClientID, testSecret, WithBaseURL("https://plaid.test"), fastRetries(),
		WithHTTPClient(&http.Client{Transport: mt}), WithLogger(logger), WithMaxRetries(1))
	require.NoError(t, err)
	var raw Response
	if exchangeCall {
		// Per-call options that change how the request is sent: its masking is checked too.
		_, err = c.ExchangePublicToken(context.Background(), &ItemPublicTokenExchangeRequest{PublicToken: testPublic},
			WithResponseInto(&raw), WithUserAgent("fuzz/1"), WithTimeout(time.Minute))
	} else {
		req := tokenCreateRequest()
		req.AccessToken = testAccess // update mode: the request carries a token of its own
		_, err = c.CreateToken(context.Background(), req, WithResponseInto(&raw))
	}
	texts := []string{logs.String(), raw.RequestID, fmt.Sprint(raw.Header)}
	for e := err; e != nil; e = errors.Unwrap(e) {
		b, jerr := json.Marshal(e)
		require.NoError(t, jerr, "an error always marshals")
		texts = append(texts, e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e), string(b))
	}
	if err != nil {
		var perr *Error
		if errors.As(err, &perr) {
			pb, jerr := json.Marshal(perr)
			require.NoError(t, jerr)
			texts = append(texts, string(pb), fmt.Sprintf("%#v", *perr), fmt.Sprintf("%+v", *perr), perr.RequestID, perr.RawBody)
		}
	}
	return texts
}

func TestServerValuesAreMasked(t *testing.T) {
	upperID := strings.ToUpper(testClientID)
	tests := []struct {
		name   string
		status int
		header string
		body   string
	}{
		{"headers echo the secret", 503, testSecret, ""},
		{"headers echo the upper-case client id", 400, upperID, `{"error_type":"INVALID_INPUT","error_code":"X"}`},
		{"2xx request_id is the secret", 200, "h", `{"link_token":"l","expiration":"2024-07-29T22:22:36Z","request_id":"` + testSecret + `"}`},
		{"date-time carries the secret", 200, "h", `{"link_token":"l","expiration":"2024-07-29T` + testSecret + `","request_id":"r"}`},
		{"date-time carries the client id", 200, "h", `{"link_token":"l","expiration":"` + testClientID + `","request_id":"r"}`},
		{"escaped in causes", 400, "h", `{"error_type":"ASSET_REPORT_ERROR","error_code":"X","causes":[{"m":"` + jsonEscape(testSecret) + `"}]}`},
		{"half escaped in the message", 400, "h", `{"error_type":"INVALID_INPUT","error_code":"X","error_message":"` +
			jsonEscape(testSecret[:5]) + testSecret[5:] + `"}`},
		{"pieces in a proxy page", 502, "h", "<p>" + testSecret[:12] + "</p><p>" + testClientID[12:] + "</p>"},
		{"number field holding the secret's digits", 200, "h", `{"link_token":7` + `}`},
	}
	for _, tt := range tests {
		for _, ex := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s exchange=%v", tt.name, ex), func(t *testing.T) {
				for _, text := range replyCall(t, tt.status, tt.header, tt.body, ex) {
					assert.Empty(t, leaks(text), text)
				}
			})
		}
	}
}

// TestDecodeErrorNamesTheField: a 2xx body that fails to decode is described by its field and
// the reason, never by its value (time.ParseError quotes most of it).
func TestDecodeErrorNamesTheField(t *testing.T) {
	c, mt := mockClient(t)
	mt.RegisterResponder(http.MethodPost, "https://plaid.test/link/token/create", httpmock.NewStringResponder(200,
		`{"link_token":"l","expiration":"2024-07-29Tnot-a-time","request_id":"r"}`))
	_, err := c.CreateToken(context.Background(), tokenCreateRequest())
	require.Error(t, err)
	assert.Equal(t, `link: CreateToken: decoding HTTP 200 response: field expiration: not a valid time in layout `+
		`"2006-01-02T15:04:05Z07:00" (value withheld)`, err.Error())
	assert.NotContains(t, err.Error(), "not-a-time")
}

// FuzzServerReply: whatever a server answers (status, header values, body, or raw bytes on the
// socket: status lines, header lines, lengths and chunk sizes), no 10-character piece of the
// client ID, the secret or the call's own token (in any case, after any character, or as its bare
// identifier) reaches an error's text, its %+v or %#v, its JSON, any error of its chain, the
// Response of WithResponseInto (but RawJSON), or a debug log record.
func FuzzServerReply(f *testing.F) {
	seeds := []struct {
		status int
		header string
		body   string
	}{
		{200, "rid", `{"link_token":"l","expiration":"2024-07-29T22:22:36Z","request_id":"` + testSecret + `"}`},
		{200, testClientID, `{"link_token":"l","expiration":"` + strings.ToUpper(testSecret) + `","request_id":"r"}`},
		{400, jsonEscape(testSecret), `{"error_type":"INVALID_INPUT","error_code":"` + testClientID + `","causes":[{"x":"` + jsonEscape(testSecret) + `"}]}`},
		{429, testSecret, `{"error_type":"RATE_LIMIT_EXCEEDED","error_code":"RATE_LIMIT","request_id":"` + testSecret[3:20] + `"}`},
		{502, "x", "<html>" + testSecret + "</html>"},
		{500, "x", `{"error_type":"API_ERROR","error_code":"INTERNAL_SERVER_ERROR","error_message":"` + testClientID + `"}`},
		// The echo scenarios, one by one: request ids and Retry-After in headers, a 2xx
		// request_id (escaped), a date-time holding a piece of the secret, \u escapes in causes,
		// lower case, and a proxy page after an exchange.
		{503, strings.ToLower(testSecret), ""},
		{200, "r", `{"link_token":"l","expiration":"2024-07-29T22:22:36Z","request_id":"` + jsonEscape(testClientID) + `"}`},
		{200, "r", `{"link_token":"l","expiration":"2024-07-29T` + testSecret[:15] + `","request_id":"r"}`},
		{400, "r", `{"error_type":"ASSET_REPORT_ERROR","error_code":"X","causes":[{"a":"` + jsonEscape(strings.ToUpper(testClientID)) + `"},"` + testSecret[10:] + `"]}`},
		{504, testClientID[:12], "<html>" + jsonEscape(testSecret) + "</html>"},
		// The call's own tokens, in any case, glued to what precedes them, and bare.
		{502, strings.ToUpper(testAccess), "<p>AcCeSs-sAnDbOx-" + accessID + " xpublic-sandbox-" + strings.ToUpper(publicID) + "</p>"},
		{400, "bad_" + testPublic, `{"error_type":"INVALID_INPUT","error_code":"X","error_message":"` + accessID + " " + publicID + `"}`},
		{200, publicID, `{"access_token":"","item_id":"` + accessID + `","request_id":"` + strings.ToUpper(publicID) + `"}`},
	}
	for _, s := range seeds {
		f.Add(s.status, s.header, s.body, false, "")
		f.Add(s.status, s.header, s.body, true, "")
	}
	for _, raw := range hostileRawReplies() {
		f.Add(0, "", "", false, raw)
		f.Add(0, "", "", true, raw)
	}
	f.Fuzz(func(t *testing.T, status int, header, body string, exchangeCall bool, raw string) {
		var texts []string
		if raw != "" {
			// A reply that never ends waits for the attempt timeout; whatever the outcome, the
			// check is the same, so a short one keeps the fuzzer moving.
			texts = hostileCall(t, rawServer(t, raw), exchangeCall, WithTimeout(2*time.Second))
		} else {
			if status < 100 || status > 599 || status == 101 {
				status = 200 + (status&0xff)%400
			}
			// Header values must be valid for net/http to carry them.
			header = strings.Map(func(r rune) rune {
				if r < 0x20 || r == 0x7f || r > 0x7e {
					return -1
				}
				return r
			}, header)
			texts = replyCall(t, status, header, body, exchangeCall)
		}
		for _, text := range texts {
			if l := credentialLeaks(text, exchangeCall); len(l) > 0 {
				t.Fatalf("leaked %q in %q", l, text)
			}
		}
	})
}
