package webhook

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/internal/webhooksign"
	"github.com/plaidlink/plaidlink-go/link"
)

// requireOnly fails unless err wraps want and not the other of ErrUnknownKey and
// ErrKeyUnavailable: the Handler answers 401 to one and 503 to the other, so an error must not be
// both.
func requireOnly(t *testing.T, err, want error) {
	t.Helper()
	require.ErrorIs(t, err, want)
	other := ErrUnknownKey
	if want == ErrUnknownKey {
		other = ErrKeyUnavailable
	}
	require.NotErrorIs(t, err, other)
}

// noFetchLimit lifts the key-fetch rate limit, for tests of the cache's other bounds.
var noFetchLimit = WithKeyFetchLimit(time.Nanosecond, 1<<20)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// slowFetcher holds every fetch until release is closed, so that many requests pile up on one miss.
type slowFetcher struct {
	signer  *webhooksign.Signer
	started chan struct{}
	release chan struct{}
	calls   atomic.Int32
}

func (f *slowFetcher) GetWebhookVerificationKey(ctx context.Context, req *link.WebhookVerificationKeyGetRequest, _ ...link.Option) (*link.WebhookVerificationKeyGetResponse, error) {
	if f.calls.Add(1) == 1 {
		close(f.started)
	}
	<-f.release
	return f.signer.GetWebhookVerificationKey(ctx, req)
}

func TestConcurrentMissesShareOneFetch(t *testing.T) {
	signer := webhooksign.New()
	f := &slowFetcher{signer: signer, started: make(chan struct{}), release: make(chan struct{})}
	// The fetch timeout outlasts the test, so that no request stops waiting before the release.
	v := NewVerifier(f, WithFetchTimeout(time.Minute))
	const n = 64
	waiting := make(chan struct{}, n)
	v.keys.onWait = func(string) { waiting <- struct{}{} }
	body := []byte(`{"webhook_type":"LINK","webhook_code":"EVENTS","events":[]}`)
	header := signer.Sign(body)

	var done sync.WaitGroup
	errs := make([]error, n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			errs[i] = v.Verify(context.Background(), header, body)
		}()
	}
	// Every request waits on a fetch before the fetch answers: none can have found the key cached.
	<-f.started
	for i := range n {
		select {
		case <-waiting:
		case <-time.After(30 * time.Second):
			t.Fatalf("only %d of %d requests reached the cache", i, n)
		}
	}
	v.keys.mu.RLock()
	flights := len(v.keys.flights)
	v.keys.mu.RUnlock()
	require.Equal(t, 1, flights, "all requests wait on one fetch")
	close(f.release)
	done.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), f.calls.Load())
	assert.Equal(t, 1, signer.Fetches())
	assert.Empty(t, v.keys.flights)
}

func TestUnknownKidsAreRememberedForAMinute(t *testing.T) {
	signer := webhooksign.New()
	clock := &fakeClock{now: time.Unix(1716250693, 0)}
	v := NewVerifier(signer, WithClock(clock.Now), noFetchLimit)
	ctx := context.Background()

	const n = 1000
	var wg sync.WaitGroup
	// At most as many callers as the cache lets fetch or queue at once, so that none is turned
	// away with errTooManyFetches (which is not remembered).
	callers := make(chan struct{}, maxConcurrentFetches+maxQueuedFetches)
	for round := range 2 {
		for i := range n {
			wg.Add(1)
			callers <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-callers }()
				_, err := v.keys.get(ctx, fmt.Sprintf("random-kid-%d", i))
				assert.ErrorIs(t, err, ErrUnknownKey)
			}()
		}
		wg.Wait()
		v.keys.background.Wait()
		assert.Equal(t, n, signer.Fetches(), "round %d", round)
	}

	clock.Add(59 * time.Second)
	_, err := v.keys.get(ctx, "random-kid-7")
	require.ErrorIs(t, err, ErrUnknownKey)
	assert.Equal(t, n, signer.Fetches(), "still remembered after 59s")

	clock.Add(2 * time.Second)
	_, err = v.keys.get(ctx, "random-kid-7")
	require.ErrorIs(t, err, ErrUnknownKey)
	assert.Equal(t, n+1, signer.Fetches(), "asked again after a minute")
}

func TestCacheSizeBounds(t *testing.T) {
	signer := webhooksign.New()
	v := NewVerifier(signer, WithCacheSize(2, 3), noFetchLimit)
	ctx := context.Background()
	for i := range 10 {
		_, err := v.keys.get(ctx, fmt.Sprintf("kid-%d", i))
		require.ErrorIs(t, err, ErrUnknownKey)
	}
	v.keys.background.Wait()
	assert.Equal(t, 3, v.keys.misses.Len())
	_, ok := v.keys.misses.Get("kid-9")
	assert.True(t, ok, "the newest refusals are kept")
	_, ok = v.keys.misses.Get("kid-0")
	assert.False(t, ok, "the oldest are dropped")

	// The positive side: three servers' keys through one fetcher, room for two.
	signers := []*webhooksign.Signer{webhooksign.New(), webhooksign.New(), webhooksign.New()}
	multi := multiFetcher(signers)
	v = NewVerifier(multi, WithCacheSize(2, 3))
	for _, s := range signers {
		body := []byte(`{}`)
		require.NoError(t, v.Verify(ctx, s.Sign(body), body))
	}
	v.keys.background.Wait()
	assert.Equal(t, 2, v.keys.keys.Len())
	_, ok = v.keys.keys.Get(signers[0].KeyID())
	assert.False(t, ok)
	_, ok = v.keys.keys.Get(signers[2].KeyID())
	assert.True(t, ok)
}

// multiFetcher serves the keys of several Signers.
type multiFetcher []*webhooksign.Signer

func (m multiFetcher) GetWebhookVerificationKey(ctx context.Context, req *link.WebhookVerificationKeyGetRequest, _ ...link.Option) (*link.WebhookVerificationKeyGetResponse, error) {
	for _, s := range m {
		if s.KeyID() == req.KeyID {
			return s.GetWebhookVerificationKey(ctx, req)
		}
	}
	return m[0].GetWebhookVerificationKey(ctx, req)
}

func TestRefreshOnUnknownKidAtMostOnceAMinute(t *testing.T) {
	signer := webhooksign.New()
	clock := &fakeClock{now: time.Unix(1716250693, 0)}
	v := NewVerifier(signer, WithClock(clock.Now))
	ctx := context.Background()
	body := []byte(`{"webhook_type":"LINK","webhook_code":"SESSION_FINISHED"}`)
	verify := func() error { return v.Verify(ctx, signer.SignAt(body, clock.Now()), body) }

	require.NoError(t, verify())
	assert.Equal(t, 1, signer.Fetches())

	unknown := func(kid string) {
		t.Helper()
		_, err := v.keys.get(ctx, kid)
		require.ErrorIs(t, err, ErrUnknownKey)
		v.keys.background.Wait()
	}

	// Plaid expires the key; the cached copy still says it is valid.
	signer.Expire()
	require.NoError(t, verify())

	// A new kid refreshes the cached unexpired key: one fetch for the kid, one for the refresh.
	unknown("new-1")
	assert.Equal(t, 3, signer.Fetches())
	require.ErrorIs(t, verify(), ErrKeyExpired, "the refresh learned expired_at")

	// Expired keys are not refreshed, and within the minute nothing is.
	clock.Add(30 * time.Second)
	unknown("new-2")
	assert.Equal(t, 4, signer.Fetches())
}

func TestRefreshRateWithValidKey(t *testing.T) {
	signer := webhooksign.New()
	clock := &fakeClock{now: time.Unix(1716250693, 0)}
	v := NewVerifier(signer, WithClock(clock.Now))
	ctx := context.Background()
	body := []byte(`{}`)
	require.NoError(t, v.Verify(ctx, signer.SignAt(body, clock.Now()), body))
	require.Equal(t, 1, signer.Fetches())

	steps := []struct {
		advance time.Duration
		fetches int // after one new unknown kid
	}{
		{0, 3},                 // kid + refresh
		{10 * time.Second, 4},  // kid only
		{49 * time.Second, 5},  // 59s since the refresh: kid only
		{time.Second, 7},       // 60s: kid + refresh
		{30 * time.Second, 8},  // kid only
		{31 * time.Second, 10}, // kid + refresh
	}
	for i, s := range steps {
		clock.Add(s.advance)
		_, err := v.keys.get(ctx, fmt.Sprintf("unknown-%d", i))
		require.ErrorIs(t, err, ErrUnknownKey)
		v.keys.background.Wait()
		assert.Equal(t, s.fetches, signer.Fetches(), "step %d", i)
	}
	require.NoError(t, v.Verify(ctx, signer.SignAt(body, clock.Now()), body), "a valid key stays valid")
}

func TestRefreshKeepsKeyWhenFetchFails(t *testing.T) {
	signer := webhooksign.New()
	var fail atomic.Bool
	f := fetcherFunc(func(ctx context.Context, req *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
		if fail.Load() {
			return nil, context.DeadlineExceeded
		}
		return signer.GetWebhookVerificationKey(ctx, req)
	})
	v := NewVerifier(f)
	ctx := context.Background()
	body := []byte(`{}`)
	require.NoError(t, v.Verify(ctx, signer.Sign(body), body))
	fail.Store(true)
	_, err := v.keys.get(ctx, "other")
	requireOnly(t, err, ErrKeyUnavailable)
	v.keys.background.Wait()
	require.NoError(t, v.Verify(ctx, signer.Sign(body), body))
}

// fetcherFunc adapts a function to KeyFetcher.
type fetcherFunc func(context.Context, *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error)

func (f fetcherFunc) GetWebhookVerificationKey(ctx context.Context, req *link.WebhookVerificationKeyGetRequest, _ ...link.Option) (*link.WebhookVerificationKeyGetResponse, error) {
	return f(ctx, req)
}

func TestConcurrentFetchesAreBounded(t *testing.T) {
	var inFlight, peak, calls atomic.Int32
	release := make(chan struct{})
	f := fetcherFunc(func(context.Context, *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
		calls.Add(1)
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		// Every call is held until the test has seen the slots full, so that the calls overlap
		// whatever the machine's speed.
		<-release
		inFlight.Add(-1)
		return nil, context.Canceled
	})
	// The fetch timeout outlasts the test, so that queued fetches wait for a slot.
	v := NewVerifier(f, noFetchLimit, WithFetchTimeout(time.Minute))
	const requests = maxConcurrentFetches + maxQueuedFetches
	queued := make(chan struct{}, requests)
	v.keys.onSlotWait = func(string) { queued <- struct{}{} }
	var wg sync.WaitGroup
	for i := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := v.keys.get(context.Background(), fmt.Sprintf("k%d", i))
			assert.ErrorIs(t, err, ErrKeyUnavailable)
			assert.NotErrorIs(t, err, ErrUnknownKey)
		}()
	}
	// Every fetch has asked for a slot and the slots are full: the rest wait for one.
	for i := range requests {
		select {
		case <-queued:
		case <-time.After(30 * time.Second):
			t.Fatalf("only %d of %d fetches asked for a slot", i, requests)
		}
	}
	require.Eventually(t, func() bool { return calls.Load() >= maxConcurrentFetches }, 30*time.Second, time.Millisecond)
	assert.Equal(t, int32(maxConcurrentFetches), calls.Load(), "the other fetches wait for a slot")
	close(release)
	wg.Wait()
	v.keys.background.Wait()
	assert.Equal(t, int32(maxConcurrentFetches), peak.Load())
	assert.Equal(t, int32(requests), calls.Load())
}

// scripted answers each fetch with the next of errs, then with the Signer's key.
type scripted struct {
	signer *webhooksign.Signer
	mu     sync.Mutex
	errs   []error
	calls  int
}

func (s *scripted) GetWebhookVerificationKey(ctx context.Context, req *link.WebhookVerificationKeyGetRequest, _ ...link.Option) (*link.WebhookVerificationKeyGetResponse, error) {
	s.mu.Lock()
	s.calls++
	var err error
	if len(s.errs) > 0 {
		err, s.errs = s.errs[0], s.errs[1:]
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return s.signer.GetWebhookVerificationKey(ctx, req)
}

func (s *scripted) fetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func TestTransientFetchFailuresAreNotRemembered(t *testing.T) {
	transient := []struct {
		name string
		err  error
	}{
		{"503", &link.Error{ErrorType: link.ErrorTypeAPIError, ErrorCode: "INTERNAL_SERVER_ERROR", HTTPStatus: 503}},
		{"429", &link.Error{ErrorType: link.ErrorTypeRateLimitExceeded, ErrorCode: "RATE_LIMIT", HTTPStatus: 429}},
		{"INVALID_REQUEST with 500", &link.Error{ErrorType: link.ErrorTypeInvalidRequest, ErrorCode: "UNKNOWN_FIELDS", HTTPStatus: 500}},
		{"a proxy's 400 page", &link.Error{HTTPStatus: 400, RawBody: "<html>Bad Request</html>"}},
		{"timeout", fmt.Errorf("plaid: %w", context.DeadlineExceeded)},
		{"canceled", context.Canceled},
		{"transport", &url.Error{Op: "Post", URL: "https://production.plaid.com/webhook_verification_key/get", Err: errors.New("connection reset by peer")}},
	}
	body := []byte(`{"webhook_type":"LINK","webhook_code":"SESSION_FINISHED"}`)
	for _, tc := range transient {
		t.Run(tc.name, func(t *testing.T) {
			signer := webhooksign.New()
			f := &scripted{signer: signer, errs: []error{tc.err}}
			clock := &fakeClock{now: time.Unix(1716250693, 0)}
			v := NewVerifier(f, WithClock(clock.Now))
			header := signer.SignAt(body, clock.Now())

			err := v.Verify(context.Background(), header, body)
			requireOnly(t, err, ErrKeyUnavailable)
			require.ErrorIs(t, err, tc.err)
			assert.Zero(t, v.keys.misses.Len(), "a failure that may pass is not remembered")

			// No time passes: the next webhook asks again, and passes.
			require.NoError(t, v.Verify(context.Background(), header, body))
			assert.Equal(t, 2, f.fetches())
		})
	}

	t.Run("503 then a timeout then the key", func(t *testing.T) {
		signer := webhooksign.New()
		f := &scripted{signer: signer, errs: []error{transient[0].err, transient[4].err}}
		clock := &fakeClock{now: time.Unix(1716250693, 0)}
		v := NewVerifier(f, WithClock(clock.Now))
		header := signer.SignAt(body, clock.Now())
		requireOnly(t, v.Verify(context.Background(), header, body), ErrKeyUnavailable)
		err := v.Verify(context.Background(), header, body)
		requireOnly(t, err, ErrKeyUnavailable)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.NoError(t, v.Verify(context.Background(), header, body))
		assert.Equal(t, 3, f.fetches())
	})
}

func TestDefinitiveRefusalsAreRememberedForAMinute(t *testing.T) {
	refusals := []struct {
		name string
		err  error // from the fetcher; nil serves a key that is not EC P-256
		want error
	}{
		{"INVALID_WEBHOOK_VERIFICATION_KEY_ID", &link.Error{ErrorType: link.ErrorTypeInvalidInput, ErrorCode: "INVALID_WEBHOOK_VERIFICATION_KEY_ID", HTTPStatus: 400}, ErrUnknownKey},
		{"invalid JWK", nil, ErrInvalidKey},
	}
	body := []byte(`{"webhook_type":"LINK","webhook_code":"SESSION_FINISHED"}`)
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			signer := webhooksign.New()
			var refuse atomic.Bool
			refuse.Store(true)
			var calls atomic.Int32
			f := fetcherFunc(func(ctx context.Context, req *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
				calls.Add(1)
				switch {
				case !refuse.Load():
					return signer.GetWebhookVerificationKey(ctx, req)
				case tc.err != nil:
					return nil, tc.err
				}
				k := signer.JWK()
				k.Kty = "RSA"
				return &link.WebhookVerificationKeyGetResponse{Key: k}, nil
			})
			clock := &fakeClock{now: time.Unix(1716250693, 0)}
			v := NewVerifier(f, WithClock(clock.Now))
			verify := func() error { return v.Verify(context.Background(), signer.SignAt(body, clock.Now()), body) }

			for range 2 {
				err := verify()
				require.ErrorIs(t, err, tc.want)
				require.NotErrorIs(t, err, ErrKeyUnavailable, "a refusal is not a passing failure")
				if tc.want != ErrUnknownKey {
					require.NotErrorIs(t, err, ErrUnknownKey, "each failure wraps exactly one sentinel")
				}
			}
			assert.Equal(t, int32(1), calls.Load(), "a refusal is remembered")

			refuse.Store(false)
			clock.Add(59 * time.Second)
			require.ErrorIs(t, verify(), tc.want)
			assert.Equal(t, int32(1), calls.Load(), "still remembered after 59s")

			clock.Add(2 * time.Second)
			require.NoError(t, verify(), "asked again after a minute")
			assert.Equal(t, int32(2), calls.Load())
			assert.Zero(t, v.keys.misses.Len())
		})
	}
}

// TestJunkKidsHoldingEverySlotDoNotRefuseTheRealKid sends junk kids that hold every fetch slot
// while Plaid is slow, and then the real kid. Its request gives up after the fetch timeout, so that
// the Handler answers 503 in time; its fetch goes on, gets the whole call timeout once it has a
// slot rather than what the wait left of it, is not remembered as refused, and caches the key, so
// that Plaid's next delivery verifies without another fetch.
func TestJunkKidsHoldingEverySlotDoNotRefuseTheRealKid(t *testing.T) {
	// Generous: the junk calls must end, and free a slot, within it of being released.
	const timeout = 2 * time.Second
	signer := webhooksign.New()
	var junkCalls sync.WaitGroup
	junkCalls.Add(maxConcurrentFetches)
	releaseJunk, releaseReal := make(chan struct{}), make(chan struct{})
	realCalled := make(chan time.Time, 1) // the real kid's call's deadline
	var realCalls atomic.Int32
	f := fetcherFunc(func(ctx context.Context, req *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
		if req.KeyID == signer.KeyID() {
			realCalls.Add(1)
			deadline, _ := ctx.Deadline()
			realCalled <- deadline
			// Plaid answers after the request gave up. The call's deadline is about the request's
			// (the fetch began just after the request's wait), so the answer ignores it: the test,
			// not how soon it releases the answer, decides that it arrives.
			<-releaseReal
			return signer.GetWebhookVerificationKey(context.WithoutCancel(ctx), req)
		}
		junkCalls.Done()
		select {
		case <-releaseJunk:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return signer.GetWebhookVerificationKey(ctx, req)
	})
	v := NewVerifier(f, WithFetchTimeout(timeout))
	// The junk calls end once the real kid's fetch waits for a slot; releasedAt is when, so no slot
	// is free before it.
	var releasedAt time.Time
	v.keys.onSlotWait = func(kid string) {
		if kid == signer.KeyID() {
			releasedAt = time.Now()
			close(releaseJunk)
		}
	}
	ctx := context.Background()

	var wg sync.WaitGroup
	for i := range maxConcurrentFetches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := v.keys.get(ctx, fmt.Sprintf("junk-%d", i))
			assert.ErrorIs(t, err, ErrUnknownKey)
		}()
	}
	junkCalls.Wait()

	// The real kid's call then hangs past the request's wait.
	body := []byte(`{"webhook_type":"LINK","webhook_code":"SESSION_FINISHED"}`)
	err := v.Verify(ctx, signer.Sign(body), body)
	requireOnly(t, err, ErrKeyUnavailable)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var deadline time.Time
	select {
	case deadline = <-realCalled:
	case <-time.After(30 * time.Second):
		t.Fatal("the real kid's call never began once a slot was free")
	}
	// The slot was taken after releasedAt, so a timeout started with it ends after
	// releasedAt+timeout; one started while the fetch waited for a slot would end before.
	assert.False(t, deadline.Before(releasedAt.Add(timeout)),
		"the call's timeout starts once it has a slot: it ends %v early", releasedAt.Add(timeout).Sub(deadline))

	close(releaseReal)
	wg.Wait()
	v.keys.background.Wait()
	assert.NotContains(t, maps.Collect(v.keys.misses.All()), signer.KeyID())
	assert.Equal(t, maxConcurrentFetches, v.keys.misses.Len(), "the junk kids Plaid refused are remembered")
	require.NoError(t, v.Verify(ctx, signer.Sign(body), body), "the fetch that outlived the request cached the key")
	assert.Equal(t, int32(1), realCalls.Load())
}

func TestFetchQueueIsBounded(t *testing.T) {
	signer := webhooksign.New()
	release := make(chan struct{})
	var calls atomic.Int32
	f := fetcherFunc(func(ctx context.Context, req *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
		calls.Add(1)
		<-release
		return signer.GetWebhookVerificationKey(ctx, req)
	})
	// The fetch timeout outlasts the test, so that the junk kids' requests wait for the release.
	v := NewVerifier(f, noFetchLimit, WithFetchTimeout(time.Minute))
	ctx := context.Background()

	const full = maxConcurrentFetches + maxQueuedFetches
	var wg sync.WaitGroup
	for i := range full {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := v.keys.get(ctx, fmt.Sprintf("junk-%d", i))
			assert.ErrorIs(t, err, ErrUnknownKey)
		}()
	}
	require.Eventually(t, func() bool {
		v.keys.mu.RLock()
		defer v.keys.mu.RUnlock()
		return len(v.keys.flights) == full && calls.Load() == maxConcurrentFetches
	}, 5*time.Second, time.Millisecond)

	// The queue is full: the real kid is turned away at once (the deadline only keeps a queued
	// request from hanging the test), and that is not remembered.
	body := []byte(`{"webhook_type":"LINK","webhook_code":"SESSION_FINISHED"}`)
	header := signer.Sign(body)
	waitCtx, cancel := context.WithTimeout(ctx, time.Second)
	err := v.Verify(waitCtx, header, body)
	cancel()
	requireOnly(t, err, ErrKeyUnavailable)
	assert.ErrorContains(t, err, "too many key fetches in flight")
	assert.NotErrorIs(t, err, context.DeadlineExceeded)

	close(release)
	wg.Wait()
	v.keys.background.Wait()
	assert.Equal(t, int32(full), calls.Load(), "the turned-away kid was not fetched")
	assert.NotContains(t, maps.Collect(v.keys.misses.All()), signer.KeyID())
	require.NoError(t, v.Verify(ctx, header, body))
	assert.Equal(t, int32(full+1), calls.Load())
}

// TestNoFetchSlotIsUnavailable holds every fetch slot past the fetch timeout: the real kid, which
// found no slot free in time, must get ErrKeyUnavailable (so the Handler answers 503 and Plaid
// delivers again), not be remembered, and pass once a slot is free.
func TestNoFetchSlotIsUnavailable(t *testing.T) {
	signer := webhooksign.New()
	release := make(chan struct{})
	var junkCalls sync.WaitGroup
	junkCalls.Add(maxConcurrentFetches)
	f := fetcherFunc(func(ctx context.Context, req *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
		if req.KeyID != signer.KeyID() {
			// Ignores its deadline on purpose, so that the slot stays held, and then fails as a
			// timed-out call does, whichever of its deadline and the release comes first.
			junkCalls.Done()
			<-release
			return nil, context.DeadlineExceeded
		}
		return signer.GetWebhookVerificationKey(ctx, req)
	})
	v := NewVerifier(f, WithFetchTimeout(50*time.Millisecond), noFetchLimit)
	ctx := context.Background()

	var wg sync.WaitGroup
	for i := range maxConcurrentFetches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The junk calls outlive their own timeout, so they fail with it.
			_, err := v.keys.get(ctx, fmt.Sprintf("junk-%d", i))
			assert.ErrorIs(t, err, ErrKeyUnavailable)
		}()
	}
	junkCalls.Wait()

	body := []byte(`{"webhook_type":"LINK","webhook_code":"SESSION_FINISHED"}`)
	header := signer.Sign(body)
	err := v.Verify(ctx, header, body)
	requireOnly(t, err, ErrKeyUnavailable)
	// Whichever ends first, the request's wait or the fetch's wait for a slot, it is a timeout.
	require.ErrorIs(t, err, context.DeadlineExceeded)

	close(release)
	wg.Wait()
	v.keys.background.Wait()
	assert.NotContains(t, maps.Collect(v.keys.misses.All()), signer.KeyID())
	require.NoError(t, v.Verify(ctx, header, body))
}

// TestRememberedRefusalUnderReadLock checks that a remembered refusal is answered while other
// readers hold the lock, as the hits of valid webhooks do, so that a flood repeating one junk kid
// does not take the exclusive lock.
func TestRememberedRefusalUnderReadLock(t *testing.T) {
	signer := webhooksign.New()
	v := NewVerifier(signer)
	ctx := context.Background()
	_, err := v.keys.get(ctx, "junk")
	require.ErrorIs(t, err, ErrUnknownKey)
	v.keys.background.Wait()

	v.keys.mu.RLock()
	done := make(chan error, 1)
	go func() {
		_, err := v.keys.get(ctx, "junk")
		done <- err
	}()
	select {
	case err = <-done:
		v.keys.mu.RUnlock()
	case <-time.After(2 * time.Second):
		v.keys.mu.RUnlock()
		<-done
		t.Fatal("a remembered refusal waited for the exclusive lock")
	}
	require.ErrorIs(t, err, ErrUnknownKey)
	assert.Equal(t, 1, signer.Fetches())
}

// TestKeyFetchRateLimit checks the token bucket: a burst of new kids costs at most the burst in
// fetches, the rest get ErrKeyRateLimited at once and are not remembered, the bucket refills one
// fetch per interval, and cached keys and remembered refusals never wait for it.
func TestKeyFetchRateLimit(t *testing.T) {
	signer := webhooksign.New()
	clock := &fakeClock{now: time.Unix(1716250693, 0)}
	const burst, interval = 3, 20 * time.Second
	v := NewVerifier(signer, WithClock(clock.Now), WithKeyFetchLimit(interval, burst))
	ctx := context.Background()
	body := []byte(`{}`)
	require.NoError(t, v.Verify(ctx, signer.SignAt(body, clock.Now()), body))
	require.Equal(t, 1, signer.Fetches())

	var limited int
	for i := range 100 {
		_, err := v.keys.get(ctx, fmt.Sprintf("made-up-%d", i))
		if errors.Is(err, ErrKeyRateLimited) {
			limited++
			require.NotErrorIs(t, err, ErrKeyUnavailable, "each failure wraps exactly one sentinel")
			continue
		}
		require.ErrorIs(t, err, ErrUnknownKey)
		v.keys.background.Wait()
	}
	// The bucket paid for every fetch: the genuine kid's, the first made-up kid's refresh of the
	// cached key, and the made-up kids'.
	assert.Equal(t, burst, signer.Fetches())
	assert.Equal(t, 100-(burst-2), limited)
	assert.Equal(t, burst-2, v.keys.misses.Len(), "only answers from Plaid are remembered")

	// Cached and remembered kids never wait.
	for range 10 {
		require.NoError(t, v.Verify(ctx, signer.SignAt(body, clock.Now()), body))
		_, err := v.keys.get(ctx, "made-up-0")
		require.ErrorIs(t, err, ErrUnknownKey)
	}
	assert.Equal(t, burst, signer.Fetches())

	clock.Add(interval - time.Second)
	_, err := v.keys.get(ctx, "made-up-50")
	require.ErrorIs(t, err, ErrKeyRateLimited)
	clock.Add(time.Second)
	_, err = v.keys.get(ctx, "made-up-50")
	require.ErrorIs(t, err, ErrUnknownKey, "one more fetch per interval")
	v.keys.background.Wait()
	_, err = v.keys.get(ctx, "made-up-51")
	require.ErrorIs(t, err, ErrKeyRateLimited)
	assert.Equal(t, burst+1, signer.Fetches())
}

// TestKeyFetchLimitDefaults checks the defaults, and that the options' values are taken as given.
// Values they cannot use make NewVerifier panic (TestVerifierOptionsRefuseBadValues).
func TestKeyFetchLimitDefaults(t *testing.T) {
	v := NewVerifier(webhooksign.New())
	assert.Equal(t, DefaultKeyFetchBurst, v.keys.limiter.Burst())
	assert.InDelta(t, 1/DefaultKeyFetchInterval.Seconds(), float64(v.keys.limiter.Limit()), 1e-9)
	assert.Equal(t, DefaultFetchTimeout, v.keys.fetchTimeout)

	v = NewVerifier(webhooksign.New(), WithKeyFetchLimit(2*time.Second, 7), WithFetchTimeout(time.Second))
	assert.Equal(t, 7, v.keys.limiter.Burst())
	assert.InDelta(t, 0.5, float64(v.keys.limiter.Limit()), 1e-9)
	assert.Equal(t, time.Second, v.keys.fetchTimeout)
	assert.Less(t, DefaultFetchTimeout, 5*time.Second, "answers go out within 5 s with the key endpoint hung")
}

// TestClassify maps each kind of fetch failure to the sentinel it is published with.
func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want error
	}{
		// What Plaid answers for a key_id it never issued (HTTP 400, INVALID_INPUT).
		{"unknown kid", &link.Error{ErrorType: link.ErrorTypeInvalidInput, ErrorCode: link.ErrorCodeInvalidWebhookVerificationKeyID, HTTPStatus: 400}, ErrUnknownKey},
		{"unknown kid, built by hand without a status", &link.Error{ErrorCode: link.ErrorCodeInvalidWebhookVerificationKeyID}, ErrUnknownKey},
		{"unknown kid's code on a 503", &link.Error{ErrorType: link.ErrorTypeInvalidInput, ErrorCode: link.ErrorCodeInvalidWebhookVerificationKeyID, HTTPStatus: 503}, ErrKeyUnavailable},
		{"wrong secret's code on a 429", &link.Error{ErrorCode: link.ErrorCodeInvalidAPIKeys, HTTPStatus: 429}, ErrKeyUnavailable},
		{"wrong secret, built by hand without a status", &link.Error{ErrorCode: link.ErrorCodeInvalidAPIKeys}, ErrKeyFetchMisconfigured},
		{"invalid JWK", fmt.Errorf("%w: kty RSA", ErrInvalidKey), ErrInvalidKey},
		{"wrong secret", &link.Error{ErrorType: link.ErrorTypeInvalidInput, ErrorCode: "INVALID_API_KEYS", HTTPStatus: 400}, ErrKeyFetchMisconfigured},
		{"bad configuration", &link.Error{ErrorType: link.ErrorTypeInvalidRequest, ErrorCode: "INVALID_CONFIGURATION", HTTPStatus: 400}, ErrKeyFetchMisconfigured},
		{"wrong environment", &link.Error{ErrorType: link.ErrorTypeInvalidInput, ErrorCode: "UNAUTHORIZED_ENVIRONMENT", HTTPStatus: 400}, ErrKeyFetchMisconfigured},
		{"401", &link.Error{HTTPStatus: 401}, ErrKeyFetchMisconfigured},
		{"403", &link.Error{HTTPStatus: 403, RawBody: "Forbidden"}, ErrKeyFetchMisconfigured},
		{"INVALID_REQUEST 400", &link.Error{ErrorType: link.ErrorTypeInvalidRequest, ErrorCode: "MISSING_FIELDS", HTTPStatus: 400}, ErrKeyFetchMisconfigured},
		{"INVALID_INPUT 400", &link.Error{ErrorType: link.ErrorTypeInvalidInput, ErrorCode: "INVALID_FIELD", HTTPStatus: 400}, ErrKeyFetchMisconfigured},
		{"wrapped", fmt.Errorf("plaid: %w", &link.Error{ErrorType: link.ErrorTypeInvalidInput, ErrorCode: "INVALID_API_KEYS", HTTPStatus: 400}), ErrKeyFetchMisconfigured},
		{"429", &link.Error{ErrorType: link.ErrorTypeRateLimitExceeded, ErrorCode: "RATE_LIMIT", HTTPStatus: 429}, ErrKeyUnavailable},
		{"408", &link.Error{ErrorType: link.ErrorTypeInvalidRequest, HTTPStatus: 408}, ErrKeyUnavailable},
		{"500", &link.Error{ErrorType: link.ErrorTypeAPIError, ErrorCode: "INTERNAL_SERVER_ERROR", HTTPStatus: 500}, ErrKeyUnavailable},
		{"INVALID_REQUEST with 500", &link.Error{ErrorType: link.ErrorTypeInvalidRequest, HTTPStatus: 500}, ErrKeyUnavailable},
		{"a proxy's 400 page", &link.Error{HTTPStatus: 400, RawBody: "<html>Bad Request</html>"}, ErrKeyUnavailable},
		{"timeout", context.DeadlineExceeded, ErrKeyUnavailable},
		{"transport", errors.New("connection reset by peer"), ErrKeyUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, classify(tc.err))
		})
	}
}
