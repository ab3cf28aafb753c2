package linktest

import (
	"sync"
	"time"
)

// Clock is the fake time a [Server] stamps on tokens, sessions and events and checks expiry
// against. It stands still until a test moves it with [Clock.Advance] or [Clock.Set] (or a
// session driver such as [Server.CompleteSession] steps it by [EventInterval] per Link event),
// so expiry can be tested without waiting and timestamps are deterministic. A Clock is safe for
// concurrent use.
//
// Moving a Clock is what makes time-driven work happen: before Advance or Set returns, every
// Server reading the clock delivers the webhooks that have come due (redeliveries on Plaid's
// schedule, the webhooks of abandoned sessions). One goroutine at a time sends a server's
// webhooks: if another is already sending (a concurrent session driver or clock move, or a
// receiver that moves the clock while it is being sent to), Advance and Set leave what came due
// to it and return without waiting. See [Server.Deliveries].
type Clock struct {
	mu   sync.Mutex
	now  time.Time
	subs map[int]func() // called after each move, by subscription id
	next int            // id of the next subscription
}

// NewClock returns a Clock that reads start until it is moved.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start}
}

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (backward if d is negative) and returns the new time. It
// returns once the servers reading the clock have sent what came due, unless another goroutine
// is sending them (see [Clock]).
func (c *Clock) Advance(d time.Duration) time.Time {
	now := c.step(d)
	c.notify()
	return now
}

// Set moves the clock to t. Tokens the server has already forgotten because they expired long
// ago do not come back if the clock is set back. Like Advance, it returns once what came due has
// been sent.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
	c.notify()
}

// step moves the clock by d without waking the servers, for a caller that holds a server's lock
// and wakes them with notify once it has released it.
func (c *Clock) step(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// notify calls every subscriber, so that what came due on the moved clock is done. It runs
// without the clock's lock, because a subscriber (a webhook receiver, through the server) may read
// the clock while it is called.
func (c *Clock) notify() {
	c.mu.Lock()
	subs := make([]func(), 0, len(c.subs))
	for _, f := range c.subs {
		subs = append(subs, f)
	}
	c.mu.Unlock()
	for _, f := range subs {
		f()
	}
}

// subscribe makes f be called whenever the clock moves, until cancel is called. The clock knows
// nothing of its subscribers but f: a server subscribes its delivery of what came due.
func (c *Clock) subscribe(f func()) (cancel func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.subs == nil {
		c.subs = make(map[int]func())
	}
	id := c.next
	c.next++
	c.subs[id] = f
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.subs, id)
	}
}
