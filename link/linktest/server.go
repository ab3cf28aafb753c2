package linktest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	LinkTokenLifetime = 4 * time.Hour
	// UpdateModeLinkTokenLifetime is how long a link token for an existing Item (update mode,
	// access_token set) lasts.
	UpdateModeLinkTokenLifetime = 30 * time.Minute
	// PublicTokenLifetime is how long a public token can be exchanged.
	PublicTokenLifetime = 30 * time.Minute

	// HostedLinkURLLifetime is how long a Hosted Link URL lasts when the request sets neither
	// hosted_link.url_lifetime_seconds nor a Link Delivery delivery_method. A link token with
	// hosted_link set expires with its URL, in update mode too, as Plaid documents.
	HostedLinkURLLifetime = 30 * time.Minute
	// HostedLinkEmailURLLifetime is the default lifetime of a Hosted Link URL delivered by email.
	HostedLinkEmailURLLifetime = 7 * 24 * time.Hour
	// HostedLinkSMSURLLifetime is the default lifetime of a Hosted Link URL delivered by SMS.
	HostedLinkSMSURLLifetime = 24 * time.Hour
	// MaxHostedLinkURLLifetime is the longest hosted_link.url_lifetime_seconds Plaid accepts.
	MaxHostedLinkURLLifetime = 21 * 24 * time.Hour
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
	allSessions    bool // WithLinkWebhooksForAllSessions

	mu           sync.Mutex
	linkTokens   *fifo[*linkToken]
	hosted       map[string]string // hosted link id -> link token
	publicTokens *fifo[*publicToken]
	items        *fifo[*item] // by access token
	faults       map[string][]fault
	lostReplies  map[string][]int // path -> statuses of replies to lose, see LoseReplyNext
	lastPrune    time.Time

	webhooks      *fifo[*webhookJob]       // by id, for redelivery
	scheduled     map[*webhookJob]struct{} // the webhooks waiting for a scheduled attempt
	seq           uint64                   // of the last webhook queued
	deliveries    []WebhookDelivery        // oldest first, at most maxDeliveries
	maxDeliveries int                      // MaxDeliveries; lowered by tests
	open          *fifo[*openSession]      // sessions begun with OpenSession and not yet abandoned

	// dispatching is held by the one deliverDue call that sends due webhooks; wake asks it to
	// look again, for calls that found it held.
	dispatching sync.Mutex
	wake        atomic.Bool

	pages pageStore // the Link stand-in page's submissions (page.go)

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
		linkTokens:     newFIFO[*linkToken](MaxLinkTokens),
		hosted:         make(map[string]string),
		publicTokens:   newFIFO[*publicToken](MaxPublicTokens),
		items:          newFIFO[*item](MaxItems),
		faults:         make(map[string][]fault),
		lostReplies:    make(map[string][]int),
		webhooks:       newFIFO[*webhookJob](MaxWebhooks),
		scheduled:      make(map[*webhookJob]struct{}),
		maxDeliveries:  MaxDeliveries,
		open:           newFIFO[*openSession](MaxLinkTokens),
		allSessions:    cfg.allSessions,
		done:           make(chan struct{}),
	}
	s.unsubscribe = s.clock.subscribe(s.deliverDue)
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

	if isPagePath(path) {
		s.servePage(w, r)
		return
	}

	// A fault is meant for a request the endpoint would serve, so a request that no endpoint
	// serves is answered before it can use one up.
	ep, ok := endpoints[path]
	if !ok || r.Method != http.MethodPost {
		e := errNotFound(r.Method, path)
		writeError(w, e.status, e.err, requestID)
		return
	}

	// The body is read before any injected delay: only once it is consumed does net/http watch
	// the connection, so that the request's context ends when the client gives up.
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBodyBytes))

	if f, ok := s.takeFault(path); ok {
		if f.delay > 0 {
			t := time.NewTimer(f.delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			case <-s.done:
				t.Stop()
				e := errClosing()
				writeError(w, e.status, e.err, requestID)
				return
			}
		}
		if f.err != nil {
			writeError(w, f.status, f.err, requestID)
			return
		}
	}

	status, reply := s.perform(r, ep, body, readErr, requestID)
	// The request has had its effect whatever the reply; LoseReplyNext loses only the reply.
	if lost, ok := s.takeLostReply(path); ok {
		loseReply(w, lost)
		return
	}
	// Date is Plaid's clock, as for any HTTP server: here the fake clock, so that a client that
	// compares a token's expiration with the server's time sees the time the test set.
	w.Header().Set("Date", s.clock.Now().UTC().Format(http.TimeFormat))
	writeJSON(w, status, reply)
}

// perform answers a request that no fault stopped: it checks the body and credentials, runs the
// endpoint, and returns the HTTP status and the body to reply with.
func (s *Server) perform(r *http.Request, ep endpoint, body []byte, readErr error, requestID string) (int, any) {
	fail := func(e *apiError) (int, any) { return e.status, toWire(e.err, requestID) }
	if readErr != nil {
		var tooBig *http.MaxBytesError
		if errors.As(readErr, &tooBig) {
			return fail(errBodyTooLarge(MaxRequestBodyBytes))
		}
		return fail(errInvalidBody("reading the body failed"))
	}
	if !json.Valid(body) {
		return fail(errInvalidBody("the body is not valid JSON"))
	}
	var creds struct {
		ClientID string `json:"client_id"`
		Secret   string `json:"secret"`
	}
	// The body may be a JSON value other than an object; credentials then come from headers only.
	_ = json.Unmarshal(body, &creds)
	if e := s.authenticate(r.Header, creds.ClientID, creds.Secret); e != nil {
		return fail(e)
	}
	resp, e := ep(s, r.Context(), body, requestID)
	if e != nil {
		return fail(e)
	}
	return http.StatusOK, resp
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

// decode unmarshals a request body the way Plaid reads one: a field it does not know is refused
// with UNKNOWN_FIELDS (client_id and secret excepted, which Plaid takes in the body too), a value
// of the wrong JSON type with INVALID_FIELD, and anything else with INVALID_BODY. The caller has
// already checked that body is one valid JSON value.
func decode(body []byte, v any) *apiError {
	// client_id and secret are not fields of the request types, because link.Client sends them as
	// headers; they are dropped before the strict decode so that a body carrying them still works.
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return decodeError(err)
	}
	_, hasID := fields["client_id"]
	_, hasSecret := fields["secret"]
	if hasID || hasSecret {
		delete(fields, "client_id")
		delete(fields, "secret")
		var err error
		if body, err = json.Marshal(fields); err != nil {
			return errInvalidBody("re-encoding the body failed")
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return decodeError(dec.Decode(v))
}

// decodeError maps an error from encoding/json to Plaid's reply; nil stays nil.
func decodeError(err error) *apiError {
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field == "" {
			return errInvalidBody("the body must be a JSON object")
		}
		return errWrongType(typeErr)
	}
	// encoding/json reports an unknown field only in its message, as: json: unknown field "name".
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if unquoted, uerr := strconv.Unquote(name); uerr == nil {
			name = unquoted
		}
		return errUnknownFields(name)
	}
	return errInvalidField("%s", plaidMessage(err))
}

// plaidMessage is err's message as Plaid would word it: without the Go package prefix ("link: ",
// "json: ") that the decoders of package link and encoding/json put first.
func plaidMessage(err error) string {
	msg := err.Error()
	for {
		rest, ok := strings.CutPrefix(msg, "json: ")
		if !ok {
			rest, ok = strings.CutPrefix(rest, "link: ")
		}
		if !ok {
			return msg
		}
		msg = rest
	}
}

// errWrongType says what was wrong with a value encoding/json could not store: a number that is
// out of range or not whole is a number still, so saying it must be one would mislead.
func errWrongType(typeErr *json.UnmarshalTypeError) *apiError {
	field, kind := typeErr.Field, typeErr.Type.Kind()
	num, isNumber := strings.CutPrefix(typeErr.Value, "number ")
	switch {
	case isNumber && isIntKind(kind):
		if f, _, err := big.ParseFloat(num, 10, 64, big.ToNearestEven); err == nil && !f.IsInt() {
			return errInvalidField("%s must be a whole number, got %s", field, num)
		}
		return errInvalidField("%s is out of range, got %s", field, num)
	case isNumber && (kind == reflect.Float32 || kind == reflect.Float64):
		return errInvalidField("%s is out of range, got %s", field, num)
	}
	return errInvalidField("%s must be a JSON %s, got %s", field, jsonKind(kind), typeErr.Value)
}

func isIntKind(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "object"
	case reflect.Bool:
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
	// /sandbox/item/reset_login until an update-mode session repairs it (or
	// [Server.RepairItemOutsideApp]), or the error of an ITEM webhook [Server.FireItemWebhook] sent.
	Error *link.Error
	// ConsentExpirationTime is when the Item's consent expires: zero until PENDING_EXPIRATION
	// ([Server.FireItemWebhook]), then [ConsentRenewal] after each update-mode session.
	ConsentExpirationTime time.Time
	// DisconnectTime is when the Item is to be disconnected (PENDING_DISCONNECT), or zero; an
	// update-mode session calls the disconnection off.
	DisconnectTime time.Time
	// NewAccounts are the accounts Plaid found at the institution (NEW_ACCOUNTS_AVAILABLE) that
	// the user has not yet shared through update mode with account selection.
	NewAccounts []link.SessionSuccessMetadataAccount
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
	return in.snapshot(), true
}

// Items returns the Items the server holds, oldest first: those whose public token has been
// exchanged. A test can see with it that an exchange took effect although its reply was lost
// (see [Server.LoseReplyNext]).
func (s *Server) Items() []Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nowLocked()
	out := make([]Item, 0, s.items.len())
	s.items.each(func(in *item) { out = append(out, in.snapshot()) })
	return out
}

func (in *item) snapshot() Item {
	it := Item{
		ItemID:        in.itemID,
		AccessToken:   in.accessToken,
		InstitutionID: in.institution.InstitutionID,
		Products:      slices.Clone(in.products),
		Accounts:      slices.Clone(in.accounts),
		Webhook:       in.webhook,

		ConsentExpirationTime: in.consentExpiresAt,
		DisconnectTime:        in.disconnectAt,
		NewAccounts:           slices.Clone(in.newAccounts),
	}
	if in.err != nil {
		e := *in.err
		it.Error = &e
	}
	return it
}
