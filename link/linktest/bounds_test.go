package linktest_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
	"github.com/plaidlink/plaidlink-go/webhook"
)

func TestConcurrentUse(t *testing.T) {
	s := newServer(t, linktest.WithLinkWebhooksForAllSessions())
	c := s.Client()
	ctx := context.Background()
	// Webhooks are signed at the server clock's time and verified on it. The workers move that one
	// clock by EventInterval per event of every session (nine for a completed session, six for an
	// exited one) and by a second now and then: some 35 minutes in all. A webhook signed at one
	// worker's time may be verified only after the others have moved the clock on, so the
	// verifier's max age covers the whole run, which the test checks at the end, instead of
	// depending on how the workers happen to interleave.
	const maxAge = time.Hour
	start := s.Clock().Now()
	rcv := newReceiver(t, c, webhook.WithClock(s.Clock().Now), webhook.WithMaxAge(maxAge))

	const workers, rounds = 16, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	access := make(chan string, workers*rounds)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				req := tokenRequest()
				req.User.ClientUserID = fmt.Sprintf("user-%d-%d", w, i)
				if i%3 == 0 {
					req.Webhook = rcv.URL
				}
				tok, err := c.CreateToken(ctx, req)
				if err != nil {
					errs <- err
					return
				}
				if i%5 == 4 {
					res, err := s.ExitSession(tok.LinkToken, nil)
					if err != nil {
						errs <- err
					} else if err := res.WebhookErr(); err != nil {
						errs <- err
					}
					continue
				}
				sess, err := s.CompleteSession(tok.LinkToken)
				if err != nil {
					errs <- err
					return
				}
				if err := sess.WebhookErr(); err != nil {
					errs <- err
				}
				exch, err := c.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: sess.PublicToken})
				if err != nil {
					errs <- err
					return
				}
				access <- exch.AccessToken
				if _, err := c.GetToken(ctx, &link.TokenGetRequest{LinkToken: tok.LinkToken}); err != nil {
					errs <- err
				}
				if i%4 == 0 {
					s.Clock().Advance(time.Second)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	close(access)
	for err := range errs {
		t.Error(err)
	}
	seen := map[string]bool{}
	for at := range access {
		assert.False(t, seen[at], "access tokens are unique")
		seen[at] = true
		_, ok := s.Item(at)
		assert.True(t, ok)
	}
	assert.Len(t, seen, workers*rounds*4/5)
	// 1 in 3 token had a webhook: EVENTS+SESSION_FINISHED, with Link webhooks for all sessions.
	assert.Len(t, rcv.received(), workers*5*2, "every webhook verified on its first attempt")
	moved := s.Clock().Now().Sub(start)
	assert.Equal(t, time.Duration(workers)*(12*9+3*6+3)*linktest.EventInterval, moved,
		"12 completed and 3 exited sessions and 3 one-second steps per worker")
	require.Less(t, moved, maxAge, "the verifier's max age covers every webhook of the run")
}

func TestExpiredTokensArePruned(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	ctx := context.Background()

	const n = 150
	for i := range n {
		req := tokenRequest()
		if i%2 == 0 {
			req.HostedLink = &link.TokenCreateHostedLink{}
		}
		tok := createToken(t, c, req)
		if i%3 == 0 {
			_, err := s.CompleteSession(tok.LinkToken)
			require.NoError(t, err)
		}
	}
	linkTokens, publicTokens, items, hosted := linktest.Counts(s)
	assert.Equal(t, n, linkTokens)
	assert.Equal(t, n/3, publicTokens)
	assert.Zero(t, items)
	assert.Equal(t, n/2, hosted)

	// Past the public tokens' expiry and retention, but not the link tokens'.
	s.Clock().Advance(linktest.PublicTokenLifetime + linktest.PublicTokenRetention)
	linkTokens, publicTokens, _, _ = linktest.Counts(s)
	assert.Equal(t, n, linkTokens)
	assert.Zero(t, publicTokens)

	// Past the link tokens' expiry and retention.
	s.Clock().Advance(linktest.LinkTokenLifetime + linktest.LinkTokenRetention)
	linkTokens, publicTokens, items, hosted = linktest.Counts(s)
	assert.Zero(t, linkTokens)
	assert.Zero(t, publicTokens)
	assert.Zero(t, items)
	assert.Zero(t, hosted)

	// The server still works after pruning.
	tok := createToken(t, c, tokenRequest())
	_, err := c.GetToken(ctx, &link.TokenGetRequest{LinkToken: tok.LinkToken})
	require.NoError(t, err)
}

func TestStoresAreCapped(t *testing.T) {
	s := newServer(t)
	linktest.SetLimits(s, 5, 5, 5)
	c := s.Client()
	ctx := context.Background()

	var links, accessTokens []string
	for range 12 {
		tok := createToken(t, c, tokenRequest())
		links = append(links, tok.LinkToken)
		sess, err := s.CompleteSession(tok.LinkToken)
		require.NoError(t, err)
		exch, err := c.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: sess.PublicToken})
		require.NoError(t, err)
		accessTokens = append(accessTokens, exch.AccessToken)
	}
	linkTokens, publicTokens, items, _ := linktest.Counts(s)
	assert.Equal(t, 5, linkTokens)
	assert.Equal(t, 5, publicTokens)
	assert.Equal(t, 5, items)

	// The oldest were forgotten first.
	_, err := c.GetToken(ctx, &link.TokenGetRequest{LinkToken: links[0]})
	assert.Equal(t, link.ErrorCodeInvalidLinkToken, plaidErr(t, err).ErrorCode)
	_, err = c.GetToken(ctx, &link.TokenGetRequest{LinkToken: links[11]})
	require.NoError(t, err)
	_, ok := s.Item(accessTokens[0])
	assert.False(t, ok)
	_, err = c.ResetSandboxItemLogin(ctx, &link.SandboxItemResetLoginRequest{AccessToken: accessTokens[0]})
	assert.Equal(t, link.ErrorCodeInvalidAccessToken, plaidErr(t, err).ErrorCode)
	_, ok = s.Item(accessTokens[11])
	assert.True(t, ok)
}

func TestSessionsPerLinkTokenAreCapped(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	tok := createToken(t, c, tokenRequest())

	var last string
	for range linktest.MaxSessionsPerLinkToken + 7 {
		sess, err := s.CompleteSession(tok.LinkToken)
		require.NoError(t, err)
		last = sess.LinkSessionID
	}
	got, err := c.GetToken(context.Background(), &link.TokenGetRequest{LinkToken: tok.LinkToken})
	require.NoError(t, err)
	require.Len(t, got.LinkSessions, linktest.MaxSessionsPerLinkToken)
	assert.Equal(t, last, got.LinkSessions[0].LinkSessionID, "the latest sessions are kept")
}
