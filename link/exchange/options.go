package exchange

import (
	"fmt"
	"time"

	"github.com/plaidlink/plaidlink-go/webhook"
)

// Defaults of [New].
const (
	// DefaultTimeout bounds the exchange (the client's retries included) and, separately, each
	// attempt of save: Plaid answers an exchange in well under a second, and a save is a write
	// to your database.
	DefaultTimeout = time.Minute
	// DefaultSaveAttempts is how many times save is called before the access token is handed back
	// in a [*SaveError].
	DefaultSaveAttempts = 3
	// DefaultDoneTTL is how long a public token is remembered as exchanged: Plaid delivers
	// ITEM_ADD_RESULT again for up to 24 hours, and each redelivery is then answered
	// [ErrAlreadyExchanged] rather than sent to Plaid. It is webhook.DefaultDedupeTTL.
	DefaultDoneTTL = webhook.DefaultDedupeTTL
	// DefaultPollInterval is how often a caller waiting on a claim held by another instance asks
	// the store whether it is done. Waiters on the same Exchanger are woken at once instead.
	DefaultPollInterval = 250 * time.Millisecond
	// DefaultStoreTimeout bounds each call to the store, as webhook.DefaultDedupeTimeout does the
	// webhook handler's.
	DefaultStoreTimeout = webhook.DefaultDedupeTimeout
)

// PublicTokenLifetime is how long a public token can be exchanged after Link made it. A token
// remembered as exchanged for less than this could be sent to Plaid again, so [WithDoneTTL]
// refuses a shorter TTL.
const PublicTokenLifetime = 30 * time.Minute

// Option configures an [Exchanger]. A value an option cannot use is never replaced by the
// default: [New] returns no error, so it panics with a message naming the option and the value,
// such as "exchange: New: WithTimeout(0s): the timeout must be positive". A nil Option panics too.
type Option func(*config)

// config is an Exchanger's settings, and the first refused option's complaint.
type config struct {
	timeout      time.Duration
	saveAttempts int
	doneTTL      time.Duration
	pollInterval time.Duration
	storeTimeout time.Duration
	err          error
}

func defaultConfig() config {
	return config{
		timeout:      DefaultTimeout,
		saveAttempts: DefaultSaveAttempts,
		doneTTL:      DefaultDoneTTL,
		pollInterval: DefaultPollInterval,
		storeTimeout: DefaultStoreTimeout,
	}
}

// refuse records the first complaint; New panics with it.
func (c *config) refuse(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf(format, args...)
	}
}

// WithTimeout bounds the call to /item/public_token/exchange (the link.Client's own retries
// included) and, separately, each attempt of save, on a context the caller's cancellation does
// not end (default [DefaultTimeout]). It needs d > 0.
func WithTimeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.refuse("WithTimeout(%v): the timeout must be positive", d)
			return
		}
		c.timeout = d
	}
}

// WithSaveAttempts sets how many times save is called, while it fails, before Exchange gives up
// and returns the access token in a [*SaveError] (default [DefaultSaveAttempts]). It needs n >= 1.
func WithSaveAttempts(n int) Option {
	return func(c *config) {
		if n < 1 {
			c.refuse("WithSaveAttempts(%d): there must be at least 1 attempt", n)
			return
		}
		c.saveAttempts = n
	}
}

// WithDoneTTL sets how long a public token is remembered as exchanged (default [DefaultDoneTTL]).
// It needs d >= [PublicTokenLifetime]: a token forgotten sooner could be sent to Plaid again.
// Below 24 hours, a redelivered ITEM_ADD_RESULT may be sent to Plaid, which answers
// INVALID_PUBLIC_TOKEN.
func WithDoneTTL(d time.Duration) Option {
	return func(c *config) {
		if d < PublicTokenLifetime {
			c.refuse("WithDoneTTL(%v): the TTL must be at least %v, the public token's lifetime", d, PublicTokenLifetime)
			return
		}
		c.doneTTL = d
	}
}

// WithPollInterval sets how often a caller waiting on another instance's claim asks the store
// again (default [DefaultPollInterval]). It needs d > 0.
func WithPollInterval(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.refuse("WithPollInterval(%v): the interval must be positive", d)
			return
		}
		c.pollInterval = d
	}
}

// WithStoreTimeout bounds each call to the store (default [DefaultStoreTimeout]). It needs d > 0.
func WithStoreTimeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.refuse("WithStoreTimeout(%v): the timeout must be positive", d)
			return
		}
		c.storeTimeout = d
	}
}

// Backoffs between attempts: of save, and of writing the outcome to a store that failed.
const (
	saveBackoffFirst  = 500 * time.Millisecond
	saveBackoffMax    = 5 * time.Second
	settleBackoffMin  = 100 * time.Millisecond
	settleBackoffMax  = 2 * time.Second
	leaseSafetyMargin = time.Minute
)

// backoff is the wait before attempt n+1 (n >= 1): first, doubling, capped at most.
func backoff(n int, first, most time.Duration) time.Duration {
	d := first
	for i := 1; i < n && d < most; i++ {
		d *= 2
	}
	return min(d, most)
}

// lease is how long a claim holds a public token: longer than everything its holder may do
// before it writes the outcome (the exchange, every save attempt and the waits between them, the
// store calls), so that no other caller can claim the token while its holder still works on it.
func (c *config) lease() time.Duration {
	d := c.timeout + 2*c.storeTimeout + leaseSafetyMargin
	for n := 1; n <= c.saveAttempts; n++ {
		d += c.timeout
		if n < c.saveAttempts {
			d += backoff(n, saveBackoffFirst, saveBackoffMax)
		}
	}
	return d
}
