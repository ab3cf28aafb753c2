package exchange_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/exchange"
	"github.com/plaidlink/plaidlink-go/link/linktest"
	"github.com/plaidlink/plaidlink-go/webhook"
)

// fixture is a fake Plaid, a client of it that counts exchanges, and an Exchanger on a memory
// store: one instance.
type fixture struct {
	srv     *linktest.Server
	counter *exchangeCounter
	store   *webhook.MemoryDeduper
	ex      *exchange.Exchanger
	saver   *saver
}

func newFixture(t *testing.T, opts ...exchange.Option) *fixture {
	t.Helper()
	srv := linktest.NewServer()
	t.Cleanup(srv.Close)
	f := &fixture{srv: srv, counter: newExchangeCounter(), store: webhook.NewMemoryDeduper(0), saver: &saver{}}
	f.ex = exchange.New(srv.Client(f.counter.option()), f.store, opts...)
	exchange.SetSleep(f.ex, noWait)
	return f
}

func TestExchangeOnce(t *testing.T) {
	f := newFixture(t)
	ctx := testContext(t)
	token := completeSession(t, f.srv)

	require.NoError(t, f.ex.Exchange(ctx, token, f.saver.save))
	saved := f.saver.items()
	require.Len(t, saved, 1)
	item, ok := f.srv.Item(saved[0].AccessToken)
	require.True(t, ok, "save got the access token of a real Item")
	assert.Equal(t, item.ItemID, saved[0].ItemID)

	for range 3 {
		assert.ErrorIs(t, f.ex.Exchange(ctx, token, f.saver.save), exchange.ErrAlreadyExchanged)
	}
	assert.Equal(t, 1, f.counter.of(token))
	assert.Len(t, f.saver.items(), 1)

	st, err := f.store.Claim(ctx, exchange.KeyFor(token), "someone", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, webhook.ClaimDone, st, "the token's key is done")
	assert.True(t, strings.HasPrefix(exchange.KeyFor(token), "exchange:"))
	assert.NotContains(t, exchange.KeyFor(token), strings.TrimPrefix(token, "public-sandbox-"), "the key holds a hash, not the token")
	assert.Len(t, exchange.KeyFor(token), len("exchange:")+64)
	assert.NotEqual(t, exchange.KeyFor(token), exchange.KeyFor(token+"x"))
}

// The memory store on one instance: many callers at once, from the three sources, for the
// tokens of several sessions, some Multi-Item. Each token is sent to Plaid once, saved once, and
// exactly one caller gets nil for it.
func TestExchangeConcurrentCallersMemory(t *testing.T) {
	f := newFixture(t)
	ctx := testContext(t)
	hook := webhookSink(t)

	var all []sources
	for i := range 6 {
		all = append(all, linkedSession(t, f.srv, hook, i%3))
	}
	got := newOutcomes()
	var tokens []string
	var wg sync.WaitGroup
	start := make(chan struct{})
	call := func(token string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			got.add(token, f.ex.Exchange(ctx, token, f.saver.save))
		}()
	}
	for _, src := range all {
		tokens = append(tokens, src.onSuccess...)
		for range 3 {
			for _, tok := range src.onSuccess { // the front end, posting again on a retry
				call(tok)
			}
			for _, add := range src.webhooks { // ITEM_ADD_RESULT and its redeliveries
				call(add.PublicToken)
			}
		}
		// /link/token/get, as WaitForSession reads it
		s, err := f.srv.Client().WaitForSession(ctx, src.linkToken)
		require.NoError(t, err)
		require.Equal(t, link.SessionLinked, s.Outcome())
		require.Equal(t, src.onSuccess, s.PublicTokens())
		for _, tok := range s.PublicTokens() {
			call(tok)
			call(tok)
		}
	}
	close(start)
	wg.Wait()

	require.Len(t, tokens, 6+6/3*(0+1+2))
	got.assertOncePerToken(t, tokens)
	for _, tok := range tokens {
		assert.Equal(t, 1, f.counter.of(tok), "exchanges sent for one token")
	}
	assert.Len(t, f.saver.items(), len(tokens))
	assert.Len(t, f.srv.Items(), len(tokens))
}

// A lost reply: Plaid spent the token and made the Item, and the client never saw the access
// token. The winner hears link.ErrOutcomeUnknown, the token is never sent again, nobody gets nil,
// and save never runs.
func TestExchangeLostReply(t *testing.T) {
	for _, status := range []int{0, http.StatusGatewayTimeout} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			f := newFixture(t)
			ctx := testContext(t)
			token := completeSession(t, f.srv)
			f.srv.LoseReplyNext(linktest.PathPublicTokenExchange, 1, status)

			err := f.ex.Exchange(ctx, token, f.saver.save)
			require.ErrorIs(t, err, link.ErrOutcomeUnknown)
			assert.NotContains(t, err.Error(), token)
			for range 3 {
				assert.ErrorIs(t, f.ex.Exchange(ctx, token, f.saver.save), exchange.ErrAlreadyExchanged)
			}
			assert.Equal(t, 1, f.counter.of(token))
			assert.Empty(t, f.saver.items())
			assert.Len(t, f.srv.Items(), 1, "the Item exists; its access token was in the lost reply")
		})
	}
}

// Callers waiting on a claim whose exchange loses its reply get ErrAlreadyExchanged: only the
// winner hears that the outcome is unknown, and nobody gets nil.
func TestExchangeLostReplyWithWaiters(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	counter := newExchangeCounter()
	g := newGate(counter)
	ex := exchange.New(srv.Client(link.WithHTTPClient(&http.Client{Transport: g})), webhook.NewMemoryDeduper(0))
	ctx := testContext(t)
	token := completeSession(t, srv)
	srv.LoseReplyNext(linktest.PathPublicTokenExchange, 1, 0)
	var s saver

	winner := make(chan error, 1)
	go func() { winner <- ex.Exchange(ctx, token, s.save) }()
	<-g.arrived
	waiters := make(chan error, 4)
	for range cap(waiters) {
		go func() { waiters <- ex.Exchange(ctx, token, s.save) }()
	}
	close(g.open)

	require.ErrorIs(t, <-winner, link.ErrOutcomeUnknown)
	for range cap(waiters) {
		assert.ErrorIs(t, <-waiters, exchange.ErrAlreadyExchanged)
	}
	assert.Equal(t, 1, counter.of(token))
	assert.Empty(t, s.items())
}

// A token Plaid says is spent (here: exchanged behind the Exchanger's back) is returned as
// INVALID_PUBLIC_TOKEN, and marked done so that it is not sent again.
func TestExchangeInvalidPublicToken(t *testing.T) {
	f := newFixture(t)
	ctx := testContext(t)
	token := completeSession(t, f.srv)
	_, err := f.srv.Client().ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: token})
	require.NoError(t, err)

	err = f.ex.Exchange(ctx, token, f.saver.save)
	assert.True(t, link.IsErrorCode(err, link.ErrorCodeInvalidPublicToken), "got %v", err)
	var perr *link.Error
	require.ErrorAs(t, err, &perr, "returned as the client gave it")
	assert.ErrorIs(t, f.ex.Exchange(ctx, token, f.saver.save), exchange.ErrAlreadyExchanged)
	assert.Equal(t, 1, f.counter.of(token))
	assert.Empty(t, f.saver.items())

	expired := completeSession(t, f.srv)
	f.srv.Clock().Advance(exchange.PublicTokenLifetime + time.Minute)
	err = f.ex.Exchange(ctx, expired, f.saver.save)
	assert.True(t, link.IsErrorCode(err, link.ErrorCodeInvalidPublicToken), "an expired token: got %v", err)
	assert.ErrorIs(t, f.ex.Exchange(ctx, expired, f.saver.save), exchange.ErrAlreadyExchanged)
}

// A failure that spent nothing frees the claim: a later caller exchanges the token.
func TestExchangeSpentNothingFreesTheClaim(t *testing.T) {
	t.Run("rate limit after the retries", func(t *testing.T) {
		srv := linktest.NewServer()
		defer srv.Close()
		counter := newExchangeCounter()
		ex := exchange.New(srv.Client(counter.option(), link.WithMaxRetries(0)), webhook.NewMemoryDeduper(0))
		ctx := testContext(t)
		token := completeSession(t, srv)
		srv.FailNext(linktest.PathPublicTokenExchange, 1, http.StatusTooManyRequests, &link.Error{
			ErrorType: link.ErrorTypeRateLimitExceeded, ErrorCode: link.ErrorCodeRateLimit, ErrorMessage: "rate limit exceeded",
		})
		var s saver

		err := ex.Exchange(ctx, token, s.save)
		assert.True(t, link.IsErrorCode(err, link.ErrorCodeRateLimit), "got %v", err)
		assert.NotErrorIs(t, err, link.ErrOutcomeUnknown)
		assert.Empty(t, s.items())

		require.NoError(t, ex.Exchange(ctx, token, s.save), "the claim was freed")
		assert.Len(t, s.items(), 1)
		assert.Equal(t, 2, counter.of(token), "the refused request, then the exchange")
		assert.Len(t, srv.Items(), 1)
	})

	t.Run("INVALID_API_KEYS", func(t *testing.T) {
		srv := linktest.NewServer()
		defer srv.Close()
		store := webhook.NewMemoryDeduper(0)
		ctx := testContext(t)
		token := completeSession(t, srv)
		wrong, err := link.NewClient("wrong-client-id", "wrong-secret", link.WithBaseURL(srv.URL))
		require.NoError(t, err)
		var s saver

		err = exchange.New(wrong, store).Exchange(ctx, token, s.save)
		assert.True(t, link.IsErrorCode(err, link.ErrorCodeInvalidAPIKeys), "got %v", err)
		require.NoError(t, exchange.New(srv.Client(), store).Exchange(ctx, token, s.save), "the claim was freed")
		assert.Len(t, s.items(), 1)
	})
}

// The store failing before the call: nothing is sent, and the error says the store failed.
func TestExchangeStoreUnavailable(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	counter := newExchangeCounter()
	ctx := testContext(t)
	token := completeSession(t, srv)
	var s saver

	err := exchange.New(srv.Client(counter.option()), failingStore{}).Exchange(ctx, token, s.save)
	require.ErrorIs(t, err, exchange.ErrStoreUnavailable)
	assert.ErrorIs(t, err, errStoreDown)

	// A memory store full of live claims refuses more, rather than drop one.
	full := webhook.NewMemoryDeduper(1)
	_, err = full.Claim(ctx, "another", "owner", time.Hour)
	require.NoError(t, err)
	err = exchange.New(srv.Client(counter.option()), full).Exchange(ctx, token, s.save)
	require.ErrorIs(t, err, exchange.ErrStoreUnavailable)
	assert.ErrorIs(t, err, webhook.ErrDeduperFull)

	assert.Zero(t, counter.total(), "nothing was sent to Plaid")
	assert.Empty(t, s.items())
}

// The caller's context ends while its exchange is in flight: Exchange returns ErrInFlight at
// once, the exchange goes on, save runs once with the access token, and later callers, including
// one that was waiting meanwhile, get ErrAlreadyExchanged.
func TestExchangeCallerGivesUpDuringExchange(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	counter := newExchangeCounter()
	g := newGate(counter)
	ex := exchange.New(srv.Client(link.WithHTTPClient(&http.Client{Transport: g})), webhook.NewMemoryDeduper(0))
	token := completeSession(t, srv)
	var s saver

	ctx, cancel := context.WithCancel(testContext(t))
	winner := make(chan error, 1)
	go func() { winner <- ex.Exchange(ctx, token, s.save) }()
	<-g.arrived // the request is on its way to Plaid
	waiter := make(chan error, 1)
	go func() { waiter <- ex.Exchange(testContext(t), token, s.save) }()
	cancel()

	err := <-winner
	require.ErrorIs(t, err, exchange.ErrInFlight)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, s.items(), "the exchange is still held at the gate")

	close(g.open)
	assert.ErrorIs(t, <-waiter, exchange.ErrAlreadyExchanged)
	require.NoError(t, ex.Shutdown(testContext(t)))
	saved := s.items()
	require.Len(t, saved, 1, "save ran once, after the caller had gone")
	_, ok := srv.Item(saved[0].AccessToken)
	assert.True(t, ok)
	assert.Equal(t, 1, counter.of(token))
}

// The caller's context ends while save runs (a webhook request out of time): save finishes on its
// own context, which the caller's end did not cancel.
func TestExchangeCallerGivesUpDuringSave(t *testing.T) {
	f := newFixture(t)
	token := completeSession(t, f.srv)
	saving, release := make(chan struct{}), make(chan struct{})
	saveCtxErr := make(chan error, 1)
	save := func(ctx context.Context, r *link.ItemPublicTokenExchangeResponse) error {
		close(saving)
		<-release
		saveCtxErr <- ctx.Err()
		return f.saver.save(ctx, r)
	}

	ctx, cancel := context.WithTimeout(testContext(t), time.Hour)
	winner := make(chan error, 1)
	go func() { winner <- f.ex.Exchange(ctx, token, save) }()
	<-saving
	cancel()
	err := <-winner
	require.ErrorIs(t, err, exchange.ErrInFlight)
	assert.ErrorIs(t, err, context.Canceled)

	close(release)
	require.NoError(t, f.ex.Shutdown(testContext(t)))
	assert.NoError(t, <-saveCtxErr, "save's context was not cancelled with the caller's")
	assert.Len(t, f.saver.items(), 1)
	assert.Equal(t, 1, f.counter.of(token))
}

// A caller waiting on another's claim gives up when its context ends, with ErrInFlight and the
// context's error.
func TestExchangeWaiterGivesUp(t *testing.T) {
	f := newFixture(t)
	token := completeSession(t, f.srv)
	saving, release := make(chan struct{}), make(chan struct{})
	save := func(ctx context.Context, r *link.ItemPublicTokenExchangeResponse) error {
		close(saving)
		<-release
		return f.saver.save(ctx, r)
	}
	winner := make(chan error, 1)
	go func() { winner <- f.ex.Exchange(testContext(t), token, save) }()
	<-saving

	ctx, cancel := context.WithCancel(testContext(t))
	cancel()
	err := f.ex.Exchange(ctx, token, f.saver.save)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, exchange.ErrAlreadyExchanged)

	// A waiter that got as far as seeing the claim is told the token is in flight.
	ctx, cancel = context.WithCancel(testContext(t))
	var claims countingStore
	claims.Deduper = f.store
	claims.onInFlight = cancel
	err = exchange.New(f.srv.Client(), &claims).Exchange(ctx, token, f.saver.save)
	require.ErrorIs(t, err, exchange.ErrInFlight)
	assert.ErrorIs(t, err, context.Canceled)

	close(release)
	require.NoError(t, <-winner)
	assert.Len(t, f.saver.items(), 1)
}

// countingStore passes calls to a Deduper, and calls onInFlight when a claim finds the key held.
type countingStore struct {
	webhook.Deduper
	onInFlight func()
}

func (s *countingStore) Claim(ctx context.Context, key, owner string, lease time.Duration) (webhook.ClaimState, error) {
	st, err := s.Deduper.Claim(ctx, key, owner, lease)
	if st == webhook.ClaimInFlight && s.onInFlight != nil {
		s.onInFlight()
	}
	return st, err
}

// save failing: it is retried; when every attempt fails, the access token comes back in a
// *SaveError and the public token is done.
func TestExchangeSaveFails(t *testing.T) {
	f := newFixture(t, exchange.WithSaveAttempts(4))
	ctx := testContext(t)
	token := completeSession(t, f.srv)
	var calls atomic.Int32
	dbDown := errors.New("database down")
	save := func(context.Context, *link.ItemPublicTokenExchangeResponse) error {
		calls.Add(1)
		return dbDown
	}

	err := f.ex.Exchange(ctx, token, save)
	var saveErr *exchange.SaveError
	require.ErrorAs(t, err, &saveErr)
	assert.ErrorIs(t, err, dbDown)
	assert.EqualValues(t, 4, calls.Load())
	assert.Equal(t, 4, saveErr.Attempts())
	item, ok := f.srv.Item(saveErr.Response().AccessToken)
	require.True(t, ok, "the SaveError hands back a working access token")
	assert.Equal(t, item.ItemID, saveErr.Response().ItemID)

	assert.ErrorIs(t, f.ex.Exchange(ctx, token, f.saver.save), exchange.ErrAlreadyExchanged)
	assert.Equal(t, 1, f.counter.of(token))
	assert.EqualValues(t, 4, calls.Load())
}

func TestExchangeSaveSucceedsOnRetry(t *testing.T) {
	var waits []time.Duration
	f := newFixture(t)
	exchange.SetSleep(f.ex, func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		return nil
	})
	token := completeSession(t, f.srv)
	var calls int
	save := func(ctx context.Context, r *link.ItemPublicTokenExchangeResponse) error {
		calls++
		if calls < 3 {
			return errors.New("deadlock detected")
		}
		return f.saver.save(ctx, r)
	}
	require.NoError(t, f.ex.Exchange(testContext(t), token, save))
	assert.Equal(t, 3, calls)
	assert.Equal(t, []time.Duration{500 * time.Millisecond, time.Second}, waits, "a growing wait between attempts")
	assert.Len(t, f.saver.items(), 1)
}

// A save that panics does not take the access token down with the process.
func TestExchangeSavePanics(t *testing.T) {
	f := newFixture(t, exchange.WithSaveAttempts(2))
	token := completeSession(t, f.srv)
	err := f.ex.Exchange(testContext(t), token, func(_ context.Context, r *link.ItemPublicTokenExchangeResponse) error {
		panic("nil map write near " + r.AccessToken)
	})
	var saveErr *exchange.SaveError
	require.ErrorAs(t, err, &saveErr)
	assert.Contains(t, err.Error(), "save panicked: nil map write near [access_token]")
	assert.NotContains(t, err.Error(), saveErr.Response().AccessToken)
	_, ok := f.srv.Item(saveErr.Response().AccessToken)
	assert.True(t, ok)
}

// A save that changes the reply it is given cannot change what a SaveError hands back.
func TestExchangeSaveGetsACopy(t *testing.T) {
	f := newFixture(t, exchange.WithSaveAttempts(1))
	token := completeSession(t, f.srv)
	err := f.ex.Exchange(testContext(t), token, func(_ context.Context, r *link.ItemPublicTokenExchangeResponse) error {
		r.AccessToken = ""
		return errors.New("failed")
	})
	var saveErr *exchange.SaveError
	require.ErrorAs(t, err, &saveErr)
	_, ok := f.srv.Item(saveErr.Response().AccessToken)
	assert.True(t, ok)
}

// A 2xx reply without an access token is an exchange whose outcome is lost: the token is done.
func TestExchangeReplyWithoutAccessToken(t *testing.T) {
	var exchanges atomic.Int32
	plaid := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		exchanges.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"item_id":"item-1","request_id":"req-1"}`))
	}))
	defer plaid.Close()
	client, err := link.NewClient("client-id", "secret", link.WithBaseURL(plaid.URL))
	require.NoError(t, err)
	ex := exchange.New(client, webhook.NewMemoryDeduper(0))
	var s saver
	ctx := testContext(t)

	err = ex.Exchange(ctx, "public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d", s.save)
	require.ErrorIs(t, err, link.ErrOutcomeUnknown)
	assert.ErrorIs(t, ex.Exchange(ctx, "public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d", s.save), exchange.ErrAlreadyExchanged)
	assert.EqualValues(t, 1, exchanges.Load())
	assert.Empty(t, s.items())
}

// Writing done fails after the exchange: the caller still gets its outcome, and the Exchanger
// writes done in the background once the store answers again, so the token is not sent twice.
func TestExchangeDoneWrittenAfterStoreRecovers(t *testing.T) {
	f := newFixture(t)
	flaky := &flakyStore{Deduper: f.store}
	ex := exchange.New(f.srv.Client(f.counter.option()), flaky)
	recovered := make(chan struct{})
	var waits atomic.Int32
	exchange.SetSleep(ex, func(ctx context.Context, _ time.Duration) error {
		waits.Add(1)
		<-recovered
		return nil
	})
	ctx := testContext(t)
	token := completeSession(t, f.srv)

	flaky.failDone.Store(true)
	require.NoError(t, ex.Exchange(ctx, token, f.saver.save), "save ran and returned nil")
	assert.Len(t, f.saver.items(), 1)
	st, err := f.store.Claim(ctx, exchange.KeyFor(token), "other", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, webhook.ClaimInFlight, st, "until done is written, the claim holds the token")

	flaky.failDone.Store(false)
	close(recovered)
	require.NoError(t, ex.Shutdown(ctx), "Shutdown waits for the write")
	assert.Positive(t, waits.Load())
	st, err = f.store.Claim(ctx, exchange.KeyFor(token), "other", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, webhook.ClaimDone, st)
	assert.ErrorIs(t, f.ex.Exchange(ctx, token, f.saver.save), exchange.ErrAlreadyExchanged)
	assert.Equal(t, 1, f.counter.of(token))
}

// flakyStore fails Done while failDone is set.
type flakyStore struct {
	webhook.Deduper
	failDone atomic.Bool
}

func (s *flakyStore) Done(ctx context.Context, key string, ttl time.Duration) error {
	if s.failDone.Load() {
		return errStoreDown
	}
	return s.Deduper.Done(ctx, key, ttl)
}

// Each public token of a Multi-Item Link session is its own key: exchanging one leaves the others
// to be exchanged, each once.
func TestExchangeMultiItemTokensAreIndependent(t *testing.T) {
	f := newFixture(t)
	ctx := testContext(t)
	src := linkedSession(t, f.srv, webhookSink(t), 2)
	require.Len(t, src.onSuccess, 3)

	require.NoError(t, f.ex.Exchange(ctx, src.onSuccess[1], f.saver.save))
	for i, tok := range src.onSuccess {
		err := f.ex.Exchange(ctx, tok, f.saver.save)
		if i == 1 {
			assert.ErrorIs(t, err, exchange.ErrAlreadyExchanged)
		} else {
			assert.NoError(t, err)
		}
		assert.Equal(t, 1, f.counter.of(tok))
	}
	assert.Len(t, f.saver.items(), 3)
	assert.Len(t, f.srv.Items(), 3)
}

func TestShutdown(t *testing.T) {
	f := newFixture(t)
	token := completeSession(t, f.srv)
	require.NoError(t, f.ex.Shutdown(testContext(t)))
	assert.ErrorIs(t, f.ex.Exchange(testContext(t), token, f.saver.save), exchange.ErrClosed)
	assert.Zero(t, f.counter.total())
	st, err := f.store.Claim(testContext(t), exchange.KeyFor(token), "other", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, webhook.ClaimOK, st, "a closed Exchanger claims nothing")

	// Shutdown gives up when its context ends, while an exchange is still held.
	g := newGate(http.DefaultTransport)
	ex := exchange.New(f.srv.Client(link.WithHTTPClient(&http.Client{Transport: g})), webhook.NewMemoryDeduper(0))
	other := completeSession(t, f.srv)
	done := make(chan error, 1)
	go func() { done <- ex.Exchange(context.Background(), other, f.saver.save) }()
	<-g.arrived
	ctx, cancel := context.WithCancel(testContext(t))
	cancel()
	assert.ErrorIs(t, ex.Shutdown(ctx), context.Canceled)
	close(g.open)
	assert.NoError(t, <-done)
	assert.NoError(t, ex.Shutdown(testContext(t)))
}

func TestExchangeRefusesBadArguments(t *testing.T) {
	f := newFixture(t)
	ctx := testContext(t)
	var nilEx *exchange.Exchanger
	assert.EqualError(t, nilEx.Exchange(ctx, "public-sandbox-x", f.saver.save), "exchange: nil *Exchanger")
	assert.EqualError(t, nilEx.Shutdown(ctx), "exchange: nil *Exchanger")
	assert.EqualError(t, f.ex.Exchange(ctx, "", f.saver.save), "exchange: empty public token")
	assert.EqualError(t, f.ex.Exchange(ctx, "public-sandbox-x", nil), "exchange: nil save function")
	//lint:ignore SA1012 a nil Context is what is tested
	assert.EqualError(t, f.ex.Exchange(nil, "public-sandbox-x", f.saver.save), "exchange: nil Context")
	assert.Zero(t, f.counter.total())
}

func TestNewRefusesBadSettings(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	client, store := srv.Client(), webhook.NewMemoryDeduper(0)
	tests := []struct {
		name string
		new  func()
		want string
	}{
		{"nil client", func() { exchange.New(nil, store) }, "exchange: New: the *link.Client must not be nil"},
		{"nil store", func() { exchange.New(client, nil) }, "exchange: New: the webhook.Deduper must not be nil"},
		{"timeout 0", func() { exchange.New(client, store, exchange.WithTimeout(0)) }, "exchange: New: WithTimeout(0s): the timeout must be positive"},
		{"timeout negative", func() { exchange.New(client, store, exchange.WithTimeout(-time.Second)) }, "exchange: New: WithTimeout(-1s): the timeout must be positive"},
		{"save attempts 0", func() { exchange.New(client, store, exchange.WithSaveAttempts(0)) }, "exchange: New: WithSaveAttempts(0): there must be at least 1 attempt"},
		{"save attempts negative", func() { exchange.New(client, store, exchange.WithSaveAttempts(-2)) }, "exchange: New: WithSaveAttempts(-2): there must be at least 1 attempt"},
		{"done TTL", func() { exchange.New(client, store, exchange.WithDoneTTL(10*time.Minute)) },
			"exchange: New: WithDoneTTL(10m0s): the TTL must be at least 30m0s, the public token's lifetime"},
		{"done TTL 0", func() { exchange.New(client, store, exchange.WithDoneTTL(0)) },
			"exchange: New: WithDoneTTL(0s): the TTL must be at least 30m0s, the public token's lifetime"},
		{"poll interval", func() { exchange.New(client, store, exchange.WithPollInterval(-time.Second)) }, "exchange: New: WithPollInterval(-1s): the interval must be positive"},
		{"poll interval 0", func() { exchange.New(client, store, exchange.WithPollInterval(0)) }, "exchange: New: WithPollInterval(0s): the interval must be positive"},
		{"store timeout", func() { exchange.New(client, store, exchange.WithStoreTimeout(0)) }, "exchange: New: WithStoreTimeout(0s): the timeout must be positive"},
		{"nil option", func() { exchange.New(client, store, exchange.WithTimeout(time.Second), nil) }, "exchange: New: option 2 of 2 is nil"},
		{"first bad option named", func() { exchange.New(client, store, exchange.WithSaveAttempts(0), exchange.WithTimeout(0)) },
			"exchange: New: WithSaveAttempts(0): there must be at least 1 attempt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.want, tt.new)
		})
	}
	assert.NotPanics(t, func() {
		exchange.New(client, store, exchange.WithTimeout(time.Second), exchange.WithSaveAttempts(1),
			exchange.WithDoneTTL(exchange.PublicTokenLifetime), exchange.WithPollInterval(time.Millisecond), exchange.WithStoreTimeout(time.Second))
	})
}

// The lease outlasts everything a claim's holder may do before it writes the outcome.
func TestLeaseCoversTheWork(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	ex := exchange.New(srv.Client(), webhook.NewMemoryDeduper(0))
	// The exchange, three saves, the waits of 0.5 s and 1 s between them, two store timeouts and
	// a minute to spare.
	assert.Equal(t, 4*time.Minute+1500*time.Millisecond+4*time.Second+time.Minute, exchange.Lease(ex))
	ex = exchange.New(srv.Client(), webhook.NewMemoryDeduper(0), exchange.WithTimeout(time.Second), exchange.WithSaveAttempts(1), exchange.WithStoreTimeout(time.Second))
	assert.Equal(t, 2*time.Second+2*time.Second+time.Minute, exchange.Lease(ex))
}

// While the holder's done marker cannot be written, a caller of the same Exchanger waiting on the
// claim is woken once, and then waits out the poll interval instead of asking the store again and
// again.
func TestWaiterDoesNotSpinWhileDoneFails(t *testing.T) {
	f := newFixture(t)
	flaky := &flakyStore{Deduper: f.store}
	inFlight := make(chan struct{}, 3)
	claims := &countingStore{Deduper: flaky, onInFlight: func() {
		select {
		case inFlight <- struct{}{}:
		default: // a spinning waiter: the assertion below fails on the third
		}
	}}
	ex := exchange.New(f.srv.Client(), claims, exchange.WithPollInterval(time.Hour))
	recovered := make(chan struct{})
	exchange.SetSleep(ex, func(ctx context.Context, _ time.Duration) error {
		<-recovered
		return nil
	})
	token := completeSession(t, f.srv)
	flaky.failDone.Store(true)

	saving, release := make(chan struct{}), make(chan struct{})
	holder := make(chan error, 1)
	go func() {
		holder <- ex.Exchange(testContext(t), token, func(ctx context.Context, r *link.ItemPublicTokenExchangeResponse) error {
			close(saving)
			<-release
			return f.saver.save(ctx, r)
		})
	}()
	<-saving
	ctx, cancel := context.WithCancel(testContext(t))
	waiter := make(chan error, 1)
	go func() { waiter <- ex.Exchange(ctx, token, f.saver.save) }()
	<-inFlight // the waiter found the claim
	close(release)
	require.NoError(t, <-holder, "saved; the done marker failed")
	<-inFlight // woken by the holder's first try to settle, the waiter found the claim again
	cancel()
	require.ErrorIs(t, <-waiter, exchange.ErrInFlight)
	assert.Empty(t, inFlight, "no third look: the waiter waited for the poll interval or its context")

	flaky.failDone.Store(false)
	close(recovered)
	require.NoError(t, ex.Shutdown(testContext(t)))
	assert.ErrorIs(t, f.ex.Exchange(testContext(t), token, f.saver.save), exchange.ErrAlreadyExchanged)
	assert.Len(t, f.saver.items(), 1)
}
