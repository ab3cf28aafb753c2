package webhook

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

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
	signer  *webhooktest.Signer
	started chan struct{}
	release chan struct{}
	calls   atomic.Int32
}

func (f *slowFetcher) GetWebhookVerificationKey(ctx context.Context, req *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
	if f.calls.Add(1) == 1 {
		close(f.started)
	}
	<-f.release
	return f.signer.GetWebhookVerificationKey(ctx, req)
}

func TestConcurrentMissesShareOneFetch(t *testing.T) {
	signer := webhooktest.NewSigner()
	f := &slowFetcher{signer: signer, started: make(chan struct{}), release: make(chan struct{})}
	v := NewVerifier(f)
	body := []byte(`{"webhook_type":"LINK","webhook_code":"EVENTS","events":[]}`)
	header := signer.Sign(body)

	const n = 64
	var ready, done sync.WaitGroup
	errs := make([]error, n)
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			errs[i] = v.Verify(context.Background(), header, body)
		}()
	}
	ready.Wait()
	<-f.started
	// Let every goroutine reach the cache before the fetch answers.
	require.Eventually(t, func() bool {
		v.keys.mu.RLock()
		defer v.keys.mu.RUnlock()
		return len(v.keys.flights) == 1
	}, time.Second, time.Millisecond)
	time.Sleep(20 * time.Millisecond)
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
	signer := webhooktest.NewSigner()
	clock := &fakeClock{now: time.Unix(1716250693, 0)}
	v := NewVerifier(signer, WithClock(clock.Now))
	ctx := context.Background()

	const n = 1000
	var wg sync.WaitGroup
	for round := range 2 {
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
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
	signer := webhooktest.NewSigner()
	v := NewVerifier(signer, WithCacheSize(2, 3))
	ctx := context.Background()
	for i := range 10 {
		_, err := v.keys.get(ctx, fmt.Sprintf("kid-%d", i))
		require.ErrorIs(t, err, ErrUnknownKey)
	}
	v.keys.background.Wait()
	assert.Len(t, v.keys.misses, 3)
	assert.Equal(t, 3, v.keys.missOrder.Len())
	assert.Contains(t, v.keys.misses, "kid-9", "the newest refusals are kept")
	assert.NotContains(t, v.keys.misses, "kid-0", "the oldest are dropped")

	// The positive side: three servers' keys through one fetcher, room for two.
	signers := []*webhooktest.Signer{webhooktest.NewSigner(), webhooktest.NewSigner(), webhooktest.NewSigner()}
	multi := multiFetcher(signers)
	v = NewVerifier(multi, WithCacheSize(2, 3))
	for _, s := range signers {
		body := []byte(`{}`)
		require.NoError(t, v.Verify(ctx, s.Sign(body), body))
	}
	v.keys.background.Wait()
	assert.Len(t, v.keys.keys, 2)
	assert.Equal(t, 2, v.keys.keyOrder.Len())
	assert.NotContains(t, v.keys.keys, signers[0].KeyID())
	assert.Contains(t, v.keys.keys, signers[2].KeyID())
}

// multiFetcher serves the keys of several Signers.
type multiFetcher []*webhooktest.Signer

func (m multiFetcher) GetWebhookVerificationKey(ctx context.Context, req *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
	for _, s := range m {
		if s.KeyID() == req.KeyID {
			return s.GetWebhookVerificationKey(ctx, req)
		}
	}
	return m[0].GetWebhookVerificationKey(ctx, req)
}

func TestRefreshOnUnknownKidAtMostOnceAMinute(t *testing.T) {
	signer := webhooktest.NewSigner()
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
	signer := webhooktest.NewSigner()
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
	signer := webhooktest.NewSigner()
	var fail atomic.Bool
	f := fetcher(func(ctx context.Context, req *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
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
	require.ErrorIs(t, err, ErrUnknownKey)
	v.keys.background.Wait()
	require.NoError(t, v.Verify(ctx, signer.Sign(body), body))
}

type fetcher func(context.Context, *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error)

func (f fetcher) GetWebhookVerificationKey(ctx context.Context, req *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
	return f(ctx, req)
}

func TestConcurrentFetchesAreBounded(t *testing.T) {
	var inFlight, peak atomic.Int32
	f := fetcher(func(context.Context, *link.WebhookVerificationKeyGetRequest) (*link.WebhookVerificationKeyGetResponse, error) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
		inFlight.Add(-1)
		return nil, context.Canceled
	})
	v := NewVerifier(f)
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := v.keys.get(context.Background(), fmt.Sprintf("k%d", i))
			assert.ErrorIs(t, err, ErrUnknownKey)
		}()
	}
	wg.Wait()
	v.keys.background.Wait()
	assert.LessOrEqual(t, peak.Load(), int32(maxConcurrentFetches))
	assert.Positive(t, peak.Load())
}
