package linktest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// Plaid's webhook redelivery schedule, which the server follows on its clock: a delivery that is
// not answered 200 within the webhook timeout is sent again WebhookRetryFirstDelay after it was
// due, then after waits WebhookRetryBackoff times longer each time (30 s, 2 min, 8 min, 32 min,
// 2 h 8 min, 8 h 32 min), for as long as the attempt falls within WebhookRetryWindow of the first:
// seven attempts in all for a receiver that never answers 200.
//
// Plaid also stops sending webhooks to a receiver that rejected over 90% of them over a day; the
// server does not model that: every webhook gets its full schedule.
const (
	// WebhookRetryFirstDelay is how long after a failed first attempt the next one is due.
	WebhookRetryFirstDelay = 30 * time.Second
	// WebhookRetryBackoff is the factor each later wait grows by.
	WebhookRetryBackoff = 4
	// WebhookRetryWindow is how long after its first attempt a webhook is still sent again.
	WebhookRetryWindow = 24 * time.Hour
)

// Bounds on what the server keeps about webhooks.
const (
	// MaxDeliveries is how many delivery records [Server.Deliveries] keeps, dropping the oldest.
	MaxDeliveries = 10000
	// MaxWebhooks is how many webhooks the server remembers for redelivery, dropping the oldest
	// (and any retries it still had due).
	MaxWebhooks = 10000
)

// WebhookDelivery is one attempt at delivering a webhook.
type WebhookDelivery struct {
	// ID identifies the webhook; every attempt at the same webhook has the same ID, which
	// [Server.Redeliver] takes.
	ID string
	// Code is the webhook_code: "ITEM_ADD_RESULT", "EVENTS", "SESSION_FINISHED", or an ITEM
	// webhook's, such as "ERROR" (see [Server.FireItemWebhook]).
	Code string
	// LinkSessionID is the session the webhook is about.
	LinkSessionID string
	// URL is where the webhook was sent.
	URL string
	// Body is the JSON body that was sent, the same in every attempt at one webhook.
	Body []byte
	// Verification is the Plaid-Verification header that was sent: a JWT issued at Time (or at
	// the time of sending on the clock given to [WithSigningClock]), signed afresh for each
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
	// Redelivered is true for an attempt made by [Server.Redeliver] rather than on the schedule.
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

// webhookJob is one webhook and where it stands on the redelivery schedule.
type webhookJob struct {
	id, code, url, sessionID string
	body                     []byte
	seq                      uint64    // order of queueing, which breaks ties between equal due times
	first                    time.Time // when the first attempt was due
	due                      time.Time // when the next scheduled attempt is due; zero if none
	auto                     int       // scheduled attempts made
	sent                     int       // attempts of any kind made
}

// retryWait is the wait after the n-th scheduled attempt (n >= 1) failed.
func retryWait(n int) time.Duration {
	d := WebhookRetryFirstDelay
	for i := 1; i < n && d <= WebhookRetryWindow; i++ {
		d *= WebhookRetryBackoff
	}
	return d
}

// queueLocked encodes hooks for url and remembers them for delivery, first due at due. With
// sending set, the jobs are returned for the caller to send at once with sendNow after releasing
// s.mu; otherwise they are scheduled, and the clock's movement sends them. The caller must hold
// s.mu.
func (s *Server) queueLocked(url, sessionID string, hooks []pendingWebhook, due time.Time, sending bool) []*webhookJob {
	if url == "" {
		return nil
	}
	var jobs []*webhookJob
	for _, h := range hooks {
		body, err := json.Marshal(h.body)
		if err != nil {
			// The bodies are the package's own structs of strings and times; a failure here is a bug.
			s.recordLocked(WebhookDelivery{Code: h.code, LinkSessionID: sessionID, URL: url, Attempt: 1, Time: due,
				Err: fmt.Errorf("linktest: encoding webhook %s: %w", h.code, err)})
			continue
		}
		s.seq++
		j := &webhookJob{id: "whk_" + newUUID(), code: h.code, url: url, sessionID: sessionID, body: body,
			seq: s.seq, first: due, due: due}
		for _, old := range s.webhooks.put(j.id, j) {
			delete(s.scheduled, old)
		}
		if !sending {
			s.scheduled[j] = struct{}{}
		}
		jobs = append(jobs, j)
	}
	return jobs
}

// sendNow makes the first attempt at jobs, in order, then sends whatever else has come due.
func (s *Server) sendNow(jobs []*webhookJob) []WebhookDelivery {
	out := make([]WebhookDelivery, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, s.attempt(j, false))
	}
	s.clock.notify()
	return out
}

// deliverDue sends every webhook attempt that is due on the server's clock, after abandoning the
// open sessions whose link token has expired. One call at a time does the sending; a call made
// meanwhile (by another goroutine, or by a receiver that moves the clock) leaves its work to it
// and returns at once, so a receiver cannot deadlock the server.
func (s *Server) deliverDue() {
	s.wake.Store(true)
	for s.wake.Load() {
		if !s.dispatching.TryLock() {
			return
		}
		for s.wake.Swap(false) {
			for jobs := s.takeDue(); len(jobs) > 0; jobs = s.takeDue() {
				for _, j := range jobs {
					s.attempt(j, false)
				}
			}
		}
		s.dispatching.Unlock()
	}
}

// takeDue returns the jobs due now, earliest first, taking them off the schedule while they are
// sent.
func (s *Server) takeDue() []*webhookJob {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.done:
		return nil
	default:
	}
	now := s.nowLocked()
	s.abandonExpiredLocked(now)
	var due []*webhookJob
	for j := range s.scheduled {
		if !j.due.After(now) {
			delete(s.scheduled, j)
			due = append(due, j)
		}
	}
	slices.SortFunc(due, func(a, b *webhookJob) int {
		if c := a.due.Compare(b.due); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	return due
}

// attempt sends j once, freshly signed at the clock's time (or the signing clock's, see
// [WithSigningClock]), and records the attempt. A scheduled attempt (manual false) also moves j
// along its schedule.
func (s *Server) attempt(j *webhookJob, manual bool) WebhookDelivery {
	now := s.clock.Now()
	iat := now
	if s.signingClock != nil {
		iat = s.signingClock()
	}
	header := s.signer.SignAt(j.body, iat)
	status, err := s.post(j.url, j.code, j.body, header)

	s.mu.Lock()
	defer s.mu.Unlock()
	j.sent++
	d := WebhookDelivery{ID: j.id, Code: j.code, LinkSessionID: j.sessionID, URL: j.url, Body: j.body,
		Verification: header, Attempt: j.sent, Time: now, StatusCode: status, Err: err, Redelivered: manual}
	if !manual {
		j.auto++
		next := time.Time{}
		if err != nil {
			next = j.due.Add(retryWait(j.auto))
			if next.Sub(j.first) > WebhookRetryWindow {
				next = time.Time{}
			}
		}
		j.due = next
		d.NextAttempt = next
		// A webhook forgotten meanwhile (MaxWebhooks) is not scheduled again.
		if cur, ok := s.webhooks.get(j.id); ok && cur == j && !next.IsZero() {
			s.scheduled[j] = struct{}{}
		}
	}
	s.recordLocked(d)
	return cloneDelivery(d)
}

// recordLocked keeps d for Deliveries, dropping the oldest record when full. The caller must hold
// s.mu.
func (s *Server) recordLocked(d WebhookDelivery) {
	if len(s.deliveries) >= s.maxDeliveries {
		s.deliveries = slices.Delete(s.deliveries, 0, len(s.deliveries)-s.maxDeliveries+1)
	}
	s.deliveries = append(s.deliveries, d)
}

func cloneDelivery(d WebhookDelivery) WebhookDelivery {
	d.Body = slices.Clone(d.Body)
	return d
}

// Deliveries returns every webhook delivery attempt the server has made, oldest first (at most
// [MaxDeliveries]): the first attempts made by the session drivers, the retries Plaid's schedule
// made as the clock moved, and those made by [Server.Redeliver].
func (s *Server) Deliveries() []WebhookDelivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]WebhookDelivery, len(s.deliveries))
	for i, d := range s.deliveries {
		out[i] = cloneDelivery(d)
	}
	return out
}

// Redeliver sends the webhook with the given ID (a [WebhookDelivery.ID]) once more, now, with the
// same body and a freshly signed Plaid-Verification header, as a test might to replay a webhook
// its receiver has already seen, or as Plaid's dashboard resends one. It is recorded in
// [Server.Deliveries] with Redelivered set and does not change the webhook's schedule: retries
// still due are still sent. The error is for an ID the server does not know (or no longer
// remembers, see [MaxWebhooks]); how the delivery went is in the returned WebhookDelivery's Err.
func (s *Server) Redeliver(id string) (WebhookDelivery, error) {
	s.mu.Lock()
	j, ok := s.webhooks.get(id)
	s.mu.Unlock()
	if !ok {
		return WebhookDelivery{}, fmt.Errorf("linktest: Redeliver: no webhook with id %q", id)
	}
	return s.attempt(j, true), nil
}

// maxWebhookReply bounds how much of a receiver's reply is read before the connection is reused.
const maxWebhookReply = 64 << 10

// post POSTs one webhook within the webhook timeout. Only 200 counts as delivered, as for Plaid.
func (s *Server) post(url, code string, body []byte, verification string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.webhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("linktest: webhook %s to %s: %w", code, url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Plaid-Verification", verification)
	resp, err := s.webhookClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("linktest: webhook %s to %s: %w", code, url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxWebhookReply))
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, fmt.Errorf("linktest: webhook %s to %s: receiver answered %s, not 200", code, url, resp.Status)
	}
	return resp.StatusCode, nil
}
