package link

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/plaidlink/plaidlink-go/internal/transport"
)

// Version is this SDK's version. It is sent in the User-Agent header of every request.
const Version = "0.1.0"

// DefaultPlaidVersion is the Plaid API version this SDK's types mirror. It is sent as the
// Plaid-Version header unless [WithPlaidVersion] says otherwise.
const DefaultPlaidVersion = "2020-09-14"

// Defaults for the options of [NewClient].
const (
	// DefaultMaxRetries is how many times a call is retried after its first attempt.
	DefaultMaxRetries = 2
	// DefaultTimeout bounds each attempt (not the whole call, which the context bounds).
	DefaultTimeout = 30 * time.Second
)

// userAgent is what the SDK calls itself; [WithUserAgent] can only prepend to it.
const userAgent = "plaidlink-go/" + Version

// Environment is a Plaid environment, named by its base URL.
type Environment string

// The Plaid environments. A Client talks to Sandbox unless told otherwise.
const (
	Sandbox    Environment = "https://sandbox.plaid.com"
	Production Environment = "https://production.plaid.com"
)

// ErrNilClient is returned (wrapped, naming the method) by every method called on a nil or zero
// *Client.
var ErrNilClient = errors.New("link: nil Client: create one with NewClient")

// Client calls Plaid's Link endpoints. Create one with [NewClient]; it is safe for concurrent use
// and should be reused, since it holds a pool of connections.
type Client struct {
	t   *transport.Client
	cfg config
}

// Option configures a [Client] when given to [NewClient], or one call when given to a method:
//
//	resp, err := client.CreateToken(ctx, req, link.WithMaxRetries(0), link.WithResponseInto(&raw))
//
// Every Option works in both places; a per-call option overrides the Client's setting for that
// call alone. An option that a method has no use for (one that only a polling method reads, say)
// is accepted and ignored by the others.
//
// Options follow one rule: a value an option cannot use is never silently replaced by a default.
// It makes [NewClient], or the call, fail before anything is sent, with an error naming the
// option and the value (never a credential or a header's value), such as
// "link: NewClient: WithMaxRetries(-1): the count must not be negative" or
// "link: CreateToken: option 2 of 2 is nil".
type Option func(*config) error

// config is what every Option writes to. Adding an option is adding a field here and a function
// that sets it; a method that does not read the field ignores the option.
type config struct {
	// Where and how requests go: WithEnvironment or WithBaseURL, WithHTTPClient, WithPlaidVersion,
	// WithUserAgent. A call's own values travel in its transport.Call, like everything else a call
	// may change.
	baseURL      string
	httpClient   *http.Client
	plaidVersion string
	userAgent    string

	// pacing bounds, spaces and logs the attempts: WithTimeout, WithRetryBackoff, WithLogger.
	pacing transport.Pacing
	// timeoutSet records that WithTimeout was given, so that a caller's http.Client Timeout does
	// not override it.
	timeoutSet bool

	// Per-call settings, read by the methods themselves.
	maxRetries    int
	responseInto  *Response
	unsafeRetries bool

	// Read by WaitForSession alone; zero means its defaults.
	pollFirst, pollMax time.Duration
	// Added to every request (WithHeader), run around every attempt (WithMiddleware) and
	// around every call (WithCallWrapper). Options always give them a new backing array, so
	// that a call's options never write into the Client's.
	headers      []transport.HeaderValue
	middleware   []transport.Middleware
	callWrappers []CallWrapper
}

// NewClient returns a Client that authenticates with clientID and secret, which it sends as the
// PLAID-CLIENT-ID and PLAID-SECRET headers and never logs. By default it talks to [Sandbox],
// retries [DefaultMaxRetries] times, bounds each attempt by [DefaultTimeout] and logs nothing.
func NewClient(clientID, secret string, opts ...Option) (*Client, error) {
	if err := checkCredential("client ID", clientID); err != nil {
		return nil, err
	}
	if err := checkCredential("secret", secret); err != nil {
		return nil, err
	}
	cfg := config{
		baseURL:      string(Sandbox),
		plaidVersion: DefaultPlaidVersion,
		userAgent:    userAgent,
		pacing: transport.Pacing{
			Timeout:       DefaultTimeout,
			BackoffMin:    transport.DefaultBackoffMin,
			BackoffMax:    transport.DefaultBackoffMax,
			RetryAfterMax: transport.DefaultRetryAfterMax,
		},
		maxRetries: DefaultMaxRetries,
	}
	if err := cfg.apply(opts); err != nil {
		return nil, fmt.Errorf("link: NewClient: %w", err)
	}

	t, err := transport.New(transportConfig(clientID, secret, cfg))
	if err != nil {
		return nil, fmt.Errorf("link: NewClient: %w", err)
	}
	return &Client{t: t, cfg: cfg}, nil
}

// apply runs opts in order. Its errors carry no "link:" prefix: the caller adds one, naming
// NewClient or the method.
func (cfg *config) apply(opts []Option) error {
	httpClient := cfg.httpClient
	for i, opt := range opts {
		if opt == nil {
			return fmt.Errorf("option %d of %d is nil", i+1, len(opts))
		}
		if err := opt(cfg); err != nil {
			return err
		}
	}
	// A caller's http.Client that carries its own Timeout keeps it unless WithTimeout was given.
	if hc := cfg.httpClient; hc != nil && hc != httpClient && !cfg.timeoutSet && hc.Timeout != 0 {
		cfg.pacing.Timeout = hc.Timeout
	}
	return nil
}

func transportConfig(clientID, secret string, cfg config) transport.Config {
	return transport.Config{
		BaseURL:      cfg.baseURL,
		ClientID:     clientID,
		Secret:       secret,
		PlaidVersion: cfg.plaidVersion,
		UserAgent:    cfg.userAgent,
		HTTPClient:   cfg.httpClient,
		MaxRetries:   cfg.maxRetries,
		Pacing:       cfg.pacing,
		DecodeError:  decodeError,
	}
}

// decodeError is the transport's ErrorDecoder: a non-2xx reply becomes an *Error, masked with the
// transport's Redactor, the one that masks headers and log lines.
func decodeError(status int, body []byte, headerRequestID string, r *transport.Redactor) transport.APIError {
	e := newAPIError(status, body, headerRequestID, r)
	return transport.APIError{Err: e, RequestID: e.RequestID, Plaid: e.isPlaid(),
		Type: string(e.ErrorType), Code: string(e.ErrorCode)}
}

// CloseIdleConnections closes the connections the Client keeps open for reuse, for a Client
// that is being dropped. With [WithHTTPClient], it closes that http.Client's idle connections.
func (c *Client) CloseIdleConnections() {
	if c != nil && c.t != nil {
		c.t.CloseIdleConnections()
	}
}

// ParseEnvironment returns the [Environment] named by name, for a service that takes it from
// configuration: "sandbox" or "production" in any case, or the environment's base URL
// ("https://sandbox.plaid.com", with or without a trailing slash). Anything else is an error
// naming the accepted values.
func ParseEnvironment(name string) (Environment, error) {
	n := strings.TrimSpace(name)
	switch {
	case strings.EqualFold(n, "sandbox"), strings.EqualFold(strings.TrimRight(n, "/"), string(Sandbox)):
		return Sandbox, nil
	case strings.EqualFold(n, "production"), strings.EqualFold(strings.TrimRight(n, "/"), string(Production)):
		return Production, nil
	}
	return "", fmt.Errorf("link: ParseEnvironment: unknown environment %q: want \"sandbox\", \"production\", "+
		"%q or %q (for any other host, use WithBaseURL)", name, string(Sandbox), string(Production))
}

func checkCredential(name, v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("link: NewClient: %s is required", name)
	}
	if !validHeaderValue(v) {
		// The value itself stays out of the message: it is a credential.
		return fmt.Errorf("link: NewClient: %s contains characters not allowed in an HTTP header", name)
	}
	return nil
}

// validHeaderValue refuses control characters, which would let a value split or end a header.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// WithEnvironment selects [Sandbox] or [Production]. For any other host, use [WithBaseURL].
func WithEnvironment(env Environment) Option {
	return func(c *config) error {
		switch env {
		case Sandbox, Production:
			c.baseURL = string(env)
			return nil
		}
		return fmt.Errorf("WithEnvironment(%q): unknown environment (use link.Sandbox, link.Production, ParseEnvironment or WithBaseURL)", string(env))
	}
}

// WithBaseURL sends requests to rawURL instead of a Plaid environment: a test server, or a proxy.
// It must be an absolute https URL without query or fragment; a path is kept as a prefix. Plain
// http is accepted only for a loopback host (localhost, 127.0.0.0/8, ::1), such as a test server,
// since every request carries the secret.
func WithBaseURL(rawURL string) Option {
	return func(c *config) error {
		u, err := url.Parse(rawURL)
		if err != nil {
			// url.Error quotes the URL, and with it any user information: only the cause is kept.
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			return fmt.Errorf("WithBaseURL(...): not a URL: %w", err)
		}
		switch {
		case u.User != nil:
			// The URL stays out of the message: its user information may be a password.
			return errors.New("WithBaseURL(...): the URL must not carry user information")
		case u.Scheme != "http" && u.Scheme != "https":
			return fmt.Errorf("WithBaseURL(%q): scheme must be http or https", rawURL)
		case u.Host == "":
			return fmt.Errorf("WithBaseURL(%q): host is missing", rawURL)
		case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
			return fmt.Errorf("WithBaseURL(%q): must not have a query or fragment", rawURL)
		case u.Scheme == "http" && !isLoopback(u.Hostname()):
			return fmt.Errorf("WithBaseURL(%q): plain http is allowed only for loopback hosts "+
				"(localhost, 127.0.0.0/8, ::1), since the secret travels with every request: use https", rawURL)
		}
		c.baseURL = strings.TrimRight(u.String(), "/")
		return nil
	}
}

// isLoopback reports whether host (without port) names this machine, where plain http never
// leaves it: "localhost" or a loopback IP address. Other names that resolve to loopback are not
// trusted, since what they resolve to can change.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// WithHTTPClient makes the Client send requests through hc, for instance to share a connection
// pool or add tracing. hc itself is never modified. If hc has a Timeout and [WithTimeout] is not
// given, that Timeout bounds each attempt. If hc's CheckRedirect follows redirects, the
// credentials are dropped on any hop to another origin, and a 307 or 308 to another origin fails
// with [ErrCrossOriginRedirect].
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("WithHTTPClient(nil): the client must not be nil")
		}
		c.httpClient = hc
		return nil
	}
}

// WithMaxRetries sets how many times a call is retried after its first attempt; 0 disables
// retries. What is retried depends on the method and on the failure: see the package
// documentation's Retries section.
func WithMaxRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("WithMaxRetries(%d): the count must not be negative", n)
		}
		c.maxRetries = n
		return nil
	}
}

// WithTimeout bounds each attempt of a call, including reading its response; 0 removes the bound,
// leaving only the context's deadline. The whole call, retries and waits included, is bounded by
// the context passed to each method. An attempt cut off by this bound ends in an error matching
// [ErrAttemptTimeout], not context.DeadlineExceeded.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("WithTimeout(%v): the timeout must not be negative (0 removes the bound)", d)
		}
		c.pacing.Timeout = d
		c.timeoutSet = true
		return nil
	}
}

// WithLogger logs each call (method, path, status, attempt, duration, request_id) and each
// retryable failure to l at debug level. Credentials and tokens, and pieces of them, are never
// logged: every value from the server is masked first.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("WithLogger(nil): the logger must not be nil")
		}
		c.pacing.Logger = l
		return nil
	}
}

// WithPlaidVersion overrides the Plaid-Version header ([DefaultPlaidVersion]). The response types
// in this package mirror [DefaultPlaidVersion]; other versions may decode partially.
func WithPlaidVersion(v string) Option {
	return func(c *config) error {
		if strings.TrimSpace(v) == "" || !validHeaderValue(v) {
			return fmt.Errorf("WithPlaidVersion(%q): not a valid version", v)
		}
		c.plaidVersion = v
		return nil
	}
}

// WithUserAgent names your application in the User-Agent header. The SDK's own name and version
// follow it, as in "myapp/1.2 plaidlink-go/0.1.0".
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		trimmed := strings.TrimSpace(ua)
		if trimmed == "" || !validHeaderValue(trimmed) {
			return fmt.Errorf("WithUserAgent(%q): not a valid User-Agent", ua)
		}
		c.userAgent = trimmed + " " + userAgent
		return nil
	}
}

// WithResponseInto fills r, once the call is over, with what the last attempt received: the
// status, the headers, the request id, the number of attempts and the body exactly as received
// (for Plaid's nulls, or fields this SDK does not know). It is filled on failure too, as far as a
// reply arrived. Meant for one call; given to [NewClient], every call overwrites the same r, so
// such a Client must not make calls concurrently.
func WithResponseInto(r *Response) Option {
	return func(c *config) error {
		if r == nil {
			return errors.New("WithResponseInto(nil): the Response must not be nil")
		}
		c.responseInto = r
		return nil
	}
}

// WithUnsafeRetries makes [Client.ExchangePublicToken] retry like the other methods, after
// failures that may have reached Plaid. A public token can be exchanged once only: if a retried
// attempt had in fact been carried out, the retry fails with INVALID_PUBLIC_TOKEN and the access
// token is lost. Whatever the retries bring, a call that had an ambiguous attempt and then failed
// still returns an error matching [ErrOutcomeUnknown]. Other methods ignore this option.
func WithUnsafeRetries() Option {
	return func(c *config) error {
		c.unsafeRetries = true
		return nil
	}
}

// Response is what a call received, filled by [WithResponseInto].
type Response struct {
	// StatusCode is the HTTP status of the last reply; 0 if no reply arrived.
	StatusCode int
	// Header holds the last reply's headers, with credentials, tokens and any value that carries
	// a piece of the client ID or secret masked.
	Header http.Header
	// RequestID is Plaid's request_id (from the body, or else the headers), masked likewise.
	RequestID string
	// Attempts is the number of attempts the call made.
	Attempts int
	// RawJSON is the body of the last reply exactly as received, byte for byte; for a failure, up
	// to the error body limit. It is not masked: on success it holds your tokens.
	RawJSON json.RawMessage
}

// Ptr returns a pointer to v, for the optional fields of requests that are pointers so that an
// explicit false or 0 can be told apart from "not set":
//
//	req.EnableMultiItemLink = link.Ptr(true)
func Ptr[T any](v T) *T { return &v }
