package link

import (
	"context"
	"strings"

	"github.com/plaidlink/plaidlink-go/internal/transport"
)

// CreateToken creates a link_token (POST /link/token/create), which your front end passes to
// Link to start a session.
func (c *Client) CreateToken(ctx context.Context, req *TokenCreateRequest, opts ...Option) (*TokenCreateResponse, error) {
	return call(ctx, c, endpoint{"CreateToken", "/link/token/create", transport.Repeatable}, req, validateTokenCreate,
		func(r *TokenCreateResponse) *string { return &r.RequestID }, opts)
}

// GetToken reads back a link_token and the Link sessions started with it (POST /link/token/get).
//
// Each session's events get the session's link_session_id in their metadata
// (EventMetadata.LinkSessionID) where Plaid left it out, as Link's onEvent gives it, so that they
// can be grouped by session wherever they go.
func (c *Client) GetToken(ctx context.Context, req *TokenGetRequest, opts ...Option) (*TokenGetResponse, error) {
	resp, err := call(ctx, c, endpoint{"GetToken", "/link/token/get", transport.Repeatable}, req, validateTokenGet,
		func(r *TokenGetResponse) *string { return &r.RequestID }, opts)
	if resp != nil {
		for i := range resp.LinkSessions {
			s := &resp.LinkSessions[i]
			FillSessionID(s.LinkSessionID, s.Events)
		}
	}
	return resp, err
}

// FillSessionID sets the metadata's link_session_id of each event that has none to
// linkSessionID: the id that /link/token/get sessions and EVENTS webhooks carry beside their
// events rather than in them. [Client.GetToken] and webhook.Parse call it.
func FillSessionID(linkSessionID string, events []Event) {
	for i := range events {
		if events[i].EventMetadata.LinkSessionID == "" {
			events[i].EventMetadata.LinkSessionID = linkSessionID
		}
	}
}

// ExchangePublicToken exchanges the public_token from Link's onSuccess for a long-lived
// access_token (POST /item/public_token/exchange).
//
// A public token can be exchanged once, so this call is retried only when the request provably
// never reached Plaid, or Plaid said it did nothing (rate limiting, planned maintenance). After
// any other failure it returns at once with an error matching [ErrOutcomeUnknown]: the token may
// be spent, the Item may exist, and its access token cannot be recovered, so the user must link
// again. Exchange each token in one place only: see the package documentation.
func (c *Client) ExchangePublicToken(ctx context.Context, req *ItemPublicTokenExchangeRequest, opts ...Option) (*ItemPublicTokenExchangeResponse, error) {
	return call(ctx, c, endpoint{"ExchangePublicToken", "/item/public_token/exchange", transport.SingleUse}, req, validatePublicTokenExchange,
		func(r *ItemPublicTokenExchangeResponse) *string { return &r.RequestID }, opts)
}

// CreateSandboxPublicToken creates a public_token for a test Item without going through Link
// (POST /sandbox/public_token/create). It works only in [Sandbox].
func (c *Client) CreateSandboxPublicToken(ctx context.Context, req *SandboxPublicTokenCreateRequest, opts ...Option) (*SandboxPublicTokenCreateResponse, error) {
	return call(ctx, c, endpoint{"CreateSandboxPublicToken", "/sandbox/public_token/create", transport.Repeatable}, req, validateSandboxPublicTokenCreate,
		func(r *SandboxPublicTokenCreateResponse) *string { return &r.RequestID }, opts)
}

// ResetSandboxItemLogin forces a Sandbox Item into the ITEM_LOGIN_REQUIRED state, to test update
// mode (POST /sandbox/item/reset_login). It works only in [Sandbox].
func (c *Client) ResetSandboxItemLogin(ctx context.Context, req *SandboxItemResetLoginRequest, opts ...Option) (*SandboxItemResetLoginResponse, error) {
	return call(ctx, c, endpoint{"ResetSandboxItemLogin", "/sandbox/item/reset_login", transport.Repeatable}, req, validateSandboxItemResetLogin,
		func(r *SandboxItemResetLoginResponse) *string { return &r.RequestID }, opts)
}

// CreateSessionToken creates a Layer session token from a Dashboard template
// (POST /session/token/create).
func (c *Client) CreateSessionToken(ctx context.Context, req *SessionTokenCreateRequest, opts ...Option) (*SessionTokenCreateResponse, error) {
	return call(ctx, c, endpoint{"CreateSessionToken", "/session/token/create", transport.Repeatable}, req, validateSessionTokenCreate,
		func(r *SessionTokenCreateResponse) *string { return &r.RequestID }, opts)
}

// GetWebhookVerificationKey fetches the public key (a JWK) that signed a webhook, named by the
// kid of the webhook's JWT header (POST /webhook_verification_key/get).
func (c *Client) GetWebhookVerificationKey(ctx context.Context, req *WebhookVerificationKeyGetRequest, opts ...Option) (*WebhookVerificationKeyGetResponse, error) {
	return call(ctx, c, endpoint{"GetWebhookVerificationKey", "/webhook_verification_key/get", transport.Repeatable}, req, validateWebhookVerificationKeyGet,
		func(r *WebhookVerificationKeyGetResponse) *string { return &r.RequestID }, opts)
}

// endpoint is what call needs to know about a method.
type endpoint struct {
	method string
	path   string
	class  transport.Class
}

// call is the body of every method: check the client and the request, apply the call's options,
// send it, and shape the error. A Plaid error that was not retried comes back as the *Error
// itself, whose message already says what failed; anything else (an exhausted retry, an unknown
// outcome, a network error, an ended context, a reply that is not JSON) is prefixed with the
// method's name and wraps its cause.
func call[Req, Resp any](ctx context.Context, c *Client, ep endpoint, req *Req,
	validate func(*Req) error, requestID func(*Resp) *string, opts []Option) (*Resp, error) {
	if c == nil || c.t == nil {
		return nil, &callError{method: ep.method, err: ErrNilClient}
	}
	if err := validate(req); err != nil {
		return nil, err
	}
	t, cfg := c.t, &c.cfg
	if len(opts) > 0 {
		var err error
		if t, cfg, err = c.forCall(opts); err != nil {
			return nil, &callError{method: ep.method, err: err}
		}
	}
	resp := new(Resp)
	tc := transport.Call{
		Path:         ep.path,
		Class:        ep.class,
		ForceRetries: cfg.unsafeRetries,
		MaxRetries:   cfg.maxRetries,
		RequestID:    requestID(resp),
		Header:       cfg.headers,
		Middleware:   cfg.middleware,
	}
	if cfg.responseInto != nil {
		// Allocated only when asked for: a local whose address is taken would escape on every call.
		tc.Info = new(transport.Info)
	}
	var err error
	if len(cfg.callWrappers) == 0 {
		err = t.Do(ctx, &tc, req, resp)
	} else {
		err = doWrapped(ctx, cfg.callWrappers, ep.method, t, tc, req, resp)
	}
	if r, info := cfg.responseInto, tc.Info; r != nil {
		*r = Response{StatusCode: info.StatusCode, Header: info.Header, RequestID: info.RequestID,
			Attempts: info.Attempts, RawJSON: info.Body}
	}
	if err != nil {
		if apiErr, ok := err.(*Error); ok {
			return nil, apiErr
		}
		return nil, &callError{method: ep.method, err: err}
	}
	return resp, nil
}

// doWrapped sends a call under its CallWrappers. tc is a copy, so that the closure capturing it
// does not move the caller's onto the heap on calls without wrappers.
func doWrapped(ctx context.Context, wrappers []CallWrapper, method string, t *transport.Client, tc transport.Call, req, resp any) error {
	return wrapCall(ctx, wrappers, method, func(ctx context.Context) error {
		return t.Do(ctx, &tc, req, resp)
	})
}

// forCall returns the transport and settings for a call with options of its own. The Client's
// transport is reused unless an option changed how requests are sent.
func (c *Client) forCall(opts []Option) (*transport.Client, *config, error) {
	cfg := c.cfg
	if err := cfg.apply(opts); err != nil {
		return nil, nil, err
	}
	if cfg.transport == c.cfg.transport {
		return c.t, &cfg, nil
	}
	t, err := c.t.Reconfigure(transportConfig("", "", cfg))
	if err != nil {
		return nil, nil, err
	}
	return t, &cfg, nil
}

// callError names the method an error came from, with a single "link:" prefix whatever its cause
// says.
type callError struct {
	method string
	err    error
}

func (e *callError) Error() string {
	return "link: " + e.method + ": " + strings.TrimPrefix(e.err.Error(), "link: ")
}

func (e *callError) Unwrap() error { return e.err }
