package link

import (
	"encoding/json"
	"time"
)

// AccountFiltersResponse mirrors Plaid's AccountFiltersResponse schema.
//
// The account_filters specified in the original call to /link/token/create.
type AccountFiltersResponse struct {
	// A filter to apply to depository-type accounts
	Depository *DepositoryFilter `json:"depository,omitempty"`
	// A filter to apply to credit-type accounts
	Credit *CreditFilter `json:"credit,omitempty"`
	// A filter to apply to loan-type accounts
	Loan *LoanFilter `json:"loan,omitempty"`
	// A filter to apply to investment-type accounts (or brokerage-type accounts for API versions
	// 2018-05-22 and earlier).
	Investment *InvestmentFilter `json:"investment,omitempty"`
}

// CreditSessionDocumentIncomeResult mirrors Plaid's CreditSessionDocumentIncomeResult schema.
//
// The details of a document income verification in Link
type CreditSessionDocumentIncomeResult struct {
	// The number of paystubs uploaded by the user.
	NumPaystubsUploaded int `json:"num_paystubs_uploaded"`
	// The number of w2s uploaded by the user.
	NumW2sUploaded int `json:"num_w2s_uploaded"`
	// The number of bank statements uploaded by the user.
	NumBankStatementsUploaded int `json:"num_bank_statements_uploaded"`
	// The number of 1099s uploaded by the user
	Num1099sUploaded int `json:"num_1099s_uploaded"`
}

// Event mirrors Plaid's LinkEvent schema.
//
// An event that occurred while the user was going through Link
type Event struct {
	// Event name
	EventName EventName `json:"event_name"`
	// Timestamp in ISO 8601 format.
	Timestamp Timestamp `json:"timestamp"`
	// UUID that can be used to deduplicate events
	EventID string `json:"event_id"`
	// Metadata about an event that occurred while the user was going through Link
	EventMetadata EventMetadata `json:"event_metadata"`
}

// EventMetadata mirrors Plaid's LinkEventMetadata schema.
//
// Metadata about an event that occurred while the user was going through Link
type EventMetadata struct {
	// The error code that the user encountered. Emitted by ERROR, EXIT.
	ErrorCode string `json:"error_code,omitempty"`
	// The error message that the user encountered. Emitted by: ERROR, EXIT.
	ErrorMessage string `json:"error_message,omitempty"`
	// The error type that the user encountered. Emitted by: ERROR, EXIT.
	ErrorType ErrorType `json:"error_type,omitempty"`
	// The status key indicates the point at which the user exited the Link flow. Emitted by: EXIT.
	ExitStatus ExitStatus `json:"exit_status,omitempty"`
	// The ID of the selected institution. Emitted by: all events.
	InstitutionID string `json:"institution_id,omitempty"`
	// The name of the selected institution. Emitted by: all events.
	InstitutionName string `json:"institution_name,omitempty"`
	// The query used to search for institutions. Emitted by: SEARCH_INSTITUTION.
	InstitutionSearchQuery string `json:"institution_search_query,omitempty"`
	// The request ID for the last request made by Link. This can be shared with Plaid support to
	// expedite investigation.
	RequestID string `json:"request_id,omitempty"`
	// If set, the user has encountered one of the following MFA types: code, device, questions,
	// selections. Emitted by: SUBMIT_MFA and TRANSITION_VIEW when view_name is MFA.
	MFAType string `json:"mfa_type,omitempty"`
	// The name of the view that is being transitioned to. Emitted by: TRANSITION_VIEW.
	ViewName string `json:"view_name,omitempty"`
	// Either the verification method for a matched institution selected by the user or the Auth Type
	// Select flow type selected by the user. If selection is used to describe selected verification
	// method, then possible values are phoneotp or password; if selection is used to describe the
	// selected Auth Type Select flow, then possible values are flow_type_manual or flow_type_instant.
	Selection string `json:"selection,omitempty"`
	// The name of the selected brand.
	BrandName string `json:"brand_name,omitempty"`
	// The reason this institution was matched. This will be either returning_user or routing_number if
	// emitted by MATCHED_SELECT_INSTITUTION.
	MatchReason string `json:"match_reason,omitempty"`
	// The routing number submitted by user at the micro-deposits routing number pane. Emitted by
	// SUBMIT_ROUTING_NUMBER.
	RoutingNumber string `json:"routing_number,omitempty"`
	// The account number mask extracted from the user-provided account number. If the user-inputted
	// account number is four digits long, account_number_mask is empty.
	AccountNumberMask string `json:"account_number_mask,omitempty"`
	// The link_session_id of the session the event belongs to. Link's onEvent callback puts it in
	// an event's metadata; the API's event lists (the sessions of /link/token/get and EVENTS
	// webhooks) carry it beside the events instead, and [Client.GetToken] and webhook.Parse copy
	// it into each event that lacks it, so that events from every source can be grouped by
	// session (as funnel.Add does). The schema allows extra properties.
	LinkSessionID string `json:"link_session_id,omitempty"`
}

// SessionBankIncomeResult mirrors Plaid's LinkSessionBankIncomeResult schema.
//
// The details of a bank income verification in Link.
type SessionBankIncomeResult struct {
	// Status of the Bank Income Link session. APPROVED: User has approved and verified their income
	// NO_DEPOSITS_FOUND: We attempted, but were unable to find any income in the connected account.
	Status CreditSessionBankIncomeStatus `json:"status"`
	// The Plaid Item ID. The item_id is always unique; linking the same account at the same
	// institution twice will result in two Items with different item_id values.
	ItemID string `json:"item_id"`
	// An institution object. If the Item was created via Same-Day or Instant micro-deposit
	// verification, will be null.
	Institution *SessionSuccessMetadataInstitution `json:"institution"`
}

// SessionCraDocumentUploadResult mirrors Plaid's LinkSessionCraDocumentUploadResult schema.
//
// The details of a document upload CRA session in link
type SessionCraDocumentUploadResult struct {
	// The number of bank statements uploaded by the user.
	NumBankStatementsUploaded int `json:"num_bank_statements_uploaded"`
}

// SessionCraItemAddResult mirrors Plaid's LinkSessionCraItemAddResult schema.
//
// The details of a Plaid Check Item add in Link.
type SessionCraItemAddResult struct {
	// The Plaid Check Item ID. The item_id is always unique; linking the same account at the same
	// institution twice will result in two Items with different item_id values.
	ItemID string `json:"item_id"`
	// A list of accounts attached to the connected Item. If Account Select is enabled via the
	// developer dashboard, accounts will only include selected accounts.
	Accounts []SessionSuccessMetadataAccount `json:"accounts"`
	// An institution object. If the Item was created via Same-Day or Instant micro-deposit
	// verification, will be null.
	Institution *SessionSuccessMetadataInstitution `json:"institution"`
}

// SessionCraUpdateResult mirrors Plaid's LinkSessionCraUpdateResult schema.
//
// The details of a Plaid Check Item update via update mode in Link.
type SessionCraUpdateResult struct {
	// The Plaid Check Item ID. The item_id is always unique; linking the same account at the same
	// institution twice will result in two Items with different item_id values.
	ItemID string `json:"item_id"`
	// A list of accounts attached to the connected Item. If Account Select is enabled via the
	// developer dashboard, accounts will only include selected accounts.
	Accounts []SessionSuccessMetadataAccount `json:"accounts"`
	// An institution object. If the Item was created via Same-Day or Instant micro-deposit
	// verification, will be null.
	Institution *SessionSuccessMetadataInstitution `json:"institution"`
}

// SessionExit mirrors Plaid's LinkSessionExit schema.
//
// An object representing an onExit callback from Link. If you are not receiving this field and are
// instead receiving the deprecated on_exit field, contact your account manager to update your
// integration.
type SessionExit struct {
	// Errors are identified by error_code and categorized by error_type. Use these in preference to
	// HTTP status codes to identify and handle specific errors.
	Error *Error `json:"error"`
	// Displayed if a user exits Link without successfully linking an Item.
	Metadata *SessionExitMetadata `json:"metadata"`
}

// SessionExitDeprecated mirrors Plaid's LinkSessionExitDeprecated schema.
//
// An object representing an onExit callback from Link. This field is returned only for legacy
// implementations and has been deprecated in favor of exit, for improved naming consistency.
type SessionExitDeprecated struct {
	// Errors are identified by error_code and categorized by error_type. Use these in preference to
	// HTTP status codes to identify and handle specific errors.
	Error *Error `json:"error"`
	// Displayed if a user exits Link without successfully linking an Item.
	Metadata *SessionExitMetadata `json:"metadata"`
}

// SessionExitMetadata mirrors Plaid's LinkSessionExitMetadata schema.
//
// Displayed if a user exits Link without successfully linking an Item.
type SessionExitMetadata struct {
	// An institution object. If the Item was created via Same-Day or Instant micro-deposit
	// verification, will be null.
	Institution *SessionExitMetadataInstitution `json:"institution,omitempty"`
	// The point at which the user exited the Link flow. One of the following values.
	Status ExitStatus `json:"status,omitempty"`
	// A unique identifier associated with a user's actions and events through the Link flow. Include
	// this identifier when opening a support ticket for faster turnaround.
	LinkSessionID string `json:"link_session_id,omitempty"`
	// The request ID for the last request made by Link. This can be shared with Plaid support to
	// expedite investigation.
	RequestID string `json:"request_id,omitempty"`
}

// SessionExitMetadataInstitution mirrors Plaid's LinkSessionExitMetadataInstitution schema.
//
// An institution object. If the Item was created via Same-Day or Instant micro-deposit
// verification, will be null.
type SessionExitMetadataInstitution struct {
	// The full institution name, such as Wells Fargo
	Name string `json:"name,omitempty"`
	// The Plaid institution identifier
	InstitutionID string `json:"institution_id,omitempty"`
}

// SessionItemAddResult mirrors Plaid's LinkSessionItemAddResult schema.
//
// The details of an Item add in Link.
type SessionItemAddResult struct {
	// Returned once a user has successfully linked their Item.
	PublicToken string `json:"public_token"`
	// A list of accounts attached to the connected Item. If Account Select is enabled via the
	// developer dashboard, accounts will only include selected accounts.
	Accounts []SessionSuccessMetadataAccount `json:"accounts"`
	// An institution object. If the Item was created via Same-Day or Instant micro-deposit
	// verification, will be null.
	Institution *SessionSuccessMetadataInstitution `json:"institution"`
}

// SessionPayrollIncomeResult mirrors Plaid's LinkSessionPayrollIncomeResult schema.
//
// The details of a digital payroll income verification in Link.
type SessionPayrollIncomeResult struct {
	// The number of paystubs retrieved from a payroll provider.
	NumPaystubsRetrieved int `json:"num_paystubs_retrieved"`
	// The number of W-2s retrieved from a payroll provider.
	NumW2sRetrieved int `json:"num_w2s_retrieved"`
	// An institution object. If the Item was created via Same-Day or Instant micro-deposit
	// verification, will be null.
	Institution *SessionSuccessMetadataInstitution `json:"institution"`
}

// SessionResults mirrors Plaid's LinkSessionResults schema.
//
// The set of results for a Link session.
type SessionResults struct {
	// The set of Item adds for the Link session. If you are not receiving this field and are instead
	// receiving the deprecated on_success field, contact your account manager to update your
	// integration.
	ItemAddResults []SessionItemAddResult `json:"item_add_results"`
	// The set of Plaid Check Item adds for the Link session.
	CRAItemAddResults []SessionCraItemAddResult `json:"cra_item_add_results"`
	// The set of Plaid Check Item updates for the Link session.
	CRAUpdateResults []SessionCraUpdateResult `json:"cra_update_results"`
	// The set of bank income verifications for the Link session.
	BankIncomeResults []SessionBankIncomeResult `json:"bank_income_results"`
	// The set of payroll income verifications for the Link session.
	PayrollIncomeResults []SessionPayrollIncomeResult `json:"payroll_income_results"`
	// The details of a document income verification in Link
	DocumentIncomeResults *CreditSessionDocumentIncomeResult `json:"document_income_results"`
	// The details of a document upload CRA session in link
	CRADocumentUploadResults *SessionCraDocumentUploadResult `json:"cra_document_upload_results,omitempty"`
	// Plaid Protect details from the Link session. Plaid's sample payloads carry this field (as null
	// when Protect is not enabled); its OpenAPI description lacks it.
	ProtectResults *SessionProtectResult `json:"protect_results,omitempty"`
}

// SessionProtectResult holds the Plaid Protect details of a Link session (results.protect_results).
//
// The OpenAPI description this SDK is built from does not define the object, so only event_id is
// typed; the trust index and fraud attributes are kept as raw JSON so that nothing Plaid sends is
// lost when a response is decoded and encoded again.
type SessionProtectResult struct {
	// The Plaid Protect event ID representing the completion of the Link session.
	EventID string `json:"event_id,omitempty"`
	// The calculated Trust Index score, as Plaid sent it.
	TrustIndex json.RawMessage `json:"trust_index,omitempty"`
	// The attributes used in the trust index calculation, as Plaid sent them.
	FraudAttributes json.RawMessage `json:"fraud_attributes,omitempty"`
}

// SessionSuccess mirrors Plaid's LinkSessionSuccess schema.
//
// An object representing an onSuccess callback from Link. This field is returned only for legacy
// integrations and is deprecated in favor of results.item_add_results which can support multiple
// public tokens in a single Link session, for flows such as multi-Item Link.
type SessionSuccess struct {
	// Displayed once a user has successfully linked their Item.
	PublicToken string `json:"public_token"`
	// Displayed once a user has successfully linked their Item.
	Metadata *SessionSuccessMetadata `json:"metadata"`
}

// SessionSuccessMetadata mirrors Plaid's LinkSessionSuccessMetadata schema.
//
// Displayed once a user has successfully linked their Item.
type SessionSuccessMetadata struct {
	// An institution object. If the Item was created via Same-Day or Instant micro-deposit
	// verification, will be null.
	Institution *SessionSuccessMetadataInstitution `json:"institution,omitempty"`
	// A list of accounts attached to the connected Item. If Account Select is enabled via the
	// developer dashboard, accounts will only include selected accounts.
	Accounts []SessionSuccessMetadataAccount `json:"accounts,omitempty"`
	// A unique identifier associated with a user's actions and events through the Link flow. Include
	// this identifier when opening a support ticket for faster turnaround.
	LinkSessionID string `json:"link_session_id,omitempty"`
	// The status of a transfer. Returned only when Transfer UI is implemented.
	TransferStatus TransferStatus `json:"transfer_status,omitempty"`
}

// SessionSuccessMetadataAccount mirrors Plaid's LinkSessionSuccessMetadataAccount schema.
//
// An account attached to the connected Item.
type SessionSuccessMetadataAccount struct {
	// The Plaid account_id
	ID string `json:"id,omitempty"`
	// The official account name
	Name string `json:"name,omitempty"`
	// The last 2-4 alphanumeric characters of an account's official account number. Note that the mask
	// may be non-unique between an Item's accounts.
	Mask string `json:"mask,omitempty"`
	// The account type. See the Account schema for a full list of possible values
	Type AccountType `json:"type,omitempty"`
	// The account subtype. See the Account schema for a full list of possible values
	Subtype string `json:"subtype,omitempty"`
	// Indicates an Item's micro-deposit-based verification or database verification status. This field
	// is only populated when using Auth and falling back to micro-deposit or database verification.
	VerificationStatus string `json:"verification_status,omitempty"`
	// If micro-deposit verification was being used, indicates the user's selection when asked if the
	// account being verified is a business or personal account. This field is deprecated as Plaid no
	// longer collects this information during the micro-deposit flow.
	//
	// Deprecated: Plaid marks this field deprecated.
	ClassType string `json:"class_type,omitempty"`
}

// SessionSuccessMetadataInstitution mirrors Plaid's LinkSessionSuccessMetadataInstitution schema.
//
// An institution object. If the Item was created via Same-Day or Instant micro-deposit
// verification, will be null.
type SessionSuccessMetadataInstitution struct {
	// The full institution name, such as 'Wells Fargo'
	Name string `json:"name,omitempty"`
	// The Plaid institution identifier
	InstitutionID string `json:"institution_id,omitempty"`
}

// TokenGetMetadataResponse mirrors Plaid's LinkTokenGetMetadataResponse schema.
//
// An object specifying the arguments originally provided to the /link/token/create call.
type TokenGetMetadataResponse struct {
	// The products specified in the /link/token/create call.
	InitialProducts []Product `json:"initial_products"`
	// The webhook specified in the /link/token/create call.
	Webhook string `json:"webhook"`
	// The country_codes specified in the /link/token/create call.
	CountryCodes []CountryCode `json:"country_codes"`
	// The language specified in the /link/token/create call.
	Language Language `json:"language"`
	// A map containing data used to highlight institutions in Link.
	InstitutionData *TokenCreateInstitutionData `json:"institution_data,omitempty"`
	// The account_filters specified in the original call to /link/token/create.
	AccountFilters *AccountFiltersResponse `json:"account_filters,omitempty"`
	// The redirect_uri specified in the /link/token/create call.
	RedirectURI string `json:"redirect_uri"`
	// The client_name specified in the /link/token/create call.
	ClientName string `json:"client_name"`
}

// TokenGetRequest mirrors Plaid's LinkTokenGetRequest schema.
//
// LinkTokenGetRequest defines the request schema for /link/token/get
type TokenGetRequest struct {
	// A link_token from a previous invocation of /link/token/create
	LinkToken string `json:"link_token"`
}

// TokenGetResponse mirrors Plaid's LinkTokenGetResponse schema.
//
// LinkTokenGetResponse defines the response schema for /link/token/get
type TokenGetResponse struct {
	// A link_token, which can be supplied to Link in order to initialize it and receive a
	// public_token, which can be exchanged for an access_token.
	LinkToken string `json:"link_token"`
	// The creation timestamp for the link_token, in ISO 8601 format.
	CreatedAt *time.Time `json:"created_at"`
	// The expiration timestamp for the link_token, in ISO 8601 format.
	Expiration *time.Time `json:"expiration"`
	// Information about Link sessions created using this link_token. Session data will be provided for
	// up to six hours after the session has ended.
	LinkSessions []TokenGetSessionsResponse `json:"link_sessions,omitempty"`
	// An object specifying the arguments originally provided to the /link/token/create call.
	Metadata TokenGetMetadataResponse `json:"metadata"`
	// A unique user identifier, created by /user/create. Integrations that began using /user/create
	// after December 10, 2025 use this field to identify a user instead of the user_token.
	UserID string `json:"user_id,omitempty"`
	// A unique identifier for the request, which can be used for troubleshooting. This identifier,
	// like all Plaid identifiers, is case sensitive.
	RequestID string `json:"request_id"`
}

// TokenGetSessionsResponse mirrors Plaid's LinkTokenGetSessionsResponse schema.
//
// An object containing information about a link session. Session data will be provided for up to
// six hours after the session has ended.
type TokenGetSessionsResponse struct {
	// The unique ID for the link session.
	LinkSessionID string `json:"link_session_id"`
	// The timestamp at which the link session was first started, in ISO 8601 format.
	StartedAt time.Time `json:"started_at,omitzero"`
	// The timestamp at which the link session was finished, if available, in ISO 8601 format.
	FinishedAt time.Time `json:"finished_at,omitzero"`
	// An object representing an onSuccess callback from Link. This field is returned only for legacy
	// integrations and is deprecated in favor of results.item_add_results which can support multiple
	// public tokens in a single Link session, for flows such as multi-Item Link.
	OnSuccess *SessionSuccess `json:"on_success,omitempty"`
	// An object representing an onExit callback from Link. This field is returned only for legacy
	// implementations and has been deprecated in favor of exit, for improved naming consistency.
	OnExit *SessionExitDeprecated `json:"on_exit,omitempty"`
	// An object representing an onExit callback from Link. If you are not receiving this field and are
	// instead receiving the deprecated on_exit field, contact your account manager to update your
	// integration.
	Exit *SessionExit `json:"exit,omitempty"`
	// List of customer-related Link events
	Events []Event `json:"events,omitempty"`
	// The set of results for a Link session.
	Results *SessionResults `json:"results,omitempty"`
}
