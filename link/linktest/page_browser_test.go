package linktest_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
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

// verifiedWebhooks is a user's webhook endpoint: it keeps the webhooks its verifier accepted.
type verifiedWebhooks struct {
	mu     sync.Mutex
	events []webhook.Event
	got    chan struct{} // one value per accepted webhook
}

func (v *verifiedWebhooks) handle(_ context.Context, ev webhook.Event) error {
	v.mu.Lock()
	v.events = append(v.events, ev)
	v.mu.Unlock()
	v.got <- struct{}{}
	return nil
}

// wait returns the webhooks once n have been accepted.
func (v *verifiedWebhooks) wait(ctx context.Context, t *testing.T, n int) []webhook.Event {
	t.Helper()
	for range n {
		select {
		case <-v.got:
		case <-ctx.Done():
			t.Fatalf("waiting for %d webhooks: %v", n, ctx.Err())
		}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]webhook.Event(nil), v.events...)
}

// A developer runs their front end against the fake by hand: in a real Chromium they finish a
// Hosted Link session on its hosted_link_url, leave a standard session on its page and another
// Hosted Link session on its URL, and their backend sees all three in /link/token/get and gets the
// verified webhooks Plaid would send, none for the standard session.
func TestPageInBrowser(t *testing.T) {
	chromium := chromiumtest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// As examples/devserver does, so that the receiver's verifier on real time accepts the
	// webhooks however far the sessions have moved the server's clock ahead of the machine's.
	s := newServer(t, linktest.WithSigningClock(time.Now))
	c := s.Client()
	hooks := &verifiedWebhooks{got: make(chan struct{}, 16)}
	mux := http.NewServeMux()
	mux.Handle("POST /plaid", webhook.NewHandler(webhook.NewVerifier(c), hooks.handle))
	mux.HandleFunc("GET /done", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>Wonderwallet</title><h1 id="back">Back at Wonderwallet</h1>`))
	})
	app := httptest.NewServer(mux)
	t.Cleanup(app.Close)

	hostedReq := tokenRequest()
	hostedReq.Webhook = app.URL + "/plaid"
	hostedReq.HostedLink = &link.TokenCreateHostedLink{CompletionRedirectURI: app.URL + "/done"}
	hosted := createToken(t, c, hostedReq)
	standardReq := tokenRequest()
	standardReq.Webhook = app.URL + "/plaid"
	standard := createToken(t, c, standardReq)
	hostedExitReq := tokenRequest()
	hostedExitReq.Webhook = app.URL + "/plaid"
	hostedExitReq.HostedLink = &link.TokenCreateHostedLink{}
	hostedExit := createToken(t, c, hostedExitReq)

	browser := chromiumtest.NewBrowser(ctx, t, chromium)
	var summary1, sessionID1, back, location string
	require.NoError(t, chromedp.Run(browser,
		chromedp.Navigate(hosted.HostedLinkURL),
		chromedp.WaitVisible("#continue", chromedp.ByID),
		chromedp.SetValue("#institution", "ins_109511", chromedp.ByID),
		chromedp.Click("#account-1111", chromedp.ByID), // untick Plaid Saving
		chromedp.Click("#account-3333", chromedp.ByID), // tick Plaid Credit Card
		chromedp.Click("#continue", chromedp.ByID),
		chromedp.WaitVisible(`#outcome[data-status="completed"]`, chromedp.ByQuery),
		chromedp.Text("#summary", &summary1, chromedp.ByID),
		chromedp.Text("#link-session-id", &sessionID1, chromedp.ByID),
		// The page then goes to the token's completion_redirect_uri.
		chromedp.WaitVisible("#back", chromedp.ByID),
		chromedp.Text("#back", &back, chromedp.ByID),
		chromedp.Location(&location),
	))
	assert.Equal(t, "Tartan Bank was linked: 1 Item created.", summary1)
	assert.Equal(t, "Back at Wonderwallet", back)
	assert.Equal(t, app.URL+"/done", location)

	var summary2, sessionID2, exitStatus, noWebhooks string
	require.NoError(t, chromedp.Run(browser,
		chromedp.Navigate(s.LinkPageURL(standard.LinkToken)),
		chromedp.WaitVisible("#exit", chromedp.ByID),
		chromedp.SetValue("#exit-status", string(link.ExitStatusRequiresOAuth), chromedp.ByID),
		chromedp.Click("#exit", chromedp.ByID),
		chromedp.WaitVisible(`#outcome[data-status="exited"]`, chromedp.ByQuery),
		chromedp.Text("#summary", &summary2, chromedp.ByID),
		chromedp.Text("#link-session-id", &sessionID2, chromedp.ByID),
		chromedp.Text("#exit-status", &exitStatus, chromedp.ByID),
		chromedp.Text("#webhooks", &noWebhooks, chromedp.ByID),
	))
	assert.Contains(t, noWebhooks, "Plaid sends no LINK webhook for a standard Link session")
	assert.Equal(t, "The user left Link at First Platypus Bank with exit status requires_oauth.", summary2)
	assert.Equal(t, "requires_oauth", exitStatus)

	// A Hosted Link session left with Exit: no completion_redirect_uri, so the page stays.
	var sessionID3 string
	require.NoError(t, chromedp.Run(browser,
		chromedp.Navigate(hostedExit.HostedLinkURL),
		chromedp.WaitVisible("#exit", chromedp.ByID),
		chromedp.SetValue("#exit-status", string(link.ExitStatusInstitutionNotFound), chromedp.ByID),
		chromedp.Click("#exit", chromedp.ByID),
		chromedp.WaitVisible(`#outcome[data-status="exited"]`, chromedp.ByQuery),
		chromedp.Text("#link-session-id", &sessionID3, chromedp.ByID),
		chromedp.WaitVisible(`#webhooks li`, chromedp.ByQuery),
	))

	// /link/token/get shows the completed session with its results ...
	sessions := getSessions(t, c, hosted.LinkToken)
	require.Len(t, sessions, 1)
	done := sessions[0]
	assert.Equal(t, sessionID1, done.LinkSessionID)
	require.NotNil(t, done.OnSuccess)
	require.NotNil(t, done.OnSuccess.Metadata)
	assert.Equal(t, "ins_109511", done.OnSuccess.Metadata.Institution.InstitutionID)
	var names []string
	for _, a := range done.OnSuccess.Metadata.Accounts {
		names = append(names, a.Name)
	}
	assert.Equal(t, []string{"Plaid Checking", "Plaid Credit Card"}, names)
	publicToken := done.OnSuccess.PublicToken
	assert.True(t, strings.HasPrefix(publicToken, "public-sandbox-"), publicToken)
	require.NotNil(t, done.Results)
	require.Len(t, done.Results.ItemAddResults, 1)
	assert.Equal(t, publicToken, done.Results.ItemAddResults[0].PublicToken)

	// ... and the exited one with its exit status.
	sessions = getSessions(t, c, standard.LinkToken)
	require.Len(t, sessions, 1)
	exited := sessions[0]
	assert.Equal(t, sessionID2, exited.LinkSessionID)
	assert.Nil(t, exited.OnSuccess)
	require.NotNil(t, exited.Exit)
	require.NotNil(t, exited.Exit.Metadata)
	assert.Equal(t, link.ExitStatusRequiresOAuth, exited.Exit.Metadata.Status)
	assert.Empty(t, exited.Events, "events in /link/token/get are for Hosted Link sessions")
	sessions = getSessions(t, c, hostedExit.LinkToken)
	require.Len(t, sessions, 1)
	assert.Equal(t, sessionID3, sessions[0].LinkSessionID)
	require.NotNil(t, sessions[0].Exit)
	require.NotNil(t, sessions[0].Exit.Metadata)
	assert.Equal(t, link.ExitStatusInstitutionNotFound, sessions[0].Exit.Metadata.Status)
	require.NotEmpty(t, sessions[0].Events)
	assert.Equal(t, link.EventNameExit, sessions[0].Events[0].EventName, "newest first")

	// The Item is real: the public token from the webhook exchanges once.
	_, err := c.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: publicToken})
	require.NoError(t, err)

	// The receiver verified the completed Hosted Link session's three webhooks and the exited
	// one's two; Plaid sends none for a standard session.
	events := hooks.wait(ctx, t, 5)
	codes := map[string][]string{}
	for _, ev := range events {
		codes[ev.SessionID()] = append(codes[ev.SessionID()], ev.Code())
		switch ev := ev.(type) {
		case *webhook.ItemAddResult:
			assert.Equal(t, sessionID1, ev.LinkSessionID)
			assert.Equal(t, hosted.LinkToken, ev.LinkToken)
			assert.Equal(t, publicToken, ev.PublicToken)
		case *webhook.Events:
			var names []link.EventName
			for _, e := range webhook.MergeEvents(ev.Events) {
				names = append(names, e.EventName)
			}
			if ev.LinkSessionID == sessionID1 {
				assert.Equal(t, hosted.LinkToken, ev.LinkToken)
				assert.Contains(t, names, link.EventNameHandoff)
				assert.NotContains(t, names, link.EventNameExit)
			} else {
				assert.Equal(t, hostedExit.LinkToken, ev.LinkToken)
				assert.NotContains(t, names, link.EventNameHandoff)
				require.NotEmpty(t, ev.Events)
				last := webhook.MergeEvents(ev.Events)[len(ev.Events)-1]
				assert.Equal(t, link.EventNameExit, last.EventName)
				assert.Equal(t, link.ExitStatusInstitutionNotFound, last.EventMetadata.ExitStatus)
			}
		case *webhook.SessionFinished:
			if ev.LinkSessionID == sessionID1 {
				assert.Equal(t, webhook.SessionStatusSuccess, ev.Status)
				assert.Equal(t, []string{publicToken}, ev.PublicTokens)
			} else {
				assert.Equal(t, hostedExit.LinkToken, ev.LinkToken)
				assert.Equal(t, webhook.SessionStatusExited, ev.Status)
				assert.Empty(t, ev.PublicTokens)
			}
		default:
			t.Errorf("unexpected webhook %T %s", ev, ev.Code())
		}
	}
	assert.Equal(t, map[string][]string{
		sessionID1: {"ITEM_ADD_RESULT", "EVENTS", "SESSION_FINISHED"},
		sessionID3: {"EVENTS", "SESSION_FINISHED"},
	}, codes)
	select {
	case <-hooks.got:
		t.Errorf("a sixth webhook arrived: %v", hooks.wait(ctx, t, 0))
	default:
	}
}

// In a real Chromium, a page of another site (localhost is another site than 127.0.0.1) that
// posts a form to a token's Link page gets the 403 page saying why, and no session runs; the
// page's own form still works afterwards.
func TestPageRefusesCrossSitePostInBrowser(t *testing.T) {
	chromium := chromiumtest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	s := newServer(t)
	c := s.Client()
	tok := createToken(t, c, tokenRequest())
	pageURL := s.LinkPageURL(tok.LinkToken)

	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>Free money</title>
<form id="f" method="post" action="` + pageURL + `">
<input name="submission" value="00000000-0000-4000-8000-000000000000">
<input name="action" value="continue"><input name="institution" value="ins_109508">
<input name="account" value="0000"><button id="go" type="submit">Claim</button></form>`))
	}))
	t.Cleanup(attacker.Close)
	_, port, err := net.SplitHostPort(strings.TrimPrefix(attacker.URL, "http://"))
	require.NoError(t, err)

	browser := chromiumtest.NewBrowser(ctx, t, chromium)
	var title, body string
	require.NoError(t, chromedp.Run(browser,
		chromedp.Navigate("http://localhost:"+port+"/"),
		chromedp.WaitVisible("#go", chromedp.ByID),
		chromedp.Click("#go", chromedp.ByID),
		chromedp.WaitVisible(`//*[contains(text(), "accepts only its own forms")]`, chromedp.BySearch),
		chromedp.Title(&title),
		chromedp.Text("body", &body, chromedp.ByQuery),
	))
	assert.Equal(t, "Forbidden · linktest Link", title)
	assert.Contains(t, body, "This form was posted from another site (Sec-Fetch-Site: cross-site).")
	assert.Empty(t, getSessions(t, c, tok.LinkToken), "no session ran")

	// The page itself, opened in the same browser, still completes the session.
	require.NoError(t, chromedp.Run(browser,
		chromedp.Navigate(pageURL),
		chromedp.WaitVisible("#continue", chromedp.ByID),
		chromedp.Click("#continue", chromedp.ByID),
		chromedp.WaitVisible(`#outcome[data-status="completed"]`, chromedp.ByQuery),
	))
	assert.Len(t, getSessions(t, c, tok.LinkToken), 1)
}
