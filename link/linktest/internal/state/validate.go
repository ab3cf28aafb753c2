package state

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
)

// This file is the validation Plaid does on a /link/token/create request beyond decoding it.

var languages = []link.Language{
	link.LanguageDanish, link.LanguageDutch, link.LanguageEnglish, link.LanguageEstonian,
	link.LanguageFrench, link.LanguageGerman, link.LanguageHindi, link.LanguageItalian,
	link.LanguageLatvian, link.LanguageLithuanian, link.LanguageNorwegian, link.LanguagePolish,
	link.LanguagePortuguese, link.LanguageRomanian, link.LanguageSpanish, link.LanguageSwedish,
	link.LanguageVietnamese,
}

var countryCodes = []link.CountryCode{
	link.CountryCodeUS, link.CountryCodeGB, link.CountryCodeES, link.CountryCodeNL,
	link.CountryCodeFR, link.CountryCodeIE, link.CountryCodeCA, link.CountryCodeDE,
	link.CountryCodeIT, link.CountryCodePL, link.CountryCodeDK, link.CountryCodeNO,
	link.CountryCodeSE, link.CountryCodeEE, link.CountryCodeLT, link.CountryCodeLV,
	link.CountryCodePT, link.CountryCodeBE, link.CountryCodeAT, link.CountryCodeFI,
}

var products = []link.Product{
	link.ProductAssets, link.ProductAuth, link.ProductBalance, link.ProductBalancePlus,
	link.ProductBeacon, link.ProductIdentity, link.ProductIdentityMatch, link.ProductInvestments,
	link.ProductInvestmentsAuth, link.ProductLiabilities, link.ProductPaymentInitiation,
	link.ProductIdentityVerification, link.ProductTransactions, link.ProductCreditDetails,
	link.ProductIncome, link.ProductIncomeVerification, link.ProductStandingOrders,
	link.ProductTransfer, link.ProductEmployment, link.ProductRecurringTransactions,
	link.ProductTransactionsRefresh, link.ProductSignal, link.ProductStatements,
	link.ProductProcessorPayments, link.ProductProcessorIdentity, link.ProductProfile,
	link.ProductCraBaseReport, link.ProductCraIncomeInsights, link.ProductCraPartnerInsights,
	link.ProductCraNetworkInsights, link.ProductCraCashflowInsights, link.ProductCraMonitoring,
	link.ProductCraLendScore, link.ProductCraPlaidCreditScore, link.ProductLayer,
	link.ProductPayByBank, link.ProductProtectLinkedBank, link.ProductProtectTransactions,
}

// checkProducts rejects unknown products and, because Balance needs no initialization, balance
// in a list that initializes products.
func checkProducts(field string, ps []link.Product, balanceAllowed bool) *Error {
	for _, p := range ps {
		if !slices.Contains(products, p) {
			return errInvalidField("%s contains an unknown product %q", field, p)
		}
		if p == link.ProductBalance && !balanceAllowed {
			return errInvalidField("%s: balance is not a valid value; the Balance product does not require explicit initialization", field)
		}
	}
	return nil
}

// checkURL rejects a webhook or redirect URL that is not an absolute http(s) URL; Plaid also
// refuses a redirect_uri with a query string.
func checkURL(field, raw string, queryAllowed bool) *Error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errInvalidField("%s must be an absolute http or https URL", field)
	}
	if !queryAllowed && (u.RawQuery != "" || strings.Contains(raw, "?")) {
		return errInvalidField("%s must not contain query parameters", field)
	}
	return nil
}

func validateTokenCreate(req *link.TokenCreateRequest) *Error {
	var missing []string
	if req.ClientName == "" {
		missing = append(missing, "client_name")
	}
	if req.Language == "" {
		missing = append(missing, "language")
	}
	if len(req.CountryCodes) == 0 {
		missing = append(missing, "country_codes")
	}
	if req.User == nil && req.UserID == "" {
		missing = append(missing, "user")
	} else if req.User != nil && req.User.ClientUserID == "" && req.UserID == "" {
		missing = append(missing, "user.client_user_id")
	}
	if len(missing) > 0 {
		return ErrMissingFields(missing...)
	}

	// A client_name over Plaid's 30 characters is not refused: Link shows "This Application"
	// instead of it, which only the front end would reveal.
	if !slices.Contains(languages, req.Language) {
		return errInvalidField("language %q is not a supported language", req.Language)
	}
	for _, cc := range req.CountryCodes {
		if !slices.Contains(countryCodes, cc) {
			return errInvalidField("country_codes contains an unsupported country code %q", cc)
		}
	}

	updateMode := req.AccessToken != "" || len(req.AccessTokens) > 0
	if e := checkUpdateModeProducts(req, updateMode); e != nil {
		return e
	}
	if len(req.Products) == 0 && !updateMode {
		if len(req.RequiredIfSupportedProducts)+len(req.OptionalProducts)+len(req.AdditionalConsentedProducts) > 0 {
			return errInvalidField("products must contain at least one product when required_if_supported_products, optional_products or additional_consented_products is set")
		}
		return errInvalidField("products must contain at least one product unless Link is launched in update mode")
	}
	lists := []struct {
		name    string
		ps      []link.Product
		balance bool
	}{
		{"products", req.Products, false},
		{"required_if_supported_products", req.RequiredIfSupportedProducts, false},
		{"optional_products", req.OptionalProducts, false},
		{"additional_consented_products", req.AdditionalConsentedProducts, false},
	}
	seen := map[link.Product]string{}
	for _, l := range lists {
		if e := checkProducts(l.name, l.ps, l.balance); e != nil {
			return e
		}
		for _, p := range l.ps {
			if other, ok := seen[p]; ok && other != l.name {
				return errInvalidField("product %q appears in both %s and %s; a product may be listed in only one of them", p, other, l.name)
			}
			seen[p] = l.name
		}
	}

	if e := checkURL("redirect_uri", req.RedirectURI, false); e != nil {
		return e
	}
	if e := checkURL("webhook", req.Webhook, true); e != nil {
		return e
	}
	if req.HostedLink != nil {
		// Compared in seconds, as sent, so that no conversion to a Duration can overflow.
		if n := req.HostedLink.URLLifetimeSeconds; n != nil && *n <= 0 {
			return errInvalidField("hosted_link.url_lifetime_seconds must be positive")
		} else if n != nil && *n > maxHostedLinkURLLifetimeSeconds {
			return errInvalidField("hosted_link.url_lifetime_seconds cannot be longer than 21 days (%d seconds)", maxHostedLinkURLLifetimeSeconds)
		}
		switch m := req.HostedLink.DeliveryMethod; m {
		case "", link.HostedLinkDeliveryMethodSMS, link.HostedLinkDeliveryMethodEmail:
		default:
			return errInvalidField("hosted_link.delivery_method %q is not one of sms, email", m)
		}
		if e := checkURL("hosted_link.completion_redirect_uri", req.HostedLink.CompletionRedirectURI, true); e != nil {
			return e
		}
	}
	if req.InstitutionID != "" {
		if _, ok := lookupInstitution(req.InstitutionID); !ok {
			return errInvalidInstitution(req.InstitutionID)
		}
	}
	return checkEnums(req)
}

const maxHostedLinkURLLifetimeSeconds = int(MaxHostedLinkURLLifetime / time.Second)

// hostedLinkLifetime is how long the URL of a Hosted Link token lasts, and so the token too. The
// request has passed validateTokenCreate, so a lifetime it sets is within Plaid's bounds.
func hostedLinkLifetime(h *link.TokenCreateHostedLink) time.Duration {
	if n := h.URLLifetimeSeconds; n != nil {
		return time.Duration(*n) * time.Second
	}
	switch h.DeliveryMethod {
	case link.HostedLinkDeliveryMethodEmail:
		return HostedLinkEmailURLLifetime
	case link.HostedLinkDeliveryMethodSMS:
		return HostedLinkSMSURLLifetime
	}
	return HostedLinkURLLifetime
}
