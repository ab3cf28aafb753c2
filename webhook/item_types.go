package webhook

import (
	"time"

	"github.com/plaidlink/plaidlink-go/link"
)

// Webhook types and codes of the webhooks, other than LINK's, that an Item's webhook URL receives
// and that this package decodes into typed structs. Plaid documents the ITEM ones at
// https://plaid.com/docs/api/items/#webhooks.
const (
	// TypeItem is the webhook_type of every ITEM webhook.
	TypeItem = "ITEM"
	// TypeLinkDelivery is the webhook_type of the Hosted Link delivery webhooks (SMS or email).
	TypeLinkDelivery = "LINK_DELIVERY"
	// TypeLayer is the webhook_type of the Layer webhooks.
	TypeLayer = "LAYER"

	// CodeError is ITEM's ERROR, decoded as *[ItemError].
	CodeError = "ERROR"
	// CodePendingExpiration is ITEM's PENDING_EXPIRATION, decoded as *[PendingExpiration].
	CodePendingExpiration = "PENDING_EXPIRATION"
	// CodePendingDisconnect is ITEM's PENDING_DISCONNECT, decoded as *[PendingDisconnect].
	CodePendingDisconnect = "PENDING_DISCONNECT"
	// CodeNewAccountsAvailable is ITEM's NEW_ACCOUNTS_AVAILABLE, decoded as *[NewAccountsAvailable].
	CodeNewAccountsAvailable = "NEW_ACCOUNTS_AVAILABLE"
	// CodeLoginRepaired is ITEM's LOGIN_REPAIRED, decoded as *[LoginRepaired].
	CodeLoginRepaired = "LOGIN_REPAIRED"
	// CodeUserPermissionRevoked is ITEM's USER_PERMISSION_REVOKED, decoded as
	// *[UserPermissionRevoked].
	CodeUserPermissionRevoked = "USER_PERMISSION_REVOKED"
	// CodeUserAccountRevoked is ITEM's USER_ACCOUNT_REVOKED, decoded as *[UserAccountRevoked].
	CodeUserAccountRevoked = "USER_ACCOUNT_REVOKED"
	// CodeWebhookUpdateAcknowledged is ITEM's WEBHOOK_UPDATE_ACKNOWLEDGED, decoded as
	// *[WebhookUpdateAcknowledged].
	CodeWebhookUpdateAcknowledged = "WEBHOOK_UPDATE_ACKNOWLEDGED"
	// CodeDeliveryStatus is LINK_DELIVERY's DELIVERY_STATUS, decoded as *[DeliveryStatus].
	CodeDeliveryStatus = "DELIVERY_STATUS"
	// CodeLinkCallback is LINK_DELIVERY's LINK_CALLBACK, decoded as *[LinkCallback].
	CodeLinkCallback = "LINK_CALLBACK"
	// CodeLayerAuthenticationPassed is LAYER's LAYER_AUTHENTICATION_PASSED, decoded as
	// *[LayerAuthenticationPassed].
	CodeLayerAuthenticationPassed = "LAYER_AUTHENTICATION_PASSED"
)

// ItemEvent is an [Event] about one Item: every ITEM webhook. Item returns its item_id, so a
// program can find the Item a webhook is about without a type switch on every type.
type ItemEvent interface {
	Event
	// Item returns the item_id of the Item the webhook is about.
	Item() string
}

// PendingDisconnectReason says why an Item is about to be disconnected (Plaid's
// PendingDisconnectWebhookReason). It is a string type so that a value Plaid adds later still
// decodes.
type PendingDisconnectReason string

// Known PendingDisconnectReason values.
const (
	// PendingDisconnectInstitutionMigration: the institution is moving to API or to a different
	// integration, for example from a non-OAuth integration to an OAuth one.
	PendingDisconnectInstitutionMigration PendingDisconnectReason = "INSTITUTION_MIGRATION"
	// PendingDisconnectInstitutionTokenExpiration: the consent on an Item at a US or CA
	// institution is about to expire.
	PendingDisconnectInstitutionTokenExpiration PendingDisconnectReason = "INSTITUTION_TOKEN_EXPIRATION"
)

// ItemError mirrors Plaid's ItemErrorWebhook schema.
//
// Fired when an error is encountered with an Item. The error can be resolved by having the user go
// through Link's update mode (for ITEM_LOGIN_REQUIRED, see [NeedsUser]).
type ItemError struct {
	// ITEM
	WebhookType string `json:"webhook_type"`
	// ERROR
	WebhookCode string `json:"webhook_code"`
	// The item_id of the Item associated with this webhook, warning, or error.
	ItemID string `json:"item_id"`
	// The Plaid user_id of the User associated with this webhook, warning, or error.
	UserID string `json:"user_id,omitempty"`
	// The error; nil only for a webhook that carries none.
	Error *link.Error `json:"error"`
	// The Plaid environment the webhook was sent from.
	Environment Environment `json:"environment"`
}

// PendingExpiration mirrors Plaid's PendingExpirationWebhook schema.
//
// Fired when an Item's access consent is expiring in 7 days (Items at institutions in Europe,
// the UK included). The user renews it through Link's update mode.
type PendingExpiration struct {
	// ITEM
	WebhookType string `json:"webhook_type"`
	// PENDING_EXPIRATION
	WebhookCode string `json:"webhook_code"`
	// The item_id of the Item associated with this webhook, warning, or error.
	ItemID string `json:"item_id"`
	// The Plaid user_id of the User associated with this webhook, warning, or error.
	UserID string `json:"user_id,omitempty"`
	// The date and time at which the Item's access consent will expire.
	ConsentExpirationTime time.Time `json:"consent_expiration_time"`
	// The Plaid environment the webhook was sent from.
	Environment Environment `json:"environment"`
}

// PendingDisconnect mirrors Plaid's PendingDisconnectWebhook schema.
//
// Fired 7 days before an Item is scheduled for disconnection (US and Canadian institutions). The
// user resolves it through Link's update mode.
type PendingDisconnect struct {
	// ITEM
	WebhookType string `json:"webhook_type"`
	// PENDING_DISCONNECT
	WebhookCode string `json:"webhook_code"`
	// The item_id of the Item associated with this webhook, warning, or error.
	ItemID string `json:"item_id"`
	// The Plaid user_id of the User associated with this webhook, warning, or error.
	UserID string `json:"user_id,omitempty"`
	// Reason why the Item is about to be disconnected.
	Reason PendingDisconnectReason `json:"reason"`
	// The date and time at which the Item is scheduled to disconnect.
	DisconnectTime time.Time `json:"disconnect_time"`
	// The Plaid environment the webhook was sent from.
	Environment Environment `json:"environment"`
}

// NewAccountsAvailable mirrors Plaid's NewAccountsAvailableWebhook schema.
//
// Fired when Plaid detects a new account. The user can share it through update mode with account
// selection (US/CA only).
type NewAccountsAvailable struct {
	// ITEM
	WebhookType string `json:"webhook_type"`
	// NEW_ACCOUNTS_AVAILABLE
	WebhookCode string `json:"webhook_code"`
	// The item_id of the Item associated with this webhook, warning, or error.
	ItemID string `json:"item_id"`
	// The Plaid user_id of the User associated with this webhook, warning, or error.
	UserID string `json:"user_id,omitempty"`
	// The error, or nil (Plaid sends null).
	Error *link.Error `json:"error"`
	// The Plaid environment the webhook was sent from.
	Environment Environment `json:"environment"`
}

// LoginRepaired mirrors Plaid's ItemLoginRepairedWebhook schema.
//
// Fired when an Item has left the ITEM_LOGIN_REQUIRED state without the user going through update
// mode in your app (in another app, say): silence any message asking the user to do so.
type LoginRepaired struct {
	// ITEM
	WebhookType string `json:"webhook_type"`
	// LOGIN_REPAIRED
	WebhookCode string `json:"webhook_code"`
	// The item_id of the Item associated with this webhook, warning, or error.
	ItemID string `json:"item_id"`
	// The Plaid user_id of the User associated with this webhook, warning, or error.
	UserID string `json:"user_id,omitempty"`
	// The Plaid environment the webhook was sent from.
	Environment Environment `json:"environment"`
}

// UserPermissionRevoked mirrors Plaid's UserPermissionRevokedWebhook schema.
//
// May be fired when the end user has revoked the permission they granted to access an Item.
type UserPermissionRevoked struct {
	// ITEM
	WebhookType string `json:"webhook_type"`
	// USER_PERMISSION_REVOKED
	WebhookCode string `json:"webhook_code"`
	// The item_id of the Item associated with this webhook, warning, or error.
	ItemID string `json:"item_id"`
	// The Plaid user_id of the User associated with this webhook, warning, or error.
	UserID string `json:"user_id,omitempty"`
	// The error, such as USER_PERMISSION_REVOKED, if Plaid sends one.
	Error *link.Error `json:"error,omitempty"`
	// The Plaid environment the webhook was sent from.
	Environment Environment `json:"environment"`
}

// UserAccountRevoked mirrors Plaid's UserAccountRevokedWebhook schema.
//
// Fired when the end user has revoked access to one account on the data provider's portal.
type UserAccountRevoked struct {
	// ITEM
	WebhookType string `json:"webhook_type"`
	// USER_ACCOUNT_REVOKED
	WebhookCode string `json:"webhook_code"`
	// The item_id of the Item associated with this webhook, warning, or error.
	ItemID string `json:"item_id"`
	// The Plaid user_id of the User associated with this webhook, warning, or error.
	UserID string `json:"user_id,omitempty"`
	// The external account ID of the affected account.
	AccountID string `json:"account_id"`
	// The Plaid environment the webhook was sent from.
	Environment Environment `json:"environment"`
}

// WebhookUpdateAcknowledged mirrors Plaid's WebhookUpdateAcknowledgedWebhook schema.
//
// Fired, to the new URL, when an Item's webhook is updated.
type WebhookUpdateAcknowledged struct {
	// ITEM
	WebhookType string `json:"webhook_type"`
	// WEBHOOK_UPDATE_ACKNOWLEDGED
	WebhookCode string `json:"webhook_code"`
	// The item_id of the Item associated with this webhook, warning, or error.
	ItemID string `json:"item_id"`
	// The new webhook URL.
	NewWebhookURL string `json:"new_webhook_url"`
	// The error, or nil (Plaid sends null).
	Error *link.Error `json:"error"`
	// The Plaid environment the webhook was sent from.
	Environment Environment `json:"environment"`
}

// Type returns the webhook_type, "ITEM".
func (w *ItemError) Type() string { return w.WebhookType }

// Code returns the webhook_code, "ERROR".
func (w *ItemError) Code() string { return w.WebhookCode }

// SessionID returns "": an ITEM webhook belongs to no Link session.
func (w *ItemError) SessionID() string { return "" }

// Item returns the item_id.
func (w *ItemError) Item() string { return w.ItemID }

// Type returns the webhook_type, "ITEM".
func (w *PendingExpiration) Type() string { return w.WebhookType }

// Code returns the webhook_code, "PENDING_EXPIRATION".
func (w *PendingExpiration) Code() string { return w.WebhookCode }

// SessionID returns "": an ITEM webhook belongs to no Link session.
func (w *PendingExpiration) SessionID() string { return "" }

// Item returns the item_id.
func (w *PendingExpiration) Item() string { return w.ItemID }

// Type returns the webhook_type, "ITEM".
func (w *PendingDisconnect) Type() string { return w.WebhookType }

// Code returns the webhook_code, "PENDING_DISCONNECT".
func (w *PendingDisconnect) Code() string { return w.WebhookCode }

// SessionID returns "": an ITEM webhook belongs to no Link session.
func (w *PendingDisconnect) SessionID() string { return "" }

// Item returns the item_id.
func (w *PendingDisconnect) Item() string { return w.ItemID }

// Type returns the webhook_type, "ITEM".
func (w *NewAccountsAvailable) Type() string { return w.WebhookType }

// Code returns the webhook_code, "NEW_ACCOUNTS_AVAILABLE".
func (w *NewAccountsAvailable) Code() string { return w.WebhookCode }

// SessionID returns "": an ITEM webhook belongs to no Link session.
func (w *NewAccountsAvailable) SessionID() string { return "" }

// Item returns the item_id.
func (w *NewAccountsAvailable) Item() string { return w.ItemID }

// Type returns the webhook_type, "ITEM".
func (w *LoginRepaired) Type() string { return w.WebhookType }

// Code returns the webhook_code, "LOGIN_REPAIRED".
func (w *LoginRepaired) Code() string { return w.WebhookCode }

// SessionID returns "": an ITEM webhook belongs to no Link session.
func (w *LoginRepaired) SessionID() string { return "" }

// Item returns the item_id.
func (w *LoginRepaired) Item() string { return w.ItemID }

// Type returns the webhook_type, "ITEM".
func (w *UserPermissionRevoked) Type() string { return w.WebhookType }

// Code returns the webhook_code, "USER_PERMISSION_REVOKED".
func (w *UserPermissionRevoked) Code() string { return w.WebhookCode }

// SessionID returns "": an ITEM webhook belongs to no Link session.
func (w *UserPermissionRevoked) SessionID() string { return "" }

// Item returns the item_id.
func (w *UserPermissionRevoked) Item() string { return w.ItemID }

// Type returns the webhook_type, "ITEM".
func (w *UserAccountRevoked) Type() string { return w.WebhookType }

// Code returns the webhook_code, "USER_ACCOUNT_REVOKED".
func (w *UserAccountRevoked) Code() string { return w.WebhookCode }

// SessionID returns "": an ITEM webhook belongs to no Link session.
func (w *UserAccountRevoked) SessionID() string { return "" }

// Item returns the item_id.
func (w *UserAccountRevoked) Item() string { return w.ItemID }

// Type returns the webhook_type, "ITEM".
func (w *WebhookUpdateAcknowledged) Type() string { return w.WebhookType }

// Code returns the webhook_code, "WEBHOOK_UPDATE_ACKNOWLEDGED".
func (w *WebhookUpdateAcknowledged) Code() string { return w.WebhookCode }

// SessionID returns "": an ITEM webhook belongs to no Link session.
func (w *WebhookUpdateAcknowledged) SessionID() string { return "" }

// Item returns the item_id.
func (w *WebhookUpdateAcknowledged) Item() string { return w.ItemID }
