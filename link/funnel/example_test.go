package funnel_test

import (
	"fmt"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/funnel"
)

func Example() {
	at := func(sec int) link.Timestamp {
		return link.Timestamp{Time: time.Date(2024, 5, 21, 0, 17, sec, 0, time.UTC)}
	}
	// One session from /link/token/get (or an EVENTS webhook): its id is beside the events.
	linked := []link.Event{
		{EventName: link.EventNameOpen, EventID: "a1", Timestamp: at(0)},
		{EventName: link.EventNameSelectInstitution, EventID: "a2", Timestamp: at(5),
			EventMetadata: link.EventMetadata{InstitutionID: "ins_20", InstitutionName: "Citizens Bank"}},
		{EventName: link.EventNameSubmitCredentials, EventID: "a3", Timestamp: at(20)},
		{EventName: link.EventNameHandoff, EventID: "a4", Timestamp: at(42),
			EventMetadata: link.EventMetadata{InstitutionID: "ins_20", InstitutionName: "Citizens Bank"}},
	}
	// Another, in two parts, the EXIT first: order does not matter.
	exited := []link.Event{
		{EventName: link.EventNameOpen, EventID: "b1", Timestamp: at(1)},
		{EventName: link.EventNameExit, EventID: "b2", Timestamp: at(9),
			EventMetadata: link.EventMetadata{ExitStatus: link.ExitStatusInstitutionNotFound}},
	}

	f := funnel.New()
	f.AddSession("session-a", linked...)
	f.AddSession("session-b", exited[1])
	f.AddSession("session-b", exited[0])
	f.AddSession("session-a", linked...) // a resent EVENTS webhook changes nothing

	r := f.Report()
	for _, s := range r.Steps {
		fmt.Printf("%-20s %d\n", s.Name, s.Sessions)
	}
	fmt.Println("exits:", r.ExitsByStatus)
	fmt.Println("median OPEN to HANDOFF:", r.MedianOpenToHandoff)
	// Output:
	// OPEN                 2
	// SEARCH_INSTITUTION   1
	// SELECT_INSTITUTION   1
	// SUBMIT_CREDENTIALS   1
	// SUBMIT_MFA           1
	// HANDOFF              1
	// exits: [{institution_not_found 1}]
	// median OPEN to HANDOFF: 42s
}

// WithMaxSessions keeps a long-running service's Funnel bounded: past the bound the oldest
// finished sessions are evicted and counted, and the report describes the sessions kept.
func ExampleWithMaxSessions() {
	f := funnel.New(funnel.WithMaxSessions(2))
	for i, name := range []link.EventName{link.EventNameHandoff, link.EventNameExit, link.EventNameHandoff} {
		sid := fmt.Sprintf("session-%d", i)
		f.AddSession(sid,
			link.Event{EventName: link.EventNameOpen, EventID: sid + "-open"},
			link.Event{EventName: name, EventID: sid + "-end"})
	}
	r := f.Report()
	fmt.Println("kept:", r.Sessions, "evicted:", r.Evicted, "handed off:", r.HandedOff, "exited:", r.Exited)
	// Output:
	// kept: 2 evicted: 1 handed off: 1 exited: 1
}
