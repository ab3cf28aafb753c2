package transport

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// logRetryable logs one attempt that failed in a way worth retrying. No header or body is
// logged: only the status, the masked request id and Retry-After, or the masked error.
func (c *Client) logRetryable(ctx context.Context, path string, attempt int, start time.Time, r *result, wait time.Duration) {
	attrs := []slog.Attr{
		slog.String("method", http.MethodPost),
		slog.String("path", path),
		slog.Int("attempt", attempt),
		slog.Duration("duration", time.Since(start)),
		slog.Duration("wait", wait),
	}
	if r.status != 0 {
		attrs = append(attrs,
			slog.Int("status", r.status),
			slog.String("request_id", r.requestID),
			slog.String("retry_after", c.redact.Redact(r.header.Get("Retry-After"))))
	}
	if r.err != nil {
		attrs = append(attrs, slog.String("error", c.redact.Redact(r.err.Error())))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "plaid: retryable failure", attrs...)
}

// logDone logs the outcome of one call, after all its attempts. requestID is already masked.
func (c *Client) logDone(ctx context.Context, logging bool, path string, status, attempt int, start time.Time, requestID string, err error) {
	if !logging {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", http.MethodPost),
		slog.String("path", path),
		slog.Int("status", status),
		slog.Int("attempt", attempt),
		slog.Duration("duration", time.Since(start)),
		slog.String("request_id", requestID),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", c.redact.Redact(err.Error())))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "plaid: request", attrs...)
}
