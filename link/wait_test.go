package link_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/internal/ctxtest"
	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
)

// WaitForSession is tested against the fake Plaid: sessions finish when the test plays the user,
// and tokens expire when the test moves the fake's clock. Polls are a millisecond apart, so no
// test sleeps longer than that.

// pollCounter counts the calls a Client makes to /link/token/get, so a test can act after the
// waiter has polled and seen nothing.
type pollCounter struct {
	next  http.RoundTripper
	polls atomic.Int64
}

func (p *pollCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == linktest.PathTokenGet {
		p.polls.Add(1)
	}
	return p.next.RoundTrip(r)
}

// endAfter is a transport that calls end once n replies have come back.
func endAfter(n int64, end func()) http.RoundTripper {
	var replies atomic.Int64
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if replies.Add(1) == n {
			end()
		}
		return resp, err
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// waitUntil polls cond every millisecond for up to 10 s (a generous bound on "soon").
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, 10*time.Second, time.Millisecond)
}

type waitResult struct {
	session *link.TokenGetSessionsResponse
	err     error
}

// startWaiting runs WaitForSession on a fresh token of srv in the background, polling every
// millisecond, and returns the token, the poll counter and the channel its result arrives on.
func startWaiting(t *testing.T, ctx context.Context, srv *linktest.Server, req *link.TokenCreateRequest,
	opts ...link.Option) (string, *pollCounter, <-chan waitResult) {
	t.Helper()
	counter := &pollCounter{next: http.DefaultTransport}
	client := srv.Client(link.WithHTTPClient(&http.Client{Transport: counter}))
	tok, err := client.CreateToken(ctx, req)
	require.NoError(t, err)
	done := make(chan waitResult, 1)
	opts = append([]link.Option{link.WithPollInterval(time.Millisecond, 2*time.Millisecond)}, opts...)
	go func() {
		s, err := client.WaitForSession(ctx, tok.LinkToken, opts...)
		done <- waitResult{s, err}
	}()
	return tok.LinkToken, counter, done
}

func hostedLinkRequest() *link.TokenCreateRequest {
	return &link.TokenCreateRequest{
		ClientName:   "Wonderwallet",
		Language:     link.LanguageEnglish,
		CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User:         &link.TokenCreateRequestUser{ClientUserID: "user-wait"},
		Products:     []link.Product{link.ProductAuth},
		HostedLink:   &link.TokenCreateHostedLink{},
	}
}

func receive(t *testing.T, done <-chan waitResult) waitResult {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("WaitForSession did not return within 10 s")
		return waitResult{}
	}
}

func TestWaitForSessionReturnsCompletedSession(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	token, counter, done := startWaiting(t, ctx, srv, hostedLinkRequest())

	// It keeps polling while nothing has happened, and while a session is open but unfinished.
	waitUntil(t, func() bool { return counter.polls.Load() >= 3 })
	_, err := srv.OpenSession(token)
	require.NoError(t, err)
	seen := counter.polls.Load()
	waitUntil(t, func() bool { return counter.polls.Load() >= seen+3 })
	select {
	case r := <-done:
		t.Fatalf("returned for an open session: %+v, %v", r.session, r.err)
	default:
	}

	session, err := srv.CompleteSession(token, linktest.WithInstitution("ins_109508"))
	require.NoError(t, err)
	r := receive(t, done)
	require.NoError(t, r.err)
	require.NotNil(t, r.session)
	assert.Equal(t, session.LinkSessionID, r.session.LinkSessionID)
	require.NotNil(t, r.session.Results)
	require.Len(t, r.session.Results.ItemAddResults, 1)
	assert.Equal(t, session.PublicToken, r.session.Results.ItemAddResults[0].PublicToken)
	assert.Equal(t, "ins_109508", r.session.Results.ItemAddResults[0].Institution.InstitutionID)
	assert.False(t, r.session.FinishedAt.IsZero(), "finished_at of a completed session")

	// The public token it returns is one the fake accepts.
	item, err := srv.Client().ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: r.session.Results.ItemAddResults[0].PublicToken})
	require.NoError(t, err)
	assert.NotEmpty(t, item.ItemID)
}

func TestWaitForSessionReturnsExitedSession(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	token, counter, done := startWaiting(t, context.Background(), srv, hostedLinkRequest())
	waitUntil(t, func() bool { return counter.polls.Load() >= 2 })

	perr := &link.Error{ErrorType: link.ErrorTypeItemError, ErrorCode: link.ErrorCodeInvalidCredentials,
		ErrorMessage: "the provided credentials were not correct"}
	exited, err := srv.ExitSession(token, perr, linktest.WithExitStatus(link.ExitStatusRequiresCredentials))
	require.NoError(t, err)
	r := receive(t, done)
	require.NoError(t, r.err)
	assert.Equal(t, exited.LinkSessionID, r.session.LinkSessionID)
	assert.Nil(t, r.session.Results)
	require.NotNil(t, r.session.Exit)
	require.NotNil(t, r.session.Exit.Metadata)
	assert.Equal(t, link.ExitStatusRequiresCredentials, r.session.Exit.Metadata.Status)
	require.NotNil(t, r.session.Exit.Error)
	assert.Equal(t, link.ErrorCodeInvalidCredentials, r.session.Exit.Error.ErrorCode)
}

// A session the user abandons finishes as exited once Plaid gives up on it.
func TestWaitForSessionReturnsAbandonedSession(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	token, counter, done := startWaiting(t, context.Background(), srv, hostedLinkRequest())
	open, err := srv.OpenSession(token)
	require.NoError(t, err)
	waitUntil(t, func() bool { return counter.polls.Load() >= 2 })
	_, err = srv.AbandonSession(open.LinkSessionID)
	require.NoError(t, err)

	r := receive(t, done)
	require.NoError(t, r.err)
	assert.Equal(t, open.LinkSessionID, r.session.LinkSessionID)
	assert.Nil(t, r.session.Results)
	assert.False(t, r.session.FinishedAt.IsZero())
}

// When the token has expired with no finished session (by the fake's clock, which its Date
// header carries), waiting longer cannot help: ErrLinkTokenExpired comes back at once.
func TestWaitForSessionEndsWhenTokenExpires(t *testing.T) {
	for _, tc := range []struct {
		name    string
		advance time.Duration
		want    func(t *testing.T, err error)
	}{
		{"expired", linktest.LinkTokenLifetime + 21*time.Minute, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, link.ErrLinkTokenExpired)
			assert.Equal(t, 1, countPrefix(err.Error(), "link:"), "one link: prefix in %q", err)
		}},
		// Once Plaid no longer keeps the token, it answers INVALID_LINK_TOKEN: a *link.Error.
		{"forgotten", linktest.LinkTokenLifetime + linktest.LinkTokenRetention + time.Minute, func(t *testing.T, err error) {
			assert.True(t, link.IsErrorCode(err, link.ErrorCodeInvalidLinkToken), "got %v", err)
			var perr *link.Error
			require.ErrorAs(t, err, &perr)
			assert.Equal(t, http.StatusBadRequest, perr.HTTPStatus)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { testWaitForExpiredToken(t, tc.advance, tc.want) })
	}
}

func testWaitForExpiredToken(t *testing.T, advance time.Duration, want func(*testing.T, error)) {
	srv := linktest.NewServer()
	defer srv.Close()
	_, counter, done := startWaiting(t, context.Background(), srv, &link.TokenCreateRequest{
		ClientName: "Wonderwallet", Language: link.LanguageEnglish, CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User: &link.TokenCreateRequestUser{ClientUserID: "user-wait"}, Products: []link.Product{link.ProductAuth},
	})
	waitUntil(t, func() bool { return counter.polls.Load() >= 2 })
	// Within the grace after expiry an abandoned session could still be closed: it keeps waiting.
	srv.Clock().Advance(linktest.LinkTokenLifetime + 10*time.Minute)
	seen := counter.polls.Load()
	waitUntil(t, func() bool { return counter.polls.Load() >= seen+2 })
	select {
	case r := <-done:
		t.Fatalf("returned within the grace after expiry: %+v, %v", r.session, r.err)
	default:
	}
	srv.Clock().Advance(advance - linktest.LinkTokenLifetime - 10*time.Minute)

	r := receive(t, done)
	assert.Nil(t, r.session)
	require.Error(t, r.err)
	want(t, r.err)
}

// RATE_LIMIT_EXCEEDED and other errors a later call may not repeat are waited out, even with the
// transport's own retries off; the wait then returns the session as usual.
func TestWaitForSessionWaitsOutRetryableErrors(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	srv.FailNext(linktest.PathTokenGet, 3, http.StatusTooManyRequests, &link.Error{
		ErrorType: link.ErrorTypeRateLimitExceeded, ErrorCode: link.ErrorCodeRateLimit, ErrorMessage: "rate limit exceeded"})
	srv.FailNext(linktest.PathTokenGet, 2, http.StatusInternalServerError, &link.Error{
		ErrorType: link.ErrorTypeAPIError, ErrorCode: link.ErrorCodeInternalServerError, ErrorMessage: "an unexpected error occurred"})
	var last link.Response
	token, counter, done := startWaiting(t, context.Background(), srv, hostedLinkRequest(),
		link.WithMaxRetries(0), link.WithResponseInto(&last))
	waitUntil(t, func() bool { return counter.polls.Load() >= 7 }) // 5 failures, then 2 empty answers
	session, err := srv.CompleteSession(token)
	require.NoError(t, err)

	r := receive(t, done)
	require.NoError(t, r.err)
	assert.Equal(t, session.LinkSessionID, r.session.LinkSessionID)
	// WithResponseInto holds the last reply: the one that carried the finished session.
	assert.Equal(t, http.StatusOK, last.StatusCode)
	assert.Equal(t, 1, last.Attempts)
	assert.Contains(t, string(last.RawJSON), session.LinkSessionID)
}

// An error that polling cannot fix ends the wait after one call.
func TestWaitForSessionStopsOnPermanentError(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	counter := &pollCounter{next: http.DefaultTransport}
	wrong, err := link.NewClient(linktest.ClientID, "not-the-secret", link.WithBaseURL(srv.URL),
		link.WithHTTPClient(&http.Client{Transport: counter}), link.WithPollInterval(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	_, err = wrong.WaitForSession(context.Background(), "link-sandbox-00000000-0000-0000-0000-000000000000")
	assert.True(t, link.IsErrorCode(err, link.ErrorCodeInvalidAPIKeys), "got %v", err)
	assert.EqualValues(t, 1, counter.polls.Load())
	assert.NotContains(t, err.Error(), "not-the-secret")

	// A request the SDK refuses to send is not sent at all.
	_, err = srv.Client().WaitForSession(context.Background(), "")
	var verr *link.ValidationError
	assert.ErrorAs(t, err, &verr)
}

// A failure of the connection that no later poll can heal (here a redirect to another origin,
// which a caller's CheckRedirect would follow) ends the wait at once, though net/http reports it,
// like every failure of its client, as a net.Error.
func TestWaitForSessionStopsOnRefusedRedirect(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	var polls atomic.Int64
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		polls.Add(1)
		// localhost and 127.0.0.1 are different origins.
		target := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + r.URL.Path
		http.Redirect(w, r, target, http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	followAll := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	client, err := link.NewClient(linktest.ClientID, linktest.Secret, link.WithBaseURL(redirector.URL),
		link.WithHTTPClient(followAll), link.WithPollInterval(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = client.WaitForSession(ctx, "link-sandbox-00000000-0000-0000-0000-000000000000")
	require.ErrorIs(t, err, link.ErrCrossOriginRedirect)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	assert.EqualValues(t, 1, polls.Load())
}

func TestWaitForSessionEndsWithContext(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, counter, done := startWaiting(t, ctx, srv, hostedLinkRequest())
	waitUntil(t, func() bool { return counter.polls.Load() >= 2 })
	cancel()
	r := receive(t, done)
	assert.Nil(t, r.session)
	assert.ErrorIs(t, r.err, context.Canceled)
	assert.Equal(t, 1, countPrefix(r.err.Error(), "link:"), "one link: prefix in %q", r.err)

	// A deadline that passes while Plaid keeps failing names the last failure. It passes once two
	// polls have failed, at a point the test chooses rather than after some wall-clock delay.
	srv.FailNext(linktest.PathTokenGet, 1000, http.StatusServiceUnavailable, nil)
	ctx, end := ctxtest.Deadline(context.Background())
	failing := &pollCounter{next: endAfter(2, end)}
	_, err := srv.Client(link.WithMaxRetries(0), link.WithHTTPClient(&http.Client{Transport: failing})).WaitForSession(ctx,
		"link-sandbox-00000000-0000-0000-0000-000000000000", link.WithPollInterval(time.Millisecond, time.Millisecond))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "last failure")
	assert.Contains(t, err.Error(), "503")
}

func countPrefix(s, prefix string) int {
	n := 0
	for i := 0; i+len(prefix) <= len(s); i++ {
		if s[i:i+len(prefix)] == prefix {
			n++
		}
	}
	return n
}

func TestWaitForSessionOptions(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	for _, tc := range []struct{ first, max time.Duration }{{0, time.Second}, {-time.Second, time.Second}, {2 * time.Second, time.Second}} {
		_, err := srv.Client().WaitForSession(context.Background(), "link-sandbox-x", link.WithPollInterval(tc.first, tc.max))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "WithPollInterval")
	}
	_, err := link.NewClient("id", "secret", link.WithPollInterval(0, 0))
	assert.ErrorContains(t, err, "WithPollInterval")

	//lint:ignore SA1012 a nil Context is the bad input under test
	_, err = srv.Client().WaitForSession(nil, "link-sandbox-x")
	assert.EqualError(t, err, "link: WaitForSession: nil Context")

	// A per-call option applies to every poll: here the transport that counts them.
	counter := &pollCounter{next: http.DefaultTransport}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tok, err := srv.Client().CreateToken(ctx, hostedLinkRequest())
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := srv.Client().WaitForSession(ctx, tok.LinkToken,
			link.WithHTTPClient(&http.Client{Transport: counter}), link.WithPollInterval(time.Millisecond, time.Millisecond))
		done <- err
	}()
	waitUntil(t, func() bool { return counter.polls.Load() >= 3 })
	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("WaitForSession did not end with its context")
	}

	var nilClient *link.Client
	_, err = nilClient.WaitForSession(context.Background(), "link-sandbox-x")
	assert.True(t, errors.Is(err, link.ErrNilClient))
	assert.Equal(t, 1, countPrefix(err.Error(), "link:"))
}

// A user who leaves Link and opens the same Hosted Link URL again: the exit is not returned while
// the second attempt is under way, and the attempt's outcome is what comes back.
func TestWaitForSessionWaitsForRetryAfterExit(t *testing.T) {
	for _, tc := range []struct {
		name   string
		finish func(t *testing.T, srv *linktest.Server, token, retryID string) (wantID string, linked bool)
	}{
		{"retry links an Item", func(t *testing.T, srv *linktest.Server, token, _ string) (string, bool) {
			done, err := srv.CompleteSession(token)
			require.NoError(t, err)
			return done.LinkSessionID, true
		}},
		{"retry abandoned", func(t *testing.T, srv *linktest.Server, _, retryID string) (string, bool) {
			_, err := srv.AbandonSession(retryID)
			require.NoError(t, err)
			return retryID, false
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := linktest.NewServer()
			defer srv.Close()
			ctx := context.Background()
			counter := &pollCounter{next: http.DefaultTransport}
			client := srv.Client(link.WithHTTPClient(&http.Client{Transport: counter}))
			tok, err := client.CreateToken(ctx, hostedLinkRequest())
			require.NoError(t, err)
			first, err := srv.ExitSession(tok.LinkToken, nil)
			require.NoError(t, err)
			retry, err := srv.OpenSession(tok.LinkToken)
			require.NoError(t, err)

			done := make(chan waitResult, 1)
			go func() {
				s, err := client.WaitForSession(ctx, tok.LinkToken, link.WithPollInterval(time.Millisecond, 2*time.Millisecond))
				done <- waitResult{s, err}
			}()
			waitUntil(t, func() bool { return counter.polls.Load() >= 3 })
			select {
			case r := <-done:
				t.Fatalf("returned while the user was trying again: %+v, %v", r.session, r.err)
			default:
			}

			wantID, linked := tc.finish(t, srv, tok.LinkToken, retry.LinkSessionID)
			r := receive(t, done)
			require.NoError(t, r.err)
			assert.NotEqual(t, first.LinkSessionID, r.session.LinkSessionID)
			assert.Equal(t, wantID, r.session.LinkSessionID)
			assert.Equal(t, linked, r.session.Results != nil, "results of %+v", r.session)
		})
	}
}

// With no new attempt under way, an exit is returned at once even if the token has hours left.
func TestWaitForSessionReturnsExitWithoutRetry(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	counter := &pollCounter{next: http.DefaultTransport}
	client := srv.Client(link.WithHTTPClient(&http.Client{Transport: counter}))
	tok, err := client.CreateToken(context.Background(), hostedLinkRequest())
	require.NoError(t, err)
	exited, err := srv.ExitSession(tok.LinkToken, nil)
	require.NoError(t, err)
	s, err := client.WaitForSession(context.Background(), tok.LinkToken)
	require.NoError(t, err)
	assert.Equal(t, exited.LinkSessionID, s.LinkSessionID)
	assert.EqualValues(t, 1, counter.polls.Load())
}

// A per-call http.Client carries that call alone: every poll of a WaitForSession given one, and
// none of the Client's other calls.
func TestPerCallHTTPClientCarriesThatCallAlone(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	counter := &pollCounter{next: http.DefaultTransport}
	own := link.WithHTTPClient(&http.Client{Transport: counter})
	client := srv.Client()
	_, err := client.WaitForSession(context.Background(), "link-sandbox-00000000-0000-0000-0000-000000000000", own)
	assert.True(t, link.IsErrorCode(err, link.ErrorCodeInvalidLinkToken), "got %v", err)
	assert.EqualValues(t, 1, counter.polls.Load())

	_, err = client.GetToken(context.Background(), &link.TokenGetRequest{LinkToken: "link-sandbox-00000000-0000-0000-0000-000000000000"})
	assert.True(t, link.IsErrorCode(err, link.ErrorCodeInvalidLinkToken), "got %v", err)
	assert.EqualValues(t, 1, counter.polls.Load(), "a call without the option goes through the Client's")
	_, err = client.GetToken(context.Background(), &link.TokenGetRequest{LinkToken: "link-sandbox-00000000-0000-0000-0000-000000000000"}, own)
	assert.True(t, link.IsErrorCode(err, link.ErrorCodeInvalidLinkToken), "got %v", err)
	assert.EqualValues(t, 2, counter.polls.Load())
}
