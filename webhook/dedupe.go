package webhook

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Deduper records which webhooks have been processed, so that a webhook Plaid delivers more than
// once (it delivers again after any answer but 200, or none within 10 s, for up to 24 h) runs the
// handler's function once. [WithDeduper] puts one on a handler; [NewMemoryDeduper] serves one
// instance, and package webhook/redisdedup a fleet sharing a Redis.
//
// A key is in one of three states: absent, claimed by one owner until its lease ends, or done
// until its TTL ends (a store may remember it longer, never shorter). The handler calls Claim for each key of a verified webhook with an owner
// token of its own for that request, runs fn only if it claimed something, and then calls Done for
// the keys it claimed (fn succeeded, or failed with [ErrPermanent]) or Release (fn failed
// otherwise). A Deduper that is also a [BatchDeduper] gets one call for all the keys of a webhook
// instead. Keys are opaque, at most a few hundred bytes, and hold no token in clear: what comes
// from the webhook is hashed. The keys of one webhook share a hash tag, the text between the first
// "{" and the "}" after it, as a Redis Cluster reads one: a store that shards by it holds them in
// one shard, so that one script or transaction can reach them all.
//
// Each method acts on one key atomically, so an implementation needs no transactions across keys
// (a Redis Cluster is fine). All methods must be safe for concurrent use, by many processes if the
// store is shared. An error means the store could not answer: the handler answers 503 and Plaid
// delivers the webhook again later. webhooktest.TestDeduper checks an implementation against this
// contract.
//
// With a Deduper that keeps this contract, the handler guarantees, for each key:
//
//   - fn starts only in a request that holds an unexpired claim on the key, so two runs of fn for
//     it overlap only if one outlasts its lease;
//   - once any run of fn for the key has succeeded (or dropped the webhook with [ErrPermanent]),
//     the key is done until its TTL ends, and nothing undoes that: no Release, and no other run
//     failing. Later deliveries get 200 without fn.
//
// So fn runs a second time for one webhook only if a run outlasts its lease (a redelivery then
// claims the key and runs fn alongside it), the done marker could not be written after fn
// succeeded (the claim then frees itself when its lease ends), the store forgets (a restart of a
// MemoryDeduper, its eviction of the oldest done markers at its bound, a Redis that loses its
// data), or the done TTL is shorter than Plaid's 24 hours of redeliveries.
type Deduper interface {
	// Claim takes key for owner for lease, if the key is absent or its earlier claim's lease has
	// ended, and returns [ClaimOK]. It returns [ClaimDone] if the key is done, and
	// [ClaimInFlight] if another owner's lease on it is running. Claiming a key that owner already
	// holds returns ClaimOK (and may or may not renew the lease).
	Claim(ctx context.Context, key, owner string, lease time.Duration) (ClaimState, error)
	// Done marks key done for ttl, whatever its state, another owner's claim included. The handler
	// calls it only once fn has processed the webhook the key stands for, so "done" is true even
	// if the caller's lease ran out and another delivery claimed the key meanwhile; that
	// delivery's later Release must not undo it. Refusing to overwrite the claim would be worse:
	// if the other delivery's fn then failed, it would release the key, and the next redelivery
	// would run fn again for a webhook already processed.
	Done(ctx context.Context, key string, ttl time.Duration) error
	// Release deletes key if, and only if, owner's claim is on it, so that a claim whose lease
	// ended and that another owner took over, or a done marker, stays as it is.
	Release(ctx context.Context, key, owner string) error
}

// ClaimState is what [Deduper.Claim] found.
type ClaimState int

// ClaimState values.
const (
	// ClaimOK means the caller now holds the key and is to process the webhook.
	ClaimOK ClaimState = iota + 1
	// ClaimInFlight means another owner holds the key: the webhook is being processed elsewhere.
	ClaimInFlight
	// ClaimDone means the webhook was processed already.
	ClaimDone
)

// String returns the state's name, for logs and test failures.
func (s ClaimState) String() string {
	switch s {
	case ClaimOK:
		return "ClaimOK"
	case ClaimInFlight:
		return "ClaimInFlight"
	case ClaimDone:
		return "ClaimDone"
	}
	return fmt.Sprintf("ClaimState(%d)", int(s))
}

// BatchDeduper is a [Deduper] that also acts on all the keys of a webhook in one call: one round
// trip to claim them and one to mark them done or release them, whatever their number (an EVENTS
// webhook has one key per event). The handler uses these methods when its Deduper has them, and
// the per-key ones otherwise, so a Deduper written with the three methods alone keeps working.
//
// Each method does to each key what its per-key form does, in the order given; the keys need not
// be changed all at once, and an error may leave some of them changed. The handler passes the keys
// of one webhook, which share a hash tag (see [Deduper]), each once.
type BatchDeduper interface {
	Deduper
	// ClaimBatch claims each of keys as [Deduper.Claim] would, one after another, and returns
	// the state of each, in the order of keys. On an error the handler releases them all.
	ClaimBatch(ctx context.Context, keys []string, owner string, lease time.Duration) ([]ClaimState, error)
	// DoneBatch marks each of keys done as [Deduper.Done] does.
	DoneBatch(ctx context.Context, keys []string, ttl time.Duration) error
	// ReleaseBatch releases each of keys as [Deduper.Release] does.
	ReleaseBatch(ctx context.Context, keys []string, owner string) error
}

// Defaults for [WithDeduper].
const (
	// DefaultDedupeLease is how long a claim holds a key while fn runs. Plaid waits 10 s for an
	// answer, so a handler whose fn takes longer is redelivered anyway; the lease is well above
	// that, and short enough that a crashed instance's claims free themselves within a minute.
	DefaultDedupeLease = 60 * time.Second
	// DefaultDedupeTTL is how long a processed webhook is remembered: Plaid delivers a webhook
	// again for up to 24 h, plus an hour for clock differences and the last attempt's delay.
	DefaultDedupeTTL = 25 * time.Hour
	// DefaultDedupeTimeout bounds the deduper's calls for one webhook before fn (its claims) and
	// after it (marking done or releasing), so that a hung store costs a 503 within Plaid's 10 s
	// rather than no answer.
	DefaultDedupeTimeout = 2 * time.Second
)

// Errors of the deduper that runDeduped returns instead of running fn. Neither says the webhook
// was dealt with, so Plaid delivers it again later and nothing is lost ([NewHandler] says where
// the status each gets is listed).
var (
	// ErrInFlight means a duplicate of the webhook is being processed by another request, here or
	// on another instance. By the time Plaid delivers it again the other request has finished:
	// the key is then done (200 without fn) or released (fn runs).
	ErrInFlight = errors.New("webhook: a duplicate of this webhook is being processed")
	// ErrDedupeUnavailable means the deduper's store failed (Redis unreachable, memory deduper
	// full of live claims); the error wraps the store's error. fn was not run.
	ErrDedupeUnavailable = errors.New("webhook: deduper unavailable")
)

// DedupeOption configures how [WithDeduper] uses its Deduper. A value an option cannot use makes
// [NewHandler] panic, naming WithDeduper, the option and the value, such as
// "webhook: NewHandler: WithDeduper: WithLease(0s): the lease must be positive" (see
// [HandlerOption]); so does a nil DedupeOption.
type DedupeOption func(*dedupeConfig)

// WithLease sets how long a claim holds a key while fn runs (default [DefaultDedupeLease]).
// A d of zero or less makes NewHandler panic. If fn runs longer than the lease, a delivery of the
// same webhook arriving after the lease ran out claims the key and runs fn a second time,
// concurrently with the first: set the lease above fn's longest run. Whichever fn succeeds marks
// the key done.
func WithLease(d time.Duration) DedupeOption {
	return func(c *dedupeConfig) {
		if d <= 0 {
			c.refuse("WithLease(%v): the lease must be positive", d)
			return
		}
		c.lease = d
	}
}

// WithDoneTTL sets how long a processed webhook is remembered (default [DefaultDedupeTTL]).
// A d of zero or less makes NewHandler panic. Below 24 h, a redelivery Plaid sends after a lost
// 200 may run fn again.
func WithDoneTTL(d time.Duration) DedupeOption {
	return func(c *dedupeConfig) {
		if d <= 0 {
			c.refuse("WithDoneTTL(%v): the TTL must be positive", d)
			return
		}
		c.ttl = d
	}
}

// WithDedupeTimeout sets how long the deduper's calls for one webhook may take before fn, and
// again after it (default [DefaultDedupeTimeout]). A d of zero or less makes NewHandler panic.
// Claims that time out are answered 503 ([ErrDedupeUnavailable]).
func WithDedupeTimeout(d time.Duration) DedupeOption {
	return func(c *dedupeConfig) {
		if d <= 0 {
			c.refuse("WithDedupeTimeout(%v): the timeout must be positive", d)
			return
		}
		c.timeout = d
	}
}

// dedupeConfig is the Deduper of a handler with the times it is used with.
type dedupeConfig struct {
	Deduper
	lease, ttl, timeout time.Duration
	// bad is the first option given a value it cannot use; NewHandler panics with it.
	bad string
}

// refuse records that an option was given a value it cannot use; the first one wins.
func (c *dedupeConfig) refuse(format string, args ...any) {
	if c.bad == "" {
		c.bad = fmt.Sprintf(format, args...)
	}
}

// WithDeduper makes the handler run fn once per webhook meaning across every handler that shares
// d, so that Plaid's redeliveries and a session's repeated EVENTS are processed once; [Deduper]
// states the guarantee exactly, and the few cases in which fn can run twice.
//
// A verified LINK webhook gets its keys from what it means, not from its bytes: ITEM_ADD_RESULT
// from link_session_id and public_token, SESSION_FINISHED from link_session_id and status, EVENTS
// from link_session_id and each event's event_id. An EVENTS whose events were all processed is a
// duplicate; one with any new event runs fn with the whole webhook, as sent, and marks all its
// events done. The typed ITEM, LINK_DELIVERY and LAYER webhooks are keyed by type, code, the Item
// (or delivery or Link session) and the SHA-256 of the body, which a redelivery repeats. [Unknown]
// webhooks, which may repeat byte for byte for distinct notifications, and webhooks missing a
// field their key needs (an event without event_id, an EVENTS without events, an ITEM webhook
// without item_id) are never deduplicated: fn runs for each delivery.
//
// For each delivery: a duplicate of a processed webhook is answered 200 without fn; one being
// processed by another request is answered 503 ([ErrInFlight]), as is every webhook while d's
// store fails ([ErrDedupeUnavailable]). Otherwise fn runs; success, or an error wrapping
// [ErrPermanent], marks the keys done for the TTL, and any other error (a panic included) releases
// them so that the redelivery runs fn again. If the done marker cannot be written after fn
// succeeded, the answer is still 200: fn did its work, and the claim frees itself after its lease.
// A nil d turns deduplication off; its options are still checked.
func WithDeduper(d Deduper, opts ...DedupeOption) HandlerOption {
	c := &dedupeConfig{Deduper: d, lease: DefaultDedupeLease, ttl: DefaultDedupeTTL, timeout: DefaultDedupeTimeout}
	for i, o := range opts {
		if o == nil {
			c.refuse("option %d of %d is nil", i+1, len(opts))
			continue
		}
		o(c)
	}
	return func(h *handlerConfig) {
		if c.bad != "" {
			h.refuse("WithDeduper: %s", c.bad)
			return
		}
		if d == nil {
			h.dedupe = nil
			return
		}
		h.dedupe = c
	}
}

// runDeduped runs call at most once for what ev means, across every handler sharing h.dedupe.
// skipped reports a duplicate that was answered without running call. err is call's own error,
// unwrapped, or [ErrInFlight] or [ErrDedupeUnavailable], which the handler answers 503.
func (h *handler) runDeduped(ctx context.Context, ev Event, call func() error) (skipped bool, err error) {
	if h.dedupe == nil {
		return false, call()
	}
	keys := dedupeKeys(ev)
	if len(keys) == 0 {
		return false, call()
	}
	c := h.dedupe
	owner := rand.Text()
	cctx, cancel := context.WithTimeout(ctx, c.timeout)
	claimed, err := c.claim(cctx, keys, owner)
	cancel()
	if err != nil {
		return false, err
	}
	if len(claimed) == 0 {
		return true, nil
	}
	finished := false
	defer func() {
		// Reached without finished only when call panicked: free the keys, let the panic go on.
		if !finished {
			c.release(ctx, claimed, owner)
		}
	}()
	err = call()
	finished = true
	if err != nil && !errors.Is(err, ErrPermanent) {
		c.release(ctx, claimed, owner)
		return false, err
	}
	c.done(ctx, claimed)
	return false, err
}

// claim claims keys for owner and returns those it claimed; none if every key is done. If a key is
// in flight, or the store fails, it releases what it claimed and returns [ErrInFlight] or
// [ErrDedupeUnavailable].
func (c *dedupeConfig) claim(ctx context.Context, keys []string, owner string) ([]string, error) {
	if b, ok := c.Deduper.(BatchDeduper); ok {
		states, err := b.ClaimBatch(ctx, keys, owner, c.lease)
		if err == nil && len(states) != len(keys) {
			err = fmt.Errorf("ClaimBatch returned %d states for %d keys", len(states), len(keys))
		}
		if err != nil {
			// Some keys may be claimed; releasing the others changes nothing.
			c.release(ctx, keys, owner)
			return nil, fmt.Errorf("%w: %w", ErrDedupeUnavailable, err)
		}
		claimed := make([]string, 0, len(keys))
		var unknown error
		inFlight := false
		for i, st := range states {
			switch st {
			case ClaimOK:
				claimed = append(claimed, keys[i])
			case ClaimDone:
			case ClaimInFlight:
				inFlight = true
			default:
				unknown = fmt.Errorf("%w: ClaimBatch returned %v", ErrDedupeUnavailable, st)
			}
		}
		switch {
		case unknown != nil:
			c.release(ctx, keys, owner)
			return nil, unknown
		case inFlight:
			c.release(ctx, claimed, owner)
			return nil, ErrInFlight
		}
		return claimed, nil
	}

	claimed := make([]string, 0, len(keys))
	for _, k := range keys {
		state, err := c.Claim(ctx, k, owner, c.lease)
		if err != nil {
			c.release(ctx, claimed, owner)
			return nil, fmt.Errorf("%w: %w", ErrDedupeUnavailable, err)
		}
		switch state {
		case ClaimOK:
			claimed = append(claimed, k)
		case ClaimDone:
		case ClaimInFlight:
			c.release(ctx, claimed, owner)
			return nil, ErrInFlight
		default:
			c.release(ctx, claimed, owner)
			return nil, fmt.Errorf("%w: Claim returned %v", ErrDedupeUnavailable, state)
		}
	}
	return claimed, nil
}

// afterCtx bounds a call made after the claims. It runs even when the request's context has
// ended: a client that hung up after fn ran must not leave the keys claimed until their lease ends.
func (c *dedupeConfig) afterCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
}

// release frees owner's claims on keys. Its errors are dropped: a claim left behind frees itself
// after its lease.
func (c *dedupeConfig) release(ctx context.Context, keys []string, owner string) {
	if len(keys) == 0 {
		return
	}
	rctx, cancel := c.afterCtx(ctx)
	defer cancel()
	if b, ok := c.Deduper.(BatchDeduper); ok {
		_ = b.ReleaseBatch(rctx, keys, owner)
		return
	}
	for _, k := range keys {
		_ = c.Release(rctx, k, owner)
	}
}

// done marks keys done. Its errors are dropped (see WithDeduper): fn's work stands, so the answer
// is fn's, and the claims free themselves after their lease.
func (c *dedupeConfig) done(ctx context.Context, keys []string) {
	dctx, cancel := c.afterCtx(ctx)
	defer cancel()
	if b, ok := c.Deduper.(BatchDeduper); ok {
		_ = b.DoneBatch(dctx, keys, c.ttl)
		return
	}
	for _, k := range keys {
		_ = c.Done(dctx, k, c.ttl)
	}
}

// dedupeKeys returns the keys of ev, or none if ev is not deduplicated. Each key is the webhook
// code and SHA-256 hashes of the fields that identify it, so that public tokens are never stored;
// the keys of one webhook share a hash tag (see [Deduper]).
func dedupeKeys(ev Event) []string {
	switch ev := ev.(type) {
	case *ItemAddResult:
		if ev.LinkSessionID == "" || ev.PublicToken == "" {
			return nil
		}
		return []string{dedupeKey(CodeItemAddResult, ev.LinkSessionID, ev.PublicToken)}
	case *SessionFinished:
		if ev.LinkSessionID == "" || ev.Status == "" {
			return nil
		}
		return []string{dedupeKey(CodeSessionFinished, ev.LinkSessionID, string(ev.Status))}
	case *Events:
		if ev.LinkSessionID == "" || len(ev.Events) == 0 {
			return nil
		}
		// Every event of a session is under the session's tag, so that the events of one webhook
		// share it, and an event keeps its key whichever EVENTS webhook carries it.
		session := dedupeKey(CodeEvents, ev.LinkSessionID)
		keys := make([]string, 0, len(ev.Events))
		for _, e := range ev.Events {
			if e.EventID == "" {
				return nil
			}
			keys = append(keys, session+hashPart(e.EventID))
		}
		// One order for every request, so that two deliveries racing for the same events do not
		// each take half of them and both answer 503; and each key once.
		slices.Sort(keys)
		return slices.Compact(keys)
	default:
		return itemDedupeKeys(ev)
	}
}

// dedupeKey is code, a colon, and a hash tag of parts: "{", their hash (see hashPart), "}". Keys
// made by appending to it share its tag. Each part is preceded by its length so that no two lists
// of parts hash the same input.
func dedupeKey(code string, parts ...string) string {
	return code + ":{" + hashPart(parts...) + "}"
}

// hashBytes is how much of a SHA-256 a key keeps: 128 bits, against collisions between the
// webhooks of a day (birthday bound 2^64), and a key half as long as a full hex digest, which is
// memory in every store.
const hashBytes = 16

// hashPart returns the unpadded base64url of the first hashBytes of the SHA-256 of parts, each
// preceded by its length. Its alphabet has no brace, so it cannot break a hash tag.
func hashPart(parts ...string) string {
	h := sha256.New()
	var n [8]byte
	for _, p := range parts {
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	var sum [sha256.Size]byte
	return base64.RawURLEncoding.EncodeToString(h.Sum(sum[:0])[:hashBytes])
}

// ErrPermanent is what fn wraps in its error to say that retrying will never help (the webhook
// names something this service will never know, say). The handler answers 200, so Plaid stops
// delivering it, and reports it to the observer as dropped rather than processed.
var ErrPermanent = errors.New("webhook: permanent failure, not to be retried")
