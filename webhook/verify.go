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
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
)

// Verification failures. Each kind has its own sentinel so that a handler can log why a webhook was
// refused with errors.Is; the errors [Verifier.Verify] returns wrap exactly one of them. [NewHandler]
// says where the status each gets is listed.
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
	// remembered, so the next webhook with that kid fetches again, and the webhook is asked for
	// again rather than lost to a passing outage.
	ErrKeyUnavailable = errors.New("webhook: verification key unavailable now")
	// ErrKeyRateLimited means the kid is not cached and fetching it now would exceed the key-fetch
	// rate limit ([WithKeyFetchLimit]). It is answered at once and never remembered, so Plaid's
	// redelivery is verified once the limit has refilled.
	ErrKeyRateLimited = errors.New("webhook: key fetch rate limit reached")
	// ErrKeyFetchMisconfigured means Plaid refused the request for the key because of this
	// server's own credentials or configuration, not because of the kid: INVALID_API_KEYS,
	// INVALID_CONFIGURATION, any 401 or 403, or another INVALID_REQUEST or INVALID_INPUT reply about
	// the request. It is never remembered: the webhook may well be genuine, and Plaid's
	// redelivery is verified once the server is fixed.
	ErrKeyFetchMisconfigured = errors.New("webhook: key endpoint refused this server's credentials or configuration")
	// ErrUnknownKey means Plaid answered that the kid does not exist (HTTP 400,
	// INVALID_WEBHOOK_VERIFICATION_KEY_ID). The answer is remembered for a minute, as is a key
	// refused with [ErrInvalidKey], so repeating the kid costs no fetch. A genuine webhook gets it
	// too when the Verifier's client asks another environment than the one that sent the webhook
	// (Sandbox keys for Production webhooks): one client per environment.
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
	ErrKeyUnavailable, ErrKeyRateLimited, ErrKeyFetchMisconfigured, ErrUnknownKey, ErrKeyExpired, ErrInvalidKey, ErrInvalidSignature, ErrMissingIssuedAt, ErrTooOld,
	ErrIssuedInFuture, ErrBodyMismatch, ErrInvalidPayload,
}

// reasonOf returns the sentinel err wraps, so that logs name the reason without the details
// (which could carry header fragments).
func reasonOf(err error) error {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return s
		}
	}
	return errVerificationFailed
}

// errVerificationFailed is the reason for an error that wraps no sentinel, which Verify never
// returns; it is one value, so that observers can still compare reasons with ==.
var errVerificationFailed = errors.New("webhook: verification failed")

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
	// DefaultFetchTimeout bounds how long a verification waits for a key that is not cached, so
	// that with Plaid's key endpoint hung the Handler still answers (503) well within the 10 s
	// Plaid waits for an answer. It also bounds each call to the KeyFetcher, from the moment the
	// call has one of the fetch slots, and the wait for a slot; a fetch that outlives the requests
	// waiting for it still caches its key for the next delivery.
	DefaultFetchTimeout = 3 * time.Second
	// DefaultKeyFetchBurst is how many kids not in the cache may be fetched at once before the
	// key-fetch rate limit applies (see [WithKeyFetchLimit]).
	DefaultKeyFetchBurst = 5
	// DefaultKeyFetchInterval is how often the key-fetch rate limit lets one more fetch through:
	// four a minute. Plaid rotates keys rarely; a flood of made-up kids must not spend the
	// account's Plaid rate limit.
	DefaultKeyFetchInterval = 15 * time.Second
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
//
// Options follow one rule: a value an option cannot use is never silently replaced by the default.
// [NewVerifier] returns no error, so it panics with a message naming the option and the value,
// such as "webhook: NewVerifier: WithMaxAge(0s): the age must be positive". A nil VerifierOption
// panics too.
type VerifierOption func(*verifierConfig)

type verifierConfig struct {
	maxAge        time.Duration
	skew          time.Duration
	now           func() time.Time
	fetchTimeout  time.Duration
	keyCacheSize  int
	missCacheSize int
	fetchEvery    time.Duration
	fetchBurst    int
	// bad is the first option given a value it cannot use; NewVerifier panics with it.
	bad string
}

// refuse records that an option was given a value it cannot use; the first one wins.
func (c *verifierConfig) refuse(format string, args ...any) {
	if c.bad == "" {
		c.bad = fmt.Sprintf(format, args...)
	}
}

// WithMaxAge sets how old a webhook's iat may be (default [DefaultMaxAge]). A d of zero or less,
// a window that would refuse every webhook, makes NewVerifier panic (see [VerifierOption]).
func WithMaxAge(d time.Duration) VerifierOption {
	return func(c *verifierConfig) {
		if d <= 0 {
			c.refuse("WithMaxAge(%v): the age must be positive", d)
			return
		}
		c.maxAge = d
	}
}

// WithClockSkew sets how far in the future a webhook's iat may be (default [DefaultClockSkew]);
// 0 allows none. A negative d makes NewVerifier panic (see [VerifierOption]).
func WithClockSkew(d time.Duration) VerifierOption {
	return func(c *verifierConfig) {
		if d < 0 {
			c.refuse("WithClockSkew(%v): the skew must not be negative", d)
			return
		}
		c.skew = d
	}
}

// WithClock replaces time.Now for the iat checks and the key cache's timers, so tests can move
// time. A nil now makes NewVerifier panic (see [VerifierOption]).
func WithClock(now func() time.Time) VerifierOption {
	return func(c *verifierConfig) {
		if now == nil {
			c.refuse("WithClock(nil): the clock must not be nil")
			return
		}
		c.now = now
	}
}

// WithFetchTimeout bounds how long a verification waits for a key that is not cached (default
// [DefaultFetchTimeout]), and each call to the KeyFetcher from the moment it has a fetch slot; the
// wait for a slot is bounded by as long again. A d of zero or less makes NewVerifier panic (see
// [VerifierOption]).
func WithFetchTimeout(d time.Duration) VerifierOption {
	return func(c *verifierConfig) {
		if d <= 0 {
			c.refuse("WithFetchTimeout(%v): the timeout must be positive", d)
			return
		}
		c.fetchTimeout = d
	}
}

// WithCacheSize bounds the number of cached keys and of remembered refused kids (defaults
// [DefaultKeyCacheSize] and [DefaultMissCacheSize]); the oldest entries are dropped first. A
// size of zero or less makes NewVerifier panic (see [VerifierOption]).
func WithCacheSize(keys, misses int) VerifierOption {
	return func(c *verifierConfig) {
		if keys <= 0 || misses <= 0 {
			c.refuse("WithCacheSize(%d, %d): both sizes must be positive", keys, misses)
			return
		}
		c.keyCacheSize, c.missCacheSize = keys, misses
	}
}

// WithKeyFetchLimit sets the token bucket that fetches of kids not in the cache pass: up to burst
// fetches at once, refilled by one every interval (defaults [DefaultKeyFetchBurst] and
// [DefaultKeyFetchInterval]). Past it, a new kid gets [ErrKeyRateLimited] at once, so a flood of
// made-up kids costs at most burst calls to Plaid plus one per interval. Cached kids and kids
// Plaid has just refused never wait for it; the refresh of cached keys when a new kid appears
// takes from the same bucket. An interval or a burst of zero or less makes NewVerifier panic
// (see [VerifierOption]).
func WithKeyFetchLimit(interval time.Duration, burst int) VerifierOption {
	return func(c *verifierConfig) {
		if interval <= 0 || burst <= 0 {
			c.refuse("WithKeyFetchLimit(%v, %d): the interval and the burst must be positive", interval, burst)
			return
		}
		c.fetchEvery, c.fetchBurst = interval, burst
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

// NewVerifier returns a Verifier that gets keys from keys, usually a *link.Client. It panics,
// naming the option and the value, if an option is given a value it cannot use (see
// [VerifierOption]).
func NewVerifier(keys KeyFetcher, opts ...VerifierOption) *Verifier {
	cfg := verifierConfig{
		maxAge:        DefaultMaxAge,
		skew:          DefaultClockSkew,
		now:           time.Now,
		fetchTimeout:  DefaultFetchTimeout,
		keyCacheSize:  DefaultKeyCacheSize,
		missCacheSize: DefaultMissCacheSize,
		fetchEvery:    DefaultKeyFetchInterval,
		fetchBurst:    DefaultKeyFetchBurst,
	}
	for i, o := range opts {
		if o == nil {
			cfg.refuse("option %d of %d is nil", i+1, len(opts))
			continue
		}
		o(&cfg)
	}
	if cfg.bad != "" {
		panic("webhook: NewVerifier: " + cfg.bad)
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

// Claims is what an authentic Plaid-Verification header says, as [Verifier.VerifyHeader] returns
// it: the key that signed it, when, and the SHA-256 of the body it was signed for. Only
// [Claims.VerifyBody] tells whether a body is that body.
type Claims struct {
	// KeyID is the kid of the Plaid key that signed the header.
	KeyID string
	// IssuedAt is the JWT's iat, already checked to be within the allowed window.
	IssuedAt time.Time
	// bodySHA256 is request_body_sha256 as sent: lowercase hex, compared in constant time.
	bodySHA256 string
	// keyFetched records that verifying the header waited for the KeyFetcher, for
	// [Outcome.KeyFetched]; set even if verification then failed.
	keyFetched bool
}

// Verify checks header, the value of the Plaid-Verification header, against body, the raw request
// body exactly as received. It returns nil only if the JWT is ES256, signed by an unexpired Plaid
// key, issued within the allowed window, and carries body's SHA-256. Errors wrap exactly one of the
// Err sentinels of this package; if ctx ends while a key is being fetched, that is
// [ErrKeyUnavailable], and the error wraps the context's error too.
//
// Verify is [Verifier.VerifyHeader] followed by [Claims.VerifyBody]. Servers that have not read the
// body yet call those two instead, so that a forged header costs no body read at all ([NewHandler]
// does).
//
// A nil error does not make header unique to body: a signature's high-S twin verifies too, and is
// accepted because Plaid's signer is not known to normalise S. Callers that must process a
// webhook once de-duplicate by the ids in the body (link_session_id with webhook_code, event_id),
// never by the header string.
func (v *Verifier) Verify(ctx context.Context, header string, body []byte) error {
	var c Claims
	if err := v.verifyHeader(ctx, header, &c); err != nil {
		return err
	}
	return c.VerifyBody(body)
}

// VerifyHeader checks header, the value of the Plaid-Verification header, completely but for the
// body: the JWT's form, that its alg is ES256, its kid, the key (fetched and cached by kid), the
// signature, and that iat is within the allowed window. It returns the claims only if all of that
// holds; the caller then reads the body and checks it with [Claims.VerifyBody] before believing any
// of it. Errors wrap exactly one of the Err sentinels of this package, as [Verifier.Verify]'s do.
//
// The steps follow Plaid's procedure, cheapest refusal first: the header's form, alg and kid are
// checked before any key is fetched, and the signature before any claim is believed.
func (v *Verifier) VerifyHeader(ctx context.Context, header string) (*Claims, error) {
	c := new(Claims)
	if err := v.verifyHeader(ctx, header, c); err != nil {
		return nil, err
	}
	return c, nil
}

// VerifyBody checks that body, the raw request body exactly as received, is the one the header
// was signed for: its SHA-256 must equal the JWT's request_body_sha256, compared in constant time.
// It returns nil or an error wrapping [ErrBodyMismatch].
func (c *Claims) VerifyBody(body []byte) error {
	return c.verifySum(sha256.Sum256(body))
}

// verifySum is VerifyBody for a body already hashed, as the Handler hashes it while reading.
func (c *Claims) verifySum(sum [sha256.Size]byte) error {
	if c == nil {
		return ErrBodyMismatch
	}
	var got [2 * sha256.Size]byte
	hex.Encode(got[:], sum[:])
	if subtle.ConstantTimeCompare(got[:], []byte(c.bodySHA256)) != 1 {
		return ErrBodyMismatch
	}
	return nil
}

// verifyHeader is VerifyHeader, filling c. c.KeyID is set as soon as the header names a kid of an
// acceptable form, even if verification then fails, so that the Handler can report which kid a
// refused webhook named.
func (v *Verifier) verifyHeader(ctx context.Context, header string, c *Claims) error {
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
	c.KeyID = h.Kid
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

	key, fetched, err := v.keys.getFetched(ctx, h.Kid)
	c.keyFetched = fetched
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
	var cl claims
	if err := json.Unmarshal(payload, &cl); err != nil {
		return fmt.Errorf("%w: claims: %w", ErrMalformedHeader, err)
	}
	if cl.Iat == nil {
		return ErrMissingIssuedAt
	}
	// Iat is compared in float seconds, so that huge or negative values cannot overflow a
	// time.Time or a Duration.
	nowSec := float64(v.now().UnixNano()) / 1e9
	if nowSec-*cl.Iat > v.maxAge.Seconds() {
		return ErrTooOld
	}
	if *cl.Iat-nowSec > v.skew.Seconds() {
		return ErrIssuedInFuture
	}
	// Within the window, iat is a few minutes from now, so the conversion cannot overflow.
	sec := math.Floor(*cl.Iat)
	c.IssuedAt = time.Unix(int64(sec), int64((*cl.Iat-sec)*1e9))
	c.bodySHA256 = cl.RequestBodySHA256
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
