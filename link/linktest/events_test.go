package linktest_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"math/rand/v2"
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
)

func TestEventsLikePlaids(t *testing.T) {
	start := time.Date(2024, 5, 21, 0, 17, 50, 0, time.UTC)
	s := newServer(t, linktest.WithClock(linktest.NewClock(start)))
	rcv, tok := hostedWithReceiver(t, s)

	res, err := s.CompleteSession(tok.LinkToken, linktest.WithInstitution("ins_109511"))
	require.NoError(t, err)
	assert.Equal(t, []string{"ITEM_ADD_RESULT", "EVENTS", "SESSION_FINISHED"}, codesOf(rcv.received()))
	evs := res.Events
	assert.Equal(t, []string{"OPEN", "TRANSITION_VIEW:CONSENT", "TRANSITION_VIEW:SELECT_INSTITUTION", "SELECT_INSTITUTION",
		"TRANSITION_VIEW:CREDENTIAL", "SUBMIT_CREDENTIALS", "TRANSITION_VIEW:LOADING", "TRANSITION_VIEW:CONNECTED", "HANDOFF"},
		eventNames(evs))

	ids := map[string]bool{}
	for i, ev := range evs {
		assert.Equal(t, start.Add(time.Duration(i+1)*linktest.EventInterval), ev.Timestamp.Time, "event %d", i)
		assert.Regexp(t, `^`+uuidPattern+`$`, ev.EventID)
		assert.False(t, ids[ev.EventID], "event_id %s repeats", ev.EventID)
		ids[ev.EventID] = true
		assert.Regexp(t, requestIDPattern, ev.EventMetadata.RequestID)
		// The institution is known from SELECT_INSTITUTION on.
		if i < 3 {
			assert.Empty(t, ev.EventMetadata.InstitutionID, "event %d", i)
		} else {
			assert.Equal(t, "ins_109511", ev.EventMetadata.InstitutionID, "event %d", i)
			assert.Equal(t, "Tartan Bank", ev.EventMetadata.InstitutionName, "event %d", i)
		}
		assert.Equal(t, ev.EventName == link.EventNameTransitionView, ev.EventMetadata.ViewName != "", "view_name only on TRANSITION_VIEW")
	}
	// request_id is the last request Link made: shared until Link makes another.
	assert.Equal(t, evs[0].EventMetadata.RequestID, evs[2].EventMetadata.RequestID)
	assert.Equal(t, evs[3].EventMetadata.RequestID, evs[4].EventMetadata.RequestID)
	assert.NotEqual(t, evs[2].EventMetadata.RequestID, evs[3].EventMetadata.RequestID)
	assert.NotEqual(t, evs[4].EventMetadata.RequestID, evs[5].EventMetadata.RequestID)

	// Merging puts a shuffled copy back in session order, as the timestamps all differ.
	shuffled := slices.Clone(evs)
	rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	assert.Equal(t, evs, webhook.MergeEvents(shuffled))

	// On the wire, each event carries the metadata fields Plaid's samples show for it, no more.
	var body struct {
		Events []wireEvent `json:"events"`
	}
	var eventsBody []byte
	for _, d := range s.Deliveries() {
		if d.Code == "EVENTS" {
			eventsBody = d.Body
		}
	}
	require.NoError(t, json.Unmarshal(eventsBody, &body))
	require.Len(t, body.Events, 9)
	// As in Plaid's sample, the webhook lists the events in no particular order.
	assert.False(t, slices.IsSortedFunc(body.Events, func(a, b wireEvent) int { return strings.Compare(a.Timestamp, b.Timestamp) }),
		"EVENTS lists the events in no particular order")
	slices.SortFunc(body.Events, func(a, b wireEvent) int { return strings.Compare(a.Timestamp, b.Timestamp) })
	keys := func(i int) []string { return slices.Sorted(maps.Keys(body.Events[i].EventMetadata)) }
	assert.Equal(t, []string{"request_id"}, keys(0))
	assert.Equal(t, []string{"request_id", "view_name"}, keys(1))
	assert.Equal(t, []string{"institution_id", "institution_name", "request_id"}, keys(3))
	assert.Equal(t, []string{"institution_id", "institution_name", "request_id", "view_name"}, keys(4))
	assert.Equal(t, "2024-05-21T00:17:51Z", body.Events[0].Timestamp, "whole seconds, as in Plaid's samples")

	// Plaid's API lists carry link_session_id beside the events, never in event_metadata (only
	// Link's onEvent puts it there): not in the EVENTS webhook, not in /link/token/get.
	for i, ev := range body.Events {
		assert.NotContains(t, ev.EventMetadata, "link_session_id", "EVENTS event %d", i)
	}
	raw := rawPost(t, s, linktest.PathTokenGet, map[string]string{"link_token": tok.LinkToken})
	require.Equal(t, http.StatusOK, raw.status)
	sessions, ok := raw.body["link_sessions"].([]any)
	require.True(t, ok)
	require.Len(t, sessions, 1)
	getEvents, ok := sessions[0].(map[string]any)["events"].([]any)
	require.True(t, ok)
	require.Len(t, getEvents, 9)
	for i, ev := range getEvents {
		md, ok := ev.(map[string]any)["event_metadata"].(map[string]any)
		require.True(t, ok, "event %d", i)
		assert.NotContains(t, md, "link_session_id", "/link/token/get event %d", i)
		assert.Contains(t, md, "request_id", "/link/token/get event %d", i)
	}
	for _, ev := range res.Events {
		assert.Equal(t, res.LinkSessionID, ev.EventMetadata.LinkSessionID, "onEvent's view names the session")
	}
}

func TestExitEventsLikePlaids(t *testing.T) {
	s := newServer(t, linktest.WithLinkWebhooksForAllSessions())
	tok := createToken(t, s.Client(), tokenRequest())
	res, err := s.ExitSession(tok.LinkToken, &link.Error{ErrorType: link.ErrorTypeItemError, ErrorCode: link.ErrorCodeInvalidCredentials,
		ErrorMessage: "the provided credentials were not correct"}, linktest.WithExitStatus(link.ExitStatusRequiresCredentials))
	require.NoError(t, err)
	byName := map[link.EventName]link.EventMetadata{}
	for _, ev := range res.Events {
		byName[ev.EventName] = ev.EventMetadata
	}
	assert.Equal(t, link.EventMetadata{ErrorCode: string(link.ErrorCodeInvalidCredentials), ErrorMessage: "the provided credentials were not correct",
		ErrorType: link.ErrorTypeItemError, InstitutionID: linktest.DefaultInstitutionID, InstitutionName: "First Platypus Bank",
		RequestID: byName[link.EventNameError].RequestID, LinkSessionID: res.LinkSessionID}, byName[link.EventNameError])
	assert.Equal(t, link.EventMetadata{ErrorCode: string(link.ErrorCodeInvalidCredentials), ErrorMessage: "the provided credentials were not correct",
		ErrorType: link.ErrorTypeItemError, ExitStatus: link.ExitStatusRequiresCredentials, InstitutionID: linktest.DefaultInstitutionID,
		InstitutionName: "First Platypus Bank", RequestID: byName[link.EventNameExit].RequestID, LinkSessionID: res.LinkSessionID},
		byName[link.EventNameExit])
	assert.NotEqual(t, byName[link.EventNameError].RequestID, byName[link.EventNameExit].RequestID)
}

// A user who searches for the institution and answers an MFA challenge gets the events Link
// records for that, with the metadata fields the reference says each emits.
func TestSearchAndMFAEvents(t *testing.T) {
	s := newServer(t)
	rcv, tok := hostedWithReceiver(t, s)
	res, err := s.CompleteSession(tok.LinkToken, linktest.WithInstitutionSearch("tartan"),
		linktest.WithInstitution("ins_109511"), linktest.WithMFA(linktest.MFATypeQuestions))
	require.NoError(t, err)
	require.NoError(t, res.WebhookErr())
	assert.Equal(t, []string{"OPEN", "TRANSITION_VIEW:CONSENT", "TRANSITION_VIEW:SELECT_INSTITUTION", "SEARCH_INSTITUTION",
		"SELECT_INSTITUTION", "TRANSITION_VIEW:CREDENTIAL", "SUBMIT_CREDENTIALS", "TRANSITION_VIEW:MFA", "SUBMIT_MFA",
		"TRANSITION_VIEW:LOADING", "TRANSITION_VIEW:CONNECTED", "HANDOFF"}, eventNames(res.Events))

	evs := res.Events
	assert.Equal(t, "tartan", evs[3].EventMetadata.InstitutionSearchQuery)
	assert.Empty(t, evs[3].EventMetadata.InstitutionID, "searching, the user has picked none yet")
	assert.NotEqual(t, evs[2].EventMetadata.RequestID, evs[3].EventMetadata.RequestID, "the search is a request")
	assert.Equal(t, linktest.MFATypeQuestions, evs[7].EventMetadata.MFAType)
	assert.Equal(t, linktest.MFATypeQuestions, evs[8].EventMetadata.MFAType)
	for i, ev := range evs {
		if i != 3 {
			assert.Empty(t, ev.EventMetadata.InstitutionSearchQuery, "institution_search_query only on SEARCH_INSTITUTION (event %d)", i)
		}
		if i != 7 && i != 8 {
			assert.Empty(t, ev.EventMetadata.MFAType, "mfa_type only on SUBMIT_MFA and the MFA view (event %d)", i)
		}
	}

	got := rcv.received()
	require.Len(t, got, 3)
	e, ok := got[1].(*webhook.Events)
	require.True(t, ok, "got %T", got[1])
	assert.Equal(t, res.Events, webhook.MergeEvents(e.Events))
	var body struct {
		Events []wireEvent `json:"events"`
	}
	require.NoError(t, json.Unmarshal(res.Webhooks[1].Body, &body))
	require.Len(t, body.Events, 12)
	slices.SortFunc(body.Events, func(a, b wireEvent) int { return strings.Compare(a.Timestamp, b.Timestamp) })
	keys := func(i int) []string { return slices.Sorted(maps.Keys(body.Events[i].EventMetadata)) }
	assert.Equal(t, []string{"institution_search_query", "request_id"}, keys(3))
	assert.Equal(t, []string{"institution_id", "institution_name", "mfa_type", "request_id", "view_name"}, keys(7))
	assert.Equal(t, []string{"institution_id", "institution_name", "mfa_type", "request_id"}, keys(8))

	_, err = s.CompleteSession(tok.LinkToken, linktest.WithMFA("sms"))
	assert.ErrorContains(t, err, `WithMFA("sms")`)
}

// On a clock with a fraction of a second, event timestamps are still whole seconds as in Plaid's
// samples, and still strictly increasing; on the wire they have no fraction.
func TestEventTimestampsAreWholeSeconds(t *testing.T) {
	start := time.Date(2024, 7, 29, 20, 22, 36, 522196741, time.UTC)
	s := newServer(t, linktest.WithClock(linktest.NewClock(start)), linktest.WithLinkWebhooksForAllSessions())
	rcv := newReceiver(t, s.Client(), webhook.WithClock(s.Clock().Now))
	req := tokenRequest()
	req.Webhook = rcv.URL
	res, err := s.CompleteSession(createToken(t, s.Client(), req).LinkToken)
	require.NoError(t, err)
	require.Len(t, res.Events, 9)
	for i, ev := range res.Events {
		assert.Equal(t, start.Truncate(time.Second).Add(time.Duration(i+1)*time.Second), ev.Timestamp.Time, "event %d", i)
	}
	var body struct {
		Events []wireEvent `json:"events"`
	}
	require.NoError(t, json.Unmarshal(res.Webhooks[0].Body, &body))
	require.Len(t, body.Events, 9)
	var stamps []string
	for _, ev := range body.Events {
		stamps = append(stamps, ev.Timestamp)
	}
	slices.Sort(stamps)
	assert.Equal(t, []string{"2024-07-29T20:22:37Z", "2024-07-29T20:22:38Z", "2024-07-29T20:22:39Z", "2024-07-29T20:22:40Z",
		"2024-07-29T20:22:41Z", "2024-07-29T20:22:42Z", "2024-07-29T20:22:43Z", "2024-07-29T20:22:44Z", "2024-07-29T20:22:45Z"}, stamps)
}

// A session made to send EVENTS several times sends cumulative lists, which merge into the
// session's events.
func TestEventsWebhookSentSeveralTimes(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	rcv, tok := hostedWithReceiver(t, s)

	res, err := s.CompleteSession(tok.LinkToken, linktest.WithEventsWebhooks(3))
	require.NoError(t, err)
	require.NoError(t, res.WebhookErr())

	var codes []string
	var lists [][]link.Event
	for _, ev := range rcv.received() {
		codes = append(codes, ev.Code())
		if e, ok := ev.(*webhook.Events); ok {
			assert.Equal(t, res.LinkSessionID, e.LinkSessionID)
			lists = append(lists, e.Events)
		}
	}
	assert.Equal(t, []string{"EVENTS", "EVENTS", "ITEM_ADD_RESULT", "EVENTS", "SESSION_FINISHED"}, codes)
	require.Len(t, lists, 3)
	assert.Equal(t, res.Events[:3], webhook.MergeEvents(lists[0]))
	assert.Equal(t, res.Events[:6], webhook.MergeEvents(lists[1]))
	assert.Equal(t, res.Events, webhook.MergeEvents(lists[2]))
	assert.Equal(t, res.Events, webhook.MergeEvents(lists...))

	// A standard session gets no EVENTS webhook however many it is asked for.
	std := tokenRequest()
	std.Webhook = rcv.URL
	res, err = s.CompleteSession(createToken(t, c, std).LinkToken, linktest.WithEventsWebhooks(3))
	require.NoError(t, err)
	assert.Empty(t, res.Webhooks)
}

// hookSink is a webhook endpoint that answers with the statuses it is given, in turn (0 means no
// answer until the request is given up), then 200, and records the iat of each request's JWT.
type hookSink struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	iats     []int64
	bodies   []string
	onPost   func()
}

func newHookSink(t *testing.T, statuses ...int) *hookSink {
	t.Helper()
	h := &hookSink{statuses: statuses}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.iats = append(h.iats, jwtIat(r.Header.Get(webhook.HeaderName)))
		h.bodies = append(h.bodies, string(body))
		status := http.StatusOK
		if len(h.statuses) > 0 {
			status, h.statuses = h.statuses[0], h.statuses[1:]
		}
		onPost := h.onPost
		h.mu.Unlock()
		if onPost != nil {
			onPost()
		}
		if status == 0 {
			<-r.Context().Done()
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookSink) got() (iats []int64, bodies []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.iats), slices.Clone(h.bodies)
}

func jwtIat(header string) int64 {
	parts := strings.Split(header, ".")
	if len(parts) != 3 {
		return -1
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return -1
	}
	var claims struct {
		Iat int64 `json:"iat"`
	}
	if json.Unmarshal(raw, &claims) != nil {
		return -1
	}
	return claims.Iat
}

// exitWithOneWebhook runs a Layer session that exits: its only webhook is SESSION_FINISHED.
func exitWithOneWebhook(t *testing.T, s *linktest.Server, hook string) linktest.SessionResult {
	t.Helper()
	token := sessionKinds[3].create(t, s.Client(), hook)
	res, err := s.ExitSession(token, nil)
	require.NoError(t, err)
	require.Len(t, res.Webhooks, 1)
	return res
}
