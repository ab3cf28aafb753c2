package link

// ErrorCode is Plaid's error_code: the particular error, safe to branch on. A code this package
// does not list decodes and encodes unchanged.
type ErrorCode string

// The error codes the seven endpoints of this package can return, with their error_type, per
// Plaid's error reference (plaid.com/docs/errors), and the codes that a Link session reports in
// its exit, events and results (read back with GetToken, or in webhooks).
const (
	// INVALID_REQUEST: the request was malformed; fix it before sending it again.
	ErrorCodeInvalidBody            ErrorCode = "INVALID_BODY"
	ErrorCodeInvalidHeaders         ErrorCode = "INVALID_HEADERS"
	ErrorCodeInvalidField           ErrorCode = "INVALID_FIELD"
	ErrorCodeMissingFields          ErrorCode = "MISSING_FIELDS"
	ErrorCodeUnknownFields          ErrorCode = "UNKNOWN_FIELDS"
	ErrorCodeInvalidConfiguration   ErrorCode = "INVALID_CONFIGURATION"
	ErrorCodeNotFound               ErrorCode = "NOT_FOUND"
	ErrorCodeSandboxOnly            ErrorCode = "SANDBOX_ONLY"
	ErrorCodeIncompatibleAPIVersion ErrorCode = "INCOMPATIBLE_API_VERSION"
	ErrorCodeNoLongerAvailable      ErrorCode = "NO_LONGER_AVAILABLE"
	ErrorCodeInvalidAccountNumber   ErrorCode = "INVALID_ACCOUNT_NUMBER"

	// INVALID_INPUT: a credential, token or identifier in the request is not valid.
	ErrorCodeInvalidLinkCustomization        ErrorCode = "INVALID_LINK_CUSTOMIZATION"
	ErrorCodeInvalidAPIKeys                  ErrorCode = "INVALID_API_KEYS"
	ErrorCodeUnauthorizedEnvironment         ErrorCode = "UNAUTHORIZED_ENVIRONMENT"
	ErrorCodeUnauthorizedRouteAccess         ErrorCode = "UNAUTHORIZED_ROUTE_ACCESS"
	ErrorCodeInvalidAccessToken              ErrorCode = "INVALID_ACCESS_TOKEN"
	ErrorCodeInvalidPublicToken              ErrorCode = "INVALID_PUBLIC_TOKEN"
	ErrorCodeInvalidLinkToken                ErrorCode = "INVALID_LINK_TOKEN"
	ErrorCodeInvalidProduct                  ErrorCode = "INVALID_PRODUCT"
	ErrorCodeInvalidInstitution              ErrorCode = "INVALID_INSTITUTION"
	ErrorCodeInvalidAccountID                ErrorCode = "INVALID_ACCOUNT_ID"
	ErrorCodeInvalidUserToken                ErrorCode = "INVALID_USER_TOKEN"
	ErrorCodeInvalidWebhookVerificationKeyID ErrorCode = "INVALID_WEBHOOK_VERIFICATION_KEY_ID"
	ErrorCodeDirectIntegrationNotEnabled     ErrorCode = "DIRECT_INTEGRATION_NOT_ENABLED"
	ErrorCodeInstitutionRegistrationRequired ErrorCode = "INSTITUTION_REGISTRATION_REQUIRED"
	ErrorCodeUserPermissionRevoked           ErrorCode = "USER_PERMISSION_REVOKED"
	ErrorCodeTooManyVerificationAttempts     ErrorCode = "TOO_MANY_VERIFICATION_ATTEMPTS"
	ErrorCodeIncorrectDepositAmounts         ErrorCode = "INCORRECT_DEPOSIT_AMOUNTS"

	// INVALID_RESULT: Plaid cannot produce a result for the request.
	ErrorCodeLastUpdatedDatetimeOutOfRange ErrorCode = "LAST_UPDATED_DATETIME_OUT_OF_RANGE"

	// RATE_LIMIT_EXCEEDED: too many requests; the call may be sent again later.
	ErrorCodeRateLimit            ErrorCode = "RATE_LIMIT"
	ErrorCodeAdditionLimit        ErrorCode = "ADDITION_LIMIT"
	ErrorCodeInstitutionRateLimit ErrorCode = "INSTITUTION_RATE_LIMIT"

	// API_ERROR: Plaid failed; INTERNAL_SERVER_ERROR may or may not have carried the request out,
	// PLANNED_MAINTENANCE did not.
	ErrorCodeInternalServerError ErrorCode = "INTERNAL_SERVER_ERROR"
	ErrorCodePlannedMaintenance  ErrorCode = "PLANNED_MAINTENANCE"

	// ITEM_ERROR: the Item (or the user's login at the institution) needs attention; ITEM_NO_ERROR
	// says Link was opened in update mode for an Item that needed none.
	ErrorCodeItemLoginRequired       ErrorCode = "ITEM_LOGIN_REQUIRED"
	ErrorCodeItemNotFound            ErrorCode = "ITEM_NOT_FOUND"
	ErrorCodeInvalidCredentials      ErrorCode = "INVALID_CREDENTIALS"
	ErrorCodeInvalidMFA              ErrorCode = "INVALID_MFA"
	ErrorCodeInvalidSendMethod       ErrorCode = "INVALID_SEND_METHOD"
	ErrorCodeInvalidUpdatedUsername  ErrorCode = "INVALID_UPDATED_USERNAME"
	ErrorCodeInsufficientCredentials ErrorCode = "INSUFFICIENT_CREDENTIALS"
	ErrorCodeItemLocked              ErrorCode = "ITEM_LOCKED"
	ErrorCodeProductsNotSupported    ErrorCode = "PRODUCTS_NOT_SUPPORTED"
	ErrorCodeItemNotSupported        ErrorCode = "ITEM_NOT_SUPPORTED"
	ErrorCodeMFANotSupported         ErrorCode = "MFA_NOT_SUPPORTED"
	ErrorCodeNoAccounts              ErrorCode = "NO_ACCOUNTS"
	ErrorCodeNoAuthAccounts          ErrorCode = "NO_AUTH_ACCOUNTS"
	ErrorCodeNoInvestmentAccounts    ErrorCode = "NO_INVESTMENT_ACCOUNTS"
	ErrorCodeNoLiabilityAccounts     ErrorCode = "NO_LIABILITY_ACCOUNTS"
	ErrorCodeProductNotReady         ErrorCode = "PRODUCT_NOT_READY"
	ErrorCodeInstantMatchFailed      ErrorCode = "INSTANT_MATCH_FAILED"
	ErrorCodeItemNoError             ErrorCode = "ITEM_NO_ERROR"
	ErrorCodeUserSetupRequired       ErrorCode = "USER_SETUP_REQUIRED"
	ErrorCodeUserInputTimeout        ErrorCode = "USER_INPUT_TIMEOUT"
	ErrorCodeAccessNotGranted        ErrorCode = "ACCESS_NOT_GRANTED"
	ErrorCodePasswordResetRequired   ErrorCode = "PASSWORD_RESET_REQUIRED"

	// INSTITUTION_ERROR: the institution cannot be reached or does not support the request.
	ErrorCodeInstitutionDown                    ErrorCode = "INSTITUTION_DOWN"
	ErrorCodeInstitutionNotResponding           ErrorCode = "INSTITUTION_NOT_RESPONDING"
	ErrorCodeInstitutionNotAvailable            ErrorCode = "INSTITUTION_NOT_AVAILABLE"
	ErrorCodeInstitutionNoLongerSupported       ErrorCode = "INSTITUTION_NO_LONGER_SUPPORTED"
	ErrorCodeInstitutionNotEnabledInEnvironment ErrorCode = "INSTITUTION_NOT_ENABLED_IN_ENVIRONMENT"
	ErrorCodeInstitutionNotFound                ErrorCode = "INSTITUTION_NOT_FOUND"

	// RECAPTCHA_ERROR: Link showed the user a reCAPTCHA challenge, or the user failed it.
	ErrorCodeRecaptchaRequired ErrorCode = "RECAPTCHA_REQUIRED"
	ErrorCodeRecaptchaBad      ErrorCode = "RECAPTCHA_BAD"

	// SANDBOX_ERROR: a Sandbox-only endpoint was asked for something Sandbox cannot do.
	ErrorCodeSandboxProductNotEnabled ErrorCode = "SANDBOX_PRODUCT_NOT_ENABLED"
	ErrorCodeSandboxWebhookInvalid    ErrorCode = "SANDBOX_WEBHOOK_INVALID"
)
