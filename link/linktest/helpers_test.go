package linktest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
)

func newServer(t *testing.T, opts ...linktest.Option) *linktest.Server {
	t.Helper()
	s := linktest.NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

// tokenRequest is a valid /link/token/create request.
func tokenRequest() *link.TokenCreateRequest {
	return &link.TokenCreateRequest{
		ClientName:   "Wonderwallet",
		Language:     link.LanguageEnglish,
		CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User:         &link.TokenCreateRequestUser{ClientUserID: "user-1"},
		Products:     []link.Product{link.ProductTransactions},
	}
}

func createToken(t *testing.T, c *link.Client, req *link.TokenCreateRequest) *link.TokenCreateResponse {
	t.Helper()
	resp, err := c.CreateToken(context.Background(), req)
	require.NoError(t, err)
	return resp
}

// sessionPublicToken completes a session on a new link token and returns its public token.
func sessionPublicToken(t *testing.T, s *linktest.Server) string {
	t.Helper()
	tok := createToken(t, s.Client(), tokenRequest())
	sess, err := s.CompleteSession(tok.LinkToken)
	require.NoError(t, err)
	return sess.PublicToken
}

// plaidErr asserts that err carries a *link.Error and returns it.
func plaidErr(t *testing.T, err error) *link.Error {
	t.Helper()
	require.Error(t, err)
	var perr *link.Error
	require.True(t, errors.As(err, &perr), "want a *link.Error, got %T: %v", err, err)
	return perr
}

// rawReply is an answer to a raw POST: the status and the body decoded loosely, so that a JSON
// null is visible as nil.
type rawReply struct {
	status int
	body   map[string]any
}

// rawPost posts body (a string is sent as is, anything else as JSON) to path with the server's
// credentials in headers, bypassing link.Client and its own validation.
func rawPost(t *testing.T, s *linktest.Server, path string, body any) rawReply {
	t.Helper()
	return rawDo(t, s, http.MethodPost, path, body, map[string]string{
		"PLAID-CLIENT-ID": s.ClientID(),
		"PLAID-SECRET":    s.Secret(),
	})
}

func rawDo(t *testing.T, s *linktest.Server, method, path string, body any, headers map[string]string) rawReply {
	t.Helper()
	var b []byte
	switch v := body.(type) {
	case string:
		b = []byte(v)
	case nil:
	default:
		var err error
		b, err = json.Marshal(v)
		require.NoError(t, err)
	}
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(b))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out := rawReply{status: resp.StatusCode}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out.body))
	return out
}

// requirePlaidErrorBody checks the shape every error body has.
func requirePlaidErrorBody(t *testing.T, r rawReply, status int, errType link.ErrorType, code link.ErrorCode) {
	t.Helper()
	require.Equal(t, status, r.status, "body: %v", r.body)
	require.Equal(t, string(errType), r.body["error_type"], "body: %v", r.body)
	require.Equal(t, string(code), r.body["error_code"], "body: %v", r.body)
	require.NotEmpty(t, r.body["error_message"])
	require.Regexp(t, `^[A-Za-z0-9]{15}$`, r.body["request_id"])
	dm, ok := r.body["display_message"]
	require.True(t, ok, "display_message must be present")
	require.Nil(t, dm, "display_message is null for developer errors")
}

// eventNames names each event, with the view of a TRANSITION_VIEW: "TRANSITION_VIEW:CONSENT".
func eventNames(evs []link.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = string(ev.EventName)
		if ev.EventMetadata.ViewName != "" {
			out[i] += ":" + ev.EventMetadata.ViewName
		}
	}
	return out
}

// reversed returns evs in the opposite order, for comparing /link/token/get's newest-first list
// with a session's oldest-first one.
func reversed(evs []link.Event) []link.Event {
	out := slices.Clone(evs)
	slices.Reverse(out)
	return out
}

// hostedRequest is a valid /link/token/create request for a Hosted Link session, the kind Plaid
// sends every LINK webhook for by default.
func hostedRequest() *link.TokenCreateRequest {
	req := tokenRequest()
	req.HostedLink = &link.TokenCreateHostedLink{}
	return req
}
