package linktest

import (
	"context"
	"net/http"
	"strconv"

	"github.com/plaidlink/plaidlink-go/link"
)

// Counts reports how many link tokens, public tokens, Items and Hosted Link pages s holds, for
// tests of its bounds.
func Counts(s *Server) (linkTokens, publicTokens, items, hosted int) {
	return s.state.Counts()
}

// SetLimits lowers s's store bounds so tests can reach them quickly.
func SetLimits(s *Server, linkTokens, publicTokens, items int) {
	s.state.SetLimits(linkTokens, publicTokens, items)
}

// QueuedFaults reports how many faults are queued for path, so a test can tell when a request has
// taken its fault.
func QueuedFaults(s *Server, path string) int {
	s.faultsMu.Lock()
	defer s.faultsMu.Unlock()
	return len(s.faults[normalizePath(path)])
}

// WebhookKeyGet calls the /webhook_verification_key/get endpoint directly with ctx, for a test of
// a key fetch whose request context has ended, which no HTTP client would see the answer to.
func WebhookKeyGet(s *Server, ctx context.Context, kid string) (status int, perr *link.Error) {
	_, e := endpoints[PathWebhookVerificationKey](s, ctx, []byte(`{"key_id":`+strconv.Quote(kid)+`}`), "test")
	if e == nil {
		return http.StatusOK, nil
	}
	return e.Status, e.Err
}

// QueuedLostReplies reports how many LoseReplyNext faults are queued for path.
func QueuedLostReplies(s *Server, path string) int {
	s.faultsMu.Lock()
	defer s.faultsMu.Unlock()
	return len(s.lostReplies[normalizePath(path)])
}

// SetWebhookLimits lowers how many webhooks s remembers and how many delivery records it keeps.
func SetWebhookLimits(s *Server, webhooks, deliveries int) {
	s.deliv.SetLimits(webhooks, deliveries)
}

// HTTPServer returns the http.Server behind s, for tests of how it is configured.
func HTTPServer(s *Server) *http.Server { return s.ts.Config }
