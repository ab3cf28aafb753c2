// Package webhooktest signs webhooks the way Plaid does and serves the matching key, so that code
// receiving Plaid webhooks can be tested offline against the real verification path.
//
// A [Signer] holds a fresh P-256 key. Its Sign method returns a Plaid-Verification header value for
// a body, and the Signer itself is a webhook.KeyFetcher, so a verifier built with
// webhook.NewVerifier(signer) accepts exactly what the Signer signs:
//
//	signer := webhooktest.NewSigner()
//	h := webhook.NewHandler(webhook.NewVerifier(signer), handle)
//	req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
//	req.Header.Set("Plaid-Verification", signer.Sign(body))
//	h.ServeHTTP(httptest.NewRecorder(), req)
package webhooktest

import (
	"context"
	"time"

	"github.com/plaidlink/plaidlink-go/internal/webhooksign"
	"github.com/plaidlink/plaidlink-go/link"
)

// HeaderName is the HTTP header Plaid puts the signed JWT in.
const HeaderName = "Plaid-Verification"

// Signer signs test webhooks with its own P-256 key and serves that key as Plaid's
// /webhook_verification_key/get would. It is safe for concurrent use.
type Signer struct{ s *webhooksign.Signer }

// NewSigner returns a Signer with a fresh P-256 key and a random kid. Like httptest.NewServer, it
// panics if it cannot set itself up, which only a broken crypto/rand can cause.
func NewSigner() *Signer { return &Signer{webhooksign.New()} }

// KeyID returns the kid the Signer puts in its JWTs and serves its key under.
func (s *Signer) KeyID() string { return s.s.KeyID() }

// Sign returns a Plaid-Verification header value for body, issued now.
func (s *Signer) Sign(body []byte) string { return s.s.Sign(body) }

// SignAt returns a Plaid-Verification header value for body, issued at t, to test how old or
// future webhooks are treated.
func (s *Signer) SignAt(body []byte, t time.Time) string { return s.s.SignAt(body, t) }

// Expire marks the Signer's key as expired, as Plaid does when it rotates keys: from then on the
// served JWK carries expired_at, and a verifier that fetches it must refuse the key.
func (s *Signer) Expire() { s.s.Expire() }

// Fetches returns how many times GetWebhookVerificationKey has been called, for any kid, so tests
// can check a verifier's caching.
func (s *Signer) Fetches() int { return s.s.Fetches() }

// JWK returns the Signer's public key as Plaid's JWK, with expired_at set once Expire was called.
func (s *Signer) JWK() link.JWKPublicKey { return s.s.JWK() }

// GetWebhookVerificationKey serves the Signer's key like Plaid's /webhook_verification_key/get,
// which makes a Signer a webhook.KeyFetcher. An unknown kid gets the *link.Error Plaid returns,
// HTTP 400 with INVALID_INPUT / INVALID_WEBHOOK_VERIFICATION_KEY_ID, so code handling Plaid's
// refusal is tested too.
func (s *Signer) GetWebhookVerificationKey(ctx context.Context, req *link.WebhookVerificationKeyGetRequest, opts ...link.Option) (*link.WebhookVerificationKeyGetResponse, error) {
	return s.s.GetWebhookVerificationKey(ctx, req, opts...)
}
