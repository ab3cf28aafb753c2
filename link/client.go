package link

import (
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

// ErrNilClient is returned by every method called on a nil or zero *Client.
var ErrNilClient = errors.New("link: nil Client: create one with NewClient")

// Client calls Plaid's Link endpoints. Create one with [NewClient]; it is safe for concurrent use
// and should be reused, since it holds a pool of connections.
type Client struct {
	t *transport.Client
}

// Option configures a [Client]. An option that is given a bad value makes [NewClient] fail.
type Option func(*config) error

type config struct {
	baseURL      string
	httpClient   *http.Client
	maxRetries   int
	timeout      time.Duration
	timeoutSet   bool
	logger       *slog.Logger
	plaidVersion string
	userAgent    string

	// Retry pacing; only this package's tests change it, to keep retry tests fast.
	backoffMin, backoffMax, retryAfterMax time.Duration
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
		maxRetries:   DefaultMaxRetries,
		timeout:      DefaultTimeout,
		plaidVersion: DefaultPlaidVersion,
		userAgent:    userAgent,
	}
	for i, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("link: NewClient: option %d is nil", i)
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	// A caller's http.Client that carries its own Timeout keeps it unless WithTimeout was given.
	if !cfg.timeoutSet && cfg.httpClient != nil && cfg.httpClient.Timeout != 0 {
		cfg.timeout = cfg.httpClient.Timeout
	}

	redactor := transport.NewRedactor(secret, clientID)
	t, err := transport.New(transport.Config{
		BaseURL:       cfg.baseURL,
		ClientID:      clientID,
		Secret:        secret,
		PlaidVersion:  cfg.plaidVersion,
		UserAgent:     cfg.userAgent,
		HTTPClient:    cfg.httpClient,
		MaxRetries:    cfg.maxRetries,
		Timeout:       cfg.timeout,
		Logger:        cfg.logger,
		BackoffMin:    cfg.backoffMin,
		BackoffMax:    cfg.backoffMax,
		RetryAfterMax: cfg.retryAfterMax,
		DecodeError: func(status int, body []byte, headerRequestID string) (string, error) {
			e := newAPIError(status, body, headerRequestID, redactor)
			return e.RequestID, e
		},
	})
	if err != nil {
		return nil, fmt.Errorf("link: NewClient: %w", err)
	}
	return &Client{t: t}, nil
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
		return fmt.Errorf("link: WithEnvironment: unknown environment %q (use link.Sandbox, link.Production or WithBaseURL)", string(env))
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
			return fmt.Errorf("link: WithBaseURL: %w", err)
		}
		switch {
		case u.Scheme != "http" && u.Scheme != "https":
			return fmt.Errorf("link: WithBaseURL: %q: scheme must be http or https", rawURL)
		case u.Host == "":
			return fmt.Errorf("link: WithBaseURL: %q: host is missing", rawURL)
		case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
			return fmt.Errorf("link: WithBaseURL: %q: must not have a query or fragment", rawURL)
		case u.User != nil:
			return errors.New("link: WithBaseURL: must not carry user information")
		case u.Scheme == "http" && !isLoopback(u.Hostname()):
			return fmt.Errorf("link: WithBaseURL: %q: plain http is allowed only for loopback hosts "+
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
// given, that Timeout bounds each attempt.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("link: WithHTTPClient: client is nil")
		}
		c.httpClient = hc
		return nil
	}
}

// WithMaxRetries sets how many times a call is retried after its first attempt; 0 disables
// retries. Only connection errors and HTTP 408, 429 and 5xx replies are retried.
func WithMaxRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("link: WithMaxRetries: %d is negative", n)
		}
		c.maxRetries = n
		return nil
	}
}

// WithTimeout bounds each attempt of a call, including reading its response; 0 removes the bound,
// leaving only the context's deadline. The whole call, retries and waits included, is bounded by
// the context passed to each method.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("link: WithTimeout: %v is negative", d)
		}
		c.timeout = d
		c.timeoutSet = true
		return nil
	}
}

// WithLogger logs each call (method, path, status, attempt, duration, request_id) and each
// retryable failure to l at debug level. Credentials and tokens are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("link: WithLogger: logger is nil")
		}
		c.logger = l
		return nil
	}
}

// WithPlaidVersion overrides the Plaid-Version header ([DefaultPlaidVersion]). The response types
// in this package mirror [DefaultPlaidVersion]; other versions may decode partially.
func WithPlaidVersion(v string) Option {
	return func(c *config) error {
		if strings.TrimSpace(v) == "" || !validHeaderValue(v) {
			return fmt.Errorf("link: WithPlaidVersion: %q is not a valid version", v)
		}
		c.plaidVersion = v
		return nil
	}
}

// WithUserAgent names your application in the User-Agent header. The SDK's own name and version
// follow it, as in "myapp/1.2 plaidlink-go/0.1.0".
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		ua = strings.TrimSpace(ua)
		if ua == "" || !validHeaderValue(ua) {
			return fmt.Errorf("link: WithUserAgent: %q is not a valid User-Agent", ua)
		}
		c.userAgent = ua + " " + userAgent
		return nil
	}
}

// Ptr returns a pointer to v, for the optional fields of requests that are pointers so that an
// explicit false or 0 can be told apart from "not set":
//
//	req.EnableMultiItemLink = link.Ptr(true)
func Ptr[T any](v T) *T { return &v }
