package link

// CashflowAttributesVersion is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// The version of cashflow attributes. Required if using Cash Flow Insights.
type CashflowAttributesVersion string

// Known CashflowAttributesVersion values.
const (
	CashflowAttributesVersionV10  CashflowAttributesVersion = "v1.0"
	CashflowAttributesVersionV20  CashflowAttributesVersion = "v2.0"
	CashflowAttributesVersionCFI1 CashflowAttributesVersion = "CFI1"
)

// ConsumerReportPermissiblePurpose is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// Describes the reason you are generating a Consumer Report for this user. When calling
// /link/token/create, this field is required when using Plaid Check (CRA) products; invalid if not
// using Plaid Check (CRA) products.
type ConsumerReportPermissiblePurpose string

// Known ConsumerReportPermissiblePurpose values.
const (
	ConsumerReportPermissiblePurposeAccountReviewCredit                   ConsumerReportPermissiblePurpose = "ACCOUNT_REVIEW_CREDIT"
	ConsumerReportPermissiblePurposeAccountReviewNonCredit                ConsumerReportPermissiblePurpose = "ACCOUNT_REVIEW_NON_CREDIT"
	ConsumerReportPermissiblePurposeExtensionOfCredit                     ConsumerReportPermissiblePurpose = "EXTENSION_OF_CREDIT"
	ConsumerReportPermissiblePurposeLegitimateBusinessNeedTenantScreening ConsumerReportPermissiblePurpose = "LEGITIMATE_BUSINESS_NEED_TENANT_SCREENING"
	ConsumerReportPermissiblePurposeLegitimateBusinessNeedOther           ConsumerReportPermissiblePurpose = "LEGITIMATE_BUSINESS_NEED_OTHER"
	ConsumerReportPermissiblePurposeWrittenInstructionPrequalification    ConsumerReportPermissiblePurpose = "WRITTEN_INSTRUCTION_PREQUALIFICATION"
	ConsumerReportPermissiblePurposeWrittenInstructionOther               ConsumerReportPermissiblePurpose = "WRITTEN_INSTRUCTION_OTHER"
	ConsumerReportPermissiblePurposeEligibilityForGovtBenefits            ConsumerReportPermissiblePurpose = "ELIGIBILITY_FOR_GOVT_BENEFITS"
)

// CountryCode is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// ISO-3166-1 alpha-2 country code standard.
type CountryCode string

// Known CountryCode values.
const (
	CountryCodeUS CountryCode = "US"
	CountryCodeGB CountryCode = "GB"
	CountryCodeES CountryCode = "ES"
	CountryCodeNL CountryCode = "NL"
	CountryCodeFR CountryCode = "FR"
	CountryCodeIE CountryCode = "IE"
	CountryCodeCA CountryCode = "CA"
	CountryCodeDE CountryCode = "DE"
	CountryCodeIT CountryCode = "IT"
	CountryCodePL CountryCode = "PL"
	CountryCodeDK CountryCode = "DK"
	CountryCodeNO CountryCode = "NO"
	CountryCodeSE CountryCode = "SE"
	CountryCodeEE CountryCode = "EE"
	CountryCodeLT CountryCode = "LT"
	CountryCodeLV CountryCode = "LV"
	CountryCodePT CountryCode = "PT"
	CountryCodeBE CountryCode = "BE"
	CountryCodeAT CountryCode = "AT"
	CountryCodeFI CountryCode = "FI"
)

// CraCheckReportVerificationGetReportType is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// Type of home lending report.
type CraCheckReportVerificationGetReportType string

// Known CraCheckReportVerificationGetReportType values.
const (
	CraCheckReportVerificationGetReportTypeVOA               CraCheckReportVerificationGetReportType = "VOA"
	CraCheckReportVerificationGetReportTypeEmploymentRefresh CraCheckReportVerificationGetReportType = "EMPLOYMENT_REFRESH"
	CraCheckReportVerificationGetReportTypeIncome            CraCheckReportVerificationGetReportType = "INCOME"
)

// CraPartnerInsightsBaseFicoScoreVersion is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// The version of the base FICO score model.
type CraPartnerInsightsBaseFicoScoreVersion string

// Known CraPartnerInsightsBaseFicoScoreVersion values.
const (
	CraPartnerInsightsBaseFicoScoreVersion8   CraPartnerInsightsBaseFicoScoreVersion = "8"
	CraPartnerInsightsBaseFicoScoreVersion9   CraPartnerInsightsBaseFicoScoreVersion = "9"
	CraPartnerInsightsBaseFicoScoreVersion10  CraPartnerInsightsBaseFicoScoreVersion = "10"
	CraPartnerInsightsBaseFicoScoreVersion10T CraPartnerInsightsBaseFicoScoreVersion = "10T"
)

// CraPartnerInsightsBureau is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// The credit bureau that provided the base FICO score.
type CraPartnerInsightsBureau string

// Known CraPartnerInsightsBureau values.
const (
	CraPartnerInsightsBureauEquifax    CraPartnerInsightsBureau = "EQUIFAX"
	CraPartnerInsightsBureauExperian   CraPartnerInsightsBureau = "EXPERIAN"
	CraPartnerInsightsBureauTransunion CraPartnerInsightsBureau = "TRANSUNION"
)

// CraPartnerInsightsUltraFicoScoreVersion is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// The version of the UltraFICO score.
type CraPartnerInsightsUltraFicoScoreVersion string

// Known CraPartnerInsightsUltraFicoScoreVersion values.
const (
	CraPartnerInsightsUltraFicoScoreVersion10 CraPartnerInsightsUltraFicoScoreVersion = "1.0"
)

// CreditAccountSubtype is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// Valid account subtypes for credit accounts. For a list containing descriptions of each subtype,
// see Account schemas.
type CreditAccountSubtype string

// Known CreditAccountSubtype values.
const (
	CreditAccountSubtypeCreditCard CreditAccountSubtype = "credit card"
	CreditAccountSubtypePaypal     CreditAccountSubtype = "paypal"
	CreditAccountSubtypeAll        CreditAccountSubtype = "all"
)

// CreditSessionBankIncomeStatus is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// Status of the Bank Income Link session. APPROVED: User has approved and verified their income
// NO_DEPOSITS_FOUND: We attempted, but were unable to find any income in the connected account.
type CreditSessionBankIncomeStatus string

// Known CreditSessionBankIncomeStatus values.
const (
	CreditSessionBankIncomeStatusApproved             CreditSessionBankIncomeStatus = "APPROVED"
	CreditSessionBankIncomeStatusNoDepositsFound      CreditSessionBankIncomeStatus = "NO_DEPOSITS_FOUND"
	CreditSessionBankIncomeStatusUserReportedNoIncome CreditSessionBankIncomeStatus = "USER_REPORTED_NO_INCOME"
	CreditSessionBankIncomeStatusStarted              CreditSessionBankIncomeStatus = "STARTED"
	CreditSessionBankIncomeStatusInternalError        CreditSessionBankIncomeStatus = "INTERNAL_ERROR"
)

// DepositoryAccountSubtype is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// Valid account subtypes for depository accounts. For a list containing descriptions of each
// subtype, see Account schemas.
type DepositoryAccountSubtype string

// Known DepositoryAccountSubtype values.
const (
	DepositoryAccountSubtypeChecking               DepositoryAccountSubtype = "checking"
	DepositoryAccountSubtypeSavings                DepositoryAccountSubtype = "savings"
	DepositoryAccountSubtypeHSA                    DepositoryAccountSubtype = "hsa"
	DepositoryAccountSubtypeCD                     DepositoryAccountSubtype = "cd"
	DepositoryAccountSubtypeMoneyMarket            DepositoryAccountSubtype = "money market"
	DepositoryAccountSubtypePaypal                 DepositoryAccountSubtype = "paypal"
	DepositoryAccountSubtypePrepaid                DepositoryAccountSubtype = "prepaid"
	DepositoryAccountSubtypeCashManagement         DepositoryAccountSubtype = "cash management"
	DepositoryAccountSubtypeEBT                    DepositoryAccountSubtype = "ebt"
	DepositoryAccountSubtypeLimitedPurposeChecking DepositoryAccountSubtype = "limited purpose checking"
	DepositoryAccountSubtypeAll                    DepositoryAccountSubtype = "all"
)

// EmploymentSourceType is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// The types of source employment data that users should be able to share
type EmploymentSourceType string

// Known EmploymentSourceType values.
const (
	EmploymentSourceTypeBank    EmploymentSourceType = "bank"
	EmploymentSourceTypePayroll EmploymentSourceType = "payroll"
)

// GSEReportType is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// The types of GSE Reports supported by the Plaid API
type GSEReportType string

// Known GSEReportType values.
const (
	GSEReportTypeVOA               GSEReportType = "VOA"
	GSEReportTypeEmploymentRefresh GSEReportType = "EMPLOYMENT_REFRESH"
)

// HostedLinkDeliveryMethod is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// How Plaid should deliver the Plaid Link session to the customer. Only available to customers
// enabled for Link Delivery (beta).
type HostedLinkDeliveryMethod string

// Known HostedLinkDeliveryMethod values.
const (
	HostedLinkDeliveryMethodSMS   HostedLinkDeliveryMethod = "sms"
	HostedLinkDeliveryMethodEmail HostedLinkDeliveryMethod = "email"
)

// IDNumberType is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// A globally unique and human readable ID type, specific to the country and document category. For
// more context on this field, see Input Validation Rules.
type IDNumberType string

// Known IDNumberType values.
const (
	IDNumberTypeArDni            IDNumberType = "ar_dni"
	IDNumberTypeAuDriversLicense IDNumberType = "au_drivers_license"
	IDNumberTypeAuPassport       IDNumberType = "au_passport"
	IDNumberTypeBrCpf            IDNumberType = "br_cpf"
	IDNumberTypeCaSin            IDNumberType = "ca_sin"
	IDNumberTypeClRun            IDNumberType = "cl_run"
	IDNumberTypeCnResidentCard   IDNumberType = "cn_resident_card"
	IDNumberTypeCoNit            IDNumberType = "co_nit"
	IDNumberTypeDkCpr            IDNumberType = "dk_cpr"
	IDNumberTypeEgNationalId     IDNumberType = "eg_national_id"
	IDNumberTypeEsDni            IDNumberType = "es_dni"
	IDNumberTypeEsNie            IDNumberType = "es_nie"
	IDNumberTypeHkHkid           IDNumberType = "hk_hkid"
	IDNumberTypeInPan            IDNumberType = "in_pan"
	IDNumberTypeItCf             IDNumberType = "it_cf"
	IDNumberTypeJoCivilId        IDNumberType = "jo_civil_id"
	IDNumberTypeJpMyNumber       IDNumberType = "jp_my_number"
	IDNumberTypeKeHudumaNamba    IDNumberType = "ke_huduma_namba"
	IDNumberTypeKwCivilId        IDNumberType = "kw_civil_id"
	IDNumberTypeMxCurp           IDNumberType = "mx_curp"
	IDNumberTypeMxRfc            IDNumberType = "mx_rfc"
	IDNumberTypeMyNric           IDNumberType = "my_nric"
	IDNumberTypeNgNin            IDNumberType = "ng_nin"
	IDNumberTypeNzDriversLicense IDNumberType = "nz_drivers_license"
	IDNumberTypeOmCivilId        IDNumberType = "om_civil_id"
	IDNumberTypePhPsn            IDNumberType = "ph_psn"
	IDNumberTypePlPesel          IDNumberType = "pl_pesel"
	IDNumberTypeRoCnp            IDNumberType = "ro_cnp"
	IDNumberTypeSaNationalId     IDNumberType = "sa_national_id"
	IDNumberTypeSePin            IDNumberType = "se_pin"
	IDNumberTypeSgNric           IDNumberType = "sg_nric"
	IDNumberTypeTrTcKimlik       IDNumberType = "tr_tc_kimlik"
	IDNumberTypeUSSSN            IDNumberType = "us_ssn"
	IDNumberTypeUSSSNLast4       IDNumberType = "us_ssn_last_4"
	IDNumberTypeZaSmartId        IDNumberType = "za_smart_id"
)

// IncomeInsightsVersion is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// The version of Income Insights to use.
type IncomeInsightsVersion string

// Known IncomeInsightsVersion values.
const (
	IncomeInsightsVersionII2 IncomeInsightsVersion = "II2"
)

// IncomeVerificationDocParsingConfig is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// Analysis options to enable for document parsing
type IncomeVerificationDocParsingConfig string

// Known IncomeVerificationDocParsingConfig values.
const (
	IncomeVerificationDocParsingConfigOCR         IncomeVerificationDocParsingConfig = "ocr"
	IncomeVerificationDocParsingConfigRiskSignals IncomeVerificationDocParsingConfig = "risk_signals"
)

// IncomeVerificationPayrollFlowType is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// Flow types to retrieve payroll income data
type IncomeVerificationPayrollFlowType string

// Known IncomeVerificationPayrollFlowType values.
const (
	IncomeVerificationPayrollFlowTypePayrollDigitalIncome  IncomeVerificationPayrollFlowType = "payroll_digital_income"
	IncomeVerificationPayrollFlowTypePayrollDocumentIncome IncomeVerificationPayrollFlowType = "payroll_document_income"
)

// IncomeVerificationSourceType is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// The types of source income data that users should be able to share
type IncomeVerificationSourceType string

// Known IncomeVerificationSourceType values.
const (
	IncomeVerificationSourceTypeBank    IncomeVerificationSourceType = "bank"
	IncomeVerificationSourceTypePayroll IncomeVerificationSourceType = "payroll"
)

// InvestmentAccountSubtype is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// Valid account subtypes for investment accounts. For a list containing descriptions of each
// subtype, see Account schemas.
type InvestmentAccountSubtype string

// Known InvestmentAccountSubtype values.
const (
	InvestmentAccountSubtype529                            InvestmentAccountSubtype = "529"
	InvestmentAccountSubtype401a                           InvestmentAccountSubtype = "401a"
	InvestmentAccountSubtype401k                           InvestmentAccountSubtype = "401k"
	InvestmentAccountSubtype403b                           InvestmentAccountSubtype = "403B"
	InvestmentAccountSubtype457b                           InvestmentAccountSubtype = "457b"
	InvestmentAccountSubtypeBrokerage                      InvestmentAccountSubtype = "brokerage"
	InvestmentAccountSubtypeCashISA                        InvestmentAccountSubtype = "cash isa"
	InvestmentAccountSubtypeCryptoExchange                 InvestmentAccountSubtype = "crypto exchange"
	InvestmentAccountSubtypeEducationSavingsAccount        InvestmentAccountSubtype = "education savings account"
	InvestmentAccountSubtypeFhsa                           InvestmentAccountSubtype = "fhsa"
	InvestmentAccountSubtypeFixedAnnuity                   InvestmentAccountSubtype = "fixed annuity"
	InvestmentAccountSubtypeGic                            InvestmentAccountSubtype = "gic"
	InvestmentAccountSubtypeHealthReimbursementArrangement InvestmentAccountSubtype = "health reimbursement arrangement"
	InvestmentAccountSubtypeHSA                            InvestmentAccountSubtype = "hsa"
	InvestmentAccountSubtypeIRA                            InvestmentAccountSubtype = "ira"
	InvestmentAccountSubtypeISA                            InvestmentAccountSubtype = "isa"
	InvestmentAccountSubtypeKeogh                          InvestmentAccountSubtype = "keogh"
	InvestmentAccountSubtypeLif                            InvestmentAccountSubtype = "lif"
	InvestmentAccountSubtypeLifeInsurance                  InvestmentAccountSubtype = "life insurance"
	InvestmentAccountSubtypeLineOfCredit                   InvestmentAccountSubtype = "line of credit"
	InvestmentAccountSubtypeLira                           InvestmentAccountSubtype = "lira"
	InvestmentAccountSubtypeLrif                           InvestmentAccountSubtype = "lrif"
	InvestmentAccountSubtypeLrsp                           InvestmentAccountSubtype = "lrsp"
	InvestmentAccountSubtypeMutualFund                     InvestmentAccountSubtype = "mutual fund"
	InvestmentAccountSubtypeNonCustodialWallet             InvestmentAccountSubtype = "non-custodial wallet"
	InvestmentAccountSubtypeNonTaxableBrokerageAccount     InvestmentAccountSubtype = "non-taxable brokerage account"
	InvestmentAccountSubtypeOther                          InvestmentAccountSubtype = "other"
	InvestmentAccountSubtypeOtherAnnuity                   InvestmentAccountSubtype = "other annuity"
	InvestmentAccountSubtypeOtherInsurance                 InvestmentAccountSubtype = "other insurance"
	InvestmentAccountSubtypePension                        InvestmentAccountSubtype = "pension"
	InvestmentAccountSubtypePrif                           InvestmentAccountSubtype = "prif"
	InvestmentAccountSubtypeProfitSharingPlan              InvestmentAccountSubtype = "profit sharing plan"
	InvestmentAccountSubtypeQshr                           InvestmentAccountSubtype = "qshr"
	InvestmentAccountSubtypeRdsp                           InvestmentAccountSubtype = "rdsp"
	InvestmentAccountSubtypeResp                           InvestmentAccountSubtype = "resp"
	InvestmentAccountSubtypeRetirement                     InvestmentAccountSubtype = "retirement"
	InvestmentAccountSubtypeRlif                           InvestmentAccountSubtype = "rlif"
	InvestmentAccountSubtypeRoth                           InvestmentAccountSubtype = "roth"
	InvestmentAccountSubtypeRoth401k                       InvestmentAccountSubtype = "roth 401k"
	InvestmentAccountSubtypeRoth403b                       InvestmentAccountSubtype = "roth 403B"
	InvestmentAccountSubtypeRoth457b                       InvestmentAccountSubtype = "roth 457b"
	InvestmentAccountSubtypeRothPension                    InvestmentAccountSubtype = "roth pension"
	InvestmentAccountSubtypeRothProfitSharingPlan          InvestmentAccountSubtype = "roth profit sharing plan"
	InvestmentAccountSubtypeRothThriftSavingsPlan          InvestmentAccountSubtype = "roth thrift savings plan"
	InvestmentAccountSubtypeRrif                           InvestmentAccountSubtype = "rrif"
	InvestmentAccountSubtypeRrsp                           InvestmentAccountSubtype = "rrsp"
	InvestmentAccountSubtypeSarsep                         InvestmentAccountSubtype = "sarsep"
	InvestmentAccountSubtypeSepIRA                         InvestmentAccountSubtype = "sep ira"
	InvestmentAccountSubtypeSimpleIRA                      InvestmentAccountSubtype = "simple ira"
	InvestmentAccountSubtypeSipp                           InvestmentAccountSubtype = "sipp"
	InvestmentAccountSubtypeStockPlan                      InvestmentAccountSubtype = "stock plan"
	InvestmentAccountSubtypeThriftSavingsPlan              InvestmentAccountSubtype = "thrift savings plan"
	InvestmentAccountSubtypeTfsa                           InvestmentAccountSubtype = "tfsa"
	InvestmentAccountSubtypeTrust                          InvestmentAccountSubtype = "trust"
	InvestmentAccountSubtypeUgma                           InvestmentAccountSubtype = "ugma"
	InvestmentAccountSubtypeUtma                           InvestmentAccountSubtype = "utma"
	InvestmentAccountSubtypeVariableAnnuity                InvestmentAccountSubtype = "variable annuity"
	InvestmentAccountSubtypeAll                            InvestmentAccountSubtype = "all"
)

// LimitedPurposeType is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// A specific use case for a limited purpose checking account. Limited purpose checking accounts
// will reject or return ACH transactions that aren't for eligible use cases.
type LimitedPurposeType string

// Known LimitedPurposeType values.
const (
	LimitedPurposeTypeRentMortgage LimitedPurposeType = "RENT_MORTGAGE"
)

// TransferStatus is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// The status of a transfer. Returned only when Transfer UI is implemented.
type TransferStatus string

// Known TransferStatus values.
const (
	TransferStatusComplete   TransferStatus = "COMPLETE"
	TransferStatusIncomplete TransferStatus = "INCOMPLETE"
)

// AppearanceMode is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// Enum representing the desired appearance mode for Link, used to force light or dark modes or set
// Link to change depending on user system settings. Currently in closed beta.
type AppearanceMode string

// Known AppearanceMode values.
const (
	AppearanceModeLight  AppearanceMode = "LIGHT"
	AppearanceModeDark   AppearanceMode = "DARK"
	AppearanceModeSystem AppearanceMode = "SYSTEM"
)

// LoanAccountSubtype is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// Valid account subtypes for loan accounts. For a list containing descriptions of each subtype,
// see Account schemas.
type LoanAccountSubtype string

// Known LoanAccountSubtype values.
const (
	LoanAccountSubtypeAuto         LoanAccountSubtype = "auto"
	LoanAccountSubtypeBusiness     LoanAccountSubtype = "business"
	LoanAccountSubtypeCommercial   LoanAccountSubtype = "commercial"
	LoanAccountSubtypeConstruction LoanAccountSubtype = "construction"
	LoanAccountSubtypeConsumer     LoanAccountSubtype = "consumer"
	LoanAccountSubtypeHomeEquity   LoanAccountSubtype = "home equity"
	LoanAccountSubtypeLoan         LoanAccountSubtype = "loan"
	LoanAccountSubtypeMortgage     LoanAccountSubtype = "mortgage"
	LoanAccountSubtypeOverdraft    LoanAccountSubtype = "overdraft"
	LoanAccountSubtypeLineOfCredit LoanAccountSubtype = "line of credit"
	LoanAccountSubtypeStudent      LoanAccountSubtype = "student"
	LoanAccountSubtypeOther        LoanAccountSubtype = "other"
	LoanAccountSubtypeAll          LoanAccountSubtype = "all"
)

// NetworkInsightsVersion is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// The version of Network Insights. Required if using Network Insights.
type NetworkInsightsVersion string

// Known NetworkInsightsVersion values.
const (
	NetworkInsightsVersionNI1 NetworkInsightsVersion = "NI1"
)

// OtherAccountSubtype is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// Valid account subtypes for other accounts. For a list containing descriptions of each subtype,
// see Account schemas.
type OtherAccountSubtype string

// Known OtherAccountSubtype values.
const (
	OtherAccountSubtypeOther OtherAccountSubtype = "other"
	OtherAccountSubtypeAll   OtherAccountSubtype = "all"
)

// ErrorType is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// A broad categorization of the error. Safe for programmatic use.
type ErrorType string

// Known ErrorType values.
const (
	ErrorTypeInvalidRequest          ErrorType = "INVALID_REQUEST"
	ErrorTypeInvalidResult           ErrorType = "INVALID_RESULT"
	ErrorTypeInvalidInput            ErrorType = "INVALID_INPUT"
	ErrorTypeInstitutionError        ErrorType = "INSTITUTION_ERROR"
	ErrorTypeRateLimitExceeded       ErrorType = "RATE_LIMIT_EXCEEDED"
	ErrorTypeAPIError                ErrorType = "API_ERROR"
	ErrorTypeItemError               ErrorType = "ITEM_ERROR"
	ErrorTypeAssetReportError        ErrorType = "ASSET_REPORT_ERROR"
	ErrorTypeBaseReportError         ErrorType = "BASE_REPORT_ERROR"
	ErrorTypeRecaptchaError          ErrorType = "RECAPTCHA_ERROR"
	ErrorTypeOAuthError              ErrorType = "OAUTH_ERROR"
	ErrorTypePaymentError            ErrorType = "PAYMENT_ERROR"
	ErrorTypeBankTransferError       ErrorType = "BANK_TRANSFER_ERROR"
	ErrorTypeIncomeVerificationError ErrorType = "INCOME_VERIFICATION_ERROR"
	ErrorTypeMicrodepositsError      ErrorType = "MICRODEPOSITS_ERROR"
	ErrorTypeSandboxError            ErrorType = "SANDBOX_ERROR"
	ErrorTypePartnerError            ErrorType = "PARTNER_ERROR"
	ErrorTypeSignalError             ErrorType = "SIGNAL_ERROR"
	ErrorTypeTransactionsError       ErrorType = "TRANSACTIONS_ERROR"
	ErrorTypeTransactionError        ErrorType = "TRANSACTION_ERROR"
	ErrorTypeTransferError           ErrorType = "TRANSFER_ERROR"
	ErrorTypeCheckReportError        ErrorType = "CHECK_REPORT_ERROR"
	ErrorTypeConsumerReportError     ErrorType = "CONSUMER_REPORT_ERROR"
	ErrorTypeUserError               ErrorType = "USER_ERROR"
)

// PlaidLendScoreVersion is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// The version of the LendScore to use. Required if using LendScore.
type PlaidLendScoreVersion string

// Known PlaidLendScoreVersion values.
const (
	PlaidLendScoreVersionV10 PlaidLendScoreVersion = "v1.0"
	PlaidLendScoreVersionV20 PlaidLendScoreVersion = "v2.0"
	PlaidLendScoreVersionLS1 PlaidLendScoreVersion = "LS1"
)

// PrismCashScoreVersion is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// The version of Prism CashScore. If not specified, will default to v3.
type PrismCashScoreVersion string

// Known PrismCashScoreVersion values.
const (
	PrismCashScoreVersion41    PrismCashScoreVersion = "4.1"
	PrismCashScoreVersion4     PrismCashScoreVersion = "4"
	PrismCashScoreVersion3Lite PrismCashScoreVersion = "3_lite"
	PrismCashScoreVersion3     PrismCashScoreVersion = "3"
)

// PrismDetectVersion is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// The version of Prism Detect
type PrismDetectVersion string

// Known PrismDetectVersion values.
const (
	PrismDetectVersion41 PrismDetectVersion = "4.1"
	PrismDetectVersion4  PrismDetectVersion = "4"
)

// PrismExtendVersion is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// The version of Prism Extend
type PrismExtendVersion string

// Known PrismExtendVersion values.
const (
	PrismExtendVersion41 PrismExtendVersion = "4.1"
	PrismExtendVersion4  PrismExtendVersion = "4"
)

// PrismFirstDetectVersion is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// The version of Prism FirstDetect. If not specified, will default to v3.
type PrismFirstDetectVersion string

// Known PrismFirstDetectVersion values.
const (
	PrismFirstDetectVersion3 PrismFirstDetectVersion = "3"
)

// PrismInsightsVersion is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// The version of Prism Insights. If not specified, will default to v3.
type PrismInsightsVersion string

// Known PrismInsightsVersion values.
const (
	PrismInsightsVersion41 PrismInsightsVersion = "4.1"
	PrismInsightsVersion4  PrismInsightsVersion = "4"
	PrismInsightsVersion3  PrismInsightsVersion = "3"
)

// Product is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// A list of products that an institution can support. All Items must be initialized with at least
// one product.
type Product string

// Known Product values.
const (
	ProductAssets                Product = "assets"
	ProductAuth                  Product = "auth"
	ProductBalance               Product = "balance"
	ProductBalancePlus           Product = "balance_plus"
	ProductBeacon                Product = "beacon"
	ProductIdentity              Product = "identity"
	ProductIdentityMatch         Product = "identity_match"
	ProductInvestments           Product = "investments"
	ProductInvestmentsAuth       Product = "investments_auth"
	ProductLiabilities           Product = "liabilities"
	ProductPaymentInitiation     Product = "payment_initiation"
	ProductIdentityVerification  Product = "identity_verification"
	ProductTransactions          Product = "transactions"
	ProductCreditDetails         Product = "credit_details"
	ProductIncome                Product = "income"
	ProductIncomeVerification    Product = "income_verification"
	ProductStandingOrders        Product = "standing_orders"
	ProductTransfer              Product = "transfer"
	ProductEmployment            Product = "employment"
	ProductRecurringTransactions Product = "recurring_transactions"
	ProductTransactionsRefresh   Product = "transactions_refresh"
	ProductSignal                Product = "signal"
	ProductStatements            Product = "statements"
	ProductProcessorPayments     Product = "processor_payments"
	ProductProcessorIdentity     Product = "processor_identity"
	ProductProfile               Product = "profile"
	ProductCraBaseReport         Product = "cra_base_report"
	ProductCraIncomeInsights     Product = "cra_income_insights"
	ProductCraPartnerInsights    Product = "cra_partner_insights"
	ProductCraNetworkInsights    Product = "cra_network_insights"
	ProductCraCashflowInsights   Product = "cra_cashflow_insights"
	ProductCraMonitoring         Product = "cra_monitoring"
	ProductCraLendScore          Product = "cra_lend_score"
	ProductCraPlaidCreditScore   Product = "cra_plaid_credit_score"
	ProductLayer                 Product = "layer"
	ProductPayByBank             Product = "pay_by_bank"
	ProductProtectLinkedBank     Product = "protect_linked_bank"
	ProductProtectTransactions   Product = "protect_transactions"
)

// UserStatedIncomeSourceCategory is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// The income category for a specified income source
type UserStatedIncomeSourceCategory string

// Known UserStatedIncomeSourceCategory values.
const (
	UserStatedIncomeSourceCategoryOther              UserStatedIncomeSourceCategory = "OTHER"
	UserStatedIncomeSourceCategorySalary             UserStatedIncomeSourceCategory = "SALARY"
	UserStatedIncomeSourceCategoryUnemployment       UserStatedIncomeSourceCategory = "UNEMPLOYMENT"
	UserStatedIncomeSourceCategoryCash               UserStatedIncomeSourceCategory = "CASH"
	UserStatedIncomeSourceCategoryGigEconomy         UserStatedIncomeSourceCategory = "GIG_ECONOMY"
	UserStatedIncomeSourceCategoryRental             UserStatedIncomeSourceCategory = "RENTAL"
	UserStatedIncomeSourceCategoryChildSupport       UserStatedIncomeSourceCategory = "CHILD_SUPPORT"
	UserStatedIncomeSourceCategoryMilitary           UserStatedIncomeSourceCategory = "MILITARY"
	UserStatedIncomeSourceCategoryRetirement         UserStatedIncomeSourceCategory = "RETIREMENT"
	UserStatedIncomeSourceCategoryLongTermDisability UserStatedIncomeSourceCategory = "LONG_TERM_DISABILITY"
	UserStatedIncomeSourceCategoryBankInterest       UserStatedIncomeSourceCategory = "BANK_INTEREST"
)

// UserStatedIncomeSourceFrequency is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// The pay frequency of a specified income source
type UserStatedIncomeSourceFrequency string

// Known UserStatedIncomeSourceFrequency values.
const (
	UserStatedIncomeSourceFrequencyUnknown     UserStatedIncomeSourceFrequency = "UNKNOWN"
	UserStatedIncomeSourceFrequencyWeekly      UserStatedIncomeSourceFrequency = "WEEKLY"
	UserStatedIncomeSourceFrequencyBiweekly    UserStatedIncomeSourceFrequency = "BIWEEKLY"
	UserStatedIncomeSourceFrequencySemiMonthly UserStatedIncomeSourceFrequency = "SEMI_MONTHLY"
	UserStatedIncomeSourceFrequencyMonthly     UserStatedIncomeSourceFrequency = "MONTHLY"
)

// UserStatedIncomeSourcePayType is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// The pay type - GROSS, NET, or UNKNOWN for a specified income source
type UserStatedIncomeSourcePayType string

// Known UserStatedIncomeSourcePayType values.
const (
	UserStatedIncomeSourcePayTypeUnknown UserStatedIncomeSourcePayType = "UNKNOWN"
	UserStatedIncomeSourcePayTypeGross   UserStatedIncomeSourcePayType = "GROSS"
	UserStatedIncomeSourcePayTypeNet     UserStatedIncomeSourcePayType = "NET"
)

// TokenCreateRequestAuthRerouteToCredentials is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// Specifies what type of Reroute to Credentials pane should be used in the Link session for the
// Same-Day Micro-deposits flow. Default behavior is OPTIONAL.
type TokenCreateRequestAuthRerouteToCredentials string

// Known TokenCreateRequestAuthRerouteToCredentials values.
const (
	TokenCreateRequestAuthRerouteToCredentialsOff      TokenCreateRequestAuthRerouteToCredentials = "OFF"
	TokenCreateRequestAuthRerouteToCredentialsOptional TokenCreateRequestAuthRerouteToCredentials = "OPTIONAL"
	TokenCreateRequestAuthRerouteToCredentialsForced   TokenCreateRequestAuthRerouteToCredentials = "FORCED"
)

// TokenCreateRequestAuthFlowType is a Plaid enum. Values the SDK does not list decode and encode unchanged.
// This field has been deprecated in favor of auth_type_select_enabled.
type TokenCreateRequestAuthFlowType string

// Known TokenCreateRequestAuthFlowType values.
const (
	TokenCreateRequestAuthFlowTypeFlexibleAuth TokenCreateRequestAuthFlowType = "FLEXIBLE_AUTH"
)
