package link

import (
	"encoding/json"
	"time"
	"unicode/utf8"
)

// TokenCreateRequest is encoded by hand, for speed: encoding/json's reflection over its 40-odd
// optional fields cost a CreateToken call about 12,000 instructions (twice what the six fields a
// typical request sets cost a hand-rolled client) and 3 allocations, where `omitzero` boxes each
// time.Time and Date of the user to call IsZero; by hand it is about 5 times faster, with one
// allocation (BenchmarkTokenCreateRequestEncode). The bytes are encoding/json's exactly, which
// TestTokenCreateRequestEncodesAsReflection checks field by field and FuzzTokenCreateRequestJSON
// checks for any string; the nested objects that few requests set are still encoding/json's.

// tokenCreateRequestFields is TokenCreateRequest without its methods: encoding/json encodes it by
// reflection, on the error path and in the tests.
type tokenCreateRequestFields TokenCreateRequest

// MarshalJSON encodes r exactly as encoding/json encodes the fields of TokenCreateRequest, in
// their order and with their omitempty and omitzero rules.
func (r *TokenCreateRequest) MarshalJSON() ([]byte, error) {
	if r == nil {
		return []byte("null"), nil
	}
	o := jsonObject{b: make([]byte, 0, 256), first: true}
	o.b = append(o.b, '{')
	o.str("client_name", r.ClientName)
	o.str("language", string(r.Language))
	strList(&o, "country_codes", r.CountryCodes)
	if r.User != nil {
		o.key("user")
		r.User.appendJSON(&o)
	}
	o.optStr("user_id", r.UserID)
	optStrList(&o, "products", r.Products)
	optStrList(&o, "required_if_supported_products", r.RequiredIfSupportedProducts)
	optStrList(&o, "optional_products", r.OptionalProducts)
	optStrList(&o, "additional_consented_products", r.AdditionalConsentedProducts)
	o.optStr("webhook", r.Webhook)
	o.optStr("access_token", r.AccessToken)
	optStrList(&o, "access_tokens", r.AccessTokens)
	o.optStr("link_customization_name", r.LinkCustomizationName)
	o.optStr("appearance_mode", string(r.AppearanceMode))
	o.optStr("redirect_uri", r.RedirectURI)
	o.optStr("android_package_name", r.AndroidPackageName)
	optObject(&o, "institution_data", r.InstitutionData)
	optObject(&o, "card_switch", r.CardSwitch)
	optObject(&o, "account_filters", r.AccountFilters)
	optObject(&o, "eu_config", r.EUConfig)
	o.optStr("institution_id", r.InstitutionID)
	optObject(&o, "payment_configuration", r.PaymentConfiguration)
	optObject(&o, "payment_initiation", r.PaymentInitiation)
	optObject(&o, "employment", r.Employment)
	optObject(&o, "income_verification", r.IncomeVerification)
	optObject(&o, "base_report", r.BaseReport)
	optObject(&o, "credit_partner_insights", r.CreditPartnerInsights)
	optObject(&o, "cra_options", r.CRAOptions)
	o.optStr("consumer_report_permissible_purpose", string(r.ConsumerReportPermissiblePurpose))
	optObject(&o, "auth", r.Auth)
	optObject(&o, "transfer", r.Transfer)
	optObject(&o, "update", r.Update)
	optObject(&o, "identity_verification", r.IdentityVerification)
	optObject(&o, "statements", r.Statements)
	o.optStr("third_party_user_token", r.ThirdPartyUserToken)
	optObject(&o, "investments", r.Investments)
	optObject(&o, "investments_auth", r.InvestmentsAuth)
	optObject(&o, "hosted_link", r.HostedLink)
	optObject(&o, "transactions", r.Transactions)
	optObject(&o, "cashflow_report", r.CashflowReport)
	o.optBool("cra_enabled", r.CRAEnabled)
	optObject(&o, "identity", r.Identity)
	o.optBool("financekit_supported", r.FinancekitSupported)
	o.optBool("enable_multi_item_link", r.EnableMultiItemLink)
	o.optStr("user_token", r.UserToken)
	if o.failed {
		// An invalid date or time: encoding/json's own encoding says what, in its own words.
		return json.Marshal((*tokenCreateRequestFields)(r))
	}
	return append(o.b, '}'), nil
}

// appendJSON appends u as encoding/json encodes TokenCreateRequestUser's fields.
func (u *TokenCreateRequestUser) appendJSON(o *jsonObject) {
	outer := o.first
	o.b = append(o.b, '{')
	o.first = true
	o.str("client_user_id", u.ClientUserID)
	o.optStr("legal_name", u.LegalName)
	optObject(o, "name", u.Name)
	o.optStr("phone_number", u.PhoneNumber)
	o.optTime("phone_number_verified_time", u.PhoneNumberVerifiedTime)
	o.optStr("email_address", u.EmailAddress)
	o.optTime("email_address_verified_time", u.EmailAddressVerifiedTime)
	o.optStr("ssn", u.SSN)
	if !u.DateOfBirth.IsZero() {
		o.marshaled("date_of_birth", u.DateOfBirth)
	}
	optObject(o, "address", u.Address)
	optObject(o, "id_number", u.IDNumber)
	o.b = append(o.b, '}')
	o.first = outer
}

// jsonObject appends the members of a JSON object to b. A value that cannot be encoded sets
// failed, and the caller falls back to encoding/json for the error.
type jsonObject struct {
	b      []byte
	first  bool // no member written yet: the next needs no comma
	failed bool
}

// key appends a member's name; names are plain ASCII, which needs no escaping.
func (o *jsonObject) key(k string) {
	if !o.first {
		o.b = append(o.b, ',')
	}
	o.first = false
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
}

func (o *jsonObject) str(k, v string) {
	o.key(k)
	o.b = appendJSONString(o.b, v)
}

func (o *jsonObject) optStr(k, v string) {
	if v != "" {
		o.str(k, v)
	}
}

func (o *jsonObject) optBool(k string, v *bool) {
	if v == nil {
		return
	}
	o.key(k)
	if *v {
		o.b = append(o.b, "true"...)
	} else {
		o.b = append(o.b, "false"...)
	}
}

func (o *jsonObject) optTime(k string, t time.Time) {
	if !t.IsZero() {
		o.marshaled(k, t)
	}
}

// marshaled appends a value whose type encodes itself (time.Time, Date): its MarshalJSON output
// is compact and free of the characters encoding/json would escape again.
func (o *jsonObject) marshaled(k string, v json.Marshaler) {
	b, err := v.MarshalJSON()
	if err != nil {
		o.failed = true
		return
	}
	o.key(k)
	o.b = append(o.b, b...)
}

// strList appends a list of strings, null when nil as encoding/json does for a field without
// omitempty.
func strList[T ~string](o *jsonObject, k string, v []T) {
	o.key(k)
	if v == nil {
		o.b = append(o.b, "null"...)
		return
	}
	o.b = append(o.b, '[')
	for i, s := range v {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendJSONString(o.b, string(s))
	}
	o.b = append(o.b, ']')
}

func optStrList[T ~string](o *jsonObject, k string, v []T) {
	if len(v) > 0 {
		strList(o, k, v)
	}
}

// optObject appends a nested object that few requests set through encoding/json.
func optObject[T any](o *jsonObject, k string, v *T) {
	if v == nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		o.failed = true
		return
	}
	o.key(k)
	o.b = append(o.b, b...)
}

// plainJSON marks the ASCII bytes that encoding/json writes into a string as they are: all but
// the control characters, the quote, the backslash and, escaped for HTML, <, > and &.
var plainJSON = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendJSONString appends s as a JSON string exactly as encoding/json writes it: <, > and &
// escaped for HTML, as are U+2028 and U+2029, and each invalid UTF-8 byte replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if plainJSON[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
