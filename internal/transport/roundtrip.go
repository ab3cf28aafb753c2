package transport

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// watchdog cancels attempts that run past the per-attempt timeout, with ErrAttemptTimeout as the
// cause, so that Client.Do can tell them from a caller's ended context. It exists rather than a
// context deadline per attempt because even a deadline costs a runtime timer per request, measured
// at 2-3% of a whole round trip on loopback, and http.Client.Timeout costs a goroutine more.
// One goroutine checks the attempts in flight every tick, a tenth of the timeout (between 5 ms and
// 1 s), so an attempt ends between timeout and timeout+tick after it started. The goroutine runs
// only while attempts are in flight and stops at the first tick that finds none.
type watchdog struct {
	timeout, tick time.Duration

	mu      sync.Mutex
	lastID  uint64
	active  map[uint64]watched
	running bool
}

type watched struct {
	deadline time.Time
	cancel   context.CancelCauseFunc
}

func newWatchdog(timeout time.Duration) *watchdog {
	return &watchdog{timeout: timeout, tick: min(max(timeout/10, 5*time.Millisecond), time.Second),
		active: make(map[uint64]watched)}
}

// add watches an attempt that began now and returns its id for done.
func (w *watchdog) add(cancel context.CancelCauseFunc) uint64 {
	deadline := time.Now().Add(w.timeout)
	w.mu.Lock()
	w.lastID++
	id := w.lastID
	w.active[id] = watched{deadline: deadline, cancel: cancel}
	if !w.running {
		w.running = true
		go w.run()
	}
	w.mu.Unlock()
	return id
}

// done stops watching an attempt and releases its context. Calling it twice is harmless.
func (w *watchdog) done(id uint64, cancel context.CancelCauseFunc) {
	w.mu.Lock()
	delete(w.active, id)
	w.mu.Unlock()
	cancel(context.Canceled)
}

func (w *watchdog) run() {
	ticker := time.NewTicker(w.tick)
	defer ticker.Stop()
	for now := range ticker.C {
		w.mu.Lock()
		for id, a := range w.active {
			if !now.Before(a.deadline) {
				a.cancel(ErrAttemptTimeout)
				delete(w.active, id)
			}
		}
		if len(w.active) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
	}
}

// redirectPolicy returns the CheckRedirect for the Client's http.Client.
//
// Plaid's API never redirects, so without a caller's policy a 3xx is not followed: it comes back
// as the reply (and so as an API error with its status and body excerpt). A caller who set their
// own CheckRedirect (to go through a redirecting proxy, say) keeps it, with two limits. The
// credential headers are removed from any hop to another origin: net/http strips only
// Authorization and Cookie on a cross-host redirect, not PLAID-CLIENT-ID and PLAID-SECRET, and
// keeps them on a change of port or a downgrade from https to http. And a 307 or 308 to another
// origin, which would send the request body (a public or access token) there, is refused with
// ErrCrossOriginRedirect even when the caller's policy would follow it.
func redirectPolicy(user func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	if user == nil {
		return func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return func(req *http.Request, via []*http.Request) error {
		// net/http copies the headers afresh from the first request on every hop, so the first
		// request's origin (not the previous hop's) decides whether this hop may carry them.
		cross := len(via) == 0 || req.URL.Scheme != via[0].URL.Scheme || req.URL.Host != via[0].URL.Host
		if cross {
			req.Header.Del(keyClientID)
			req.Header.Del(keySecret)
		}
		if err := user(req, via); err != nil {
			if err == http.ErrUseLastResponse {
				return err // net/http compares it with ==
			}
			return &redirectRefusedError{err: err}
		}
		if cross && req.Response != nil &&
			(req.Response.StatusCode == http.StatusTemporaryRedirect || req.Response.StatusCode == http.StatusPermanentRedirect) {
			return ErrCrossOriginRedirect
		}
		return nil
	}
}

// redirectRefusedError marks an error from the caller's CheckRedirect, which no retry would change.
type redirectRefusedError struct{ err error }

func (e *redirectRefusedError) Error() string { return e.err.Error() }
func (e *redirectRefusedError) Unwrap() error { return e.err }
