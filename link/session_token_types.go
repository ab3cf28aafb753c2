package link

import (
	"time"
)

// SessionTokenCreateRequest mirrors Plaid's SessionTokenCreateRequest schema.
//
// SessionTokenCreateRequest defines the request schema for /session/token/create
type SessionTokenCreateRequest struct {
	// The id of a template defined in Plaid Dashboard
	TemplateID string `json:"template_id"`
	// Details about the end user. Required if a root-level user_id is not provided.
	User *SessionTokenCreateRequestUser `json:"user,omitempty"`
	// A URI indicating the destination where a user should be forwarded after completing the Link
	// flow; used to support OAuth authentication flows when launching Link in the browser or another
	// app. The redirect_uri should not contain any query parameters.
	RedirectURI string `json:"redirect_uri,omitempty"`
	// The name of your app's Android package. Required if using the session token to initialize Layer
	// on Android.
	AndroidPackageName string `json:"android_package_name,omitempty"`
	// The destination URL to which any webhooks should be sent. If you use the same webhook listener
	// for all Sandbox or all Production activity, set this value in the Layer template editor in the
	// Dashboard instead.
	Webhook string `json:"webhook,omitempty"`
	// A unique user identifier, created by /user/create. Integrations that began using /user/create
	// after December 10, 2025 use this field to identify a user instead of the user_token.
	UserID string `json:"user_id,omitempty"`
}

// SessionTokenCreateRequestUser mirrors Plaid's SessionTokenCreateRequestUser schema.
//
// Details about the end user. Required if a root-level user_id is not provided.
type SessionTokenCreateRequestUser struct {
	// A unique ID representing the end user. Typically this will be a user ID number from your
	// application.
	ClientUserID string `json:"client_user_id"`
	UserID       string `json:"user_id,omitempty"`
}

// SessionTokenCreateResponse mirrors Plaid's SessionTokenCreateResponse schema.
//
// SessionTokenCreateResponse defines the response schema for /session/token/create
type SessionTokenCreateResponse struct {
	// A unique identifier for the request, which can be used for troubleshooting. This identifier,
	// like all Plaid identifiers, is case sensitive.
	RequestID string `json:"request_id"`
	// Response data for /session/token/create intended for use with the Link SDK.
	Link *SessionTokenCreateResponseLink `json:"link,omitempty"`
}

// SessionTokenCreateResponseLink mirrors Plaid's SessionTokenCreateResponseLink schema.
//
// Response data for /session/token/create intended for use with the Link SDK.
type SessionTokenCreateResponseLink struct {
	// A Link token, which can be supplied to Link in order to initialize it and receive a
	// public_token.
	LinkToken string `json:"link_token"`
	// The expiration date for the link_token, in ISO 8601 format. A link_token created to generate a
	// public_token that will be exchanged for a new access_token expires after 4 hours.
	Expiration time.Time `json:"expiration"`
	// A unique user identifier, created by /user/create. Integrations that began using /user/create
	// after December 10, 2025 use this field to identify a user instead of the user_token.
	UserID string `json:"user_id,omitempty"`
}
