package link

import (
	"context"
	"errors"
	"fmt"
)

// CreateToken creates a link_token (POST /link/token/create), which your front end passes to
// Link to start a session.
func (c *Client) CreateToken(ctx context.Context, req *TokenCreateRequest) (*TokenCreateResponse, error) {
	return call(ctx, c, "CreateToken", "/link/token/create", req, validateTokenCreate,
		func(r *TokenCreateResponse) *string { return &r.RequestID })
}

// GetToken reads back a link_token and the Link sessions started with it (POST /link/token/get).
func (c *Client) GetToken(ctx context.Context, req *TokenGetRequest) (*TokenGetResponse, error) {
	return call(ctx, c, "GetToken", "/link/token/get", req, validateTokenGet,
		func(r *TokenGetResponse) *string { return &r.RequestID })
}

// ExchangePublicToken exchanges the public_token from Link's onSuccess for a long-lived
// access_token (POST /item/public_token/exchange).
func (c *Client) ExchangePublicToken(ctx context.Context, req *ItemPublicTokenExchangeRequest) (*ItemPublicTokenExchangeResponse, error) {
	return call(ctx, c, "ExchangePublicToken", "/item/public_token/exchange", req, validatePublicTokenExchange,
		func(r *ItemPublicTokenExchangeResponse) *string { return &r.RequestID })
}

// CreateSandboxPublicToken creates a public_token for a test Item without going through Link
// (POST /sandbox/public_token/create). It works only in [Sandbox].
func (c *Client) CreateSandboxPublicToken(ctx context.Context, req *SandboxPublicTokenCreateRequest) (*SandboxPublicTokenCreateResponse, error) {
	return call(ctx, c, "CreateSandboxPublicToken", "/sandbox/public_token/create", req, validateSandboxPublicTokenCreate,
		func(r *SandboxPublicTokenCreateResponse) *string { return &r.RequestID })
}

// ResetSandboxItemLogin forces a Sandbox Item into the ITEM_LOGIN_REQUIRED state, to test update
// mode (POST /sandbox/item/reset_login). It works only in [Sandbox].
func (c *Client) ResetSandboxItemLogin(ctx context.Context, req *SandboxItemResetLoginRequest) (*SandboxItemResetLoginResponse, error) {
	return call(ctx, c, "ResetSandboxItemLogin", "/sandbox/item/reset_login", req, validateSandboxItemResetLogin,
		func(r *SandboxItemResetLoginResponse) *string { return &r.RequestID })
}

// CreateSessionToken creates a Layer session token from a Dashboard template
// (POST /session/token/create).
func (c *Client) CreateSessionToken(ctx context.Context, req *SessionTokenCreateRequest) (*SessionTokenCreateResponse, error) {
	return call(ctx, c, "CreateSessionToken", "/session/token/create", req, validateSessionTokenCreate,
		func(r *SessionTokenCreateResponse) *string { return &r.RequestID })
}

// GetWebhookVerificationKey fetches the public key (a JWK) that signed a webhook, named by the
// kid of the webhook's JWT header (POST /webhook_verification_key/get).
func (c *Client) GetWebhookVerificationKey(ctx context.Context, req *WebhookVerificationKeyGetRequest) (*WebhookVerificationKeyGetResponse, error) {
	return call(ctx, c, "GetWebhookVerificationKey", "/webhook_verification_key/get", req, validateWebhookVerificationKeyGet,
		func(r *WebhookVerificationKeyGetResponse) *string { return &r.RequestID })
}

// call is the body of every method: check the client and the request, send it, and shape the
// error. A Plaid error comes back as the *Error itself, whose message already says what failed;
// anything else (a network error, an ended context, a reply that is not JSON) is prefixed with
// the method's name and wraps its cause.
func call[Req, Resp any](ctx context.Context, c *Client, method, path string, req *Req,
	validate func(*Req) error, requestID func(*Resp) *string) (*Resp, error) {
	if c == nil || c.t == nil {
		return nil, fmt.Errorf("link: %s: %w", method, ErrNilClient)
	}
	if err := validate(req); err != nil {
		return nil, err
	}
	resp := new(Resp)
	if err := c.t.Post(ctx, path, req, resp, requestID(resp)); err != nil {
		var apiErr *Error
		if errors.As(err, &apiErr) {
			return nil, apiErr
		}
		return nil, fmt.Errorf("link: %s: %w", method, err)
	}
	return resp, nil
}
