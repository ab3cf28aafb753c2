package link

import (
	"encoding/json"
)

// Error mirrors Plaid's PlaidError schema.
//
// Errors are identified by error_code and categorized by error_type. Use these in preference to
// HTTP status codes to identify and handle specific errors.
type Error struct {
	// A broad categorization of the error. Safe for programmatic use.
	ErrorType ErrorType `json:"error_type"`
	// The particular error code. Safe for programmatic use: compare it with the ErrorCode
	// constants, or use IsErrorCode.
	ErrorCode ErrorCode `json:"error_code"`
	// The specific reason for the error code. Currently, reasons are only supported OAuth-based item
	// errors; null will be returned otherwise.
	ErrorCodeReason string `json:"error_code_reason,omitempty"`
	// A developer-friendly representation of the error code. This may change over time and is not safe
	// for programmatic use.
	ErrorMessage string `json:"error_message"`
	// A user-friendly representation of the error code. null if the error is not related to user
	// action.
	DisplayMessage string `json:"display_message"`
	// A unique ID identifying the request, to be used for troubleshooting purposes. This field will be
	// omitted in errors provided by webhooks.
	RequestID string `json:"request_id,omitempty"`
	// In this product, a request can pertain to more than one Item. If an error is returned for such a
	// request, causes will return an array of errors containing a breakdown of these errors on the
	// individual Item level, if any can be identified.
	Causes []json.RawMessage `json:"causes,omitempty"`
	// The HTTP status code associated with the error. This will only be returned in the response body
	// when the error information is provided via a webhook.
	Status *int `json:"status,omitempty"`
	// The URL of a Plaid documentation page with more information about the error
	DocumentationURL string `json:"documentation_url,omitempty"`
	// Suggested steps for resolving the error
	SuggestedAction string `json:"suggested_action,omitempty"`
	// A list of the account subtypes that were requested via the account_filters parameter in
	// /link/token/create. Currently only populated for NO_ACCOUNTS errors from Items with
	// investments_auth as an enabled product.
	RequiredAccountSubtypes []string `json:"required_account_subtypes,omitempty"`
	// A list of the account subtypes that were extracted but did not match the requested subtypes via
	// the account_filters parameter in /link/token/create. Currently only populated for NO_ACCOUNTS
	// errors from Items with investments_auth as an enabled product.
	ProvidedAccountSubtypes []string `json:"provided_account_subtypes,omitempty"`

	// HTTPStatus is the HTTP status of the reply that carried this error; 0 for an error that came
	// inside a webhook or an event rather than as a reply.
	HTTPStatus int `json:"-"`
	// RawBody is set when the reply was not a Plaid error at all (an HTML page from a proxy, a
	// gateway's own JSON): a short, single-line excerpt of it, with tokens and credentials masked.
	// It is empty for a Plaid error and for an empty body.
	RawBody string `json:"-"`
}
