package linktest_test

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link/linktest"
)

// With WithSigningClock, each attempt's JWT is issued at the signing clock's time of sending,
// while everything else stays on the server's clock: event timestamps still step by
// EventInterval within a session, and deliveries and retries keep the server clock's times.
func TestWithSigningClock(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	signedAt := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	var signings atomic.Int64
	signingClock := func() time.Time {
		// A different second for each attempt, so that the test sees it is read at each one.
		return signedAt.Add(time.Duration(signings.Add(1)) * time.Second)
	}
	s := newServer(t, linktest.WithClock(linktest.NewClock(start)), linktest.WithSigningClock(signingClock))
	sink := newHookSink(t, 500) // the first attempt fails, so one retry comes due on the server's clock
	c := s.Client()

	const sessions = 5
	for range sessions {
		req := hostedRequest()
		req.Webhook = sink.URL
		res, err := s.CompleteSession(createToken(t, c, req).LinkToken)
		require.NoError(t, err)
		require.Len(t, res.Webhooks, 3)
		for i := 1; i < len(res.Events); i++ {
			assert.Equal(t, linktest.EventInterval, res.Events[i].Timestamp.Sub(res.Events[i-1].Timestamp.Time),
				"event timestamps step by EventInterval within a session")
		}
		for _, d := range res.Webhooks {
			assert.Equal(t, s.Clock().Now(), d.Time, "a delivery's Time is the server clock's")
		}
	}
	require.Equal(t, start.Add(sessions*9*linktest.EventInterval), s.Clock().Now(),
		"each completed Hosted Link session moves the server's clock by nine events")

	// The failed first attempt came due again 30 s later on the server's clock, which the later
	// sessions moved past it.
	ds := s.Deliveries()
	require.Len(t, ds, sessions*3+1)
	first := ds[0]
	require.Error(t, first.Err)
	var retries []linktest.WebhookDelivery
	for _, d := range ds {
		if d.ID == first.ID && d.Attempt == 2 {
			retries = append(retries, d)
		}
	}
	require.Len(t, retries, 1)
	assert.Equal(t, start.Add(9*linktest.EventInterval+linktest.WebhookRetryFirstDelay), first.NextAttempt)
	assert.False(t, retries[0].Time.Before(first.NextAttempt), "the retry is due on the server's clock")
	assert.False(t, retries[0].Time.After(s.Clock().Now()))

	iats, _ := sink.got()
	require.Len(t, iats, sessions*3+1)
	for i, iat := range iats {
		assert.Equal(t, signedAt.Add(time.Duration(i+1)*time.Second).Unix(), iat,
			"attempt %d is signed at the signing clock's time of sending", i+1)
	}
	assert.Equal(t, int64(sessions*3+1), signings.Load(), "the signing clock is read once per attempt")
}

// A server on a clock far ahead of the machine's signs webhooks that a verifier on real time
// refuses; with WithSigningClock(time.Now) the same receiver accepts every one on its first
// attempt, however far the sessions have moved the server's clock.
func TestWithSigningClockVerifiesInRealTime(t *testing.T) {
	// An hour ahead: what a burst of 400 sessions of nine events does to a clock that follows the
	// wall clock, and far beyond any verifier's tolerance for the future.
	ahead := time.Now().Add(time.Hour)
	for _, tt := range []struct {
		name     string
		opts     []linktest.Option
		accepted bool
	}{
		{"signed on the server's clock", nil, false},
		{"signed in real time", []linktest.Option{linktest.WithSigningClock(time.Now)}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, append(tt.opts, linktest.WithClock(linktest.NewClock(ahead)))...)
			c := s.Client()
			rcv := newReceiver(t, c) // a default verifier, on real time
			const sessions = 20
			for range sessions {
				req := hostedRequest()
				req.Webhook = rcv.URL
				res, err := s.CompleteSession(createToken(t, c, req).LinkToken)
				require.NoError(t, err)
				require.Len(t, res.Webhooks, 3)
				if tt.accepted {
					require.NoError(t, res.WebhookErr(), "every webhook accepted on its first attempt")
				} else {
					for _, d := range res.Webhooks {
						assert.Equal(t, http.StatusUnauthorized, d.StatusCode, "a JWT issued an hour in the future is refused")
					}
				}
			}
			if tt.accepted {
				assert.Len(t, rcv.received(), sessions*3)
				for _, d := range s.Deliveries() {
					assert.Equal(t, 1, d.Attempt)
					assert.NoError(t, d.Err)
				}
			} else {
				assert.Empty(t, rcv.received())
			}
		})
	}
}

// WithSigningClock refuses nil (see TestNewServerPanicsOnBadOption); without the option the
// server signs on its own clock.
func TestWithSigningClockNil(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	assert.PanicsWithValue(t, "linktest: NewServer: WithSigningClock(nil): the signing clock must not be nil", func() {
		linktest.NewServer(linktest.WithSigningClock(nil))
	})
	s := newServer(t, linktest.WithClock(linktest.NewClock(start)))
	sink := newHookSink(t)
	req := hostedRequest()
	req.Webhook = sink.URL
	_, err := s.CompleteSession(createToken(t, s.Client(), req).LinkToken)
	require.NoError(t, err)
	iats, _ := sink.got()
	require.Len(t, iats, 3)
	for _, iat := range iats {
		assert.Equal(t, s.Clock().Now().Unix(), iat)
	}
}
