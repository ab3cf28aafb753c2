// Package webhooksign is webhooktest.Signer's implementation: a P-256 key that signs webhooks the
// way Plaid does and is served as Plaid's /webhook_verification_key/get serves it. It is apart
// from webhooktest, which imports webhook (for TestDeduper), so that the tests inside package
// webhook can sign webhooks too; webhooktest.Signer is the public face, with the same methods.
package webhooksign

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/plaidlink/plaidlink-go/link"
)

// Signer signs test webhooks with its own P-256 key and serves that key as Plaid's
// /webhook_verification_key/get would. It is safe for concurrent use.
type Signer struct {
	kid       string
	key       *ecdsa.PrivateKey
	signer    jose.Signer
	createdAt int64

	mu        sync.Mutex
	expiredAt *int64
	fetches   int
}

// New returns a Signer with a fresh P-256 key and a random kid. Like httptest.NewServer, it
// panics if it cannot set itself up, which only a broken crypto/rand can cause.
func New() *Signer {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic("webhooktest: generating key: " + err.Error())
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		panic("webhooktest: generating kid: " + err.Error())
	}
	kid := fmt.Sprintf("%x-%x-%x-%x-%x", id[0:4], id[4:6], id[6:8], id[8:10], id[10:16])
	js, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		panic("webhooktest: creating signer: " + err.Error())
	}
	return &Signer{kid: kid, key: key, signer: js, createdAt: time.Now().Unix()}
}

// KeyID returns the kid the Signer puts in its JWTs and serves its key under.
func (s *Signer) KeyID() string { return s.kid }

// Sign returns a Plaid-Verification header value for body, issued now.
func (s *Signer) Sign(body []byte) string {
	return s.SignAt(body, time.Now())
}

// SignAt returns a Plaid-Verification header value for body, issued at t, to test how old or
// future webhooks are treated.
func (s *Signer) SignAt(body []byte, t time.Time) string {
	sum := sha256.Sum256(body)
	payload, err := json.Marshal(struct {
		Iat               int64  `json:"iat"`
		RequestBodySHA256 string `json:"request_body_sha256"`
	}{t.Unix(), hex.EncodeToString(sum[:])})
	if err != nil {
		panic("webhooktest: encoding claims: " + err.Error())
	}
	// go-jose does not promise that a Signer may be used concurrently.
	s.mu.Lock()
	jws, err := s.signer.Sign(payload)
	s.mu.Unlock()
	if err != nil {
		panic("webhooktest: signing: " + err.Error())
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		panic("webhooktest: serializing: " + err.Error())
	}
	return out
}

// Expire marks the Signer's key as expired, as Plaid does when it rotates keys: from then on the
// served JWK carries expired_at, and a verifier that fetches it must refuse the key.
func (s *Signer) Expire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.expiredAt == nil {
		now := time.Now().Unix()
		s.expiredAt = &now
	}
}

// Fetches returns how many times GetWebhookVerificationKey has been called, for any kid, so tests
// can check a verifier's caching.
func (s *Signer) Fetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}

// JWK returns the Signer's public key as Plaid's JWK, with expired_at set once Expire was called.
func (s *Signer) JWK() link.JWKPublicKey {
	pt, _ := s.key.PublicKey.ECDH() // never fails for a P-256 key made by ecdsa.GenerateKey
	raw := pt.Bytes()               // 0x04 || X || Y, 32 bytes each
	s.mu.Lock()
	defer s.mu.Unlock()
	var expiredAt *int64
	if s.expiredAt != nil {
		e := *s.expiredAt
		expiredAt = &e
	}
	return link.JWKPublicKey{
		Alg:       string(jose.ES256),
		Crv:       "P-256",
		Kid:       s.kid,
		Kty:       "EC",
		Use:       "sig",
		X:         base64.RawURLEncoding.EncodeToString(raw[1:33]),
		Y:         base64.RawURLEncoding.EncodeToString(raw[33:65]),
		CreatedAt: s.createdAt,
		ExpiredAt: expiredAt,
	}
}

// GetWebhookVerificationKey serves the Signer's key like Plaid's /webhook_verification_key/get,
// which makes a Signer a webhook.KeyFetcher. An unknown kid gets the *link.Error Plaid returns,
// HTTP 400 with INVALID_INPUT / INVALID_WEBHOOK_VERIFICATION_KEY_ID, so code handling Plaid's
// refusal is tested too.
func (s *Signer) GetWebhookVerificationKey(ctx context.Context, req *link.WebhookVerificationKeyGetRequest, _ ...link.Option) (*link.WebhookVerificationKeyGetResponse, error) {
	s.mu.Lock()
	s.fetches++
	s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if req == nil || req.KeyID != s.kid {
		return nil, &link.Error{
			ErrorType:    link.ErrorTypeInvalidInput,
			ErrorCode:    link.ErrorCodeInvalidWebhookVerificationKeyID,
			ErrorMessage: "invalid key_id provided",
			RequestID:    "webhooktest",
			HTTPStatus:   http.StatusBadRequest,
		}
	}
	return &link.WebhookVerificationKeyGetResponse{Key: s.JWK(), RequestID: "webhooktest"}, nil
}
