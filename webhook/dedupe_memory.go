package webhook

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"sync"
	"time"

	"github.com/plaidlink/plaidlink-go/internal/boundedmap"
)

// DefaultMemoryDeduperKeys is the bound of [NewMemoryDeduper] when it is given none. A LINK
// session makes a handful of keys (one per ITEM_ADD_RESULT and SESSION_FINISHED, one per event in
// EVENTS), so this remembers the webhooks of several thousand sessions a day, in about ten
// megabytes (BenchmarkMemoryDeduperKey reports the bytes per key: about 100).
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
	now func() time.Time // time.Now; this package's tests make one on a fake clock
	// epoch is what expiries are counted from: a Duration is a third of a time.Time's size, and
	// time.Now's monotonic reading keeps a wall clock step from ending leases early.
	epoch time.Time

	// seeds make the 128-bit hash a key is held under (see memoryKey).
	seeds [2]maphash.Seed

	mu sync.Mutex
	// entries holds every key, in the order of its last change of state, so that the oldest done
	// markers are evicted first. Only the claims need an owner, and they are few (the webhooks in
	// flight): their owners are kept apart, rather than a field in every done marker.
	entries *boundedmap.Map[memoryKey, memoryEntry]
	owners  map[memoryKey]string
	// claimsLive is a time before which no claim in owners expires, so that makeRoom looks
	// through them only when one may have: a lower bound, kept by claim and raised by makeRoom.
	claimsLive time.Duration
}

// memoryKey is what a MemoryDeduper holds of a key: two 64-bit hashes of it under seeds of its
// own, rather than the string. It has no pointer, so the garbage collector never looks through a
// deduper's hundred thousand entries, and it is a quarter of the size of a key and its string
// header. Two keys are taken for one only if both hashes collide, about 2^-128 for a pair: far
// below the chance that a webhook is lost any other way.
type memoryKey [2]uint64

func (d *MemoryDeduper) keyOf(key string) memoryKey {
	return memoryKey{maphash.String(d.seeds[0], key), maphash.String(d.seeds[1], key)}
}

// maxDuration is claimsLive without claims.
const maxDuration = time.Duration(1<<63 - 1)

// memoryEntry is a key's state: done, or claimed (by owners[key]), until expires (since epoch).
type memoryEntry struct {
	expires time.Duration
	done    bool
}

var _ BatchDeduper = (*MemoryDeduper)(nil)

// NewMemoryDeduper returns a [MemoryDeduper] holding at most maxKeys keys; 0 asks for
// [DefaultMemoryDeduperKeys]. A negative maxKeys is never taken for the default: it makes
// NewMemoryDeduper panic, naming the value, since it returns no error.
func NewMemoryDeduper(maxKeys int) *MemoryDeduper {
	return newMemoryDeduper(maxKeys, time.Now)
}

// newMemoryDeduper is NewMemoryDeduper on the clock now.
func newMemoryDeduper(maxKeys int, now func() time.Time) *MemoryDeduper {
	switch {
	case maxKeys < 0:
		panic(fmt.Sprintf("webhook: NewMemoryDeduper(%d): the bound must not be negative (0 means DefaultMemoryDeduperKeys)", maxKeys))
	case maxKeys == 0:
		maxKeys = DefaultMemoryDeduperKeys
	}
	// The map itself is unbounded: makeRoom keeps it to max, choosing what to drop.
	return &MemoryDeduper{max: maxKeys, now: now, epoch: now(),
		seeds:   [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		entries: boundedmap.New[memoryKey, memoryEntry](0), owners: make(map[memoryKey]string), claimsLive: maxDuration}
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

func (d *MemoryDeduper) len() int { return d.entries.Len() }

// since is the deduper's clock: the time since epoch. Callers hold d.mu.
func (d *MemoryDeduper) since() time.Duration { return d.now().Sub(d.epoch) }

// claim is Claim at now. Callers hold d.mu.
func (d *MemoryDeduper) claim(k, owner string, now, lease time.Duration) (ClaimState, error) {
	key := d.keyOf(k)
	claimed := memoryEntry{expires: now + lease}
	if e, ok := d.entries.Get(key); ok {
		switch {
		case now >= e.expires:
			d.drop(key, e)
		case e.done:
			return ClaimDone, nil
		case d.owners[key] != owner:
			return ClaimInFlight, nil
		default:
			// Renewed, the claim goes last, as the newest. Its lease only grows: claimsLive holds.
			d.entries.Renew(key, claimed)
			return ClaimOK, nil
		}
	}
	if !d.makeRoom(now) {
		return 0, ErrDeduperFull
	}
	d.entries.Put(key, claimed)
	d.owners[key] = owner
	d.claimsLive = min(d.claimsLive, claimed.expires)
	return ClaimOK, nil
}

// markDone is Done at now: whatever key held is replaced by a done marker, last in the order.
// Callers hold d.mu.
func (d *MemoryDeduper) markDone(k string, now, ttl time.Duration) error {
	key := d.keyOf(k)
	done := memoryEntry{expires: now + ttl, done: true}
	if d.entries.Renew(key, done) {
		delete(d.owners, key)
		return nil
	}
	if !d.makeRoom(now) {
		return ErrDeduperFull
	}
	d.entries.Put(key, done)
	return nil
}

// release deletes key if owner's claim is on it, expired or not. Callers hold d.mu.
func (d *MemoryDeduper) release(k, owner string) {
	key := d.keyOf(k)
	if o, ok := d.owners[key]; ok && o == owner {
		delete(d.owners, key)
		d.entries.Delete(key)
	}
}

// drop deletes key, whose entry is e. Callers hold d.mu.
func (d *MemoryDeduper) drop(key memoryKey, e memoryEntry) {
	d.entries.Delete(key)
	if !e.done {
		delete(d.owners, key)
	}
}

// makeRoom makes room for one more key, and reports whether there is. It drops the expired keys
// before the first live done marker in the order (with one TTL, every expired done marker), then
// the expired claims, then the oldest done marker. Callers hold d.mu.
func (d *MemoryDeduper) makeRoom(now time.Duration) bool {
	if d.len() < d.max {
		return true
	}
	for k, e := range d.entries.All() {
		if now >= e.expires {
			d.drop(k, e)
		} else if e.done {
			break
		}
	}
	if d.len() < d.max {
		return true
	}
	if now >= d.claimsLive {
		d.claimsLive = maxDuration
		for k := range d.owners {
			e, _ := d.entries.Get(k)
			if now >= e.expires {
				d.drop(k, e)
			} else {
				d.claimsLive = min(d.claimsLive, e.expires)
			}
		}
	}
	if d.len() < d.max {
		return true
	}
	if _, e, _ := d.entries.Oldest(); e.done {
		d.entries.DeleteOldest() // the usual case, at the bound: no lookup
		return true
	}
	for k, e := range d.entries.All() {
		if e.done {
			d.drop(k, e)
			return true
		}
	}
	return false
}
