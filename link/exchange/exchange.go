package exchange

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/webhook"
)

// SaveFunc stores what an exchange returned: the access token and item_id, in your database. It
// runs once per public token, on a context of its own that the caller's cancellation does not end,
// bounded by the Exchanger's timeout ([WithTimeout]), and must return when that context ends: a
// save that outlives every attempt's timeout could outlive the claim too. It is called again
// after an error, up to [WithSaveAttempts] times in all; it should be safe to repeat (an upsert
// keyed by item_id). A panic in it counts as a failed attempt, so that the access token is not
// lost with the process.
type SaveFunc = func(context.Context, *link.ItemPublicTokenExchangeResponse) error

// Exchanger exchanges each public token at most once across every caller sharing its store: the
// front end's onSuccess, the ITEM_ADD_RESULT webhook and its redeliveries, and [link.Client.WaitForSession],
// in one process or on every instance of a fleet sharing a Redis. It is safe for concurrent use.
// Make one per process with [New] and share it between those paths.
type Exchanger struct {
	client *link.Client
	store  webhook.Deduper
	cfg    config
	lease  time.Duration
	// sleep waits d or until ctx ends; tests swap it to decide when a wait is over.
	sleep func(ctx context.Context, d time.Duration) error

	mu      sync.Mutex
	closed  bool
	running map[string]*run // the claims this Exchanger holds, by key
	work    sync.WaitGroup  // exchanges, saves and store writes still under way
}

// run is one claim this Exchanger holds; settled is closed once its outcome is written to the
// store (or could not be on the first try), waking the callers of this Exchanger waiting on it.
type run struct {
	settled chan struct{}
}

// New returns an Exchanger that exchanges public tokens with client and records them in store:
// webhook.NewMemoryDeduper for a service that runs as one instance, webhook/redisdedup's Deduper
// for several sharing a Redis. The store may be the one a webhook handler uses (webhook.WithDeduper):
// the keys do not collide. It panics if client or store is nil, or an option is given a value it
// cannot use, naming it (see [Option]).
func New(client *link.Client, store webhook.Deduper, opts ...Option) *Exchanger {
	if client == nil {
		panic("exchange: New: the *link.Client must not be nil")
	}
	if store == nil {
		panic("exchange: New: the webhook.Deduper must not be nil")
	}
	cfg := defaultConfig()
	for i, o := range opts {
		if o == nil {
			cfg.refuse("option %d of %d is nil", i+1, len(opts))
			continue
		}
		o(&cfg)
	}
	if cfg.err != nil {
		panic("exchange: New: " + cfg.err.Error())
	}
	return &Exchanger{
		client:  client,
		store:   store,
		cfg:     cfg,
		lease:   cfg.lease(),
		sleep:   sleep,
		running: make(map[string]*run),
	}
}

// errNilExchanger is the error of every method of a nil *Exchanger.
var errNilExchanger = errors.New("exchange: nil *Exchanger")

// Exchange exchanges publicToken for an access token and calls save with the reply, unless a
// caller sharing the store has already done so or is doing so; across all of them,
// /item/public_token/exchange is called at most once per public token. Each public token is its
// own key, so the tokens of a Multi-Item Link session are exchanged independently.
//
// The caller that claims the token exchanges it and calls save on a context detached from ctx
// (context.WithoutCancel: its values, not its end) and bounded by [WithTimeout]. If ctx ends
// first, Exchange returns [ErrInFlight] at once and the work goes on: save still runs, once.
// Exchange returns:
//
//   - nil only to the caller whose save ran and returned nil;
//   - [ErrAlreadyExchanged] to a caller that finds the token done, or that waits while another
//     caller holds it until it is done; waiting ends with ctx ([ErrInFlight]);
//   - an error matching link.ErrOutcomeUnknown to the caller whose exchange lost its reply: the
//     token may be spent and its access token is then lost, so it is marked done, never sent
//     again, and nobody gets nil for it; the user must link again;
//   - the *link.Error INVALID_PUBLIC_TOKEN (link.IsErrorCode) for a token Plaid says is spent or
//     expired, which is then marked done too;
//   - a [*SaveError] when save failed [WithSaveAttempts] times: it carries the access token;
//     the token is done;
//   - any other error of the exchange (rate limiting after the client's retries,
//     INVALID_API_KEYS, ...) as the client returned it: nothing was spent, the claim is freed,
//     and a later call may exchange the token;
//   - [ErrStoreUnavailable] when the store could not be asked, an error matching ctx's error
//     when ctx ended before the token was claimed or found claimed, and [ErrClosed] after
//     [Exchanger.Shutdown]: nothing was sent to Plaid.
//
// If writing the outcome to the store fails, Exchange still returns it, and the Exchanger keeps
// writing it in the background until the claim's lease ends; [Exchanger.Shutdown] waits for that.
func (e *Exchanger) Exchange(ctx context.Context, publicToken string, save SaveFunc) error {
	switch {
	case e == nil:
		return errNilExchanger
	case ctx == nil:
		return errors.New("exchange: nil Context")
	case publicToken == "":
		return errors.New("exchange: empty public token")
	case save == nil:
		return errors.New("exchange: nil save function")
	}
	key := keyFor(publicToken)
	owner := rand.Text()
	waited := false
	for {
		if e.isClosed() {
			return ErrClosed
		}
		state, err := e.claim(ctx, key, owner)
		if err != nil {
			if ctx.Err() != nil {
				return e.gaveUp(ctx, waited)
			}
			return fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
		}
		switch state {
		case webhook.ClaimDone:
			return ErrAlreadyExchanged
		case webhook.ClaimOK:
			return e.exchangeClaimed(ctx, key, owner, publicToken, save)
		case webhook.ClaimInFlight:
			waited = true
			if err := e.waitFor(ctx, key); err != nil {
				return e.gaveUp(ctx, waited)
			}
		default:
			return fmt.Errorf("%w: Claim returned %v", ErrStoreUnavailable, state)
		}
	}
}

// gaveUp is the error of a caller whose ctx ended before it claimed the token.
func (e *Exchanger) gaveUp(ctx context.Context, waited bool) error {
	if waited {
		return fmt.Errorf("%w: %w", ErrInFlight, context.Cause(ctx))
	}
	return fmt.Errorf("exchange: %w", context.Cause(ctx))
}

// keyFor is the store's key for publicToken: a SHA-256, so that the token is never stored, under
// a prefix of its own so that it cannot meet a webhook's key in a store both share.
func keyFor(publicToken string) string {
	sum := sha256.Sum256([]byte(publicToken))
	return "exchange:" + hex.EncodeToString(sum[:])
}

func (e *Exchanger) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// claim asks the store for key, within the store timeout.
func (e *Exchanger) claim(ctx context.Context, key, owner string) (webhook.ClaimState, error) {
	cctx, cancel := context.WithTimeout(ctx, e.cfg.storeTimeout)
	defer cancel()
	return e.store.Claim(cctx, key, owner, e.lease)
}

// waitFor waits until this Exchanger settles its own claim on key, or the poll interval passes
// (for a claim another instance holds), or ctx ends, which is its error.
func (e *Exchanger) waitFor(ctx context.Context, key string) error {
	e.mu.Lock()
	// nil, which never fires, if the claim is another instance's, or if this Exchanger's holder
	// has already tried to settle it (and failed: it retries in the background), lest the wait
	// turn into a busy loop.
	var settled chan struct{}
	if r := e.running[key]; r != nil {
		select {
		case <-r.settled:
		default:
			settled = r.settled
		}
	}
	e.mu.Unlock()
	t := time.NewTimer(e.cfg.pollInterval)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-settled:
	case <-t.C:
	}
	return nil
}

// exchangeClaimed runs the exchange and save of a claimed token on a goroutine of their own, so
// that they go on if ctx ends, and returns their outcome, or [ErrInFlight] if ctx ends first.
func (e *Exchanger) exchangeClaimed(ctx context.Context, key, owner, publicToken string, save SaveFunc) error {
	deadline := time.Now().Add(e.lease)
	r := &run{settled: make(chan struct{})}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		// Nothing was sent: the claim is freed for another instance, or frees itself after its lease.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.cfg.storeTimeout)
		defer cancel()
		_ = e.store.Release(rctx, key, owner)
		return ErrClosed
	}
	e.running[key] = r
	e.work.Add(1)
	e.mu.Unlock()

	result := make(chan error, 1)
	go func() {
		defer e.work.Done()
		defer func() {
			e.mu.Lock()
			if e.running[key] == r {
				delete(e.running, key)
			}
			e.mu.Unlock()
		}()
		detached := context.WithoutCancel(ctx)
		spent, err := e.exchangeAndSave(detached, publicToken, save)
		write := func(sctx context.Context) error { return e.store.Done(sctx, key, e.cfg.doneTTL) }
		if !spent {
			write = func(sctx context.Context) error { return e.store.Release(sctx, key, owner) }
		}
		e.settle(detached, key, write, deadline, func() {
			// The outcome goes to the caller, and this instance's waiters look again, once the
			// store has it, or after the first failed write: the retries are not waited for.
			result <- err
			close(r.settled)
		})
	}()

	select {
	case err := <-result:
		return err
	case <-ctx.Done():
		select {
		case err := <-result:
			return err
		default:
		}
		return fmt.Errorf("%w: %w", ErrInFlight, context.Cause(ctx))
	}
}

// exchangeAndSave exchanges publicToken and saves the reply. spent reports whether the token may
// no longer be sent to Plaid: it was exchanged, or may have been, or Plaid refused it as spent.
func (e *Exchanger) exchangeAndSave(ctx context.Context, publicToken string, save SaveFunc) (spent bool, err error) {
	xctx, cancel := context.WithTimeout(ctx, e.cfg.timeout)
	resp, err := e.client.ExchangePublicToken(xctx, &link.ItemPublicTokenExchangeRequest{PublicToken: publicToken})
	cancel()
	switch {
	case err == nil && (resp == nil || resp.AccessToken == ""):
		// A 2xx without the token: the exchange happened, and what it gave is lost.
		return true, fmt.Errorf("exchange: %w: the reply to /item/public_token/exchange has no access_token", link.ErrOutcomeUnknown)
	case err == nil:
	case errors.Is(err, link.ErrOutcomeUnknown), link.IsErrorCode(err, link.ErrorCodeInvalidPublicToken):
		return true, err
	default:
		// Any other failure of a single-use call was not carried out: the link.Client reports
		// every one that may have been as ErrOutcomeUnknown.
		return false, err
	}

	var saveErr error
	for attempt := 1; ; attempt++ {
		sctx, cancel := context.WithTimeout(ctx, e.cfg.timeout)
		saveErr = callSave(sctx, save, resp)
		cancel()
		if saveErr == nil {
			return true, nil
		}
		if attempt == e.cfg.saveAttempts {
			return true, newSaveError(resp, publicToken, attempt, saveErr)
		}
		_ = e.sleep(ctx, backoff(attempt, saveBackoffFirst, saveBackoffMax)) // ctx never ends
	}
}

// callSave calls save, turning a panic into an error so that the access token is kept.
func callSave(ctx context.Context, save SaveFunc, resp *link.ItemPublicTokenExchangeResponse) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &savePanic{value: v}
		}
	}()
	// A copy, so that a save that changes the reply cannot change what a SaveError hands back.
	r := *resp
	return save(ctx, &r)
}

// settle writes a claim's outcome to the store with write, calling first (if not nil) after the
// first attempt, and retrying a failed write until it succeeds or deadline passes: a claim left
// behind would make other callers wait until its lease ends, and, for a spent token, let one of
// them send it to Plaid again after that.
func (e *Exchanger) settle(ctx context.Context, key string, write func(context.Context) error, deadline time.Time, first func()) {
	for attempt := 1; ; attempt++ {
		wctx, cancel := context.WithTimeout(ctx, e.cfg.storeTimeout)
		err := write(wctx)
		cancel()
		if attempt == 1 && first != nil {
			first()
		}
		if err == nil {
			return
		}
		wait := backoff(attempt, settleBackoffMin, settleBackoffMax)
		if time.Now().Add(wait).After(deadline) {
			return
		}
		_ = e.sleep(ctx, wait)
	}
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown refuses new exchanges ([ErrClosed]) and waits until those under way have finished,
// their saves and the writes of their outcomes to the store included, or ctx ends, whose error
// it then returns. Call it before the process exits, after the HTTP server's own Shutdown: an
// exchange whose caller gave up goes on in the background, with the access token in hand.
func (e *Exchanger) Shutdown(ctx context.Context) error {
	if e == nil {
		return errNilExchanger
	}
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	done := make(chan struct{})
	go func() {
		e.work.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
