package state

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/plaidlink/plaidlink-go/link"
)

// Error is an error reply: the HTTP status and the PlaidError body.
type Error struct {
	Status int
	Err    *link.Error
}

// Link returns a copy of the PlaidError, as a session driver returns it.
func (e *Error) Link() *link.Error {
	err := *e.Err
	return &err
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func newAPIError(status int, t link.ErrorType, code link.ErrorCode, format string, args ...any) *Error {
	return &Error{Status: status, Err: &link.Error{
		ErrorType:    t,
		ErrorCode:    code,
		ErrorMessage: fmt.Sprintf(format, args...),
	}}
}

// Error codes the server answers with. Messages follow Plaid's wording where it is known.

func ErrMissingFields(fields ...string) *Error {
	return newAPIError(http.StatusBadRequest, link.ErrorTypeInvalidRequest, link.ErrorCodeMissingFields,
		"the following required fields are missing: %s", strings.Join(fields, ", "))
}

func errInvalidField(format string, args ...any) *Error {
	return newAPIError(http.StatusBadRequest, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField, format, args...)
}

func ErrInvalidBody(detail string) *Error {
	return newAPIError(http.StatusBadRequest, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidBody,
		"body could not be parsed as JSON: %s", detail)
}

// errUnknownFields is Plaid's reply to a body field the endpoint does not know.
func errUnknownFields(fields ...string) *Error {
	return newAPIError(http.StatusBadRequest, link.ErrorTypeInvalidRequest, link.ErrorCodeUnknownFields,
		"the following fields are not recognized by this endpoint: %s", strings.Join(fields, ", "))
}

// ErrBodyTooLarge answers a body over the server's limit. Plaid documents no code for this, so it
// is INVALID_BODY, the code a client already handles for a body Plaid cannot read, with the
// status that says why.
func ErrBodyTooLarge(limit int) *Error {
	return newAPIError(http.StatusRequestEntityTooLarge, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidBody,
		"request body is larger than %d bytes", limit)
}

// ErrClosing answers a request that was still being delayed when the server was closed; 503 is
// what a server going away answers, and a client may retry it elsewhere.
func ErrClosing() *Error {
	return newAPIError(http.StatusServiceUnavailable, link.ErrorTypeAPIError, link.ErrorCodeInternalServerError,
		"the server was closed while this request was delayed")
}

func ErrNotFound(method, path string) *Error {
	return newAPIError(http.StatusNotFound, link.ErrorTypeInvalidRequest, link.ErrorCodeNotFound,
		"not found: %s %s is not a Plaid API endpoint", method, path)
}

func ErrInvalidAPIKeys() *Error {
	return newAPIError(http.StatusBadRequest, link.ErrorTypeInvalidInput, link.ErrorCodeInvalidAPIKeys,
		"invalid client_id or secret provided")
}

func errInvalidLinkToken(reason string) *Error {
	return newAPIError(http.StatusBadRequest, link.ErrorTypeInvalidInput, link.ErrorCodeInvalidLinkToken,
		"provided link token is %s", reason)
}

func errInvalidPublicToken(reason string) *Error {
	return newAPIError(http.StatusBadRequest, link.ErrorTypeInvalidInput, link.ErrorCodeInvalidPublicToken,
		"provided public token is %s", reason)
}

func errInvalidAccessToken() *Error {
	return newAPIError(http.StatusBadRequest, link.ErrorTypeInvalidInput, link.ErrorCodeInvalidAccessToken,
		"could not find matching access token; access tokens look like access-<environment>-<identifier>")
}

func errInvalidInstitution(id string) *Error {
	return newAPIError(http.StatusBadRequest, link.ErrorTypeInvalidInput, link.ErrorCodeInvalidInstitution,
		"invalid institution_id provided: %q is not a linktest sandbox institution", id)
}

// errInstitutionCountry refuses a session at an institution that serves none of the link token's
// countries, which real Link would never list.
func errInstitutionCountry(inst Institution, ccs []link.CountryCode) *Error {
	return newAPIError(http.StatusBadRequest, link.ErrorTypeInvalidInput, link.ErrorCodeInvalidInstitution,
		"invalid institution_id provided: %s (%s) serves %s, none of the link token's country_codes %s",
		inst.InstitutionID, inst.Name, joinCountries(inst.CountryCodes), joinCountries(ccs))
}

// errNoInstitutionForCountries refuses a session without a chosen institution when no
// institution the server knows serves the link token's countries.
func errNoInstitutionForCountries(ccs []link.CountryCode) *Error {
	return newAPIError(http.StatusBadRequest, link.ErrorTypeInvalidInput, link.ErrorCodeInvalidInstitution,
		"no linktest sandbox institution serves the link token's country_codes %s; see linktest.Institutions",
		joinCountries(ccs))
}

func joinCountries(ccs []link.CountryCode) string {
	parts := make([]string, len(ccs))
	for i, cc := range ccs {
		parts[i] = string(cc)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func ErrInternal() *Error {
	return newAPIError(http.StatusInternalServerError, link.ErrorTypeAPIError, link.ErrorCodeInternalServerError,
		"an unexpected error occurred")
}

// itemLoginRequired is the error an Item carries after /sandbox/item/reset_login.
func itemLoginRequired() *link.Error {
	return &link.Error{
		ErrorType: link.ErrorTypeItemError,
		ErrorCode: link.ErrorCodeItemLoginRequired,
		ErrorMessage: "the login details of this item have changed (credentials, MFA, or required user action) " +
			"and a user login is required to update this information. use Link's update mode to restore the item to a good state",
	}
}
