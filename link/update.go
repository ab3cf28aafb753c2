package link

import "slices"

// creditProducts are the products that update mode may add to an existing Item: "If launching
// Link in update mode, [products] should be omitted (unless you are using update mode to add a
// credit product, such as Assets, Statements, Income, or Plaid Check Consumer Report, to an
// existing Item)" (LinkTokenCreateRequest.products;
// https://plaid.com/docs/link/update-mode/#using-update-mode-to-request-additional-products).
var creditProducts = []Product{
	ProductAssets, ProductStatements, ProductIncome, ProductIncomeVerification, ProductEmployment,
	ProductCraBaseReport, ProductCraIncomeInsights, ProductCraPartnerInsights,
	ProductCraNetworkInsights, ProductCraCashflowInsights, ProductCraMonitoring, ProductCraLendScore,
	ProductCraPlaidCreditScore,
}

// IsUpdateModeProduct reports whether p may be listed in products of an update-mode link token:
// the credit products that update mode adds to an Item.
func IsUpdateModeProduct(p Product) bool { return slices.Contains(creditProducts, p) }

// UpdateModeTokenRequest returns the /link/token/create request that opens Link in update mode for
// the Item of accessToken (https://plaid.com/docs/link/update-mode/): a copy of base (the request
// your app makes for a new Item, for its client_name, language, country_codes, user, webhook,
// redirect_uri and the like) with access_token set and, as the update-mode guide requires, no
// products, required_if_supported_products, optional_products or additional_consented_products.
// To add a credit product to the Item in the same session ([IsUpdateModeProduct]), set products
// on the result. With
// accountSelection, update.account_selection_enabled is set, so that the user can share accounts
// Plaid found after NEW_ACCOUNTS_AVAILABLE
// (https://plaid.com/docs/link/update-mode/#using-update-mode-to-request-new-accounts).
// base is not modified; a nil base gives a request with only those fields set.
func UpdateModeTokenRequest(base *TokenCreateRequest, accessToken string, accountSelection bool) *TokenCreateRequest {
	var req TokenCreateRequest
	if base != nil {
		req = *base
		req.CountryCodes = slices.Clone(base.CountryCodes)
	}
	req.AccessToken = accessToken
	req.AccessTokens = nil
	req.Products = nil
	req.RequiredIfSupportedProducts = nil
	req.OptionalProducts = nil
	req.AdditionalConsentedProducts = nil
	// Multi-Item Link adds new Items; a token for an existing one has no use for it. hosted_link
	// stays: Hosted Link works in update mode too (Link Recovery).
	req.EnableMultiItemLink = nil
	if req.Update != nil {
		u := *req.Update
		req.Update = &u
	}
	if accountSelection {
		if req.Update == nil {
			req.Update = &TokenCreateRequestUpdate{}
		}
		on := true
		req.Update.AccountSelectionEnabled = &on
	}
	return &req
}
