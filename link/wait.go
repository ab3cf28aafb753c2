package link

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/plaidlink/plaidlink-go/internal/transport"
)

// Polling defaults of [Client.WaitForSession].
const (
	// DefaultPollInterval is the wait before WaitForSession's second call to /link/token/get.
	DefaultPollInterval = time.Second
	// DefaultMaxPollInterval caps the wait between two calls as it backs off.
	DefaultMaxPollInterval = 15 * time.Second
)

// expiredGrace is how long after its link token expires a session may still be reported
// finished: Plaid closes an abandoned session 5 to 15 minutes after the user's last action.
const expiredGrace = 20 * time.Minute

// ErrLinkTokenExpired is returned by [Client.WaitForSession] when the link token expired, by
// Plaid's clock, more than 20 minutes before (time enough for Plaid to close a session the user
// abandoned) and no session of it has finished: none ever will.
var ErrLinkTokenExpired = errors.New("link: the link token expired and no Link session of it finished")

// errLinkTokenExpiredCause is ErrLinkTokenExpired as the cause of WaitForSession's *CallError.
var errLinkTokenExpiredCause = &sentinelCause{ErrLinkTokenExpired, "the link token expired and no Link session of it finished"}

// pollGrowth is how much each wait grows over the last, before jitter: 1 s, 1.5 s, 2.25 s, ...
// reaches the 15 s cap on the eighth call, so a user who finishes Link within a minute is seen
// within seconds, and a token left open for hours costs about four calls a minute.
const pollGrowth = 1.5

// WithPollInterval sets how [Client.WaitForSession] paces its calls to /link/token/get: it waits
// first after the first call, then half as long again each time, up to max, each wait jittered by
// up to a fifth either way so that many waiters do not poll in step. Other methods ignore it.
// It needs 0 < first <= max.
func WithPollInterval(first, max time.Duration) Option {
	return func(c *config) error {
		if first <= 0 || max < first {
			return fmt.Errorf("WithPollInterval(%v, %v): want 0 < first <= max", first, max)
		}
		c.pollFirst, c.pollMax = first, max
		return nil
	}
}

// WaitForSession polls /link/token/get until a Link session of linkToken has finished, and
// returns that session. A session has finished when its [TokenGetSessionsResponse.Outcome] is
// other than [SessionInProgress]: it linked an Item, the user exited, or Plaid closed it as
// abandoned. It is the way to learn the outcome of a Hosted Link or Multi-Item Link
// session without webhooks, whose public tokens do not come back through a front end;
// /link/token/get keeps a session for six hours after it ends.
//
// A link token may carry several sessions: a user who leaves Link can open the same Hosted Link
// URL again. A session that linked an Item (results without exit, or on_success) is returned as
// soon as it is seen, the latest if there are several. One that exited is returned only when no
// session that began at or after its end is still in progress: while the user is trying again,
// WaitForSession waits for that attempt, and then returns its success, or the latest exit. An
// exit is still returned at once when nothing newer is under way; a later session of the same
// token is then left to a later call to [Client.GetToken].
//
// It waits [DefaultPollInterval] after the first call, backing off to [DefaultMaxPollInterval]
// ([WithPollInterval] changes both). Failures that a later call may not repeat (a Plaid error for
// which [Error.Retryable] holds, RATE_LIMIT_EXCEEDED among them, after which it waits the longest
// interval; an exhausted retry; a timed-out attempt; a network error) are waited out. An answer
// that polling cannot change ends the wait at once: [ErrLinkTokenExpired] when the token (whose
// lifetime is 4 hours by default, or the Hosted Link URL's) expired more than 20 minutes ago by
// the clock of Plaid's Date header and no session finished; a *[Error] such as
// INVALID_LINK_TOKEN (a token Plaid does not know, or no longer keeps) or INVALID_API_KEYS; a
// failure the transport does not retry either because it would recur (a certificate that is not
// trusted, a refused redirect such as [ErrCrossOriginRedirect]); or a request the SDK refuses to
// send. Past those 20 minutes a session still in progress no longer
// holds back an earlier exit. An Identity Verification token never counts as expired: Plaid does
// not enforce its expiration.
//
// When ctx ends first, the error wraps ctx's error (errors.Is(err, context.DeadlineExceeded) or
// context.Canceled) and names the last failure, if any. Give ctx a deadline: a session the user
// never opens does not finish while the token lives.
//
// opts apply to every call to /link/token/get, as for [Client.GetToken]; [WithResponseInto]
// receives the last call's reply.
func (c *Client) WaitForSession(ctx context.Context, linkToken string, opts ...Option) (*TokenGetSessionsResponse, error) {
	return c.waitForSession(ctx, linkToken, transport.Sleep, opts)
}

// waitForSession is WaitForSession with pause as its wait between polls: transport.Sleep, or in
// this package's tests a recorder of the waits.
func (c *Client) waitForSession(ctx context.Context, linkToken string, pause func(context.Context, time.Duration) error,
	opts []Option) (*TokenGetSessionsResponse, error) {
	const method = "WaitForSession"
	if c == nil || c.t == nil {
		return nil, &CallError{Method: method, err: errNilClientCause}
	}
	if ctx == nil {
		// Checked here, not only by the transport: the loop asks ctx whether it ended.
		return nil, &CallError{Method: method, err: errors.New("nil Context")}
	}
	// The options are resolved once, not on every poll.
	cfg, err := c.forCall(opts)
	if err != nil {
		return nil, &CallError{Method: method, err: err}
	}
	into := cfg.responseInto
	// A copy of c, whatever fields it has, with the call's settings as its own.
	poller := *c
	poller.cfg = *cfg
	poller.cfg.responseInto = nil
	first, maxWait := cfg.pollFirst, cfg.pollMax
	if first == 0 {
		first, maxWait = DefaultPollInterval, DefaultMaxPollInterval
	}
	req := &TokenGetRequest{LinkToken: linkToken}
	// The reply's Date header is Plaid's clock, against which the token's expiration is read; a
	// caller's WithResponseInto still gets each reply.
	var reply Response
	wait := first
	var lastErr error
	for {
		resp, err := poller.GetToken(ctx, req, WithResponseInto(&reply))
		if into != nil {
			*into = reply
		}
		if err == nil {
			expired := expiredFor(resp, reply.Header)
			if s := finishedSession(resp.LinkSessions, expired); s != nil {
				// A copy, so that the caller does not keep the other sessions alive.
				out := *s
				return &out, nil
			}
			if expired {
				return nil, &CallError{Method: method, err: errLinkTokenExpiredCause}
			}
			lastErr = nil
		} else {
			if ctx.Err() != nil {
				return nil, waitEnded(ctx, err, lastErr)
			}
			if !pollAgain(err) {
				return nil, err
			}
			lastErr = err
			if slowDownAsked(err) {
				// Plaid asked for fewer calls: skip straight to the longest wait.
				wait = maxWait
			}
		}
		if pause(ctx, jitter(wait, rand.Float64())) != nil {
			return nil, waitEnded(ctx, nil, lastErr)
		}
		wait = nextPollWait(wait, maxWait)
	}
}

// nextPollWait is the wait after one of wait, before jitter.
func nextPollWait(wait, maxWait time.Duration) time.Duration {
	return min(time.Duration(float64(wait)*pollGrowth), maxWait)
}

// jitter spreads wait over [0.8, 1.2) of itself, r being uniform in [0, 1).
func jitter(wait time.Duration, r float64) time.Duration {
	return time.Duration(float64(wait) * (0.8 + 0.4*r))
}

// finishedSession picks the session to report, or nil to keep waiting: the latest that linked
// an Item; else the latest that exited, unless a session begun at or after its end is still in
// progress (the user is trying again) and the token has not expired (past the grace, Plaid will
// have closed that attempt).
func finishedSession(sessions []TokenGetSessionsResponse, expired bool) *TokenGetSessionsResponse {
	var linked, exited *TokenGetSessionsResponse
	for i := range sessions {
		s := &sessions[i]
		switch s.Outcome() {
		case SessionLinked:
			if linked == nil || s.FinishedAt.After(linked.FinishedAt) {
				linked = s
			}
		case SessionExited, SessionAbandoned:
			if exited == nil || endOf(s).After(endOf(exited)) {
				exited = s
			}
		}
	}
	if linked != nil {
		return linked
	}
	if exited == nil || expired {
		return exited
	}
	for i := range sessions {
		s := &sessions[i]
		if s.Outcome() == SessionInProgress && !s.StartedAt.Before(endOf(exited)) {
			return nil
		}
	}
	return exited
}

// endOf is when s ended: finished_at, or its start when Plaid gave no finished_at.
func endOf(s *TokenGetSessionsResponse) time.Time {
	if s.FinishedAt.IsZero() {
		return s.StartedAt
	}
	return s.FinishedAt
}

// pollAgain reports whether a failed call to /link/token/get may succeed if made again later.
// A network error is judged by the transport's own rule: every error of net/http's client is a
// net.Error (a *url.Error), a refused redirect or an untrusted certificate included, and those
// would fail the same way on every poll.
func pollAgain(err error) bool {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		return apiErr.Retryable()
	}
	var exhausted *transport.ExhaustedError
	var netErr net.Error
	return errors.As(err, &exhausted) || errors.Is(err, ErrAttemptTimeout) ||
		errors.As(err, &netErr) && transport.RetryableConnErr(err)
}

func slowDownAsked(err error) bool {
	var apiErr *Error
	return errors.As(err, &apiErr) && apiErr.ErrorType == ErrorTypeRateLimitExceeded
}

// expiredFor reports whether resp's link token expired, by the server's clock (its Date header;
// this machine's if there is none), longer ago than expiredGrace, in a way that rules out any
// further session.
func expiredFor(resp *TokenGetResponse, header http.Header) bool {
	if resp.Expiration == nil || resp.Expiration.IsZero() {
		return false
	}
	// Plaid does not enforce an Identity Verification token's expiration: a session can still
	// begin after it.
	if slices.Contains(resp.Metadata.InitialProducts, ProductIdentityVerification) {
		return false
	}
	now, err := http.ParseTime(header.Get("Date"))
	if err != nil {
		now = time.Now()
	}
	return now.After(resp.Expiration.Add(expiredGrace))
}

// waitEnded is the error of a wait whose context ended: the context's error (or current, the
// failed call's error that wraps it), naming the last failure before it (already masked by the
// transport) so that a wait that never got an answer says why.
func waitEnded(ctx context.Context, current, last error) error {
	err := ctx.Err()
	if current != nil && errors.Is(current, err) {
		err = current
	}
	if last != nil {
		err = fmt.Errorf("%w (last failure: %s)", err, causeText(last))
	}
	return &CallError{Method: "WaitForSession", err: err}
}
