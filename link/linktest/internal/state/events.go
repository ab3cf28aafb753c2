package state

import (
	"time"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/ids"
)

// eventLog records a session's events the way Link reports them: each a clock step after the
// last, institution_id and institution_name once the user has picked one, and the request_id of
// the last request Link made, which several events share until Link makes another.
type eventLog struct {
	step      func(time.Duration) time.Time // moves the fake clock
	inst      *Institution
	requestID string
	events    []link.Event
}

func newEventLog(step func(time.Duration) time.Time) *eventLog {
	return &eventLog{step: step, requestID: ids.RequestID()}
}

// request starts a new Link request: later events carry its request_id.
func (l *eventLog) request() { l.requestID = ids.RequestID() }

// pick records that the user is at inst from now on.
func (l *eventLog) pick(inst Institution) { l.inst = &inst }

func (l *eventLog) add(name link.EventName) *link.Event {
	ev := link.Event{
		EventName: name,
		// Plaid's event timestamps are whole seconds (2024-07-29T20:23:59Z), whatever the clock's
		// fraction; EventInterval being a whole second keeps them strictly increasing.
		Timestamp:     link.Timestamp{Time: l.step(EventInterval).Truncate(time.Second)},
		EventID:       ids.UUID(),
		EventMetadata: link.EventMetadata{RequestID: l.requestID},
	}
	if l.inst != nil {
		ev.EventMetadata.InstitutionID = l.inst.InstitutionID
		ev.EventMetadata.InstitutionName = l.inst.Name
	}
	l.events = append(l.events, ev)
	return &l.events[len(l.events)-1]
}

// view records a TRANSITION_VIEW to the named pane.
func (l *eventLog) view(name string) {
	l.add(link.EventNameTransitionView).EventMetadata.ViewName = name
}

// last is the time of the latest event.
func (l *eventLog) last() time.Time { return l.events[len(l.events)-1].Timestamp.Time }

// openLink records a user opening Link and reaching the credentials pane of inst: searching for it
// (if query is set) and picking it first unless the session is in update mode, where Link opens on
// the Item's institution.
func (l *eventLog) openLink(inst Institution, update bool, query string) {
	l.add(link.EventNameOpen)
	if update {
		l.pick(inst)
	} else {
		l.view("CONSENT")
		l.view("SELECT_INSTITUTION")
		if query != "" {
			// A search is a request of Link's, which the events after it carry.
			l.request()
			l.add(link.EventNameSearchInstitution).EventMetadata.InstitutionSearchQuery = query
		}
		l.request()
		l.pick(inst)
		l.add(link.EventNameSelectInstitution)
	}
	l.view("CREDENTIAL")
}

// submitCredentials records the user submitting their credentials.
func (l *eventLog) submitCredentials() {
	l.request()
	l.add(link.EventNameSubmitCredentials)
}

// linkItem records the user logging in from the credentials pane, answering the institution's MFA
// of mfaType if it is set, and Link handing the Item off.
func (l *eventLog) linkItem(mfaType string) {
	l.submitCredentials()
	if mfaType != "" {
		// mfa_type is emitted by SUBMIT_MFA and by TRANSITION_VIEW when view_name is MFA.
		mfa := l.add(link.EventNameTransitionView)
		mfa.EventMetadata.ViewName, mfa.EventMetadata.MFAType = "MFA", mfaType
		l.request()
		l.add(link.EventNameSubmitMFA).EventMetadata.MFAType = mfaType
	}
	l.view("LOADING")
	l.view("CONNECTED")
	l.add(link.EventNameHandoff)
}
