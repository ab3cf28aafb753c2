package webhook

import (
	"encoding/json"

	"github.com/plaidlink/plaidlink-go/link"
)

// Webhook type and codes of the LINK webhooks this package decodes into typed structs. Every other
// combination decodes to *[Unknown], so a new code Plaid adds never turns into a failed delivery.
const (
	// TypeLink is the webhook_type of every LINK webhook.
	TypeLink = "LINK"
	// CodeItemAddResult is the webhook_code of ITEM_ADD_RESULT, decoded as *[ItemAddResult].
	CodeItemAddResult = "ITEM_ADD_RESULT"
	// CodeEvents is the webhook_code of EVENTS, decoded as *[Events].
	CodeEvents = "EVENTS"
	// CodeSessionFinished is the webhook_code of SESSION_FINISHED, decoded as *[SessionFinished].
	CodeSessionFinished = "SESSION_FINISHED"
)

// Event is a parsed webhook: one of *[ItemAddResult], *[Events], *[SessionFinished], the ITEM,
// LINK_DELIVERY and LAYER types (see [ItemEvent]), or *[Unknown].
// A type switch picks the ones a backend cares about; Type, Code and SessionID identify any of
// them, so a handler can log, route or correlate webhooks without a type switch.
type Event interface {
	// Type returns the webhook_type, such as "LINK".
	Type() string
	// Code returns the webhook_code, such as "SESSION_FINISHED".
	Code() string
	// SessionID returns the link_session_id the webhook belongs to, or "" for a webhook that has
	// none (such as an ITEM webhook).
	SessionID() string
}

// Environment is the Plaid environment a webhook was sent from (Plaid's WebhookEnvironmentValues).
// It is a string type so that a value Plaid adds later still decodes.
type Environment string

// Known Environment values.
const (
	// EnvironmentSandbox marks webhooks from Plaid's Sandbox.
	EnvironmentSandbox Environment = "sandbox"
	// EnvironmentProduction marks webhooks from Plaid's Production environment.
	EnvironmentProduction Environment = "production"
)

// SessionStatus is the final status of a Link session in [SessionFinished]. It is a string type
// so that a value Plaid adds later still decodes.
type SessionStatus string

// Known SessionStatus values.
const (
	// SessionStatusSuccess means the user finished Link and public tokens are available.
	SessionStatusSuccess SessionStatus = "SUCCESS"
	// SessionStatusExited means the user left Link before finishing.
	SessionStatusExited SessionStatus = "EXITED"
)

// ItemAddResult mirrors Plaid's ItemAddResultWebhook schema.
//
// Fired when a user successfully adds a Plaid Item during a Link session when using Hosted Link or
// Multi-Item Link sessions. Contains the public token for the Item.
type ItemAddResult struct {
	// LINK
	WebhookType string `json:"webhook_type"`
	// ITEM_ADD_RESULT
	WebhookCode string `json:"webhook_code"`
	// The identifier for the Link session.
	LinkSessionID string `json:"link_session_id"`
	// The link_token used to create the Link session.
	LinkToken string `json:"link_token"`
	// The public_token corresponding to the Item that was added.
	PublicToken string `json:"public_token"`
	// The Plaid environment the webhook was sent from
	Environment Environment `json:"environment"`
}

// Type returns the webhook_type, "LINK".
func (w *ItemAddResult) Type() string { return w.WebhookType }

// Code returns the webhook_code, "ITEM_ADD_RESULT".
func (w *ItemAddResult) Code() string { return w.WebhookCode }

// SessionID returns the link_session_id.
func (w *ItemAddResult) SessionID() string { return w.LinkSessionID }

// Events mirrors Plaid's LinkEventsWebhook schema, plus the environment field its samples carry.
//
// This webhook contains a summary of the events from a Link session and will be fired after the
// user finishes going through Link. If the user abandons the Link flow (i.e., closes the hosted
// link webpage or leaves Link open for too long without taking any action), the webhook will be
// fired 5-15 minutes after the last user interaction.
//
// One session may produce several EVENTS webhooks, each with every event so far, and the events
// are not in time order: [MergeEvents] combines and orders them.
type Events struct {
	// LINK
	WebhookType string `json:"webhook_type"`
	// EVENTS
	WebhookCode string `json:"webhook_code"`
	// The Link events emitted during the Link session
	Events []link.Event `json:"events"`
	// An identifier for the Link session these events occurred in
	LinkSessionID string `json:"link_session_id"`
	// The Link token used to create the Link session these events are from
	LinkToken string `json:"link_token"`
	// The Plaid environment the webhook was sent from. The schema omits it, but Plaid sends it.
	Environment Environment `json:"environment,omitempty"`
}

// Type returns the webhook_type, "LINK".
func (w *Events) Type() string { return w.WebhookType }

// Code returns the webhook_code, "EVENTS".
func (w *Events) Code() string { return w.WebhookCode }

// SessionID returns the link_session_id.
func (w *Events) SessionID() string { return w.LinkSessionID }

// SessionFinished mirrors Plaid's LinkSessionFinishedWebhook schema.
//
// Contains the state of a completed Link session, along with the public token(s) if available. By
// default, this webhook is sent only for sessions enabled for the Hosted Link flow (including Link
// Recovery flows), a Multi-Item Link flow, or a Layer flow.
type SessionFinished struct {
	// LINK
	WebhookType string `json:"webhook_type"`
	// SESSION_FINISHED
	WebhookCode string `json:"webhook_code"`
	// The final status of the Link session. Will always be "SUCCESS" or "EXITED".
	Status SessionStatus `json:"status"`
	// The identifier for the Link session.
	LinkSessionID string `json:"link_session_id"`
	// The link_token used to create the Link session.
	LinkToken string `json:"link_token"`
	// The public token generated by the Link session. This field has been deprecated; please use
	// public_tokens instead.
	//
	// Deprecated: Plaid marks this field deprecated; use PublicTokens.
	PublicToken string `json:"public_token,omitempty"`
	// The public tokens generated by the Link session.
	PublicTokens []string `json:"public_tokens,omitempty"`
	// The Plaid user_id of the User associated with this webhook, warning, or error.
	UserID string `json:"user_id,omitempty"`
	// The Plaid environment the webhook was sent from
	Environment Environment `json:"environment"`
}

// Type returns the webhook_type, "LINK".
func (w *SessionFinished) Type() string { return w.WebhookType }

// Code returns the webhook_code, "SESSION_FINISHED".
func (w *SessionFinished) Code() string { return w.WebhookCode }

// SessionID returns the link_session_id.
func (w *SessionFinished) SessionID() string { return w.LinkSessionID }

// Unknown is any webhook this package has no struct for: a product's (TRANSACTIONS, AUTH, ...), or
// a code Plaid adds later. It is not an error, because refusing it would make Plaid deliver it again
// and again; Raw keeps the whole body so the caller can decode it itself.
type Unknown struct {
	// WebhookType is the body's webhook_type.
	WebhookType string
	// WebhookCode is the body's webhook_code.
	WebhookCode string
	// LinkSessionID is the body's top-level link_session_id if it has one that is a string (a
	// LINK code added after this package, say), and "" otherwise.
	LinkSessionID string
	// Raw is the complete JSON body, as received.
	Raw json.RawMessage
}

// Type returns the webhook_type.
func (w *Unknown) Type() string { return w.WebhookType }

// Code returns the webhook_code.
func (w *Unknown) Code() string { return w.WebhookCode }

// SessionID returns the body's link_session_id, or "" if it has none (see LinkSessionID).
func (w *Unknown) SessionID() string { return w.LinkSessionID }
