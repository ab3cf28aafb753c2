package transport

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// logRetryable logs the attempt just judged, which failed in a way worth retrying after wait.
// No header or body is logged: only the status, the masked request id and Retry-After, or the
// masked error.
func (st *callState) logRetryable(wait time.Duration) {
	r := &st.last
	attrs := []slog.Attr{
		slog.String("method", http.MethodPost),
		slog.String("path", st.call.Path),
		slog.Int("attempt", st.attempt),
		slog.Duration("duration", time.Since(st.lastStart)),
		slog.Duration("wait", wait),
	}
	redact := st.redactor()
	if r.status != 0 {
		attrs = append(attrs,
			slog.Int("status", r.status),
			slog.String("request_id", r.requestID),
			slog.String("retry_after", redact.Redact(r.header.Get("Retry-After"))))
	}
	if r.err != nil {
		attrs = append(attrs, slog.String("error", redact.Redact(r.err.Error())))
	}
	st.p.Logger.LogAttrs(st.Context, slog.LevelDebug, "plaid: retryable failure", attrs...)
}

// logDone logs the outcome of the call, after all its attempts; err is already masked.
func (st *callState) logDone(ctx context.Context, err error) {
	if !st.logging {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", http.MethodPost),
		slog.String("path", st.call.Path),
		slog.Int("status", st.last.status),
		slog.Int("attempt", st.attempt),
		slog.Duration("duration", time.Since(st.start)),
		slog.String("request_id", st.last.requestID),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	st.p.Logger.LogAttrs(ctx, slog.LevelDebug, "plaid: request", attrs...)
}
