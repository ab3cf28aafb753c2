package webhook

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/time/rate"

	"github.com/plaidlink/plaidlink-go/internal/boundedmap"
	"github.com/plaidlink/plaidlink-go/link"
)

// keyCache maps kids to parsed public keys. Hits take a read lock and nothing else, since every
// webhook needs one; so do remembered refusals and joining a fetch under way, so that a flood
// repeating one junk kid does not contend with valid webhooks. Misses are shared (one fetch per
// kid however many requests wait for it), kids Plaid said do not exist are remembered for missTTL
// (other failures are not: see run and classify), both maps are bounded, new fetches pass a token
// bucket (limiter), at most maxConcurrentFetches calls to the KeyFetcher run at once, at most
// maxQueuedFetches more fetches wait for one of those slots, and no request waits for a fetch
// longer than fetchTimeout.
type keyCache struct {
	fetcher      KeyFetcher
	now          func() time.Time
	fetchTimeout time.Duration
	sem          chan struct{}
	// limiter is read with the cache's clock, and only under mu held for writing.
	limiter *rate.Limiter

	mu          sync.RWMutex
	keys        *boundedmap.Map[string, *cachedKey] // oldest first, for eviction
	misses      *boundedmap.Map[string, *missEntry] // oldest first; all share missTTL, so also soonest to expire
	flights     map[string]*flight
	lastRefresh time.Time
	refreshing  bool

	// background tracks fetch goroutines, so tests can wait for a refresh to end.
	background sync.WaitGroup

	// Test hooks, nil outside tests (so they cost one nil check): onWait runs when a request is
	// about to wait on the fetch of kid, onSlotWait when the fetch of kid has started its wait for
	// a fetch slot and is about to block on it. Tests act at those points through them rather than
	// after a guessed delay. They are set before the cache is used.
	onWait, onSlotWait func(kid string)
}

type cachedKey struct {
	kid     string
	pub     *ecdsa.PublicKey
	expired bool
}

type missEntry struct {
	kid   string
	until time.Time
	err   error
}

// flight is one fetch in progress; done closes once key or err is set.
type flight struct {
	done chan struct{}
	key  *cachedKey
	err  error
}

func newKeyCache(f KeyFetcher, cfg verifierConfig) *keyCache {
	return &keyCache{
		fetcher:      f,
		now:          cfg.now,
		fetchTimeout: cfg.fetchTimeout,
		sem:          make(chan struct{}, maxConcurrentFetches),
		limiter:      rate.NewLimiter(rate.Every(cfg.fetchEvery), cfg.fetchBurst),
		keys:         boundedmap.New[string, *cachedKey](cfg.keyCacheSize),
		misses:       boundedmap.New[string, *missEntry](cfg.missCacheSize),
		flights:      make(map[string]*flight),
	}
}

// errTooManyFetches turns away a new kid while every fetch slot is busy and the queue is full. It
// says nothing about the kid, only about the load, so it is ErrKeyUnavailable and never
// remembered: a genuine webhook turned away during a flood is delivered again by Plaid.
var errTooManyFetches = fmt.Errorf("%w: too many key fetches in flight", ErrKeyUnavailable)

// errFetchTimeout ends a request's wait for a fetch that has not answered within fetchTimeout. The
// fetch goes on, and caches the key if it comes, for Plaid's next delivery.
var errFetchTimeout = fmt.Errorf("%w: no answer from the key fetcher in time: %w", ErrKeyUnavailable, context.DeadlineExceeded)

// get returns the public key for kid, fetching it if needed.
func (c *keyCache) get(ctx context.Context, kid string) (*ecdsa.PublicKey, error) {
	key, _, err := c.getFetched(ctx, kid)
	return key, err
}

// getFetched is get, also reporting whether the request waited for the KeyFetcher: kid was
// neither cached nor remembered as refused, and a fetch started (by this request or, for the same
// kid, by another one still under way). The Handler reports it in [Outcome.KeyFetched].
func (c *keyCache) getFetched(ctx context.Context, kid string) (_ *ecdsa.PublicKey, fetched bool, _ error) {
	c.mu.RLock()
	k, f, refused := c.lookup(kid)
	c.mu.RUnlock()
	if k == nil && refused == nil && f == nil {
		// Only a change (a new flight, an expired refusal) takes the exclusive lock; the state is
		// looked up again because another request may have made that change meanwhile.
		c.mu.Lock()
		k, f, refused = c.lookup(kid)
		if k == nil && refused == nil && f == nil {
			f, refused = c.startFlight(ctx, kid)
		}
		c.mu.Unlock()
	}
	switch {
	case k != nil:
		key, err := k.use()
		return key, false, err
	case refused != nil:
		return nil, false, refused
	}
	if c.onWait != nil {
		c.onWait(kid)
	}

	// The wait is bounded here, and not only by the fetch's own deadline, so that a KeyFetcher that
	// ignores its context, or a fetch queued behind busy slots, cannot hold an answer past the time
	// Plaid waits for one.
	wait := time.NewTimer(c.fetchTimeout)
	defer wait.Stop()
	select {
	case <-f.done:
		if f.err != nil {
			return nil, true, f.err
		}
		key, err := f.key.use()
		return key, true, err
	case <-wait.C:
		return nil, true, errFetchTimeout
	case <-ctx.Done():
		// The fetch goes on for the others waiting on it; this request ended before it answered,
		// which says nothing about the kid.
		return nil, true, fmt.Errorf("%w: waiting for the key: %w", ErrKeyUnavailable, ctx.Err())
	}
}

// lookup returns what the cache already knows about kid: its key, the fetch under way, or its
// refusal if still remembered; all nil if a fetch must start. Callers hold c.mu, read or
// write.
func (c *keyCache) lookup(kid string) (*cachedKey, *flight, error) {
	if k, ok := c.keys.Get(kid); ok {
		return k, nil, nil
	}
	if m, ok := c.misses.Get(kid); ok {
		if c.now().Before(m.until) {
			return nil, nil, m.err
		}
	}
	return nil, c.flights[kid], nil
}

// startFlight starts a fetch of kid, or returns errTooManyFetches when maxConcurrentFetches
// fetches run and maxQueuedFetches more wait (each waiting fetch holds a goroutine and the
// requests waiting on it, so a flood of random kids must not queue without bound), or
// ErrKeyRateLimited when the token bucket is empty. Callers hold c.mu for writing.
func (c *keyCache) startFlight(ctx context.Context, kid string) (*flight, error) {
	if len(c.flights) >= maxConcurrentFetches+maxQueuedFetches {
		return nil, errTooManyFetches
	}
	now := c.now()
	if !c.limiter.AllowN(now, 1) {
		return nil, ErrKeyRateLimited
	}
	c.misses.Delete(kid) // lookup found it expired, if there
	f := &flight{done: make(chan struct{})}
	c.flights[kid] = f
	// A kid never seen may mean Plaid rotated keys, so the keys still believed valid are
	// re-fetched to learn whether they now carry expired_at; at most once per refreshInterval, and
	// each through the token bucket, so that a flood of new kids cannot turn into refreshes either.
	// A key left out keeps being trusted, as after a failed refresh.
	var stale []string
	if !c.refreshing && c.keys.Len() > 0 && now.Sub(c.lastRefresh) >= refreshInterval {
		c.lastRefresh = now
		for _, k := range c.keys.All() {
			if !k.expired && c.limiter.AllowN(now, 1) {
				stale = append(stale, k.kid)
			}
		}
		c.refreshing = len(stale) > 0
	}
	c.background.Add(1)
	go c.run(ctx, kid, f, stale)
	return f, nil
}

// use returns the key unless Plaid has expired it.
func (k *cachedKey) use() (*ecdsa.PublicKey, error) {
	if k.expired {
		return nil, ErrKeyExpired
	}
	return k.pub, nil
}

// run fetches kid for flight f, publishes the result, and then refreshes the stale kids. It runs
// apart from any request, with its own deadline, so that one caller giving up does not fail the
// others waiting on the same flight.
func (c *keyCache) run(ctx context.Context, kid string, f *flight, stale []string) {
	defer c.background.Done()
	base := context.WithoutCancel(ctx)

	key, err := c.fetch(base, kid)
	c.mu.Lock()
	if err == nil {
		c.storeKey(key)
		f.key = key
	} else {
		// The failure is classified here, where it is published, so that every request waiting on
		// the flight gets the same answer and the error wraps exactly one sentinel. Only an answer
		// about the kid (ErrUnknownKey, or ErrInvalidKey, which parseJWK already wraps) is
		// remembered; the next webhook with this kid fetches again after any other failure.
		sentinel := classify(err)
		if sentinel != ErrInvalidKey {
			err = fmt.Errorf("%w: %w", sentinel, err)
		}
		if sentinel == ErrUnknownKey || sentinel == ErrInvalidKey {
			c.storeMiss(kid, err)
		}
		f.err = err
	}
	delete(c.flights, kid)
	close(f.done)
	c.mu.Unlock()

	if stale == nil {
		return
	}
	for _, s := range stale {
		k, err := c.fetch(base, s)
		if err != nil {
			// Keep the key: a failed refresh is no evidence it expired.
			continue
		}
		c.mu.Lock()
		if _, ok := c.keys.Get(s); ok {
			c.storeKey(k)
		}
		c.mu.Unlock()
	}
	c.mu.Lock()
	c.refreshing = false
	c.mu.Unlock()
}

// fetch calls the KeyFetcher for kid under the concurrency limit, and turns the JWK into a public
// key. Waiting for a slot and the call each get up to fetchTimeout, and the call's timeout starts
// only once a slot is held: if it started before, fetches of junk kids holding every slot would eat
// the genuine kid's time, and its call would be cut short. Its errors carry no sentinel but
// ErrInvalidKey: run adds ErrUnknownKey or ErrKeyUnavailable when it publishes them.
func (c *keyCache) fetch(ctx context.Context, kid string) (*cachedKey, error) {
	wait := time.NewTimer(c.fetchTimeout)
	if c.onSlotWait != nil {
		c.onSlotWait(kid)
	}
	select {
	case c.sem <- struct{}{}:
		wait.Stop()
	case <-wait.C:
		return nil, fmt.Errorf("no fetch slot free within %v: %w", c.fetchTimeout, context.DeadlineExceeded)
	}
	defer func() { <-c.sem }()
	ctx, cancel := context.WithTimeout(ctx, c.fetchTimeout)
	defer cancel()

	resp, err := c.call(ctx, kid)
	if err != nil {
		return nil, err
	}
	if resp == nil {
		return nil, errors.New("key fetcher returned no response")
	}
	return parseJWK(kid, resp.Key)
}

// classify returns the sentinel a failed fetch is published with:
//
//   - ErrUnknownKey for Plaid's answer that the kid does not exist: HTTP 400 with error_code
//     INVALID_WEBHOOK_VERIFICATION_KEY_ID (error_type INVALID_INPUT). Plaid's API reference does
//     not list the errors of /webhook_verification_key/get; that answer is the one Plaid's own
//     client libraries assert in their integration tests for a key_id it never issued. A
//     *link.Error without a status (built by hand, as fakes do) counts too. With it, ErrInvalidKey
//     for a key that is not a valid EC P-256 signing key: the only answers about the kid, and the
//     only ones remembered.
//   - ErrKeyFetchMisconfigured for Plaid refusing this server's own request: INVALID_API_KEYS
//     (a wrong secret), INVALID_CONFIGURATION, UNAUTHORIZED_ENVIRONMENT, any 401 or 403, or any
//     other INVALID_REQUEST or INVALID_INPUT error with a 4xx status. Remembering those as refused
//     kids would make Plaid's real key look forged; the Handler answers 500 instead of 401.
//   - ErrKeyUnavailable for the rest: timeouts, cancellations, transport errors, 408, 429, 5xx
//     (whatever code the body names), and replies that are not Plaid errors at all (a proxy's
//     page). An attacker able to slow or overload the path to Plaid could otherwise make Plaid's
//     real key be remembered as refused. They are not backed off per kid either: that would not
//     slow a flood (it varies the kid), only the genuine kid; the token bucket, fetch slots and
//     queue bound the calls to Plaid.
func classify(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return ErrKeyUnavailable
	}
	if errors.Is(err, ErrInvalidKey) {
		return ErrInvalidKey
	}
	var le *link.Error
	if !errors.As(err, &le) {
		return ErrKeyUnavailable
	}
	st := le.HTTPStatus
	if st == http.StatusRequestTimeout || st == http.StatusTooManyRequests || st >= 500 {
		return ErrKeyUnavailable
	}
	switch le.ErrorCode {
	case link.ErrorCodeInvalidWebhookVerificationKeyID:
		if st == http.StatusBadRequest || st == 0 {
			return ErrUnknownKey
		}
	case link.ErrorCodeInvalidAPIKeys, link.ErrorCodeInvalidConfiguration, link.ErrorCodeUnauthorizedEnvironment:
		return ErrKeyFetchMisconfigured
	}
	if st == http.StatusUnauthorized || st == http.StatusForbidden ||
		(st >= 400 && (le.ErrorType == link.ErrorTypeInvalidRequest || le.ErrorType == link.ErrorTypeInvalidInput)) {
		return ErrKeyFetchMisconfigured
	}
	return ErrKeyUnavailable
}

// call is the KeyFetcher call with a recovered panic turned into an error: it runs on a goroutine
// of its own, where a panic would end the whole process, not just one request.
func (c *keyCache) call(ctx context.Context, kid string) (resp *link.WebhookVerificationKeyGetResponse, err error) {
	defer func() {
		if r := recover(); r != nil {
			resp, err = nil, fmt.Errorf("key fetcher panicked: %v", r)
		}
	}()
	return c.fetcher.GetWebhookVerificationKey(ctx, &link.WebhookVerificationKeyGetRequest{KeyID: kid})
}

// parseJWK checks that jwk is Plaid's kind of key (EC P-256, for kid) and parses it once, so that
// each verification uses a ready *ecdsa.PublicKey.
func parseJWK(kid string, jwk link.JWKPublicKey) (*cachedKey, error) {
	if jwk.Kid != kid {
		return nil, fmt.Errorf("%w: key is for another kid", ErrInvalidKey)
	}
	if jwk.Kty != "EC" || jwk.Crv != "P-256" {
		return nil, fmt.Errorf("%w: kty %q crv %q", ErrInvalidKey, jwk.Kty, jwk.Crv)
	}
	if (jwk.Alg != "" && jwk.Alg != string(jose.ES256)) || (jwk.Use != "" && jwk.Use != "sig") {
		return nil, fmt.Errorf("%w: alg %q use %q", ErrInvalidKey, jwk.Alg, jwk.Use)
	}
	raw, err := json.Marshal(struct {
		Kty string `json:"kty"`
		Crv string `json:"crv"`
		X   string `json:"x"`
		Y   string `json:"y"`
	}{jwk.Kty, jwk.Crv, jwk.X, jwk.Y})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidKey, err)
	}
	// go-jose checks the coordinates' length and that the point is on the curve.
	var jk jose.JSONWebKey
	if err := jk.UnmarshalJSON(raw); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidKey, err)
	}
	pub, ok := jk.Key.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return nil, fmt.Errorf("%w: not an EC P-256 public key", ErrInvalidKey)
	}
	return &cachedKey{kid: kid, pub: pub, expired: jwk.ExpiredAt != nil}, nil
}

// storeKey caches k, replacing an older entry for its kid or dropping the oldest key if full.
// Callers hold c.mu.
func (c *keyCache) storeKey(k *cachedKey) {
	c.keys.Put(k.kid, k)
}

// storeMiss remembers that Plaid refused kid, dropping the oldest refusal if full. Callers hold
// c.mu.
func (c *keyCache) storeMiss(kid string, err error) {
	m := &missEntry{kid: kid, until: c.now().Add(missTTL), err: err}
	c.misses.Delete(kid) // a refusal remembered again goes last, as the newest
	c.misses.Put(kid, m)
}
