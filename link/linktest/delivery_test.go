package linktest_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
	"github.com/plaidlink/plaidlink-go/webhook"
)

// sessionKind makes a link token of one kind with webhook as its webhook URL.
type sessionKind struct {
	name   string
	create func(t *testing.T, c *link.Client, webhook string) string
}

var sessionKinds = []sessionKind{
	{"standard", func(t *testing.T, c *link.Client, hook string) string {
		req := tokenRequest()
		req.Webhook = hook
		return createToken(t, c, req).LinkToken
	}},
	{"hosted", func(t *testing.T, c *link.Client, hook string) string {
		req := hostedRequest()
		req.Webhook = hook
		return createToken(t, c, req).LinkToken
	}},
	{"multi-item", func(t *testing.T, c *link.Client, hook string) string {
		req := tokenRequest()
		req.Webhook = hook
		req.EnableMultiItemLink = link.Ptr(true)
		return createToken(t, c, req).LinkToken
	}},
	{"layer", func(t *testing.T, c *link.Client, hook string) string {
		resp, err := c.CreateSessionToken(context.Background(), &link.SessionTokenCreateRequest{
			TemplateID: "template_4uinBNe4B2x9",
			User:       &link.SessionTokenCreateRequestUser{ClientUserID: "user-1"},
			Webhook:    hook,
		})
		require.NoError(t, err)
		return resp.Link.LinkToken
	}},
}

// Plaid's reference: ITEM_ADD_RESULT for Hosted Link and Multi-Item Link sessions, EVENTS for
// Hosted Link sessions, SESSION_FINISHED for Hosted Link, Multi-Item Link and Layer sessions; the
// account-level enablement adds EVENTS and SESSION_FINISHED (and events in /link/token/get) for
// every session. A session the user abandons gets EVENTS and SESSION_FINISHED where a finished one
// would, 5 to 15 minutes after the last interaction; no ITEM_ADD_RESULT, as no Item was added.
func TestWebhooksWherePlaidSendsThem(t *testing.T) {
	const (
		add = "ITEM_ADD_RESULT"
		evs = "EVENTS"
		fin = "SESSION_FINISHED"
	)
	type outcome int
	const (
		complete outcome = iota
		exit
		abandon
	)
	// want[kind][all sessions][outcome] is the codes the receiver gets, in order.
	want := map[string]map[bool]map[outcome][]string{
		"standard": {
			false: {complete: nil, exit: nil, abandon: nil},
			true:  {complete: {evs, fin}, exit: {evs, fin}, abandon: {evs, fin}},
		},
		"hosted": {
			false: {complete: {add, evs, fin}, exit: {evs, fin}, abandon: {evs, fin}},
			true:  {complete: {add, evs, fin}, exit: {evs, fin}, abandon: {evs, fin}},
		},
		"multi-item": {
			false: {complete: {add, fin}, exit: {fin}, abandon: {fin}},
			true:  {complete: {add, evs, fin}, exit: {evs, fin}, abandon: {evs, fin}},
		},
		"layer": {
			false: {complete: {fin}, exit: {fin}, abandon: {fin}},
			true:  {complete: {evs, fin}, exit: {evs, fin}, abandon: {evs, fin}},
		},
	}
	status := map[outcome]webhook.SessionStatus{complete: webhook.SessionStatusSuccess,
		exit: webhook.SessionStatusExited, abandon: webhook.SessionStatusExited}
	nEvents := map[outcome]int{complete: 9, exit: 6, abandon: 5}
	for _, kind := range sessionKinds {
		for _, all := range []bool{false, true} {
			for _, out := range []outcome{complete, exit, abandon} {
				name := kind.name + "/" + [...]string{"complete", "exit", "abandon"}[out]
				if all {
					name += "/all sessions"
				}
				t.Run(name, func(t *testing.T) {
					var opts []linktest.Option
					if all {
						opts = append(opts, linktest.WithLinkWebhooksForAllSessions())
					}
					s := newServer(t, opts...)
					c := s.Client()
					rcv := newReceiver(t, c, webhook.WithClock(s.Clock().Now))
					token := kind.create(t, c, rcv.URL)

					var res linktest.SessionResult
					var err error
					switch out {
					case complete:
						res, err = s.CompleteSession(token)
					case exit:
						res, err = s.ExitSession(token, nil)
					case abandon:
						res, err = s.OpenSession(token)
						require.NoError(t, err)
						_, err = s.AbandonSession(res.LinkSessionID)
						require.NoError(t, err)
						assert.Empty(t, rcv.received(), "an abandoned session's webhooks wait")
						s.Clock().Advance(linktest.AbandonedSessionWebhookDelay)
					}
					require.NoError(t, err)
					require.NoError(t, res.WebhookErr())

					codes := want[kind.name][all][out]
					got := rcv.received()
					assert.Equal(t, codes, codesOf(got), "verified webhooks the receiver got")
					assert.Len(t, s.Deliveries(), len(codes))
					for _, ev := range got {
						assert.Equal(t, res.LinkSessionID, ev.SessionID())
						if f, ok := ev.(*webhook.SessionFinished); ok {
							assert.Equal(t, status[out], f.Status)
							if out == complete {
								assert.Equal(t, []string{res.PublicToken}, f.PublicTokens)
							} else {
								assert.Empty(t, f.PublicTokens)
							}
						}
						if e, ok := ev.(*webhook.Events); ok {
							assert.Equal(t, res.Events, webhook.MergeEvents(e.Events))
							assert.NotEqual(t, res.Events, e.Events, "in no particular order, as Plaid's sample")
						}
					}

					tg, err := c.GetToken(context.Background(), &link.TokenGetRequest{LinkToken: token})
					require.NoError(t, err)
					require.Len(t, tg.LinkSessions, 1)
					if kind.name == "hosted" || all {
						assert.Equal(t, res.Events, reversed(tg.LinkSessions[0].Events))
					} else {
						assert.Empty(t, tg.LinkSessions[0].Events, "events in /link/token/get only for Hosted Link without the enablement")
					}
					assert.Len(t, res.Events, nEvents[out], "the result always has the events")
				})
			}
		}
	}
}

// hostedWithReceiver makes a Hosted Link token whose webhook is a receiver verifying on s's clock.
func hostedWithReceiver(t *testing.T, s *linktest.Server) (*receiver, *link.TokenCreateResponse) {
	t.Helper()
	c := s.Client()
	rcv := newReceiver(t, c, webhook.WithClock(s.Clock().Now))
	req := hostedRequest()
	req.Webhook = rcv.URL
	return rcv, createToken(t, c, req)
}

// codesOf lists the webhook codes of evs.
func codesOf(evs []webhook.Event) []string {
	var codes []string
	for _, ev := range evs {
		codes = append(codes, ev.Code())
	}
	return codes
}

// wireEvent is an event as an EVENTS webhook's JSON has it.
type wireEvent struct {
	EventName     string         `json:"event_name"`
	Timestamp     string         `json:"timestamp"`
	EventMetadata map[string]any `json:"event_metadata"`
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9]{15}$`)

// A webhook nobody accepts is sent again 30 s, 2 min, 8 min, 32 min, 128 min and 512 min after
// the attempt before, within 24 hours of the first: seven attempts, each freshly signed.
func TestRedeliverySchedule(t *testing.T) {
	s := newServer(t)
	sink := newHookSink(t, 500, 500, 500, 500, 500, 500, 500, 500)
	first := exitWithOneWebhook(t, s, sink.URL).Webhooks[0]
	t0 := first.Time
	assert.Equal(t, s.Clock().Now(), t0)
	assert.Equal(t, 1, first.Attempt)
	assert.Equal(t, http.StatusInternalServerError, first.StatusCode)
	assert.ErrorContains(t, first.Err, "500")

	offsets := []time.Duration{30 * time.Second, 150 * time.Second, 630 * time.Second, 2550 * time.Second,
		10230 * time.Second, 40950 * time.Second}
	assert.Equal(t, t0.Add(offsets[0]), first.NextAttempt)
	for i, off := range offsets {
		s.Clock().Set(t0.Add(off - time.Second))
		require.Len(t, s.Deliveries(), i+1, "nothing is sent before it is due (attempt %d)", i+2)
		s.Clock().Advance(time.Second)
		ds := s.Deliveries()
		require.Len(t, ds, i+2, "attempt %d is sent once the clock reaches it", i+2)
		d := ds[i+1]
		assert.Equal(t, first.ID, d.ID)
		assert.Equal(t, i+2, d.Attempt)
		assert.Equal(t, t0.Add(off), d.Time)
		assert.Equal(t, first.Body, d.Body, "the same body every time")
		assert.NotEqual(t, first.Verification, d.Verification, "signed afresh")
		assert.False(t, d.Redelivered)
		if i+1 < len(offsets) {
			assert.Equal(t, t0.Add(offsets[i+1]), d.NextAttempt)
		} else {
			assert.Zero(t, d.NextAttempt, "the next wait would end past 24 hours")
		}
	}
	s.Clock().Advance(48 * time.Hour)
	assert.Len(t, s.Deliveries(), 7, "no attempt after the schedule")

	iats, bodies := sink.got()
	want := []int64{t0.Unix()}
	for _, off := range offsets {
		want = append(want, t0.Add(off).Unix())
	}
	assert.Equal(t, want, iats, "each attempt's JWT is issued at the clock's time")
	for _, b := range bodies {
		assert.Equal(t, string(first.Body), b)
	}
}

// A receiver built as in production, webhook.NewHandler on a verifier that reads the server's
// clock, refuses the first four attempts (its function fails, so it answers 500). Plaid's schedule
// brings the webhook back as the clock moves, and the fifth attempt, 42.5 minutes after the first
// and so long past the verifier's maximum age for the first JWT, verifies because each attempt is
// signed afresh.
func TestRedeliveryToARefusingHandler(t *testing.T) {
	const refusals = 4
	s := newServer(t)
	var mu sync.Mutex
	var calls int
	var accepted []webhook.Event
	h := webhook.NewHandler(webhook.NewVerifier(s.Client(), webhook.WithClock(s.Clock().Now)),
		func(_ context.Context, ev webhook.Event) error {
			mu.Lock()
			defer mu.Unlock()
			calls++
			if calls <= refusals {
				return errors.New("the database is down")
			}
			accepted = append(accepted, ev)
			return nil
		})
	rcv := httptest.NewServer(h)
	t.Cleanup(rcv.Close)

	first := exitWithOneWebhook(t, s, rcv.URL).Webhooks[0]
	assert.Equal(t, http.StatusInternalServerError, first.StatusCode)
	t0 := first.Time
	for i, wait := range []time.Duration{30 * time.Second, 2 * time.Minute, 8 * time.Minute, 32 * time.Minute} {
		s.Clock().Advance(wait - time.Second)
		require.Len(t, s.Deliveries(), i+1, "attempt %d is not due yet", i+2)
		s.Clock().Advance(time.Second)
		require.Len(t, s.Deliveries(), i+2, "attempt %d is sent when due", i+2)
	}
	ds := s.Deliveries()
	assert.Equal(t, []int{500, 500, 500, 500, 200}, statusesOf(ds))
	assert.Equal(t, t0.Add(42*time.Minute+30*time.Second), ds[4].Time)
	assert.NoError(t, ds[4].Err)
	assert.Zero(t, ds[4].NextAttempt, "delivered: nothing more is due")
	seen := map[string]bool{}
	for i, d := range ds {
		assert.Equal(t, first.ID, d.ID)
		assert.Equal(t, i+1, d.Attempt)
		assert.Equal(t, first.Body, d.Body, "the same body every time")
		assert.False(t, seen[d.Verification], "attempt %d is signed afresh", i+1)
		seen[d.Verification] = true
	}
	mu.Lock()
	assert.Equal(t, refusals+1, calls, "every attempt verified")
	require.Len(t, accepted, 1)
	fin, ok := accepted[0].(*webhook.SessionFinished)
	mu.Unlock()
	require.True(t, ok)
	assert.Equal(t, webhook.SessionStatusExited, fin.Status)

	s.Clock().Advance(24 * time.Hour)
	assert.Len(t, s.Deliveries(), 5, "an accepted webhook is not sent again")
}

func statusesOf(ds []linktest.WebhookDelivery) []int {
	out := make([]int, len(ds))
	for i, d := range ds {
		out[i] = d.StatusCode
	}
	return out
}

// One large move of the clock sends every attempt that came due in it, in order.
func TestRedeliveryCatchesUpOnALargeAdvance(t *testing.T) {
	s := newServer(t)
	sink := newHookSink(t, 503, 503, 503, 503, 503, 503, 503)
	exitWithOneWebhook(t, s, sink.URL)
	s.Clock().Advance(24 * time.Hour)
	ds := s.Deliveries()
	require.Len(t, ds, 7)
	for i, d := range ds {
		assert.Equal(t, i+1, d.Attempt)
	}
}

// A receiver that fails, then does not answer in time, then answers 200 gets the webhook three
// times; a 2xx other than 200 is a failure, as for Plaid.
func TestRedeliveryUntilAccepted(t *testing.T) {
	sink := newHookSink(t, http.StatusNoContent, 0)
	s := newServer(t, linktest.WithWebhookTimeout(50*time.Millisecond), linktest.WithWebhookClient(sink.inProcess()))
	first := exitWithOneWebhook(t, s, sink.URL).Webhooks[0]
	assert.Equal(t, http.StatusNoContent, first.StatusCode)
	assert.ErrorContains(t, first.Err, "not 200")

	s.Clock().Advance(30 * time.Second)
	ds := s.Deliveries()
	require.Len(t, ds, 2)
	assert.Zero(t, ds[1].StatusCode, "no answer within the timeout")
	assert.ErrorIs(t, ds[1].Err, context.DeadlineExceeded)
	assert.Equal(t, first.Time.Add(150*time.Second), ds[1].NextAttempt)

	s.Clock().Advance(2 * time.Minute)
	ds = s.Deliveries()
	require.Len(t, ds, 3)
	assert.Equal(t, http.StatusOK, ds[2].StatusCode)
	assert.NoError(t, ds[2].Err)
	assert.Zero(t, ds[2].NextAttempt)

	// Outcome says it in a few words, with when the next attempt is due.
	next := func(d linktest.WebhookDelivery) string { return d.NextAttempt.UTC().Format(time.TimeOnly) }
	assert.Equal(t, "answered 204, not 200; next attempt at "+next(ds[0]), ds[0].Outcome())
	assert.Regexp(t, `^no answer: .*(deadline exceeded|Timeout).*; next attempt at `+next(ds[1])+`$`, ds[1].Outcome())
	assert.Equal(t, "answered 200", ds[2].Outcome())

	s.Clock().Advance(24 * time.Hour)
	assert.Len(t, s.Deliveries(), 3, "a delivered webhook is not sent again")
}

func TestRedeliver(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	rcv := newReceiver(t, c, webhook.WithClock(s.Clock().Now))
	first := exitWithOneWebhook(t, s, rcv.URL).Webhooks[0]
	require.NoError(t, first.Err)

	s.Clock().Advance(time.Hour)
	again, err := s.Redeliver(first.ID)
	require.NoError(t, err)
	assert.Equal(t, first.ID, again.ID)
	assert.Equal(t, 2, again.Attempt)
	assert.True(t, again.Redelivered)
	assert.Equal(t, first.Body, again.Body)
	assert.Equal(t, s.Clock().Now(), again.Time)
	assert.NotEqual(t, first.Verification, again.Verification)
	assert.NoError(t, again.Err, "the fresh JWT verifies an hour later")
	assert.Zero(t, again.NextAttempt)

	got := rcv.received()
	require.Len(t, got, 2)
	assert.Equal(t, got[0], got[1], "the same webhook twice; telling them apart is the receiver's job")
	assert.Equal(t, []linktest.WebhookDelivery{first, again}, s.Deliveries())

	_, err = s.Redeliver("whk_unknown")
	assert.ErrorContains(t, err, `no webhook with id "whk_unknown"`)
}

// A Redeliver does not replace the schedule: the retry still due is still sent.
func TestRedeliverKeepsTheSchedule(t *testing.T) {
	s := newServer(t)
	sink := newHookSink(t, 500)
	first := exitWithOneWebhook(t, s, sink.URL).Webhooks[0]
	d, err := s.Redeliver(first.ID)
	require.NoError(t, err)
	assert.NoError(t, d.Err)
	s.Clock().Advance(30 * time.Second)
	ds := s.Deliveries()
	require.Len(t, ds, 3)
	assert.False(t, ds[2].Redelivered)
	assert.Equal(t, 3, ds[2].Attempt)
}

func TestAbandonedSession(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	rcv, tok := hostedWithReceiver(t, s)

	open, err := s.OpenSession(tok.LinkToken)
	require.NoError(t, err)
	assert.Equal(t, []string{"OPEN", "TRANSITION_VIEW:CONSENT", "TRANSITION_VIEW:SELECT_INSTITUTION",
		"SELECT_INSTITUTION", "TRANSITION_VIEW:CREDENTIAL"}, eventNames(open.Events))
	last := open.Events[len(open.Events)-1].Timestamp.Time
	assert.Empty(t, s.Deliveries(), "nothing is sent while the session is open")

	tg, err := c.GetToken(context.Background(), &link.TokenGetRequest{LinkToken: tok.LinkToken})
	require.NoError(t, err)
	require.Len(t, tg.LinkSessions, 1)
	ls := tg.LinkSessions[0]
	assert.Equal(t, open.LinkSessionID, ls.LinkSessionID)
	assert.True(t, ls.FinishedAt.IsZero())
	assert.Nil(t, ls.OnSuccess)
	assert.Nil(t, ls.Exit)
	assert.Equal(t, open.Events, reversed(ls.Events))

	s.Clock().Advance(time.Minute)
	ab, err := s.AbandonSession(open.LinkSessionID)
	require.NoError(t, err)
	assert.Equal(t, open.Events, ab.Events)
	assert.Empty(t, s.Deliveries(), "due 10 minutes after the last interaction")

	s.Clock().Set(last.Add(linktest.AbandonedSessionWebhookDelay - time.Second))
	assert.Empty(t, rcv.received())
	s.Clock().Advance(time.Second)
	got := rcv.received()
	require.Len(t, got, 2)
	evs, ok := got[0].(*webhook.Events)
	require.True(t, ok, "got %T", got[0])
	assert.Equal(t, open.Events, webhook.MergeEvents(evs.Events))
	fin, ok := got[1].(*webhook.SessionFinished)
	require.True(t, ok, "got %T", got[1])
	assert.Equal(t, webhook.SessionStatusExited, fin.Status)
	assert.Equal(t, open.LinkSessionID, fin.LinkSessionID)
	assert.Empty(t, fin.PublicTokens)

	tg, err = c.GetToken(context.Background(), &link.TokenGetRequest{LinkToken: tok.LinkToken})
	require.NoError(t, err)
	assert.Equal(t, last.Add(time.Minute), tg.LinkSessions[0].FinishedAt, "finished when it was abandoned")

	_, err = s.AbandonSession(open.LinkSessionID)
	assert.ErrorContains(t, err, "no open Link session")
	_, err = s.AbandonSession("nope")
	assert.ErrorContains(t, err, "no open Link session")
	_, err = s.OpenSession("link-sandbox-unknown")
	assert.Equal(t, link.ErrorCodeInvalidLinkToken, plaidErr(t, err).ErrorCode)
}

// A session left open until its link token expires is abandoned then.
func TestSessionAbandonedWhenTheTokenExpires(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	rcv, tok := hostedWithReceiver(t, s)
	open, err := s.OpenSession(tok.LinkToken)
	require.NoError(t, err)

	s.Clock().Set(tok.Expiration.Add(-time.Second))
	assert.Empty(t, rcv.received(), "the user may still come back")
	s.Clock().Advance(time.Second)
	assert.Equal(t, []string{"EVENTS", "SESSION_FINISHED"}, codesOf(rcv.received()))

	tg, err := c.GetToken(context.Background(), &link.TokenGetRequest{LinkToken: tok.LinkToken})
	require.NoError(t, err)
	assert.Equal(t, tok.Expiration, tg.LinkSessions[0].FinishedAt)
	_, err = s.AbandonSession(open.LinkSessionID)
	assert.Error(t, err, "already abandoned")
}

// A standard session that is abandoned gets no webhook, as it would get none finished.
func TestAbandonedStandardSessionSendsNothing(t *testing.T) {
	s := newServer(t)
	sink := newHookSink(t)
	req := tokenRequest()
	req.Webhook = sink.URL
	open, err := s.OpenSession(createToken(t, s.Client(), req).LinkToken)
	require.NoError(t, err)
	_, err = s.AbandonSession(open.LinkSessionID)
	require.NoError(t, err)
	s.Clock().Advance(5 * time.Hour)
	assert.Empty(t, s.Deliveries())
}

// A receiver that moves the clock while it handles a webhook does not deadlock the server, and
// what comes due meanwhile is still sent before the session call returns.
func TestReceiverThatMovesTheClock(t *testing.T) {
	s := newServer(t)
	sink := newHookSink(t, 500)
	sink.onPost = func() { s.Clock().Advance(time.Minute) }

	token := sessionKinds[3].create(t, s.Client(), sink.URL)
	done := make(chan []linktest.WebhookDelivery, 1)
	go func() {
		// Not require: a goroutine other than the test's must not stop the test.
		_, err := s.ExitSession(token, nil)
		assert.NoError(t, err)
		done <- s.Deliveries()
	}()
	select {
	case ds := <-done:
		require.Len(t, ds, 2)
		assert.Equal(t, http.StatusInternalServerError, ds[0].StatusCode)
		assert.Equal(t, http.StatusOK, ds[1].StatusCode, "the retry came due during the first attempt")
	case <-time.After(10 * time.Second):
		t.Fatal("the server deadlocked")
	}
}

// Servers sharing a clock all send what comes due when it moves; a closed one sends nothing.
func TestSharedClockAndClose(t *testing.T) {
	clock := linktest.NewClock(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC))
	a := newServer(t, linktest.WithClock(clock))
	b := newServer(t, linktest.WithClock(clock))
	sinkA, sinkB := newHookSink(t, 500), newHookSink(t, 500)
	exitWithOneWebhook(t, a, sinkA.URL)
	exitWithOneWebhook(t, b, sinkB.URL)

	b.Close()
	clock.Advance(time.Minute)
	assert.Len(t, a.Deliveries(), 2)
	assert.Len(t, b.Deliveries(), 1, "a closed server sends nothing more")
}

func TestConcurrentDeliveries(t *testing.T) {
	s := newServer(t, linktest.WithLinkWebhooksForAllSessions())
	sink := newHookSink(t, 500, 500, 500, 500, 500, 500)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := tokenRequest()
			req.Webhook = sink.URL
			tok, err := s.Client().CreateToken(context.Background(), req)
			if !assert.NoError(t, err) {
				return
			}
			_, err = s.ExitSession(tok.LinkToken, nil)
			assert.NoError(t, err)
			s.Clock().Advance(10 * time.Second)
		}()
	}
	wg.Wait()
	s.Clock().Advance(time.Hour)
	ds := s.Deliveries()
	delivered := map[string]int{}
	for _, d := range ds {
		if d.Err == nil {
			delivered[d.ID]++
		}
	}
	assert.Len(t, delivered, 16, "every webhook delivered in the end")
	for id, n := range delivered {
		assert.Equal(t, 1, n, "webhook %s delivered once", id)
	}
}

// The server forgets the oldest webhooks (and their retries) and delivery records past its bounds.
func TestWebhookBounds(t *testing.T) {
	s := newServer(t)
	linktest.SetWebhookLimits(s, 2, 3)
	sink := newHookSink(t, 500, 500, 500, 500, 500, 500)
	var ids []string
	for range 3 {
		ids = append(ids, exitWithOneWebhook(t, s, sink.URL).Webhooks[0].ID)
	}
	_, err := s.Redeliver(ids[0])
	assert.ErrorContains(t, err, "no webhook with id", "the oldest webhook is forgotten")

	s.Clock().Advance(time.Minute)
	ds := s.Deliveries()
	require.Len(t, ds, 3, "at most 3 records")
	assert.Equal(t, []string{ids[2], ids[1], ids[2]}, []string{ds[0].ID, ds[1].ID, ds[2].ID},
		"the forgotten webhook was not retried; the two remembered were, oldest due first")
	assert.Equal(t, 2, ds[1].Attempt)
}

// A Multi-Item Link session that links two Items sends an ITEM_ADD_RESULT for each and names both
// public tokens in SESSION_FINISHED.
func TestMultiItemSession(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	rcv := newReceiver(t, c, webhook.WithClock(s.Clock().Now))
	req := tokenRequest()
	req.Webhook = rcv.URL
	req.EnableMultiItemLink = link.Ptr(true)
	tok := createToken(t, c, req)

	card := link.SessionSuccessMetadataAccount{Name: "Plaid Credit Card", Mask: "3333", Type: link.AccountTypeCredit, Subtype: "credit card"}
	res, err := s.CompleteSession(tok.LinkToken, linktest.WithAdditionalItem("ins_109509", card))
	require.NoError(t, err)
	require.Len(t, res.PublicTokens, 2)
	assert.Equal(t, res.PublicTokens[0], res.PublicToken)
	assert.Equal(t, []string{"OPEN", "TRANSITION_VIEW:CONSENT", "TRANSITION_VIEW:SELECT_INSTITUTION", "SELECT_INSTITUTION",
		"TRANSITION_VIEW:CREDENTIAL", "SUBMIT_CREDENTIALS", "TRANSITION_VIEW:LOADING", "TRANSITION_VIEW:CONNECTED", "HANDOFF",
		"TRANSITION_VIEW:SELECT_INSTITUTION", "SELECT_INSTITUTION", "TRANSITION_VIEW:CREDENTIAL", "SUBMIT_CREDENTIALS",
		"TRANSITION_VIEW:LOADING", "TRANSITION_VIEW:CONNECTED", "HANDOFF"}, eventNames(res.Events))
	assert.Empty(t, res.Events[9].EventMetadata.InstitutionID, "back at institution select after the first HANDOFF")
	assert.Equal(t, "ins_109509", res.Events[10].EventMetadata.InstitutionID)

	got := rcv.received()
	assert.Equal(t, []string{"ITEM_ADD_RESULT", "ITEM_ADD_RESULT", "SESSION_FINISHED"}, codesOf(got))
	for i := range 2 {
		add, ok := got[i].(*webhook.ItemAddResult)
		require.True(t, ok, "got %T", got[i])
		assert.Equal(t, res.PublicTokens[i], add.PublicToken)
	}
	fin, ok := got[2].(*webhook.SessionFinished)
	require.True(t, ok, "got %T", got[2])
	assert.Equal(t, res.PublicTokens, fin.PublicTokens)

	tg, err := c.GetToken(context.Background(), &link.TokenGetRequest{LinkToken: tok.LinkToken})
	require.NoError(t, err)
	adds := tg.LinkSessions[0].Results.ItemAddResults
	require.Len(t, adds, 2)
	assert.Equal(t, "ins_109508", adds[0].Institution.InstitutionID)
	assert.Equal(t, "ins_109509", adds[1].Institution.InstitutionID)
	require.Len(t, adds[1].Accounts, 1)
	assert.Equal(t, "Plaid Credit Card", adds[1].Accounts[0].Name)

	var items []string
	for _, pt := range res.PublicTokens {
		exch, err := c.ExchangePublicToken(context.Background(), &link.ItemPublicTokenExchangeRequest{PublicToken: pt})
		require.NoError(t, err)
		items = append(items, exch.ItemID)
	}
	assert.NotEqual(t, items[0], items[1], "two Items")
	assert.Len(t, s.Items(), 2)
}

func TestAdditionalItemRefused(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	multi := tokenRequest()
	multi.EnableMultiItemLink = link.Ptr(true)
	multiTok := createToken(t, c, multi).LinkToken
	stdTok := createToken(t, c, tokenRequest()).LinkToken

	_, err := s.CompleteSession(stdTok, linktest.WithAdditionalItem(""))
	assert.ErrorContains(t, err, "enable_multi_item_link")
	_, err = s.CompleteSession(multiTok, linktest.WithAdditionalItem("ins_nope"))
	assert.Equal(t, link.ErrorCodeInvalidInstitution, plaidErr(t, err).ErrorCode)
	_, err = s.CompleteSession(multiTok, linktest.WithAdditionalItem("ins_117650")) // a GB bank
	assert.Equal(t, link.ErrorCodeInvalidInstitution, plaidErr(t, err).ErrorCode)

	for _, tok := range []string{stdTok, multiTok} {
		tg, err := c.GetToken(context.Background(), &link.TokenGetRequest{LinkToken: tok})
		require.NoError(t, err)
		assert.Empty(t, tg.LinkSessions, "a refused session leaves nothing behind")
	}
}

// A session abandoned after the 10 minutes have passed gets its webhooks at once: they are sent
// before AbandonSession returns.
func TestLateAbandonSendsAtOnce(t *testing.T) {
	s := newServer(t)
	rcv, tok := hostedWithReceiver(t, s)
	open, err := s.OpenSession(tok.LinkToken)
	require.NoError(t, err)
	s.Clock().Advance(20 * time.Minute)
	assert.Empty(t, rcv.received(), "the session is still open: the user may come back")
	_, err = s.AbandonSession(open.LinkSessionID)
	require.NoError(t, err)
	assert.Equal(t, []string{"EVENTS", "SESSION_FINISHED"}, codesOf(rcv.received()))
	ds := s.Deliveries()
	require.Len(t, ds, 2)
	assert.Equal(t, s.Clock().Now(), ds[0].Time)
}

// inProcess is a client delivering to the sink's handler in this process, so that the sink, not
// the machine's speed, decides which deliveries time out: one it holds (status 0) ends with the
// delivery's timeout, whatever it is, and one it answers is answered however late, since nothing
// here watches the delivery's context.
func (h *hookSink) inProcess() *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		rec := &headerRecorder{ResponseRecorder: httptest.NewRecorder()}
		h.Config.Handler.ServeHTTP(rec, r)
		if !rec.wrote {
			// Held until the delivery ended: what net/http returns then.
			return nil, r.Context().Err()
		}
		resp := rec.Result()
		resp.Request = r
		return resp, nil
	})}
}

// headerRecorder records whether the handler answered at all.
type headerRecorder struct {
	*httptest.ResponseRecorder
	wrote bool
}

func (r *headerRecorder) WriteHeader(code int) {
	r.wrote = true
	r.ResponseRecorder.WriteHeader(code)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
