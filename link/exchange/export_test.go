package exchange

import (
	"context"
	"time"
)

// SetSleep replaces e's waits (between save attempts, and between writes to a failing store) by
// f, so that a test decides when a wait is over.
func SetSleep(e *Exchanger, f func(ctx context.Context, d time.Duration) error) { e.sleep = f }

// Lease is how long e's claims hold a public token.
func Lease(e *Exchanger) time.Duration { return e.lease }

// KeyFor is the store's key for a public token.
func KeyFor(publicToken string) string { return keyFor(publicToken) }
