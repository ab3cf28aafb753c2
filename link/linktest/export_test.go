package linktest

import (
	"context"
	"net/http"
	"strconv"

	"github.com/plaidlink/plaidlink-go/internal/boundedmap"
	"github.com/plaidlink/plaidlink-go/link"
)

// Counts reports how many link tokens, public tokens, Items and Hosted Link pages s holds, for
// tests of its bounds.
func Counts(s *Server) (linkTokens, publicTokens, items, hosted int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nowLocked()
	return s.linkTokens.len(), s.publicTokens.len(), s.items.len(), len(s.hosted)
}

// SetLimits lowers s's store bounds so tests can reach them quickly.
func SetLimits(s *Server, linkTokens, publicTokens, items int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.linkTokens.setMax(linkTokens)
	s.publicTokens.setMax(publicTokens)
	s.items.setMax(items)
}

// QueuedFaults reports how many faults are queued for path, so a test can tell when a request has
// taken its fault.
func QueuedFaults(s *Server, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.faults[normalizePath(path)])
}

// WebhookKeyGet calls the /webhook_verification_key/get endpoint directly with ctx, for a test of
// a key fetch whose request context has ended, which no HTTP client would see the answer to.
func WebhookKeyGet(s *Server, ctx context.Context, kid string) (status int, perr *link.Error) {
	_, e := s.webhookVerificationKeyGet(ctx, []byte(`{"key_id":`+strconv.Quote(kid)+`}`), "test")
	if e == nil {
		return http.StatusOK, nil
	}
	return e.status, e.err
}

// QueuedLostReplies reports how many LoseReplyNext faults are queued for path.
func QueuedLostReplies(s *Server, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lostReplies[normalizePath(path)])
}

// SetWebhookLimits lowers how many webhooks s remembers and how many delivery records it keeps.
func SetWebhookLimits(s *Server, webhooks, deliveries int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhooks.setMax(webhooks)
	s.maxDeliveries = deliveries
}

// HTTPServer returns the http.Server behind s, for tests of how it is configured.
func HTTPServer(s *Server) *http.Server { return s.ts.Config }

// setMax rebounds f to max entries, keeping the newest.
func (f *fifo[V]) setMax(max int) {
	old := f.m
	f.m = boundedmap.New[string, V](max)
	for k, v := range old.All() {
		f.m.Put(k, v)
	}
}
