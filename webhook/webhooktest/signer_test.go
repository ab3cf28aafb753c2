package webhooktest_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

func TestSignerSignsLikePlaid(t *testing.T) {
	s := webhooktest.NewSigner()
	body := []byte(`{"webhook_type":"LINK","webhook_code":"EVENTS"}`)
	at := time.Unix(1716250693, 0)
	header := s.SignAt(body, at)

	// The protected header is what Plaid sends: ES256, the kid, typ JWT.
	seg, _, _ := strings.Cut(header, ".")
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	require.NoError(t, err)
	var h map[string]any
	require.NoError(t, json.Unmarshal(raw, &h))
	assert.Equal(t, map[string]any{"alg": "ES256", "kid": s.KeyID(), "typ": "JWT"}, h)

	// The signature checks with the served JWK, and the claims carry iat and the body's hash.
	resp, err := s.GetWebhookVerificationKey(context.Background(), &link.WebhookVerificationKeyGetRequest{KeyID: s.KeyID()})
	require.NoError(t, err)
	var jwk jose.JSONWebKey
	require.NoError(t, jwk.UnmarshalJSON(mustJSON(t, resp.Key)))
	jws, err := jose.ParseSignedCompact(header, []jose.SignatureAlgorithm{jose.ES256})
	require.NoError(t, err)
	payload, err := jws.Verify(jwk.Key.(*ecdsa.PublicKey))
	require.NoError(t, err)
	sum := sha256.Sum256(body)
	assert.JSONEq(t, `{"iat":1716250693,"request_body_sha256":"`+hex.EncodeToString(sum[:])+`"}`, string(payload))

	assert.NotEqual(t, s.Sign(body), header, "Sign uses the current time")
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestSignerServesItsKey(t *testing.T) {
	s := webhooktest.NewSigner()
	other := webhooktest.NewSigner()
	require.NotEqual(t, s.KeyID(), other.KeyID())
	ctx := context.Background()

	resp, err := s.GetWebhookVerificationKey(ctx, &link.WebhookVerificationKeyGetRequest{KeyID: s.KeyID()})
	require.NoError(t, err)
	k := resp.Key
	assert.Equal(t, "ES256", k.Alg)
	assert.Equal(t, "P-256", k.Crv)
	assert.Equal(t, "EC", k.Kty)
	assert.Equal(t, "sig", k.Use)
	assert.Equal(t, s.KeyID(), k.Kid)
	assert.Len(t, k.X, 43)
	assert.Len(t, k.Y, 43)
	assert.InDelta(t, time.Now().Unix(), k.CreatedAt, 60)
	assert.Nil(t, k.ExpiredAt)
	assert.Equal(t, s.JWK(), k)

	_, err = s.GetWebhookVerificationKey(ctx, &link.WebhookVerificationKeyGetRequest{KeyID: other.KeyID()})
	var le *link.Error
	require.True(t, errors.As(err, &le))
	assert.Equal(t, link.ErrorTypeInvalidInput, le.ErrorType)
	assert.Equal(t, link.ErrorCodeInvalidWebhookVerificationKeyID, le.ErrorCode)
	assert.Equal(t, 400, le.HTTPStatus, "Plaid answers an unknown key_id with 400")

	_, err = s.GetWebhookVerificationKey(ctx, nil)
	require.True(t, errors.As(err, &le))

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.GetWebhookVerificationKey(cancelled, &link.WebhookVerificationKeyGetRequest{KeyID: s.KeyID()})
	require.ErrorIs(t, err, context.Canceled)

	assert.Equal(t, 4, s.Fetches())
	assert.Equal(t, 0, other.Fetches())

	s.Expire()
	resp, err = s.GetWebhookVerificationKey(ctx, &link.WebhookVerificationKeyGetRequest{KeyID: s.KeyID()})
	require.NoError(t, err)
	require.NotNil(t, resp.Key.ExpiredAt)
	first := *resp.Key.ExpiredAt
	assert.InDelta(t, time.Now().Unix(), first, 60)
	s.Expire() // idempotent: the first expiry time stays
	assert.Equal(t, first, *s.JWK().ExpiredAt)
}

func TestSignerConcurrentUse(t *testing.T) {
	s := webhooktest.NewSigner()
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NotEmpty(t, s.Sign([]byte{byte(i)}))
			_, err := s.GetWebhookVerificationKey(context.Background(), &link.WebhookVerificationKeyGetRequest{KeyID: s.KeyID()})
			assert.NoError(t, err)
			if i == 7 {
				s.Expire()
			}
			_ = s.Fetches()
		}()
	}
	wg.Wait()
	assert.Equal(t, 32, s.Fetches())
}
