package linktest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

// Test credentials a Server accepts unless [WithCredentials] sets others.
const (
	// ClientID is the default client_id the server accepts.
	ClientID = "linktest-client-id"
	// Secret is the default secret the server accepts.
	Secret = "linktest-secret"
)

// Paths of the endpoints the server serves, for [Server.FailNext] and [Server.DelayNext].
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
	LinkTokenLifetime = 4 * time.Hour
	// UpdateModeLinkTokenLifetime is how long a link token for an existing Item (update mode,
	// access_token set) lasts.
	UpdateModeLinkTokenLifetime = 30 * time.Minute
	// PublicTokenLifetime is how long a public token can be exchanged.
	PublicTokenLifetime = 30 * time.Minute
)

// DefaultWebhookTimeout bounds each webhook delivery unless [WithWebhookTimeout] sets another.
const DefaultWebhookTimeout = 5 * time.Second

// maxBodyBytes bounds a request body; Plaid's requests are a few kilobytes.
const maxBodyBytes = 1 << 20

// Option configures a Server made by [NewServer].
type Option func(*config)

type config struct {
	clientID, secret string
	clock            *Clock
	webhookTimeout   time.Duration
	webhookClient    *http.Client
}

// WithCredentials sets the client_id and secret the server accepts instead of [ClientID] and
// [Secret]. An empty value keeps the default.
func WithCredentials(clientID, secret string) Option {
	return func(c *config) {
		if clientID != "" {
			c.clientID = clientID
		}
		if secret != "" {
			c.secret = secret
		}
	}
}

// WithClock makes the server read time from clock, for a test that shares one fake clock between
// the server and its own code. A nil clock is ignored.
func WithClock(clock *Clock) Option {
	return func(c *config) {
		if clock != nil {
			c.clock = clock
		}
	}
}

// WithWebhookTimeout bounds each webhook delivery to d instead of [DefaultWebhookTimeout].
// Values of zero or less are ignored.
func WithWebhookTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.webhookTimeout = d
		}
	}
}

// WithWebhookClient makes the server deliver webhooks with client, for example the Client of an
// httptest TLS server. The delivery timeout still applies. A nil client is ignored.
func WithWebhookClient(client *http.Client) Option {
	return func(c *config) {
		if client != nil {
			c.webhookClient = client
		}
	}
}

// Server is an in-process fake of Plaid's Link API listening on a loopback address. Make one
// with [NewServer] and Close it when done. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL of the server, such as "http://127.0.0.1:38291", for link.WithBaseURL.
	URL string

	ts             *httptest.Server
	clientID       string
	secret         string
	clock          *Clock
	signer         *webhooktest.Signer
	webhookTimeout time.Duration
	webhookClient  *http.Client
	ownClient      bool // webhookClient was made by NewServer

	mu           sync.Mutex
	linkTokens   *fifo[*linkToken]
	hosted       map[string]string // hosted link id -> link token
	publicTokens *fifo[*publicToken]
	items        *fifo[*item] // by access token
	faults       map[string][]fault
	lastPrune    time.Time
}

// NewServer starts a Server on a loopback address. It uses httptest.NewServer underneath and, like
// it, panics if it cannot listen.
func NewServer(opts ...Option) *Server {
	cfg := config{clientID: ClientID, secret: Secret, webhookTimeout: DefaultWebhookTimeout}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
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
		webhookTimeout: cfg.webhookTimeout,
		webhookClient:  cfg.webhookClient,
		ownClient:      ownClient,
		linkTokens:     newFIFO[*linkToken](MaxLinkTokens),
		hosted:         make(map[string]string),
		publicTokens:   newFIFO[*publicToken](MaxPublicTokens),
		items:          newFIFO[*item](MaxItems),
		faults:         make(map[string][]fault),
	}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.ts.URL
	return s
}

// Close shuts the server down and waits for requests in flight to finish.
func (s *Server) Close() {
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

// endpoint handles one API path: it decodes body and returns the response or an error reply.
type endpoint func(s *Server, ctx context.Context, body []byte, requestID string) (any, *apiError)

var endpoints = map[string]endpoint{
	PathTokenCreate:              (*Server).tokenCreate,
	PathTokenGet:                 (*Server).tokenGet,
	PathPublicTokenExchange:      (*Server).publicTokenExchange,
	PathSandboxPublicTokenCreate: (*Server).sandboxPublicTokenCreate,
	PathSandboxItemResetLogin:    (*Server).sandboxItemResetLogin,
	PathSessionTokenCreate:       (*Server).sessionTokenCreate,
	PathWebhookVerificationKey:   (*Server).webhookVerificationKeyGet,
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := newRequestID()
	path := r.URL.Path

	if r.Method == http.MethodGet && strings.HasPrefix(path, hostedLinkPrefix) {
		s.serveHostedLink(w, r)
		return
	}

	// The body is read before any injected delay: only once it is consumed does net/http watch
	// the connection, so that the request's context ends when the client gives up.
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))

	if f, ok := s.takeFault(path); ok {
		if f.delay > 0 {
			t := time.NewTimer(f.delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if f.err != nil {
			writeError(w, f.status, f.err, requestID)
			return
		}
	}

	ep, ok := endpoints[path]
	if !ok || r.Method != http.MethodPost {
		e := errNotFound(r.Method, path)
		writeError(w, e.status, e.err, requestID)
		return
	}

	if readErr != nil {
		var tooBig *http.MaxBytesError
		if errors.As(readErr, &tooBig) {
			e := errInvalidBody(fmt.Sprintf("body is larger than %d bytes", maxBodyBytes))
			writeError(w, http.StatusRequestEntityTooLarge, e.err, requestID)
			return
		}
		e := errInvalidBody("reading the body failed")
		writeError(w, e.status, e.err, requestID)
		return
	}
	if !json.Valid(body) {
		e := errInvalidBody("the body is not valid JSON")
		writeError(w, e.status, e.err, requestID)
		return
	}
	var creds struct {
		ClientID string `json:"client_id"`
		Secret   string `json:"secret"`
	}
	// The body may be a JSON value other than an object; credentials then come from headers only.
	_ = json.Unmarshal(body, &creds)
	if e := s.authenticate(r.Header, creds.ClientID, creds.Secret); e != nil {
		writeError(w, e.status, e.err, requestID)
		return
	}

	resp, e := ep(s, r.Context(), body, requestID)
	if e != nil {
		writeError(w, e.status, e.err, requestID)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// authenticate checks credentials the way Plaid does: from the PLAID-CLIENT-ID and PLAID-SECRET
// headers, or else from client_id and secret in the body.
func (s *Server) authenticate(h http.Header, bodyID, bodySecret string) *apiError {
	id, secret := h.Get("PLAID-CLIENT-ID"), h.Get("PLAID-SECRET")
	if id == "" {
		id = bodyID
	}
	if secret == "" {
		secret = bodySecret
	}
	var missing []string
	if id == "" {
		missing = append(missing, "client_id")
	}
	if secret == "" {
		missing = append(missing, "secret")
	}
	if len(missing) > 0 {
		return errMissingFields(missing...)
	}
	if id != s.clientID || secret != s.secret {
		return errInvalidAPIKeys()
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		e := errInternal()
		status = e.status
		b, _ = json.Marshal(toWire(e.err, newRequestID()))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, e *link.Error, requestID string) {
	writeJSON(w, status, toWire(e, requestID))
}

// decode unmarshals a request body, turning a value of the wrong JSON type into Plaid's
// INVALID_FIELD and anything else into INVALID_BODY.
func decode(body []byte, v any) *apiError {
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field == "" {
			return errInvalidBody("the body must be a JSON object")
		}
		return errInvalidField("%s must be a JSON %s, got %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	}
	return errInvalidField("%s", err.Error())
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "slice", "array":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	case "bool":
		return "boolean"
	default:
		return "number"
	}
}

// nowLocked returns the fake time and forgets what expired long enough ago; it does the pruning
// only when the clock has moved since the last call. The caller must hold s.mu.
func (s *Server) nowLocked() time.Time {
	now := s.clock.Now()
	if !now.Equal(s.lastPrune) {
		s.lastPrune = now
		for _, lt := range s.linkTokens.deleteIf(func(lt *linkToken) bool {
			return !now.Before(lt.expiresAt.Add(LinkTokenRetention))
		}) {
			delete(s.hosted, lt.hostedID)
		}
		s.publicTokens.deleteIf(func(pt *publicToken) bool {
			return !now.Before(pt.expiresAt.Add(PublicTokenRetention))
		})
	}
	return now
}

// putLinkTokenLocked stores lt, forgetting the oldest link token if the store is full.
// The caller must hold s.mu.
func (s *Server) putLinkTokenLocked(lt *linkToken) {
	for _, old := range s.linkTokens.put(lt.token, lt) {
		delete(s.hosted, old.hostedID)
	}
	if lt.hostedID != "" {
		s.hosted[lt.hostedID] = lt.token
	}
}

// Item is a snapshot of an Item the server holds, for assertions in tests.
type Item struct {
	// ItemID is the Item's item_id.
	ItemID string
	// AccessToken is the Item's access_token.
	AccessToken string
	// InstitutionID is the institution the Item is at.
	InstitutionID string
	// Products are the products the Item was created with.
	Products []link.Product
	// Accounts are the Item's accounts.
	Accounts []link.SessionSuccessMetadataAccount
	// Webhook is the webhook URL the Item was created with, if any.
	Webhook string
	// Error is the Item's error: nil while the Item is healthy, ITEM_LOGIN_REQUIRED after
	// /sandbox/item/reset_login until an update-mode session repairs it.
	Error *link.Error
}

// Item returns the Item an access token belongs to; ok is false for an unknown access token.
func (s *Server) Item(accessToken string) (it Item, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nowLocked()
	in, ok := s.items.get(accessToken)
	if !ok {
		return Item{}, false
	}
	it = Item{
		ItemID:        in.itemID,
		AccessToken:   in.accessToken,
		InstitutionID: in.institution.InstitutionID,
		Products:      slices.Clone(in.products),
		Accounts:      slices.Clone(in.accounts),
		Webhook:       in.webhook,
	}
	if in.err != nil {
		e := *in.err
		it.Error = &e
	}
	return it, true
}
