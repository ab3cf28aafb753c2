package state

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/delivery"
)

// Environment every webhook names, as Plaid's Sandbox does.
const webhookEnvironment = "sandbox"

type itemAddResultWebhook struct {
	WebhookType   string `json:"webhook_type"`
	WebhookCode   string `json:"webhook_code"`
	LinkSessionID string `json:"link_session_id"`
	LinkToken     string `json:"link_token"`
	PublicToken   string `json:"public_token"`
	Environment   string `json:"environment"`
}

type eventsWebhook struct {
	WebhookType   string       `json:"webhook_type"`
	WebhookCode   string       `json:"webhook_code"`
	Events        []link.Event `json:"events"`
	LinkSessionID string       `json:"link_session_id"`
	LinkToken     string       `json:"link_token"`
	Environment   string       `json:"environment"`
}

type sessionFinishedWebhook struct {
	WebhookType   string   `json:"webhook_type"`
	WebhookCode   string   `json:"webhook_code"`
	Status        string   `json:"status"`
	LinkSessionID string   `json:"link_session_id"`
	LinkToken     string   `json:"link_token"`
	PublicTokens  []string `json:"public_tokens,omitempty"`
	UserID        string   `json:"user_id,omitempty"`
	Environment   string   `json:"environment"`
}

// linkData is what Plaid sends about a session on one link token beyond its outcome: the Link
// webhooks and the events /link/token/get shows.
type linkData struct {
	// events is the EVENTS webhook, and the events in /link/token/get: for Hosted Link sessions,
	// or every session on an account enabled for Link events.
	events bool
	// itemAddResult is the ITEM_ADD_RESULT webhook: for Hosted Link and Multi-Item Link sessions.
	itemAddResult bool
	// sessionFinished is the SESSION_FINISHED webhook: for Hosted Link, Multi-Item Link and Layer
	// sessions, or every session on an account enabled for Link events.
	sessionFinished bool
}

// linkDataFor is the one place that decides, as Plaid's reference does, what a session on lt
// gets (see linktest.WithLinkWebhooksForAllSessions).
func (s *State) linkDataFor(lt *linkToken) linkData {
	hosted := lt.hostedID != ""
	return linkData{
		events:          hosted || s.allSessions,
		itemAddResult:   hosted || lt.multiItem,
		sessionFinished: hosted || lt.multiItem || lt.layer || s.allSessions,
	}
}

// sessionHooks builds the webhooks Plaid sends when a session on lt ends, those linkDataFor
// allows: ITEM_ADD_RESULT for each of itemAdds, EVENTS (parts times, cumulative), then
// SESSION_FINISHED. None if lt has no webhook.
func (s *State) sessionHooks(lt *linkToken, sessionID string, events []link.Event, status string, publicTokens, itemAdds []string, parts int) []delivery.Hook {
	if lt.webhook == "" {
		return nil
	}
	send := s.linkDataFor(lt)
	var hooks []delivery.Hook
	eventsHook := func(evs []link.Event) delivery.Hook {
		return delivery.Hook{Code: "EVENTS", Body: eventsWebhook{
			WebhookType: "LINK", WebhookCode: "EVENTS", Events: unordered(sessionID, evs),
			LinkSessionID: sessionID, LinkToken: lt.token, Environment: webhookEnvironment,
		}}
	}
	if send.events {
		// Earlier EVENTS webhooks carry the events so far; Plaid sends them while the session runs.
		for k := 1; k < parts; k++ {
			if n := len(events) * k / parts; n > 0 {
				hooks = append(hooks, eventsHook(events[:n]))
			}
		}
	}
	if send.itemAddResult {
		for _, pt := range itemAdds {
			hooks = append(hooks, delivery.Hook{Code: "ITEM_ADD_RESULT", Body: itemAddResultWebhook{
				WebhookType: "LINK", WebhookCode: "ITEM_ADD_RESULT", LinkSessionID: sessionID,
				LinkToken: lt.token, PublicToken: pt, Environment: webhookEnvironment,
			}})
		}
	}
	if send.events {
		hooks = append(hooks, eventsHook(events))
	}
	if send.sessionFinished {
		hooks = append(hooks, delivery.Hook{Code: "SESSION_FINISHED", Body: sessionFinishedWebhook{
			WebhookType: "LINK", WebhookCode: "SESSION_FINISHED", Status: status,
			LinkSessionID: sessionID, LinkToken: lt.token, PublicTokens: slices.Clone(publicTokens),
			UserID: lt.userID, Environment: webhookEnvironment,
		}})
	}
	return hooks
}

// unordered returns a copy of a session's events in the order an EVENTS webhook lists them: no
// particular one, as in Plaid's sample, where TRANSITION_VIEW at 00:17:54 comes first and EXIT
// at 00:18:13 fourth. A receiver must sort them (webhook.MergeEvents does) and the fake makes sure
// that it has to: the order is a shuffle, seeded by the session and the list's length, and never
// the chronological one.
func unordered(sessionID string, events []link.Event) []link.Event {
	out := slices.Clone(events)
	if len(out) < 2 {
		return out
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(sessionID))
	r := rand.New(rand.NewPCG(h.Sum64(), uint64(len(out))))
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	if slices.EqualFunc(out, events, func(a, b link.Event) bool { return a.EventID == b.EventID }) {
		out[0], out[1] = out[1], out[0]
	}
	return out
}
