package linktest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/plaidlink/plaidlink-go/link/linktest/internal/delivery"
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
	WebhookRetryFirstDelay = delivery.RetryFirstDelay
	// WebhookRetryBackoff is the factor each later wait grows by.
	WebhookRetryBackoff = delivery.RetryBackoff
	// WebhookRetryWindow is how long after its first attempt a webhook is still sent again.
	WebhookRetryWindow = delivery.RetryWindow
)

// Bounds on what the server keeps about webhooks.
const (
	// MaxDeliveries is how many delivery records [Server.Deliveries] keeps, dropping the oldest.
	MaxDeliveries = delivery.MaxDeliveries
	// MaxWebhooks is how many webhooks the server remembers for redelivery, dropping the oldest
	// (and any retries it still had due).
	MaxWebhooks = delivery.MaxWebhooks
)

// WebhookDelivery is one attempt at delivering a webhook; see [Server.Deliveries]. Its fields
// are documented in package internal/delivery, which makes the attempts: ID (the same for every
// attempt at one webhook, for [Server.Redeliver]), Code, LinkSessionID, URL, Body,
// Verification (the Plaid-Verification header sent), Attempt (1 for the first), Time (on the
// server's clock), StatusCode (0 if no answer came), Err (nil only for a 200), NextAttempt (zero
// if none is scheduled) and Redelivered; and its Outcome method says in a few words how the
// attempt went.
type WebhookDelivery = delivery.WebhookDelivery

// Deliveries returns every webhook delivery attempt the server has made, oldest first (at most
// [MaxDeliveries]): the first attempts made by the session drivers, the retries Plaid's schedule
// made as the clock moved, and those made by [Server.Redeliver].
func (s *Server) Deliveries() []WebhookDelivery {
	return s.deliv.Deliveries()
}

// Redeliver sends the webhook with the given ID (a [WebhookDelivery.ID]) once more, now, with the
// same body and a freshly signed Plaid-Verification header, as a test might to replay a webhook
// its receiver has already seen, or as Plaid's dashboard resends one. It is recorded in
// [Server.Deliveries] with Redelivered set and does not change the webhook's schedule: retries
// still due are still sent. The error is for an ID the server does not know (or no longer
// remembers, see [MaxWebhooks]); how the delivery went is in the returned WebhookDelivery's Err.
func (s *Server) Redeliver(id string) (WebhookDelivery, error) {
	d, ok := s.deliv.Redeliver(id)
	if !ok {
		return WebhookDelivery{}, fmt.Errorf("linktest: Redeliver: no webhook with id %q", id)
	}
	return d, nil
}

// sendNow makes the first attempt at the webhooks of b, in order, then has what else came due on
// the clock sent (by every server that reads it), and returns the first attempts.
func (s *Server) sendNow(b delivery.Batch) []WebhookDelivery {
	out := s.deliv.Send(b)
	s.clock.notify()
	return out
}

// schedule queues batches for their due times and has what came due sent.
func (s *Server) schedule(batches []delivery.Batch) {
	for _, b := range batches {
		s.deliv.Schedule(b)
	}
	s.clock.notify()
}

// send makes one attempt for the dispatcher: it signs body with a JWT issued at now (or at the
// signing clock's time, see [WithSigningClock]) and POSTs it.
func (s *Server) send(url, code string, body []byte, now time.Time) (string, int, error) {
	iat := now
	if s.signingClock != nil {
		iat = s.signingClock()
	}
	header := s.signer.SignAt(body, iat)
	status, err := s.post(url, code, body, header)
	return header, status, err
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
