package transport

import (
	"context"
	"sync"
	"time"
)

// watchdog cancels attempts that run past their per-attempt timeout, with ErrAttemptTimeout as
// the cause, so that an attempt's error can be told from a caller's ended context.
//
// It exists only for speed, rather than context.WithTimeoutCause per attempt, which costs a
// runtime timer, 2 allocations and about 160 bytes more per request. Measured under
// go-retryablehttp on the 2-core machine of PERFORMANCE.md's figures (BenchmarkCreateTokenPair, 12
// runs of each build interleaved, benchstat): a ratio to the floor of 1.107x ± 2% with the
// watchdog, 1.118x ± 1% with a deadline per attempt (+0.9%, p=0.034); user-space instructions
// per CreateToken (callgrind, GOMAXPROCS=1, GOGC=off): 170.4k with it, 172.5k without (+1.2%).
// http.Client.Timeout would cost a goroutine more. One goroutine checks the attempts in flight every
// tick, a tenth of the shortest timeout it has been given (between 5 ms and 1 s), so an attempt
// ends between its timeout and its timeout plus a tick after it began. The goroutine runs only
// while attempts are in flight and stops at the first tick that finds none.
type watchdog struct {
	mu      sync.Mutex
	tick    time.Duration // 0 until the first attempt
	lastID  uint64
	active  map[uint64]watched
	running bool
	// faster wakes the running goroutine when the tick shrinks, so that a short timeout does not
	// wait out a long tick first.
	faster chan struct{}
}

type watched struct {
	deadline time.Time
	cancel   context.CancelCauseFunc
}

func newWatchdog() *watchdog {
	return &watchdog{active: make(map[uint64]watched), faster: make(chan struct{}, 1)}
}

// tickFor is the tick that ends an attempt of timeout at most a tenth of it late.
func tickFor(timeout time.Duration) time.Duration {
	return min(max(timeout/10, 5*time.Millisecond), time.Second)
}

// add watches an attempt that began now with timeout, and returns its id for done.
func (w *watchdog) add(timeout time.Duration, cancel context.CancelCauseFunc) uint64 {
	deadline := time.Now().Add(timeout)
	w.mu.Lock()
	if t := tickFor(timeout); w.tick == 0 || t < w.tick {
		w.tick = t
		if w.running {
			select {
			case w.faster <- struct{}{}:
			default: // a wake-up is already pending
			}
		}
	}
	w.lastID++
	id := w.lastID
	w.active[id] = watched{deadline: deadline, cancel: cancel}
	if !w.running {
		w.running = true
		go w.run(w.tick)
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

func (w *watchdog) run(tick time.Duration) {
	timer := time.NewTimer(tick)
	defer timer.Stop()
	for {
		var now time.Time
		select {
		case now = <-timer.C:
		case <-w.faster:
			now = time.Now()
		}
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
		tick = w.tick
		w.mu.Unlock()
		timer.Reset(tick)
	}
}
