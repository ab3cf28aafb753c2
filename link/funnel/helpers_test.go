package funnel

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
)

// sample is a session's events with its id beside them, as /link/token/get and EVENTS webhooks
// carry them.
type sample struct {
	LinkSessionID string       `json:"link_session_id"`
	Events        []link.Event `json:"events"`
}

// loadSample reads a testdata file written from Plaid's sample payloads.
func loadSample(t testing.TB, name string) sample {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	var s sample
	require.NoError(t, json.Unmarshal(body, &s))
	require.NotEmpty(t, s.Events)
	return s
}

// sessionEvent is an event with the id of its session.
type sessionEvent struct {
	sid string
	e   link.Event
}

// addAll gives evs to f, each run of events of one session in one AddSession call.
func addAll(f *Funnel, evs []sessionEvent) {
	for len(evs) > 0 {
		n := 1
		for n < len(evs) && evs[n].sid == evs[0].sid {
			n++
		}
		batch := make([]link.Event, n)
		for i := range batch {
			batch[i] = evs[i].e
		}
		f.AddSession(evs[0].sid, batch...)
		evs = evs[n:]
	}
}

var t0 = time.Date(2024, 7, 29, 20, 22, 39, 0, time.UTC)

// ev builds an event of session sid, at t0+at, with metadata changed by opts. Its event_id is
// derived from the session, name and time, so building it twice gives the same event.
func ev(sid string, name link.EventName, at time.Duration, opts ...func(*link.EventMetadata)) sessionEvent {
	e := link.Event{
		EventName:     name,
		Timestamp:     link.Timestamp{Time: t0.Add(at)},
		EventID:       fmt.Sprintf("%s/%s/%d", sid, name, at),
		EventMetadata: link.EventMetadata{RequestID: "req"},
	}
	for _, o := range opts {
		o(&e.EventMetadata)
	}
	return sessionEvent{sid: sid, e: e}
}

func inst(id, name string) func(*link.EventMetadata) {
	return func(m *link.EventMetadata) { m.InstitutionID, m.InstitutionName = id, name }
}

func exitWith(status link.ExitStatus, code string) func(*link.EventMetadata) {
	return func(m *link.EventMetadata) {
		m.ExitStatus, m.ErrorCode = status, code
		if code != "" {
			m.ErrorType = link.ErrorTypeItemError
		}
	}
}

// path is the events of one session that goes through names, a second apart, at institution
// ins_3; the last event gets opts.
func path(sid string, names []link.EventName, opts ...func(*link.EventMetadata)) []sessionEvent {
	out := make([]sessionEvent, 0, len(names))
	for i, n := range names {
		var o []func(*link.EventMetadata)
		if n != link.EventNameOpen {
			o = append(o, inst("ins_3", "Chase"))
		}
		if i == len(names)-1 {
			o = append(o, opts...)
		}
		out = append(out, ev(sid, n, time.Duration(i)*time.Second, o...))
	}
	return out
}

// mixedSessions are sessions along the paths Link users take, finishing at different steps.
func mixedSessions(n int) []sessionEvent {
	const (
		open   = link.EventNameOpen
		search = link.EventNameSearchInstitution
		sel    = link.EventNameSelectInstitution
		view   = link.EventNameTransitionView
		creds  = link.EventNameSubmitCredentials
		mfa    = link.EventNameSubmitMFA
		oauth  = link.EventNameOpenOAuth
		hand   = link.EventNameHandoff
		errEv  = link.EventNameError
		exit   = link.EventNameExit
	)
	var out []sessionEvent
	for i := range n {
		sid := fmt.Sprintf("session-%03d", i)
		switch i % 7 {
		case 0:
			out = append(out, path(sid, []link.EventName{open, view, search, sel, creds, mfa, hand})...)
		case 1:
			out = append(out, path(sid, []link.EventName{open, sel, oauth, hand})...)
		case 2:
			out = append(out, path(sid, []link.EventName{open, search, exit}, exitWith("institution_not_found", ""))...)
		case 3:
			out = append(out, path(sid, []link.EventName{open, sel, creds, errEv, exit},
				exitWith(link.ExitStatusRequiresCredentials, "INVALID_CREDENTIALS"))...)
		case 4:
			out = append(out, path(sid, []link.EventName{open, sel, creds, mfa, exit},
				exitWith(link.ExitStatusRequiresCode, "INVALID_MFA"))...)
		case 5:
			out = append(out, path(sid, []link.EventName{open, view})...)
		case 6:
			out = append(out, path(sid, []link.EventName{open, search, sel, creds, hand})...)
		}
	}
	return out
}
