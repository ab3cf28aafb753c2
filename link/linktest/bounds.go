package linktest

import "github.com/plaidlink/plaidlink-go/link/linktest/internal/state"

// Bounds on what a Server holds, so a long test run that creates many tokens cannot make it grow
// without limit. When a store is full its oldest entry is forgotten first.
const (
	// MaxLinkTokens is how many link tokens a Server remembers.
	MaxLinkTokens = state.MaxLinkTokens
	// MaxPublicTokens is how many public tokens (exchanged or not) a Server remembers.
	MaxPublicTokens = state.MaxPublicTokens
	// MaxItems is how many Items (access tokens) a Server remembers.
	MaxItems = state.MaxItems
	// MaxSessionsPerLinkToken is how many Link sessions a link token keeps; /link/token/get shows
	// the most recent ones.
	MaxSessionsPerLinkToken = state.MaxSessionsPerLinkToken

	// LinkTokenRetention is how long, in fake-clock time, a link token stays readable through
	// /link/token/get after it expires; Plaid keeps session data for six hours.
	LinkTokenRetention = state.LinkTokenRetention
	// PublicTokenRetention is how long, in fake-clock time, an expired public token is remembered
	// (its exchange fails as expired rather than unknown) before it is forgotten.
	PublicTokenRetention = state.PublicTokenRetention
)

// DefaultInstitutionID is the institution a session links when no [WithInstitution] option is
// given and the link token's country_codes include US or CA, the countries it serves: Plaid's
// Sandbox bank "First Platypus Bank".
const DefaultInstitutionID = state.DefaultInstitutionID

// Institution is a Sandbox institution the server knows: its InstitutionID (Plaid's
// institution_id, such as "ins_109508"), its Name and the CountryCodes it serves. Only these ids
// are accepted by /sandbox/public_token/create and by [WithInstitution].
type Institution = state.Institution

// Institutions returns the Sandbox institutions the server knows, DefaultInstitutionID first.
func Institutions() []Institution { return state.Institutions() }
