package state

import (
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/plaidlink/plaidlink-go/link"
)

// enumValues are the values Plaid accepts for each enum a request of the fake's endpoints can
// carry, from the spec's enums as package link lists them. link keeps unknown values so that a
// response with a value Plaid adds later still decodes; Plaid itself refuses a request with a
// value it does not know (INVALID_FIELD), and so does the fake. TestEnumValuesCoverLink holds
// this table to link's constants.
var enumValues = map[reflect.Type][]string{}

// enumOf records the values of one enum type in enumValues.
func enumOf[T ~string](vals ...T) struct{} {
	var zero T
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	enumValues[reflect.TypeOf(zero)] = out
	return struct{}{}
}

var _ = []struct{}{
	enumOf(link.CashflowAttributesVersionV10, link.CashflowAttributesVersionV20, link.CashflowAttributesVersionCFI1),
	enumOf(link.ConsumerReportPermissiblePurposeAccountReviewCredit, link.ConsumerReportPermissiblePurposeAccountReviewNonCredit, link.ConsumerReportPermissiblePurposeExtensionOfCredit, link.ConsumerReportPermissiblePurposeLegitimateBusinessNeedTenantScreening, link.ConsumerReportPermissiblePurposeLegitimateBusinessNeedOther, link.ConsumerReportPermissiblePurposeWrittenInstructionPrequalification, link.ConsumerReportPermissiblePurposeWrittenInstructionOther, link.ConsumerReportPermissiblePurposeEligibilityForGovtBenefits),
	enumOf(link.CountryCodeUS, link.CountryCodeGB, link.CountryCodeES, link.CountryCodeNL, link.CountryCodeFR, link.CountryCodeIE, link.CountryCodeCA, link.CountryCodeDE, link.CountryCodeIT, link.CountryCodePL, link.CountryCodeDK, link.CountryCodeNO, link.CountryCodeSE, link.CountryCodeEE, link.CountryCodeLT, link.CountryCodeLV, link.CountryCodePT, link.CountryCodeBE, link.CountryCodeAT, link.CountryCodeFI),
	enumOf(link.CraCheckReportVerificationGetReportTypeVOA, link.CraCheckReportVerificationGetReportTypeEmploymentRefresh, link.CraCheckReportVerificationGetReportTypeIncome),
	enumOf(link.CraPartnerInsightsBaseFicoScoreVersion8, link.CraPartnerInsightsBaseFicoScoreVersion9, link.CraPartnerInsightsBaseFicoScoreVersion10, link.CraPartnerInsightsBaseFicoScoreVersion10T),
	enumOf(link.CraPartnerInsightsBureauEquifax, link.CraPartnerInsightsBureauExperian, link.CraPartnerInsightsBureauTransunion),
	enumOf(link.CraPartnerInsightsUltraFicoScoreVersion10),
	enumOf(link.CreditAccountSubtypeCreditCard, link.CreditAccountSubtypePaypal, link.CreditAccountSubtypeAll),
	enumOf(link.DepositoryAccountSubtypeChecking, link.DepositoryAccountSubtypeSavings, link.DepositoryAccountSubtypeHSA, link.DepositoryAccountSubtypeCD, link.DepositoryAccountSubtypeMoneyMarket, link.DepositoryAccountSubtypePaypal, link.DepositoryAccountSubtypePrepaid, link.DepositoryAccountSubtypeCashManagement, link.DepositoryAccountSubtypeEBT, link.DepositoryAccountSubtypeLimitedPurposeChecking, link.DepositoryAccountSubtypeAll),
	enumOf(link.EmploymentSourceTypeBank, link.EmploymentSourceTypePayroll),
	enumOf(link.GSEReportTypeVOA, link.GSEReportTypeEmploymentRefresh),
	enumOf(link.HostedLinkDeliveryMethodSMS, link.HostedLinkDeliveryMethodEmail),
	enumOf(link.IDNumberTypeArDni, link.IDNumberTypeAuDriversLicense, link.IDNumberTypeAuPassport, link.IDNumberTypeBrCpf, link.IDNumberTypeCaSin, link.IDNumberTypeClRun, link.IDNumberTypeCnResidentCard, link.IDNumberTypeCoNit, link.IDNumberTypeDkCpr, link.IDNumberTypeEgNationalId, link.IDNumberTypeEsDni, link.IDNumberTypeEsNie, link.IDNumberTypeHkHkid, link.IDNumberTypeInPan, link.IDNumberTypeItCf, link.IDNumberTypeJoCivilId, link.IDNumberTypeJpMyNumber, link.IDNumberTypeKeHudumaNamba, link.IDNumberTypeKwCivilId, link.IDNumberTypeMxCurp, link.IDNumberTypeMxRfc, link.IDNumberTypeMyNric, link.IDNumberTypeNgNin, link.IDNumberTypeNzDriversLicense, link.IDNumberTypeOmCivilId, link.IDNumberTypePhPsn, link.IDNumberTypePlPesel, link.IDNumberTypeRoCnp, link.IDNumberTypeSaNationalId, link.IDNumberTypeSePin, link.IDNumberTypeSgNric, link.IDNumberTypeTrTcKimlik, link.IDNumberTypeUSSSN, link.IDNumberTypeUSSSNLast4, link.IDNumberTypeZaSmartId),
	enumOf(link.IncomeInsightsVersionII2),
	enumOf(link.IncomeVerificationDocParsingConfigOCR, link.IncomeVerificationDocParsingConfigRiskSignals),
	enumOf(link.IncomeVerificationPayrollFlowTypePayrollDigitalIncome, link.IncomeVerificationPayrollFlowTypePayrollDocumentIncome),
	enumOf(link.IncomeVerificationSourceTypeBank, link.IncomeVerificationSourceTypePayroll),
	enumOf(link.InvestmentAccountSubtype529, link.InvestmentAccountSubtype401a, link.InvestmentAccountSubtype401k, link.InvestmentAccountSubtype403b, link.InvestmentAccountSubtype457b, link.InvestmentAccountSubtypeBrokerage, link.InvestmentAccountSubtypeCashISA, link.InvestmentAccountSubtypeCryptoExchange, link.InvestmentAccountSubtypeEducationSavingsAccount, link.InvestmentAccountSubtypeFhsa, link.InvestmentAccountSubtypeFixedAnnuity, link.InvestmentAccountSubtypeGic, link.InvestmentAccountSubtypeHealthReimbursementArrangement, link.InvestmentAccountSubtypeHSA, link.InvestmentAccountSubtypeIRA, link.InvestmentAccountSubtypeISA, link.InvestmentAccountSubtypeKeogh, link.InvestmentAccountSubtypeLif, link.InvestmentAccountSubtypeLifeInsurance, link.InvestmentAccountSubtypeLineOfCredit, link.InvestmentAccountSubtypeLira, link.InvestmentAccountSubtypeLrif, link.InvestmentAccountSubtypeLrsp, link.InvestmentAccountSubtypeMutualFund, link.InvestmentAccountSubtypeNonCustodialWallet, link.InvestmentAccountSubtypeNonTaxableBrokerageAccount, link.InvestmentAccountSubtypeOther, link.InvestmentAccountSubtypeOtherAnnuity, link.InvestmentAccountSubtypeOtherInsurance, link.InvestmentAccountSubtypePension, link.InvestmentAccountSubtypePrif, link.InvestmentAccountSubtypeProfitSharingPlan, link.InvestmentAccountSubtypeQshr, link.InvestmentAccountSubtypeRdsp, link.InvestmentAccountSubtypeResp, link.InvestmentAccountSubtypeRetirement, link.InvestmentAccountSubtypeRlif, link.InvestmentAccountSubtypeRoth, link.InvestmentAccountSubtypeRoth401k, link.InvestmentAccountSubtypeRoth403b, link.InvestmentAccountSubtypeRoth457b, link.InvestmentAccountSubtypeRothPension, link.InvestmentAccountSubtypeRothProfitSharingPlan, link.InvestmentAccountSubtypeRothThriftSavingsPlan, link.InvestmentAccountSubtypeRrif, link.InvestmentAccountSubtypeRrsp, link.InvestmentAccountSubtypeSarsep, link.InvestmentAccountSubtypeSepIRA, link.InvestmentAccountSubtypeSimpleIRA, link.InvestmentAccountSubtypeSipp, link.InvestmentAccountSubtypeStockPlan, link.InvestmentAccountSubtypeThriftSavingsPlan, link.InvestmentAccountSubtypeTfsa, link.InvestmentAccountSubtypeTrust, link.InvestmentAccountSubtypeUgma, link.InvestmentAccountSubtypeUtma, link.InvestmentAccountSubtypeVariableAnnuity, link.InvestmentAccountSubtypeAll),
	enumOf(link.LimitedPurposeTypeRentMortgage),
	enumOf(link.AppearanceModeLight, link.AppearanceModeDark, link.AppearanceModeSystem),
	enumOf(link.LoanAccountSubtypeAuto, link.LoanAccountSubtypeBusiness, link.LoanAccountSubtypeCommercial, link.LoanAccountSubtypeConstruction, link.LoanAccountSubtypeConsumer, link.LoanAccountSubtypeHomeEquity, link.LoanAccountSubtypeLoan, link.LoanAccountSubtypeMortgage, link.LoanAccountSubtypeOverdraft, link.LoanAccountSubtypeLineOfCredit, link.LoanAccountSubtypeStudent, link.LoanAccountSubtypeOther, link.LoanAccountSubtypeAll),
	enumOf(link.NetworkInsightsVersionNI1),
	enumOf(link.OtherAccountSubtypeOther, link.OtherAccountSubtypeAll),
	enumOf(link.PlaidLendScoreVersionV10, link.PlaidLendScoreVersionV20, link.PlaidLendScoreVersionLS1),
	enumOf(link.PrismCashScoreVersion41, link.PrismCashScoreVersion4, link.PrismCashScoreVersion3Lite, link.PrismCashScoreVersion3),
	enumOf(link.PrismDetectVersion41, link.PrismDetectVersion4),
	enumOf(link.PrismExtendVersion41, link.PrismExtendVersion4),
	enumOf(link.PrismFirstDetectVersion3),
	enumOf(link.PrismInsightsVersion41, link.PrismInsightsVersion4, link.PrismInsightsVersion3),
	enumOf(link.ProductAssets, link.ProductAuth, link.ProductBalance, link.ProductBalancePlus, link.ProductBeacon, link.ProductIdentity, link.ProductIdentityMatch, link.ProductInvestments, link.ProductInvestmentsAuth, link.ProductLiabilities, link.ProductPaymentInitiation, link.ProductIdentityVerification, link.ProductTransactions, link.ProductCreditDetails, link.ProductIncome, link.ProductIncomeVerification, link.ProductStandingOrders, link.ProductTransfer, link.ProductEmployment, link.ProductRecurringTransactions, link.ProductTransactionsRefresh, link.ProductSignal, link.ProductStatements, link.ProductProcessorPayments, link.ProductProcessorIdentity, link.ProductProfile, link.ProductCraBaseReport, link.ProductCraIncomeInsights, link.ProductCraPartnerInsights, link.ProductCraNetworkInsights, link.ProductCraCashflowInsights, link.ProductCraMonitoring, link.ProductCraLendScore, link.ProductCraPlaidCreditScore, link.ProductLayer, link.ProductPayByBank, link.ProductProtectLinkedBank, link.ProductProtectTransactions),
	enumOf(link.UserStatedIncomeSourceCategoryOther, link.UserStatedIncomeSourceCategorySalary, link.UserStatedIncomeSourceCategoryUnemployment, link.UserStatedIncomeSourceCategoryCash, link.UserStatedIncomeSourceCategoryGigEconomy, link.UserStatedIncomeSourceCategoryRental, link.UserStatedIncomeSourceCategoryChildSupport, link.UserStatedIncomeSourceCategoryMilitary, link.UserStatedIncomeSourceCategoryRetirement, link.UserStatedIncomeSourceCategoryLongTermDisability, link.UserStatedIncomeSourceCategoryBankInterest),
	enumOf(link.UserStatedIncomeSourceFrequencyUnknown, link.UserStatedIncomeSourceFrequencyWeekly, link.UserStatedIncomeSourceFrequencyBiweekly, link.UserStatedIncomeSourceFrequencySemiMonthly, link.UserStatedIncomeSourceFrequencyMonthly),
	enumOf(link.UserStatedIncomeSourcePayTypeUnknown, link.UserStatedIncomeSourcePayTypeGross, link.UserStatedIncomeSourcePayTypeNet),
	enumOf(link.TokenCreateRequestAuthRerouteToCredentialsOff, link.TokenCreateRequestAuthRerouteToCredentialsOptional, link.TokenCreateRequestAuthRerouteToCredentialsForced),
	enumOf(link.TokenCreateRequestAuthFlowTypeFlexibleAuth),
	enumOf(link.PrismProductInsights, link.PrismProductScores),
	enumOf(link.LanguageDanish, link.LanguageDutch, link.LanguageEnglish, link.LanguageEstonian, link.LanguageFrench, link.LanguageGerman, link.LanguageHindi, link.LanguageItalian, link.LanguageLatvian, link.LanguageLithuanian, link.LanguageNorwegian, link.LanguagePolish, link.LanguagePortuguese, link.LanguageRomanian, link.LanguageSpanish, link.LanguageSwedish, link.LanguageVietnamese)}

// checkEnums refuses a request with a value of an enum field that is not one of the enum's, naming
// the field by its JSON path as Plaid does. v is a pointer to a decoded request struct.
func checkEnums(v any) *Error {
	return walkEnums(reflect.ValueOf(v), "")
}

func walkEnums(v reflect.Value, path string) *Error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkEnums(v.Elem(), path)
	case reflect.String:
		allowed, ok := enumValues[v.Type()]
		if !ok || v.String() == "" || slices.Contains(allowed, v.String()) {
			return nil
		}
		return errInvalidField("%s must be one of [%s], got %s", path, strings.Join(allowed, ", "), strconv.Quote(v.String()))
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if e := walkEnums(v.Index(i), path+"["+strconv.Itoa(i)+"]"); e != nil {
				return e
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			at := name
			if f.Anonymous && f.Tag.Get("json") == "" {
				at = strings.TrimSuffix(path, ".")
			} else if path != "" {
				at = path + "." + name
			}
			if e := walkEnums(v.Field(i), at); e != nil {
				return e
			}
		}
	}
	return nil
}
