package transport

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// The sentinels link re-exports. Their messages are what a bare sentinel prints; the error types
// below write their own, so that a wrapped error reads with a single "link:" prefix.
var (
	// ErrOutcomeUnknown: a single-use call may have been carried out though it failed.
	ErrOutcomeUnknown = errors.New("link: outcome unknown: the request may have been carried out")
	// ErrAttemptTimeout: an attempt ran past the per-attempt timeout.
	ErrAttemptTimeout = errors.New("link: attempt timed out")
	// ErrCrossOriginRedirect: a redirect would have sent the request body to another origin.
	ErrCrossOriginRedirect = errors.New("redirect with the request body to another origin refused")
)

// OutcomeUnknownError is the failure of a SingleUse call that may have reached the server and
// been carried out. It matches ErrOutcomeUnknown and unwraps to its cause.
type OutcomeUnknownError struct {
	Attempts int
	Cause    error
}

func (e *OutcomeUnknownError) Error() string {
	return "outcome unknown after " + attempts(e.Attempts) + ": the request may have reached Plaid and " +
		"been carried out: if so, the public token is spent, the Item exists, and its access token cannot " +
		"be recovered, so the user must link again: " + e.Cause.Error()
}

func (e *OutcomeUnknownError) Unwrap() error        { return e.Cause }
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// ExhaustedError is a failure that was retried until the retries ran out; it unwraps to the last
// attempt's error.
type ExhaustedError struct {
	Attempts int
	Last     error
}

func (e *ExhaustedError) Error() string {
	return "gave up after " + attempts(e.Attempts) + ": " + e.Last.Error()
}

func (e *ExhaustedError) Unwrap() error { return e.Last }

func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return strconv.Itoa(n) + " attempts"
}

// AttemptTimeoutError is an attempt cut short by the per-attempt timeout while the caller's
// context was alive. It matches ErrAttemptTimeout and, on purpose, not context.DeadlineExceeded:
// the caller set no deadline that passed.
type AttemptTimeoutError struct {
	// After is the per-attempt timeout that passed.
	After time.Duration
}

func (e *AttemptTimeoutError) Error() string {
	return "attempt timed out after " + e.After.String() + " (the per-attempt timeout)"
}

// Is reports whether target is ErrAttemptTimeout.
func (e *AttemptTimeoutError) Is(target error) bool { return target == ErrAttemptTimeout }

// Timeout reports true, as a net.Error would.
func (e *AttemptTimeoutError) Timeout() bool { return true }

// Retryable reports whether a reply with this HTTP status, not a Plaid error, is worth sending
// again: a timeout (408), rate limiting (429), and the gateway errors that mean the server was
// not reached or is briefly away (502, 503, 504).
func Retryable(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// RetryableReply is the rule for a non-2xx reply to a call whose repeat does no harm: a Plaid
// error by its error_type and error_code, any other reply by the status rule of Retryable. The
// rule is stated for users, with the rest of the retry table, in package link's documentation.
func RetryableReply(status int, plaid bool, errorType, errorCode string) bool {
	if plaid {
		switch errorType {
		case "RATE_LIMIT_EXCEEDED":
			return true
		case "API_ERROR":
			if errorCode == "INTERNAL_SERVER_ERROR" || errorCode == "PLANNED_MAINTENANCE" {
				return true
			}
		case "INVALID_REQUEST", "INVALID_INPUT", "INVALID_RESULT", "ITEM_ERROR":
			return false
		}
	}
	return Retryable(status)
}

// NothingDone reports whether a Plaid error says the request was not carried out at all, so
// that even a single-use call may be sent again.
func NothingDone(plaid bool, errorType, errorCode string) bool {
	return plaid && (errorType == "RATE_LIMIT_EXCEEDED" || errorType == "API_ERROR" && errorCode == "PLANNED_MAINTENANCE")
}

// judge decides whether a failed attempt is worth repeating, and whether it was ambiguous: a
// single-use request that may have been carried out. It is the one place where the class of a
// call, ForceRetries and the kind of failure meet; Do only adds the caller's context and the
// number of retries.
func (c *Client) judge(r *result, singleUse, force bool) (retry, ambiguous bool) {
	switch {
	case r.api != nil:
		a := r.api
		retry = RetryableReply(r.status, a.Plaid, a.Type, a.Code)
		// A Plaid error other than API_ERROR is Plaid refusing the request: nothing was done.
		ambiguous = singleUse && !NothingDone(a.Plaid, a.Type, a.Code) && (!a.Plaid || a.Type == "API_ERROR")
		if singleUse && !force {
			// Only Plaid saying it did nothing lets a single-use call go again.
			retry = NothingDone(a.Plaid, a.Type, a.Code)
		}
	case r.decodeFailed:
		// The server answered 2xx: the call was carried out, and its reply is lost. A repeatable
		// call whose body broke off in transit (a reset, the attempt timeout) is sent again like
		// any connection failure; a body that arrived malformed would only arrive so again.
		return r.cutOff && !singleUse, singleUse
	default:
		ambiguous = singleUse && r.reached
		// A single-use request that may have arrived goes again only if the caller forced it.
		retry = RetryableConnErr(r.err) && (!ambiguous || force)
	}
	return retry, ambiguous
}

// RetryableConnErr reports whether an attempt that got no reply at all (err came from the HTTP
// client) may succeed when sent again: not when it was refused by a redirect rule, a bad URL, or
// a certificate that is not trusted, none of which heals.
func RetryableConnErr(err error) bool {
	var (
		unknownAuthority x509.UnknownAuthorityError
		certInvalid      x509.CertificateInvalidError
		hostname         x509.HostnameError
		verify           *tls.CertificateVerificationError
		redirect         *RedirectRefusedError
	)
	switch {
	case errors.Is(err, ErrCrossOriginRedirect), errors.As(err, &redirect),
		errors.As(err, &unknownAuthority), errors.As(err, &certInvalid), errors.As(err, &hostname),
		errors.As(err, &verify):
		return false
	}
	msg := err.Error()
	return !strings.Contains(msg, "unsupported protocol scheme") && !strings.Contains(msg, "invalid header")
}

// attemptTrace records, through net/http/httptrace, whether an attempt of a single-use call got
// a connection. Hooks may run on net/http's goroutines, hence the atomics.
type attemptTrace struct {
	getConn, gotConn atomic.Bool
}

func (t *attemptTrace) hooks() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GetConn: func(string) { t.getConn.Store(true) },
		GotConn: func(httptrace.GotConnInfo) { t.gotConn.Store(true) },
	}
}

// mayHaveReached reports whether a failed attempt may have reached the server. It is false only
// when that is provable: net/http's transport asked for a connection and never got one (the DNS
// lookup, the dial or the TLS handshake failed), or, with a RoundTripper that reports nothing
// through httptrace, the error itself is a DNS or dial failure.
func (t *attemptTrace) mayHaveReached(err error) bool {
	if t == nil {
		return true
	}
	if t.getConn.Load() {
		return t.gotConn.Load()
	}
	var (
		dnsErr *net.DNSError
		opErr  *net.OpError
	)
	if errors.As(err, &dnsErr) {
		return false
	}
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return false
	}
	return true
}

// backoff is the wait before retry number attempt+1: a Retry-After header, capped at
// retryAfterMax, wins; otherwise the wait doubles from min up to max, with jitter so that many
// clients failing together do not come back together.
func (c *Client) backoff(minWait, maxWait, retryAfterMax time.Duration, attempt int, h http.Header) time.Duration {
	if h != nil {
		if d, ok := ParseRetryAfter(h.Get("Retry-After"), time.Now()); ok {
			return min(d, retryAfterMax)
		}
	}
	return Backoff(minWait, maxWait, attempt)
}

// Backoff returns the wait before retry number attempt+1: minWait doubled attempt times, capped
// at maxWait, then "equal jitter": half of it fixed, half random. The fixed half keeps waits
// growing; the random half spreads out clients that failed at the same moment.
func Backoff(minWait, maxWait time.Duration, attempt int) time.Duration {
	if minWait <= 0 {
		return 0
	}
	maxWait = max(maxWait, minWait)
	d := maxWait
	if attempt < 32 {
		if v := minWait << uint(attempt); v > 0 && v < maxWait {
			d = v
		}
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// ParseRetryAfter parses a Retry-After value, either delay-seconds or an HTTP date (relative to
// now). A missing, malformed or negative value reports false.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second) // avoids overflow; the cap applies later
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}
