package link

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/internal/transport"
)

// cannedTransport answers every request with the same 200 reply, without a network, so that
// allocation counts are exact.
type cannedTransport struct{ body string }

func (t cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(t.body)),
		ContentLength: int64(len(t.body)), Request: r}, nil
}

// TestNoOptionsIsTheFastPath: a call without per-call options allocates exactly what the
// transport's own call does (validation, the response, the transport), nothing more; per-call
// options, which copy the settings, are what costs.
func TestNoOptionsIsTheFastPath(t *testing.T) {
	if raceDetector {
		t.Skip("allocation counts are exact only without -race: go test -run TestNoOptionsIsTheFastPath ./link")
	}
	c, err := NewClient(testClientID, testSecret, WithBaseURL("https://plaid.test"), WithTimeout(0),
		WithHTTPClient(&http.Client{Transport: cannedTransport{body: tokenCreateReply}}))
	require.NoError(t, err)
	ctx := context.Background()
	req := tokenCreateRequest()

	noOptions := testing.AllocsPerRun(allocRuns, func() {
		if _, err := c.CreateToken(ctx, req); err != nil {
			t.Fatal(err)
		}
	})
	// The floor: what CreateToken did before per-call options, minus nothing but the options.
	bare := testing.AllocsPerRun(allocRuns, func() {
		if err := validateTokenCreate(req); err != nil {
			t.Fatal(err)
		}
		resp := new(TokenCreateResponse)
		call := transport.Call{Path: "/link/token/create", MaxRetries: -1, RequestID: &resp.RequestID}
		if err := c.t.Do(ctx, &call, req, resp); err != nil {
			t.Fatal(err)
		}
	})
	withOption := testing.AllocsPerRun(allocRuns, func() {
		if _, err := c.CreateToken(ctx, req, WithMaxRetries(2)); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("allocations per call: bare transport %.0f, no options %.0f, one per-call option %.0f", bare, noOptions, withOption)
	assert.LessOrEqual(t, noOptions, bare, "a call without options allocates no more than the transport's own call")
	assert.Greater(t, withOption, noOptions, "per-call options take the other path")
}

const allocRuns = 200
