package linktest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
)

// postOnce POSTs body as JSON to path with the server's credentials over a connection of its own
// and returns the reply, or the transport error when none came. No retry can hide what happened.
func postOnce(t *testing.T, s *linktest.Server, path string, body any) (*http.Response, []byte, error) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, s.URL+path, bytes.NewReader(b))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("PLAID-CLIENT-ID", s.ClientID())
	req.Header.Set("PLAID-SECRET", s.Secret())
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, reply, nil
}

func TestLoseReplyNextPerformsThenLosesTheReply(t *testing.T) {
	tests := []struct {
		name   string
		status int
		// wantStatus is the status the client sees; 0 for no reply at all.
		wantStatus int
	}{
		{"connection dropped", 0, 0},
		{"proxy 504", http.StatusGatewayTimeout, http.StatusGatewayTimeout},
		{"proxy 502", http.StatusBadGateway, http.StatusBadGateway},
		{"200 with a body that is not Plaid's", http.StatusOK, http.StatusOK},
		{"a status no server sends is taken as 504", 42, http.StatusGatewayTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t)
			pub := sessionPublicToken(t, s)
			s.LoseReplyNext(linktest.PathPublicTokenExchange, 1, tt.status)

			resp, body, err := postOnce(t, s, linktest.PathPublicTokenExchange, map[string]string{"public_token": pub})
			if tt.wantStatus == 0 {
				require.Error(t, err, "the connection is dropped without a reply")
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.wantStatus, resp.StatusCode)
				assert.Equal(t, "text/html", resp.Header.Get("Content-Type"))
				assert.Contains(t, string(body), fmt.Sprintf("<h1>%d %s</h1>", tt.wantStatus, http.StatusText(tt.wantStatus)))
				assert.False(t, json.Valid(body), "not a PlaidError: %s", body)
			}

			// The exchange happened: the Item exists and the public token is spent.
			items := s.Items()
			require.Len(t, items, 1)
			assert.Regexp(t, `^access-sandbox-`, items[0].AccessToken)
			assert.Equal(t, linktest.DefaultInstitutionID, items[0].InstitutionID)
			again := rawPost(t, s, linktest.PathPublicTokenExchange, map[string]string{"public_token": pub})
			requirePlaidErrorBody(t, again, http.StatusBadRequest, link.ErrorTypeInvalidInput, link.ErrorCodeInvalidPublicToken)
			assert.Contains(t, again.body["error_message"], "already exchanged")
		})
	}
}

func TestLoseReplyNextCountsAndOtherPathsUnaffected(t *testing.T) {
	s := newServer(t)
	s.LoseReplyNext(linktest.PathTokenCreate, 2, 0)

	before, _, _, _ := linktest.Counts(s)
	for range 2 {
		_, _, err := postOnce(t, s, linktest.PathTokenCreate, tokenRequest())
		require.Error(t, err)
	}
	after, _, _, _ := linktest.Counts(s)
	assert.Equal(t, before+2, after, "both link tokens were created although neither reply arrived")

	// Other paths answer as usual meanwhile, and the third call to the path is answered too.
	r := rawPost(t, s, linktest.PathTokenGet, map[string]string{"link_token": "link-sandbox-nope"})
	requirePlaidErrorBody(t, r, http.StatusBadRequest, link.ErrorTypeInvalidInput, link.ErrorCodeInvalidLinkToken)
	resp, body, err := postOnce(t, s, linktest.PathTokenCreate, tokenRequest())
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
}

// A request that fails is still performed (it fails) and its reply lost: the fault is used by
// whatever the next call is.
func TestLoseReplyNextOnAFailingRequest(t *testing.T) {
	s := newServer(t)
	s.LoseReplyNext(linktest.PathPublicTokenExchange, 1, http.StatusBadGateway)
	resp, _, err := postOnce(t, s, linktest.PathPublicTokenExchange, map[string]string{"public_token": "public-sandbox-unknown"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Equal(t, 0, linktest.QueuedLostReplies(s, linktest.PathPublicTokenExchange))
}

// FailNext's fault comes first and the request is not performed; LoseReplyNext's waits for the
// next request.
func TestLoseReplyNextAfterFailNext(t *testing.T) {
	s := newServer(t)
	pub := sessionPublicToken(t, s)
	s.LoseReplyNext(linktest.PathPublicTokenExchange, 1, 0)
	s.FailNext(linktest.PathPublicTokenExchange, 1, http.StatusServiceUnavailable, nil)

	r := rawPost(t, s, linktest.PathPublicTokenExchange, map[string]string{"public_token": pub})
	requirePlaidErrorBody(t, r, http.StatusServiceUnavailable, link.ErrorTypeAPIError, link.ErrorCodeInternalServerError)
	assert.Empty(t, s.Items(), "a FailNext fault stops the request before it is performed")

	_, _, err := postOnce(t, s, linktest.PathPublicTokenExchange, map[string]string{"public_token": pub})
	require.Error(t, err)
	assert.Len(t, s.Items(), 1)
}

func TestClearFaultsClearsLostReplies(t *testing.T) {
	s := newServer(t)
	s.LoseReplyNext(linktest.PathTokenCreate, 3, 0)
	s.LoseReplyNext("link/token/get", 1, http.StatusGatewayTimeout) // a path without its slash works too
	assert.Equal(t, 3, linktest.QueuedLostReplies(s, linktest.PathTokenCreate))
	assert.Equal(t, 1, linktest.QueuedLostReplies(s, linktest.PathTokenGet))
	s.LoseReplyNext(linktest.PathTokenCreate, 0, 0)
	s.LoseReplyNext(linktest.PathTokenCreate, -1, 0)
	assert.Equal(t, 3, linktest.QueuedLostReplies(s, linktest.PathTokenCreate), "n <= 0 queues nothing")

	s.ClearFaults()
	assert.Zero(t, linktest.QueuedLostReplies(s, linktest.PathTokenCreate))
	assert.Zero(t, linktest.QueuedLostReplies(s, linktest.PathTokenGet))
	createToken(t, s.Client(), tokenRequest())

	assert.PanicsWithValue(t,
		`linktest: LoseReplyNext: the server serves no endpoint at "/link/token/nope"; use one of the linktest.Path constants`,
		func() { s.LoseReplyNext("/link/token/nope", 1, 0) })
}

// LoseReplyNext works on every path the server serves: the call is performed, its reply dropped,
// and the same call made again is answered, as the state the lost call left makes it.
func TestLoseReplyNextOnEveryPath(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	ctx := context.Background()
	pub, err := c.CreateSandboxPublicToken(ctx, &link.SandboxPublicTokenCreateRequest{
		InstitutionID: linktest.DefaultInstitutionID, InitialProducts: []link.Product{link.ProductAuth}})
	require.NoError(t, err)
	exch, err := c.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: pub.PublicToken})
	require.NoError(t, err)

	tests := []struct {
		path string
		body func() any
		// again is the status a second identical call gets: 200 when the call can be repeated,
		// 400 when the lost one used something up.
		again int
	}{
		{linktest.PathTokenCreate, func() any { return tokenRequest() }, http.StatusOK},
		{linktest.PathTokenGet, func() any {
			return map[string]string{"link_token": createToken(t, c, tokenRequest()).LinkToken}
		}, http.StatusOK},
		{linktest.PathPublicTokenExchange, func() any {
			return map[string]string{"public_token": sessionPublicToken(t, s)}
		}, http.StatusBadRequest},
		{linktest.PathSandboxPublicTokenCreate, func() any {
			return map[string]any{"institution_id": linktest.DefaultInstitutionID, "initial_products": []string{"auth"}}
		}, http.StatusOK},
		{linktest.PathSandboxItemResetLogin, func() any { return map[string]string{"access_token": exch.AccessToken} }, http.StatusOK},
		{linktest.PathSessionTokenCreate, func() any {
			return map[string]any{"template_id": "template_4uinBNe4B2x9", "user": map[string]string{"client_user_id": "u"}}
		}, http.StatusOK},
		{linktest.PathWebhookVerificationKey, func() any { return map[string]string{"key_id": s.Signer().KeyID()} }, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			body := tt.body()
			s.LoseReplyNext(tt.path, 1, 0)
			_, _, err := postOnce(t, s, tt.path, body)
			require.Error(t, err, "the reply is lost")
			if tt.path == linktest.PathSandboxItemResetLogin {
				it, ok := s.Item(exch.AccessToken)
				require.True(t, ok)
				require.NotNil(t, it.Error, "the reset happened")
				assert.Equal(t, link.ErrorCodeItemLoginRequired, it.Error.ErrorCode)
			}
			resp, reply, err := postOnce(t, s, tt.path, body)
			require.NoError(t, err)
			assert.Equal(t, tt.again, resp.StatusCode, "%s", reply)
			assert.True(t, json.Valid(reply), "a Plaid reply: %s", reply)
		})
	}
}
