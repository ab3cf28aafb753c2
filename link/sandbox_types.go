package link

// SandboxItemResetLoginRequest mirrors Plaid's SandboxItemResetLoginRequest schema.
//
// SandboxItemResetLoginRequest defines the request schema for /sandbox/item/reset_login
type SandboxItemResetLoginRequest struct {
	// The access token associated with the Item for which data is being requested.
	AccessToken string `json:"access_token"`
}

// SandboxItemResetLoginResponse mirrors Plaid's SandboxItemResetLoginResponse schema.
//
// SandboxItemResetLoginResponse defines the response schema for /sandbox/item/reset_login
type SandboxItemResetLoginResponse struct {
	// true if the call succeeded
	ResetLogin bool `json:"reset_login"`
	// A unique identifier for the request, which can be used for troubleshooting. This identifier,
	// like all Plaid identifiers, is case sensitive.
	RequestID string `json:"request_id"`
}

// SandboxPublicTokenCreateRequest mirrors Plaid's SandboxPublicTokenCreateRequest schema.
//
// SandboxPublicTokenCreateRequest defines the request schema for /sandbox/public_token/create
type SandboxPublicTokenCreateRequest struct {
	// The ID of the institution the Item will be associated with
	InstitutionID string `json:"institution_id"`
	// The products to initially pull for the Item. May be any products that the specified
	// institution_id supports.
	InitialProducts []Product `json:"initial_products"`
	// An optional set of options to be used when configuring the Item. If specified, must not be null.
	Options *SandboxPublicTokenCreateRequestOptions `json:"options,omitempty"`
	// The user token associated with the user for which data is being requested. This field is used
	// only by customers with pre-existing integrations that already use the user_token field.
	UserToken string `json:"user_token,omitempty"`
	// A unique user identifier, created by /user/create. Integrations that began using /user/create
	// after December 10, 2025 use this field to identify a user instead of the user_token.
	UserID string `json:"user_id,omitempty"`
}

// SandboxPublicTokenCreateRequestIncomeVerificationBankIncome mirrors Plaid's SandboxPublicTokenCreateRequestIncomeVerificationBankIncome schema.
//
// Specifies options for Bank Income. This field is required if income_verification is included in
// the initial_products array and bank is specified in income_source_types.
type SandboxPublicTokenCreateRequestIncomeVerificationBankIncome struct {
	// The number of days of data to request for the Bank Income product
	DaysRequested *int `json:"days_requested,omitempty"`
}

// SandboxPublicTokenCreateRequestOptions mirrors Plaid's SandboxPublicTokenCreateRequestOptions schema.
//
// An optional set of options to be used when configuring the Item. If specified, must not be null.
type SandboxPublicTokenCreateRequestOptions struct {
	// Specify a webhook to associate with the new Item.
	Webhook string `json:"webhook,omitempty"`
	// Test username to use for the creation of the Sandbox Item. Default value is user_good.
	OverrideUsername string `json:"override_username,omitempty"`
	// Test password to use for the creation of the Sandbox Item. Default value is pass_good.
	OverridePassword string `json:"override_password,omitempty"`
	// An optional set of parameters corresponding to transactions options.
	Transactions *SandboxPublicTokenCreateRequestOptionsTransactions `json:"transactions,omitempty"`
	// An optional set of parameters corresponding to statements options.
	Statements *SandboxPublicTokenCreateRequestOptionsStatements `json:"statements,omitempty"`
	// A set of parameters for income verification options. This field is required if
	// income_verification is included in the initial_products array.
	IncomeVerification *SandboxPublicTokenCreateRequestOptionsIncomeVerification `json:"income_verification,omitempty"`
}

// SandboxPublicTokenCreateRequestOptionsIncomeVerification mirrors Plaid's SandboxPublicTokenCreateRequestOptionsIncomeVerification schema.
//
// A set of parameters for income verification options. This field is required if
// income_verification is included in the initial_products array.
type SandboxPublicTokenCreateRequestOptionsIncomeVerification struct {
	// The types of source income data that users will be permitted to share. Options include bank and
	// payroll.
	IncomeSourceTypes []IncomeVerificationSourceType `json:"income_source_types,omitempty"`
	// Specifies options for Bank Income. This field is required if income_verification is included in
	// the initial_products array and bank is specified in income_source_types.
	BankIncome *SandboxPublicTokenCreateRequestIncomeVerificationBankIncome `json:"bank_income,omitempty"`
}

// SandboxPublicTokenCreateRequestOptionsStatements mirrors Plaid's SandboxPublicTokenCreateRequestOptionsStatements schema.
//
// An optional set of parameters corresponding to statements options.
type SandboxPublicTokenCreateRequestOptionsStatements struct {
	// The earliest date for which to fetch statements history. Dates should be formatted as YYYY-MM-
	// DD.
	StartDate Date `json:"start_date"`
	// The most recent date for which to fetch statements history. Dates should be formatted as YYYY-
	// MM-DD.
	EndDate Date `json:"end_date"`
}

// SandboxPublicTokenCreateRequestOptionsTransactions mirrors Plaid's SandboxPublicTokenCreateRequestOptionsTransactions schema.
//
// An optional set of parameters corresponding to transactions options.
type SandboxPublicTokenCreateRequestOptionsTransactions struct {
	// The earliest date for which to fetch transaction history. Dates should be formatted as YYYY-MM-
	// DD.
	StartDate Date `json:"start_date,omitzero"`
	// The most recent date for which to fetch transaction history. Dates should be formatted as YYYY-
	// MM-DD.
	EndDate Date `json:"end_date,omitzero"`
	// The maximum number of days of transaction history to request for the Transactions product.
	// Plaid's default: 90.
	DaysRequested *int `json:"days_requested,omitempty"`
}

// SandboxPublicTokenCreateResponse mirrors Plaid's SandboxPublicTokenCreateResponse schema.
//
// SandboxPublicTokenCreateResponse defines the response schema for /sandbox/public_token/create
type SandboxPublicTokenCreateResponse struct {
	// A public token that can be exchanged for an access token using /item/public_token/exchange
	PublicToken string `json:"public_token"`
	// A unique identifier for the request, which can be used for troubleshooting. This identifier,
	// like all Plaid identifiers, is case sensitive.
	RequestID string `json:"request_id"`
}
