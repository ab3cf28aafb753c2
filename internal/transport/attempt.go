package transport

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// callKey is the context key under which a call's state reaches the attemptTransport and the
// CheckRetry hook: go-retryablehttp passes them the request and its context, and nothing else.
type callKey struct{}

// callState is one call: its settings, the go-retryablehttp Client that runs its attempts, and
// what its attempts came to. Only one attempt of a call runs at a time, so it needs no lock.
//
// It is also the call's context: the caller's, which it embeds, with itself as the value of
// callKey. That saves the allocation of a context.WithValue per call; the context package
// still finds the caller's cancelCtx through Value, so deriving from it starts no goroutine.
type callState struct {
	context.Context // the caller's

	c       *Client
	call    Call // a copy, so that the caller's Call need not escape to the heap
	out     any
	p       *Pacing
	logging bool
	wantID  bool // the request id is wanted on success too: for the log line or Info
	start   time.Time

	rc retryablehttp.Client

	redact *Redactor // made on first use: c.redact, and the call's own Secrets

	body requestBody   // the request's JSON, rewound for each attempt
	lr   limitedReader // reads the attempt's reply in readResponse

	attempt   int       // attempts judged so far
	ambiguous bool      // an attempt so far may have been carried out
	res       result    // what the RoundTripper recorded of the attempt in flight
	resErr    error     // the error the RoundTripper returned for it, if any
	last      result    // the last attempt judged
	lastStart time.Time // when the attempt in flight began
	final     error     // the call's error, once CheckRetry gave up
	sent      bool      // the attempt in flight went to the network (through the middleware)
}

func (c *Client) newCallState(ctx context.Context, call *Call, out any) *callState {
	p := call.Pacing
	if p == nil {
		p = &c.cfg.Pacing
	}
	maxRetries := c.cfg.MaxRetries
	if call.MaxRetries >= 0 {
		maxRetries = call.MaxRetries
	}
	st := &callState{Context: ctx, c: c, call: *call, out: out, p: p}
	st.logging = p.Logger != nil && p.Logger.Enabled(ctx, slog.LevelDebug)
	if st.logging {
		st.start = time.Now() // only the log lines need the times
	}
	st.wantID = st.logging || call.Info != nil
	hc := c.hc
	if call.HTTPClient != nil && call.HTTPClient != c.cfg.HTTPClient {
		hc, _ = attemptClient(call.HTTPClient) // a call's own http.Client, wrapped for this call
	}
	st.rc = retryablehttp.Client{
		HTTPClient:   hc,
		RetryWaitMin: p.BackoffMin,
		RetryWaitMax: p.BackoffMax,
		RetryMax:     maxRetries,
		CheckRetry:   checkRetry,
		// Backoff is set by checkRetry when it first decides to retry: a method value costs an
		// allocation, and most calls are sent once.
		ErrorHandler: giveUp,
	}
	return st
}

// Value returns st for callKey, and otherwise what the caller's context holds.
func (st *callState) Value(key any) any {
	if _, ok := key.(callKey); ok {
		return st
	}
	return st.Context.Value(key)
}

// redactor is the call's Redactor: the Client's, and the tokens of the call's own request.
func (st *callState) redactor() *Redactor {
	if st.redact == nil {
		st.redact = st.c.redact.With(st.call.Secrets...)
	}
	return st.redact
}

// attemptTransport carries each attempt: it bounds it by the call's timeout, runs the call's
// middleware around it and reads the reply, so that go-retryablehttp's CheckRetry judges each
// attempt once, on everything it came to: a 2xx body that broke off mid-way is an error of
// RoundTrip, not a reply read later. A request that is not a call's is sent as it is.
type attemptTransport struct{ base http.RoundTripper }

func (t attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	st, _ := req.Context().Value(callKey{}).(*callState)
	if st == nil {
		return t.base.RoundTrip(req)
	}
	return st.roundTrip(req, t.base)
}

func (st *callState) roundTrip(req *http.Request, base http.RoundTripper) (*http.Response, error) {
	ctx := req.Context()
	if st.logging {
		st.lastStart = time.Now()
	}
	actx := ctx
	var tr *attemptTrace
	if st.call.Class == SingleUse {
		// Only for single-use calls: tracing costs allocations every other call can skip.
		tr = new(attemptTrace)
		actx = httptrace.WithClientTrace(actx, tr.hooks())
	}
	if d := st.p.Timeout; d > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeoutCause(actx, d, ErrAttemptTimeout)
		defer cancel()
	}
	if actx != ctx {
		req = req.WithContext(actx)
	}
	mws := st.call.Middleware
	if len(mws) == 0 {
		return st.sendAndRead(req, base, ctx, actx, tr)
	}
	ch := &chain{mws: mws, st: st, base: base, ctx: ctx, actx: actx, tr: tr}
	st.sent = false
	resp, err := ch.next(req)
	switch {
	case err == nil && resp == nil:
		err = errors.New("middleware returned neither a response nor an error")
	case err != nil && resp != nil && resp.Body != nil:
		_ = resp.Body.Close() // a reply beside an error is not read
	}
	switch {
	case err != nil && (!st.sent || err != st.resErr):
		// The middleware failed the attempt itself, before or after sending it.
		st.res = result{err: err, reached: st.sent || tr.mayHaveReached(err)}
		st.resErr = err
		return nil, err
	case err != nil:
		return nil, err
	case !st.sent:
		// A reply the middleware made up: read as if it had come from the network.
		return st.read(resp, ctx, actx)
	}
	return resp, nil
}

// sendAndRead sends one attempt's request and reads its reply: what the attempt came to is
// recorded in st.res for checkRetry. A 2xx reply that could not be read whole is an error; any
// other reply is returned with its body read and closed.
func (st *callState) sendAndRead(req *http.Request, base http.RoundTripper, ctx, actx context.Context, tr *attemptTrace) (*http.Response, error) {
	st.sent = true
	resp, err := base.RoundTrip(req)
	if err != nil {
		st.res = result{err: st.attemptError(ctx, actx, err), reached: tr.mayHaveReached(err)}
		st.resErr = st.res.err
		return nil, st.res.err
	}
	return st.read(resp, ctx, actx)
}

func (st *callState) read(resp *http.Response, ctx, actx context.Context) (*http.Response, error) {
	st.res = st.readResponse(resp)
	if r := &st.res; r.err != nil && r.api == nil {
		r.err = st.attemptError(ctx, actx, r.err)
		st.resErr = r.err
		return nil, r.err
	}
	resp.Body = http.NoBody // read and closed
	return resp, nil
}

// attemptError tells an attempt cut short by the per-attempt timeout from one the caller's
// context ended: only the latter may read as context.DeadlineExceeded.
func (st *callState) attemptError(ctx, actx context.Context, err error) error {
	if ctx.Err() == nil && st.p.Timeout > 0 && errors.Is(context.Cause(actx), ErrAttemptTimeout) {
		return &AttemptTimeoutError{After: st.p.Timeout}
	}
	return err
}

// chain runs mws around sendAndRead, for one attempt. It is allocated only when there is
// middleware.
type chain struct {
	mws       []Middleware
	st        *callState
	base      http.RoundTripper
	ctx, actx context.Context
	tr        *attemptTrace
}

func (ch *chain) next(req *http.Request) (*http.Response, error) {
	if len(ch.mws) == 0 {
		return ch.st.sendAndRead(req, ch.base, ch.ctx, ch.actx, ch.tr)
	}
	mw := ch.mws[0]
	ch.mws = ch.mws[1:]
	return mw(req, ch.next)
}

// Reply is what the Client read of one attempt's reply. Every value is masked.
type Reply struct {
	RequestID            string
	ErrorType, ErrorCode string // of a Plaid error
}

// ReplyOf returns what the Client read of resp, a reply that a Middleware's next returned; false
// for any other response. The request id is looked up and masked only here, so that middleware
// that does not ask costs nothing.
func ReplyOf(resp *http.Response) (Reply, bool) {
	if resp == nil || resp.Request == nil {
		return Reply{}, false
	}
	st, _ := resp.Request.Context().Value(callKey{}).(*callState)
	if st == nil || !st.sent || st.res.status != resp.StatusCode {
		return Reply{}, false
	}
	r := Reply{RequestID: st.res.requestID}
	if a := st.res.api; a != nil {
		if a.Plaid {
			r.ErrorType, r.ErrorCode = a.Type, a.Code
		}
	} else if r.RequestID == "" {
		// A 2xx reply: its request id is in the decoded response, or else in a header.
		if st.call.RequestID != nil {
			r.RequestID = *st.call.RequestID
		}
		if r.RequestID == "" {
			r.RequestID = headerRequestID(resp.Header)
		}
		r.RequestID = st.redactor().Redact(r.RequestID)
	}
	return r, true
}

// checkRetry is go-retryablehttp's CheckRetry for every call: it judges each attempt once, with
// judge, and says whether to send it again. When it stops on a failure it returns the call's
// error, which makes retryablehttp give up through giveUp.
func checkRetry(ctx context.Context, _ *http.Response, doErr error) (bool, error) {
	st := ctx.Value(callKey{}).(*callState)
	st.attempt++
	var r result
	switch {
	case doErr == nil:
		r = st.res // a reply, decoded or made an API error by the RoundTripper
	case st.resErr != nil:
		r = st.res
		if !r.decodeFailed && !errors.Is(r.err, ErrAttemptTimeout) {
			// A connection failure reads as net/http reports it: the *url.Error naming the call.
			r.err = doErr
		}
	default:
		// http.Client failed without the RoundTripper failing: a redirect rule refused a hop.
		r = result{err: doErr, reached: true}
	}
	st.res, st.resErr = result{}, nil
	st.last = r
	if st.call.Info != nil {
		st.fillInfo(st.call.Info, &r, st.attempt)
	}
	if r.err == nil {
		return false, nil
	}

	singleUse := st.call.Class == SingleUse
	retry, ambiguous := st.c.judge(&r, singleUse, st.call.ForceRetries)
	err := r.err
	switch {
	case ctx.Err() != nil:
		retry = false
	case retry && st.attempt > st.rc.RetryMax:
		retry = false
		if st.attempt > 1 {
			err = &ExhaustedError{Attempts: st.attempt, Last: err}
		}
	}
	st.ambiguous = st.ambiguous || ambiguous
	if retry {
		if st.rc.Backoff == nil {
			st.rc.Backoff = st.backoff // read by go-retryablehttp after CheckRetry, before the wait
		}
		return true, nil
	}
	if singleUse && st.ambiguous {
		// The OutcomeUnknownError names the attempts itself: its cause is the last one's error,
		// not an ExhaustedError saying so again.
		err = &OutcomeUnknownError{Attempts: st.attempt, Cause: r.err}
	}
	st.final = err
	return false, err
}

// backoff is go-retryablehttp's Backoff for this call: a Retry-After header, capped at the
// call's RetryAfterMax, wins; otherwise the wait doubles from minWait up to maxWait, with jitter.
// It is also where a retryable failure is logged, since only here is its wait known.
func (st *callState) backoff(minWait, maxWait time.Duration, attemptNum int, _ *http.Response) time.Duration {
	wait := st.c.backoff(minWait, maxWait, st.p.RetryAfterMax, attemptNum, st.last.header)
	if st.logging {
		st.logRetryable(wait)
	}
	return wait
}

// giveUp is go-retryablehttp's ErrorHandler: the call's error is the one checkRetry returned,
// without retryablehttp's own "giving up" wrapping (which would quote the URL).
func giveUp(resp *http.Response, err error, _ int) (*http.Response, error) {
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	return nil, err
}

// maskError masks err with the call's Redactor: see MaskError.
func (st *callState) maskError(err error) error {
	return MaskError(st.redactor(), err)
}
