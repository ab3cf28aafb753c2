package webhook

import "github.com/plaidlink/plaidlink-go/link"

// DeliveryCallbackType is the type of Link callback a [LinkCallback] carries (Plaid's
// LinkDeliveryWebhookCallbackType). It is a string type so that a value Plaid adds later still
// decodes.
type DeliveryCallbackType string

// Known DeliveryCallbackType values.
const (
	DeliveryCallbackOnSuccess DeliveryCallbackType = "ON_SUCCESS"
	DeliveryCallbackOnEvent   DeliveryCallbackType = "ON_EVENT"
	DeliveryCallbackOnExit    DeliveryCallbackType = "ON_EXIT"
)

// DeliveryCommunicationMethod is how a Hosted Link session was sent to the user (Plaid's
// LinkDeliveryWebhookCommunicationMethod). Unknown values decode unchanged.
type DeliveryCommunicationMethod string

// Known DeliveryCommunicationMethod values.
const (
	DeliveryCommunicationSMS   DeliveryCommunicationMethod = "SMS"
	DeliveryCommunicationEmail DeliveryCommunicationMethod = "EMAIL"
)

// DeliveryStatusValue is whether a Hosted Link session reached the user (Plaid's
// LinkDeliveryWebhookDeliveryStatus). Unknown values decode unchanged.
type DeliveryStatusValue string

// Known DeliveryStatusValue values.
const (
	DeliveryStatusSuccess DeliveryStatusValue = "SUCCESS"
	DeliveryStatusFailure DeliveryStatusValue = "FAILURE"
)

// DeliveryVerificationStatus is an account's micro-deposit or database verification status
// (Plaid's LinkDeliveryVerificationStatus). Unknown values decode unchanged.
type DeliveryVerificationStatus string

// Known DeliveryVerificationStatus values.
const (
	DeliveryVerificationAutomaticallyVerified        DeliveryVerificationStatus = "automatically_verified"
	DeliveryVerificationPendingAutomaticVerification DeliveryVerificationStatus = "pending_automatic_verification"
	DeliveryVerificationPendingManualVerification    DeliveryVerificationStatus = "pending_manual_verification"
	DeliveryVerificationManuallyVerified             DeliveryVerificationStatus = "manually_verified"
	DeliveryVerificationExpired                      DeliveryVerificationStatus = "verification_expired"
	DeliveryVerificationFailed                       DeliveryVerificationStatus = "verification_failed"
	DeliveryVerificationUnsent                       DeliveryVerificationStatus = "unsent"
	DeliveryVerificationDatabaseMatched              DeliveryVerificationStatus = "database_matched"
	DeliveryVerificationDatabaseInsightsPending      DeliveryVerificationStatus = "database_insights_pending"
)

// DeliveryMetadata mirrors Plaid's LinkDeliveryMetadata schema: how the Hosted Link session was
// delivered to the user.
type DeliveryMetadata struct {
	// The communication method used to deliver the Hosted Link session.
	CommunicationMethod DeliveryCommunicationMethod `json:"communication_method,omitempty"`
	// The status of the delivery of the Hosted Link to the user.
	DeliveryStatus DeliveryStatusValue `json:"delivery_status,omitempty"`
}

// DeliveryInstitution mirrors Plaid's LinkDeliveryInstitution schema.
type DeliveryInstitution struct {
	// The full institution name, such as 'Wells Fargo'.
	Name string `json:"name,omitempty"`
	// The Plaid institution identifier.
	InstitutionID string `json:"institution_id,omitempty"`
}

// DeliveryAccount mirrors Plaid's LinkDeliveryAccount schema: an account attached to the
// connected Item.
type DeliveryAccount struct {
	// The Plaid account_id.
	ID string `json:"id,omitempty"`
	// The official account name.
	Name string `json:"name,omitempty"`
	// The last 2-4 alphanumeric characters of the account number.
	Mask string `json:"mask,omitempty"`
	// The account type.
	Type string `json:"type,omitempty"`
	// The account subtype.
	Subtype string `json:"subtype,omitempty"`
	// The account's micro-deposit-based or database verification status.
	VerificationStatus DeliveryVerificationStatus `json:"verification_status,omitempty"`
	// For micro-deposit verification, whether the account is a business or personal one.
	ClassType string `json:"class_type,omitempty"`
}

// CallbackMetadata mirrors Plaid's LinkCallbackMetadata schema: the Link callback of a Hosted
// Link session.
type CallbackMetadata struct {
	// The type of Link callback event.
	CallbackType DeliveryCallbackType `json:"callback_type,omitempty"`
	// The event that has just occurred in the Link flow.
	EventName link.EventName `json:"event_name,omitempty"`
	// Where in the flow the Link user exited.
	Status string `json:"status,omitempty"`
	// The Link session's link_session_id.
	LinkSessionID string `json:"link_session_id,omitempty"`
	// The request ID for the last request made by Link.
	RequestID string `json:"request_id,omitempty"`
	// The financial institution.
	Institution *DeliveryInstitution `json:"institution,omitempty"`
	// The accounts attached to the connected Item (only the selected ones with Account Select).
	Accounts []DeliveryAccount `json:"accounts,omitempty"`
}

// DeliveryStatus mirrors Plaid's LinkUserDeliveryStatusWebhook schema (hidden from Plaid's docs,
// but sent): whether a Hosted Link session sent by SMS or email reached the user.
type DeliveryStatus struct {
	// LINK_DELIVERY
	WebhookType string `json:"webhook_type"`
	// DELIVERY_STATUS
	WebhookCode string `json:"webhook_code"`
	// The ID of the Hosted Link session.
	LinkDeliverySessionID string `json:"link_delivery_session_id"`
	// Timestamp in ISO 8601 format, kept as sent.
	Timestamp string `json:"timestamp"`
	// How the session was delivered, and whether it was.
	LinkDeliveryMetadata *DeliveryMetadata `json:"link_delivery_metadata"`
}

// LinkCallback mirrors Plaid's LinkDeliveryCallbackWebhook schema (hidden from Plaid's docs, but
// sent): a Link callback (onSuccess, onEvent, onExit) of a Hosted Link session sent by SMS or
// email.
type LinkCallback struct {
	// LINK_DELIVERY
	WebhookType string `json:"webhook_type"`
	// LINK_CALLBACK
	WebhookCode string `json:"webhook_code"`
	// The ID of the Hosted Link session.
	LinkDeliverySessionID string `json:"link_delivery_session_id"`
	// Timestamp in ISO 8601 format, kept as sent.
	Timestamp string `json:"timestamp"`
	// The callback's error, if any.
	Error *link.Error `json:"error,omitempty"`
	// The callback's metadata.
	LinkCallbackMetadata *CallbackMetadata `json:"link_callback_metadata"`
}

// LayerAuthenticationPassed mirrors Plaid's LayerAuthenticationPassedWebhook schema.
//
// Plaid has verified that the user of a Layer session owns their phone number: skip your own OTP
// verification for them.
type LayerAuthenticationPassed struct {
	// LAYER
	WebhookType string `json:"webhook_type"`
	// LAYER_AUTHENTICATION_PASSED
	WebhookCode string `json:"webhook_code"`
	// The Plaid environment the webhook was sent from.
	Environment Environment `json:"environment"`
	// The Link session's link_session_id.
	LinkSessionID string `json:"link_session_id"`
	// The Link token used to create the Link session.
	LinkToken string `json:"link_token"`
}

// Type returns the webhook_type, "LINK_DELIVERY".
func (w *DeliveryStatus) Type() string { return w.WebhookType }

// Code returns the webhook_code, "DELIVERY_STATUS".
func (w *DeliveryStatus) Code() string { return w.WebhookCode }

// SessionID returns "": the webhook names the delivery session (LinkDeliverySessionID), not a
// link_session_id.
func (w *DeliveryStatus) SessionID() string { return "" }

// Type returns the webhook_type, "LINK_DELIVERY".
func (w *LinkCallback) Type() string { return w.WebhookType }

// Code returns the webhook_code, "LINK_CALLBACK".
func (w *LinkCallback) Code() string { return w.WebhookCode }

// SessionID returns link_callback_metadata.link_session_id, or "" if there is none.
func (w *LinkCallback) SessionID() string {
	if w.LinkCallbackMetadata == nil {
		return ""
	}
	return w.LinkCallbackMetadata.LinkSessionID
}

// Type returns the webhook_type, "LAYER".
func (w *LayerAuthenticationPassed) Type() string { return w.WebhookType }

// Code returns the webhook_code, "LAYER_AUTHENTICATION_PASSED".
func (w *LayerAuthenticationPassed) Code() string { return w.WebhookCode }

// SessionID returns the link_session_id.
func (w *LayerAuthenticationPassed) SessionID() string { return w.LinkSessionID }
