// Package transport is the one HTTP layer behind every link.Client method: it encodes a request
// as JSON, POSTs it with Plaid's auth headers, retries what is safe to retry, logs without
// secrets, and decodes either the response or, through a caller-supplied decoder, an API error.
package transport

import (
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

// ErrorDecoder turns a non-2xx reply into the caller's error type. body holds at most
// Config.MaxErrorBytes bytes; headerRequestID is the request id from the response headers, if any.
// It returns the request id it settled on (for the log line) and the error to hand back.
type ErrorDecoder func(status int, body []byte, headerRequestID string) (requestID string, err error)

// Config configures a Client. BaseURL, ClientID, Secret and DecodeError are required; every
// other zero field takes its default.
type Config struct {
	BaseURL      string // scheme://host[/prefix], without a trailing slash; paths are appended
	ClientID     string
	Secret       string
	PlaidVersion string
	UserAgent    string

	// HTTPClient is used as a template: the Client copies it and wraps its Transport and
	// CheckRedirect in the copy, so the caller's value is never changed while its Transport (and
	// its connection pool) is shared. Its Timeout is ignored: Timeout below bounds each attempt.
	HTTPClient *http.Client
	MaxRetries int
	Timeout    time.Duration // per attempt; 0 means none
	Logger     *slog.Logger  // nil logs nothing

	BackoffMin    time.Duration
	BackoffMax    time.Duration
	RetryAfterMax time.Duration
	MaxBodyBytes  int64
	MaxErrorBytes int64

	DecodeError ErrorDecoder
}

// Client sends Plaid API calls. It is safe for concurrent use.
type Client struct {
	url    string
	rc     *retryablehttp.Client
	logger *slog.Logger
	redact *Redactor

	decodeError   ErrorDecoder
	retryAfterMax time.Duration
	maxBody       int64
	maxErrorBody  int64

	// Header values are built once and shared by every request: the transport only reads them.
	hClientID, hSecret, hVersion, hUserAgent []string
}

// Canonical header keys, so requests can be filled by map assignment without re-canonicalizing.
var (
	keyClientID    = textproto.CanonicalMIMEHeaderKey("PLAID-CLIENT-ID")
	keySecret      = textproto.CanonicalMIMEHeaderKey("PLAID-SECRET")
	keyVersion     = textproto.CanonicalMIMEHeaderKey("Plaid-Version")
	keyUserAgent   = textproto.CanonicalMIMEHeaderKey("User-Agent")
	keyContentType = textproto.CanonicalMIMEHeaderKey("Content-Type")
	keyAccept      = textproto.CanonicalMIMEHeaderKey("Accept")
	jsonType       = []string{"application/json"}
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
		url:           cfg.BaseURL,
		logger:        cfg.Logger,
		redact:        NewRedactor(cfg.Secret, cfg.ClientID),
		decodeError:   cfg.DecodeError,
		retryAfterMax: orDefault(cfg.RetryAfterMax, DefaultRetryAfterMax),
		maxBody:       orDefault(cfg.MaxBodyBytes, DefaultMaxBodyBytes),
		maxErrorBody:  orDefault(cfg.MaxErrorBytes, DefaultMaxErrorBytes),
		hClientID:     []string{cfg.ClientID},
		hSecret:       []string{cfg.Secret},
		hVersion:      []string{cfg.PlaidVersion},
		hUserAgent:    []string{cfg.UserAgent},
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}

	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	} else {
		hc.Transport = defaultTransport()
	}
	// The attempt timeout lives in attemptTransport (see why there), so the copy has none of its own.
	hc.Transport = newAttemptTransport(hc.Transport, cfg.Timeout)
	hc.Timeout = 0
	hc.CheckRedirect = redirectPolicy(hc.CheckRedirect)

	c.rc = &retryablehttp.Client{
		HTTPClient:     &hc,
		Logger:         nil, // retryablehttp's own logging is off; this package logs through slog
		RetryWaitMin:   orDefault(cfg.BackoffMin, DefaultBackoffMin),
		RetryWaitMax:   orDefault(cfg.BackoffMax, DefaultBackoffMax),
		RetryMax:       cfg.MaxRetries,
		CheckRetry:     c.checkRetry,
		Backoff:        c.backoff,
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
		RequestLogHook: countAttempt,
	}
	return c, nil
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

// Post sends in as JSON to path and decodes a 2xx reply into out. A non-2xx reply becomes the
// error returned by Config.DecodeError. requestID, if not nil, points at out's request_id field:
// it is read after decoding, for the log line.
func (c *Client) Post(ctx context.Context, path string, in, out any, requestID *string) error {
	if ctx == nil {
		return errors.New("nil Context")
	}
	start := time.Now()
	body, err := json.Marshal(in)
	if err != nil {
		// encoding/json errors name types and, for bad floats, the value; never a token.
		return fmt.Errorf("encoding request: %w", err)
	}

	var st *callState
	if c.logger.Enabled(ctx, slog.LevelDebug) {
		st = &callState{path: path, logger: c.logger, redact: c.redact}
		ctx = context.WithValue(ctx, stateKey{}, st)
	}

	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, c.url+path, body)
	if err != nil {
		return err
	}
	h := req.Header
	h[keyClientID] = c.hClientID
	h[keySecret] = c.hSecret
	h[keyVersion] = c.hVersion
	h[keyUserAgent] = c.hUserAgent
	h[keyContentType] = jsonType
	h[keyAccept] = jsonType

	resp, err := c.rc.Do(req)
	if err != nil {
		if resp != nil {
			// retryablehttp hands back the response along with the error when the context ended
			// just after its headers arrived; nobody else will close it, and an open body pins its
			// connection.
			drainAndClose(&limitedReader{r: resp.Body}, resp.Body)
		}
		c.logDone(ctx, st, path, 0, start, "", err)
		return err
	}
	rid, err := c.readResponse(resp, out, requestID, st != nil)
	c.logDone(ctx, st, path, resp.StatusCode, start, rid, err)
	return err
}

// readResponse decodes resp into out (2xx) or an error (anything else), then drains and closes
// the body so the connection goes back to the pool. wantID asks for the request id even on success.
func (c *Client) readResponse(resp *http.Response, out any, requestID *string, wantID bool) (string, error) {
	lr := &limitedReader{r: resp.Body, n: c.maxBody}
	defer drainAndClose(lr, resp.Body)

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		lr.n = c.maxErrorBody
		b, err := io.ReadAll(lr)
		if err != nil && !errors.Is(err, errTooLarge) {
			// The status is known even if the body broke off: report what arrived.
			b = append(b, "...(body read failed)"...)
		}
		return c.decodeError(resp.StatusCode, b, headerRequestID(resp.Header))
	}

	dec := json.NewDecoder(lr)
	err := dec.Decode(out)
	if err == nil {
		err = checkWholeObject(dec, lr)
	}
	var rid string
	if wantID || err != nil {
		if requestID != nil {
			rid = *requestID
		}
		if rid == "" {
			rid = headerRequestID(resp.Header)
		}
	}
	switch {
	case err == nil:
		return rid, nil
	case errors.Is(err, errTooLarge):
		return rid, fmt.Errorf("HTTP %d response body exceeds %d bytes: %w", resp.StatusCode, c.maxBody, errTooLarge)
	case errors.Is(err, io.EOF):
		return rid, fmt.Errorf("HTTP %d response has an empty body, want JSON", resp.StatusCode)
	case errors.Is(err, errNotObject), errors.Is(err, errTrailingData):
		return rid, fmt.Errorf("decoding HTTP %d response: %w", resp.StatusCode, err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return rid, fmt.Errorf("reading HTTP %d response: %w", resp.StatusCode, err)
	case resp.Request != nil && resp.Request.Context().Err() != nil:
		// The body read broke off because the call's context (or the attempt's timeout) ended;
		// the read error itself may not say so, so hand back the context's own cause for errors.Is.
		return rid, fmt.Errorf("reading HTTP %d response: %w", resp.StatusCode, context.Cause(resp.Request.Context()))
	default:
		// Syntax errors quote one character at most; type errors name a field and types; a
		// field's own decoder (a time, a date) may quote its value, hence the masking.
		if isSyntaxError(err) || errors.Is(err, io.ErrUnexpectedEOF) {
			return rid, fmt.Errorf("decoding HTTP %d response: invalid JSON: %s", resp.StatusCode, c.redact.Redact(err.Error()))
		}
		return rid, fmt.Errorf("decoding HTTP %d response: %s", resp.StatusCode, c.redact.Redact(err.Error()))
	}
}

// Errors for a 2xx body that decoded but is not exactly one JSON object.
var (
	errNotObject    = errors.New("body is not a JSON object")
	errTrailingData = errors.New("body has data after its JSON object")
)

// checkWholeObject refuses a body that decoded without error but is not one JSON object: a
// literal null (which decodes into a struct as "nothing", leaving a zero response that looks like
// success), or an object followed by anything but whitespace (a proxy's page appended to a
// reply, or two replies run together). It costs no allocation on a good body: the first byte was
// noted by lr as it passed, and reading one more token at the end of the input only finds io.EOF.
func checkWholeObject(dec *json.Decoder, lr *limitedReader) error {
	if lr.first != '{' {
		return errNotObject
	}
	switch _, err := dec.Token(); {
	case err == io.EOF:
		return nil
	case err == nil, isSyntaxError(err):
		return errTrailingData
	default:
		return err // a read error or errTooLarge, reported as such
	}
}

func isSyntaxError(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se)
}

// headerRequestID reads the request id some gateways put in a header, for replies whose body has
// none (an HTML error page, an empty body).
func headerRequestID(h http.Header) string {
	if v := h.Get("X-Request-Id"); v != "" {
		return v
	}
	return h.Get("Plaid-Request-Id")
}
