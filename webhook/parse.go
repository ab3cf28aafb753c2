package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/plaidlink/plaidlink-go/link"
)

// ErrInvalidPayload is returned by [Parse] for a body that is not a JSON object, lacks
// webhook_type or webhook_code, or does not fit the schema its code names. Unknown codes are not
// errors (see [Unknown]).
var ErrInvalidPayload = errors.New("webhook: invalid payload")

// envelope holds the two fields every Plaid webhook has; pointers tell a missing field from "".
// LinkSessionID is kept raw so that a webhook whose link_session_id is not a string still decodes
// as an Unknown (without one); it is read in the same pass over the body.
type envelope struct {
	WebhookType   *string         `json:"webhook_type"`
	WebhookCode   *string         `json:"webhook_code"`
	LinkSessionID json.RawMessage `json:"link_session_id"`
}

// Parse decodes a webhook body into *[ItemAddResult], *[Events], *[SessionFinished], one of the
// ITEM, LINK_DELIVERY and LAYER types (such as *[ItemError]; every ITEM one is an [ItemEvent]),
// or, for any other type or code (a product's webhook, say), *[Unknown]. It does not verify anything: call [Verifier.Verify] on the same
// bytes first, or use [NewHandler], which does both in the right order.
func Parse(body []byte) (Event, error) {
	return parse(body, true)
}

// parse is Parse; copyRaw is false when the caller hands over a buffer it will not reuse (the
// Handler), so that an Unknown webhook does not cost a second copy of a large body.
func parse(body []byte, copyRaw bool) (Event, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", ErrInvalidPayload)
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPayload, err)
	}
	if env.WebhookType == nil || *env.WebhookType == "" {
		return nil, fmt.Errorf("%w: missing webhook_type", ErrInvalidPayload)
	}
	if env.WebhookCode == nil || *env.WebhookCode == "" {
		return nil, fmt.Errorf("%w: missing webhook_code", ErrInvalidPayload)
	}
	var ev Event
	if *env.WebhookType == TypeLink {
		switch *env.WebhookCode {
		case CodeItemAddResult:
			ev = new(ItemAddResult)
		case CodeEvents:
			ev = &Events{Events: presizeEvents(body)}
		case CodeSessionFinished:
			ev = new(SessionFinished)
		}
	} else {
		ev = newItemWebhook(*env.WebhookType, *env.WebhookCode)
	}
	if ev == nil {
		raw := json.RawMessage(body)
		if copyRaw {
			raw = bytes.Clone(body)
		}
		u := &Unknown{WebhookType: *env.WebhookType, WebhookCode: *env.WebhookCode, Raw: raw}
		if len(env.LinkSessionID) > 0 && env.LinkSessionID[0] == '"' {
			// The envelope decoded, so this is a valid JSON string and cannot fail.
			_ = json.Unmarshal(env.LinkSessionID, &u.LinkSessionID)
		}
		return u, nil
	}
	if err := json.Unmarshal(body, ev); err != nil {
		return nil, fmt.Errorf("%w: %s/%s: %w", ErrInvalidPayload, ev.Type(), ev.Code(), err)
	}
	if e, ok := ev.(*Events); ok {
		if len(e.Events) == 0 && cap(e.Events) > 0 {
			// "events" was absent: encoding/json left the presized slice alone.
			e.Events = nil
		}
		// Each event carries its session, as Link's onEvent metadata does, so that events can be
		// grouped by session after they leave the webhook (see funnel.Add).
		link.FillSessionID(e.LinkSessionID, e.Events)
	}
	return ev, nil
}

// presizeEvents returns an empty slice with room for the events in body, counted by their
// "event_id" keys, so that encoding/json fills one array instead of doubling its way up: for a
// large EVENTS webhook that halves the heap a parse costs. The count is capped by the body's
// size so that a body of nothing but "event_id" keys cannot reserve more than it would cost.
func presizeEvents(body []byte) []link.Event {
	n := bytes.Count(body, []byte(`"event_id"`))
	n = min(n, len(body)/128)
	if n < 8 {
		return nil
	}
	return make([]link.Event, 0, n)
}

// MergeEvents combines the event lists of several EVENTS webhooks for one session into one list
// with each event_id once, ordered by timestamp. Plaid may send EVENTS more than once per session,
// each time with every event so far and in no particular order, so appending lists would repeat
// events. When an event_id repeats, the copy from the later list wins, as it is the newer
// delivery, and keeps the place of the first copy. The sort is stable: events with equal
// timestamps keep the order they arrived in (lists in argument order, each in its own order),
// which is the order Link recorded them in; a tie-break on the random event_id would scramble a
// session whose events share a second. Events without an event_id cannot be de-duplicated and are
// all kept.
func MergeEvents(lists ...[]link.Event) []link.Event {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	out := make([]link.Event, 0, n)
	at := make(map[string]int, n)
	for _, l := range lists {
		for _, e := range l {
			if e.EventID != "" {
				if i, ok := at[e.EventID]; ok {
					out[i] = e
					continue
				}
				at[e.EventID] = len(out)
			}
			out = append(out, e)
		}
	}
	// An event whose timestamp could not be read as a time (Timestamp.Valid is false) sorts first.
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Timestamp.Compare(out[j].Timestamp.Time) < 0
	})
	return out
}
