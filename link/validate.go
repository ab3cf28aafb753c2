package link

import "strconv"

// ValidationError reports a request refused before anything was sent, because a field that
// Plaid's API description marks as required is missing, or because it makes a mistake Plaid's
// guides name (update mode's, for instance). Retrying it cannot help.
type ValidationError struct {
	// Method is the Client method that refused the request, such as "CreateToken".
	Method string
	// Field is the JSON path of the offending field, such as "user.client_user_id" or
	// "cra_options.partner_insights.fico.ultrafico_score_requests[0].base_fico_score.bureau";
	// "request" when the request itself is nil.
	Field string
	// Reason completes the sentence that starts with Field, such as "is required".
	Reason string
}

// Error returns, for instance, "link: CreateToken: client_name is required".
func (e *ValidationError) Error() string {
	return "link: " + e.Method + ": " + e.Field + " " + e.Reason
}

// checker keeps the first missing field of a request. Its checks do nothing once one has failed,
// so a validator reads as a flat list of the spec's required fields.
type checker struct {
	method string
	first  *ValidationError
}

func (v *checker) fail(field, reason string) {
	if v.first == nil {
		v.first = &ValidationError{Method: v.method, Field: field, Reason: reason}
	}
}

// str requires a non-empty string (or string enum).
func (v *checker) str(field, s string) {
	if s == "" {
		v.fail(field, "is required")
	}
}

// list requires a non-empty array: Plaid refuses both null and [] for its required lists.
func (v *checker) list(field string, n int) {
	if n == 0 {
		v.fail(field, "must not be empty")
	}
}

// date requires a set, real Date.
func (v *checker) date(field string, d Date) {
	if d.IsZero() {
		v.fail(field, "is required")
		return
	}
	v.optDate(field, d)
}

// optDate refuses an optional Date that is set but impossible (2024-02-30), which would otherwise
// fail later, while encoding, without naming the field.
func (v *checker) optDate(field string, d Date) {
	if !d.IsZero() && !d.valid() {
		v.fail(field, "is not a valid date: "+d.String())
	}
}

func (v *checker) err() error {
	if v.first == nil {
		return nil
	}
	return v.first
}

func nilRequest(method string) error {
	return &ValidationError{Method: method, Field: "request", Reason: "must not be nil"}
}

// The validators below check every string, enum, date, array and object that the spec's
// `required` lists name, in the request and in each optional sub-object the request sets.
// Required integers and booleans are not checked: their zero value is a value.

func validateTokenCreate(r *TokenCreateRequest) error {
	const method = "CreateToken"
	if r == nil {
		return nilRequest(method)
	}
	v := checker{method: method}
	v.str("client_name", r.ClientName)
	v.str("language", string(r.Language))
	v.list("country_codes", len(r.CountryCodes))
	if r.User == nil && r.UserID == "" {
		v.fail("user", "or user_id is required")
	}
	if u := r.User; u != nil {
		v.str("user.client_user_id", u.ClientUserID)
		v.optDate("user.date_of_birth", u.DateOfBirth)
		if n := u.Name; n != nil {
			v.str("user.name.given_name", n.GivenName)
			v.str("user.name.family_name", n.FamilyName)
		}
		if a := u.Address; a != nil {
			v.str("user.address.country", a.Country)
		}
		if id := u.IDNumber; id != nil {
			v.str("user.id_number.value", id.Value)
			v.str("user.id_number.type", string(id.Type))
		}
	}
	if cs := r.CardSwitch; cs != nil {
		v.str("card_switch.card_bin", cs.CardBin)
	}
	if f := r.AccountFilters; f != nil {
		if f.Depository != nil {
			v.list("account_filters.depository.account_subtypes", len(f.Depository.AccountSubtypes))
		}
		if f.Credit != nil {
			v.list("account_filters.credit.account_subtypes", len(f.Credit.AccountSubtypes))
		}
		if f.Loan != nil {
			v.list("account_filters.loan.account_subtypes", len(f.Loan.AccountSubtypes))
		}
		if f.Investment != nil {
			v.list("account_filters.investment.account_subtypes", len(f.Investment.AccountSubtypes))
		}
		if f.Other != nil {
			v.list("account_filters.other.account_subtypes", len(f.Other.AccountSubtypes))
		}
	}
	if pc := r.PaymentConfiguration; pc != nil {
		v.str("payment_configuration.amount", pc.Amount)
	}
	if cra := r.CRAOptions; cra != nil {
		validateCRAOptions(&v, cra)
	}
	if iv := r.IdentityVerification; iv != nil {
		v.str("identity_verification.template_id", iv.TemplateID)
	}
	if s := r.Statements; s != nil {
		v.date("statements.start_date", s.StartDate)
		v.date("statements.end_date", s.EndDate)
	}
	validateUpdateMode(&v, r)
	return v.err()
}

// validateUpdateMode refuses the update-mode mistakes Plaid's update-mode guide names
// (https://plaid.com/docs/link/update-mode/).
func validateUpdateMode(v *checker, r *TokenCreateRequest) {
	if r.AccessToken != "" {
		// "If launching Link in update mode, [products] should be omitted (unless you are using
		// update mode to add a credit product ...)": LinkTokenCreateRequest.products, and
		// https://plaid.com/docs/link/update-mode/#using-update-mode-to-request-additional-products.
		for i, p := range r.Products {
			if !IsUpdateModeProduct(p) {
				v.fail("products["+strconv.Itoa(i)+"]", "must be omitted in update mode (access_token is set): "+
					strconv.Quote(string(p))+" is not a product update mode adds; see UpdateModeTokenRequest")
				return
			}
		}
	}
	u := r.Update
	if u == nil {
		return
	}
	userMode := u.User != nil && *u.User
	// update.user: "If true, a user_token must also be provided" (LinkTokenCreateRequestUpdate);
	// integrations that began after December 10, 2025 name the user with user_id instead.
	if userMode && r.UserToken == "" && r.UserID == "" {
		v.fail("update.user", "needs user_token (or user_id): it opens update mode for that user's Items")
	}
	// update.account_selection_enabled "enables update mode with Account Select"
	// (https://plaid.com/docs/link/update-mode/#using-update-mode-to-request-new-accounts): without
	// access_token there is no Item to select accounts for, and Link opens to add a new one.
	if on := u.AccountSelectionEnabled; on != nil && *on && r.AccessToken == "" && !userMode {
		v.fail("update.account_selection_enabled", "needs access_token: it applies only to update mode for an Item")
	}
	// update.item_ids: "A user_token must also be provided to use this field" (LinkTokenCreateRequestUpdate),
	// which update.user turns on.
	if len(u.ItemIDs) > 0 && !userMode {
		v.fail("update.item_ids", "needs update.user set to true: it picks the Items of a user in user update mode")
	}
}

func validateCRAOptions(v *checker, cra *TokenCreateRequestCraOptions) {
	if pi := cra.PartnerInsights; pi != nil && pi.FICO != nil {
		fico := pi.FICO
		const p = "cra_options.partner_insights.fico."
		v.str(p+"fico_lender_id", fico.FICOLenderID)
		v.str(p+"lender_application_id", fico.LenderApplicationID)
		v.list(p+"ultrafico_score_requests", len(fico.UltraficoScoreRequests))
		for i := range fico.UltraficoScoreRequests {
			if v.first != nil {
				break
			}
			sr := &fico.UltraficoScoreRequests[i]
			at := p + "ultrafico_score_requests[" + strconv.Itoa(i) + "]."
			v.str(at+"ultrafico_score_version", string(sr.UltraficoScoreVersion))
			v.str(at+"base_fico_score.bureau", string(sr.BaseFICOScore.Bureau))
			v.str(at+"base_fico_score.base_fico_score_version", string(sr.BaseFICOScore.BaseFICOScoreVersion))
		}
	}
	if br := cra.BaseReport; br != nil {
		if br.GSEOptions != nil {
			v.list("cra_options.base_report.gse_options.report_types", len(br.GSEOptions.ReportTypes))
		}
		if br.HomeLendingReportOptions != nil {
			v.list("cra_options.base_report.home_lending_report_options.reports_requested",
				len(br.HomeLendingReportOptions.ReportsRequested))
		}
	}
	if ii := cra.IncomeInsights; ii != nil {
		// income_insights_version is required but nullable: nil sends null, which Plaid accepts,
		// while a pointer to "" would send "", which is neither null nor a version.
		if ver := ii.IncomeInsightsVersion; ver != nil && *ver == "" {
			v.fail("cra_options.income_insights.income_insights_version", "must be nil (null) or a version, not empty")
		}
		if ii.IncomeInsightsFilter != nil {
			v.list("cra_options.income_insights.income_insights_filter.included_categories",
				len(ii.IncomeInsightsFilter.IncludedCategories))
		}
	}
}

func validateTokenGet(r *TokenGetRequest) error {
	const method = "GetToken"
	if r == nil {
		return nilRequest(method)
	}
	v := checker{method: method}
	v.str("link_token", r.LinkToken)
	return v.err()
}

func validatePublicTokenExchange(r *ItemPublicTokenExchangeRequest) error {
	const method = "ExchangePublicToken"
	if r == nil {
		return nilRequest(method)
	}
	v := checker{method: method}
	v.str("public_token", r.PublicToken)
	return v.err()
}

func validateSandboxPublicTokenCreate(r *SandboxPublicTokenCreateRequest) error {
	const method = "CreateSandboxPublicToken"
	if r == nil {
		return nilRequest(method)
	}
	v := checker{method: method}
	v.str("institution_id", r.InstitutionID)
	v.list("initial_products", len(r.InitialProducts))
	if o := r.Options; o != nil && o.Statements != nil {
		v.date("options.statements.start_date", o.Statements.StartDate)
		v.date("options.statements.end_date", o.Statements.EndDate)
	}
	if o := r.Options; o != nil && o.Transactions != nil {
		v.optDate("options.transactions.start_date", o.Transactions.StartDate)
		v.optDate("options.transactions.end_date", o.Transactions.EndDate)
	}
	return v.err()
}

func validateSandboxItemResetLogin(r *SandboxItemResetLoginRequest) error {
	const method = "ResetSandboxItemLogin"
	if r == nil {
		return nilRequest(method)
	}
	v := checker{method: method}
	v.str("access_token", r.AccessToken)
	return v.err()
}

func validateSessionTokenCreate(r *SessionTokenCreateRequest) error {
	const method = "CreateSessionToken"
	if r == nil {
		return nilRequest(method)
	}
	v := checker{method: method}
	v.str("template_id", r.TemplateID)
	// The spec's description of user: "Required if a root-level user_id is not provided."
	if r.User == nil && r.UserID == "" {
		v.fail("user", "or user_id is required")
	}
	if u := r.User; u != nil {
		v.str("user.client_user_id", u.ClientUserID)
	}
	return v.err()
}

func validateWebhookVerificationKeyGet(r *WebhookVerificationKeyGetRequest) error {
	const method = "GetWebhookVerificationKey"
	if r == nil {
		return nilRequest(method)
	}
	v := checker{method: method}
	v.str("key_id", r.KeyID)
	return v.err()
}
