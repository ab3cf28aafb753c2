package transport

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Retryable reports whether a reply with this HTTP status is worth sending again: a timeout
// (408), rate limiting (429) and server errors (5xx). Other 4xx replies would fail the same way.
func Retryable(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// checkRetry is the retryablehttp.CheckRetry policy. A context that has ended stops everything
// and its error is what the caller gets back.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	var retry bool
	if err != nil {
		// Connection errors are retried, except those that cannot heal: a bad scheme, a TLS
		// certificate that is not trusted, too many redirects.
		retry, _ = retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	} else {
		retry = Retryable(resp.StatusCode)
	}
	if retry {
		logRetryable(ctx, resp, err)
	}
	return retry, nil
}

// backoff is the retryablehttp.Backoff policy: a Retry-After header, capped at retryAfterMax,
// wins; otherwise the wait doubles from min up to max, with jitter so that many clients failing
// together do not come back together.
func (c *Client) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, c.retryAfterMax)
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
