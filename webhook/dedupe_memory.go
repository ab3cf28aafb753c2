package webhook

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/plaidlink/plaidlink-go/internal/boundedmap"
)

// DefaultMemoryDeduperKeys is the bound of [NewMemoryDeduper] when it is given none. A LINK
// session makes a handful of keys (one per ITEM_ADD_RESULT and SESSION_FINISHED, one per event in
// EVENTS), so this remembers the webhooks of several thousand sessions a day, in a few tens of
// megabytes (BenchmarkMemoryDeduperKey reports the bytes per key).
const DefaultMemoryDeduperKeys = 100_000

// ErrDeduperFull is the error of a [MemoryDeduper] holding as many live claims as its bound: it
// evicts no claim to make room, since that would let a duplicate run fn while the first still
// runs. The handler answers 503 ([ErrDedupeUnavailable]), and Plaid delivers the webhook again.
var ErrDeduperFull = errors.New("webhook: memory deduper full of claims in flight")

// errNilMemoryDeduper is the error of every method of a nil *MemoryDeduper, which a handler given
// one answers with 503 rather than a panic.
var errNilMemoryDeduper = errors.New("webhook: nil *MemoryDeduper")

// MemoryDeduper is a [Deduper] in this process's memory, for a receiver that runs as one instance
// (several instances each with their own would each process a webhook once; use
// webhook/redisdedup for those). It is safe for concurrent use. Its state is lost with the
// process, so a redelivery after a restart runs fn again. It is a [BatchDeduper]: the handler
// claims, marks done or releases all the keys of a webhook under one lock.
//
// It holds at most its bound of keys. To make room it drops expired keys first, then the done
// markers that were marked longest ago, which risks running fn again only for a redelivery of
// those oldest webhooks. It never drops a live claim: when every key held is one, Claim fails with
// [ErrDeduperFull]. Size the bound for the webhooks of the done TTL (25 h by default).
type MemoryDeduper struct {
	max int
	now func() time.Time // swapped for a fake clock in tests
	// epoch is what expiries are counted from: a Duration is a third of a time.Time's size, and
	// time.Now's monotonic reading keeps a wall clock step from ending leases early.
	epoch time.Time

	mu     sync.Mutex
	done   *boundedmap.Map[string, time.Duration] // expiry, in the order the keys were marked
	claims *boundedmap.Map[string, memoryClaim]   // in the order the keys were claimed
}

// memoryClaim is a claimed key's owner, and when its lease ends (since epoch).
type memoryClaim struct {
	owner   string
	expires time.Duration
}

var _ BatchDeduper = (*MemoryDeduper)(nil)

// NewMemoryDeduper returns a [MemoryDeduper] holding at most maxKeys keys; maxKeys <= 0 means
// [DefaultMemoryDeduperKeys].
func NewMemoryDeduper(maxKeys int) *MemoryDeduper {
	if maxKeys <= 0 {
		maxKeys = DefaultMemoryDeduperKeys
	}
	// The maps themselves are unbounded: makeRoom keeps their sum to max, choosing what to drop.
	return &MemoryDeduper{max: maxKeys, now: time.Now, epoch: time.Now(),
		done: boundedmap.New[string, time.Duration](0), claims: boundedmap.New[string, memoryClaim](0)}
}

// Claim implements [Deduper]. Claiming a key owner holds renews its lease.
func (d *MemoryDeduper) Claim(_ context.Context, key, owner string, lease time.Duration) (ClaimState, error) {
	if d == nil {
		return 0, errNilMemoryDeduper
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.claim(key, owner, d.since(), lease)
}

// ClaimBatch implements [BatchDeduper], under one lock. It stops at the first key it has no room
// for, returning [ErrDeduperFull].
func (d *MemoryDeduper) ClaimBatch(_ context.Context, keys []string, owner string, lease time.Duration) ([]ClaimState, error) {
	if d == nil {
		return nil, errNilMemoryDeduper
	}
	states := make([]ClaimState, len(keys))
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.since()
	for i, k := range keys {
		st, err := d.claim(k, owner, now, lease)
		if err != nil {
			return nil, err
		}
		states[i] = st
	}
	return states, nil
}

// Done implements [Deduper].
func (d *MemoryDeduper) Done(_ context.Context, key string, ttl time.Duration) error {
	if d == nil {
		return errNilMemoryDeduper
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.markDone(key, d.since(), ttl)
}

// DoneBatch implements [BatchDeduper], under one lock.
func (d *MemoryDeduper) DoneBatch(_ context.Context, keys []string, ttl time.Duration) error {
	if d == nil {
		return errNilMemoryDeduper
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.since()
	for _, k := range keys {
		if err := d.markDone(k, now, ttl); err != nil {
			return err
		}
	}
	return nil
}

// Release implements [Deduper].
func (d *MemoryDeduper) Release(_ context.Context, key, owner string) error {
	if d == nil {
		return errNilMemoryDeduper
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.release(key, owner)
	return nil
}

// ReleaseBatch implements [BatchDeduper], under one lock.
func (d *MemoryDeduper) ReleaseBatch(_ context.Context, keys []string, owner string) error {
	if d == nil {
		return errNilMemoryDeduper
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range keys {
		d.release(k, owner)
	}
	return nil
}

// Len returns how many keys the deduper holds, expired ones not yet dropped included.
func (d *MemoryDeduper) Len() int {
	if d == nil {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.len()
}

func (d *MemoryDeduper) len() int { return d.done.Len() + d.claims.Len() }

// since is the deduper's clock: the time since epoch. Callers hold d.mu.
func (d *MemoryDeduper) since() time.Duration { return d.now().Sub(d.epoch) }

// claim is Claim at now. Expired entries it meets are dropped. Callers hold d.mu.
func (d *MemoryDeduper) claim(key, owner string, now, lease time.Duration) (ClaimState, error) {
	if expires, ok := d.done.Get(key); ok {
		if now < expires {
			return ClaimDone, nil
		}
		d.done.Delete(key)
	}
	if c, ok := d.claims.Get(key); ok {
		switch {
		case now >= c.expires:
			d.claims.Delete(key)
		case c.owner != owner:
			return ClaimInFlight, nil
		default:
			// Renewed, the claim goes last, as the newest.
			d.claims.Delete(key)
			d.claims.Put(key, memoryClaim{owner: owner, expires: now + lease})
			return ClaimOK, nil
		}
	}
	if !d.makeRoom(now) {
		return 0, ErrDeduperFull
	}
	d.claims.Put(key, memoryClaim{owner: owner, expires: now + lease})
	return ClaimOK, nil
}

// markDone is Done at now: whatever key held is replaced by a done marker, last in the order.
// Callers hold d.mu.
func (d *MemoryDeduper) markDone(key string, now, ttl time.Duration) error {
	d.claims.Delete(key)
	d.done.Delete(key)
	if !d.makeRoom(now) {
		return ErrDeduperFull
	}
	d.done.Put(key, now+ttl)
	return nil
}

// release deletes key if owner's claim is on it, expired or not. Callers hold d.mu.
func (d *MemoryDeduper) release(key, owner string) {
	if c, ok := d.claims.Get(key); ok && c.owner == owner {
		d.claims.Delete(key)
	}
}

// makeRoom makes room for one more key, and reports whether there is. It drops the expired done
// markers at the front of their order (with one TTL, all of them), then expired claims, then the
// oldest done marker. Callers hold d.mu.
func (d *MemoryDeduper) makeRoom(now time.Duration) bool {
	if d.len() < d.max {
		return true
	}
	for k, expires, ok := d.done.Oldest(); ok && now >= expires; k, expires, ok = d.done.Oldest() {
		d.done.Delete(k)
	}
	if d.len() < d.max {
		return true
	}
	for k, c := range d.claims.All() {
		if now >= c.expires {
			d.claims.Delete(k)
		}
	}
	if d.len() < d.max {
		return true
	}
	if k, _, ok := d.done.Oldest(); ok {
		d.done.Delete(k)
		return true
	}
	return false
}
