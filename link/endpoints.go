package link

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/plaidlink/plaidlink-go/internal/transport"
)

// CreateToken creates a link_token (POST /link/token/create), which your front end passes to
// Link to start a session.
func (c *Client) CreateToken(ctx context.Context, req *TokenCreateRequest, opts ...Option) (*TokenCreateResponse, error) {
	return call(ctx, c, endpoint{"CreateToken", "/link/token/create", transport.Repeatable, nil}, req, validateTokenCreate,
		func(r *TokenCreateResponse) *string { return &r.RequestID }, opts, tokenCreateSecrets)
}

// GetToken reads back a link_token and the Link sessions started with it (POST /link/token/get).
//
// Each session's events get the session's link_session_id in their metadata
// (EventMetadata.LinkSessionID) where Plaid left it out, as Link's onEvent gives it, so that they
// can be grouped by session wherever they go.
func (c *Client) GetToken(ctx context.Context, req *TokenGetRequest, opts ...Option) (*TokenGetResponse, error) {
	resp, err := call(ctx, c, endpoint{"GetToken", "/link/token/get", transport.Repeatable, nil}, req, validateTokenGet,
		func(r *TokenGetResponse) *string { return &r.RequestID }, opts, nil)
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
// A public token can be exchanged once, so this call is single-use: a failure that may have
// reached Plaid is not retried and matches [ErrOutcomeUnknown], as the package documentation's
// Retries section says. Package [github.com/plaidlink/plaidlink-go/link/exchange] exchanges each
// token once across every path that receives it.
func (c *Client) ExchangePublicToken(ctx context.Context, req *ItemPublicTokenExchangeRequest, opts ...Option) (*ItemPublicTokenExchangeResponse, error) {
	return call(ctx, c, endpoint{"ExchangePublicToken", "/item/public_token/exchange", transport.SingleUse, checkExchangeReply},
		req, validatePublicTokenExchange, func(r *ItemPublicTokenExchangeResponse) *string { return &r.RequestID }, opts,
		func(r *ItemPublicTokenExchangeRequest) []string { return []string{r.PublicToken} })
}

// CreateSandboxPublicToken creates a public_token for a test Item without going through Link
// (POST /sandbox/public_token/create). It works only in [Sandbox].
func (c *Client) CreateSandboxPublicToken(ctx context.Context, req *SandboxPublicTokenCreateRequest, opts ...Option) (*SandboxPublicTokenCreateResponse, error) {
	return call(ctx, c, endpoint{"CreateSandboxPublicToken", "/sandbox/public_token/create", transport.Repeatable, nil}, req, validateSandboxPublicTokenCreate,
		func(r *SandboxPublicTokenCreateResponse) *string { return &r.RequestID }, opts,
		func(r *SandboxPublicTokenCreateRequest) []string { return nonEmpty(r.UserToken) })
}

// ResetSandboxItemLogin forces a Sandbox Item into the ITEM_LOGIN_REQUIRED state, to test update
// mode (POST /sandbox/item/reset_login). It works only in [Sandbox].
func (c *Client) ResetSandboxItemLogin(ctx context.Context, req *SandboxItemResetLoginRequest, opts ...Option) (*SandboxItemResetLoginResponse, error) {
	return call(ctx, c, endpoint{"ResetSandboxItemLogin", "/sandbox/item/reset_login", transport.Repeatable, nil}, req, validateSandboxItemResetLogin,
		func(r *SandboxItemResetLoginResponse) *string { return &r.RequestID }, opts,
		func(r *SandboxItemResetLoginRequest) []string { return []string{r.AccessToken} })
}

// CreateSessionToken creates a Layer session token from a Dashboard template
// (POST /session/token/create).
func (c *Client) CreateSessionToken(ctx context.Context, req *SessionTokenCreateRequest, opts ...Option) (*SessionTokenCreateResponse, error) {
	return call(ctx, c, endpoint{"CreateSessionToken", "/session/token/create", transport.Repeatable, nil}, req, validateSessionTokenCreate,
		func(r *SessionTokenCreateResponse) *string { return &r.RequestID }, opts, nil)
}

// GetWebhookVerificationKey fetches the public key (a JWK) that signed a webhook, named by the
// kid of the webhook's JWT header (POST /webhook_verification_key/get).
func (c *Client) GetWebhookVerificationKey(ctx context.Context, req *WebhookVerificationKeyGetRequest, opts ...Option) (*WebhookVerificationKeyGetResponse, error) {
	return call(ctx, c, endpoint{"GetWebhookVerificationKey", "/webhook_verification_key/get", transport.Repeatable, nil}, req, validateWebhookVerificationKeyGet,
		func(r *WebhookVerificationKeyGetResponse) *string { return &r.RequestID }, opts, nil)
}

// endpoint is what call needs to know about a method.
type endpoint struct {
	method string
	path   string
	class  transport.Class
	// checkReply, if not nil, refuses a 2xx reply that decoded but is no result.
	checkReply func(status int, body []byte, out any) error
}

// tokenCreateSecrets are the tokens a link token request may carry (update mode, a user token):
// none, most of the time, and then no allocation.
func tokenCreateSecrets(r *TokenCreateRequest) []string {
	if r.AccessToken == "" && len(r.AccessTokens) == 0 && r.UserToken == "" {
		return nil
	}
	return append(nonEmpty(r.AccessToken, r.UserToken), r.AccessTokens...)
}

func nonEmpty(vs ...string) []string {
	var out []string
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// call is the body of every method: check the client and the request, apply the call's options,
// send it, and shape the error. Every error it returns, but a [ValidationError] (which names its
// method itself), is a [*CallError] naming the method: the one place where "link: Method: " is
// written.
func call[Req, Resp any](ctx context.Context, c *Client, ep endpoint, req *Req,
	validate func(*Req) error, requestID func(*Resp) *string, opts []Option, secrets func(*Req) []string) (*Resp, error) {
	if c == nil || c.t == nil {
		return nil, &CallError{Method: ep.method, err: errNilClientCause}
	}
	if err := validate(req); err != nil {
		return nil, err
	}
	t, cfg := c.t, &c.cfg
	if len(opts) > 0 {
		var err error
		if cfg, err = c.forCall(opts); err != nil {
			return nil, &CallError{Method: ep.method, err: err}
		}
	}
	resp := new(Resp)
	tc := transport.Call{
		Path:         ep.path,
		BaseURL:      cfg.baseURL,
		PlaidVersion: cfg.plaidVersion,
		UserAgent:    cfg.userAgent,
		HTTPClient:   cfg.httpClient,
		Class:        ep.class,
		ForceRetries: cfg.unsafeRetries,
		MaxRetries:   cfg.maxRetries,
		RequestID:    requestID(resp),
		Header:       cfg.headers,
		Middleware:   cfg.middleware,
		Pacing:       &cfg.pacing,
		CheckReply:   ep.checkReply,
	}
	if secrets != nil {
		tc.Secrets = secrets(req)
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
		return nil, &CallError{Method: ep.method, err: err}
	}
	return resp, nil
}

// doWrapped sends a call under its CallWrappers. The call is a wrappedCall of its own, so that
// calls without wrappers keep theirs on the stack.
func doWrapped(ctx context.Context, wrappers []CallWrapper, method string, t *transport.Client, tc transport.Call, req, resp any) error {
	w := &wrappedCall{t: t, tc: tc, req: req, resp: resp}
	err := wrapCall(ctx, wrappers, method, w.do)
	if !w.called && err == nil {
		return errors.New("a CallWrapper returned without making the call")
	}
	return err
}

// wrappedCall is a call made by the innermost CallWrapper.
type wrappedCall struct {
	t         *transport.Client
	tc        transport.Call
	req, resp any
	called    bool
}

func (w *wrappedCall) do(ctx context.Context) error {
	w.called = true
	return w.t.Do(ctx, &w.tc, w.req, w.resp)
}

// forCall returns the settings of a call with options of its own: the Client's, with the options
// applied to a copy. Whatever they change travels in the call's transport.Call.
func (c *Client) forCall(opts []Option) (*config, error) {
	cfg := c.cfg
	if err := cfg.apply(opts); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// CallError is the error of a method call that got past validation: it names the method, and
// wraps the cause, which errors.As reaches: an [*Error], an [*ExhaustedError], an
// [*OutcomeUnknownError], an [*AttemptTimeoutError], a [*RedactedError], a
// [*RedirectRefusedError], a network error. Its
// message is "link: " and the method's name, then the cause's message, which carries no prefix of
// its own, such as
//
//	link: ExchangePublicToken: INVALID_INPUT INVALID_PUBLIC_TOKEN (HTTP 400): provided public token is expired [request_id=m8MDnv9okwxFNBV]
//
// Every credential and token its message could quote is masked.
type CallError struct {
	// Method is the method that failed, such as "CreateToken".
	Method string
	err    error
}

// Error writes the one "link: " prefix. A CallError whose cause is another (WaitForSession's,
// around a GetToken) names both methods after it: "link: WaitForSession: GetToken: ...".
func (e *CallError) Error() string { return "link: " + e.text() }

func (e *CallError) text() string { return e.Method + ": " + causeText(e.err) }

// Unwrap returns the cause.
func (e *CallError) Unwrap() error { return e.err }

// causeText is err's message as a cause: without the "link: " a *CallError writes when it is
// the outermost error.
func causeText(err error) string {
	if ce, ok := err.(*CallError); ok {
		return ce.text()
	}
	return err.Error()
}

// sentinelCause is a sentinel error as the cause of a *CallError: it matches the sentinel, whose
// own message (for the sentinel alone) carries the "link: " prefix that a cause must not repeat.
type sentinelCause struct {
	sentinel error
	text     string
}

func (e *sentinelCause) Error() string        { return e.text }
func (e *sentinelCause) Is(target error) bool { return target == e.sentinel }

// errNilClientCause is ErrNilClient as the cause of a method's *CallError.
var errNilClientCause = &sentinelCause{ErrNilClient, "nil Client: create one with NewClient"}

// checkExchangeReply refuses a 2xx exchange reply that is no exchange result: one without a
// non-empty access_token and item_id (an empty object, nulls, empty strings), or a Plaid error
// body sent with a 2xx status. Returning it as a success would have the caller store an empty
// access token and lose the Item; as a failure of a single-use call it matches
// ErrOutcomeUnknown, since the token may be spent. The message says what came back without
// quoting a token (and is masked again by the transport).
func checkExchangeReply(status int, body []byte, out any) error {
	r, _ := out.(*ItemPublicTokenExchangeResponse)
	if r == nil {
		return errors.New("internal error: exchange reply of the wrong type")
	}
	hasToken, hasItem := strings.TrimSpace(r.AccessToken) != "", strings.TrimSpace(r.ItemID) != ""
	if hasToken && hasItem {
		return nil
	}
	var pe Error
	if b := bytes.TrimSpace(body); len(b) > 0 && b[0] == '{' && decodePlaidError(b, &pe) {
		pe.HTTPStatus = status
		return fmt.Errorf("HTTP %d reply is a Plaid error, not an exchange result: %s", status, pe.Error())
	}
	var what string
	switch {
	case !hasToken && !hasItem:
		what = "neither an access_token nor an item_id"
	case !hasToken:
		what = "an item_id but no access_token"
	default:
		what = "an access_token but no item_id"
	}
	return fmt.Errorf("HTTP %d reply is not an exchange result: it has %s", status, what)
}
