package state

import (
	"slices"

	"github.com/plaidlink/plaidlink-go/link"
)

// DefaultInstitutionID is the institution a session links when no linktest.WithInstitution option is
// given and the link token's country_codes include US or CA, the countries it serves: Plaid's
// Sandbox bank "First Platypus Bank".
const DefaultInstitutionID = "ins_109508"

// Institution is a Sandbox institution the server knows. Only these ids are accepted by
// /sandbox/public_token/create and by linktest.WithInstitution.
type Institution struct {
	// InstitutionID is Plaid's institution_id, such as "ins_109508".
	InstitutionID string
	// Name is the institution's display name.
	Name string
	// CountryCodes are the countries the institution serves.
	CountryCodes []link.CountryCode
}

// institutions are Plaid's Sandbox test institutions.
var institutions = []Institution{
	{InstitutionID: "ins_109508", Name: "First Platypus Bank", CountryCodes: []link.CountryCode{link.CountryCodeUS, link.CountryCodeCA}},
	{InstitutionID: "ins_109509", Name: "First Gingham Credit Union", CountryCodes: []link.CountryCode{link.CountryCodeUS, link.CountryCodeCA}},
	{InstitutionID: "ins_109510", Name: "Tattersall Federal Credit Union", CountryCodes: []link.CountryCode{link.CountryCodeUS, link.CountryCodeCA}},
	{InstitutionID: "ins_109511", Name: "Tartan Bank", CountryCodes: []link.CountryCode{link.CountryCodeUS, link.CountryCodeCA}},
	{InstitutionID: "ins_109512", Name: "Houndstooth Bank", CountryCodes: []link.CountryCode{link.CountryCodeUS, link.CountryCodeCA}},
	{InstitutionID: "ins_116834", Name: "Flexible Platypus Open Banking", CountryCodes: []link.CountryCode{link.CountryCodeGB}},
	{InstitutionID: "ins_117650", Name: "Royal Bank of Plaid", CountryCodes: []link.CountryCode{link.CountryCodeGB}},
	{InstitutionID: "ins_127287", Name: "Platypus OAuth Bank", CountryCodes: []link.CountryCode{link.CountryCodeUS}},
}

// Institutions returns the Sandbox institutions the server knows, DefaultInstitutionID first.
func Institutions() []Institution {
	out := make([]Institution, len(institutions))
	for i, in := range institutions {
		in.CountryCodes = slices.Clone(in.CountryCodes)
		out[i] = in
	}
	return out
}

func lookupInstitution(id string) (Institution, bool) {
	for _, in := range institutions {
		if in.InstitutionID == id {
			return in, true
		}
	}
	return Institution{}, false
}

// defaultAccounts are the accounts a session links when no linktest.WithAccounts option is given,
// named as Plaid's Sandbox names them. Ids are filled in per Item.
func defaultAccounts() []link.SessionSuccessMetadataAccount {
	return []link.SessionSuccessMetadataAccount{
		{Name: "Plaid Checking", Mask: "0000", Type: link.AccountTypeDepository, Subtype: "checking"},
		{Name: "Plaid Saving", Mask: "1111", Type: link.AccountTypeDepository, Subtype: "savings"},
	}
}

// LookupInstitution returns the Sandbox institution with the given id.
func LookupInstitution(id string) (Institution, bool) { return lookupInstitution(id) }
