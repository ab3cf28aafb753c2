package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strconv"
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

const uuidPattern = `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`

var quickPoll = poll{every: 20 * time.Millisecond, timeout: 5 * time.Second}

// With no credentials, run prints the hosted_link_url, polls more than once while the simulated
// user is busy, and prints the finished session.
func TestRunFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(testContext(t), &out, config{pollEvery: 20 * time.Millisecond}))
	got := out.String()

	assert.Regexp(t, `1\. Created Hosted Link token link-sandbox-`+uuidPattern+`; send the user to:\n   http://127\.0\.0\.1:\d+/hl/`+uuidPattern+`\n`, got)
	assert.Contains(t, got, "2. Polling /link/token/get every 20ms, for up to 10s, until the session finishes...\n")
	assert.Regexp(t, `   session:       `+uuidPattern+`\n`, got)
	assert.Contains(t, got, "   outcome:       success\n")
	assert.Contains(t, got, "   institution:   First Platypus Bank (ins_109508)\n")
	assert.Contains(t, got, "   account:       Plaid Checking ••0000 (depository/checking)\n")
	assert.Contains(t, got, "   account:       Plaid Saving ••1111 (depository/savings)\n")
	assert.Regexp(t, `   public tokens: public-sandbox-`+uuidPattern+`\n`, got)

	// The user takes 300ms and polls are 20ms apart, so the session cannot be seen on poll 1 or 2.
	m := regexp.MustCompile(`3\. The session finished \(seen on poll (\d+)\):`).FindStringSubmatch(got)
	require.NotNil(t, m, got)
	polls, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	assert.Greater(t, polls, 2)
}

// The values printed are the session's: the public token exchanges on the fake for an Item at
// the institution shown, and the hosted_link_url is a live page.
func TestHostedLinkResults(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := testContext(t)

	var out bytes.Buffer
	oc, err := hostedLink(ctx, &out, client, quickPoll, completeAfter(srv, 100*time.Millisecond), reveal)
	require.NoError(t, err)

	assert.Greater(t, oc.Polls, 1)
	assert.True(t, strings.HasPrefix(oc.HostedLinkURL, srv.URL+"/hl/"), oc.HostedLinkURL)
	require.NotNil(t, oc.Session.Results)
	require.Len(t, oc.Session.Results.ItemAddResults, 1)
	add := oc.Session.Results.ItemAddResults[0]
	assert.Contains(t, out.String(), "public tokens: "+add.PublicToken+"\n")
	assert.Contains(t, out.String(), "session:       "+oc.Session.LinkSessionID+"\n")

	exch, err := client.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: add.PublicToken})
	require.NoError(t, err)
	item, ok := srv.Item(exch.AccessToken)
	require.True(t, ok)
	assert.Equal(t, linktest.DefaultInstitutionID, item.InstitutionID)

	resp, err := http.Get(oc.HostedLinkURL)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// Nobody opens the URL: the poll gives up when the timeout passes, with an error that says so and
// still satisfies errors.Is(err, context.DeadlineExceeded).
func TestHostedLinkTimesOut(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()

	var out bytes.Buffer
	start := time.Now()
	p := poll{every: 20 * time.Millisecond, timeout: 200 * time.Millisecond}
	oc, err := hostedLink(testContext(t), &out, srv.Client(), p, nil, reveal)
	elapsed := time.Since(start)

	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "gave up waiting for the user after 200ms")
	assert.Contains(t, err.Error(), "no Link session finished for this link token")
	assert.Greater(t, oc.Polls, 2, "it should have polled repeatedly before giving up")
	assert.GreaterOrEqual(t, elapsed, 200*time.Millisecond)
	assert.Less(t, elapsed, 3*time.Second)
	assert.Contains(t, out.String(), "2. Polling")
	assert.NotContains(t, out.String(), "3. ")
}

// The caller's own cancellation is reported as such, not as the timeout.
func TestHostedLinkCallerCancels(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()

	ctx, cancel := context.WithCancel(testContext(t))
	time.AfterFunc(100*time.Millisecond, cancel)
	var out bytes.Buffer
	_, err := hostedLink(ctx, &out, srv.Client(), quickPoll, nil, reveal)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "stopped waiting for the user")
}

// A user who leaves Link ends the wait too, and the exit is described.
func TestHostedLinkUserExits(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()

	exit := func(_ context.Context, linkToken string) error {
		_, err := srv.ExitSession(linkToken, &link.Error{
			ErrorType: "ITEM_ERROR", ErrorCode: "INVALID_CREDENTIALS", ErrorMessage: "the credentials were not correct",
		})
		return err
	}
	var out bytes.Buffer
	oc, err := hostedLink(testContext(t), &out, srv.Client(), quickPoll, exit, reveal)
	require.NoError(t, err)
	require.NotNil(t, oc.Session.Exit)
	assert.Contains(t, out.String(), "outcome:       the user left Link without linking an Item (status requires_credentials, error INVALID_CREDENTIALS)\n")
	assert.NotContains(t, out.String(), "public tokens")
}

// If the simulated user fails, the wait ends with that error instead of running to the timeout.
func TestHostedLinkUserFails(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()

	badUser := func(_ context.Context, linkToken string) error {
		_, err := srv.CompleteSession(linkToken, linktest.WithInstitution("ins_does_not_exist"))
		return err
	}
	start := time.Now()
	var out bytes.Buffer
	p := poll{every: 20 * time.Millisecond, timeout: 5 * time.Second}
	_, err := hostedLink(testContext(t), &out, srv.Client(), p, badUser, reveal)
	var perr *link.Error
	require.ErrorAs(t, err, &perr)
	assert.Equal(t, link.ErrorCode("INVALID_INSTITUTION"), perr.ErrorCode)
	assert.Contains(t, err.Error(), "the simulated user could not finish Link")
	assert.Less(t, time.Since(start), 2*time.Second)
}

// With credentials, nothing secret is printed; nobody completes the session, so it times out.
func TestRunSandboxMasks(t *testing.T) {
	const clientID, secret = "hl-client-id-77ab", "hl-secret-31cd9e"
	srv := linktest.NewServer(linktest.WithCredentials(clientID, secret))
	defer srv.Close()

	var out bytes.Buffer
	err := run(testContext(t), &out, config{
		clientID: clientID, secret: secret,
		clientOpts: []link.Option{link.WithBaseURL(srv.URL)},
		pollEvery:  20 * time.Millisecond, timeout: 150 * time.Millisecond,
	})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	got := out.String()
	assert.NotContains(t, got, clientID)
	assert.NotContains(t, got, secret)
	assert.NotRegexp(t, `link-sandbox-`+uuidPattern, got)
	assert.Contains(t, got, "1. Created Hosted Link token link-sandbox-…;", "not one character of the token's UUID")
	assert.Contains(t, got, "Using Plaid's Sandbox")
	assert.Contains(t, got, srv.URL+"/hl/", "the user needs the URL, so it is printed whole")
}

// Public tokens from a real environment are printed masked.
func TestHostedLinkMasksPublicTokens(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()

	var out bytes.Buffer
	_, err := hostedLink(testContext(t), &out, srv.Client(), quickPoll, completeAfter(srv, 0), mask)
	require.NoError(t, err)
	assert.Contains(t, out.String(), "   public tokens: public-sandbox-…\n")
	assert.NotRegexp(t, `sandbox-`+uuidPattern, out.String())
}

// mask shows a token's kind and environment and nothing of the identifier after them; a link
// token's prefix is shorter than an access token's, so no fixed length would do.
func TestMask(t *testing.T) {
	tests := map[string]string{
		"link-sandbox-af1a0311-da53-4636-b754-dd15cc058176":   "link-sandbox-…",
		"public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d": "public-sandbox-…",
		"access-sandbox-5ff6d244-a8bd-4673-b957-4df124bc5428": "access-sandbox-…",
		"link-development": "…",
		"":                 "…",
	}
	for in, want := range tests {
		assert.Equal(t, want, mask(in), in)
	}
}

func TestRunHalfConfigured(t *testing.T) {
	var out bytes.Buffer
	err := run(testContext(t), &out, config{secret: "only-a-secret"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "set both PLAID_CLIENT_ID and PLAID_SECRET")
	assert.Empty(t, out.String())
}

func TestFinishedSession(t *testing.T) {
	now := time.Now()
	open := link.TokenGetSessionsResponse{LinkSessionID: "open", StartedAt: now}
	done := link.TokenGetSessionsResponse{LinkSessionID: "done", StartedAt: now, FinishedAt: now}
	exited := link.TokenGetSessionsResponse{LinkSessionID: "exited", Exit: &link.SessionExit{}}

	assert.Nil(t, finishedSession(nil))
	assert.Nil(t, finishedSession([]link.TokenGetSessionsResponse{open}))
	assert.Equal(t, "done", finishedSession([]link.TokenGetSessionsResponse{open, done}).LinkSessionID)
	assert.Equal(t, "exited", finishedSession([]link.TokenGetSessionsResponse{open, exited}).LinkSessionID)
}
