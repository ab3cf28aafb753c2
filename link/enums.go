package link

// This file holds the enums that Plaid documents but its OpenAPI description leaves as plain
// strings. The spec's own enums are in enums_types.go.

// EventName names a Link event (LinkEvent.event_name). Plaid adds event names without notice;
// an unlisted name decodes and re-encodes unchanged.
type EventName string

// Known EventName values, from Plaid's Link documentation.
const (
	EventNameBankIncomeInsightsCompleted   EventName = "BANK_INCOME_INSIGHTS_COMPLETED"
	EventNameCloseOAuth                    EventName = "CLOSE_OAUTH"
	EventNameConnectNewInstitution         EventName = "CONNECT_NEW_INSTITUTION"
	EventNameError                         EventName = "ERROR"
	EventNameExit                          EventName = "EXIT"
	EventNameFailOAuth                     EventName = "FAIL_OAUTH"
	EventNameHandoff                       EventName = "HANDOFF"
	EventNameIdentityVerificationStartStep EventName = "IDENTITY_VERIFICATION_START_STEP"
	EventNameIdentityVerificationPassStep  EventName = "IDENTITY_VERIFICATION_PASS_STEP"
	EventNameIdentityVerificationFailStep  EventName = "IDENTITY_VERIFICATION_FAIL_STEP"
	EventNameIdentityVerificationCloseUI   EventName = "IDENTITY_VERIFICATION_CLOSE_UI"
	EventNameIssueFollowed                 EventName = "ISSUE_FOLLOWED"
	EventNameMatchedSelectInstitution      EventName = "MATCHED_SELECT_INSTITUTION"
	EventNameMatchedSelectVerifyMethod     EventName = "MATCHED_SELECT_VERIFY_METHOD"
	EventNameOpen                          EventName = "OPEN"
	EventNameOpenMyPlaid                   EventName = "OPEN_MY_PLAID"
	EventNameOpenOAuth                     EventName = "OPEN_OAUTH"
	EventNameSearchInstitution             EventName = "SEARCH_INSTITUTION"
	EventNameSelectAuthType                EventName = "SELECT_AUTH_TYPE"
	EventNameSelectBrand                   EventName = "SELECT_BRAND"
	EventNameSelectDegradedInstitution     EventName = "SELECT_DEGRADED_INSTITUTION"
	EventNameSelectDownInstitution         EventName = "SELECT_DOWN_INSTITUTION"
	EventNameSelectFilteredInstitution     EventName = "SELECT_FILTERED_INSTITUTION"
	EventNameSelectInstitution             EventName = "SELECT_INSTITUTION"
	EventNameSkipSubmitPhone               EventName = "SKIP_SUBMIT_PHONE"
	EventNameSubmitAccountNumber           EventName = "SUBMIT_ACCOUNT_NUMBER"
	EventNameSubmitCredentials             EventName = "SUBMIT_CREDENTIALS"
	EventNameSubmitDocuments               EventName = "SUBMIT_DOCUMENTS"
	EventNameSubmitDocumentsError          EventName = "SUBMIT_DOCUMENTS_ERROR"
	EventNameSubmitDocumentsSuccess        EventName = "SUBMIT_DOCUMENTS_SUCCESS"
	EventNameSubmitMFA                     EventName = "SUBMIT_MFA"
	EventNameSubmitOTP                     EventName = "SUBMIT_OTP"
	EventNameSubmitPhone                   EventName = "SUBMIT_PHONE"
	EventNameSubmitRoutingNumber           EventName = "SUBMIT_ROUTING_NUMBER"
	EventNameTransitionView                EventName = "TRANSITION_VIEW"
	EventNameVerifyPhone                   EventName = "VERIFY_PHONE"
)

// AccountType is the type of a financial account (LinkSessionSuccessMetadataAccount.type).
type AccountType string

// Known AccountType values.
const (
	AccountTypeDepository AccountType = "depository"
	AccountTypeCredit     AccountType = "credit"
	AccountTypeLoan       AccountType = "loan"
	AccountTypeInvestment AccountType = "investment"
	AccountTypeOther      AccountType = "other"
)

// PrismProduct names a Prism Data product in cra_options.partner_insights.prism_products, a field
// that Plaid's reference text shows but its OpenAPI description lacks.
type PrismProduct string

// Known PrismProduct values.
const (
	PrismProductInsights PrismProduct = "insights"
	PrismProductScores   PrismProduct = "scores"
)

// Language is the language Link is shown in (LinkTokenCreateRequest.language). The spec lists the
// supported languages in prose rather than as an enum.
type Language string

// Known Language values.
const (
	LanguageDanish     Language = "da"
	LanguageDutch      Language = "nl"
	LanguageEnglish    Language = "en"
	LanguageEstonian   Language = "et"
	LanguageFrench     Language = "fr"
	LanguageGerman     Language = "de"
	LanguageHindi      Language = "hi"
	LanguageItalian    Language = "it"
	LanguageLatvian    Language = "lv"
	LanguageLithuanian Language = "lt"
	LanguageNorwegian  Language = "no"
	LanguagePolish     Language = "pl"
	LanguagePortuguese Language = "pt"
	LanguageRomanian   Language = "ro"
	LanguageSpanish    Language = "es"
	LanguageSwedish    Language = "sv"
	LanguageVietnamese Language = "vi"
)

// ExitStatus is the point at which the user left Link (LinkSessionExitMetadata.status and
// LinkEventMetadata.exit_status). The spec lists the values as properties of a string rather than
// as an enum.
type ExitStatus string

// Known ExitStatus values.
const (
	ExitStatusRequiresQuestions        ExitStatus = "requires_questions"
	ExitStatusRequiresSelections       ExitStatus = "requires_selections"
	ExitStatusRequiresCode             ExitStatus = "requires_code"
	ExitStatusChooseDevice             ExitStatus = "choose_device"
	ExitStatusRequiresCredentials      ExitStatus = "requires_credentials"
	ExitStatusRequiresAccountSelection ExitStatus = "requires_account_selection"
	ExitStatusRequiresOAuth            ExitStatus = "requires_oauth"
	ExitStatusInstitutionNotFound      ExitStatus = "institution_not_found"
	ExitStatusInstitutionNotSupported  ExitStatus = "institution_not_supported"
)
