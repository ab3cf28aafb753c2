package linktest

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/delivery"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/page"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/state"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

// Test credentials a Server accepts unless [WithCredentials] sets others.
const (
	// ClientID is the default client_id the server accepts.
	ClientID = "linktest-client-id"
	// Secret is the default secret the server accepts.
	Secret = "linktest-secret"
)

// Paths of the endpoints the server serves, for [Server.FailNext], [Server.DelayNext] and
// [Server.LoseReplyNext], which accept no others.
const (
	// PathTokenCreate is /link/token/create, served for [link.Client.CreateToken].
	PathTokenCreate = "/link/token/create"
	// PathTokenGet is /link/token/get, served for [link.Client.GetToken].
	PathTokenGet = "/link/token/get"
	// PathPublicTokenExchange is /item/public_token/exchange, served for [link.Client.ExchangePublicToken].
	PathPublicTokenExchange = "/item/public_token/exchange"
	// PathSandboxPublicTokenCreate is /sandbox/public_token/create, served for [link.Client.CreateSandboxPublicToken].
	PathSandboxPublicTokenCreate = "/sandbox/public_token/create"
	// PathSandboxItemResetLogin is /sandbox/item/reset_login, served for [link.Client.ResetSandboxItemLogin].
	PathSandboxItemResetLogin = "/sandbox/item/reset_login"
	// PathSessionTokenCreate is /session/token/create, served for [link.Client.CreateSessionToken].
	PathSessionTokenCreate = "/session/token/create"
	// PathWebhookVerificationKey is /webhook_verification_key/get, served for [link.Client.GetWebhookVerificationKey].
	PathWebhookVerificationKey = "/webhook_verification_key/get"
)

// Lifetimes of the tokens the server issues, as Plaid documents them.
const (
	// LinkTokenLifetime is how long a link token lasts.
	LinkTokenLifetime = state.LinkTokenLifetime
	// UpdateModeLinkTokenLifetime is how long a link token for an existing Item (update mode,
	// access_token set) lasts.
	UpdateModeLinkTokenLifetime = state.UpdateModeLinkTokenLifetime
	// PublicTokenLifetime is how long a public token can be exchanged.
	PublicTokenLifetime = state.PublicTokenLifetime

	// HostedLinkURLLifetime is how long a Hosted Link URL lasts when the request sets neither
	// hosted_link.url_lifetime_seconds nor a Link Delivery delivery_method. A link token with
	// hosted_link set expires with its URL, in update mode too, as Plaid documents.
	HostedLinkURLLifetime = state.HostedLinkURLLifetime
	// HostedLinkEmailURLLifetime is the default lifetime of a Hosted Link URL delivered by email.
	HostedLinkEmailURLLifetime = state.HostedLinkEmailURLLifetime
	// HostedLinkSMSURLLifetime is the default lifetime of a Hosted Link URL delivered by SMS.
	HostedLinkSMSURLLifetime = state.HostedLinkSMSURLLifetime
	// MaxHostedLinkURLLifetime is the longest hosted_link.url_lifetime_seconds Plaid accepts.
	MaxHostedLinkURLLifetime = state.MaxHostedLinkURLLifetime
)

// DefaultWebhookTimeout bounds each webhook delivery unless [WithWebhookTimeout] sets another:
// Plaid waits 10 seconds for a receiver's answer before it counts the delivery as failed.
const DefaultWebhookTimeout = 10 * time.Second

// MaxRequestBodyBytes bounds a request body; Plaid's requests are a few kilobytes. A larger body
// is refused with HTTP 413 and INVALID_REQUEST / INVALID_BODY. The bound is what keeps each stored
// token's echoed request data, and so the server's memory, small (see the package's Bounds).
const MaxRequestBodyBytes = 64 << 10

// Option configures a Server made by [NewServer].
//
// Options follow one rule: a value an option cannot use is never silently replaced by the default.
// NewServer returns no error, so, as httptest does when it cannot set a server up, it panics with
// a message naming the option and the value, such as
// "linktest: NewServer: WithWebhookTimeout(-1s): the timeout must be positive". A nil Option
// panics too. The options that take no value cannot be misused.
type Option func(*config)

type config struct {
	clientID, secret string
	clock            *Clock
	webhookTimeout   time.Duration
	webhookClient    *http.Client
	allSessions      bool
	listener         net.Listener
	signingClock     func() time.Time
	// bad is the first option given a value it cannot use; NewServer panics with it.
	bad string
}

// refuse records that an option was given a value it cannot use; the first one wins.
func (c *config) refuse(format string, args ...any) {
	if c.bad == "" {
		c.bad = fmt.Sprintf(format, args...)
	}
}

// WithCredentials sets the client_id and secret the server accepts instead of [ClientID] and
// [Secret]. Both must be non-empty: NewServer panics otherwise (see [Option]). The panic names
// which one is empty and never shows the secret.
func WithCredentials(clientID, secret string) Option {
	return func(c *config) {
		switch {
		case clientID == "" && secret == "":
			c.refuse("WithCredentials(\"\", \"\"): the client_id and secret must not be empty")
		case clientID == "":
			c.refuse("WithCredentials(\"\", ...): the client_id must not be empty")
		case secret == "":
			c.refuse("WithCredentials(..., \"\"): the secret must not be empty")
		default:
			c.clientID, c.secret = clientID, secret
		}
	}
}

// WithClock makes the server read time from clock, for a test that shares one fake clock between
// the server and its own code. A nil clock makes NewServer panic (see [Option]).
func WithClock(clock *Clock) Option {
	return func(c *config) {
		if clock == nil {
			c.refuse("WithClock(nil): the clock must not be nil")
			return
		}
		c.clock = clock
	}
}

// WithSigningClock makes the server sign each webhook attempt with a Plaid-Verification JWT
// issued at now() at the moment it is sent, instead of at the server's [Clock]. Everything else
// (event timestamps, token expiry, the redelivery schedule, [WebhookDelivery.Time]) stays on the
// server's clock.
//
// A fake clock that runs ahead of the machine's, as one does when sessions step it by
// [EventInterval] per event faster than real time passes, signs webhooks a verifier on real time
// refuses as issued in the future. A server that receivers verify on real time, such as
// examples/devserver, passes time.Now here, so that its webhooks verify with a default
// webhook.NewVerifier however many sessions are completed and however fast. A nil now makes
// NewServer panic (see [Option]).
func WithSigningClock(now func() time.Time) Option {
	return func(c *config) {
		if now == nil {
			c.refuse("WithSigningClock(nil): the signing clock must not be nil")
			return
		}
		c.signingClock = now
	}
}

// WithWebhookTimeout bounds each webhook delivery to d instead of [DefaultWebhookTimeout].
// A d of zero or less makes NewServer panic (see [Option]).
func WithWebhookTimeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.refuse("WithWebhookTimeout(%v): the timeout must be positive", d)
			return
		}
		c.webhookTimeout = d
	}
}

// WithWebhookClient makes the server deliver webhooks with client, for example the Client of an
// httptest TLS server. The delivery timeout still applies. A nil client makes NewServer panic
// (see [Option]).
func WithWebhookClient(client *http.Client) Option {
	return func(c *config) {
		if client == nil {
			c.refuse("WithWebhookClient(nil): the client must not be nil")
			return
		}
		c.webhookClient = client
	}
}

// WithLinkWebhooksForAllSessions mirrors the account-level enablement Plaid grants on request
// ("Link events for all sessions"): every Link session with a webhook URL gets the EVENTS and
// SESSION_FINISHED webhooks, and /link/token/get shows the events of every session. Without it,
// as by default at Plaid, only Hosted Link sessions get EVENTS and show events in
// /link/token/get, and only Hosted Link, Multi-Item Link and Layer sessions get
// SESSION_FINISHED. ITEM_ADD_RESULT stays for Hosted Link and Multi-Item Link sessions either way.
func WithLinkWebhooksForAllSessions() Option {
	return func(c *config) { c.allSessions = true }
}

// Server is an in-process fake of Plaid's Link API listening on a loopback address. Make one
// with [NewServer] and Close it when done. Its methods are safe for concurrent use.
//
// A Server is the HTTP face of three parts that each guard themselves: the state of tokens,
// sessions and Items (package internal/state), the webhook deliveries (internal/delivery) and the
// Link page (internal/page). The Server itself keeps only the faults a test queues.
type Server struct {
	// URL is the base URL of the server, such as "http://127.0.0.1:38291", for link.WithBaseURL.
	URL string

	ts             *httptest.Server
	clientID       string
	secret         string
	clock          *Clock
	signer         *webhooktest.Signer
	signingClock   func() time.Time // the iat of webhooks' JWTs; nil: the server's clock
	webhookTimeout time.Duration
	webhookClient  *http.Client
	ownClient      bool // webhookClient was made by NewServer

	state *state.State         // tokens, sessions, Items
	deliv *delivery.Dispatcher // webhook deliveries
	page  *page.Handler        // the Link page

	faultsMu    sync.Mutex
	faults      map[string][]fault
	lostReplies map[string][]int // path -> statuses of replies to lose, see LoseReplyNext

	// done is closed by Close, so that a request waiting out an injected delay ends at once
	// instead of holding Close up, which waits for every request in flight.
	done        chan struct{}
	closeOnce   sync.Once
	unsubscribe func() // from the clock's moves
}

// NewServer starts a Server on a loopback address. It uses httptest.NewServer underneath and, like
// it, panics if it cannot listen. It also panics, naming the option and the value, if an option
// is given a value it cannot use (see [Option]).
func NewServer(opts ...Option) *Server {
	cfg := config{clientID: ClientID, secret: Secret, webhookTimeout: DefaultWebhookTimeout}
	for i, o := range opts {
		if o == nil {
			cfg.refuse("option %d of %d is nil", i+1, len(opts))
			continue
		}
		o(&cfg)
	}
	if cfg.bad != "" {
		panic("linktest: NewServer: " + cfg.bad)
	}
	if cfg.clock == nil {
		cfg.clock = NewClock(time.Now().UTC().Truncate(time.Second))
	}
	ownClient := cfg.webhookClient == nil
	if ownClient {
		// A transport of its own, so that Close can drop its idle connections to receivers.
		tr := &http.Transport{}
		if dt, ok := http.DefaultTransport.(*http.Transport); ok {
			tr = dt.Clone()
		}
		cfg.webhookClient = &http.Client{Timeout: cfg.webhookTimeout, Transport: tr}
	}
	s := &Server{
		clientID:       cfg.clientID,
		secret:         cfg.secret,
		clock:          cfg.clock,
		signer:         webhooktest.NewSigner(),
		signingClock:   cfg.signingClock,
		webhookTimeout: cfg.webhookTimeout,
		webhookClient:  cfg.webhookClient,
		ownClient:      ownClient,
		faults:         make(map[string][]fault),
		lostReplies:    make(map[string][]int),
		done:           make(chan struct{}),
	}
	s.state = state.New(state.Config{
		Now:           s.clock.Now,
		Step:          s.clock.step,
		Signer:        s.signer,
		HostedLinkURL: func(id string) string { return s.URL + page.HostedPrefix + id },
		AllSessions:   cfg.allSessions,
	})
	s.deliv = delivery.New(delivery.Config{Now: s.clock.Now, Send: s.send, Expired: s.state.AbandonExpired})
	s.page = page.New(s.state, s.runPageSession)
	s.unsubscribe = s.clock.subscribe(s.deliv.DeliverDue)
	s.ts = startHTTPServer(cfg.listener, http.HandlerFunc(s.serveHTTP))
	s.URL = s.ts.URL
	return s
}

// Close shuts the server down and waits for requests in flight to finish. A request still waiting
// out a delay from [Server.DelayNext] stops waiting and is answered 503. Webhook attempts still
// scheduled are dropped: moving the clock no longer sends them. Close may be called more than
// once.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.done) })
	s.unsubscribe()
	s.deliv.Close()
	s.ts.Close()
	if s.ownClient {
		s.webhookClient.CloseIdleConnections()
	}
}

// ClientID returns the client_id the server accepts.
func (s *Server) ClientID() string { return s.clientID }

// Secret returns the secret the server accepts.
func (s *Server) Secret() string { return s.secret }

// Clock returns the server's clock; move it with [Clock.Advance] to test expiry.
func (s *Server) Clock() *Clock { return s.clock }

// Signer returns the signer of the server's webhooks, whose key /webhook_verification_key/get
// serves; a test can sign webhooks of its own with it, or Expire its key.
func (s *Server) Signer() *webhooktest.Signer { return s.signer }

// NewClient returns a link.Client pointed at the server with its credentials and with retries
// off; opts come last, so they can turn retries back on or override anything else.
func (s *Server) NewClient(opts ...link.Option) (*link.Client, error) {
	all := append([]link.Option{link.WithBaseURL(s.URL), link.WithMaxRetries(0)}, opts...)
	return link.NewClient(s.clientID, s.secret, all...)
}

// Client is [Server.NewClient] for tests that pass valid options: like httptest's helpers, it
// panics if the client cannot be built, which only an invalid option can cause.
func (s *Server) Client(opts ...link.Option) *link.Client {
	c, err := s.NewClient(opts...)
	if err != nil {
		panic(fmt.Sprintf("linktest: building a client for %s: %v", s.URL, err))
	}
	return c
}
