package linktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/plaidlink/plaidlink-go/link"
)

// apiError is an error reply: the HTTP status and the PlaidError body.
type apiError struct {
	status int
	err    *link.Error
}

// wireError is PlaidError as Plaid puts it on the wire: display_message, error_code_reason and
// suggested_action are JSON null when they have no value, which link.Error's plain strings
// cannot express.
type wireError struct {
	DisplayMessage          *string           `json:"display_message"`
	DocumentationURL        string            `json:"documentation_url"`
	ErrorCode               string            `json:"error_code"`
	ErrorCodeReason         *string           `json:"error_code_reason"`
	ErrorMessage            string            `json:"error_message"`
	ErrorType               link.ErrorType    `json:"error_type"`
	RequestID               string            `json:"request_id"`
	SuggestedAction         *string           `json:"suggested_action"`
	Causes                  []json.RawMessage `json:"causes,omitempty"`
	RequiredAccountSubtypes []string          `json:"required_account_subtypes,omitempty"`
	ProvidedAccountSubtypes []string          `json:"provided_account_subtypes,omitempty"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// documentationURL returns the Plaid error reference page for an error, in the form Plaid uses.
func documentationURL(t link.ErrorType, code string) string {
	slug := strings.ToLower(string(t))
	slug = strings.TrimSuffix(slug, "_error")
	slug = strings.ReplaceAll(slug, "_", "-")
	if slug == "" {
		return "https://plaid.com/docs/errors/"
	}
	return "https://plaid.com/docs/errors/" + slug + "/#" + strings.ToLower(code)
}

func toWire(e *link.Error, requestID string) wireError {
	doc := e.DocumentationURL
	if doc == "" {
		doc = documentationURL(e.ErrorType, e.ErrorCode)
	}
	return wireError{
		DisplayMessage:          nullable(e.DisplayMessage),
		DocumentationURL:        doc,
		ErrorCode:               e.ErrorCode,
		ErrorCodeReason:         nullable(e.ErrorCodeReason),
		ErrorMessage:            e.ErrorMessage,
		ErrorType:               e.ErrorType,
		RequestID:               requestID,
		SuggestedAction:         nullable(e.SuggestedAction),
		Causes:                  e.Causes,
		RequiredAccountSubtypes: e.RequiredAccountSubtypes,
		ProvidedAccountSubtypes: e.ProvidedAccountSubtypes,
	}
}

func newAPIError(status int, t link.ErrorType, code, format string, args ...any) *apiError {
	return &apiError{status: status, err: &link.Error{
		ErrorType:    t,
		ErrorCode:    code,
		ErrorMessage: fmt.Sprintf(format, args...),
	}}
}

// Error codes the server answers with. Messages follow Plaid's wording where it is known.

func errMissingFields(fields ...string) *apiError {
	return newAPIError(http.StatusBadRequest, link.ErrorTypeInvalidRequest, "MISSING_FIELDS",
		"the following required fields are missing: %s", strings.Join(fields, ", "))
}

func errInvalidField(format string, args ...any) *apiError {
	return newAPIError(http.StatusBadRequest, link.ErrorTypeInvalidRequest, "INVALID_FIELD", format, args...)
}

func errInvalidBody(detail string) *apiError {
	return newAPIError(http.StatusBadRequest, link.ErrorTypeInvalidRequest, "INVALID_BODY",
		"body could not be parsed as JSON: %s", detail)
}

func errNotFound(method, path string) *apiError {
	return newAPIError(http.StatusNotFound, link.ErrorTypeInvalidRequest, "NOT_FOUND",
		"not found: %s %s is not a Plaid API endpoint", method, path)
}

func errInvalidAPIKeys() *apiError {
	return newAPIError(http.StatusBadRequest, link.ErrorTypeInvalidInput, "INVALID_API_KEYS",
		"invalid client_id or secret provided")
}

func errInvalidLinkToken(reason string) *apiError {
	return newAPIError(http.StatusBadRequest, link.ErrorTypeInvalidInput, "INVALID_LINK_TOKEN",
		"provided link token is %s", reason)
}

func errInvalidPublicToken(reason string) *apiError {
	return newAPIError(http.StatusBadRequest, link.ErrorTypeInvalidInput, "INVALID_PUBLIC_TOKEN",
		"provided public token is %s", reason)
}

func errInvalidAccessToken() *apiError {
	return newAPIError(http.StatusBadRequest, link.ErrorTypeInvalidInput, "INVALID_ACCESS_TOKEN",
		"could not find matching access token; access tokens look like access-<environment>-<identifier>")
}

func errInvalidInstitution(id string) *apiError {
	return newAPIError(http.StatusBadRequest, link.ErrorTypeInvalidInput, "INVALID_INSTITUTION",
		"invalid institution_id provided: %q is not a linktest sandbox institution", id)
}

func errInternal() *apiError {
	return newAPIError(http.StatusInternalServerError, link.ErrorTypeAPIError, "INTERNAL_SERVER_ERROR",
		"an unexpected error occurred")
}

// itemLoginRequired is the error an Item carries after /sandbox/item/reset_login.
func itemLoginRequired() *link.Error {
	return &link.Error{
		ErrorType: link.ErrorTypeItemError,
		ErrorCode: "ITEM_LOGIN_REQUIRED",
		ErrorMessage: "the login details of this item have changed (credentials, MFA, or required user action) " +
			"and a user login is required to update this information. use Link's update mode to restore the item to a good state",
	}
}
