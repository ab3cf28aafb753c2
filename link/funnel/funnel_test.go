package funnel

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
)

func stepCounts(r Report) (names []link.EventName, sessions, emitted []int) {
	for _, s := range r.Steps {
		names = append(names, s.Name)
		sessions = append(sessions, s.Sessions)
		emitted = append(emitted, s.Emitted)
	}
	return names, sessions, emitted
}

// TestReportFromPlaidSamples folds the sample /link/token/get session (a Multi-Item session with
// two handoffs and no OPEN) and the sample EVENTS webhook (an exit after INVALID_CREDENTIALS).
func TestReportFromPlaidSamples(t *testing.T) {
	got := loadSample(t, "token_get_session.json")
	hook := loadSample(t, "events_webhook.json")
	f := New()
	f.AddSession(got.LinkSessionID, got.Events...)
	f.AddSession(hook.LinkSessionID, hook.Events...)
	r := f.Report()

	assert.Equal(t, 2, r.Sessions)
	names, sessions, emitted := stepCounts(r)
	assert.Equal(t, []link.EventName{"OPEN", "SEARCH_INSTITUTION", "SELECT_INSTITUTION", "SUBMIT_CREDENTIALS", "SUBMIT_MFA", "HANDOFF"}, names)
	// The handed-off session reached every step, though its sample has no OPEN; the exited one got
	// as far as submitting credentials.
	assert.Equal(t, []int{2, 2, 2, 2, 1, 1}, sessions)
	assert.Equal(t, []int{0, 0, 2, 2, 0, 1}, emitted)
	assert.InDelta(t, 50.0, r.Steps[4].DropOff, 1e-9)
	assert.Zero(t, r.Steps[5].DropOff)
	assert.Equal(t, 1, r.HandedOff)
	assert.Equal(t, 1, r.Exited)
	assert.Zero(t, r.Unfinished)
	assert.Equal(t, []Count{{"requires_credentials", 1}}, r.ExitsByStatus)
	assert.Equal(t, []Count{{"INVALID_CREDENTIALS", 1}}, r.ExitsByErrorCode)
	assert.Equal(t, []Institution{
		{ID: "ins_20", Name: "Citizens Bank", Sessions: 2, Handoffs: 1},
		{ID: "ins_127989", Name: "Bank of America", Sessions: 1, Handoffs: 1},
	}, r.Institutions)
	assert.Zero(t, r.TimedSessions, "no sample session has both OPEN and HANDOFF")
	assert.Zero(t, r.MedianOpenToHandoff)
	assert.Contains(t, r.Events, Count{"OPEN_OAUTH", 1})
	assert.Contains(t, r.Events, Count{"SKIP_SUBMIT_PHONE", 2})
	assert.Contains(t, r.Events, Count{"TRANSITION_VIEW", 2})
	assert.Contains(t, r.Events, Count{"HANDOFF", 1})
}

func TestReportOfMixedSessions(t *testing.T) {
	f := New()
	addAll(f, mixedSessions(14))
	r := f.Report()

	assert.Equal(t, 14, r.Sessions)
	_, sessions, emitted := stepCounts(r)
	assert.Equal(t, []int{14, 12, 10, 10, 8, 6}, sessions)
	assert.Equal(t, []int{14, 6, 10, 10, 4, 6}, emitted)
	drops := make([]float64, len(r.Steps))
	for i, s := range r.Steps {
		drops[i] = s.DropOff
	}
	assert.InDeltaSlice(t, []float64{0, 100.0 * 2 / 14, 100.0 * 2 / 12, 0, 20, 25}, drops, 1e-9)
	assert.Equal(t, link.EventName("SUBMIT_CREDENTIALS"), r.Steps[3].Name)
	assert.Equal(t, []link.EventName{"OPEN_OAUTH", "SUBMIT_ROUTING_NUMBER", "SUBMIT_ACCOUNT_NUMBER"}, r.Steps[3].Via)
	assert.Equal(t, 6, r.HandedOff)
	assert.Equal(t, 6, r.Exited)
	assert.Equal(t, 2, r.Unfinished)
	assert.Equal(t, []Count{{"institution_not_found", 2}, {"requires_code", 2}, {"requires_credentials", 2}}, r.ExitsByStatus)
	assert.Equal(t, []Count{{"", 2}, {"INVALID_CREDENTIALS", 2}, {"INVALID_MFA", 2}}, r.ExitsByErrorCode)
	assert.Equal(t, []Institution{{ID: "ins_3", Name: "Chase", Sessions: 14, Handoffs: 6}}, r.Institutions)
	assert.Equal(t, 6, r.TimedSessions)
	assert.Equal(t, 4*time.Second, r.MedianOpenToHandoff, "median of 3,3,4,4,6,6 s")
	assert.Equal(t, []Count{
		{"OPEN", 14}, {"SELECT_INSTITUTION", 10}, {"SUBMIT_CREDENTIALS", 8}, {"EXIT", 6}, {"HANDOFF", 6},
		{"SEARCH_INSTITUTION", 6}, {"SUBMIT_MFA", 4}, {"TRANSITION_VIEW", 4}, {"ERROR", 2}, {"OPEN_OAUTH", 2},
	}, r.Events)
	assert.Zero(t, r.Unattributed)
}

// TestSameReportInAnyOrderAndRepeated folds the same events shuffled, split into batches,
// repeated, and with copies arriving after every session finished.
func TestSameReportInAnyOrderAndRepeated(t *testing.T) {
	events := mixedSessions(21)
	hook := loadSample(t, "events_webhook.json")
	for _, e := range hook.Events {
		events = append(events, sessionEvent{hook.LinkSessionID, e})
	}
	in := New()
	addAll(in, events)
	want := in.Report()
	require.Equal(t, 22, want.Sessions)

	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 30 {
		var stream []sessionEvent
		for _, e := range events {
			for range 1 + rng.IntN(3) {
				stream = append(stream, e)
			}
		}
		rng.Shuffle(len(stream), func(i, j int) { stream[i], stream[j] = stream[j], stream[i] })
		f := New()
		for len(stream) > 0 {
			n := min(len(stream), 1+rng.IntN(7))
			addAll(f, stream[:n])
			stream = stream[n:]
		}
		// Everything again, after every session has finished.
		addAll(f, events)
		require.Equal(t, want, f.Report(), "round %d", round)
	}
}

func TestSessionSemantics(t *testing.T) {
	tests := []struct {
		name   string
		events []sessionEvent
		check  func(t *testing.T, r Report)
	}{
		{
			name: "an OPEN arriving after the HANDOFF still sets the start",
			events: []sessionEvent{
				ev("s", link.EventNameHandoff, 90*time.Second),
				ev("s", link.EventNameOpen, 0),
				ev("s", link.EventNameHandoff, 90*time.Second),
			},
			check: func(t *testing.T, r Report) {
				assert.Equal(t, 90*time.Second, r.MedianOpenToHandoff)
				assert.Equal(t, 1, r.TimedSessions)
			},
		},
		{
			name: "the first OPEN and first HANDOFF count",
			events: []sessionEvent{
				ev("s", link.EventNameOpen, 10*time.Second),
				ev("s", link.EventNameOpen, 0),
				ev("s", link.EventNameHandoff, 50*time.Second),
				ev("s", link.EventNameHandoff, 30*time.Second),
			},
			check: func(t *testing.T, r Report) {
				assert.Equal(t, 30*time.Second, r.MedianOpenToHandoff)
			},
		},
		{
			name: "median of an even count is the mean of the middle two",
			events: []sessionEvent{
				ev("a", link.EventNameOpen, 0), ev("a", link.EventNameHandoff, 10*time.Second),
				ev("b", link.EventNameOpen, 0), ev("b", link.EventNameHandoff, 20*time.Second),
				ev("c", link.EventNameOpen, 0), ev("c", link.EventNameHandoff, 41*time.Second),
				ev("d", link.EventNameOpen, 0), ev("d", link.EventNameHandoff, 100*time.Second),
			},
			check: func(t *testing.T, r Report) {
				assert.Equal(t, 30500*time.Millisecond, r.MedianOpenToHandoff)
				assert.Equal(t, 4, r.TimedSessions)
			},
		},
		{
			name: "a HANDOFF stamped before the OPEN, or unreadable, is not timed",
			events: []sessionEvent{
				ev("skew", link.EventNameOpen, 10*time.Second), ev("skew", link.EventNameHandoff, 0),
				ev("bad", link.EventNameOpen, 0),
				{"bad", link.Event{EventName: link.EventNameHandoff, EventID: "h", Timestamp: link.Timestamp{}}},
			},
			check: func(t *testing.T, r Report) {
				assert.Zero(t, r.TimedSessions)
				assert.Equal(t, 2, r.HandedOff)
			},
		},
		{
			name: "of two EXIT events the later one is reported, whatever the order",
			events: []sessionEvent{
				ev("s", link.EventNameExit, 20*time.Second, exitWith(link.ExitStatusRequiresCode, "INVALID_MFA")),
				ev("s", link.EventNameExit, 10*time.Second, exitWith(link.ExitStatusRequiresCredentials, "INVALID_CREDENTIALS")),
			},
			check: func(t *testing.T, r Report) {
				assert.Equal(t, []Count{{"requires_code", 1}}, r.ExitsByStatus)
				assert.Equal(t, []Count{{"INVALID_MFA", 1}}, r.ExitsByErrorCode)
			},
		},
		{
			name: "an event name Plaid does not document counts as OTHER and as no step",
			events: []sessionEvent{
				ev("s", "SOMETHING_NEW", 0), ev("s", "SOMETHING_ELSE", time.Second),
			},
			check: func(t *testing.T, r Report) {
				assert.Equal(t, []Count{{"OTHER", 1}}, r.Events)
				assert.Equal(t, 1, r.Sessions)
				assert.Zero(t, r.Steps[0].Sessions)
				assert.Equal(t, 1, r.Unfinished)
			},
		},
		{
			name: "an institution's name is the same whichever spelling comes first",
			events: []sessionEvent{
				ev("a", link.EventNameSelectInstitution, 0, inst("ins_1", "Wells Fargo")),
				ev("b", link.EventNameSelectInstitution, 0, inst("ins_1", "WELLS FARGO")),
				ev("b", link.EventNameHandoff, time.Second, inst("ins_1", "")),
				ev("b", link.EventNameTransitionView, time.Second, inst("ins_2", "Other")),
			},
			check: func(t *testing.T, r Report) {
				assert.Equal(t, []Institution{
					{ID: "ins_1", Name: "WELLS FARGO", Sessions: 2, Handoffs: 1},
					{ID: "ins_2", Name: "Other", Sessions: 1},
				}, r.Institutions)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fwd, rev := New(), New()
			addAll(fwd, tt.events)
			for i := len(tt.events) - 1; i >= 0; i-- {
				addAll(rev, tt.events[i:i+1])
			}
			r := fwd.Report()
			tt.check(t, r)
			assert.Equal(t, r, rev.Report(), "reverse order")
		})
	}
}

func TestEmptyReport(t *testing.T) {
	r := New().Report()
	assert.Zero(t, r.Sessions)
	require.Len(t, r.Steps, 6)
	for _, s := range r.Steps {
		assert.Zero(t, s.Sessions)
		assert.Zero(t, s.DropOff)
	}
	assert.Empty(t, r.Institutions)
	assert.Zero(t, r.MedianOpenToHandoff)
}

// TestAddCountsEventsWithoutSession: events with no session are counted once each, and in no
// session.
func TestAddCountsEventsWithoutSession(t *testing.T) {
	f := New()
	addAll(f, path("s", []link.EventName{link.EventNameOpen, link.EventNameHandoff}))
	f.Add(
		link.Event{EventName: link.EventNameOpen, EventID: "x"},
		link.Event{EventName: link.EventNameOpen, EventID: "x"},
		link.Event{EventName: link.EventNameHandoff, EventID: "y"},
		link.Event{EventName: link.EventNameOpen, Timestamp: link.Timestamp{Time: t0}},
	)
	f.Add(link.Event{EventName: link.EventNameOpen, Timestamp: link.Timestamp{Time: t0}})
	f.AddSession("", link.Event{EventName: link.EventNameExit, EventID: "z"}, link.Event{EventName: link.EventNameOpen, EventID: "x"})
	r := f.Report()
	assert.Equal(t, 4, r.Unattributed)
	assert.Equal(t, 1, r.Sessions)
	assert.Equal(t, 1, r.HandedOff)
	assert.Zero(t, r.Exited)
	assert.Equal(t, []Count{{"HANDOFF", 1}, {"OPEN", 1}}, r.Events)
}

// TestAddSessionTakesEventsAsDecoded folds the EVENTS webhook sample decoded from JSON, as a
// handler gets it, twice: Plaid may send EVENTS again with every event so far.
func TestAddSessionTakesEventsAsDecoded(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "events_webhook.json"))
	require.NoError(t, err)
	var hook struct {
		LinkSessionID string       `json:"link_session_id"`
		Events        []link.Event `json:"events"`
	}
	require.NoError(t, json.Unmarshal(body, &hook))
	f := New()
	f.AddSession(hook.LinkSessionID, hook.Events...)
	f.AddSession(hook.LinkSessionID, hook.Events[:4]...)
	r := f.Report()
	assert.Equal(t, 1, r.Sessions)
	assert.Equal(t, 1, r.Exited)
	assert.Equal(t, []Count{{"ERROR", 1}, {"EXIT", 1}, {"SELECT_INSTITUTION", 1}, {"SKIP_SUBMIT_PHONE", 1},
		{"SUBMIT_CREDENTIALS", 1}, {"TRANSITION_VIEW", 1}}, r.Events)
}

// TestReportSharesNothing changes a report and checks the next one is unaffected.
func TestReportSharesNothing(t *testing.T) {
	f := New()
	addAll(f, mixedSessions(7))
	r := f.Report()
	r.Steps[3].Via[0] = "CHANGED"
	assert.Equal(t, link.EventNameOpenOAuth, f.Report().Steps[3].Via[0])
}

func TestConcurrentUse(t *testing.T) {
	events := mixedSessions(70)
	want := New()
	addAll(want, events)

	f := New()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := w; i < len(events); i += 4 {
				addAll(f, events[i:i+1])
			}
		}()
		go func() {
			defer wg.Done()
			_ = f.Report()
		}()
	}
	wg.Wait()
	assert.Equal(t, want.Report(), f.Report())
}

// TestAddGroupsByMetadataSessionID gives the same events once through AddSession and once through
// Add with the id in each event's metadata, shuffled across sessions and one event a call: the
// reports are the same.
func TestAddGroupsByMetadataSessionID(t *testing.T) {
	evs := mixedSessions(40)
	bySession := New()
	addAll(bySession, evs)

	byMetadata := New()
	rng := rand.New(rand.NewPCG(7, 11))
	shuffled := make([]sessionEvent, len(evs))
	copy(shuffled, evs)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	all := make([]link.Event, 0, len(shuffled))
	for _, se := range shuffled {
		e := se.e
		e.EventMetadata.LinkSessionID = se.sid
		all = append(all, e)
	}
	byMetadata.Add(all[:len(all)/2]...)
	for _, e := range all[len(all)/2:] {
		byMetadata.Add(e)
	}
	want := bySession.Report()
	require.Greater(t, want.Sessions, 1)
	assert.Equal(t, want, byMetadata.Report())
}
