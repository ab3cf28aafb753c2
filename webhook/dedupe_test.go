package webhook

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
)

// Tests of runDeduped, the deduplication the handler wraps around fn, without HTTP: the handler's
// status for each outcome is tested in the handler's tests and, against Redis, in redisdedup.

const (
	testSession = "356dbb28-7f98-44d1-8e6d-0cec580f3171"
	testToken   = "public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d"
)

func itemAdd(token string) *ItemAddResult {
	return &ItemAddResult{WebhookType: TypeLink, WebhookCode: CodeItemAddResult, LinkSessionID: testSession,
		LinkToken: "link-sandbox-af1a0311-da53-4636-b754-dd15cc058176", PublicToken: token, Environment: EnvironmentSandbox}
}

func eventsOf(ids ...string) *Events {
	ev := &Events{WebhookType: TypeLink, WebhookCode: CodeEvents, LinkSessionID: testSession}
	for _, id := range ids {
		ev.Events = append(ev.Events, link.Event{EventName: "TRANSITION_VIEW", EventID: id})
	}
	return ev
}

// dedupeHandler is a handler with only what runDeduped uses.
func dedupeHandler(d Deduper, opts ...DedupeOption) *handler {
	var c handlerConfig
	WithDeduper(d, opts...)(&c)
	if c.bad != "" {
		panic(c.bad)
	}
	return &c.handler
}

// counter counts the calls of the function it makes.
type counter struct{ n atomic.Int32 }

func (c *counter) fn(err error) func() error {
	return func() error { c.n.Add(1); return err }
}

// errStore is the error of flakyDeduper's store.
var errStore = errors.New("store: connection refused")

// flakyDeduper wraps a Deduper with failures chosen by the test, and fails as a networked store
// would when the caller's context has ended.
type flakyDeduper struct {
	Deduper
	mu          sync.Mutex
	failClaimAt int // the nth Claim (from 1) fails; 0: none
	failDone    bool
	failRelease bool
	// hangDone: Done waits for its context to end, as on a hung store. The claims then answer
	// whatever their context, so that a short dedupe timeout meant for Done is not also raced by
	// the claims on a busy machine.
	hangDone bool
	claims   int
}

func (f *flakyDeduper) Claim(ctx context.Context, key, owner string, lease time.Duration) (ClaimState, error) {
	f.mu.Lock()
	f.claims++
	fail := f.claims == f.failClaimAt
	f.mu.Unlock()
	if fail {
		return 0, errStore
	}
	if err := ctx.Err(); err != nil && !f.hangDone {
		return 0, err
	}
	return f.Deduper.Claim(ctx, key, owner, lease)
}

func (f *flakyDeduper) Done(ctx context.Context, key string, ttl time.Duration) error {
	if f.hangDone {
		<-ctx.Done()
	}
	if f.failDone {
		return errStore
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return f.Deduper.Done(ctx, key, ttl)
}

func (f *flakyDeduper) Release(ctx context.Context, key, owner string) error {
	if f.failRelease {
		return errStore
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return f.Deduper.Release(ctx, key, owner)
}

// stateOf returns what a fresh owner finds for key, without keeping a claim.
func stateOf(t *testing.T, d *MemoryDeduper, key string) ClaimState {
	t.Helper()
	st, err := d.Claim(context.Background(), key, "probe", time.Nanosecond)
	require.NoError(t, err)
	if st == ClaimOK {
		require.NoError(t, d.Release(context.Background(), key, "probe"))
	}
	return st
}

func TestRunDedupedOnce(t *testing.T) {
	ctx := context.Background()
	errDB := errors.New("db down")
	permanent := fmt.Errorf("unknown item: %w", ErrPermanent)
	tests := []struct {
		name string
		// fnErrs are fn's results for successive deliveries of one ITEM_ADD_RESULT.
		fnErrs      []error
		wantSkipped []bool
		wantCalls   int32
		wantState   ClaimState // of the key after the deliveries
	}{
		{name: "success, then duplicates skip fn", fnErrs: []error{nil, nil, nil},
			wantSkipped: []bool{false, true, true}, wantCalls: 1, wantState: ClaimDone},
		{name: "failure releases, the redelivery runs fn", fnErrs: []error{errDB, errDB, nil, nil},
			wantSkipped: []bool{false, false, false, true}, wantCalls: 3, wantState: ClaimDone},
		{name: "permanent failure is done", fnErrs: []error{permanent, nil},
			wantSkipped: []bool{false, true}, wantCalls: 1, wantState: ClaimDone},
		{name: "failure only", fnErrs: []error{errDB},
			wantSkipped: []bool{false}, wantCalls: 1, wantState: ClaimOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := newTestMemoryDeduper(10)
			h := dedupeHandler(d)
			var c counter
			for i, fnErr := range tc.fnErrs {
				skipped, err := h.runDeduped(ctx, itemAdd(testToken), c.fn(fnErr))
				assert.Equal(t, tc.wantSkipped[i], skipped, "delivery %d", i)
				if tc.wantSkipped[i] {
					require.NoError(t, err)
				} else {
					require.Equal(t, fnErr, err, "fn's error as is, delivery %d", i)
				}
			}
			assert.Equal(t, tc.wantCalls, c.n.Load())
			assert.Equal(t, tc.wantState, stateOf(t, d, dedupeKeys(itemAdd(testToken))[0]))
		})
	}
}

func TestRunDedupedTimes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		opts      []DedupeOption
		wantLease time.Duration
		wantTTL   time.Duration
	}{
		{name: "defaults", wantLease: 60 * time.Second, wantTTL: 25 * time.Hour},
		{name: "set", opts: []DedupeOption{WithLease(5 * time.Second), WithDoneTTL(48 * time.Hour)}, wantLease: 5 * time.Second, wantTTL: 48 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, clock := newTestMemoryDeduper(10)
			h := dedupeHandler(d, tc.opts...)
			key := dedupeKeys(itemAdd(testToken))[0]
			start := clock.Now()
			_, err := h.runDeduped(ctx, itemAdd(testToken), func() error {
				assert.Equal(t, tc.wantLease, d.expiry(key).Sub(start), "lease")
				clock.Add(time.Second)
				return nil
			})
			require.NoError(t, err)
			assert.Equal(t, time.Second+tc.wantTTL, d.expiry(key).Sub(start), "done TTL")
		})
	}
}

func TestRunDedupedWithoutDeduper(t *testing.T) {
	for _, h := range []*handler{{}, dedupeHandler(nil)} {
		var c counter
		for range 3 {
			skipped, err := h.runDeduped(context.Background(), itemAdd(testToken), c.fn(nil))
			require.NoError(t, err)
			assert.False(t, skipped)
		}
		assert.Equal(t, int32(3), c.n.Load())
		assert.Nil(t, h.dedupe)
	}
}

func TestRunDedupedInFlight(t *testing.T) {
	ctx := context.Background()
	d, clock := newTestMemoryDeduper(10)
	h := dedupeHandler(d)
	key := dedupeKeys(itemAdd(testToken))[0]
	// Another instance is processing the same webhook.
	st, err := d.Claim(ctx, key, "elsewhere", DefaultDedupeLease)
	require.NoError(t, err)
	require.Equal(t, ClaimOK, st)

	var c counter
	skipped, err := h.runDeduped(ctx, itemAdd(testToken), c.fn(nil))
	require.ErrorIs(t, err, ErrInFlight)
	assert.False(t, skipped)
	assert.Zero(t, c.n.Load())

	// It crashed: once its lease ends, the redelivery is processed.
	clock.Add(DefaultDedupeLease - time.Millisecond)
	_, err = h.runDeduped(ctx, itemAdd(testToken), c.fn(nil))
	require.ErrorIs(t, err, ErrInFlight)
	clock.Add(time.Millisecond)
	skipped, err = h.runDeduped(ctx, itemAdd(testToken), c.fn(nil))
	require.NoError(t, err)
	assert.False(t, skipped)
	assert.Equal(t, int32(1), c.n.Load())

	// Its late Release does not undo the work done since.
	require.NoError(t, d.Release(ctx, key, "elsewhere"))
	assert.Equal(t, ClaimDone, stateOf(t, d, key))
}

// TestRunDedupedLeaseEndsWhileFnRuns plays two instances: A's fn outlasts its lease, B claims the
// key after it and runs fn too. A succeeds first and marks the key done over B's claim: the
// webhook was processed, so a third delivery meanwhile is a duplicate, and B's failure, if it
// fails, releases nothing; if B succeeds too, fn ran twice, which the lease allows and WithLease
// documents.
func TestRunDedupedLeaseEndsWhileFnRuns(t *testing.T) {
	for name, bErr := range map[string]error{"B fails": errors.New("B failed"), "B succeeds": nil} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d, clock := newTestMemoryDeduper(10)
			a, b, later := dedupeHandler(d), dedupeHandler(d), dedupeHandler(d)
			ev := itemAdd(testToken)
			key := dedupeKeys(ev)[0]

			aIn, aGo := make(chan struct{}), make(chan struct{})
			aDone := make(chan error)
			go func() {
				_, err := a.runDeduped(ctx, ev, func() error { close(aIn); <-aGo; return nil })
				aDone <- err
			}()
			<-aIn
			clock.Add(DefaultDedupeLease) // A is still running

			bIn, bGo := make(chan struct{}), make(chan struct{})
			bDone := make(chan error)
			go func() {
				_, err := b.runDeduped(ctx, ev, func() error { close(bIn); <-bGo; return bErr })
				bDone <- err
			}()
			<-bIn // B claimed the key A's lease no longer holds

			close(aGo)
			require.NoError(t, <-aDone)
			assert.Equal(t, ClaimDone, stateOf(t, d, key), "A's success marks the key done over B's claim")
			var c counter
			skipped, err := later.runDeduped(ctx, ev, c.fn(nil))
			require.NoError(t, err)
			assert.True(t, skipped, "a delivery while B still runs is a duplicate")

			close(bGo)
			assert.Equal(t, bErr, <-bDone)
			assert.Equal(t, ClaimDone, stateOf(t, d, key), "B's outcome leaves the key done")
			skipped, err = later.runDeduped(ctx, ev, c.fn(nil))
			require.NoError(t, err)
			assert.True(t, skipped)
			assert.Zero(t, c.n.Load())
		})
	}
}

func TestRunDedupedConcurrent(t *testing.T) {
	ctx := context.Background()
	d := NewMemoryDeduper(100)
	// Two handlers sharing the deduper, as two receivers in one process would.
	handlers := []*handler{dedupeHandler(d), dedupeHandler(d)}
	var c counter
	var skipped, inFlight atomic.Int32
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := handlers[i%2].runDeduped(ctx, itemAdd(testToken), c.fn(nil))
			switch {
			case s:
				skipped.Add(1)
			case errors.Is(err, ErrInFlight):
				inFlight.Add(1)
			default:
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), c.n.Load(), "fn runs once")
	assert.Equal(t, int32(49), skipped.Load()+inFlight.Load(), "every other delivery is a duplicate")
	s, err := handlers[0].runDeduped(ctx, itemAdd(testToken), c.fn(nil))
	require.NoError(t, err)
	assert.True(t, s, "a later redelivery skips fn")
	assert.Equal(t, int32(1), c.n.Load())
}

func TestRunDedupedEvents(t *testing.T) {
	ctx := context.Background()
	d, _ := newTestMemoryDeduper(100)
	h := dedupeHandler(d)
	var c counter
	deliver := func(ev *Events) bool {
		t.Helper()
		skipped, err := h.runDeduped(ctx, ev, c.fn(nil))
		require.NoError(t, err)
		return skipped
	}
	assert.False(t, deliver(eventsOf("e1", "e2")))
	assert.True(t, deliver(eventsOf("e2", "e1")), "same events in another order")
	assert.True(t, deliver(eventsOf("e1")), "a subset of what was processed")
	assert.False(t, deliver(eventsOf("e1", "e2", "e3")), "a superset has new events")
	assert.True(t, deliver(eventsOf("e3", "e1", "e2", "e3")))
	assert.Equal(t, int32(2), c.n.Load())

	// The same event ids in another session are other events.
	other := eventsOf("e1")
	other.LinkSessionID = "1daca4d5-9a0d-4e85-a2e9-1e905ecaa32e"
	assert.False(t, deliver(other))
	assert.Equal(t, int32(3), c.n.Load())
}

func TestRunDedupedEventsInFlightLeaksNoClaim(t *testing.T) {
	ctx := context.Background()
	d, _ := newTestMemoryDeduper(100)
	h := dedupeHandler(d)
	var c counter
	_, err := h.runDeduped(ctx, eventsOf("e1"), c.fn(nil))
	require.NoError(t, err)
	// Another delivery holds e3, processing an EVENTS of e1..e3.
	e3 := dedupeKeys(eventsOf("e3"))[0]
	_, err = d.Claim(ctx, e3, "elsewhere", time.Minute)
	require.NoError(t, err)
	require.Equal(t, 2, d.Len())

	skipped, err := h.runDeduped(ctx, eventsOf("e1", "e2", "e3", "e4"), c.fn(nil))
	require.ErrorIs(t, err, ErrInFlight)
	assert.False(t, skipped)
	assert.Equal(t, int32(1), c.n.Load())
	assert.Equal(t, 2, d.Len(), "the claims on e2 and e4 were released")
	for _, id := range []string{"e2", "e4"} {
		assert.Equal(t, ClaimOK, stateOf(t, d, dedupeKeys(eventsOf(id))[0]), id)
	}

	require.NoError(t, d.Done(ctx, e3, time.Hour))
	skipped, err = h.runDeduped(ctx, eventsOf("e1", "e2", "e3", "e4"), c.fn(nil))
	require.NoError(t, err)
	assert.False(t, skipped)
	assert.Equal(t, int32(2), c.n.Load())
	for _, id := range []string{"e1", "e2", "e3", "e4"} {
		assert.Equal(t, ClaimDone, stateOf(t, d, dedupeKeys(eventsOf(id))[0]), id)
	}
}

func TestRunDedupedStoreFailures(t *testing.T) {
	ctx := context.Background()
	errFn := errors.New("fn failed")
	tests := []struct {
		name        string
		flaky       *flakyDeduper
		fnErr       error
		wantErr     []error
		wantCalls   int32
		wantSkipped bool
		// wantState of e1..e4 after the delivery.
		wantState ClaimState
	}{
		{name: "first claim fails", flaky: &flakyDeduper{failClaimAt: 1},
			wantErr: []error{ErrDedupeUnavailable, errStore}, wantState: ClaimOK},
		{name: "a later claim fails, the earlier are released", flaky: &flakyDeduper{failClaimAt: 3},
			wantErr: []error{ErrDedupeUnavailable, errStore}, wantState: ClaimOK},
		{name: "done fails after fn succeeded: fn's answer stands", flaky: &flakyDeduper{failDone: true},
			wantCalls: 1, wantState: ClaimInFlight},
		{name: "release fails after fn failed: fn's error", flaky: &flakyDeduper{failRelease: true}, fnErr: errFn,
			wantErr: []error{errFn}, wantCalls: 1, wantState: ClaimInFlight},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem, clock := newTestMemoryDeduper(100)
			tc.flaky.Deduper = mem
			h := dedupeHandler(tc.flaky)
			var c counter
			ev := eventsOf("e1", "e2", "e3", "e4")
			skipped, err := h.runDeduped(ctx, ev, c.fn(tc.fnErr))
			assert.Equal(t, tc.wantSkipped, skipped)
			if len(tc.wantErr) == 0 {
				require.NoError(t, err)
			}
			for _, want := range tc.wantErr {
				require.ErrorIs(t, err, want)
			}
			assert.Equal(t, tc.wantCalls, c.n.Load())
			for _, k := range dedupeKeys(ev) {
				assert.Equal(t, tc.wantState, stateOf(t, mem, k))
			}
			// Whatever was left claimed frees itself after the lease, and as no key was marked
			// done, the redelivery runs fn: nothing is lost (though fn may run twice when only
			// the done marker failed).
			clock.Add(DefaultDedupeLease)
			h = dedupeHandler(mem)
			skipped, err = h.runDeduped(ctx, ev, c.fn(nil))
			require.NoError(t, err)
			assert.False(t, skipped)
			assert.Equal(t, tc.wantCalls+1, c.n.Load())
		})
	}
}

func TestRunDedupedPanicReleases(t *testing.T) {
	ctx := context.Background()
	d, _ := newTestMemoryDeduper(10)
	h := dedupeHandler(d)
	assert.PanicsWithValue(t, "boom", func() {
		_, _ = h.runDeduped(ctx, itemAdd(testToken), func() error { panic("boom") })
	})
	assert.Equal(t, 0, d.Len(), "the claim was released")
	var c counter
	skipped, err := h.runDeduped(ctx, itemAdd(testToken), c.fn(nil))
	require.NoError(t, err)
	assert.False(t, skipped)
	assert.Equal(t, int32(1), c.n.Load())
}

func TestRunDedupedClientGone(t *testing.T) {
	// The request's context ends while fn runs (Plaid hung up after 10 s): the outcome is still
	// recorded, so the redelivery is a duplicate.
	for _, fnErr := range []error{nil, errors.New("fn failed")} {
		mem, _ := newTestMemoryDeduper(10)
		h := dedupeHandler(&flakyDeduper{Deduper: mem})
		ctx, cancel := context.WithCancel(context.Background())
		_, err := h.runDeduped(ctx, itemAdd(testToken), func() error { cancel(); return fnErr })
		require.Equal(t, fnErr, err)
		want := map[bool]ClaimState{true: ClaimDone, false: ClaimOK}[fnErr == nil]
		assert.Equal(t, want, stateOf(t, mem, dedupeKeys(itemAdd(testToken))[0]))
	}
}

func TestRunDedupedNotDeduplicated(t *testing.T) {
	sessionOnly := &SessionFinished{WebhookType: TypeLink, WebhookCode: CodeSessionFinished, LinkSessionID: testSession}
	noID := eventsOf("e1", "")
	tests := []struct {
		name string
		ev   Event
	}{
		{name: "unknown type", ev: &Unknown{WebhookType: "TRANSACTIONS", WebhookCode: "SYNC_UPDATES_AVAILABLE",
			Raw: []byte(`{"webhook_type":"TRANSACTIONS","webhook_code":"SYNC_UPDATES_AVAILABLE","item_id":"x"}`)}},
		{name: "unknown LINK code", ev: &Unknown{WebhookType: TypeLink, WebhookCode: "LINK_DELIVERY"}},
		{name: "ITEM_ADD_RESULT without public_token", ev: itemAdd("")},
		{name: "SESSION_FINISHED without status", ev: sessionOnly},
		{name: "EVENTS with an event without event_id", ev: noID},
		{name: "EVENTS without events", ev: eventsOf()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := newTestMemoryDeduper(10)
			h := dedupeHandler(d)
			var c counter
			for range 3 {
				skipped, err := h.runDeduped(context.Background(), tc.ev, c.fn(nil))
				require.NoError(t, err)
				assert.False(t, skipped)
			}
			assert.Equal(t, int32(3), c.n.Load())
			assert.Equal(t, 0, d.Len())
		})
	}
}

func TestDedupeKeys(t *testing.T) {
	finished := func(session string, status SessionStatus) *SessionFinished {
		return &SessionFinished{WebhookType: TypeLink, WebhookCode: CodeSessionFinished, LinkSessionID: session, Status: status,
			PublicTokens: []string{testToken}}
	}
	key := func(ev Event) string {
		keys := dedupeKeys(ev)
		require.Len(t, keys, 1)
		return keys[0]
	}
	t.Run("format, and no token in clear", func(t *testing.T) {
		for _, ev := range []Event{itemAdd(testToken), finished(testSession, SessionStatusSuccess), eventsOf("e1")} {
			k := key(ev)
			code, sum, ok := strings.Cut(k, ":")
			require.True(t, ok, k)
			assert.Equal(t, ev.Code(), code)
			assert.Regexp(t, `^\{[A-Za-z0-9_-]{22}\}([A-Za-z0-9_-]{22})?$`, sum, "a hash tag, then an event's hash")
			assert.NotContains(t, k, "public-sandbox")
			assert.NotContains(t, k, testSession)
		}
	})
	t.Run("meaning, not bytes", func(t *testing.T) {
		a, b := itemAdd(testToken), itemAdd(testToken)
		b.LinkToken, b.Environment = "link-production-x", EnvironmentProduction
		assert.Equal(t, key(a), key(b), "fields outside the key do not matter")
		assert.NotEqual(t, key(itemAdd(testToken)), key(itemAdd(testToken+"2")), "another Item of the session")
		assert.NotEqual(t, key(finished(testSession, SessionStatusSuccess)), key(finished(testSession, SessionStatusExited)))
		assert.NotEqual(t, key(finished(testSession, SessionStatusSuccess)), key(finished("other", SessionStatusSuccess)))
		assert.NotEqual(t, key(eventsOf("e1")), key(itemAdd("e1")), "codes do not collide")
	})
	t.Run("events: one key each, once, in one order", func(t *testing.T) {
		ab := dedupeKeys(eventsOf("a", "b", "a"))
		require.Len(t, ab, 2)
		assert.Equal(t, ab, dedupeKeys(eventsOf("b", "a")))
		assert.ElementsMatch(t, []string{key(eventsOf("a")), key(eventsOf("b"))}, ab)
	})
	t.Run("the keys of one webhook share a hash tag", func(t *testing.T) {
		keys := dedupeKeys(eventsOf("a", "b", "c"))
		require.Len(t, keys, 3)
		for _, k := range keys {
			assert.Equal(t, hashTag(keys[0]), hashTag(k), k)
		}
		assert.NotEmpty(t, hashTag(keys[0]))
		other := eventsOf("a")
		other.LinkSessionID = "another session"
		assert.NotEqual(t, hashTag(keys[0]), hashTag(dedupeKeys(other)[0]), "another session, another tag")
		assert.NotEqual(t, hashTag(key(itemAdd(testToken))), hashTag(key(itemAdd(testToken+"2"))), "one-key webhooks spread")
	})
	t.Run("parts are delimited", func(t *testing.T) {
		assert.NotEqual(t, dedupeKey("X", "ab", "c"), dedupeKey("X", "a", "bc"))
		assert.NotEqual(t, dedupeKey("X", "a", ""), dedupeKey("X", "", "a"))
	})
}

// hashTag is what a Redis Cluster hashes of key: the text between the first "{" and the next
// "}", if not empty; else the whole key.
func hashTag(key string) string {
	if _, after, ok := strings.Cut(key, "{"); ok {
		if tag, _, ok := strings.Cut(after, "}"); ok && tag != "" {
			return tag
		}
	}
	return key
}

// hungDeduper is a store that answers nothing: each call waits for its context to end.
type hungDeduper struct{ calls atomic.Int32 }

func (h *hungDeduper) Claim(ctx context.Context, _, _ string, _ time.Duration) (ClaimState, error) {
	h.calls.Add(1)
	<-ctx.Done()
	return 0, ctx.Err()
}

func (h *hungDeduper) Done(ctx context.Context, _ string, _ time.Duration) error {
	<-ctx.Done()
	return ctx.Err()
}

func (h *hungDeduper) Release(ctx context.Context, _, _ string) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestRunDedupedTimeout(t *testing.T) {
	t.Run("hung claims answer 503", func(t *testing.T) {
		var hung hungDeduper
		h := dedupeHandler(&hung, WithDedupeTimeout(10*time.Millisecond))
		var c counter
		skipped, err := h.runDeduped(context.Background(), eventsOf("e1", "e2"), c.fn(nil))
		require.ErrorIs(t, err, ErrDedupeUnavailable)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.False(t, skipped)
		assert.Zero(t, c.n.Load())
		assert.Equal(t, int32(1), hung.calls.Load(), "the timeout covers all the claims of a webhook")
	})
	t.Run("hung done keeps fn's answer", func(t *testing.T) {
		mem, _ := newTestMemoryDeduper(10)
		h := dedupeHandler(&flakyDeduper{Deduper: mem, hangDone: true}, WithDedupeTimeout(10*time.Millisecond))
		assert.Equal(t, 10*time.Millisecond, h.dedupe.timeout)
		var calls counter
		skipped, err := h.runDeduped(context.Background(), itemAdd(testToken), calls.fn(nil))
		require.NoError(t, err)
		assert.False(t, skipped)
		assert.Equal(t, int32(1), calls.n.Load())
	})
	t.Run("default", func(t *testing.T) {
		assert.Equal(t, 2*time.Second, dedupeHandler(NewMemoryDeduper(1)).dedupe.timeout)
	})
}
