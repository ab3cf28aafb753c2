package linktest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

// receiver is a webhook endpoint built the way a user's backend would build it.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	events []webhook.Event
}

// newReceiver verifies with keys and opts; a test that moves the server's clock passes
// webhook.WithClock(s.Clock().Now), since the server signs webhooks at its clock's time.
func newReceiver(t *testing.T, keys webhook.KeyFetcher, opts ...webhook.VerifierOption) *receiver {
	t.Helper()
	r := &receiver{}
	h := webhook.NewHandler(webhook.NewVerifier(keys, opts...), func(_ context.Context, ev webhook.Event) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.events = append(r.events, ev)
		return nil
	})
	r.Server = httptest.NewServer(h)
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) received() []webhook.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func TestWebhookRoundTrip(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	rcv := newReceiver(t, c)

	req := hostedRequest()
	req.Webhook = rcv.URL + "/plaid"
	tok := createToken(t, c, req)

	sess, err := s.CompleteSession(tok.LinkToken)
	require.NoError(t, err)
	require.NoError(t, sess.WebhookErr())
	require.Len(t, sess.Webhooks, 3)
	for i, code := range []string{"ITEM_ADD_RESULT", "EVENTS", "SESSION_FINISHED"} {
		assert.Equal(t, code, sess.Webhooks[i].Code)
		assert.Equal(t, http.StatusOK, sess.Webhooks[i].StatusCode)
		assert.Equal(t, rcv.URL+"/plaid", sess.Webhooks[i].URL)
	}

	got := rcv.received()
	require.Len(t, got, 3, "all three webhooks verified and parsed")

	add, ok := got[0].(*webhook.ItemAddResult)
	require.True(t, ok, "got %T", got[0])
	assert.Equal(t, webhook.ItemAddResult{
		WebhookType:   "LINK",
		WebhookCode:   "ITEM_ADD_RESULT",
		LinkSessionID: sess.LinkSessionID,
		LinkToken:     tok.LinkToken,
		PublicToken:   sess.PublicToken,
		Environment:   webhook.EnvironmentSandbox,
	}, *add)

	evs, ok := got[1].(*webhook.Events)
	require.True(t, ok, "got %T", got[1])
	assert.Equal(t, "LINK", evs.WebhookType)
	assert.Equal(t, "EVENTS", evs.WebhookCode)
	assert.Equal(t, sess.LinkSessionID, evs.LinkSessionID)
	assert.Equal(t, tok.LinkToken, evs.LinkToken)
	assert.Equal(t, webhook.EnvironmentSandbox, evs.Environment)
	assert.Equal(t, sess.Events, webhook.MergeEvents(evs.Events))

	fin, ok := got[2].(*webhook.SessionFinished)
	require.True(t, ok, "got %T", got[2])
	assert.Equal(t, webhook.SessionFinished{
		WebhookType:   "LINK",
		WebhookCode:   "SESSION_FINISHED",
		Status:        webhook.SessionStatusSuccess,
		LinkSessionID: sess.LinkSessionID,
		LinkToken:     tok.LinkToken,
		PublicTokens:  []string{sess.PublicToken},
		Environment:   webhook.EnvironmentSandbox,
	}, *fin)

	// The public token from the webhook is the one that exchanges.
	_, err = c.ExchangePublicToken(context.Background(), &link.ItemPublicTokenExchangeRequest{PublicToken: add.PublicToken})
	require.NoError(t, err)

	// Bodies carry exactly the fields of Plaid's samples.
	keys := func(b []byte) []string {
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		return slices.Sorted(maps.Keys(m))
	}
	assert.Equal(t, []string{"environment", "link_session_id", "link_token", "public_token", "webhook_code", "webhook_type"},
		keys(sess.Webhooks[0].Body))
	assert.Equal(t, []string{"environment", "events", "link_session_id", "link_token", "webhook_code", "webhook_type"},
		keys(sess.Webhooks[1].Body))
	assert.Equal(t, []string{"environment", "link_session_id", "link_token", "public_tokens", "status", "webhook_code", "webhook_type"},
		keys(sess.Webhooks[2].Body))
}

func TestWebhookOnExit(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	rcv := newReceiver(t, c)

	req := hostedRequest()
	req.Webhook = rcv.URL
	req.UserID = "usr_42"
	tok := createToken(t, c, req)

	res, err := s.ExitSession(tok.LinkToken, &link.Error{ErrorType: link.ErrorTypeItemError, ErrorCode: link.ErrorCodeInvalidCredentials,
		ErrorMessage: "the provided credentials were not correct"})
	require.NoError(t, err)
	require.NoError(t, res.WebhookErr())

	got := rcv.received()
	require.Len(t, got, 2, "no ITEM_ADD_RESULT for an exited session")
	evs, ok := got[0].(*webhook.Events)
	require.True(t, ok, "got %T", got[0])
	assert.Equal(t, res.LinkSessionID, evs.LinkSessionID)
	merged := webhook.MergeEvents(evs.Events)
	assert.Equal(t, res.Events, merged)
	require.Len(t, merged, 9)
	assert.Equal(t, link.EventNameError, merged[6].EventName)
	assert.Equal(t, string(link.ErrorCodeInvalidCredentials), merged[6].EventMetadata.ErrorCode)
	assert.Equal(t, link.EventNameExit, merged[8].EventName)

	fin, ok := got[1].(*webhook.SessionFinished)
	require.True(t, ok, "got %T", got[1])
	assert.Equal(t, webhook.SessionStatusExited, fin.Status)
	assert.Equal(t, tok.LinkToken, fin.LinkToken)
	assert.Equal(t, res.LinkSessionID, fin.LinkSessionID)
	assert.Equal(t, "usr_42", fin.UserID)
	assert.Empty(t, fin.PublicTokens)
}

func TestWebhookUpdateModeSendsNoItemAddResult(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	ctx := context.Background()
	rcv := newReceiver(t, c)

	pub, err := c.CreateSandboxPublicToken(ctx, &link.SandboxPublicTokenCreateRequest{
		InstitutionID: linktest.DefaultInstitutionID, InitialProducts: []link.Product{link.ProductTransactions}})
	require.NoError(t, err)
	exch, err := c.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: pub.PublicToken})
	require.NoError(t, err)

	req := hostedRequest() // Link Recovery: Hosted Link in update mode
	req.Products = nil
	req.AccessToken = exch.AccessToken
	req.Webhook = rcv.URL
	tok := createToken(t, c, req)
	sess, err := s.CompleteSession(tok.LinkToken)
	require.NoError(t, err)
	require.NoError(t, sess.WebhookErr())

	var codes []string
	for _, ev := range rcv.received() {
		codes = append(codes, ev.Code())
	}
	assert.Equal(t, []string{"EVENTS", "SESSION_FINISHED"}, codes)
}

func TestWebhookDeliveryFailuresAreReported(t *testing.T) {
	t.Run("signature from another key is refused", func(t *testing.T) {
		s := newServer(t)
		rcv := newReceiver(t, webhooktest.NewSigner())
		req := hostedRequest()
		req.Webhook = rcv.URL
		tok := createToken(t, s.Client(), req)

		sess, err := s.CompleteSession(tok.LinkToken)
		require.NoError(t, err, "the session itself succeeds")
		require.Len(t, sess.Webhooks, 3)
		for _, d := range sess.Webhooks {
			assert.Equal(t, http.StatusUnauthorized, d.StatusCode)
			assert.ErrorContains(t, d.Err, "401")
		}
		assert.Error(t, sess.WebhookErr())
		assert.Empty(t, rcv.received())
	})

	t.Run("nobody listening", func(t *testing.T) {
		s := newServer(t)
		dead := httptest.NewServer(http.NotFoundHandler())
		dead.Close()
		req := hostedRequest()
		req.Webhook = dead.URL
		tok := createToken(t, s.Client(), req)

		sess, err := s.ExitSession(tok.LinkToken, nil)
		require.NoError(t, err)
		require.Len(t, sess.Webhooks, 2)
		assert.Zero(t, sess.Webhooks[0].StatusCode)
		assert.Error(t, sess.Webhooks[0].Err)
		assert.Error(t, sess.WebhookErr())
	})

	t.Run("slow receiver is cut off by the delivery timeout", func(t *testing.T) {
		s := newServer(t, linktest.WithWebhookTimeout(50*time.Millisecond))
		release := make(chan struct{})
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		t.Cleanup(slow.Close)
		t.Cleanup(func() { close(release) })
		req := hostedRequest()
		req.Webhook = slow.URL
		tok := createToken(t, s.Client(), req)

		began := time.Now()
		sess, err := s.CompleteSession(tok.LinkToken)
		require.NoError(t, err)
		assert.Less(t, time.Since(began), 5*time.Second)
		require.Len(t, sess.Webhooks, 3)
		for _, d := range sess.Webhooks {
			assert.ErrorIs(t, d.Err, context.DeadlineExceeded)
		}
	})
}

func TestServerSignerServesItsKey(t *testing.T) {
	s := newServer(t)
	resp, err := s.Client().GetWebhookVerificationKey(context.Background(),
		&link.WebhookVerificationKeyGetRequest{KeyID: s.Signer().KeyID()})
	require.NoError(t, err)
	assert.Equal(t, s.Signer().JWK(), resp.Key)
	assert.Regexp(t, `^[A-Za-z0-9]{15}$`, resp.RequestID)

	// A webhook the test signs itself with the server's signer verifies against the server.
	body := []byte(`{"webhook_type":"LINK","webhook_code":"EVENTS","events":[],"link_session_id":"x","link_token":"y"}`)
	v := webhook.NewVerifier(s.Client())
	require.NoError(t, v.Verify(context.Background(), s.Signer().Sign(body), body))
}

// Webhooks are signed at the server clock's time, so a receiver whose verifier reads that clock
// accepts them after the test has moved it far from the machine's time.
func TestWebhooksSignedAtServerClock(t *testing.T) {
	s := newServer(t, linktest.WithLinkWebhooksForAllSessions())
	c := s.Client()
	rcv := newReceiver(t, c, webhook.WithClock(s.Clock().Now))

	var (
		mu  sync.Mutex
		iat []int64
	)
	capture := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims := struct {
			Iat int64 `json:"iat"`
		}{}
		parts := strings.Split(r.Header.Get(webhook.HeaderName), ".")
		if len(parts) == 3 {
			if raw, err := base64.RawURLEncoding.DecodeString(parts[1]); err == nil {
				_ = json.Unmarshal(raw, &claims)
			}
		}
		mu.Lock()
		iat = append(iat, claims.Iat)
		mu.Unlock()
	}))
	t.Cleanup(capture.Close)

	for _, url := range []string{rcv.URL, capture.URL} {
		req := tokenRequest()
		req.Webhook = url
		tok := createToken(t, c, req)
		s.Clock().Advance(time.Hour)

		sess, err := s.CompleteSession(tok.LinkToken)
		require.NoError(t, err)
		require.NoError(t, sess.WebhookErr(), "a verifier on the server's clock accepts every webhook")
		require.Len(t, sess.Webhooks, 2)
	}
	assert.Len(t, rcv.received(), 2)

	now := s.Clock().Now().Unix()
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []int64{now, now}, iat, "iat is the server clock's time")
}
