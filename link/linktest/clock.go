package linktest

import (
	"sync"
	"time"
)

// Clock is the fake time a [Server] stamps on tokens, sessions and events and checks expiry
// against. It stands still until a test moves it with [Clock.Advance] or [Clock.Set], so expiry
// can be tested without waiting and timestamps are deterministic. A Clock is safe for concurrent
// use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
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

// Advance moves the clock forward by d (backward if d is negative) and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// Set moves the clock to t. Tokens the server has already forgotten because they expired long
// ago do not come back if the clock is set back.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
