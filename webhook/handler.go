package webhook

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
)

// HeaderName is the HTTP header Plaid puts the signed JWT in.
const HeaderName = "Plaid-Verification"

// DefaultMaxBodySize is the largest body [NewHandler] reads unless told otherwise. LINK webhooks
// are a few kilobytes; EVENTS for a long session stays far below this.
const DefaultMaxBodySize = 1 << 20

// HandlerOption configures the http.Handler of [NewHandler].
type HandlerOption func(*handler)

// WithMaxBodySize sets the largest body the handler reads (default [DefaultMaxBodySize]); larger
// bodies get 413 before being read in full. Non-positive values keep the default.
func WithMaxBodySize(n int64) HandlerOption {
	return func(h *handler) {
		if n > 0 {
			h.maxBody = n
		}
	}
}

// WithLogger makes the handler log each refused webhook at Warn level with the failure's sentinel
// error (such as [ErrTooOld]) as the reason. It never logs the body, the header, or the error fn
// returned, which could carry either; log those in fn if you need them.
func WithLogger(l *slog.Logger) HandlerOption {
	return func(h *handler) { h.log = l }
}

type handler struct {
	v       *Verifier
	fn      func(context.Context, Event) error
	maxBody int64
	log     *slog.Logger
	dedupe  Deduper
}

// NewHandler returns an http.Handler that receives Plaid webhooks: it reads the body (up to a
// limit), verifies it with v, parses it, and calls fn with the result. Its status codes tell Plaid
// what to do, since Plaid delivers a webhook again only after a 5xx: 200 when fn succeeds; 500 when
// fn fails, or when v is nil or has no KeyFetcher ([ErrNoVerifier], a misconfigured server), so
// that Plaid delivers the webhook again once it is fixed; 503 when the verification key cannot be
// fetched now ([ErrKeyUnavailable]), so that a passing outage does not lose a genuine webhook; 401
// when verification fails otherwise and 400 when the verified body cannot be parsed, which
// retrying would not fix; 405 for methods other than POST and 413 for oversized bodies. A nil fn
// acknowledges every verified webhook.
func NewHandler(v *Verifier, fn func(context.Context, Event) error, opts ...HandlerOption) http.Handler {
	h := &handler{v: v, fn: fn, maxBody: DefaultMaxBodySize}
	for _, o := range opts {
		if o != nil {
			o(h)
		}
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.fail(r, w, http.StatusMethodNotAllowed, nil)
		return
	}
	body, status := h.readBody(w, r)
	if status != 0 {
		h.fail(r, w, status, nil)
		return
	}
	ctx := r.Context()
	if err := h.v.Verify(ctx, r.Header.Get(HeaderName), body); err != nil {
		reason := reasonOf(err)
		h.fail(r, w, verifyStatus(reason), reason)
		return
	}
	ev, err := parse(body, false)
	if err != nil {
		h.fail(r, w, http.StatusBadRequest, ErrInvalidPayload)
		return
	}
	if h.fn != nil {
		if _, err := h.runDeduped(ctx, ev, func() error { return h.fn(ctx, ev) }); err != nil {
			h.fail(r, w, http.StatusInternalServerError, errHandlerFailed)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

// verifyStatus maps the sentinel of a verification failure to a status. Only failures that say
// something about the webhook get 401, which Plaid does not retry; failures on this side get a
// 5xx, so that Plaid delivers the webhook again: 503 when the key cannot be fetched now (the
// next delivery fetches it again, as the failure was not remembered), 500 for a server set up
// without a Verifier or KeyFetcher.
func verifyStatus(reason error) int {
	switch reason {
	case ErrKeyUnavailable:
		return http.StatusServiceUnavailable
	case ErrNoVerifier:
		return http.StatusInternalServerError
	}
	return http.StatusUnauthorized
}

// errHandlerFailed stands in for fn's error in logs, which may carry data from the body.
var errHandlerFailed = errors.New("webhook: handler function returned an error")

// firstRead is the most memory a body is given before its bytes arrive: a client may announce a
// megabyte in Content-Length and send one byte, and must not cost a megabyte for it.
const firstRead = 64 << 10

// readBody reads the whole body into one buffer. With a Content-Length, the buffer is sized by it
// up to firstRead, and takes the announced size only once that much has arrived and the body is
// shown to be real. It grows in that one step, which discards firstRead bytes: doubling would
// discard about as much again as the body, over the handler's heap budget of three times the body
// (TestHandlerHeapPerRequest). It returns a non-zero status on failure.
func (h *handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int) {
	if r.ContentLength > h.maxBody {
		return nil, http.StatusRequestEntityTooLarge
	}
	rd := http.MaxBytesReader(w, r.Body, h.maxBody)
	defer rd.Close()
	if r.ContentLength >= 0 {
		// One extra byte detects a body longer than it claimed.
		want := r.ContentLength + 1
		buf := make([]byte, min(want, firstRead+1))
		n, err := io.ReadFull(rd, buf)
		if err == nil && int64(n) < want {
			grown := make([]byte, want)
			copy(grown, buf)
			buf = grown
			var m int
			m, err = io.ReadFull(rd, buf[n:])
			n += m
		}
		switch {
		case err == nil:
			return nil, http.StatusBadRequest
		case int64(n) == r.ContentLength && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)):
			return buf[:n:n], 0
		default:
			return nil, readStatus(err)
		}
	}
	body, err := io.ReadAll(rd)
	if err != nil {
		return nil, readStatus(err)
	}
	return body, 0
}

// readStatus maps a body read error to a status: 413 for the size limit, 400 for the rest.
func readStatus(err error) int {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// fail writes status with its standard text, and logs the reason if a logger was given.
func (h *handler) fail(r *http.Request, w http.ResponseWriter, status int, reason error) {
	if h.log != nil {
		attrs := []slog.Attr{slog.Int("status", status), slog.String("method", r.Method)}
		if reason != nil {
			attrs = append(attrs, slog.String("reason", reason.Error()))
		}
		h.log.LogAttrs(r.Context(), slog.LevelWarn, "webhook refused", attrs...)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, strconv.Itoa(status)+" "+http.StatusText(status)+"\n")
}
