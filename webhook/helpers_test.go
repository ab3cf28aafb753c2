package webhook_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/webhook"
)

// fetcherFunc adapts a function to webhook.KeyFetcher; requireOnly fails unless an error wraps
// the sentinel wanted and not the other of ErrUnknownKey and ErrKeyUnavailable. Both are the key
// cache tests'.
type fetcherFunc = webhook.FetcherFunc

var requireOnly = webhook.RequireOnly

// sample reads a sample webhook from testdata.
func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}

// keyServer is a KeyFetcher over keys the test holds privately, so that tests can forge JWTs the
// webhooktest.Signer would never produce.
type keyServer struct {
	mu    sync.Mutex
	keys  map[string]*ecdsa.PrivateKey
	calls int
}

func newKeyServer() *keyServer { return &keyServer{keys: map[string]*ecdsa.PrivateKey{}} }

// add makes a P-256 key under kid, serves it, and returns it.
func (s *keyServer) add(t testing.TB, kid string) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	s.mu.Lock()
	s.keys[kid] = k
	s.mu.Unlock()
	return k
}

func (s *keyServer) fetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func (s *keyServer) GetWebhookVerificationKey(_ context.Context, req *link.WebhookVerificationKeyGetRequest, _ ...link.Option) (*link.WebhookVerificationKeyGetResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	k, ok := s.keys[req.KeyID]
	if !ok {
		return nil, errUnknownKID
	}
	return &link.WebhookVerificationKeyGetResponse{Key: jwkOf(req.KeyID, &k.PublicKey)}, nil
}

// errUnknownKID is Plaid's refusal of a kid, so that the verifier treats it as definitive
// (ErrUnknownKey) rather than as a failure that may pass (ErrKeyUnavailable).
var errUnknownKID = &link.Error{
	ErrorType:  link.ErrorTypeInvalidInput,
	ErrorCode:  "INVALID_WEBHOOK_VERIFICATION_KEY_ID",
	HTTPStatus: 400,
}

func jwkOf(kid string, pub *ecdsa.PublicKey) link.JWKPublicKey {
	pt, err := pub.ECDH()
	if err != nil {
		panic(err)
	}
	raw := pt.Bytes()
	return link.JWKPublicKey{
		Alg: "ES256", Crv: "P-256", Kid: kid, Kty: "EC", Use: "sig",
		X: b64(raw[1:33]), Y: b64(raw[33:65]), CreatedAt: 1560211755,
	}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// claimsFor returns Plaid's claims for body issued at iat.
func claimsFor(body []byte, iat time.Time) map[string]any {
	sum := sha256.Sum256(body)
	return map[string]any{"iat": iat.Unix(), "request_body_sha256": hex.EncodeToString(sum[:])}
}

// compact builds a compact JWS from header and claims, signing "header.claims" with sign.
func compact(t testing.TB, header, claims map[string]any, sign func(signingInput []byte) []byte) string {
	t.Helper()
	in := b64(mustJSON(t, header)) + "." + b64(mustJSON(t, claims))
	return in + "." + b64(sign([]byte(in)))
}

// es256 signs as JWS ES256 does: SHA-256, then R||S as two 32-byte big-endian numbers.
func es256(t testing.TB, k *ecdsa.PrivateKey) func([]byte) []byte {
	return func(in []byte) []byte {
		h := sha256.Sum256(in)
		r, s, err := ecdsa.Sign(rand.Reader, k, h[:])
		require.NoError(t, err)
		out := make([]byte, 64)
		r.FillBytes(out[:32])
		s.FillBytes(out[32:])
		return out
	}
}

// es256DER signs like es256 but encodes the signature as ASN.1 DER, as many JWT libraries wrongly do.
func es256DER(t testing.TB, k *ecdsa.PrivateKey) func([]byte) []byte {
	return func(in []byte) []byte {
		h := sha256.Sum256(in)
		sig, err := ecdsa.SignASN1(rand.Reader, k, h[:])
		require.NoError(t, err)
		return sig
	}
}
