package webhook_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/webhook"
)

func TestParseItemAddResult(t *testing.T) {
	ev, err := webhook.Parse(sample(t, "item_add_result.json"))
	require.NoError(t, err)
	assert.Equal(t, &webhook.ItemAddResult{
		WebhookType:   "LINK",
		WebhookCode:   "ITEM_ADD_RESULT",
		LinkSessionID: "356dbb28-7f98-44d1-8e6d-0cec580f3171",
		LinkToken:     "link-sandbox-af1a0311-da53-4636-b754-dd15cc058176",
		PublicToken:   "public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d",
		Environment:   webhook.EnvironmentSandbox,
	}, ev)
	assert.Equal(t, webhook.TypeLink, ev.Type())
	assert.Equal(t, webhook.CodeItemAddResult, ev.Code())
}

func TestParseSessionFinished(t *testing.T) {
	ev, err := webhook.Parse(sample(t, "session_finished.json"))
	require.NoError(t, err)
	assert.Equal(t, &webhook.SessionFinished{
		WebhookType:   "LINK",
		WebhookCode:   "SESSION_FINISHED",
		Status:        webhook.SessionStatusSuccess,
		LinkSessionID: "356dbb28-7f98-44d1-8e6d-0cec580f3171",
		LinkToken:     "link-sandbox-af1a0311-da53-4636-b754-dd15cc058176",
		PublicTokens:  []string{"public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d"},
		Environment:   webhook.EnvironmentSandbox,
	}, ev)
	assert.Equal(t, webhook.TypeLink, ev.Type())
	assert.Equal(t, webhook.CodeSessionFinished, ev.Code())

	// The fields the sample leaves out, and a status Plaid may add later.
	ev, err = webhook.Parse([]byte(`{"webhook_type":"LINK","webhook_code":"SESSION_FINISHED","status":"EXITED",
		"link_session_id":"s","link_token":"t","public_token":"public-1","user_id":"usr_1","environment":"production"}`))
	require.NoError(t, err)
	assert.Equal(t, &webhook.SessionFinished{
		WebhookType: "LINK", WebhookCode: "SESSION_FINISHED", Status: webhook.SessionStatusExited,
		LinkSessionID: "s", LinkToken: "t", PublicToken: "public-1", UserID: "usr_1",
		Environment: webhook.EnvironmentProduction,
	}, ev)
	ev, err = webhook.Parse([]byte(`{"webhook_type":"LINK","webhook_code":"SESSION_FINISHED","status":"PAUSED"}`))
	require.NoError(t, err)
	assert.Equal(t, webhook.SessionStatus("PAUSED"), ev.(*webhook.SessionFinished).Status)
}

// sampleSessionID is the link_session_id of the EVENTS samples.
const sampleSessionID = "1daca4d5-9a0d-4e85-a2e9-1e905ecaa32e"

// withSession returns events with their metadata's link_session_id set to id, as Parse gives
// them: the sample carries the id beside the events, and Parse copies it into each.
func withSession(id string, events []link.Event) []link.Event {
	for i := range events {
		events[i].EventMetadata.LinkSessionID = id
	}
	return events
}

// sampleEvents are the events of testdata/events.json in the order the sample lists them.
var sampleEvents = withSession(sampleSessionID, []link.Event{
	{EventID: "9469937a-6fac-40be-9322-f86e8c0b94ed", EventName: link.EventName("TRANSITION_VIEW"), Timestamp: ts("00:17:54"),
		EventMetadata: link.EventMetadata{RequestID: "ClqZyuhovgkaQ3j"}},
	{EventID: "4b2390cf-33a2-4078-b933-62468b9e53a5", EventName: link.EventName("ERROR"), Timestamp: ts("00:18:09"),
		EventMetadata: link.EventMetadata{ErrorCode: "INVALID_CREDENTIALS", ErrorMessage: "the provided credentials were not correct",
			ErrorType: link.ErrorType("ITEM_ERROR"), InstitutionID: "ins_20", InstitutionName: "Citizens Bank", RequestID: "ttK0NtGKaVAlbCR"}},
	{EventID: "45f76afe-f2aa-495c-a326-f37e043a1ccd", EventName: link.EventName("TRANSITION_VIEW"), Timestamp: ts("00:17:56"),
		EventMetadata: link.EventMetadata{RequestID: "WRJqqeh8Hxife05"}},
	{EventID: "978b772c-f2cc-404f-9449-2113e4671c4f", EventName: link.EventName("EXIT"), Timestamp: ts("00:18:13"),
		EventMetadata: link.EventMetadata{ErrorCode: "INVALID_CREDENTIALS", ErrorMessage: "the provided credentials were not correct",
			ErrorType: link.ErrorType("ITEM_ERROR"), ExitStatus: "requires_credentials", InstitutionID: "ins_20",
			InstitutionName: "Citizens Bank", RequestID: "u1HcAeiCKtz3qmm"}},
	{EventID: "a873db76-aa4e-4a00-9d60-7ae08aa8e63f", EventName: link.EventName("TRANSITION_VIEW"), Timestamp: ts("00:18:09"),
		EventMetadata: link.EventMetadata{InstitutionID: "ins_20", InstitutionName: "Citizens Bank", RequestID: "ttK0NtGKaVAlbCR"}},
	{EventID: "ca85566d-5f32-4716-909f-82f3a0b6160b", EventName: link.EventName("SUBMIT_CREDENTIALS"), Timestamp: ts("00:18:07"),
		EventMetadata: link.EventMetadata{InstitutionID: "ins_20", InstitutionName: "Citizens Bank", RequestID: "XRvev3cP9wYUFz5"}},
	{EventID: "09220752-6b83-407e-baf0-f6228df16ea0", EventName: link.EventName("SELECT_INSTITUTION"), Timestamp: ts("00:18:01"),
		EventMetadata: link.EventMetadata{InstitutionID: "ins_20", InstitutionName: "Citizens Bank", RequestID: "WRJqqeh8Hxife05"}},
	{EventID: "1c75d2ee-19c1-4d1b-8600-7d06cecbb270", EventName: link.EventName("TRANSITION_VIEW"), Timestamp: ts("00:18:12"),
		EventMetadata: link.EventMetadata{InstitutionID: "ins_20", InstitutionName: "Citizens Bank", RequestID: "5vc1IyBHfLkIVFx"}},
	{EventID: "1c9c9059-c065-4362-836a-d9afb91a6125", EventName: link.EventName("TRANSITION_VIEW"), Timestamp: ts("00:17:50"),
		EventMetadata: link.EventMetadata{RequestID: "MlFW5NSWtCs1KLI"}},
	{EventID: "4f381b3f-172b-4bca-9804-c230f8d36a3b", EventName: link.EventName("TRANSITION_VIEW"), Timestamp: ts("00:18:02"),
		EventMetadata: link.EventMetadata{InstitutionID: "ins_20", InstitutionName: "Citizens Bank", RequestID: "XRvev3cP9wYUFz5"}},
	{EventID: "dd9d4747-d4da-4c11-88d6-b5a0e96f1886", EventName: link.EventName("SKIP_SUBMIT_PHONE"), Timestamp: ts("00:17:55"),
		EventMetadata: link.EventMetadata{RequestID: "ClqZyuhovgkaQ3j"}},
})

// ts returns a time on the samples' day, 2024-05-21 UTC.
func ts(hms string) link.Timestamp {
	t, err := time.Parse(time.RFC3339, "2024-05-21T"+hms+"Z")
	if err != nil {
		panic(err)
	}
	return link.Timestamp{Time: t}
}

// eventsByID picks events of sampleEvents by id prefix, in the given order.
func eventsByID(prefixes ...string) []link.Event {
	var out []link.Event
	for _, p := range prefixes {
		for _, e := range sampleEvents {
			if e.EventID[:len(p)] == p {
				out = append(out, e)
			}
		}
	}
	return out
}

func TestParseEvents(t *testing.T) {
	tests := []struct {
		file   string
		events []link.Event
	}{
		{"events.json", sampleEvents},
		// An earlier delivery for the same session, with the events up to 00:18:07 (a subset of
		// the sample, as Plaid sends when a session produces EVENTS more than once).
		{"events_earlier.json", eventsByID("9469937a", "45f76afe", "ca85566d", "09220752", "1c9c9059", "4f381b3f", "dd9d4747")},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			ev, err := webhook.Parse(sample(t, tc.file))
			require.NoError(t, err)
			got, ok := ev.(*webhook.Events)
			require.True(t, ok, "got %T", ev)
			assert.Equal(t, &webhook.Events{
				WebhookType:   "LINK",
				WebhookCode:   "EVENTS",
				Events:        tc.events,
				LinkSessionID: sampleSessionID,
				LinkToken:     "link-sandbox-79e723b0-0e04-4248-8a33-15ceb6828a45",
				Environment:   webhook.EnvironmentSandbox,
			}, got)
			assert.Equal(t, webhook.CodeEvents, ev.Code())
			assert.Equal(t, webhook.TypeLink, ev.Type())
		})
	}
}

// An event that names its session keeps that name; the others get the webhook's.
func TestParseEventsFillsSessionID(t *testing.T) {
	ev, err := webhook.Parse([]byte(`{"webhook_type":"LINK","webhook_code":"EVENTS","link_session_id":"s-1","events":[
		{"event_id":"a","event_name":"OPEN","timestamp":"2024-05-21T00:17:51Z","event_metadata":{"request_id":"r"}},
		{"event_id":"b","event_name":"EXIT","timestamp":"2024-05-21T00:17:52Z","event_metadata":{"link_session_id":"s-0"}}]}`))
	require.NoError(t, err)
	events := ev.(*webhook.Events).Events
	require.Len(t, events, 2)
	assert.Equal(t, "s-1", events[0].EventMetadata.LinkSessionID)
	assert.Equal(t, "s-0", events[1].EventMetadata.LinkSessionID)
}

func TestMergeEvents(t *testing.T) {
	first, err := webhook.Parse(sample(t, "events_earlier.json"))
	require.NoError(t, err)
	second, err := webhook.Parse(sample(t, "events.json"))
	require.NoError(t, err)

	chronological := eventsByID("1c9c9059", "9469937a", "dd9d4747", "45f76afe", "09220752", "4f381b3f",
		"ca85566d", "4b2390cf", "a873db76", "1c75d2ee", "978b772c") // 4b2390cf and a873db76 tie at 00:18:09
	merged := webhook.MergeEvents(first.(*webhook.Events).Events, second.(*webhook.Events).Events)
	assert.Equal(t, chronological, merged)
	// Arrival order does not matter.
	assert.Equal(t, chronological, webhook.MergeEvents(second.(*webhook.Events).Events, first.(*webhook.Events).Events))
	assert.Equal(t, chronological, webhook.MergeEvents(sampleEvents))
	// The input is not reordered in place.
	assert.Equal(t, sampleEvents[0].EventID, second.(*webhook.Events).Events[0].EventID)

	t.Run("later copy of an event wins", func(t *testing.T) {
		old := link.Event{EventID: "a", EventName: "OPEN", Timestamp: ts("00:00:01")}
		newer := link.Event{EventID: "a", EventName: "OPEN", Timestamp: ts("00:00:01"), EventMetadata: link.EventMetadata{RequestID: "r"}}
		assert.Equal(t, []link.Event{newer}, webhook.MergeEvents([]link.Event{old}, []link.Event{newer}))
	})
	t.Run("events without id are all kept, in input order", func(t *testing.T) {
		a := link.Event{EventName: "A", Timestamp: ts("00:00:01")}
		b := link.Event{EventName: "B", Timestamp: ts("00:00:01")}
		assert.Equal(t, []link.Event{a, b, a}, webhook.MergeEvents([]link.Event{a, b}, []link.Event{a}))
	})
	t.Run("equal timestamps keep arrival order, not event_id order", func(t *testing.T) {
		open := link.Event{EventID: "z-open", EventName: link.EventName("OPEN"), Timestamp: ts("00:00:01")}
		selectInst := link.Event{EventID: "m-select", EventName: link.EventName("SELECT_INSTITUTION"), Timestamp: ts("00:00:01")}
		handoff := link.Event{EventID: "a-handoff", EventName: link.EventName("HANDOFF"), Timestamp: ts("00:00:01")}
		assert.Equal(t, []link.Event{open, selectInst, handoff},
			webhook.MergeEvents([]link.Event{open, selectInst}, []link.Event{open, selectInst, handoff}))
		earlier := link.Event{EventID: "y", EventName: link.EventName("EXIT"), Timestamp: ts("00:00:00")}
		assert.Equal(t, []link.Event{earlier, open, selectInst, handoff},
			webhook.MergeEvents([]link.Event{open, selectInst, handoff, earlier}))
	})
	t.Run("empty", func(t *testing.T) {
		assert.Empty(t, webhook.MergeEvents())
		assert.Empty(t, webhook.MergeEvents(nil, []link.Event{}))
	})
}

func TestParseUnknown(t *testing.T) {
	tests := []struct{ body, typ, code string }{
		{`{"webhook_type":"TRANSACTIONS","webhook_code":"SYNC_UPDATES_AVAILABLE","item_id":"i","environment":"sandbox"}`, "TRANSACTIONS", "SYNC_UPDATES_AVAILABLE"},
		{`{"webhook_type":"ITEM","webhook_code":"SOMETHING_NEW","item_id":"i"}`, "ITEM", "SOMETHING_NEW"},
		{`{"webhook_type":"LINK_DELIVERY","webhook_code":"SOMETHING_NEW","link_delivery_session_id":"x"}`, "LINK_DELIVERY", "SOMETHING_NEW"},
		{`{"webhook_type":"LINK","webhook_code":"SOMETHING_NEW","extra":[1,2,3]}`, "LINK", "SOMETHING_NEW"},
		{`{"webhook_type":"link","webhook_code":"EVENTS"}`, "link", "EVENTS"},
	}
	for _, tc := range tests {
		t.Run(tc.typ+"/"+tc.code, func(t *testing.T) {
			body := []byte(tc.body)
			ev, err := webhook.Parse(body)
			require.NoError(t, err)
			assert.Equal(t, &webhook.Unknown{WebhookType: tc.typ, WebhookCode: tc.code, Raw: json.RawMessage(tc.body)}, ev)
			assert.Equal(t, tc.typ, ev.Type())
			assert.Equal(t, tc.code, ev.Code())
			body[0] = 'X' // Raw is a copy: the caller may reuse its buffer.
			assert.Equal(t, json.RawMessage(tc.body), ev.(*webhook.Unknown).Raw)
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, body := range []string{
		``, `   `, `null`, `[]`, `"LINK"`, `42`, `{`, `{"webhook_type":"LINK"`,
		`{}`, `{"webhook_code":"EVENTS"}`, `{"webhook_type":"LINK"}`,
		`{"webhook_type":"","webhook_code":"EVENTS"}`, `{"webhook_type":"LINK","webhook_code":""}`,
		`{"webhook_type":null,"webhook_code":"EVENTS"}`, `{"webhook_type":1,"webhook_code":"EVENTS"}`,
		`{"webhook_type":"LINK","webhook_code":"EVENTS"} {}`,
		`{"webhook_type":"LINK","webhook_code":"EVENTS","events":"none"}`,
		`{"webhook_type":"LINK","webhook_code":"EVENTS","events":[{"timestamp":1716250674}]}`,
		`{"webhook_type":"LINK","webhook_code":"SESSION_FINISHED","public_tokens":"p"}`,
		`{"webhook_type":"LINK","webhook_code":"ITEM_ADD_RESULT","public_token":7}`,
	} {
		t.Run(body, func(t *testing.T) {
			ev, err := webhook.Parse([]byte(body))
			require.ErrorIs(t, err, webhook.ErrInvalidPayload)
			assert.Nil(t, ev)
		})
	}
}

// A timestamp that is not a time does not cost the user the webhook: the event is kept, its text
// too, and MergeEvents puts it first.
func TestParseKeepsEventWithUnreadableTimestamp(t *testing.T) {
	ev, err := webhook.Parse([]byte(`{"webhook_type":"LINK","webhook_code":"EVENTS","link_session_id":"s","events":[
		{"event_id":"b","event_name":"EXIT","timestamp":"2024-05-21T00:18:13Z","event_metadata":{}},
		{"event_id":"a","event_name":"OPEN","timestamp":"yesterday","event_metadata":{}}]}`))
	require.NoError(t, err)
	events := ev.(*webhook.Events).Events
	require.Len(t, events, 2)
	assert.False(t, events[1].Timestamp.Valid())
	assert.Equal(t, "yesterday", events[1].Timestamp.Raw())

	merged := webhook.MergeEvents(events)
	assert.Equal(t, []string{"a", "b"}, []string{merged[0].EventID, merged[1].EventID})
}

// TestSessionID checks that every parsed webhook gives its link_session_id without a type switch,
// and "" when it has none.
func TestSessionID(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"ITEM_ADD_RESULT", sample(t, "item_add_result.json"), "356dbb28-7f98-44d1-8e6d-0cec580f3171"},
		{"EVENTS", sample(t, "events.json"), "1daca4d5-9a0d-4e85-a2e9-1e905ecaa32e"},
		{"SESSION_FINISHED", sample(t, "session_finished.json"), "356dbb28-7f98-44d1-8e6d-0cec580f3171"},
		{"a LINK code added later", []byte(`{"webhook_type":"LINK","webhook_code":"NEW_CODE","link_session_id":"s-1"}`), "s-1"},
		{"an ITEM webhook", []byte(`{"webhook_type":"ITEM","webhook_code":"ERROR","item_id":"i"}`), ""},
		{"a session id that is not a string", []byte(`{"webhook_type":"LINK","webhook_code":"NEW_CODE","link_session_id":{"id":1}}`), ""},
		{"null session id", []byte(`{"webhook_type":"LINK","webhook_code":"NEW_CODE","link_session_id":null}`), ""},
		{"escaped", []byte(`{"webhook_type":"LINK","webhook_code":"NEW_CODE","link_session_id":"s\u002d2"}`), "s-2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := webhook.Parse(tc.body)
			require.NoError(t, err)
			assert.Equal(t, tc.want, ev.SessionID())
			if u, ok := ev.(*webhook.Unknown); ok {
				assert.Equal(t, tc.want, u.LinkSessionID)
				assert.Equal(t, tc.body, []byte(u.Raw))
			}
		})
	}
}
