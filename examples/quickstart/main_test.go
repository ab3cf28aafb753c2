package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
)

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var (
	uuidPattern  = `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`
	fullAccessRe = regexp.MustCompile(`access-sandbox-` + uuidPattern)
	fullPublicRe = regexp.MustCompile(`public-sandbox-` + uuidPattern)
	fullLinkRe   = regexp.MustCompile(`link-sandbox-` + uuidPattern)
)

// With no credentials, run uses the fake and prints the four steps, every token masked.
func TestRunFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(testContext(t), &out, config{}))

	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	require.Len(t, lines, 6, out.String())
	assert.Contains(t, lines[0], "fake Plaid at http://127.0.0.1:")
	assert.Regexp(t, `^1\. Created link token link-sandbox-… \(expires `, lines[1])
	assert.Regexp(t, `^2\. The user linked First Platypus Bank in Link .*: public token public-sandbox-…$`, lines[2])
	assert.Regexp(t, `^3\. Read the session back: `+uuidPattern+`, events none \(Plaid returns them for Hosted Link sessions, .*\), 2 account\(s\)$`, lines[3])
	assert.Regexp(t, `^4\. Exchanged the public token for item \S+$`, lines[4])
	assert.Equal(t, "Access token: access-sandbox-…", lines[5])
	for _, re := range []*regexp.Regexp{fullAccessRe, fullPublicRe, fullLinkRe} {
		assert.NotRegexp(t, re, out.String())
	}
}

// The flow's results are real on the fake: the access token it ends with belongs to an Item at
// the institution the user picked, and the session read back is the one the user finished.
func TestFlowFakeResults(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()

	var out bytes.Buffer
	res, err := flow(testContext(t), &out, srv.Client(), fakeUser(srv))
	require.NoError(t, err)

	item, ok := srv.Item(res.AccessToken)
	require.True(t, ok, "the printed access token is unknown to the fake")
	assert.Equal(t, res.ItemID, item.ItemID)
	assert.Equal(t, linktest.DefaultInstitutionID, item.InstitutionID)
	assert.Equal(t, []link.Product{link.ProductTransactions}, item.Products)
	assert.Len(t, item.Accounts, 2)

	assert.NotEmpty(t, res.LinkSessionID)
	assert.True(t, strings.HasPrefix(res.PublicToken, "public-sandbox-"))
	assert.True(t, strings.HasSuffix(out.String(), "Access token: access-sandbox-…\n"))
	assert.NotContains(t, out.String(), res.AccessToken)
	assert.NotContains(t, out.String(), res.PublicToken)
	assert.Contains(t, out.String(), res.LinkSessionID)
}

// With credentials, run takes the Sandbox path: /sandbox/public_token/create instead of a user,
// and nothing secret is printed. A fake stands in for Plaid's Sandbox, with credentials of its
// own so that a leak of either would show.
func TestRunSandboxMasksEverything(t *testing.T) {
	const clientID, secret = "qs-client-id-5f1e", "qs-secret-9a7c3b"
	srv := linktest.NewServer(linktest.WithCredentials(clientID, secret))
	defer srv.Close()

	var out bytes.Buffer
	err := run(testContext(t), &out, config{
		clientID:   clientID,
		secret:     secret,
		clientOpts: []link.Option{link.WithBaseURL(srv.URL)},
	})
	require.NoError(t, err)
	got := out.String()

	assert.NotContains(t, got, clientID)
	assert.NotContains(t, got, secret)
	assert.NotRegexp(t, fullAccessRe, got)
	assert.NotRegexp(t, fullPublicRe, got)
	assert.NotRegexp(t, fullLinkRe, got)

	assert.Contains(t, got, "Using Plaid's Sandbox")
	assert.Regexp(t, `1\. Created link token link-sandbox-… \(expires `, got, "not one character of the token's UUID")
	assert.Contains(t, got, "2. Sandbox created a test Item at ins_109508 in place of the user: public token public-sandbox-…")
	assert.Contains(t, got, "3. Read the link token back: no Link sessions")
	assert.Regexp(t, `4\. Exchanged the public token for item \S+\n`, got)
	assert.True(t, strings.HasSuffix(got, "Access token: access-sandbox-…\n"), got)
}

// The Sandbox user really creates an Item at ins_109508 with transactions, as the issue asks.
func TestSandboxUserCreatesItem(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	client := srv.Client()

	var out bytes.Buffer
	res, err := flow(testContext(t), &out, client, sandboxUser(client))
	require.NoError(t, err)

	item, ok := srv.Item(res.AccessToken)
	require.True(t, ok)
	assert.Equal(t, "ins_109508", item.InstitutionID)
	assert.Equal(t, []link.Product{link.ProductTransactions}, item.Products)
	assert.Empty(t, res.LinkSessionID)
}

func TestRunHalfConfigured(t *testing.T) {
	for _, cfg := range []config{{clientID: "id-only"}, {secret: "secret-only"}} {
		var out bytes.Buffer
		err := run(testContext(t), &out, cfg)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "set both PLAID_CLIENT_ID and PLAID_SECRET")
		assert.NotContains(t, err.Error(), "only")
		assert.Empty(t, out.String())
	}
}

// A failure from Plaid stops the flow at its step and comes back as the *link.Error.
func TestFlowStopsOnPlaidError(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	srv.FailNext(linktest.PathPublicTokenExchange, 1, 400, &link.Error{
		ErrorType: link.ErrorTypeInvalidInput, ErrorCode: link.ErrorCodeInvalidPublicToken, ErrorMessage: "bad token",
	})

	var out bytes.Buffer
	_, err := flow(testContext(t), &out, srv.Client(), fakeUser(srv))
	var perr *link.Error
	require.ErrorAs(t, err, &perr)
	assert.Equal(t, link.ErrorCodeInvalidPublicToken, perr.ErrorCode)
	assert.Contains(t, err.Error(), "exchange the public token")
	assert.Contains(t, out.String(), "3. Read the session back")
	assert.NotContains(t, out.String(), "Access token")
}

// mask shows a token's kind and environment and nothing of the identifier after them, whatever
// the prefix's length.
func TestMask(t *testing.T) {
	tests := map[string]string{
		"access-sandbox-5ff6d244-a8bd-4673-b957-4df124bc5428":    "access-sandbox-…",
		"link-sandbox-af1a0311-da53-4636-b754-dd15cc058176":      "link-sandbox-…",
		"public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d":    "public-sandbox-…",
		"access-production-5ff6d244-a8bd-4673-b957-4df124bc5428": "access-production-…",
		"link-sandbox-": "link-sandbox-…",
		"link-sandbox":  "…",
		"nodashes":      "…",
		"short":         "…",
		"":              "…",
	}
	for in, want := range tests {
		assert.Equal(t, want, mask(in), in)
	}
}

func TestEventNames(t *testing.T) {
	ev := func(name link.EventName) link.Event { return link.Event{EventName: name} }
	tests := []struct {
		name   string
		events []link.Event // as /link/token/get lists them, newest first
		want   string
	}{
		{"none", nil, "none (Plaid returns them for Hosted Link sessions, or once Link events are enabled for the account)"},
		{"oldest first, without views", []link.Event{
			ev(link.EventNameHandoff), ev(link.EventNameTransitionView), ev(link.EventNameSubmitCredentials),
			ev(link.EventNameSelectInstitution), ev(link.EventNameTransitionView), ev(link.EventNameOpen),
		}, "OPEN → SELECT_INSTITUTION → SUBMIT_CREDENTIALS → HANDOFF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, eventNames(tt.events))
		})
	}
}
