// Package transport is the one HTTP layer behind every link.Client method: it encodes a request
// as JSON, POSTs it with Plaid's auth headers, retries what is safe to retry for the kind of call
// it is (go-retryablehttp's loop, under the rules of judge, held in its hooks), runs the caller's
// middleware around each attempt, logs without secrets, masks every error it returns, and
// decodes either the response or, through a caller-supplied decoder, an API error.
package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/textproto"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Defaults used when a Config field is left zero.
const (
	DefaultBackoffMin    = 500 * time.Millisecond
	DefaultBackoffMax    = 8 * time.Second
	DefaultRetryAfterMax = 30 * time.Second
	DefaultMaxBodyBytes  = 10 << 20 // a success body larger than this is refused
	DefaultMaxErrorBytes = 64 << 10 // at most this much of an error body is read
)

// APIError is what an ErrorDecoder makes of a non-2xx reply: the error to hand back, and what
// the retry rule needs to know about it.
type APIError struct {
	Err       error
	RequestID string // masked
	// Plaid is true when the body was a Plaid error; Type and Code are then its error_type and
	// error_code.
	Plaid      bool
	Type, Code string
}

// ErrorDecoder turns a non-2xx reply into the caller's error. body holds at most
// Config.MaxErrorBytes bytes; headerRequestID is the request id from the response headers, if
// any, already masked; r is the Client's Redactor, for the decoder to mask what it keeps of body.
type ErrorDecoder func(status int, body []byte, headerRequestID string, r *Redactor) APIError

// Config configures a Client. BaseURL, ClientID, Secret and DecodeError are required; every
// other zero field but those of Pacing takes its default.
type Config struct {
	BaseURL      string // scheme://host[/prefix], without a trailing slash; paths are appended
	ClientID     string
	Secret       string
	PlaidVersion string
	UserAgent    string

	// HTTPClient is used as a template: the Client copies it, wraps its CheckRedirect and its
	// Transport in the copy, so the caller's value is never changed while its Transport (and its
	// connection pool) is shared. Its Timeout is ignored: Pacing.Timeout bounds each attempt.
	HTTPClient *http.Client
	MaxRetries int

	// Pacing is what a call may override with Call.Pacing.
	Pacing

	MaxBodyBytes  int64
	MaxErrorBytes int64

	DecodeError ErrorDecoder
}

// Pacing is how a call's attempts are bounded, spaced and logged. Each value is taken as given:
// zero waits (or bounds) not at all. Link passes the Default values unless told otherwise.
type Pacing struct {
	Timeout time.Duration // per attempt; 0 means none
	// BackoffMin and BackoffMax bound the wait between attempts (see Backoff); RetryAfterMax caps
	// the wait a Retry-After header asks for.
	BackoffMin, BackoffMax, RetryAfterMax time.Duration
	Logger                                *slog.Logger // nil logs nothing
}

// Client sends Plaid API calls. It is safe for concurrent use.
type Client struct {
	cfg    Config
	url    string
	hc     *http.Client      // the copy that carries every attempt, its Transport an attemptTransport
	base   http.RoundTripper // what the attemptTransport sends through: the pool
	redact *Redactor

	maxBody, maxErrorBody int64
}

// The canonical keys of the headers the transport sets, and removes on a redirect to another origin.
var (
	keyClientID    = textproto.CanonicalMIMEHeaderKey("PLAID-CLIENT-ID")
	keySecret      = textproto.CanonicalMIMEHeaderKey("PLAID-SECRET")
	keyVersion     = textproto.CanonicalMIMEHeaderKey("Plaid-Version")
	keyUserAgent   = textproto.CanonicalMIMEHeaderKey("User-Agent")
	keyContentType = textproto.CanonicalMIMEHeaderKey("Content-Type")
)

// New returns a Client for cfg. The caller (link.NewClient) has already validated user input;
// New only refuses a Config that could not work at all.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.BaseURL == "":
		return nil, errors.New("transport: BaseURL is required")
	case cfg.ClientID == "" || cfg.Secret == "":
		return nil, errors.New("transport: ClientID and Secret are required")
	case cfg.DecodeError == nil:
		return nil, errors.New("transport: DecodeError is required")
	case cfg.MaxRetries < 0 || cfg.Timeout < 0:
		return nil, errors.New("transport: MaxRetries and Timeout must not be negative")
	}
	c := &Client{
		cfg:          cfg,
		url:          cfg.BaseURL,
		redact:       NewRedactor(cfg.Secret, cfg.ClientID),
		maxBody:      orDefault(cfg.MaxBodyBytes, DefaultMaxBodyBytes),
		maxErrorBody: orDefault(cfg.MaxErrorBytes, DefaultMaxErrorBytes),
	}
	c.hc, c.base = attemptClient(cfg.HTTPClient)
	return c, nil
}

// attemptClient returns the http.Client that carries every attempt of a call, made from user (a
// caller's http.Client, or nil for a pool of the transport's own), and the RoundTripper its
// attempts go through: user's Transport, or the pool.
func attemptClient(user *http.Client) (*http.Client, http.RoundTripper) {
	var hc http.Client
	var base http.RoundTripper
	if user != nil {
		hc = *user
		base = hc.Transport
		if base == nil {
			base = http.DefaultTransport
		}
	} else {
		base = defaultTransport()
	}
	// Every attempt goes through the attemptTransport, which bounds it, runs the middleware and
	// reads the reply. It has no CloseIdleConnections of its own, so the one retryablehttp calls
	// on the http.Client when a call gives up empties nothing: a failed call must not close the
	// idle connections every other call is using.
	hc.Transport = attemptTransport{base: base}
	// The attempt timeout is the attemptTransport's (see there), so the copy has none of its own.
	hc.Timeout = 0
	hc.CheckRedirect = redirectPolicy(hc.CheckRedirect)
	return &hc, base
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// defaultTransport is a private copy of http.DefaultTransport that keeps more idle connections
// to the one host this client talks to (the default of 2 would churn under concurrency).
func defaultTransport() http.RoundTripper {
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		// Someone (a test mock, a tracing wrapper) replaced the default: respect it.
		return http.DefaultTransport
	}
	t = t.Clone()
	t.MaxIdleConnsPerHost = 32
	return t
}

// CloseIdleConnections closes the idle connections of the Client's pool: its own, or the
// Transport of the http.Client it was given.
func (c *Client) CloseIdleConnections() {
	if ci, ok := c.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// Class says what sending a call twice may do, and so when it may be retried.
type Class uint8

const (
	// Repeatable calls (reads, and writes whose repeat does no harm) are retried on connection
	// errors and on the replies RetryableReply accepts.
	Repeatable Class = iota
	// SingleUse calls (a public token exchange) are retried only when the request provably did
	// not reach the server, or the server said it did nothing; any other failure is reported at
	// once as an *OutcomeUnknownError.
	SingleUse
)

// Info is what a call received, for a caller who asked to see it. Every value that came from the
// server is masked, except Body, which is the caller's own data exactly as received.
type Info struct {
	StatusCode int
	Header     http.Header
	RequestID  string
	Attempts   int
	Body       []byte
}

// Call describes one call.
type Call struct {
	Path  string
	Class Class
	// ForceRetries retries a SingleUse call as if it were Repeatable; a failure after an
	// ambiguous attempt is still reported as an *OutcomeUnknownError.
	ForceRetries bool
	// MaxRetries overrides the Client's when not negative.
	MaxRetries int
	// RequestID, if not nil, points at the response's request_id field: it is read after
	// decoding, for the log line and Info.
	RequestID *string
	// Info, if not nil, is filled with what the last attempt received.
	Info *Info
	// Header holds extra headers set on every attempt's request, before the SDK's own (which
	// therefore cannot be overridden). Its slices are shared by every request: only read them.
	Header []HeaderValue
	// Middleware runs around every attempt, the first outermost.
	Middleware []Middleware
	// Pacing, if not nil, replaces the Client's for this call.
	Pacing *Pacing
	// Where and how this call is sent, when its options say otherwise than the Client's Config:
	// empty values (nil for HTTPClient) are the Config's. A call with an http.Client other than
	// the Config's sends through that client's Transport, and any other through the Client's.
	BaseURL, PlaidVersion, UserAgent string
	HTTPClient                       *http.Client
	// Secrets are credentials of this call's own (the tokens in its request): every error, log
	// line and Info.Header of the call masks each of them, and the identifier of a Plaid token.
	Secrets []string
	// CheckReply, if not nil, judges a 2xx reply that decoded into out (body holds its bytes,
	// only to be read during the call). An error makes the reply a failure, as one that could not
	// be decoded: for a SingleUse call, an *OutcomeUnknownError. Its text is masked.
	CheckReply func(status int, body []byte, out any) error
}

// HeaderValue is one extra request header: Key in canonical form and its values.
type HeaderValue struct {
	Key    string
	Values []string
}

// Next sends a request on, to the next Middleware or the network.
type Next = func(*http.Request) (*http.Response, error)

// Middleware sees every attempt's request before it is sent, and its reply or error after;
// it calls next to send the request on.
type Middleware = func(req *http.Request, next Next) (*http.Response, error)

// Do sends in as JSON to call.Path and decodes a 2xx reply into out. A non-2xx reply becomes the
// error returned by Config.DecodeError, wrapped in an *ExhaustedError when retries ran out, or in
// an *OutcomeUnknownError when a SingleUse call may have been carried out. Every error it returns
// is masked with the call's Redactor (see maskError).
//
// The attempts, the waits between them and the rewinding of the body are go-retryablehttp's
// loop; what is retried, and what an error says, is decided by this package's hooks on it (see
// callState), which hold the one classification, judge.
func (c *Client) Do(ctx context.Context, call *Call, in, out any) error {
	if ctx == nil {
		return errors.New("nil Context")
	}
	body, err := encodeRequest(in)
	if err != nil {
		// encoding/json errors name types and, for bad floats, the value; never a token.
		return fmt.Errorf("encoding request: %w", err)
	}
	st := c.newCallState(ctx, call, out)
	st.body.data = body
	req, err := retryablehttp.NewRequestWithContext(st, http.MethodPost, orDefault(call.BaseURL, c.url)+call.Path,
		retryablehttp.ReaderFunc(st.body.reader))
	if err != nil {
		return st.maskError(err)
	}
	h := req.Header
	for _, kv := range call.Header {
		h[kv.Key] = kv.Values
	}
	// The SDK's headers, each its own one-value slice of one array made for this request (as
	// Header.Set would make five), under keys already in canonical form. No Accept header: Plaid
	// answers JSON whatever it says, and one more header to write and parse measured about 3% of
	// a loopback round trip.
	v := &[5]string{c.cfg.ClientID, c.cfg.Secret, orDefault(call.PlaidVersion, c.cfg.PlaidVersion),
		orDefault(call.UserAgent, c.cfg.UserAgent), "application/json"}
	h[keyClientID] = v[0:1:1]
	h[keySecret] = v[1:2:2]
	h[keyVersion] = v[2:3:3]
	h[keyUserAgent] = v[3:4:4]
	h[keyContentType] = v[4:5:5]

	st.body.sending = true
	resp, err := st.rc.Do(req)
	if err == nil {
		// The RoundTripper has read and closed the reply; its Body is http.NoBody.
		st.logDone(ctx, nil)
		return nil
	}
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if st.final != nil {
		err = st.final
	} else {
		// retryablehttp returns the context's error, and no more, when it ends during a wait.
		err = fmt.Errorf("waiting to retry after attempt %d: %w", st.attempt, err)
		if call.Class == SingleUse && st.ambiguous {
			err = &OutcomeUnknownError{Attempts: st.attempt, Cause: err}
		}
	}
	err = st.maskError(err)
	st.logDone(ctx, err)
	return err
}

// encodeRequest is json.Marshal, except that a request type with an encoder of its own (written
// for speed) has it called directly: such an encoder is held by its tests to encoding/json's exact
// bytes, which json.Marshal would only scan again, at more than the cost of writing them.
func encodeRequest(in any) ([]byte, error) {
	if m, ok := in.(json.Marshaler); ok {
		return m.MarshalJSON()
	}
	return json.Marshal(in)
}

// Sleep waits for d or until ctx ends, whichever is first, and returns ctx's error if it ended.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// result is what one attempt came to.
type result struct {
	status    int         // 0: no reply
	header    http.Header // the reply's headers, unmasked: read only for Retry-After and Info
	requestID string      // masked
	raw       []byte      // the body, when asked for or for an error reply
	api       *APIError   // set for a non-2xx reply
	err       error
	// reached is false only when the request provably never reached the server.
	reached bool
	// decodeFailed: a 2xx reply whose body could not be decoded, or that CheckReply refused.
	decodeFailed bool
	// cutOff: that body broke off in transit rather than arriving malformed.
	cutOff bool
}

// readResponse decodes resp into the call's out (2xx) or an error (anything else), then drains
// and closes the body so the connection goes back to the pool.
func (st *callState) readResponse(resp *http.Response) result {
	c, call := st.c, &st.call
	r := result{status: resp.StatusCode, header: resp.Header, reached: true}
	// One attempt is read at a time, each to its end here: the call's state holds the reader.
	lr := &st.lr
	*lr = limitedReader{r: resp.Body, n: c.maxBody}
	defer drainAndClose(lr, resp.Body)

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		lr.n = c.maxErrorBody
		b, err := io.ReadAll(lr)
		r.raw = b // what arrived, as it arrived
		if err != nil && !errors.Is(err, errTooLarge) {
			// The status is known even if the body broke off: report what arrived.
			b = append(b[:len(b):len(b)], "...(body read failed)"...)
		}
		redact := st.redactor()
		hdrID := redact.Redact(headerRequestID(resp.Header))
		api := c.cfg.DecodeError(resp.StatusCode, b, hdrID, redact)
		r.api, r.err, r.requestID = &api, api.Err, orDefault(api.RequestID, hdrID)
		return r
	}

	var err, checkErr error
	if call.Info != nil {
		// The caller wants the exact bytes: read them first, then decode the copy.
		r.raw, err = io.ReadAll(lr)
		if err == nil || !errors.Is(err, errTooLarge) {
			derr := decodeWhole(&limitedReader{r: bytes.NewReader(r.raw), n: c.maxBody}, st.out)
			if err == nil || derr == nil {
				// A whole object that arrived before the connection broke or stalled is the
				// reply, as checkWholeObject rules for the streamed decode.
				err = derr
			}
		}
		if err == nil && call.CheckReply != nil {
			checkErr = call.CheckReply(resp.StatusCode, r.raw, st.out)
		}
	} else {
		// The body is read into a pooled buffer, kept only on failure, where it lets the error
		// name the field that failed.
		rec := recPool.Get().(*bytes.Buffer)
		err = readAndDecode(lr, rec, st.out)
		if err == nil && call.CheckReply != nil {
			checkErr = call.CheckReply(resp.StatusCode, rec.Bytes(), st.out)
		}
		if err != nil || checkErr != nil {
			r.raw = bytes.Clone(rec.Bytes())
		}
		if rec.Cap() <= maxPooledRec {
			rec.Reset()
			recPool.Put(rec)
		}
	}
	if st.wantID || err != nil || checkErr != nil {
		if call.RequestID != nil {
			r.requestID = *call.RequestID
		}
		if r.requestID == "" {
			r.requestID = headerRequestID(resp.Header)
		}
		r.requestID = st.redactor().Redact(r.requestID)
	}
	switch {
	case checkErr != nil:
		// The body decoded, and CheckReply said it is no result; it was not cut off, so it would
		// only come back so if asked again.
		r.decodeFailed = true
		r.err = checkErr
	case err != nil:
		r.decodeFailed = true
		r.cutOff = lr.readErr != nil
		r.err = st.describeDecodeError(resp.StatusCode, err, r.raw)
		if resp.Request != nil && resp.Request.Context().Err() != nil && !errors.Is(err, context.Canceled) &&
			!errors.Is(err, context.DeadlineExceeded) {
			// The body read broke off because the call's context (or the attempt's timeout)
			// ended; the read error itself may not say so.
			r.err = fmt.Errorf("reading HTTP %d response: %w", resp.StatusCode, context.Cause(resp.Request.Context()))
		}
	}
	return r
}

// describeDecodeError says why a 2xx body could not be decoded, naming the field but never
// quoting a value from the body: a server (or a proxy) may have put a credential there.
func (st *callState) describeDecodeError(status int, err error, raw []byte) error {
	c := st.c
	switch {
	case errors.Is(err, errTooLarge):
		return fmt.Errorf("HTTP %d response body exceeds %d bytes: %w", status, c.maxBody, errTooLarge)
	case errors.Is(err, io.EOF):
		return fmt.Errorf("HTTP %d response has an empty body, want JSON", status)
	case errors.Is(err, errNotObject), errors.Is(err, errTrailingData):
		return fmt.Errorf("decoding HTTP %d response: %w", status, err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("reading HTTP %d response: %w", status, err)
	case isSyntaxError(err):
		var se *json.SyntaxError
		errors.As(err, &se)
		return fmt.Errorf("decoding HTTP %d response: invalid JSON at byte %d", status, se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("decoding HTTP %d response: invalid JSON: the body ends inside a value", status)
	}
	return fmt.Errorf("decoding HTTP %d response: %s", status, st.redactor().Redact(describeFieldError(err, raw, st.out)))
}

func isSyntaxError(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se)
}

// headerRequestID reads the request id some gateways put in a header, for replies whose body has
// none (an HTML error page, an empty body). The caller masks it.
func headerRequestID(h http.Header) string {
	if v := h.Get("X-Request-Id"); v != "" {
		return v
	}
	return h.Get("Plaid-Request-Id")
}

// fillInfo records what attempt number attempt received.
func (st *callState) fillInfo(info *Info, r *result, attempt int) {
	*info = Info{StatusCode: r.status, RequestID: r.requestID, Attempts: attempt, Body: r.raw}
	if r.header != nil {
		info.Header = maskHeader(st.redactor(), r.header)
	}
}

// credentialHeaders are masked whole in Info.Header, whatever their value.
var credentialHeaders = map[string]bool{
	"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "Set-Cookie": true,
	keyClientID: true, keySecret: true,
}

// maskHeader returns a copy of h with credentials and token identifiers masked in every value.
func maskHeader(redact *Redactor, h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		mk := redact.Redact(k)
		masked := make([]string, len(vs))
		for i, v := range vs {
			if credentialHeaders[k] {
				masked[i] = mask
			} else {
				masked[i] = redact.Redact(v)
			}
		}
		out[mk] = append(out[mk], masked...)
	}
	return out
}
