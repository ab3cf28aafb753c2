package link

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExchangeReplyWithoutAResultIsNoSuccess: a 2xx exchange reply without a non-empty
// access_token and item_id, or whose body is a Plaid error, is an unknown outcome that says what
// came back, never a success with an empty access token.
func TestExchangeReplyWithoutAResultIsNoSuccess(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"empty object", `{}`, "HTTP 200 reply is not an exchange result: it has neither an access_token nor an item_id"},
		{"nulls", `{"access_token":null,"item_id":null,"request_id":"r1"}`,
			"HTTP 200 reply is not an exchange result: it has neither an access_token nor an item_id"},
		{"empty strings", `{"access_token":"","item_id":"  ","request_id":"r1"}`,
			"HTTP 200 reply is not an exchange result: it has neither an access_token nor an item_id"},
		{"no item_id", `{"access_token":"` + testAccess + `","request_id":"r1"}`,
			"HTTP 200 reply is not an exchange result: it has an access_token but no item_id"},
		{"no access_token", `{"item_id":"M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op","request_id":"r1"}`,
			"HTTP 200 reply is not an exchange result: it has an item_id but no access_token"},
		{"a Plaid error with a 200", `{"error_type":"INVALID_INPUT","error_code":"INVALID_PUBLIC_TOKEN","error_message":"bad ` +
			testPublic + `","request_id":"r2"}`,
			"HTTP 200 reply is a Plaid error, not an exchange result: INVALID_INPUT INVALID_PUBLIC_TOKEN (HTTP 200): bad " +
				"public-sandbox-[REDACTED] [request_id=r2]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, n := countingServer(t, reply(200, tt.body))
			for _, opts := range [][]Option{nil, {WithResponseInto(new(Response))}, {WithUnsafeRetries()}} {
				n.Store(0)
				resp, err := exchange(newTestClient(t, srv.URL), opts...)
				assert.Nil(t, resp)
				require.ErrorIs(t, err, ErrOutcomeUnknown)
				assert.Equal(t, int32(1), n.Load(), "a reply that arrived whole is not asked for again")
				msg := err.Error()
				assert.True(t, strings.HasPrefix(msg, "link: ExchangePublicToken: outcome unknown after 1 attempt: "), msg)
				assert.True(t, strings.HasSuffix(msg, ": "+tt.want), msg)
				assert.NotContains(t, msg, testAccess)
				assert.NotContains(t, msg, testPublic)
			}
		})
	}
}

// TestCompleteReplyIsKept: once an exchange reply's whole JSON has arrived, a stall (until the
// attempt timeout) or a reset after it does not throw it away: the access token is in it.
func TestCompleteReplyIsKept(t *testing.T) {
	resetAfterReply := func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		// A Content-Length longer than what follows: the body breaks off after the object.
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n" + exchangeReply)
		_ = buf.Flush()
		_ = conn.Close()
	}
	// The stall is in this process, so that the whole reply has arrived when the attempt times out
	// however slow the machine; the reset is over the network.
	stallAfterReply := attemptScript(func(req *http.Request) (*http.Response, error) {
		resp, _ := answer(200, exchangeReply)(req)
		resp.ContentLength = -1 // chunked: the client cannot know the body is over
		resp.Body = io.NopCloser(io.MultiReader(resp.Body, &endingReader{ctx: req.Context()}))
		return resp, nil
	})
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		resetAfterReply(w, r)
	}))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		name string
		base string
		opts []Option
		n    *atomic.Int32
	}{
		// Short: the attempt timeout is what ends the stall.
		{"stall", "https://plaid.test", []Option{stallAfterReply.client(), WithTimeout(100 * time.Millisecond)}, &stallAfterReply.n},
		{"reset", srv.URL, nil, &n},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.n
			newClient := func() *Client {
				return newTestClient(t, tc.base, tc.opts...)
			}
			var raw Response
			resp, err := exchange(newClient(), WithResponseInto(&raw))
			require.NoError(t, err)
			assert.Equal(t, testAccess, resp.AccessToken)
			assert.Equal(t, "M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op", resp.ItemID)
			assert.Equal(t, int32(1), n.Load())
			assert.JSONEq(t, exchangeReply, string(raw.RawJSON))

			// A repeatable call keeps it too, rather than asking again.
			n.Store(0)
			_, err = newClient().GetWebhookVerificationKey(context.Background(),
				&WebhookVerificationKeyGetRequest{KeyID: "k"})
			require.NoError(t, err)
			assert.Equal(t, int32(1), n.Load())
		})
	}
}
