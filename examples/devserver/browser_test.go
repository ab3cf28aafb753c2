package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/internal/chromiumtest"
	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
	"github.com/plaidlink/plaidlink-go/webhook"
)

// receiver is a backend's webhook endpoint with a default verifier, on real time: it records the
// status it answered to each request.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	accepted []webhook.Event
}

func newReceiver(t *testing.T, keys webhook.KeyFetcher) *receiver {
	t.Helper()
	r := &receiver{}
	h := webhook.NewHandler(webhook.NewVerifier(keys), func(_ context.Context, ev webhook.Event) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.accepted = append(r.accepted, ev)
		return nil
	})
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, req)
		r.mu.Lock()
		r.statuses = append(r.statuses, rec.status)
		r.mu.Unlock()
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) got() (statuses []int, accepted []webhook.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.statuses...), append([]webhook.Event(nil), r.accepted...)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// An automated browser suite completes 20 Hosted Link sessions back to back on the dev server's
// page, far faster than the one second per Link event each session moves its clock. Its backend
// verifies webhooks with a default webhook.NewVerifier on real time, and accepts every one on its
// first delivery: none is issued in the future.
func TestTwentySessionsBackToBackInBrowser(t *testing.T) {
	chromium := chromiumtest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	s, banner := start(t, "-addr", "127.0.0.1:0")
	base := field(t, banner, "URL")
	c, err := link.NewClient(linktest.ClientID, linktest.Secret, link.WithBaseURL(base))
	require.NoError(t, err)
	rcv := newReceiver(t, c)

	const sessions = 20
	sessionIDs := make([]string, sessions)
	browser := chromiumtest.NewBrowser(ctx, t, chromium)
	for i := range sessions {
		tok, err := c.CreateToken(ctx, &link.TokenCreateRequest{
			ClientName:   "Wonderwallet",
			Language:     link.LanguageEnglish,
			CountryCodes: []link.CountryCode{link.CountryCodeUS},
			User:         &link.TokenCreateRequestUser{ClientUserID: fmt.Sprintf("user-%d", i)},
			Products:     []link.Product{link.ProductTransactions},
			Webhook:      rcv.URL,
			HostedLink:   &link.TokenCreateHostedLink{},
		})
		require.NoError(t, err)
		var summary string
		require.NoError(t, chromedp.Run(browser,
			chromedp.Navigate(tok.HostedLinkURL),
			chromedp.WaitVisible("#continue", chromedp.ByID),
			chromedp.Click("#continue", chromedp.ByID),
			chromedp.WaitVisible(`#outcome[data-status="completed"]`, chromedp.ByQuery),
			chromedp.Text("#summary", &summary, chromedp.ByID),
			chromedp.Text("#link-session-id", &sessionIDs[i], chromedp.ByID),
		), "session %d", i+1)
		assert.Contains(t, summary, "was linked", "session %d", i+1)
	}

	// A session's webhooks are sent before its page answers, so all are in by now.
	statuses, accepted := rcv.got()
	require.Len(t, statuses, sessions*3, "three webhooks per Hosted Link session, each delivered once")
	for i, st := range statuses {
		assert.Equal(t, http.StatusOK, st, "delivery %d", i+1)
	}
	perSession := map[string][]string{}
	for _, ev := range accepted {
		perSession[ev.SessionID()] = append(perSession[ev.SessionID()], ev.Code())
		if evs, ok := ev.(*webhook.Events); ok {
			// The fake's clock still steps a second per event, so a session's events keep
			// strictly increasing timestamps, even though its webhooks are signed in real time.
			merged := webhook.MergeEvents(evs.Events)
			require.NotEmpty(t, merged)
			for i := 1; i < len(merged); i++ {
				assert.True(t, merged[i].Timestamp.After(merged[i-1].Timestamp.Time),
					"session %s: event %d at %v, not after %v", evs.LinkSessionID, i, merged[i].Timestamp, merged[i-1].Timestamp)
			}
		}
	}
	for i, id := range sessionIDs {
		assert.Equal(t, []string{"ITEM_ADD_RESULT", "EVENTS", "SESSION_FINISHED"}, perSession[id], "session %d", i+1)
	}

	// The dev server's log says the same: every attempt was the first, answered 200.
	line := regexp.MustCompile(`^\d\d:\d\d:\d\d webhook (ITEM_ADD_RESULT|EVENTS|SESSION_FINISHED) \(attempt 1\) to ` +
		regexp.QuoteMeta(rcv.URL) + `: answered 200$`)
	for n := range sessions * 3 {
		select {
		case l, ok := <-s.lines:
			require.True(t, ok, "the dev server stopped")
			assert.Regexp(t, line, l, "log line %d", n+1)
		case <-ctx.Done():
			t.Fatalf("only %d of %d delivery lines printed", n, sessions*3)
		}
	}
}
