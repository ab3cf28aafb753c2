package webhook

import (
	"container/list"
	"context"
	"errors"
	"sync"
	"time"
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
// process, so a redelivery after a restart runs fn again.
//
// It holds at most its bound of keys. To make room it drops expired keys first, then the done
// markers that were marked longest ago, which risks running fn again only for a redelivery of
// those oldest webhooks. It never drops a live claim: when every key held is one, Claim fails with
// [ErrDeduperFull]. Size the bound for the webhooks of the done TTL (25 h by default).
type MemoryDeduper struct {
	max int
	now func() time.Time // swapped for a fake clock in tests

	mu      sync.Mutex
	entries map[string]*memoryEntry
	done    list.List // *memoryEntry marked done, in the order they were marked
	claims  list.List // *memoryEntry claimed, in the order they were claimed
}

// memoryEntry is a key's state: done, or claimed by owner, until expires.
type memoryEntry struct {
	key     string
	done    bool
	owner   string
	expires time.Time
	elem    *list.Element // in done or claims, by state
}

// NewMemoryDeduper returns a [MemoryDeduper] holding at most maxKeys keys; maxKeys <= 0 means
// [DefaultMemoryDeduperKeys].
func NewMemoryDeduper(maxKeys int) *MemoryDeduper {
	if maxKeys <= 0 {
		maxKeys = DefaultMemoryDeduperKeys
	}
	return &MemoryDeduper{max: maxKeys, now: time.Now, entries: make(map[string]*memoryEntry)}
}

// Claim implements [Deduper]. Claiming a key owner holds renews its lease.
func (d *MemoryDeduper) Claim(_ context.Context, key, owner string, lease time.Duration) (ClaimState, error) {
	if d == nil {
		return 0, errNilMemoryDeduper
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	if e := d.live(key, now); e != nil {
		switch {
		case e.done:
			return ClaimDone, nil
		case e.owner == owner:
			d.set(e, false, owner, now.Add(lease))
			return ClaimOK, nil
		}
		return ClaimInFlight, nil
	}
	if !d.makeRoom(now) {
		return 0, ErrDeduperFull
	}
	e := &memoryEntry{key: key}
	d.entries[key] = e
	d.set(e, false, owner, now.Add(lease))
	return ClaimOK, nil
}

// Done implements [Deduper].
func (d *MemoryDeduper) Done(_ context.Context, key string, ttl time.Duration) error {
	if d == nil {
		return errNilMemoryDeduper
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	e := d.live(key, now)
	if e == nil {
		if !d.makeRoom(now) {
			return ErrDeduperFull
		}
		e = &memoryEntry{key: key}
		d.entries[key] = e
	}
	d.set(e, true, "", now.Add(ttl))
	return nil
}

// Release implements [Deduper].
func (d *MemoryDeduper) Release(_ context.Context, key, owner string) error {
	if d == nil {
		return errNilMemoryDeduper
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if e := d.entries[key]; e != nil && !e.done && e.owner == owner {
		d.remove(e)
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
	return len(d.entries)
}

// live returns key's entry, or nil if there is none or it has expired (and is then dropped).
func (d *MemoryDeduper) live(key string, now time.Time) *memoryEntry {
	e := d.entries[key]
	if e != nil && !now.Before(e.expires) {
		d.remove(e)
		return nil
	}
	return e
}

// set gives e its state and puts it last in the list of that state.
func (d *MemoryDeduper) set(e *memoryEntry, done bool, owner string, expires time.Time) {
	if e.elem != nil {
		d.listOf(e).Remove(e.elem)
	}
	e.done, e.owner, e.expires = done, owner, expires
	e.elem = d.listOf(e).PushBack(e)
}

func (d *MemoryDeduper) listOf(e *memoryEntry) *list.List {
	if e.done {
		return &d.done
	}
	return &d.claims
}

func (d *MemoryDeduper) remove(e *memoryEntry) {
	d.listOf(e).Remove(e.elem)
	e.elem = nil
	delete(d.entries, e.key)
}

// makeRoom makes room for one more key, and reports whether there is. It drops the expired done
// markers at the front of their list (with one TTL, all of them), then expired claims, then the
// oldest done marker.
func (d *MemoryDeduper) makeRoom(now time.Time) bool {
	if len(d.entries) < d.max {
		return true
	}
	for f := d.done.Front(); f != nil && !now.Before(f.Value.(*memoryEntry).expires); f = d.done.Front() {
		d.remove(f.Value.(*memoryEntry))
	}
	if len(d.entries) < d.max {
		return true
	}
	for c := d.claims.Front(); c != nil; {
		next := c.Next()
		if e := c.Value.(*memoryEntry); !now.Before(e.expires) {
			d.remove(e)
		}
		c = next
	}
	if len(d.entries) < d.max {
		return true
	}
	if f := d.done.Front(); f != nil {
		d.remove(f.Value.(*memoryEntry))
		return true
	}
	return false
}
