// Package delivery owns the fake's webhook deliveries: it encodes the webhooks the server sends,
// makes each attempt through a send function its owner gives it, schedules the retries on Plaid's
// redelivery schedule on the fake clock, sends what has come due when asked to, redelivers on
// demand, and keeps the record of every attempt. It knows nothing of tokens, sessions or HTTP
// serving: the state package says what to send, and package linktest signs and POSTs it.
//
// A Dispatcher has its own lock, which no function returns holding, and which is never held while
// a webhook is sent, because a receiver may call back into the server.
package delivery

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plaidlink/plaidlink-go/link/linktest/internal/fifo"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/ids"
)

// Plaid's webhook redelivery schedule, which the dispatcher follows on the fake clock: a delivery
// that is not answered 200 within the webhook timeout is sent again RetryFirstDelay after it was
// due, then after waits RetryBackoff times longer each time (30 s, 2 min, 8 min, 32 min, 2 h 8 min,
// 8 h 32 min), for as long as the attempt falls within RetryWindow of the first: seven attempts in
// all for a receiver that never answers 200.
const (
	RetryFirstDelay = 30 * time.Second
	RetryBackoff    = 4
	RetryWindow     = 24 * time.Hour
)

// Bounds on what a Dispatcher keeps, unless Config sets others.
const (
	// MaxDeliveries is how many delivery records Deliveries keeps, dropping the oldest.
	MaxDeliveries = 10000
	// MaxWebhooks is how many webhooks are remembered for redelivery, dropping the oldest (and any
	// retries they still had due).
	MaxWebhooks = 10000
)

// WebhookDelivery is one attempt at delivering a webhook.
type WebhookDelivery struct {
	// ID identifies the webhook; every attempt at the same webhook has the same ID, which
	// Server.Redeliver takes.
	ID string
	// Code is the webhook_code: "ITEM_ADD_RESULT", "EVENTS", "SESSION_FINISHED", or an ITEM
	// webhook's, such as "ERROR" (see Server.FireItemWebhook).
	Code string
	// LinkSessionID is the session the webhook is about.
	LinkSessionID string
	// URL is where the webhook was sent.
	URL string
	// Body is the JSON body that was sent, the same in every attempt at one webhook.
	Body []byte
	// Verification is the Plaid-Verification header that was sent: a JWT issued at Time (or at
	// the time of sending on the clock given to linktest.WithSigningClock), signed afresh for each
	// attempt.
	Verification string
	// Attempt counts the attempts at this webhook: 1 for the first, 2 for the first retry, ...
	Attempt int
	// Time is the server clock's time of the attempt.
	Time time.Time
	// StatusCode is the receiver's HTTP status, or 0 if no answer came.
	StatusCode int
	// Err is nil if the receiver answered 200, and says why not otherwise. Like Plaid, the server
	// takes any other status, 2xx included, as a failure.
	Err error
	// NextAttempt is when the server will try this webhook again on Plaid's schedule, or zero if it
	// will not (it was delivered, or the schedule is over). Always zero for a redelivery.
	NextAttempt time.Time
	// Redelivered is true for an attempt made by Server.Redeliver rather than on the schedule.
	Redelivered bool
}

// Outcome says in a few words how the attempt went, without the code and URL its Err repeats:
// "answered 200", "answered 503, not 200" or "no answer: <why>", and when the next attempt is
// due, if one is. The Link page and examples/devserver show it.
func (d WebhookDelivery) Outcome() string {
	var out string
	var ue *url.Error
	switch {
	case d.Err == nil:
		out = "answered " + strconv.Itoa(d.StatusCode)
	case d.StatusCode != 0:
		out = fmt.Sprintf("answered %d, not 200", d.StatusCode)
	case errors.As(d.Err, &ue):
		out = "no answer: " + ue.Err.Error()
	default:
		out = "not sent: " + d.Err.Error()
	}
	if !d.NextAttempt.IsZero() {
		out += "; next attempt at " + d.NextAttempt.UTC().Format(time.TimeOnly)
	}
	return out
}

// Hook is a webhook to send: its webhook_code and the value its JSON body encodes.
type Hook struct {
	Code string
	Body any
}

// Batch is webhooks for one URL, first due at Due, about the session SessionID ("" for an Item's).
type Batch struct {
	URL       string
	SessionID string
	Hooks     []Hook
	Due       time.Time
}

// SendFunc makes one attempt: it signs body for the attempt at now and POSTs it to url, and
// returns the Plaid-Verification header it sent, the receiver's status (0 if none came) and
// nil only for a 200.
type SendFunc func(url, code string, body []byte, now time.Time) (verification string, status int, err error)

// Config is what a Dispatcher works with.
type Config struct {
	// Now reads the fake clock.
	Now func() time.Time
	// Send makes one attempt.
	Send SendFunc
	// Expired, if set, is called with the clock's time before the due attempts are taken, and
	// returns webhooks that came due meanwhile (an abandoned session's), which are scheduled.
	Expired func(now time.Time) []Batch
	// MaxWebhooks and MaxDeliveries bound what is kept; zero means the package's default.
	MaxWebhooks, MaxDeliveries int
}

// job is one webhook and where it stands on the redelivery schedule.
type job struct {
	id, code, url, sessionID string
	body                     []byte
	seq                      uint64    // order of queueing, which breaks ties between equal due times
	first                    time.Time // when the first attempt was due
	due                      time.Time // when the next scheduled attempt is due; zero if none
	auto                     int       // scheduled attempts made
	sent                     int       // attempts of any kind made
}

// Dispatcher sends webhooks and keeps their schedule. Its methods are safe for concurrent use.
type Dispatcher struct {
	cfg Config

	mu            sync.Mutex
	webhooks      *fifo.Map[*job]   // by id, for redelivery
	scheduled     map[*job]struct{} // the webhooks waiting for a scheduled attempt
	seq           uint64            // of the last webhook queued
	deliveries    []WebhookDelivery // oldest first, at most maxDeliveries
	maxDeliveries int
	closed        bool

	// dispatching is held by the one DeliverDue call that sends due webhooks; wake asks it to
	// look again, for calls that found it held.
	dispatching sync.Mutex
	wake        atomic.Bool
}

// New returns a Dispatcher working with cfg.
func New(cfg Config) *Dispatcher {
	if cfg.MaxWebhooks <= 0 {
		cfg.MaxWebhooks = MaxWebhooks
	}
	if cfg.MaxDeliveries <= 0 {
		cfg.MaxDeliveries = MaxDeliveries
	}
	return &Dispatcher{
		cfg:           cfg,
		webhooks:      fifo.New[*job](cfg.MaxWebhooks),
		scheduled:     make(map[*job]struct{}),
		maxDeliveries: cfg.MaxDeliveries,
	}
}

// SetLimits changes how many webhooks are remembered and delivery records kept, for tests that
// reach the bounds.
func (d *Dispatcher) SetLimits(webhooks, deliveries int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.webhooks.SetMax(webhooks)
	d.maxDeliveries = deliveries
}

// Close stops the schedule: attempts still due are no longer sent.
func (d *Dispatcher) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
}

// Send makes the first attempt at each webhook of b now, in order, then sends whatever else has
// come due, and returns the first attempts.
func (d *Dispatcher) Send(b Batch) []WebhookDelivery {
	d.mu.Lock()
	jobs := d.queueLocked(b, false)
	d.mu.Unlock()
	out := make([]WebhookDelivery, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, d.attempt(j, false))
	}
	d.DeliverDue()
	return out
}

// Schedule queues the webhooks of b for their first attempt at b.Due, when the clock gets there.
func (d *Dispatcher) Schedule(b Batch) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.queueLocked(b, true)
}

// queueLocked encodes b's hooks and remembers them for delivery; scheduled ones wait for the
// clock. The caller must hold d.mu.
func (d *Dispatcher) queueLocked(b Batch, scheduled bool) []*job {
	if b.URL == "" {
		return nil
	}
	var jobs []*job
	for _, h := range b.Hooks {
		body, err := json.Marshal(h.Body)
		if err != nil {
			// The bodies are the fake's own structs of strings and times; a failure here is a bug.
			d.recordLocked(WebhookDelivery{Code: h.Code, LinkSessionID: b.SessionID, URL: b.URL, Attempt: 1, Time: b.Due,
				Err: fmt.Errorf("linktest: encoding webhook %s: %w", h.Code, err)})
			continue
		}
		d.seq++
		j := &job{id: "whk_" + ids.UUID(), code: h.Code, url: b.URL, sessionID: b.SessionID, body: body,
			seq: d.seq, first: b.Due, due: b.Due}
		for _, old := range d.webhooks.Put(j.id, j) {
			delete(d.scheduled, old)
		}
		if scheduled {
			d.scheduled[j] = struct{}{}
		}
		jobs = append(jobs, j)
	}
	return jobs
}

// DeliverDue sends every webhook attempt that is due on the clock, after scheduling what
// Config.Expired reports. One call at a time does the sending; a call made meanwhile (by another
// goroutine, or by a receiver that moves the clock) leaves its work to it and returns at once, so
// a receiver cannot deadlock the server.
func (d *Dispatcher) DeliverDue() {
	d.wake.Store(true)
	for d.wake.Load() {
		if !d.dispatching.TryLock() {
			return
		}
		for d.wake.Swap(false) {
			for jobs := d.takeDue(); len(jobs) > 0; jobs = d.takeDue() {
				for _, j := range jobs {
					d.attempt(j, false)
				}
			}
		}
		d.dispatching.Unlock()
	}
}

// takeDue returns the jobs due now, earliest first, taking them off the schedule while they are
// sent.
func (d *Dispatcher) takeDue() []*job {
	d.mu.Lock()
	closed := d.closed
	d.mu.Unlock()
	if closed {
		return nil
	}
	now := d.cfg.Now()
	var expired []Batch
	if d.cfg.Expired != nil {
		expired = d.cfg.Expired(now)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	for _, b := range expired {
		d.queueLocked(b, true)
	}
	var due []*job
	for j := range d.scheduled {
		if !j.due.After(now) {
			delete(d.scheduled, j)
			due = append(due, j)
		}
	}
	slices.SortFunc(due, func(a, b *job) int {
		if c := a.due.Compare(b.due); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	return due
}

// retryWait is the wait after the n-th scheduled attempt (n >= 1) failed.
func retryWait(n int) time.Duration {
	d := RetryFirstDelay
	for i := 1; i < n && d <= RetryWindow; i++ {
		d *= RetryBackoff
	}
	return d
}

// attempt sends j once and records the attempt. A scheduled attempt (manual false) also moves j
// along its schedule.
func (d *Dispatcher) attempt(j *job, manual bool) WebhookDelivery {
	now := d.cfg.Now()
	header, status, err := d.cfg.Send(j.url, j.code, j.body, now)

	d.mu.Lock()
	defer d.mu.Unlock()
	j.sent++
	rec := WebhookDelivery{ID: j.id, Code: j.code, LinkSessionID: j.sessionID, URL: j.url, Body: j.body,
		Verification: header, Attempt: j.sent, Time: now, StatusCode: status, Err: err, Redelivered: manual}
	if !manual {
		j.auto++
		next := time.Time{}
		if err != nil {
			next = j.due.Add(retryWait(j.auto))
			if next.Sub(j.first) > RetryWindow {
				next = time.Time{}
			}
		}
		j.due = next
		rec.NextAttempt = next
		// A webhook forgotten meanwhile (MaxWebhooks) is not scheduled again.
		if cur, ok := d.webhooks.Get(j.id); ok && cur == j && !next.IsZero() {
			d.scheduled[j] = struct{}{}
		}
	}
	d.recordLocked(rec)
	return clone(rec)
}

// recordLocked keeps rec for Deliveries, dropping the oldest record when full. The caller must
// hold d.mu.
func (d *Dispatcher) recordLocked(rec WebhookDelivery) {
	if len(d.deliveries) >= d.maxDeliveries {
		d.deliveries = slices.Delete(d.deliveries, 0, len(d.deliveries)-d.maxDeliveries+1)
	}
	d.deliveries = append(d.deliveries, rec)
}

func clone(rec WebhookDelivery) WebhookDelivery {
	rec.Body = slices.Clone(rec.Body)
	return rec
}

// Deliveries returns every attempt made, oldest first (at most the bound).
func (d *Dispatcher) Deliveries() []WebhookDelivery {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]WebhookDelivery, len(d.deliveries))
	for i, rec := range d.deliveries {
		out[i] = clone(rec)
	}
	return out
}

// Redeliver sends the webhook with the given ID once more, now, without changing its schedule.
// ok is false for an ID the dispatcher does not know or no longer remembers.
func (d *Dispatcher) Redeliver(id string) (rec WebhookDelivery, ok bool) {
	d.mu.Lock()
	j, ok := d.webhooks.Get(id)
	d.mu.Unlock()
	if !ok {
		return WebhookDelivery{}, false
	}
	return d.attempt(j, true), true
}
