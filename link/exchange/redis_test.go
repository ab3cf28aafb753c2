package exchange_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/internal/redistest"
	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/exchange"
	"github.com/plaidlink/plaidlink-go/link/linktest"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/redisdedup"
	"github.com/redis/go-redis/v9"
)

// These tests run a real redis-server (internal/redistest): they skip without one, and fail
// under CI=true.

// instance is one service instance: its own link.Client and its own Redis client, sharing the
// fake Plaid and the Redis with the others.
func newInstance(t *testing.T, srv *linktest.Server, rs *redistest.Server, counter *exchangeCounter, opts ...exchange.Option) (*exchange.Exchanger, *countingStore) {
	t.Helper()
	store := &countingStore{Deduper: redisdedup.New(rs.Client())}
	// Waiters on another instance's claim ask Redis often, so the tests do not idle.
	opts = append([]exchange.Option{exchange.WithPollInterval(2 * time.Millisecond)}, opts...)
	return exchange.New(srv.Client(counter.option()), store, opts...), store
}

// readBack is each session's public tokens as /link/token/get gives them to WaitForSession.
func readBack(t *testing.T, srv *linktest.Server, all []sources) [][]string {
	t.Helper()
	out := make([][]string, len(all))
	for i, src := range all {
		s, err := srv.Client().WaitForSession(testContext(t), src.linkToken)
		require.NoError(t, err)
		require.Equal(t, link.SessionLinked, s.Outcome())
		out[i] = s.PublicTokens()
		require.Equal(t, src.onSuccess, out[i])
	}
	return out
}

// callEverywhere calls Exchange for every token of every session from each of the three sources,
// on each instance, several times over, all at once, and records what each call returned. call
// makes one call; it may retry on its own.
func callEverywhere(t *testing.T, all []sources, polled [][]string, instances []*exchange.Exchanger, call func(ex *exchange.Exchanger, token string) error) *outcomes {
	t.Helper()
	got := newOutcomes()
	var wg sync.WaitGroup
	start := make(chan struct{})
	run := func(ex *exchange.Exchanger, token string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			got.add(token, call(ex, token))
		}()
	}
	for i, src := range all {
		for _, ex := range instances {
			for _, tok := range src.onSuccess { // the front end, and its retry
				run(ex, tok)
				run(ex, tok)
			}
			for _, add := range src.webhooks { // ITEM_ADD_RESULT, delivered and redelivered
				run(ex, add.PublicToken)
				run(ex, add.PublicToken)
			}
			for _, tok := range polled[i] { // WaitForSession's read of /link/token/get
				run(ex, tok)
			}
		}
	}
	close(start)
	wg.Wait()
	return got
}

func tokensOf(all []sources) []string {
	var out []string
	for _, src := range all {
		out = append(out, src.onSuccess...)
	}
	return out
}

// assertStoredOnce checks that each token was sent to Plaid once, and that save stored each of
// their Items once.
func assertStoredOnce(t *testing.T, srv *linktest.Server, counter *exchangeCounter, s *saver, tokens []string) {
	t.Helper()
	for _, tok := range tokens {
		assert.Equal(t, 1, counter.of(tok), "exchanges sent for one token")
	}
	saved := s.items()
	assert.Len(t, saved, len(tokens))
	items := make(map[string]bool)
	for _, it := range saved {
		assert.False(t, items[it.ItemID], "item %s saved twice", it.ItemID)
		items[it.ItemID] = true
		got, ok := srv.Item(it.AccessToken)
		if assert.True(t, ok, "a saved access token is a real Item's") {
			assert.Equal(t, got.ItemID, it.ItemID)
		}
	}
	assert.Len(t, srv.Items(), len(tokens), "no Item was made whose token was not saved")
}

// Two instances, each with its own Redis client, and many callers from the three sources at
// once: each token is sent to Plaid once and saved once, exactly one caller gets nil, and Redis
// holds a done marker per token under a hash, never the token.
func TestTwoInstancesOnRedis(t *testing.T) {
	rs := redistest.Start(t)
	srv := linktest.NewServer()
	defer srv.Close()
	counter := newExchangeCounter()
	a, _ := newInstance(t, srv, rs, counter)
	b, _ := newInstance(t, srv, rs, counter)
	var s saver
	ctx := testContext(t)

	hook := webhookSink(t)
	var all []sources
	for i := range 8 {
		all = append(all, linkedSession(t, srv, hook, i%3))
	}
	tokens := tokensOf(all)
	require.Len(t, tokens, 15, "8 sessions, 7 of their Items beyond the first")
	got := callEverywhere(t, all, readBack(t, srv, all), []*exchange.Exchanger{a, b}, func(ex *exchange.Exchanger, tok string) error {
		return ex.Exchange(ctx, tok, s.save)
	})

	got.assertOncePerToken(t, tokens)
	assertStoredOnce(t, srv, counter, &s, tokens)

	rc := rs.Client()
	keys, err := rc.Keys(ctx, "*").Result()
	require.NoError(t, err)
	assert.Len(t, keys, len(tokens), "one key per token")
	for _, tok := range tokens {
		key := redisdedup.DefaultPrefix + exchange.KeyFor(tok)
		assert.Contains(t, keys, key)
		assert.True(t, doneInRedis(t, rc, key), "done")
		ttl, err := rc.PTTL(ctx, key).Result()
		require.NoError(t, err)
		assert.InDelta(t, exchange.DefaultDoneTTL, ttl, float64(time.Minute))
	}
	for _, k := range keys {
		for _, tok := range tokens {
			assert.NotContains(t, k, strings.TrimPrefix(tok, "public-sandbox-"), "no token in clear in Redis")
		}
	}
}

// A lost reply on one instance, with callers on another waiting on its claim: the winner hears
// link.ErrOutcomeUnknown, the waiters ErrAlreadyExchanged, and the token is never sent again.
func TestLostReplyAcrossInstances(t *testing.T) {
	rs := redistest.Start(t)
	srv := linktest.NewServer()
	defer srv.Close()
	counter := newExchangeCounter()
	g := newGate(counter)
	a := exchange.New(srv.Client(link.WithHTTPClient(&http.Client{Transport: g})), redisdedup.New(rs.Client()))
	waiting := make(chan struct{}, 8)
	b, bStore := newInstance(t, srv, rs, counter)
	bStore.onInFlight = func() {
		select {
		case waiting <- struct{}{}:
		default:
		}
	}
	var s saver
	ctx := testContext(t)
	token := completeSession(t, srv)
	srv.LoseReplyNext(linktest.PathPublicTokenExchange, 1, http.StatusBadGateway)

	winner := make(chan error, 1)
	go func() { winner <- a.Exchange(ctx, token, s.save) }()
	<-g.arrived
	const n = 4
	waiters := make(chan error, n)
	for range n {
		go func() { waiters <- b.Exchange(ctx, token, s.save) }()
	}
	<-waiting // at least one caller on b is waiting on a's claim
	close(g.open)

	require.ErrorIs(t, <-winner, link.ErrOutcomeUnknown)
	for range n {
		assert.ErrorIs(t, <-waiters, exchange.ErrAlreadyExchanged)
	}
	for _, ex := range []*exchange.Exchanger{a, b} {
		assert.ErrorIs(t, ex.Exchange(ctx, token, s.save), exchange.ErrAlreadyExchanged)
	}
	assert.Equal(t, 1, counter.of(token))
	assert.Empty(t, s.items(), "nobody saved anything, nobody got nil")
	assert.Len(t, srv.Items(), 1, "the Item whose access token was lost")
}

// Redis is stopped while an exchange is between its save and its done marker, and while other
// callers want tokens, old and new; then it is started again (with its append-only file, as a
// production Redis keeps its data). Nothing is sent to Plaid twice, and nothing is lost: every
// token ends up saved once.
func TestRedisStoppedAndStartedAgain(t *testing.T) {
	rs := redistest.Start(t, "--appendonly", "yes", "--appendfsync", "always")
	srv := linktest.NewServer()
	defer srv.Close()
	counter := newExchangeCounter()
	var s saver
	ctx := testContext(t)
	hook := webhookSink(t)

	// Writes that fail while Redis is down wait for it to be back, not for a time.
	restarted := make(chan struct{})
	var retries atomic.Int32
	untilRestarted := func(ctx context.Context, _ time.Duration) error {
		retries.Add(1)
		select {
		case <-restarted:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	a, _ := newInstance(t, srv, rs, counter)
	b, _ := newInstance(t, srv, rs, counter)
	waiter, waiterStore := newInstance(t, srv, rs, counter)
	waiting := make(chan struct{})
	var once sync.Once
	waiterStore.onInFlight = func() { once.Do(func() { close(waiting) }) }
	for _, ex := range []*exchange.Exchanger{a, b, waiter} {
		exchange.SetSleep(ex, untilRestarted)
	}
	instances := []*exchange.Exchanger{a, b}

	// Before: tokens exchanged and done.
	before := []sources{linkedSession(t, srv, hook, 0), linkedSession(t, srv, hook, 2), linkedSession(t, srv, hook, 1)}
	got := callEverywhere(t, before, readBack(t, srv, before), instances, func(ex *exchange.Exchanger, tok string) error {
		return ex.Exchange(ctx, tok, s.save)
	})
	got.assertOncePerToken(t, tokensOf(before))

	// During: a's exchange of x is saving, and a caller on another instance waits on its claim.
	during := linkedSession(t, srv, hook, 0)
	x := during.onSuccess[0]
	saving, release := make(chan struct{}), make(chan struct{})
	xResult := make(chan error, 1)
	go func() {
		xResult <- a.Exchange(ctx, x, func(ctx context.Context, r *link.ItemPublicTokenExchangeResponse) error {
			close(saving)
			<-release
			return s.save(ctx, r)
		})
	}()
	<-saving
	waiterResult := make(chan error, 1)
	go func() { waiterResult <- waiter.Exchange(ctx, x, s.save) }()
	<-waiting

	rs.Stop()
	after := []sources{linkedSession(t, srv, hook, 0), linkedSession(t, srv, hook, 1)}
	assert.ErrorIs(t, <-waiterResult, exchange.ErrStoreUnavailable, "the waiter cannot ask any more")
	for _, tok := range append([]string{x, tokensOf(before)[0]}, tokensOf(after)...) {
		for _, ex := range instances {
			assert.ErrorIs(t, ex.Exchange(ctx, tok, s.save), exchange.ErrStoreUnavailable)
		}
	}
	for _, tok := range tokensOf(after) {
		assert.Zero(t, counter.of(tok), "nothing is sent to Plaid while the store is down")
	}
	close(release)
	require.NoError(t, <-xResult, "x was saved; its done marker waits for Redis")

	rs.Restart()
	close(restarted)
	rc := rs.Client()
	require.Eventually(t, func() bool {
		return doneInRedis(t, rc, redisdedup.DefaultPrefix+exchange.KeyFor(x))
	}, 20*time.Second, 5*time.Millisecond, "x's done marker is written once Redis is back")
	assert.Positive(t, retries.Load(), "the done marker was written again after a failure")

	// After: every token again, from everywhere. A caller whose Redis connection died with the
	// old server hears ErrStoreUnavailable and tries again, as a webhook redelivery or a front
	// end's retry would.
	all := append(append(append([]sources{}, before...), during), after...)
	got = callEverywhere(t, all, readBack(t, srv, all), instances, func(ex *exchange.Exchanger, tok string) error {
		for range 50 {
			err := ex.Exchange(ctx, tok, s.save)
			if !errors.Is(err, exchange.ErrStoreUnavailable) {
				return err
			}
		}
		return errors.New("the store stayed unavailable")
	})
	for _, tok := range append(tokensOf(before), x) {
		for _, err := range got.got[tok] {
			assert.ErrorIs(t, err, exchange.ErrAlreadyExchanged, "a token done before the restart stays done")
		}
	}
	got.assertOncePerToken(t, tokensOf(after))
	assertStoredOnce(t, srv, counter, &s, tokensOf(all))
	for _, ex := range []*exchange.Exchanger{a, b, waiter} {
		require.NoError(t, ex.Shutdown(ctx))
	}
}

// The memory store and Redis keep the same contract for the Exchanger: a claim that is released
// lets the next caller on another instance exchange the token.
func TestReleasedClaimIsTakenOnAnotherInstance(t *testing.T) {
	rs := redistest.Start(t)
	srv := linktest.NewServer()
	defer srv.Close()
	counter := newExchangeCounter()
	a, _ := newInstance(t, srv, rs, counter)
	b, _ := newInstance(t, srv, rs, counter)
	var s saver
	ctx := testContext(t)
	token := completeSession(t, srv)

	srv.FailNext(linktest.PathPublicTokenExchange, 1, http.StatusBadRequest, &link.Error{
		ErrorType: link.ErrorTypeInvalidInput, ErrorCode: link.ErrorCodeInvalidAPIKeys, ErrorMessage: "invalid client_id or secret provided",
	})
	err := a.Exchange(ctx, token, s.save)
	assert.True(t, link.IsErrorCode(err, link.ErrorCodeInvalidAPIKeys), "got %v", err)
	n, err := rs.Client().Exists(ctx, redisdedup.DefaultPrefix+exchange.KeyFor(token)).Result()
	require.NoError(t, err)
	assert.Zero(t, n, "the claim was released")

	require.NoError(t, b.Exchange(ctx, token, s.save))
	assert.ErrorIs(t, a.Exchange(ctx, token, s.save), exchange.ErrAlreadyExchanged)
	assert.Len(t, s.items(), 1)
}

var _ webhook.Deduper = (*countingStore)(nil)

// doneInRedis reports whether the Redis deduper holds key (its Redis name, with the prefix) as
// done, asking it as any Deduper user would rather than reading its storage: a Claim of a done
// key changes nothing, and a done marker written after a stray probe claim overwrites it.
func doneInRedis(t *testing.T, rc redis.UniversalClient, key string) bool {
	t.Helper()
	state, err := redisdedup.New(rc, redisdedup.WithPrefix("")).Claim(context.Background(), key, "probe", time.Millisecond)
	return err == nil && state == webhook.ClaimDone
}
