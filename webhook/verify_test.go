package webhook_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

func TestVerifyAcceptsSignedWebhook(t *testing.T) {
	signer := webhooktest.NewSigner()
	v := webhook.NewVerifier(signer)
	for _, name := range []string{"item_add_result.json", "events.json", "session_finished.json"} {
		body := sample(t, name)
		require.NoError(t, v.Verify(context.Background(), signer.Sign(body), body), name)
	}
	assert.Equal(t, 1, signer.Fetches(), "the key is fetched once and then cached")
}

func TestVerifyRefusesForgeries(t *testing.T) {
	ks := newKeyServer()
	const kid = "6c5516e1-92dc-479e-a8ff-5a51992e0001"
	key := ks.add(t, kid)
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)

	body := sample(t, "session_finished.json")
	now := time.Now()
	good := claimsFor(body, now)
	es := map[string]any{"alg": "ES256", "kid": kid, "typ": "JWT"}
	valid := compact(t, es, good, es256(t, key))

	pubJSON := mustJSON(t, jwkOf(kid, &key.PublicKey))
	hs256 := func(in []byte) []byte {
		m := hmac.New(sha256.New, pubJSON)
		m.Write(in)
		return m.Sum(nil)
	}
	joseSign := func(alg jose.SignatureAlgorithm, k any) string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: k, KeyID: kid}}, nil)
		require.NoError(t, err)
		jws, err := s.Sign(mustJSON(t, good))
		require.NoError(t, err)
		out, err := jws.CompactSerialize()
		require.NoError(t, err)
		return out
	}
	reindented := func() []byte {
		var buf bytes.Buffer
		require.NoError(t, json.Indent(&buf, bytes.TrimSpace(body), "", "    "))
		return buf.Bytes()
	}()
	require.NotEqual(t, body, reindented)
	changed := bytes.Clone(body)
	changed[bytes.IndexByte(changed, 'S')] = 's' // "SUCCESS" becomes "sUCCESS"

	tests := []struct {
		name       string
		header     string
		body       []byte
		want       error
		noFetching bool // refused before any key is fetched
	}{
		{"alg none", compact(t, map[string]any{"alg": "none", "kid": kid}, good, func([]byte) []byte { return nil }), body, webhook.ErrUnsupportedAlgorithm, true},
		{"HS256 keyed with the public key", compact(t, map[string]any{"alg": "HS256", "kid": kid}, good, hs256), body, webhook.ErrUnsupportedAlgorithm, true},
		{"RS256", joseSign(jose.RS256, rsaKey), body, webhook.ErrUnsupportedAlgorithm, true},
		{"ES384", joseSign(jose.ES384, p384), body, webhook.ErrUnsupportedAlgorithm, true},
		{"lowercase es256", compact(t, map[string]any{"alg": "es256", "kid": kid}, good, es256(t, key)), body, webhook.ErrUnsupportedAlgorithm, true},
		{"no kid", compact(t, map[string]any{"alg": "ES256"}, good, es256(t, key)), body, webhook.ErrInvalidKeyID, true},
		{"kid too long", compact(t, map[string]any{"alg": "ES256", "kid": strings.Repeat("k", 200)}, good, es256(t, key)), body, webhook.ErrInvalidKeyID, true},
		{"unknown kid", compact(t, map[string]any{"alg": "ES256", "kid": "no-such-kid"}, good, es256(t, key)), body, webhook.ErrUnknownKey, false},
		{"another key's signature", compact(t, es, good, es256(t, other)), body, webhook.ErrInvalidSignature, false},
		{"DER signature", compact(t, es, good, es256DER(t, key)), body, webhook.ErrInvalidSignature, false},
		{"iat 6 minutes old", compact(t, es, claimsFor(body, now.Add(-6*time.Minute)), es256(t, key)), body, webhook.ErrTooOld, false},
		{"iat 2 minutes ahead", compact(t, es, claimsFor(body, now.Add(2*time.Minute)), es256(t, key)), body, webhook.ErrIssuedInFuture, false},
		{"no iat", compact(t, es, map[string]any{"request_body_sha256": good["request_body_sha256"]}, es256(t, key)), body, webhook.ErrMissingIssuedAt, false},
		{"uppercase hash", compact(t, es, map[string]any{"iat": now.Unix(), "request_body_sha256": strings.ToUpper(good["request_body_sha256"].(string))}, es256(t, key)), body, webhook.ErrBodyMismatch, false},
		{"no hash", compact(t, es, map[string]any{"iat": now.Unix()}, es256(t, key)), body, webhook.ErrBodyMismatch, false},
		{"body changed by one byte", valid, changed, webhook.ErrBodyMismatch, false},
		{"body re-indented", valid, reindented, webhook.ErrBodyMismatch, false},
		{"empty body", valid, nil, webhook.ErrBodyMismatch, false},
		{"truncated signature", valid[:len(valid)-4], body, webhook.ErrInvalidSignature, false},
		{"signature removed", valid[:strings.LastIndexByte(valid, '.')+1], body, webhook.ErrInvalidSignature, false},
		{"garbage", "garbage", body, webhook.ErrMalformedHeader, true},
		{"four segments", valid + ".x", body, webhook.ErrMalformedHeader, true},
		{"header not base64", "!!!." + valid[strings.IndexByte(valid, '.')+1:], body, webhook.ErrMalformedHeader, true},
		{"header not JSON", b64([]byte("alg=ES256")) + valid[strings.IndexByte(valid, '.'):], body, webhook.ErrMalformedHeader, true},
		{"oversized header", strings.Repeat("a", 9000), body, webhook.ErrMalformedHeader, true},
		{"empty header", "", body, webhook.ErrMissingHeader, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks := &keyServer{keys: ks.keys}
			v := webhook.NewVerifier(ks)
			err := v.Verify(context.Background(), tc.header, tc.body)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			for _, other := range allSentinels {
				if other != tc.want {
					assert.NotErrorIs(t, err, other, "each failure wraps exactly one sentinel")
				}
			}
			if tc.noFetching {
				assert.Zero(t, ks.fetches(), "refused before fetching a key")
			}
		})
	}

	t.Run("the untouched JWT passes", func(t *testing.T) {
		require.NoError(t, webhook.NewVerifier(ks).Verify(context.Background(), valid, body))
	})
}

var allSentinels = []error{
	webhook.ErrNoVerifier, webhook.ErrMissingHeader, webhook.ErrMalformedHeader,
	webhook.ErrUnsupportedAlgorithm, webhook.ErrInvalidKeyID, webhook.ErrKeyUnavailable, webhook.ErrKeyRateLimited,
	webhook.ErrKeyFetchMisconfigured, webhook.ErrUnknownKey,
	webhook.ErrKeyExpired, webhook.ErrInvalidKey, webhook.ErrInvalidSignature,
	webhook.ErrMissingIssuedAt, webhook.ErrTooOld, webhook.ErrIssuedInFuture, webhook.ErrBodyMismatch,
}

func TestVerifyExpiredKey(t *testing.T) {
	signer := webhooktest.NewSigner()
	signer.Expire()
	body := sample(t, "item_add_result.json")
	v := webhook.NewVerifier(signer)
	err := v.Verify(context.Background(), signer.Sign(body), body)
	require.ErrorIs(t, err, webhook.ErrKeyExpired)
	// The expired key is cached too: refusing it again costs no fetch.
	require.ErrorIs(t, v.Verify(context.Background(), signer.Sign(body), body), webhook.ErrKeyExpired)
	assert.Equal(t, 1, signer.Fetches())
}

func TestVerifyTimeWindow(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "item_add_result.json")
	now := time.Date(2024, 5, 21, 0, 18, 13, 0, time.UTC)
	clock := func() time.Time { return now }

	tests := []struct {
		name string
		opts []webhook.VerifierOption
		iat  time.Time
		want error
	}{
		{"now", nil, now, nil},
		{"exactly 5 minutes old", nil, now.Add(-5 * time.Minute), nil},
		{"5 minutes 1 second old", nil, now.Add(-5*time.Minute - time.Second), webhook.ErrTooOld},
		{"30 seconds ahead", nil, now.Add(30 * time.Second), nil},
		{"31 seconds ahead", nil, now.Add(31 * time.Second), webhook.ErrIssuedInFuture},
		{"max age 1 minute", []webhook.VerifierOption{webhook.WithMaxAge(time.Minute)}, now.Add(-2 * time.Minute), webhook.ErrTooOld},
		{"max age 10 minutes", []webhook.VerifierOption{webhook.WithMaxAge(10 * time.Minute)}, now.Add(-9 * time.Minute), nil},
		{"no skew", []webhook.VerifierOption{webhook.WithClockSkew(0)}, now.Add(time.Second), webhook.ErrIssuedInFuture},
		{"skew 3 minutes", []webhook.VerifierOption{webhook.WithClockSkew(3 * time.Minute)}, now.Add(2 * time.Minute), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := webhook.NewVerifier(signer, append([]webhook.VerifierOption{webhook.WithClock(clock)}, tc.opts...)...)
			err := v.Verify(context.Background(), signer.SignAt(body, tc.iat), body)
			if tc.want == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tc.want)
			}
		})
	}
}

func TestVerifyNilVerifier(t *testing.T) {
	body := sample(t, "item_add_result.json")
	header := webhooktest.NewSigner().Sign(body)
	var nilVerifier *webhook.Verifier
	assert.ErrorIs(t, nilVerifier.Verify(context.Background(), header, body), webhook.ErrNoVerifier)
	assert.ErrorIs(t, webhook.NewVerifier(nil).Verify(context.Background(), header, body), webhook.ErrNoVerifier)
	assert.ErrorIs(t, (&webhook.Verifier{}).Verify(context.Background(), header, body), webhook.ErrNoVerifier)
}

func TestVerifyRefusesBadKeys(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "item_add_result.json")
	header := signer.Sign(body)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)

	tests := []struct {
		name   string
		mutate func(*link.JWKPublicKey)
		want   error
	}{
		{"RSA key type", func(k *link.JWKPublicKey) { k.Kty = "RSA" }, webhook.ErrInvalidKey},
		{"P-384 curve name", func(k *link.JWKPublicKey) { k.Crv = "P-384" }, webhook.ErrInvalidKey},
		{"P-384 coordinates", func(k *link.JWKPublicKey) {
			j := jwkOf(k.Kid, &p384.PublicKey)
			k.X, k.Y = j.X, j.Y
		}, webhook.ErrInvalidKey},
		{"point off the curve", func(k *link.JWKPublicKey) { k.Y = k.X }, webhook.ErrInvalidKey},
		{"encryption key", func(k *link.JWKPublicKey) { k.Use = "enc" }, webhook.ErrInvalidKey},
		{"HS256 key", func(k *link.JWKPublicKey) { k.Alg = "HS256" }, webhook.ErrInvalidKey},
		{"another kid", func(k *link.JWKPublicKey) { k.Kid = "other" }, webhook.ErrInvalidKey},
		{"expired", func(k *link.JWKPublicKey) { e := int64(1); k.ExpiredAt = &e }, webhook.ErrKeyExpired},
		{"unchanged", func(*link.JWKPublicKey) {}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := fetcherFunc(func(_ context.Context, req *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
				k := signer.JWK()
				tc.mutate(&k)
				return &link.WebhookVerificationKeyGetResponse{Key: k}, nil
			})
			err := webhook.NewVerifier(f).Verify(context.Background(), header, body)
			if tc.want == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tc.want)
			}
		})
	}
}

func TestVerifyFetcherMisbehaves(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "item_add_result.json")
	header := signer.Sign(body)

	t.Run("nil response", func(t *testing.T) {
		f := fetcherFunc(func(context.Context, *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
			return nil, nil
		})
		requireOnly(t, webhook.NewVerifier(f).Verify(context.Background(), header, body), webhook.ErrKeyUnavailable)
	})
	t.Run("panic", func(t *testing.T) {
		f := fetcherFunc(func(context.Context, *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
			panic("boom")
		})
		requireOnly(t, webhook.NewVerifier(f).Verify(context.Background(), header, body), webhook.ErrKeyUnavailable)
	})
	t.Run("fetch timeout", func(t *testing.T) {
		f := fetcherFunc(func(ctx context.Context, _ *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		})
		err := webhook.NewVerifier(f, webhook.WithFetchTimeout(20*time.Millisecond)).Verify(context.Background(), header, body)
		requireOnly(t, err, webhook.ErrKeyUnavailable)
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("caller gives up but the fetch completes for others", func(t *testing.T) {
		release := make(chan struct{})
		var calls sync.WaitGroup
		calls.Add(1)
		f := fetcherFunc(func(ctx context.Context, req *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
			calls.Done()
			<-release
			return signer.GetWebhookVerificationKey(ctx, req)
		})
		v := webhook.NewVerifier(f)
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- v.Verify(ctx, header, body) }()
		calls.Wait()
		cancel()
		err := <-errc
		requireOnly(t, err, webhook.ErrKeyUnavailable)
		require.ErrorIs(t, err, context.Canceled)
		close(release)
		require.NoError(t, v.Verify(context.Background(), header, body))
	})
	t.Run("link error from the Signer", func(t *testing.T) {
		other := webhooktest.NewSigner()
		err := webhook.NewVerifier(other).Verify(context.Background(), header, body)
		requireOnly(t, err, webhook.ErrUnknownKey)
		var le *link.Error
		require.True(t, errors.As(err, &le))
		assert.Equal(t, link.ErrorTypeInvalidInput, le.ErrorType)
		assert.Equal(t, link.ErrorCode("INVALID_WEBHOOK_VERIFICATION_KEY_ID"), le.ErrorCode)
	})
}

// TestKeyFetchMisconfiguredIsNotRemembered checks through Verify that Plaid refusing this
// server's credentials is ErrKeyFetchMisconfigured, never ErrUnknownKey, and is not remembered.
func TestKeyFetchMisconfiguredIsNotRemembered(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "item_add_result.json")
	var calls atomic.Int32
	var refuse atomic.Bool
	refuse.Store(true)
	keys := fetcherFunc(func(ctx context.Context, req *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
		calls.Add(1)
		if refuse.Load() {
			return nil, &link.Error{ErrorType: link.ErrorTypeInvalidInput, ErrorCode: "INVALID_API_KEYS", HTTPStatus: 400,
				ErrorMessage: "invalid client_id or secret provided"}
		}
		return signer.GetWebhookVerificationKey(ctx, req)
	})
	v := webhook.NewVerifier(keys)
	err := v.Verify(context.Background(), signer.Sign(body), body)
	require.ErrorIs(t, err, webhook.ErrKeyFetchMisconfigured)
	for _, other := range allSentinels {
		if other != webhook.ErrKeyFetchMisconfigured {
			assert.NotErrorIs(t, err, other)
		}
	}
	require.ErrorIs(t, v.Verify(context.Background(), signer.Sign(body), body), webhook.ErrKeyFetchMisconfigured)
	assert.Equal(t, int32(2), calls.Load(), "asked again: not remembered")
	refuse.Store(false)
	require.NoError(t, v.Verify(context.Background(), signer.Sign(body), body), "fixed credentials verify at once")
}

// TestVerifyAcceptsHighS pins that a signature's high-S twin, (r, N-s), is accepted: ECDSA checks
// it as well as (r, s). Refusing high S would make headers unique, but Plaid does not say its
// signer normalises S, so it could refuse Plaid's real webhooks. Callers de-duplicate by the ids
// in the body instead, never by the header (see the package doc and Verify).
func TestVerifyAcceptsHighS(t *testing.T) {
	signer := webhooktest.NewSigner()
	v := webhook.NewVerifier(signer)
	body := sample(t, "session_finished.json")
	header := signer.Sign(body)

	dot := strings.LastIndexByte(header, '.')
	sig, err := base64.RawURLEncoding.DecodeString(header[dot+1:])
	require.NoError(t, err)
	require.Len(t, sig, 64)
	s := new(big.Int).SetBytes(sig[32:])
	new(big.Int).Sub(elliptic.P256().Params().N, s).FillBytes(sig[32:])
	twin := header[:dot+1] + base64.RawURLEncoding.EncodeToString(sig)
	require.NotEqual(t, header, twin)

	require.NoError(t, v.Verify(context.Background(), header, body))
	require.NoError(t, v.Verify(context.Background(), twin, body), "the high-S twin of a valid header")
}

// TestVerifyHeaderThenBody checks the split form the Handler uses: VerifyHeader refuses what
// Verify refuses for the header alone, and returns claims whose VerifyBody accepts the signed
// body only.
func TestVerifyHeaderThenBody(t *testing.T) {
	signer := webhooktest.NewSigner()
	now := time.Date(2024, 5, 21, 0, 18, 13, 500_000_000, time.UTC)
	v := webhook.NewVerifier(signer, webhook.WithClock(func() time.Time { return now }))
	body := sample(t, "events.json")
	ctx := context.Background()

	c, err := v.VerifyHeader(ctx, signer.SignAt(body, now))
	require.NoError(t, err)
	require.NotNil(t, c)
	assert.Equal(t, signer.KeyID(), c.KeyID)
	assert.Equal(t, now.Unix(), c.IssuedAt.Unix())
	require.NoError(t, c.VerifyBody(body))
	for _, other := range [][]byte{nil, append(bytes.Clone(body), '\n'), body[1:], sample(t, "item_add_result.json")} {
		assert.ErrorIs(t, c.VerifyBody(other), webhook.ErrBodyMismatch)
	}
	var none *webhook.Claims
	assert.ErrorIs(t, none.VerifyBody(body), webhook.ErrBodyMismatch, "nil claims accept nothing")

	for _, tc := range []struct {
		name   string
		header string
		want   error
	}{
		{"empty", "", webhook.ErrMissingHeader},
		{"not a JWS", "abc", webhook.ErrMalformedHeader},
		{"stale", signer.SignAt(body, now.Add(-6*time.Minute)), webhook.ErrTooOld},
		{"future", signer.SignAt(body, now.Add(time.Minute)), webhook.ErrIssuedInFuture},
		{"forged", newForger(t).header(signer.KeyID(), body, now), webhook.ErrInvalidSignature},
	} {
		c, err := v.VerifyHeader(ctx, tc.header)
		assert.ErrorIs(t, err, tc.want, tc.name)
		assert.Nil(t, c, tc.name)
		assert.ErrorIs(t, v.Verify(ctx, tc.header, body), tc.want, "Verify agrees: %s", tc.name)
	}
	_, err = (*webhook.Verifier)(nil).VerifyHeader(ctx, signer.Sign(body))
	assert.ErrorIs(t, err, webhook.ErrNoVerifier)
}
