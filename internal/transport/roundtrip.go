package transport

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// attemptTransport is the only RoundTripper retryablehttp sees. It exists for two reasons.
//
// First, retryablehttp (v0.7.8) calls HTTPClient.CloseIdleConnections whenever a call fails for
// good or its context ends during a backoff wait, which would close every idle connection in the
// pool: one rate-limited call would cost every concurrent caller a new TLS handshake, and the
// caller's own http.Client shares that pool. http.Client.CloseIdleConnections does nothing when
// its Transport lacks that method, so this type deliberately implements RoundTrip only.
//
// Second, it bounds each attempt itself, headers and body, rather than through
// http.Client.Timeout: net/http applies a Timeout to any RoundTripper it does not know (such as
// this one) with a goroutine and a timer per request, and even a context deadline costs a runtime
// timer per request, measured at 2-3% of a whole round trip on loopback. A [watchdog] shared by
// the Client ends overdue attempts instead.
type attemptTransport struct {
	// rt is the caller's RoundTripper; nil means http.DefaultTransport, looked up per request as
	// http.Client does, so a test that swaps the default (httpmock.Activate) still takes effect.
	rt    http.RoundTripper
	watch *watchdog // nil: attempts are not bounded
}

func newAttemptTransport(rt http.RoundTripper, timeout time.Duration) *attemptTransport {
	t := &attemptTransport{rt: rt}
	if timeout > 0 {
		t.watch = newWatchdog(timeout)
	}
	return t
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rt := t.rt
	if rt == nil {
		rt = http.DefaultTransport
	}
	if t.watch == nil {
		return rt.RoundTrip(req)
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	id := t.watch.add(cancel)
	resp, err := rt.RoundTrip(req.WithContext(ctx))
	if err != nil {
		t.watch.done(id, cancel)
		return resp, err
	}
	// The attempt's bound must keep covering the body read, so it ends only when the body is closed.
	resp.Body = &endOnClose{ReadCloser: resp.Body, end: func() { t.watch.done(id, cancel) }}
	return resp, nil
}

// endOnClose ends an attempt's watch when its body is closed.
type endOnClose struct {
	io.ReadCloser
	end func()
}

func (b *endOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.end()
	return err
}

// watchdog cancels attempts that run past the per-attempt timeout, with context.DeadlineExceeded
// as the cause (net/http reports the cause, so errors.Is(err, context.DeadlineExceeded) holds).
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
				a.cancel(context.DeadlineExceeded)
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
// own CheckRedirect (to go through a redirecting proxy, say) keeps it, but the credential headers
// are removed from any hop to another origin: net/http strips only Authorization and Cookie on a
// cross-host redirect, not PLAID-CLIENT-ID and PLAID-SECRET, and keeps them on a change of port or
// a downgrade from https to http.
func redirectPolicy(user func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	if user == nil {
		return func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return func(req *http.Request, via []*http.Request) error {
		// net/http copies the headers afresh from the first request on every hop, so the first
		// request's origin (not the previous hop's) decides whether this hop may carry them.
		if len(via) == 0 || req.URL.Scheme != via[0].URL.Scheme || req.URL.Host != via[0].URL.Host {
			req.Header.Del(keyClientID)
			req.Header.Del(keySecret)
		}
		return user(req, via)
	}
}
