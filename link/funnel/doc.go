// Package funnel folds Link events into a conversion funnel: how many sessions opened Link, chose
// an institution, submitted credentials, passed MFA and were handed off, and where and why the
// rest left. [Funnel.Report] gives the numbers and [Report.WriteSVG] draws them.
//
//	f := funnel.New()
//	f.Add(session.Events...) // a /link/token/get session (from link.Client.GetToken)
//	f.Add(ev.Events...)      // an EVENTS webhook (*webhook.Events from webhook.Parse)
//	f.Add(events...)         // events your front end forwarded from Link's onEvent
//	report := f.Report()
//
// # Sources, order and repetition
//
// Plaid's docs recommend Link events for conversion analytics, from three sources: the front
// end's onEvent callback, EVENTS webhooks, and the events of /link/token/get sessions. The same
// event may come from several of them, and Plaid resends EVENTS with every event so far. Events
// are grouped by link_session_id and each event counts once per event_id: the same events in any
// order, split across any calls, repeated any number of times, give the same [Report].
//
// [Funnel.Add] groups events by their metadata's link_session_id (link.EventMetadata.LinkSessionID).
// Link's onEvent callback gives it there; /link/token/get sessions and EVENTS webhooks give it
// beside the events, and link.Client.GetToken and webhook.Parse copy it into each event, so events
// from all three sources group alike. For events decoded some other way, [Funnel.AddSession] takes
// the session's id as an argument. Events with no session id anywhere can only be counted
// ([Report.Unattributed]).
//
// # Steps
//
// The steps, in Link's order, are:
//
//	OPEN                Link opened
//	SEARCH_INSTITUTION  the user searched for an institution
//	SELECT_INSTITUTION  chose one (also MATCHED_SELECT_INSTITUTION, where a returning user's was
//	                    matched, and SELECT_DEGRADED/DOWN/FILTERED_INSTITUTION, where the choice
//	                    was shown a warning or refused)
//	SUBMIT_CREDENTIALS  logged in (also OPEN_OAUTH, where an OAuth institution takes the user to
//	                    its own site instead, and SUBMIT_ROUTING_NUMBER and SUBMIT_ACCOUNT_NUMBER,
//	                    where the user enters account numbers for micro-deposits instead)
//	SUBMIT_MFA          answered the institution's MFA
//	HANDOFF             Link finished with an Item
//
// These are the events Plaid documents as a user moving forward through the bank-linking flow.
// The others describe a view (TRANSITION_VIEW), an outcome (ERROR, EXIT), a side path (the
// returning-user phone screens, SELECT_BRAND, SELECT_AUTH_TYPE, CLOSE_OAUTH, FAIL_OAUTH), or
// another product's flow (identity verification, document and bank income); [Report.Events]
// counts the sessions that emitted each of them.
//
// Reaching a step implies reaching the earlier ones: [Step.Sessions] counts the sessions whose
// furthest step is that one or a later one, so the funnel never widens. Paths skip steps — a
// returning user whose institution was matched does not search, most institutions ask no MFA,
// an OAuth login submits no credentials to Link — and counting only the sessions that emitted a
// step's event would show more sessions handed off than passing MFA. [Step.Emitted] keeps that
// count, and [Step.DropOff] is the share of the previous step's sessions that got no further.
//
// # Memory
//
// A Funnel keeps one small record per session, whatever the number of its events: the set of
// event names it emitted (a bit each), the first OPEN and first HANDOFF times, its EXIT's
// exit_status and error_code, and the institutions it named (as indexes into one table of
// strings). Every field is merged in a way that any order and any repetition leave unchanged: a
// union of bits or institutions, the earliest time, the EXIT with the latest timestamp (ties
// broken by a hash of its event_id). Folding an event twice therefore changes nothing, so no
// event ids are kept, neither while a session is open nor after it finished, and a late or
// repeated event after HANDOFF or EXIT (a second EVENTS webhook, an OPEN that arrives last) is
// merged exactly as if it had come in order.
//
// The trade-off: memory grows with the number of sessions — about 250 bytes each (247 B on
// amd64 with Go 1.26, a million sessions some 236 MiB), measured by TestMemoryPerSessionIsConstant
// and BenchmarkRetainedPerSession, plus 8 bytes for each further institution one session's events
// name — and not with the number of events. The funnel's table of strings holds each distinct
// institution, exit status and error code once. Events with no session cost a hash each, to count
// them once in [Report.Unattributed].
//
// By default finished sessions keep their record, because a duplicate may arrive at any time and
// only the record can tell that it is one. [WithMaxSessions] bounds the records kept instead, for
// a service that runs for months: past the bound, the oldest finished sessions (in the order they
// were seen to finish) are evicted, or the oldest unfinished ones if none has finished, and
// counted in [Report.Evicted] and [Report.EvictedUnfinished]; the rest of the Report describes
// the sessions kept, and memory stays at about 250 bytes per kept session however many sessions
// come (TestWithMaxSessionsBoundsMemory). The price is paid by late events: a late or repeated
// event of an evicted session (a resent EVENTS webhook, a late poll) is not recognised as a
// duplicate. It starts a new record, so the session counts again in [Report.Sessions] (while
// [Report.Evicted] still counts its first record), with only the steps the late events show and
// those before them, and without the OPEN-to-HANDOFF time when its OPEN is not among them. A
// bound well above the sessions that can still get events (a day's, say) makes that rare;
// starting a new Funnel per reporting period is the other way to bound memory.
//
// # Concurrency
//
// A Funnel is safe for concurrent use: a mutex guards it, so webhook handlers and pollers may add
// events while another goroutine takes a report.
//
// # Options
//
// A value an option cannot use is never replaced by a default: [New] returns no error, so it
// panics at construction with a message naming the option and the value
// ([WithMaxSessions] below 1, a nil option).
package funnel
