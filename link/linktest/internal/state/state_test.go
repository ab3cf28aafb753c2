package state

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

// testClock is the fake clock a State reads and the session drivers step.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Step(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

func newState(t *testing.T) (*State, *testClock) {
	t.Helper()
	clock := &testClock{now: time.Date(2024, 7, 29, 20, 0, 0, 0, time.UTC)}
	return New(Config{
		Now: clock.Now, Step: clock.Step, Signer: webhooktest.NewSigner(),
		HostedLinkURL: func(id string) string { return "http://fake/hl/" + id },
	}), clock
}

func hostedTokenRequest() *link.TokenCreateRequest {
	return &link.TokenCreateRequest{
		ClientName: "App", Language: link.LanguageEnglish, CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User: &link.TokenCreateRequestUser{ClientUserID: "u1"}, Products: []link.Product{link.ProductAuth},
		Webhook: "http://receiver/hook", HostedLink: &link.TokenCreateHostedLink{},
	}
}

// The state runs a whole flow without HTTP: handlers take decoded requests, and the session
// driver returns the webhooks to send rather than sending them.
func TestFlowWithoutHTTP(t *testing.T) {
	s, clock := newState(t)
	resp, e := s.CreateToken(hostedTokenRequest(), "req-1")
	require.Nil(t, e)
	tok := resp.(*link.TokenCreateResponse)
	assert.Regexp(t, `^http://fake/hl/[0-9a-f-]{36}$`, tok.HostedLinkURL)
	assert.Equal(t, clock.Now().Add(HostedLinkURLLifetime), tok.Expiration)

	started := clock.Now()
	sess, batch, err := s.Complete(tok.LinkToken, SessionConfig{})
	require.NoError(t, err)
	require.Len(t, sess.PublicTokens, 1)
	assert.Equal(t, DefaultInstitutionID, sess.InstitutionID)
	assert.Equal(t, started.Add(time.Duration(len(sess.Events))*EventInterval), clock.Now(),
		"the driver steps the clock once per event")

	assert.Equal(t, "http://receiver/hook", batch.URL)
	assert.Equal(t, sess.ID, batch.SessionID)
	assert.Equal(t, clock.Now(), batch.Due)
	var codes []string
	for _, h := range batch.Hooks {
		codes = append(codes, h.Code)
	}
	assert.Equal(t, []string{"ITEM_ADD_RESULT", "EVENTS", "SESSION_FINISHED"}, codes)

	ex, e := s.ExchangePublicToken(&link.ItemPublicTokenExchangeRequest{PublicToken: sess.PublicTokens[0]}, "req-2")
	require.Nil(t, e)
	access := ex.(*link.ItemPublicTokenExchangeResponse).AccessToken
	it, ok := s.Item(access)
	require.True(t, ok)
	assert.Equal(t, "http://receiver/hook", it.Webhook)

	_, e = s.ExchangePublicToken(&link.ItemPublicTokenExchangeRequest{PublicToken: sess.PublicTokens[0]}, "req-3")
	require.NotNil(t, e)
	assert.Equal(t, link.ErrorCodeInvalidPublicToken, e.Err.ErrorCode)
	assert.Equal(t, 400, e.Status)
}

// An open session whose link token expires is abandoned when the owner asks; its webhooks are
// due AbandonedSessionWebhookDelay after its last event, or at the expiry if that is later.
func TestAbandonExpired(t *testing.T) {
	s, clock := newState(t)
	resp, e := s.CreateToken(hostedTokenRequest(), "req-1")
	require.Nil(t, e)
	token, expires := resp.(*link.TokenCreateResponse).LinkToken, resp.(*link.TokenCreateResponse).Expiration

	sess, abandoned, err := s.Open(token, SessionConfig{})
	require.NoError(t, err)
	assert.Empty(t, abandoned)
	last := sess.Events[len(sess.Events)-1].Timestamp.Time

	assert.Empty(t, s.AbandonExpired(clock.Now()), "the token is still live")
	batches := s.AbandonExpired(clock.Now().Add(HostedLinkURLLifetime))
	require.Len(t, batches, 1)
	require.True(t, expires.After(last.Add(AbandonedSessionWebhookDelay)))
	assert.Equal(t, expires, batches[0].Due)
	assert.Equal(t, sess.ID, batches[0].SessionID)
	assert.Empty(t, s.AbandonExpired(clock.Now().Add(HostedLinkURLLifetime)), "a session is abandoned once")

	_, _, err = s.Abandon(sess.ID)
	assert.ErrorContains(t, err, "no open Link session")
}

// A refused session option fails the session before anything is recorded.
func TestBadSessionConfig(t *testing.T) {
	s, _ := newState(t)
	resp, e := s.CreateToken(hostedTokenRequest(), "req-1")
	require.Nil(t, e)
	token := resp.(*link.TokenCreateResponse).LinkToken
	cfg := SessionConfig{}
	cfg.Refuse("WithEventsWebhooks(%d): n must be from 1 to %d", 0, MaxEventsParts)
	cfg.Refuse("second")
	_, _, err := s.Complete(token, cfg)
	assert.EqualError(t, err, "linktest: CompleteSession: WithEventsWebhooks(0): n must be from 1 to 16")
	got, e := s.GetToken(&link.TokenGetRequest{LinkToken: token}, "req-2")
	require.Nil(t, e)
	assert.Empty(t, got.(*wireTokenGetResponse).LinkSessions)
}
