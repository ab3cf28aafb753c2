package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
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

var quickPoll = poll{first: 10 * time.Millisecond, max: 20 * time.Millisecond, timeout: 5 * time.Second}

// tokenGets counts the calls a client makes to /link/token/get, the polls WaitForSession makes,
// and calls onPolled (if set) with each poll's number once its answer has come, so that a test can
// act at a point it controls rather than after some wall-clock delay.
type tokenGets struct {
	n        atomic.Int64
	onPolled func(n int64)
}

func (c *tokenGets) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path != linktest.PathTokenGet {
		return http.DefaultTransport.RoundTrip(r)
	}
	n := c.n.Add(1)
	resp, err := http.DefaultTransport.RoundTrip(r)
	if c.onPolled != nil {
		c.onPolled(n)
	}
	return resp, err
}

// completeAfterPolls is a user who finishes Link on srv only once the backend's poll n has been
// answered, so that the session cannot be seen before poll n+1, however fast or slow the machine
// is.
func completeAfterPolls(srv *linktest.Server, gets *tokenGets, n int64) endUser {
	polled := make(chan struct{})
	var once sync.Once
	gets.onPolled = func(i int64) {
		if i >= n {
			once.Do(func() { close(polled) })
		}
	}
	return func(ctx context.Context, linkToken string) error {
		select {
		case <-polled:
		case <-ctx.Done():
			return ctx.Err()
		}
		_, err := srv.CompleteSession(linkToken)
		return err
	}
}

func (c *tokenGets) option() link.Option { return link.WithHTTPClient(&http.Client{Transport: c}) }

// With no credentials, run prints the hosted_link_url, polls more than once while the simulated
// user is busy, and prints the finished session.
func TestRunFake(t *testing.T) {
	var out bytes.Buffer
	var gets tokenGets
	require.NoError(t, run(testContext(t), &out, config{clientOpts: []link.Option{gets.option()}}))
	got := out.String()

	assert.Regexp(t, `1\. Created Hosted Link token link-sandbox-`+uuidPattern+`; send the user to:\n   http://127\.0\.0\.1:\d+/hl/`+uuidPattern+`\n`, got)
	assert.Contains(t, got, "2. Waiting up to 10s for the session to finish (WaitForSession polls /link/token/get every 20ms, backing off to 100ms)...\n")
	assert.Contains(t, got, "3. The session finished:\n")
	assert.Regexp(t, `   session:       `+uuidPattern+`\n`, got)
	assert.Contains(t, got, "   outcome:       success\n")
	assert.Contains(t, got, "   institution:   First Platypus Bank (ins_109508)\n")
	assert.Contains(t, got, "   account:       Plaid Checking ••0000 (depository/checking)\n")
	assert.Contains(t, got, "   account:       Plaid Saving ••1111 (depository/savings)\n")
	assert.Regexp(t, `   public tokens: public-sandbox-`+uuidPattern+`\n`, got)

	// The simulated user takes 300 ms of wall time; how many polls fit in it depends on the
	// machine, so only the one that saw the session is certain here. TestHostedLinkResults shows
	// the wait polling while the user is busy.
	assert.GreaterOrEqual(t, gets.n.Load(), int64(1))
}

// The values printed are the session's: the public token exchanges on the fake for an Item at
// the institution shown, and the hosted_link_url is a live page.
func TestHostedLinkResults(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	var gets tokenGets
	client := srv.Client(gets.option())
	ctx := testContext(t)

	var out bytes.Buffer
	oc, err := hostedLink(ctx, &out, client, quickPoll, completeAfterPolls(srv, &gets, 2), reveal)
	require.NoError(t, err)

	assert.GreaterOrEqual(t, gets.n.Load(), int64(3), "the session cannot have been seen before the third poll")
	assert.True(t, strings.HasPrefix(oc.HostedLinkURL, srv.URL+"/hl/"), oc.HostedLinkURL)
	require.NotNil(t, oc.Session.Results)
	require.Len(t, oc.Session.Results.ItemAddResults, 1)
	add := oc.Session.Results.ItemAddResults[0]
	assert.Contains(t, out.String(), "public tokens: "+add.PublicToken+"\n")
	assert.Contains(t, out.String(), "session:       "+oc.Session.LinkSessionID+"\n")

	// hostedLink exchanged the token: the access token it saved is the Item's, and the token is spent.
	require.Len(t, oc.Items, 1)
	item, ok := srv.Item(oc.Items[0].AccessToken)
	require.True(t, ok)
	assert.Equal(t, item.ItemID, oc.Items[0].ItemID)
	assert.Equal(t, linktest.DefaultInstitutionID, item.InstitutionID)
	_, err = client.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: add.PublicToken})
	assert.True(t, link.IsErrorCode(err, link.ErrorCodeInvalidPublicToken), "got %v", err)

	resp, err := http.Get(oc.HostedLinkURL)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// Nobody opens the URL: the wait gives up when the timeout passes, with an error that says so and
// still satisfies errors.Is(err, context.DeadlineExceeded).
func TestHostedLinkTimesOut(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	var gets tokenGets

	var out bytes.Buffer
	start := time.Now()
	p := poll{first: 10 * time.Millisecond, max: 20 * time.Millisecond, timeout: 200 * time.Millisecond}
	_, err := hostedLink(testContext(t), &out, srv.Client(gets.option()), p, nil, reveal)
	elapsed := time.Since(start)

	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "gave up waiting for the user after 200ms")
	assert.Contains(t, err.Error(), "no Link session finished for this link token")
	// How many polls fit in 200 ms depends on the machine, even whether the first does on a busy
	// one, so the count is not asserted: the error says the wait is what ended.
	assert.GreaterOrEqual(t, elapsed, 200*time.Millisecond)
	assert.Less(t, elapsed, 5*time.Second, "it gives up promptly once the timeout has passed")
	assert.Contains(t, out.String(), "2. Waiting")
	assert.NotContains(t, out.String(), "3. ")
}

// The caller's own cancellation is reported as such, not as the timeout.
func TestHostedLinkCallerCancels(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()

	// The caller cancels while the wait is under way, once its first poll has been answered:
	// after the token was created, whatever the machine's speed.
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	gets := &tokenGets{onPolled: func(n int64) {
		if n == 1 {
			cancel()
		}
	}}
	var out bytes.Buffer
	_, err := hostedLink(ctx, &out, srv.Client(gets.option()), quickPoll, nil, reveal)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "stopped waiting for the user")
	assert.NotContains(t, err.Error(), "gave up waiting")
	assert.Contains(t, out.String(), "2. Waiting")
	assert.Equal(t, int64(1), gets.n.Load(), "no poll after the cancellation")
}

// A user who leaves Link ends the wait too, and the exit is described.
func TestHostedLinkUserExits(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()

	exit := func(_ context.Context, linkToken string) error {
		_, err := srv.ExitSession(linkToken, &link.Error{
			ErrorType: link.ErrorTypeItemError, ErrorCode: link.ErrorCodeInvalidCredentials, ErrorMessage: "the credentials were not correct",
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

// The token is gone by Plaid's clock: WaitForSession's *link.Error ends the wait, not the timeout.
func TestHostedLinkTokenForgotten(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()

	forget := func(_ context.Context, _ string) error {
		srv.Clock().Advance(linktest.LinkTokenLifetime + linktest.LinkTokenRetention + time.Hour)
		return nil
	}
	start := time.Now()
	var out bytes.Buffer
	_, err := hostedLink(testContext(t), &out, srv.Client(), quickPoll, forget, reveal)
	assert.True(t, link.IsErrorCode(err, link.ErrorCodeInvalidLinkToken), "got %v", err)
	assert.Contains(t, err.Error(), "wait for the session")
	assert.Less(t, time.Since(start), 3*time.Second)
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
	_, err := hostedLink(testContext(t), &out, srv.Client(), quickPoll, badUser, reveal)
	var perr *link.Error
	require.ErrorAs(t, err, &perr)
	assert.Equal(t, link.ErrorCodeInvalidInstitution, perr.ErrorCode)
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
		poll:       poll{first: 10 * time.Millisecond, max: 20 * time.Millisecond, timeout: 150 * time.Millisecond},
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

// Against Plaid, the wait keeps WaitForSession's own pacing.
func TestPollDefaults(t *testing.T) {
	assert.Equal(t, poll{first: time.Second, max: 15 * time.Second, timeout: 10 * time.Minute}, poll{}.or(sandboxPoll))
	assert.Equal(t, poll{first: 5 * time.Millisecond, max: 9 * time.Millisecond, timeout: 10 * time.Minute},
		poll{first: 5 * time.Millisecond, max: 9 * time.Millisecond}.or(sandboxPoll))
	assert.Equal(t, fakePoll, poll{first: 5 * time.Millisecond, max: time.Millisecond}.or(fakePoll), "max below first")
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
