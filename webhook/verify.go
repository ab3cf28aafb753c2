package webhook

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
)

// Verification failures. Each kind has its own sentinel so that a handler can log why a webhook was
// refused with errors.Is; the errors [Verifier.Verify] returns wrap exactly one of them.
var (
	// ErrNoVerifier means Verify was called on a nil *Verifier or one without a KeyFetcher.
	ErrNoVerifier = errors.New("webhook: verifier has no key fetcher")
	// ErrMissingHeader means the Plaid-Verification header was empty.
	ErrMissingHeader = errors.New("webhook: missing Plaid-Verification header")
	// ErrMalformedHeader means the header is not a compact JWS with a JSON protected header and
	// JSON claims, or is longer than any header Plaid sends.
	ErrMalformedHeader = errors.New("webhook: malformed Plaid-Verification header")
	// ErrUnsupportedAlgorithm means the JWT's alg is not ES256, the only one Plaid uses. It is
	// checked before any key is fetched, so "none", HMAC and RSA tricks never reach the key cache.
	ErrUnsupportedAlgorithm = errors.New("webhook: JWT algorithm is not ES256")
	// ErrInvalidKeyID means the JWT has no kid, or one too long to be Plaid's.
	ErrInvalidKeyID = errors.New("webhook: JWT key ID missing or too long")
	// ErrKeyUnavailable means the key for the kid could not be fetched now, for a reason that says
	// nothing about the kid: the call timed out or failed in transport, Plaid answered 429 or 5xx,
	// too many fetches were in flight, or the request ended while waiting for the key. It is never
	// remembered, so the next webhook with that kid fetches again, and the Handler answers 503 so
	// that Plaid delivers the webhook again rather than it being lost to a passing outage.
	ErrKeyUnavailable = errors.New("webhook: verification key unavailable now")
	// ErrUnknownKey means Plaid definitively refused the kid: INVALID_WEBHOOK_VERIFICATION_KEY_ID,
	// or an INVALID_INPUT or INVALID_REQUEST reply with HTTP status 400. The refusal is remembered
	// for a minute, as is a key refused with [ErrInvalidKey], so repeating the kid costs no fetch.
	ErrUnknownKey = errors.New("webhook: no verification key for kid")
	// ErrKeyExpired means Plaid has marked the key expired_at: it must no longer be trusted.
	ErrKeyExpired = errors.New("webhook: verification key expired")
	// ErrInvalidKey means the key the KeyFetcher returned is not an EC P-256 signing key.
	ErrInvalidKey = errors.New("webhook: verification key is not EC P-256")
	// ErrInvalidSignature means the JWT's signature does not check with the key for its kid, or is
	// not a 64-byte R||S value (DER-encoded signatures are refused).
	ErrInvalidSignature = errors.New("webhook: invalid JWT signature")
	// ErrMissingIssuedAt means the JWT has no iat claim, so its age cannot be checked.
	ErrMissingIssuedAt = errors.New("webhook: JWT has no iat")
	// ErrTooOld means the JWT's iat is older than the maximum age (5 minutes by default): a replay.
	ErrTooOld = errors.New("webhook: JWT issued too long ago")
	// ErrIssuedInFuture means the JWT's iat is further ahead of this machine's clock than the
	// allowed skew.
	ErrIssuedInFuture = errors.New("webhook: JWT issued in the future")
	// ErrBodyMismatch means the SHA-256 of the body differs from the JWT's request_body_sha256: the
	// body was altered, re-encoded, or belongs to another webhook.
	ErrBodyMismatch = errors.New("webhook: body does not match request_body_sha256")
)

// sentinels lists every failure sentinel, in the order reasonOf looks for them.
var sentinels = []error{
	ErrNoVerifier, ErrMissingHeader, ErrMalformedHeader, ErrUnsupportedAlgorithm, ErrInvalidKeyID,
	ErrKeyUnavailable, ErrUnknownKey, ErrKeyExpired, ErrInvalidKey, ErrInvalidSignature, ErrMissingIssuedAt, ErrTooOld,
	ErrIssuedInFuture, ErrBodyMismatch, ErrInvalidPayload, context.Canceled, context.DeadlineExceeded,
}

// reasonOf returns the sentinel err wraps, so that logs name the reason without the details
// (which could carry header fragments).
func reasonOf(err error) error {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return s
		}
	}
	return errors.New("webhook: verification failed")
}

// Limits on what a header may contain. Plaid's headers are a few hundred bytes and its kids are
// UUIDs; anything far larger is an attack on memory or on the key cache.
const (
	maxHeaderLen          = 8 << 10
	maxProtectedHeaderLen = 1 << 10
	maxKeyIDLen           = 128
)

// Defaults for [NewVerifier].
const (
	// DefaultMaxAge is how old a webhook's iat may be, per Plaid's guidance.
	DefaultMaxAge = 5 * time.Minute
	// DefaultClockSkew is how far ahead of this machine's clock a webhook's iat may be.
	DefaultClockSkew = 30 * time.Second
	// DefaultFetchTimeout bounds one call to the KeyFetcher, apart from the caller's context,
	// because one fetch is shared by every request waiting for the same kid. It starts once the
	// call has one of the fetch slots; the wait for a slot is bounded by as long again.
	DefaultFetchTimeout = 10 * time.Second
	// DefaultKeyCacheSize bounds how many keys are cached; Plaid uses a handful at a time.
	DefaultKeyCacheSize = 64
	// DefaultMissCacheSize bounds how many kids refused by Plaid are remembered.
	DefaultMissCacheSize = 4096
)

const (
	// missTTL is how long a kid Plaid definitively refused is remembered, so that repeating it
	// costs no fetch.
	missTTL = time.Minute
	// refreshInterval is the least time between refreshes of cached keys, so that a flood of new
	// kids refreshes at most once a minute.
	refreshInterval = time.Minute
	// maxConcurrentFetches bounds the calls in flight to the KeyFetcher, so that a flood of random
	// kids cannot turn into a flood of parallel calls to Plaid.
	maxConcurrentFetches = 4
	// maxQueuedFetches bounds the fetches of new kids waiting for one of the maxConcurrentFetches
	// slots. Each holds a goroutine and the requests waiting on it for up to the fetch timeout;
	// past the bound a new kid gets ErrKeyUnavailable at once (not remembered). 64 is far more than
	// the handful of kids Plaid uses while rotating keys.
	maxQueuedFetches = 64
)

// KeyFetcher fetches the public key Plaid signs webhooks with. A *link.Client is one; in tests, a
// *webhooktest.Signer is one.
type KeyFetcher interface {
	// GetWebhookVerificationKey returns the JWK for req.KeyID, or an error if Plaid refuses it.
	GetWebhookVerificationKey(ctx context.Context, req *link.WebhookVerificationKeyGetRequest, opts ...link.Option) (*link.WebhookVerificationKeyGetResponse, error)
}

// VerifierOption configures a [Verifier].
type VerifierOption func(*verifierConfig)

type verifierConfig struct {
	maxAge        time.Duration
	skew          time.Duration
	now           func() time.Time
	fetchTimeout  time.Duration
	keyCacheSize  int
	missCacheSize int
}

// WithMaxAge sets how old a webhook's iat may be (default [DefaultMaxAge]). Non-positive values
// keep the default, because a zero window would refuse every webhook.
func WithMaxAge(d time.Duration) VerifierOption {
	return func(c *verifierConfig) {
		if d > 0 {
			c.maxAge = d
		}
	}
}

// WithClockSkew sets how far in the future a webhook's iat may be (default [DefaultClockSkew]).
// Negative values keep the default.
func WithClockSkew(d time.Duration) VerifierOption {
	return func(c *verifierConfig) {
		if d >= 0 {
			c.skew = d
		}
	}
}

// WithClock replaces time.Now for the iat checks and the key cache's timers, so tests can move
// time. A nil function keeps time.Now.
func WithClock(now func() time.Time) VerifierOption {
	return func(c *verifierConfig) {
		if now != nil {
			c.now = now
		}
	}
}

// WithFetchTimeout bounds each call to the KeyFetcher (default [DefaultFetchTimeout]), from the
// moment it has a fetch slot; the wait for a slot is bounded by as long again. Non-positive values
// keep the default.
func WithFetchTimeout(d time.Duration) VerifierOption {
	return func(c *verifierConfig) {
		if d > 0 {
			c.fetchTimeout = d
		}
	}
}

// WithCacheSize bounds the number of cached keys and of remembered refused kids (defaults
// [DefaultKeyCacheSize] and [DefaultMissCacheSize]); the oldest entries are dropped first.
// Non-positive values keep the default.
func WithCacheSize(keys, misses int) VerifierOption {
	return func(c *verifierConfig) {
		if keys > 0 {
			c.keyCacheSize = keys
		}
		if misses > 0 {
			c.missCacheSize = misses
		}
	}
}

// Verifier checks the Plaid-Verification header of LINK webhooks the way Plaid prescribes: an
// ES256 JWT signed by a Plaid key, recent, and carrying the SHA-256 of the exact body. It caches
// keys by kid. A Verifier is safe for concurrent use; make one per process and share it.
type Verifier struct {
	maxAge time.Duration
	skew   time.Duration
	now    func() time.Time
	keys   *keyCache
}

// NewVerifier returns a Verifier that gets keys from keys, usually a *link.Client.
func NewVerifier(keys KeyFetcher, opts ...VerifierOption) *Verifier {
	cfg := verifierConfig{
		maxAge:        DefaultMaxAge,
		skew:          DefaultClockSkew,
		now:           time.Now,
		fetchTimeout:  DefaultFetchTimeout,
		keyCacheSize:  DefaultKeyCacheSize,
		missCacheSize: DefaultMissCacheSize,
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return &Verifier{
		maxAge: cfg.maxAge,
		skew:   cfg.skew,
		now:    cfg.now,
		keys:   newKeyCache(keys, cfg),
	}
}

// protectedHeader is the JWT header. Crit is read only to refuse it: Plaid sets no critical
// extensions, and one this code does not implement must fail verification (RFC 7515, 4.1.11).
type protectedHeader struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Crit json.RawMessage `json:"crit"`
}

// claims is the JWT payload of a Plaid webhook. Iat is a float because JWT allows fractional
// NumericDates; a pointer tells a missing iat from zero.
type claims struct {
	Iat               *float64 `json:"iat"`
	RequestBodySHA256 string   `json:"request_body_sha256"`
}

// b64 decodes JWS segments. Strict refuses non-zero trailing bits, so one signature has one
// encoding; isBase64URL has already refused the CR and LF that the decoder would skip.
var b64 = base64.RawURLEncoding.Strict()

// Verify checks header, the value of the Plaid-Verification header, against body, the raw request
// body exactly as received. It returns nil only if the JWT is ES256, signed by an unexpired Plaid
// key, issued within the allowed window, and carries body's SHA-256. Errors wrap exactly one of the
// Err sentinels of this package; if ctx ends while a key is being fetched, that is
// [ErrKeyUnavailable], and the error wraps the context's error too.
//
// The steps follow Plaid's procedure, cheapest refusal first: the header's form, alg and kid are
// checked before any key is fetched, and the signature before any claim is believed.
//
// A nil error does not make header unique to body: a signature's high-S twin verifies too, and is
// accepted because Plaid's signer is not known to normalise S. Callers that must process a
// webhook once de-duplicate by the ids in the body (link_session_id with webhook_code, event_id),
// never by the header string.
func (v *Verifier) Verify(ctx context.Context, header string, body []byte) error {
	if v == nil || v.keys == nil || v.keys.fetcher == nil {
		return ErrNoVerifier
	}
	if header == "" {
		return ErrMissingHeader
	}
	if len(header) > maxHeaderLen {
		return fmt.Errorf("%w: longer than %d bytes", ErrMalformedHeader, maxHeaderLen)
	}
	// The compact JWS is split here rather than by go-jose, whose general parser and verifier cost
	// 126 allocations a call (measured with BenchmarkVerify), three times a webhook's budget of 40;
	// the signature check itself is crypto/ecdsa's. go-jose parses and checks the fetched JWKs.
	hdrLen := strings.IndexByte(header, '.')
	sigDot := strings.LastIndexByte(header, '.')
	if hdrLen <= 0 || sigDot == hdrLen || !isBase64URL(header[:hdrLen]) ||
		!isBase64URL(header[hdrLen+1:sigDot]) || !isBase64URL(header[sigDot+1:]) {
		return fmt.Errorf("%w: not a compact JWS", ErrMalformedHeader)
	}
	raw := []byte(header)
	signingInput, payloadSeg, sigSeg := raw[:sigDot], raw[hdrLen+1:sigDot], raw[sigDot+1:]

	h, err := decodeProtectedHeader(raw[:hdrLen])
	if err != nil {
		return err
	}
	if h.Alg != "ES256" {
		return ErrUnsupportedAlgorithm
	}
	if h.Kid == "" || len(h.Kid) > maxKeyIDLen {
		return ErrInvalidKeyID
	}
	if len(h.Crit) > 0 && string(h.Crit) != "null" {
		return fmt.Errorf("%w: unsupported critical header", ErrMalformedHeader)
	}
	// ES256 signatures are R||S, 32 bytes each (RFC 7518, 3.4); a DER signature has another
	// length and is refused here, before the key is fetched.
	var sig [64]byte
	if b64.DecodedLen(len(sigSeg)) != len(sig) {
		return fmt.Errorf("%w: not a 64-byte R||S value", ErrInvalidSignature)
	}
	if _, err := b64.Decode(sig[:], sigSeg); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidSignature, err)
	}

	key, err := v.keys.get(ctx, h.Kid)
	if err != nil {
		return err
	}
	digest := sha256.Sum256(signingInput)
	// R and S go to crypto/ecdsa as they are; no signature encoding is done by hand.
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(key, digest[:], r, s) {
		return ErrInvalidSignature
	}

	payload := make([]byte, b64.DecodedLen(len(payloadSeg)))
	n, err := b64.Decode(payload, payloadSeg)
	payload = payload[:n]
	if err != nil {
		return fmt.Errorf("%w: claims: %w", ErrMalformedHeader, err)
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return fmt.Errorf("%w: claims: %w", ErrMalformedHeader, err)
	}
	if c.Iat == nil {
		return ErrMissingIssuedAt
	}
	// Iat is compared in float seconds, so that huge or negative values cannot overflow a
	// time.Time or a Duration.
	nowSec := float64(v.now().UnixNano()) / 1e9
	if nowSec-*c.Iat > v.maxAge.Seconds() {
		return ErrTooOld
	}
	if *c.Iat-nowSec > v.skew.Seconds() {
		return ErrIssuedInFuture
	}

	sum := sha256.Sum256(body)
	var want [2 * sha256.Size]byte
	hex.Encode(want[:], sum[:])
	if subtle.ConstantTimeCompare(want[:], []byte(c.RequestBodySHA256)) != 1 {
		return ErrBodyMismatch
	}
	return nil
}

// isBase64URL reports whether s is made only of the unpadded base64url alphabet.
func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// decodeProtectedHeader decodes the first JWS segment.
func decodeProtectedHeader(seg []byte) (protectedHeader, error) {
	var h protectedHeader
	if len(seg) > maxProtectedHeaderLen {
		return h, fmt.Errorf("%w: protected header longer than %d bytes", ErrMalformedHeader, maxProtectedHeaderLen)
	}
	buf := make([]byte, b64.DecodedLen(len(seg)))
	n, err := b64.Decode(buf, seg)
	if err != nil {
		return h, fmt.Errorf("%w: protected header: %w", ErrMalformedHeader, err)
	}
	if err := json.Unmarshal(buf[:n], &h); err != nil {
		return h, fmt.Errorf("%w: protected header: %w", ErrMalformedHeader, err)
	}
	return h, nil
}
