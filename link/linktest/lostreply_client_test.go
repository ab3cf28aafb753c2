package linktest_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
)

// These tests drive link.Client against the fake's LoseReplyNext fault: the fake carries the call
// out and then loses the reply, as a proxy or a broken connection does in front of Plaid. They
// show the client's retry rules end to end: an exchange is never sent twice after it may have
// happened, while calls whose repeat does no harm are simply sent again.

// lrCounter counts the requests a link.Client sends, per path, below its retry loop.
type lrCounter struct {
	mu    sync.Mutex
	paths map[string]int
	next  http.RoundTripper
}

func (c *lrCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.paths[r.URL.Path]++
	c.mu.Unlock()
	return c.next.RoundTrip(r)
}

func (c *lrCounter) count(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.paths[path]
}

// lrClient returns a client of s that retries (linktest's own Client does not) and counts what it
// sends. The transport is a fresh one per test, so that no pooled connection is shared.
func lrClient(t *testing.T, s *linktest.Server, opts ...link.Option) (*link.Client, *lrCounter) {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	counter := &lrCounter{paths: map[string]int{}, next: tr}
	all := append([]link.Option{link.WithHTTPClient(&http.Client{Transport: counter}), link.WithMaxRetries(2)}, opts...)
	c, err := s.NewClient(all...)
	require.NoError(t, err)
	return c, counter
}

func TestClientExchangeWithLostReplyIsOutcomeUnknown(t *testing.T) {
	tests := []struct {
		name   string
		status int // what LoseReplyNext is given: 0 drops the connection
	}{
		{"connection dropped after the exchange", 0},
		{"proxy 504 after the exchange", http.StatusGatewayTimeout},
		{"proxy 502 after the exchange", http.StatusBadGateway},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			pub := sessionPublicToken(t, s)
			s.LoseReplyNext(linktest.PathPublicTokenExchange, 1, tt.status)
			c, sent := lrClient(t, s)

			var raw link.Response
			resp, err := c.ExchangePublicToken(context.Background(), &link.ItemPublicTokenExchangeRequest{PublicToken: pub},
				link.WithResponseInto(&raw))
			assert.Nil(t, resp)
			require.ErrorIs(t, err, link.ErrOutcomeUnknown)
			assert.Contains(t, err.Error(), "link: ExchangePublicToken: outcome unknown after 1 attempt: ")
			assert.Contains(t, err.Error(), "must link again")

			// Sent once although two retries were allowed; the fake carried it out.
			assert.Equal(t, 1, sent.count(linktest.PathPublicTokenExchange))
			assert.Equal(t, 1, raw.Attempts)
			items := s.Items()
			require.Len(t, items, 1, "the Item exists although its access token never arrived")
			assert.Regexp(t, `^access-sandbox-`, items[0].AccessToken)

			// The cause is still reachable.
			var perr *link.Error
			if tt.status == 0 {
				assert.False(t, errors.As(err, &perr), "no reply, so no *link.Error")
				var uerr *url.Error
				require.ErrorAs(t, err, &uerr, "the network error is reachable")
				assert.Equal(t, 0, raw.StatusCode)
			} else {
				require.ErrorAs(t, err, &perr)
				assert.Equal(t, tt.status, perr.HTTPStatus)
				assert.Empty(t, perr.ErrorCode, "a proxy's page is not a Plaid error")
				assert.Contains(t, perr.RawBody, http.StatusText(tt.status))
				assert.Equal(t, tt.status, raw.StatusCode)
				assert.Contains(t, string(raw.RawJSON), "<center>nginx</center>")
			}
		})
	}
}

// TestClientExchangeForcedRetryAfterLostReply: with WithUnsafeRetries the exchange is sent again;
// the fake answers INVALID_PUBLIC_TOKEN, since the first attempt spent the token, and the error
// still says the outcome is unknown rather than blaming the caller's token.
func TestClientExchangeForcedRetryAfterLostReply(t *testing.T) {
	for _, status := range []int{0, http.StatusGatewayTimeout} {
		t.Run(lrFault(status), func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			pub := sessionPublicToken(t, s)
			s.LoseReplyNext(linktest.PathPublicTokenExchange, 1, status)
			c, sent := lrClient(t, s)

			var raw link.Response
			_, err := c.ExchangePublicToken(context.Background(), &link.ItemPublicTokenExchangeRequest{PublicToken: pub},
				link.WithUnsafeRetries(), link.WithResponseInto(&raw))
			require.ErrorIs(t, err, link.ErrOutcomeUnknown)
			assert.True(t, link.IsErrorCode(err, link.ErrorCodeInvalidPublicToken), "%v", err)
			assert.Contains(t, err.Error(), "outcome unknown after 2 attempts")

			assert.Equal(t, 2, sent.count(linktest.PathPublicTokenExchange), "retried once, as forced")
			assert.Equal(t, 2, raw.Attempts)
			assert.Equal(t, http.StatusBadRequest, raw.StatusCode)
			assert.Len(t, s.Items(), 1, "one Item: the retry did not exchange again")
		})
	}
}

// TestClientCreateTokenWithLostReplyIsRetried: a lost CreateToken reply is sent again and
// succeeds; the fake made two link tokens, the first of which nobody will use.
func TestClientCreateTokenWithLostReplyIsRetried(t *testing.T) {
	for _, status := range []int{0, http.StatusGatewayTimeout} {
		t.Run(lrFault(status), func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			c, sent := lrClient(t, s)
			before, _, _, _ := linktest.Counts(s)
			s.LoseReplyNext(linktest.PathTokenCreate, 1, status)

			var raw link.Response
			resp, err := c.CreateToken(context.Background(), &link.TokenCreateRequest{
				ClientName:   "Wonderwallet",
				Language:     link.LanguageEnglish,
				CountryCodes: []link.CountryCode{link.CountryCodeUS},
				User:         &link.TokenCreateRequestUser{ClientUserID: "user-retried"},
				Products:     []link.Product{link.ProductAuth},
			}, link.WithResponseInto(&raw))
			require.NoError(t, err)
			assert.Regexp(t, `^link-sandbox-`, resp.LinkToken)
			assert.Equal(t, 2, sent.count(linktest.PathTokenCreate))
			assert.Equal(t, 2, raw.Attempts)
			assert.Equal(t, http.StatusOK, raw.StatusCode)
			after, _, _, _ := linktest.Counts(s)
			assert.Equal(t, before+2, after, "two link tokens were issued: the lost one and the one returned")

			// The token returned is the second one, and it works.
			got, err := s.Client().GetToken(context.Background(), &link.TokenGetRequest{LinkToken: resp.LinkToken})
			require.NoError(t, err)
			assert.Equal(t, resp.LinkToken, got.LinkToken)
		})
	}
}

// TestClientGetTokenWithLostReplyIsRetried: a read is sent again after a lost reply.
func TestClientGetTokenWithLostReplyIsRetried(t *testing.T) {
	for _, status := range []int{0, http.StatusBadGateway} {
		t.Run(lrFault(status), func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			lt := createToken(t, s.Client(), tokenRequest()).LinkToken
			_, err := s.CompleteSession(lt)
			require.NoError(t, err)
			c, sent := lrClient(t, s)
			s.LoseReplyNext(linktest.PathTokenGet, 1, status)

			var raw link.Response
			resp, err := c.GetToken(context.Background(), &link.TokenGetRequest{LinkToken: lt}, link.WithResponseInto(&raw))
			require.NoError(t, err)
			assert.Equal(t, lt, resp.LinkToken)
			require.Len(t, resp.LinkSessions, 1)
			assert.False(t, resp.LinkSessions[0].FinishedAt.IsZero(), "the completed session is read back")
			assert.Equal(t, 2, sent.count(linktest.PathTokenGet))
			assert.Equal(t, 2, raw.Attempts)
		})
	}
}

// lrFault names a LoseReplyNext status for a subtest.
func lrFault(status int) string {
	if status == 0 {
		return "connection dropped"
	}
	return "proxy " + http.StatusText(status)
}
