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
	mu        sync.Mutex
	now       time.Time
	listeners map[*Server]struct{}
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

// notify makes every server reading the clock send what has come due. It runs without the
// clock's lock, because a webhook receiver may read the clock while it is called.
func (c *Clock) notify() {
	c.mu.Lock()
	servers := make([]*Server, 0, len(c.listeners))
	for s := range c.listeners {
		servers = append(servers, s)
	}
	c.mu.Unlock()
	for _, s := range servers {
		s.deliverDue()
	}
}

func (c *Clock) listen(s *Server) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.listeners == nil {
		c.listeners = make(map[*Server]struct{})
	}
	c.listeners[s] = struct{}{}
}

func (c *Clock) unlisten(s *Server) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.listeners, s)
}
