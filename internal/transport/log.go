package transport

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// stateKey carries a *callState in a request's context, only while debug logging is on, so the
// retryablehttp hooks (which see only the request) can count and describe attempts.
type stateKey struct{}

type callState struct {
	path         string
	logger       *slog.Logger
	redact       *Redactor
	attempts     int
	attemptStart time.Time
}

func stateFrom(ctx context.Context) *callState {
	st, _ := ctx.Value(stateKey{}).(*callState)
	return st
}

// countAttempt is the retryablehttp.RequestLogHook: it runs before every attempt, on the
// caller's goroutine.
func countAttempt(_ retryablehttp.Logger, req *http.Request, attempt int) {
	if st := stateFrom(req.Context()); st != nil {
		st.attempts = attempt + 1
		st.attemptStart = time.Now()
	}
}

// logRetryable logs one attempt that failed in a way worth retrying. No header or body is
// logged: only the status or the (redacted) connection error.
func logRetryable(ctx context.Context, resp *http.Response, err error) {
	st := stateFrom(ctx)
	if st == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", http.MethodPost),
		slog.String("path", st.path),
		slog.Int("attempt", st.attempts),
		slog.Duration("duration", time.Since(st.attemptStart)),
	}
	if resp != nil {
		attrs = append(attrs,
			slog.Int("status", resp.StatusCode),
			slog.String("request_id", headerRequestID(resp.Header)),
			slog.String("retry_after", resp.Header.Get("Retry-After")))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", st.redact.Redact(err.Error())))
	}
	st.logger.LogAttrs(ctx, slog.LevelDebug, "plaid: retryable failure", attrs...)
}

// logDone logs the outcome of one call, after all its attempts.
func (c *Client) logDone(ctx context.Context, st *callState, path string, status int, start time.Time, requestID string, err error) {
	if st == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", http.MethodPost),
		slog.String("path", path),
		slog.Int("status", status),
		slog.Int("attempt", st.attempts),
		slog.Duration("duration", time.Since(start)),
		slog.String("request_id", requestID),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", c.redact.Redact(err.Error())))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "plaid: request", attrs...)
}
