package link

import (
	"time"
)

// CraCheckReportHomeLendingReportOptions mirrors Plaid's CraCheckReportHomeLendingReportOptions schema.
//
// Options for configuring Home Lending Report (Verification Report) generation.
type CraCheckReportHomeLendingReportOptions struct {
	// Specifies which types of home lending reports to generate.
	ReportsRequested []CraCheckReportVerificationGetReportType `json:"reports_requested"`
	// Defines configuration options for the Employment Refresh Report.
	EmploymentRefreshOptions *CraCheckReportVerificationGetEmploymentRefreshOptions `json:"employment_refresh_options,omitempty"`
}

// CraCheckReportVerificationGetEmploymentRefreshOptions mirrors Plaid's CraCheckReportVerificationGetEmploymentRefreshOptions schema.
//
// Defines configuration options for the Employment Refresh Report.
type CraCheckReportVerificationGetEmploymentRefreshOptions struct {
	// The number of days of data to request for the report. This field is required if an Employment
	// Refresh Report is requested.
	DaysRequested int `json:"days_requested"`
}

// CraPartnerInsightsBaseFicoScore mirrors Plaid's CraPartnerInsightsBaseFicoScore schema.
//
// Details about the base FICO score associated with an UltraFICO scoring request.
type CraPartnerInsightsBaseFicoScore struct {
	// The credit bureau that provided the base FICO score.
	Bureau CraPartnerInsightsBureau `json:"bureau"`
	// Numeric value of the base FICO score.
	Score int `json:"score"`
	// Reason codes associated with the score, in priority order. May contain up to 4 items.
	ReasonCodes []string `json:"reason_codes,omitempty"`
	// Deprecated. Use reason_codes instead.
	//
	// Deprecated: Plaid marks this field deprecated.
	ReasonCode1 string `json:"reason_code_1,omitempty"`
	// Deprecated. Use reason_codes instead.
	//
	// Deprecated: Plaid marks this field deprecated.
	ReasonCode2 string `json:"reason_code_2,omitempty"`
	// Deprecated. Use reason_codes instead.
	//
	// Deprecated: Plaid marks this field deprecated.
	ReasonCode3 string `json:"reason_code_3,omitempty"`
	// Deprecated. Use reason_codes instead.
	//
	// Deprecated: Plaid marks this field deprecated.
	ReasonCode4 string `json:"reason_code_4,omitempty"`
	// Whether inquiries adversely affected this score but were not represented in one of the four
	// reason codes. Sometimes referred to as the FACTA Flag.
	DidInquiriesAdverselyAffectScore *bool `json:"did_inquiries_adversely_affect_score,omitempty"`
	// The version of the base FICO score model.
	BaseFICOScoreVersion CraPartnerInsightsBaseFicoScoreVersion `json:"base_fico_score_version"`
}

// CraPartnerInsightsFicoInput mirrors Plaid's CraPartnerInsightsFicoInput schema.
//
// Configurations for FICO products used in the Partner Insights flow.
type CraPartnerInsightsFicoInput struct {
	// ID provided by FICO that uniquely identifies the lender. Required for UltraFICO score
	// generation.
	FICOLenderID string `json:"fico_lender_id"`
	// Client-generated identifier that uniquely identifies the FICO Application ID across FICO
	// systems.
	LenderApplicationID string `json:"lender_application_id"`
	// A list of UltraFICO scoring requests. Each request contains all configuration required to
	// generate an UltraFICO score.
	UltraficoScoreRequests []CraPartnerInsightsUltraFicoScoreRequest `json:"ultrafico_score_requests"`
}

// CraPartnerInsightsUltraFicoScoreRequest mirrors Plaid's CraPartnerInsightsUltraFicoScoreRequest schema.
//
// Configuration required to generate a single UltraFICO score.
type CraPartnerInsightsUltraFicoScoreRequest struct {
	// The version of the UltraFICO score.
	UltraficoScoreVersion CraPartnerInsightsUltraFicoScoreVersion `json:"ultrafico_score_version"`
	// FICO identifier for a particular scoring request. Should only be provided by UltraFICO as part
	// of the FICO-led Flow.
	FICOScoringRequestID string `json:"fico_scoring_request_id,omitempty"`
	// Client-generated identifier that can be used to correlate scoring requests and scoring results.
	RequestCorrelationID string `json:"request_correlation_id,omitempty"`
	// Details about the base FICO score associated with an UltraFICO scoring request.
	BaseFICOScore CraPartnerInsightsBaseFicoScore `json:"base_fico_score"`
}

// CreditFilter mirrors Plaid's CreditFilter schema.
//
// A filter to apply to credit-type accounts
type CreditFilter struct {
	// An array of account subtypes to display in Link. If not specified, all account subtypes will be
	// shown.
	AccountSubtypes []CreditAccountSubtype `json:"account_subtypes"`
}

// DepositoryFilter mirrors Plaid's DepositoryFilter schema.
//
// A filter to apply to depository-type accounts
type DepositoryFilter struct {
	// An array of account subtypes to display in Link. If not specified, all account subtypes will be
	// shown.
	AccountSubtypes []DepositoryAccountSubtype `json:"account_subtypes"`
	// An array of limited purpose types. Restricts which kinds of limited purpose checking accounts
	// may be connected in Link to prevent users from connecting them for unsupported use cases.
	LimitedPurposeTypes []LimitedPurposeType `json:"limited_purpose_types,omitempty"`
}

// IdentityVerificationRequestUserName mirrors Plaid's IdentityVerificationRequestUserName schema.
//
// You can use this field to pre-populate the user's legal name; if it is provided here, they will
// not be prompted to enter their name in the identity verification attempt.
type IdentityVerificationRequestUserName struct {
	// A string with at least one non-whitespace character, with a max length of 100 characters.
	GivenName string `json:"given_name"`
	// A string with at least one non-whitespace character, with a max length of 100 characters.
	FamilyName string `json:"family_name"`
}

// IncomeInsightsFilter mirrors Plaid's IncomeInsightsFilter schema.
//
// Filters the returned income streams based on the specified income categories.
type IncomeInsightsFilter struct {
	// Includes income streams matching the specified categories.
	IncludedCategories []string `json:"included_categories"`
	// Excludes income streams matching the specified categories.
	ExcludedCategories []string `json:"excluded_categories,omitempty"`
}

// InvestmentFilter mirrors Plaid's InvestmentFilter schema.
//
// A filter to apply to investment-type accounts (or brokerage-type accounts for API versions
// 2018-05-22 and earlier).
type InvestmentFilter struct {
	// An array of account subtypes to display in Link. If not specified, all account subtypes will be
	// shown.
	AccountSubtypes []InvestmentAccountSubtype `json:"account_subtypes"`
}

// TokenAccountFilters mirrors Plaid's LinkTokenAccountFilters schema.
//
// By default, Link will provide limited account filtering: it will only display Institutions that
// are compatible with all products supplied in the products parameter of /link/token/create, and,
// if auth is specified in the products array, will also filter out accounts other than checking,
// savings, and cash management accounts on the Account Select pane.
type TokenAccountFilters struct {
	// A filter to apply to depository-type accounts
	Depository *DepositoryFilter `json:"depository,omitempty"`
	// A filter to apply to credit-type accounts
	Credit *CreditFilter `json:"credit,omitempty"`
	// A filter to apply to loan-type accounts
	Loan *LoanFilter `json:"loan,omitempty"`
	// A filter to apply to investment-type accounts (or brokerage-type accounts for API versions
	// 2018-05-22 and earlier).
	Investment *InvestmentFilter `json:"investment,omitempty"`
	// A filter to apply to other-type accounts
	Other *OtherFilter `json:"other,omitempty"`
}

// TokenCashflowReport mirrors Plaid's LinkTokenCashflowReport schema.
//
// Configuration parameters for the Cashflow Report product. Currently in closed beta.
type TokenCashflowReport struct {
	// Number of days of transaction history to request in the Cashflow Report product.
	// Plaid's default: 365.
	DaysRequested *int `json:"days_requested,omitempty"`
}

// TokenCreateCardSwitch mirrors Plaid's LinkTokenCreateCardSwitch schema.
//
// A map containing data to pass in for the Card Switch flow.
type TokenCreateCardSwitch struct {
	// The BIN (Bank Identification Number) of the card to switch.
	CardBin string `json:"card_bin"`
}

// TokenCreateHostedLink mirrors Plaid's LinkTokenCreateHostedLink schema.
//
// Configuration parameters for Hosted Link. To enable the session for Hosted Link, send this
// object in the request.
type TokenCreateHostedLink struct {
	// How Plaid should deliver the Plaid Link session to the customer. Only available to customers
	// enabled for Link Delivery (beta).
	DeliveryMethod HostedLinkDeliveryMethod `json:"delivery_method,omitempty"`
	// URI that Hosted Link will redirect to upon completion of the Link flow. This will only occur in
	// Hosted Link sessions, not in other implementation methods.
	CompletionRedirectURI string `json:"completion_redirect_uri,omitempty"`
	// How many seconds the link will be valid for. Must be positive.
	URLLifetimeSeconds *int `json:"url_lifetime_seconds,omitempty"`
	// This indicates whether the client is opening Hosted Link in a mobile app in an
	// AsWebAuthenticationSession or Chrome custom tab.
	IsMobileApp *bool `json:"is_mobile_app,omitempty"`
}

// TokenCreateIdentity mirrors Plaid's LinkTokenCreateIdentity schema.
//
// Identity object used to specify document upload
type TokenCreateIdentity struct {
	// Used to specify whether the Link session is Identity Document Upload
	IsDocumentUpload *bool `json:"is_document_upload,omitempty"`
	// An array of account_ids. Currently can only contain one account_id.
	AccountIDs []string `json:"account_ids,omitempty"`
	// An array of parsing configurations. Valid parsing configurations are ocr and risk_signals.
	ParsingConfigs []IncomeVerificationDocParsingConfig `json:"parsing_configs,omitempty"`
}

// TokenCreateInstitutionData mirrors Plaid's LinkTokenCreateInstitutionData schema.
//
// A map containing data used to highlight institutions in Link.
type TokenCreateInstitutionData struct {
	// The routing number of the bank to highlight in Link. Note: in rare cases, a single routing
	// number can be associated with multiple institutions, e.g.
	RoutingNumber string `json:"routing_number,omitempty"`
}

// TokenCreateRequest mirrors Plaid's LinkTokenCreateRequest schema.
//
// LinkTokenCreateRequest defines the request schema for /link/token/create
type TokenCreateRequest struct {
	// The name of your application, as it should be displayed in Link. Maximum length of 30
	// characters.
	ClientName string `json:"client_name"`
	// The language that Link should be displayed in. When initializing with Identity Verification,
	// this field is not used; for more details, see Identity Verification supported languages.
	Language Language `json:"language"`
	// Specify an array of Plaid-supported country codes using the ISO-3166-1 alpha-2 country code
	// standard. Institutions from all listed countries will be shown.
	CountryCodes []CountryCode `json:"country_codes"`
	// An object specifying information about the end user who will be linking their account.
	// **Required** if user_id isn't included.
	User *TokenCreateRequestUser `json:"user,omitempty"`
	// A user_id generated using /user/create. Required for integrations that began using Plaid
	// Protect, Multi-Item Link, or Plaid Check Consumer Report after December 10, 2025.
	UserID string `json:"user_id,omitempty"`
	// List of Plaid product(s) that the linked Item must support. If launching Link in update mode,
	// should be omitted (unless you are using update mode to add a credit product, such as Assets,
	// Statements, Income, or Plaid Check Consumer Report, to an existing Item); at least one product
	// is required otherwise.
	Products []Product `json:"products,omitempty"`
	// List of Plaid product(s) you wish to use only if the institution and account(s) selected by the
	// user support the product. Institutions that do not support these products will still be shown in
	// Link.
	RequiredIfSupportedProducts []Product `json:"required_if_supported_products,omitempty"`
	// List of Plaid product(s) that will enhance the consumer's use case, but that your app can
	// function without. Plaid will attempt to fetch data for these products on a best-effort basis,
	// and failure to support these products will not affect Item creation.
	OptionalProducts []Product `json:"optional_products,omitempty"`
	// List of additional Plaid product(s) you wish to collect consent for to support your use case.
	// These products will not be billed until you start using them by calling the relevant endpoints.
	AdditionalConsentedProducts []Product `json:"additional_consented_products,omitempty"`
	// The destination URL to which any webhooks should be sent. Note that webhooks for Payment
	// Initiation (e-wallet transactions only), Transfer, Bank Transfer (including Auth micro-deposit
	// notification webhooks), Monitor, and Identity Verification are configured via the Dashboard
	// instead.
	Webhook string `json:"webhook,omitempty"`
	// The access_token associated with the Item to update or reference, used when updating, modifying,
	// or accessing an existing access_token. Used when launching Link in update mode, when completing
	// the Same-Day Micro-deposit (manual) flow, or (optionally) when initializing Link for a returning
	// user as part of the Transfer UI flow.
	AccessToken string `json:"access_token,omitempty"`
	// A list of access tokens associated with the items to update in Link update mode for the Assets
	// product. Using this instead of the access_token field allows the updating of multiple items at
	// once.
	AccessTokens []string `json:"access_tokens,omitempty"`
	// The name of the Link customization from the Plaid Dashboard to be applied to Link. If not
	// specified, the default customization will be used.
	LinkCustomizationName string `json:"link_customization_name,omitempty"`
	// Enum representing the desired appearance mode for Link, used to force light or dark modes or set
	// Link to change depending on user system settings. Currently in closed beta.
	AppearanceMode AppearanceMode `json:"appearance_mode,omitempty"`
	// A URI indicating the destination where a user should be forwarded after completing the Link
	// flow; used to support OAuth authentication flows when launching Link in the browser or another
	// app. The redirect_uri should not contain any query parameters.
	RedirectURI string `json:"redirect_uri,omitempty"`
	// The name of your app's Android package. Required if using the link_token to initialize Link on
	// Android.
	AndroidPackageName string `json:"android_package_name,omitempty"`
	// A map containing data used to highlight institutions in Link.
	InstitutionData *TokenCreateInstitutionData `json:"institution_data,omitempty"`
	// A map containing data to pass in for the Card Switch flow.
	CardSwitch *TokenCreateCardSwitch `json:"card_switch,omitempty"`
	// By default, Link will provide limited account filtering: it will only display Institutions that
	// are compatible with all products supplied in the products parameter of /link/token/create, and,
	// if auth is specified in the products array, will also filter out accounts other than checking,
	// savings, and cash management accounts on the Account Select pane.
	AccountFilters *TokenAccountFilters `json:"account_filters,omitempty"`
	// Configuration parameters for EU flows
	EUConfig *TokenEUConfig `json:"eu_config,omitempty"`
	// Used for certain legacy use cases
	InstitutionID string `json:"institution_id,omitempty"`
	// Specifies options for initializing Link for use with the Pay By Bank flow. This is an optional
	// field to configure the user experience, and currently requires the amount field to be set.
	PaymentConfiguration *TokenCreateRequestPaymentConfiguration `json:"payment_configuration,omitempty"`
	// Specifies options for initializing Link for use with the Payment Initiation (Europe) product.
	// This field is required if payment_initiation is included in the products array.
	PaymentInitiation *TokenCreateRequestPaymentInitiation `json:"payment_initiation,omitempty"`
	// Specifies options for initializing Link for use with the Employment product. This field is
	// required if employment is included in the products array.
	Employment *TokenCreateRequestEmployment `json:"employment,omitempty"`
	// Specifies options for initializing Link for use with the Income product. This field is required
	// if income_verification is included in the products array.
	IncomeVerification *TokenCreateRequestIncomeVerification `json:"income_verification,omitempty"`
	// Specifies options for initializing Link for use with the Base Report product. This field is
	// required if assets is included in the products array and the client is CRA-enabled.
	BaseReport *TokenCreateRequestBaseReport `json:"base_report,omitempty"`
	// Specifies options for initializing Link for use with the Credit Partner Insights product.
	CreditPartnerInsights *TokenCreateRequestCreditPartnerInsights `json:"credit_partner_insights,omitempty"`
	// Specifies options for initializing Link for use with Plaid Check products
	CRAOptions *TokenCreateRequestCraOptions `json:"cra_options,omitempty"`
	// Describes the reason you are generating a Consumer Report for this user. When calling
	// /link/token/create, this field is required when using Plaid Check (CRA) products; invalid if not
	// using Plaid Check (CRA) products.
	ConsumerReportPermissiblePurpose ConsumerReportPermissiblePurpose `json:"consumer_report_permissible_purpose,omitempty"`
	// Specifies options for initializing Link for use with the Auth product. This field can be used to
	// enable or disable extended Auth flows for the resulting Link session.
	Auth *TokenCreateRequestAuth `json:"auth,omitempty"`
	// Specifies options for initializing Link for use with the Transfer product.
	Transfer *TokenCreateRequestTransfer `json:"transfer,omitempty"`
	// Specifies options for initializing Link for update mode.
	Update *TokenCreateRequestUpdate `json:"update,omitempty"`
	// Specifies option for initializing Link for use with the Identity Verification product.
	IdentityVerification *TokenCreateRequestIdentityVerification `json:"identity_verification,omitempty"`
	// Specifies options for initializing Link for use with the Statements product. This field is
	// required for the statements product.
	Statements *TokenCreateRequestStatements `json:"statements,omitempty"`
	// A third party user token associated with the current user.
	ThirdPartyUserToken string `json:"third_party_user_token,omitempty"`
	// Configuration parameters for the Investments product
	Investments *TokenInvestments `json:"investments,omitempty"`
	// Configuration parameters for the Investments Move product
	InvestmentsAuth *TokenInvestmentsAuth `json:"investments_auth,omitempty"`
	// Configuration parameters for Hosted Link. To enable the session for Hosted Link, send this
	// object in the request.
	HostedLink *TokenCreateHostedLink `json:"hosted_link,omitempty"`
	// Configuration parameters for the Transactions product
	Transactions *TokenTransactions `json:"transactions,omitempty"`
	// Configuration parameters for the Cashflow Report product. Currently in closed beta.
	CashflowReport *TokenCashflowReport `json:"cashflow_report,omitempty"`
	// If true, request a CRA connection. Defaults to false.
	CRAEnabled *bool `json:"cra_enabled,omitempty"`
	// Identity object used to specify document upload
	Identity *TokenCreateIdentity `json:"identity,omitempty"`
	// If true, indicates that client supports linking FinanceKit / AppleCard items. Defaults to false.
	FinancekitSupported *bool `json:"financekit_supported,omitempty"`
	// If true, enable linking multiple items in the same Link session. Defaults to false.
	EnableMultiItemLink *bool `json:"enable_multi_item_link,omitempty"`
	// A user token generated using /user/create. Any Item created during the Link session will be
	// associated with the user.
	UserToken string `json:"user_token,omitempty"`
}

// TokenCreateRequestAuth mirrors Plaid's LinkTokenCreateRequestAuth schema.
//
// Specifies options for initializing Link for use with the Auth product. This field can be used to
// enable or disable extended Auth flows for the resulting Link session.
type TokenCreateRequestAuth struct {
	// Specifies whether Auth Type Select is enabled for the Link session, allowing the end user to
	// choose between linking via a credentials-based flow (i.e. Instant Auth, Instant Match, Automated
	// Micro-deposits) or a manual flow that does not require login (all other Auth flows) prior to
	// selecting their financial institution.
	AuthTypeSelectEnabled *bool `json:"auth_type_select_enabled,omitempty"`
	// Specifies whether the Link session is enabled for the Automated Micro-deposits flow. Default
	// behavior is false.
	AutomatedMicrodepositsEnabled *bool `json:"automated_microdeposits_enabled,omitempty"`
	// Specifies whether the Link session is enabled for the Instant Match flow. Instant Match is
	// enabled by default.
	InstantMatchEnabled *bool `json:"instant_match_enabled,omitempty"`
	// Specifies whether the Link session is enabled for the Same-Day Micro-deposits flow. Default
	// behavior is false.
	SameDayMicrodepositsEnabled *bool `json:"same_day_microdeposits_enabled,omitempty"`
	// Specifies whether the Link session is enabled for the Instant Micro-deposits flow. Default
	// behavior for Plaid teams created after November 2023 is false; default behavior for Plaid teams
	// created before that date is true.
	InstantMicrodepositsEnabled *bool `json:"instant_microdeposits_enabled,omitempty"`
	// Specifies what type of Reroute to Credentials pane should be used in the Link session for the
	// Same-Day Micro-deposits flow. Default behavior is OPTIONAL.
	RerouteToCredentials TokenCreateRequestAuthRerouteToCredentials `json:"reroute_to_credentials,omitempty"`
	// Database Match has been deprecated and replaced with Database Auth. Use the Account Verification
	// Dashboard to enable Database Auth.
	//
	// Deprecated: Plaid marks this field deprecated.
	DatabaseMatchEnabled *bool `json:"database_match_enabled,omitempty"`
	// Database Insights has been deprecated and replaced with Database Auth. Use the Account
	// Verification Dashboard to enable Database Auth.
	//
	// Deprecated: Plaid marks this field deprecated.
	DatabaseInsightsEnabled *bool `json:"database_insights_enabled,omitempty"`
	// This field has been deprecated in favor of auth_type_select_enabled.
	//
	// Deprecated: Plaid marks this field deprecated.
	FlowType TokenCreateRequestAuthFlowType `json:"flow_type,omitempty"`
	// Specifies whether the Link session is enabled for SMS micro-deposits verification. Default
	// behavior is true.
	SMSMicrodepositsVerificationEnabled *bool `json:"sms_microdeposits_verification_enabled,omitempty"`
}

// TokenCreateRequestBaseReport mirrors Plaid's LinkTokenCreateRequestBaseReport schema.
//
// Specifies options for initializing Link for use with the Base Report product. This field is
// required if assets is included in the products array and the client is CRA-enabled.
type TokenCreateRequestBaseReport struct {
	// The maximum integer number of days of history to include in the Base Report.
	DaysRequested int `json:"days_requested"`
	// Client-generated identifier, which can be used by lenders to track loan applications.
	ClientReportID string `json:"client_report_id,omitempty"`
}

// TokenCreateRequestCraOptions mirrors Plaid's LinkTokenCreateRequestCraOptions schema.
//
// Specifies options for initializing Link for use with Plaid Check products
type TokenCreateRequestCraOptions struct {
	// The number of days of history to include in Plaid Check products. Maximum is 731; minimum is
	// 180.
	DaysRequested int `json:"days_requested"`
	// The minimum number of days of data required for the report to be successfully generated.
	DaysRequired *int `json:"days_required,omitempty"`
	// Client-generated identifier, which can be used by lenders to track loan applications.
	ClientReportID string `json:"client_report_id,omitempty"`
	// Specifies options for initializing Link for use with the Credit Partner Insights product.
	PartnerInsights *TokenCreateRequestCraOptionsPartnerInsights `json:"partner_insights,omitempty"`
	// Specifies options for initializing Link for use with the Base Report product, specifically the
	// client_report_id.
	BaseReport *TokenCreateRequestCraOptionsBaseReport `json:"base_report,omitempty"`
	// Specifies options for initializing Link for use with the Cashflow Insights product.
	CashflowInsights *TokenCreateRequestCraOptionsCashflowInsights `json:"cashflow_insights,omitempty"`
	// Specifies options for initializing Link for use with the CRA LendScore product.
	LendScore *TokenCreateRequestCraOptionsLendScore `json:"lend_score,omitempty"`
	// Specifies options for initializing Link for use with the CRA Network Insights product.
	NetworkInsights *TokenCreateRequestCraOptionsNetworkInsights `json:"network_insights,omitempty"`
	// Indicates that investment data should be extracted from the linked account(s).
	IncludeInvestments *bool `json:"include_investments,omitempty"`
	// Specifies options for initializing Link for use with the CRA Income Insights product.
	IncomeInsights *TokenCreateRequestCraOptionsIncomeInsights `json:"income_insights,omitempty"`
}

// TokenCreateRequestCraOptionsBaseReport mirrors Plaid's LinkTokenCreateRequestCraOptionsBaseReport schema.
//
// Specifies options for initializing Link for use with the Base Report product, specifically the
// client_report_id.
type TokenCreateRequestCraOptionsBaseReport struct {
	// Client-generated identifier, which can be used by lenders to track loan applications.
	ClientReportID string `json:"client_report_id,omitempty"`
	// Specifies options for initializing Link to create reports that can be shared with GSEs for
	// mortgage verification.
	GSEOptions *TokenCreateRequestCraOptionsBaseReportGSEOptions `json:"gse_options,omitempty"`
	// Indicates that the report must include identity information. If identity information is not
	// available, the report will fail.
	RequireIdentity *bool `json:"require_identity,omitempty"`
	// Options for configuring Home Lending Report (Verification Report) generation.
	HomeLendingReportOptions *CraCheckReportHomeLendingReportOptions `json:"home_lending_report_options,omitempty"`
}

// TokenCreateRequestCraOptionsBaseReportGSEOptions mirrors Plaid's LinkTokenCreateRequestCraOptionsBaseReportGSEOptions schema.
//
// Specifies options for initializing Link to create reports that can be shared with GSEs for
// mortgage verification.
type TokenCreateRequestCraOptionsBaseReportGSEOptions struct {
	// Specifies which types of reports should be made available to GSEs.
	ReportTypes []GSEReportType `json:"report_types"`
}

// TokenCreateRequestCraOptionsCashflowInsights mirrors Plaid's LinkTokenCreateRequestCraOptionsCashflowInsights schema.
//
// Specifies options for initializing Link for use with the Cashflow Insights product.
type TokenCreateRequestCraOptionsCashflowInsights struct {
	// The version of cashflow attributes. Required if using Cash Flow Insights.
	AttributesVersion CashflowAttributesVersion `json:"attributes_version,omitempty"`
}

// TokenCreateRequestCraOptionsIncomeInsights mirrors Plaid's LinkTokenCreateRequestCraOptionsIncomeInsights schema.
//
// Specifies options for initializing Link for use with the CRA Income Insights product.
type TokenCreateRequestCraOptionsIncomeInsights struct {
	// Filters the returned income streams based on the specified income categories.
	IncomeInsightsFilter *IncomeInsightsFilter `json:"income_insights_filter,omitempty"`
	// The version of Income Insights to use. Plaid requires the field but allows null, which is
	// what nil sends; [Ptr] sets a version:
	//
	//	IncomeInsightsVersion: link.Ptr(link.IncomeInsightsVersionII2)
	IncomeInsightsVersion *IncomeInsightsVersion `json:"income_insights_version"`
}

// TokenCreateRequestCraOptionsLendScore mirrors Plaid's LinkTokenCreateRequestCraOptionsLendScore schema.
//
// Specifies options for initializing Link for use with the CRA LendScore product.
type TokenCreateRequestCraOptionsLendScore struct {
	// The version of the LendScore to use. Required if using LendScore.
	LendScoreVersion PlaidLendScoreVersion `json:"lend_score_version,omitempty"`
}

// TokenCreateRequestCraOptionsNetworkInsights mirrors Plaid's LinkTokenCreateRequestCraOptionsNetworkInsights schema.
//
// Specifies options for initializing Link for use with the CRA Network Insights product.
type TokenCreateRequestCraOptionsNetworkInsights struct {
	// The version of Network Insights. Required if using Network Insights.
	NetworkInsightsVersion NetworkInsightsVersion `json:"network_insights_version,omitempty"`
}

// TokenCreateRequestCraOptionsPartnerInsights mirrors Plaid's LinkTokenCreateRequestCraOptionsPartnerInsights schema.
//
// Specifies options for initializing Link for use with the Credit Partner Insights product.
type TokenCreateRequestCraOptionsPartnerInsights struct {
	// The versions of Prism products to evaluate
	PrismVersions *PrismVersions `json:"prism_versions,omitempty"`
	// Configurations for FICO products used in the Partner Insights flow.
	FICO *CraPartnerInsightsFicoInput `json:"fico,omitempty"`
	// The Prism products to run. Plaid's reference text lists this field (values insights, scores);
	// its OpenAPI description lacks it.
	PrismProducts []PrismProduct `json:"prism_products,omitempty"`
}

// TokenCreateRequestCreditPartnerInsights mirrors Plaid's LinkTokenCreateRequestCreditPartnerInsights schema.
//
// Specifies options for initializing Link for use with the Credit Partner Insights product.
type TokenCreateRequestCreditPartnerInsights struct {
	// The maximum integer number of days of history to compute Credit Partner Insights. Defaults to
	// 180 if not specified
	DaysRequested *int `json:"days_requested,omitempty"`
}

// TokenCreateRequestEmployment mirrors Plaid's LinkTokenCreateRequestEmployment schema.
//
// Specifies options for initializing Link for use with the Employment product. This field is
// required if employment is included in the products array.
type TokenCreateRequestEmployment struct {
	// The types of source employment data that users will be permitted to share. Options include bank
	// and payroll.
	EmploymentSourceTypes []EmploymentSourceType `json:"employment_source_types,omitempty"`
	// Specifies options for initializing Link for use with Bank Employment. This field is required if
	// employment is included in the products array and bank is specified in employment_source_types.
	BankEmployment *TokenCreateRequestEmploymentBankIncome `json:"bank_employment,omitempty"`
}

// TokenCreateRequestEmploymentBankIncome mirrors Plaid's LinkTokenCreateRequestEmploymentBankIncome schema.
//
// Specifies options for initializing Link for use with Bank Employment. This field is required if
// employment is included in the products array and bank is specified in employment_source_types.
type TokenCreateRequestEmploymentBankIncome struct {
	// The number of days of data to request for the Bank Employment product.
	DaysRequested int `json:"days_requested"`
}

// TokenCreateRequestIdentityVerification mirrors Plaid's LinkTokenCreateRequestIdentityVerification schema.
//
// Specifies option for initializing Link for use with the Identity Verification product.
type TokenCreateRequestIdentityVerification struct {
	TemplateID string `json:"template_id"`
	Consent    *bool  `json:"consent,omitempty"`
	// A flag specifying whether the end user has already agreed to a privacy policy specifying that
	// their data will be shared with Plaid for verification purposes. If gave_consent is set to true,
	// the accept_tos step will be marked as skipped and the end user's session will start at the next
	// step requirement.
	GaveConsent *bool `json:"gave_consent,omitempty"`
}

// TokenCreateRequestIncomeVerification mirrors Plaid's LinkTokenCreateRequestIncomeVerification schema.
//
// Specifies options for initializing Link for use with the Income product. This field is required
// if income_verification is included in the products array.
type TokenCreateRequestIncomeVerification struct {
	// The income_verification_id of the verification instance, as provided by
	// /income/verification/create. Replaced by the user token.
	//
	// Deprecated: Plaid marks this field deprecated.
	IncomeVerificationID string `json:"income_verification_id,omitempty"`
	// The asset_report_id of an asset report associated with the user, as provided by
	// /asset_report/create. Providing an asset_report_id is optional and can be used to verify the
	// user through a streamlined flow.
	AssetReportID string `json:"asset_report_id,omitempty"`
	// An array of access tokens corresponding to Items that a user has previously connected with. Data
	// from these institutions will be cross-referenced with document data received during the Document
	// Income flow to help verify that the uploaded documents are accurate.
	AccessTokens []string `json:"access_tokens,omitempty"`
	// The types of source income data that users will be permitted to share. Options include bank and
	// payroll.
	IncomeSourceTypes []IncomeVerificationSourceType `json:"income_source_types,omitempty"`
	// Specifies options for initializing Link for use with Bank Income. This field is required if
	// income_verification is included in the products array and bank is specified in
	// income_source_types.
	BankIncome *TokenCreateRequestIncomeVerificationBankIncome `json:"bank_income,omitempty"`
	// Specifies options for initializing Link for use with Payroll Income (including Document Income).
	// Further customization options for Document Income, such as customizing which document types may
	// be uploaded, are also available via the Link Customization pane in the Dashboard.
	PayrollIncome *TokenCreateRequestIncomeVerificationPayrollIncome `json:"payroll_income,omitempty"`
	// A list of user stated income sources
	StatedIncomeSources []TokenCreateRequestUserStatedIncomeSource `json:"stated_income_sources,omitempty"`
}

// TokenCreateRequestIncomeVerificationBankIncome mirrors Plaid's LinkTokenCreateRequestIncomeVerificationBankIncome schema.
//
// Specifies options for initializing Link for use with Bank Income. This field is required if
// income_verification is included in the products array and bank is specified in
// income_source_types.
type TokenCreateRequestIncomeVerificationBankIncome struct {
	// The number of days of data to request for the Bank Income product
	DaysRequested int `json:"days_requested"`
	// Whether to enable multiple Items to be added in the Link session. This setting is deprecated and
	// has been replaced by the more general enable_multi_item_link setting, which supports all
	// products.
	//
	// Deprecated: Plaid marks this field deprecated.
	// Plaid's default: false.
	EnableMultipleItems *bool `json:"enable_multiple_items,omitempty"`
}

// TokenCreateRequestIncomeVerificationPayrollIncome mirrors Plaid's LinkTokenCreateRequestIncomeVerificationPayrollIncome schema.
//
// Specifies options for initializing Link for use with Payroll Income (including Document Income).
// Further customization options for Document Income, such as customizing which document types may
// be uploaded, are also available via the Link Customization pane in the Dashboard.
type TokenCreateRequestIncomeVerificationPayrollIncome struct {
	// The types of payroll income verification to enable for the Link session. If none are specified,
	// then users will see both document and digital payroll income.
	FlowTypes []IncomeVerificationPayrollFlowType `json:"flow_types,omitempty"`
	// An identifier to indicate whether the income verification Link token will be used for update
	// mode. This field is only relevant for participants in the Payroll Income Refresh beta.
	// Plaid's default: false.
	IsUpdateMode *bool `json:"is_update_mode,omitempty"`
	// Uniquely identify a payroll income Item to update with. This field is only relevant for
	// participants in the Payroll Income Refresh beta.
	ItemIDToUpdate string `json:"item_id_to_update,omitempty"`
	// The types of analysis to enable for document uploads. If this field is not provided, then docs
	// will undergo OCR parsing only.
	ParsingConfig []IncomeVerificationDocParsingConfig `json:"parsing_config,omitempty"`
}

// TokenCreateRequestPaymentConfiguration mirrors Plaid's LinkTokenCreateRequestPaymentConfiguration schema.
//
// Specifies options for initializing Link for use with the Pay By Bank flow. This is an optional
// field to configure the user experience, and currently requires the amount field to be set.
type TokenCreateRequestPaymentConfiguration struct {
	// The amount of the transfer (decimal string with two digits of precision e.g. "10.00").
	Amount string `json:"amount"`
	// The description of the transfer that provides the payment context. The max length is 256.
	Description string `json:"description,omitempty"`
}

// TokenCreateRequestPaymentInitiation mirrors Plaid's LinkTokenCreateRequestPaymentInitiation schema.
//
// Specifies options for initializing Link for use with the Payment Initiation (Europe) product.
// This field is required if payment_initiation is included in the products array.
type TokenCreateRequestPaymentInitiation struct {
	// The payment_id provided by the /payment_initiation/payment/create endpoint.
	PaymentID string `json:"payment_id,omitempty"`
	// The consent_id provided by the /payment_initiation/consent/create endpoint.
	ConsentID string `json:"consent_id,omitempty"`
}

// TokenCreateRequestStatements mirrors Plaid's LinkTokenCreateRequestStatements schema.
//
// Specifies options for initializing Link for use with the Statements product. This field is
// required for the statements product.
type TokenCreateRequestStatements struct {
	// The start date for statements, in ISO 8601 "YYYY-MM-DD" format, e.g. "2020-10-30".
	StartDate Date `json:"start_date"`
	// The end date for statements, in ISO 8601 "YYYY-MM-DD" format, e.g. "2020-10-30".
	EndDate Date `json:"end_date"`
}

// TokenCreateRequestTransfer mirrors Plaid's LinkTokenCreateRequestTransfer schema.
//
// Specifies options for initializing Link for use with the Transfer product.
type TokenCreateRequestTransfer struct {
	// The id returned by the /transfer/intent/create endpoint.
	IntentID string `json:"intent_id,omitempty"`
	// The id returned by the /transfer/authorization/create endpoint. Used to indicate Link session to
	// complete required user action in order to make a decision for the authorization.
	AuthorizationID string `json:"authorization_id,omitempty"`
	// The payment_profile_token returned by the /payment_profile/create endpoint.
	PaymentProfileToken string `json:"payment_profile_token,omitempty"`
}

// TokenCreateRequestUpdate mirrors Plaid's LinkTokenCreateRequestUpdate schema.
//
// Specifies options for initializing Link for update mode.
type TokenCreateRequestUpdate struct {
	// If true, enables update mode with Account Select for institutions in the US and Canada that do
	// not use OAuth, or that use OAuth but do not have their own account selection flow. For
	// institutions in the US that have an OAuth account selection flow (i.e.
	// Plaid's default: false.
	AccountSelectionEnabled *bool `json:"account_selection_enabled,omitempty"`
	// Note: this field is not currently used. Plaid may enable this field in the future if
	// 1033-related expiration begins to be enforced.
	ReauthorizationEnabled *bool `json:"reauthorization_enabled,omitempty"`
	// If true, a user_token must also be provided, and Link will open in update mode for the given
	// user.
	// Plaid's default: false.
	User *bool `json:"user,omitempty"`
	// An array of item_ids associated with the user to be updated in update mode. If empty or null,
	// this field will default to initializing update mode for the most recent unhealthy Item
	// associated with the user.
	ItemIDs []string `json:"item_ids,omitempty"`
}

// TokenCreateRequestUser mirrors Plaid's LinkTokenCreateRequestUser schema.
//
// An object specifying information about the end user who will be linking their account.
// **Required** if user_id isn't included.
type TokenCreateRequestUser struct {
	// A unique ID representing the end user. Typically this will be a user ID number from your
	// application.
	ClientUserID string `json:"client_user_id"`
	// The user's full legal name, used for micro-deposit based verification flows. For a small number
	// of customers on legacy flows, providing this field is required to enable micro-deposit-based
	// flows.
	LegalName string                               `json:"legal_name,omitempty"`
	Name      *IdentityVerificationRequestUserName `json:"name,omitempty"`
	// The user's phone number in E.164 format. If supplied, will be used when applicable to prefill
	// phone number fields in Link for the returning user flow and the Identity Verification flow.
	PhoneNumber string `json:"phone_number,omitempty"`
	// The date and time the phone number was verified in ISO 8601 format (YYYY-MM-DDThh:mm:ssZ). This
	// was previously an optional field used in the returning user experience.
	//
	// Deprecated: Plaid marks this field deprecated.
	PhoneNumberVerifiedTime time.Time `json:"phone_number_verified_time,omitzero"`
	// The user's email address. Can be used to prefill Link fields when used with Identity
	// Verification.
	EmailAddress string `json:"email_address,omitempty"`
	// The date and time the email address was verified in ISO 8601 format (YYYY-MM-DDThh:mm:ssZ). This
	// was previously an optional field used in the returning user experience.
	//
	// Deprecated: Plaid marks this field deprecated.
	EmailAddressVerifiedTime time.Time `json:"email_address_verified_time,omitzero"`
	// Deprecated and not currently used, use the id_number field instead.
	//
	// Deprecated: Plaid marks this field deprecated.
	SSN string `json:"ssn,omitempty"`
	// To be provided in the format "yyyy-mm-dd". Can be used to prefill Link fields when used with
	// Identity Verification.
	DateOfBirth Date          `json:"date_of_birth,omitzero"`
	Address     *UserAddress  `json:"address,omitempty"`
	IDNumber    *UserIDNumber `json:"id_number,omitempty"`
}

// TokenCreateRequestUserStatedIncomeSource mirrors Plaid's LinkTokenCreateRequestUserStatedIncomeSource schema.
//
// Specifies user stated income sources for the Income product
type TokenCreateRequestUserStatedIncomeSource struct {
	// The employer corresponding to an income source specified by the user
	Employer string `json:"employer,omitempty"`
	// The income category for a specified income source
	Category UserStatedIncomeSourceCategory `json:"category,omitempty"`
	// The income amount paid per cycle for a specified income source
	PayPerCycle *float64 `json:"pay_per_cycle,omitempty"`
	// The income amount paid annually for a specified income source
	PayAnnual *float64 `json:"pay_annual,omitempty"`
	// The pay type - GROSS, NET, or UNKNOWN for a specified income source
	PayType UserStatedIncomeSourcePayType `json:"pay_type,omitempty"`
	// The pay frequency of a specified income source
	PayFrequency UserStatedIncomeSourceFrequency `json:"pay_frequency,omitempty"`
}

// TokenCreateResponse mirrors Plaid's LinkTokenCreateResponse schema.
//
// LinkTokenCreateResponse defines the response schema for /link/token/create
type TokenCreateResponse struct {
	// A link_token, which can be supplied to Link in order to initialize it and receive a
	// public_token, which can be exchanged for an access_token.
	LinkToken string `json:"link_token"`
	// The expiration date and time for the link_token, in ISO 8601 format. By default, a link_token
	// created to generate a public_token that will be exchanged for a new access_token expires after 4
	// hours, and a link_token created for an existing Item (such as when updating an existing
	// access_token by launching Link in update mode) expires after 30 minutes.
	Expiration time.Time `json:"expiration"`
	// A unique identifier for the request, which can be used for troubleshooting. This identifier,
	// like all Plaid identifiers, is case sensitive.
	RequestID string `json:"request_id"`
	// A URL of a Plaid-hosted Link flow that will use the Link token returned by this request. Only
	// present if the session is enabled for Hosted Link.
	HostedLinkURL string `json:"hosted_link_url,omitempty"`
	// A unique user identifier, created by /user/create. Integrations that began using /user/create
	// after December 10, 2025 use this field to identify a user instead of the user_token.
	UserID string `json:"user_id,omitempty"`
}

// TokenEUConfig mirrors Plaid's LinkTokenEUConfig schema.
//
// Configuration parameters for EU flows
type TokenEUConfig struct {
	// If true, open Link without an initial UI. Defaults to false.
	Headless *bool `json:"headless,omitempty"`
}

// TokenInvestments mirrors Plaid's LinkTokenInvestments schema.
//
// Configuration parameters for the Investments product
type TokenInvestments struct {
	// If true, allow self-custody crypto wallets to be added without requiring signature verification.
	// Defaults to false.
	AllowUnverifiedCryptoWallets *bool `json:"allow_unverified_crypto_wallets,omitempty"`
	// If true, allow users to manually enter Investments account and holdings information. Defaults to
	// false.
	AllowManualEntry *bool `json:"allow_manual_entry,omitempty"`
}

// TokenInvestmentsAuth mirrors Plaid's LinkTokenInvestmentsAuth schema.
//
// Configuration parameters for the Investments Move product
type TokenInvestmentsAuth struct {
	// If true, show institutions that use the manual entry fallback flow.
	// Plaid's default: false.
	ManualEntryEnabled *bool `json:"manual_entry_enabled,omitempty"`
	// If true, show institutions that use the masked number match fallback flow.
	// Plaid's default: false.
	MaskedNumberMatchEnabled *bool `json:"masked_number_match_enabled,omitempty"`
	// If true, show institutions that use the stated account number fallback flow.
	// Plaid's default: false.
	StatedAccountNumberEnabled *bool `json:"stated_account_number_enabled,omitempty"`
	// If true, the fee and contribution details for 401k accounts will be returned.
	// Plaid's default: false.
	Rollover401kEnabled *bool `json:"rollover_401k_enabled,omitempty"`
}

// TokenTransactions mirrors Plaid's LinkTokenTransactions schema.
//
// Configuration parameters for the Transactions product
type TokenTransactions struct {
	// The maximum number of days of transaction history to request for the Transactions product. The
	// more transaction history is requested, the longer the historical update poll will take.
	// Plaid's default: 90.
	DaysRequested *int `json:"days_requested,omitempty"`
}

// LoanFilter mirrors Plaid's LoanFilter schema.
//
// A filter to apply to loan-type accounts
type LoanFilter struct {
	// An array of account subtypes to display in Link. If not specified, all account subtypes will be
	// shown.
	AccountSubtypes []LoanAccountSubtype `json:"account_subtypes"`
}

// OtherFilter mirrors Plaid's OtherFilter schema.
//
// A filter to apply to other-type accounts
type OtherFilter struct {
	// An array of account subtypes to display in Link. If not specified, all account subtypes will be
	// shown.
	AccountSubtypes []OtherAccountSubtype `json:"account_subtypes"`
}

// PrismVersions mirrors Plaid's PrismVersions schema.
//
// The versions of Prism products to evaluate
type PrismVersions struct {
	// The version of Prism FirstDetect. If not specified, will default to v3.
	Firstdetect PrismFirstDetectVersion `json:"firstdetect,omitempty"`
	// The version of Prism Detect
	Detect PrismDetectVersion `json:"detect,omitempty"`
	// The version of Prism CashScore. If not specified, will default to v3.
	Cashscore PrismCashScoreVersion `json:"cashscore,omitempty"`
	// The version of Prism Extend
	Extend PrismExtendVersion `json:"extend,omitempty"`
	// The version of Prism Insights. If not specified, will default to v3.
	Insights PrismInsightsVersion `json:"insights,omitempty"`
}

// UserAddress mirrors Plaid's UserAddress schema.
//
// Home address for the user. Supported values are: not provided, address with only country code or
// full address.
type UserAddress struct {
	// The primary street portion of an address. If an address is provided, this field will always be
	// filled.
	Street string `json:"street,omitempty"`
	// Extra street information, like an apartment or suite number. If provided, a string with at least
	// one non-whitespace character, with a max length of 50 characters.
	Street2 string `json:"street2,omitempty"`
	// City from the address. A string with at least one non-whitespace alphabetical character, with a
	// max length of 100 characters.
	City string `json:"city,omitempty"`
	// A subdivision code. "Subdivision" is a generic term for "state", "province", "prefecture",
	// "zone", etc.
	Region string `json:"region,omitempty"`
	// The postal code for the associated address. Between 2 and 10 alphanumeric characters.
	PostalCode string `json:"postal_code,omitempty"`
	// Valid, capitalized, two-letter ISO code representing the country of this object. Must be in ISO
	// 3166-1 alpha-2 form.
	Country string `json:"country"`
}

// UserIDNumber mirrors Plaid's UserIDNumber schema.
//
// ID number submitted by the user, currently used only for the Identity Verification product. If
// the user has not submitted this data yet, this field will be null.
type UserIDNumber struct {
	// Value of the identity document typed in by the user. Alpha-numeric, with all formatting
	// characters stripped.
	Value string `json:"value"`
	// A globally unique and human readable ID type, specific to the country and document category. For
	// more context on this field, see Input Validation Rules.
	Type IDNumberType `json:"type"`
}
