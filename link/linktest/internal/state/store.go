package state

import (
	"time"

	"github.com/plaidlink/plaidlink-go/link"
)

// Bounds on what a Server holds, so a long test run that creates many tokens cannot make it grow
// without limit. When a store is full its oldest entry is forgotten first.
const (
	// MaxLinkTokens is how many link tokens a Server remembers.
	MaxLinkTokens = 10000
	// MaxPublicTokens is how many public tokens (exchanged or not) a Server remembers.
	MaxPublicTokens = 10000
	// MaxItems is how many Items (access tokens) a Server remembers.
	MaxItems = 10000
	// MaxSessionsPerLinkToken is how many Link sessions a link token keeps; /link/token/get shows
	// the most recent ones.
	MaxSessionsPerLinkToken = 20

	// LinkTokenRetention is how long, in fake-clock time, a link token stays readable through
	// /link/token/get after it expires; Plaid keeps session data for six hours.
	LinkTokenRetention = 6 * time.Hour
	// PublicTokenRetention is how long, in fake-clock time, an expired public token is remembered
	// (its exchange fails as expired rather than unknown) before it is forgotten.
	PublicTokenRetention = time.Hour
)

// linkToken is a link_token and what it was created with.
type linkToken struct {
	token     string
	createdAt time.Time
	expiresAt time.Time
	metadata  link.TokenGetMetadataResponse
	webhook   string
	userID    string
	// updateTokens are the access tokens of the Items a link token in update mode repairs.
	updateTokens []string
	hostedID     string
	// multiItem and layer mark Multi-Item Link (enable_multi_item_link) and Layer
	// (/session/token/create) tokens, whose sessions get webhooks a standard one does not.
	multiItem bool
	layer     bool
	// accountSelection marks an update-mode token with update.account_selection_enabled.
	accountSelection bool
	sessions         []link.TokenGetSessionsResponse // oldest first, at most MaxSessionsPerLinkToken

	// completionRedirectURI is hosted_link.completion_redirect_uri, where the Link page goes after
	// a Hosted Link session.
	completionRedirectURI string
}

func (lt *linkToken) addSession(s link.TokenGetSessionsResponse) {
	if len(lt.sessions) >= MaxSessionsPerLinkToken {
		lt.sessions = append(lt.sessions[:0], lt.sessions[len(lt.sessions)-MaxSessionsPerLinkToken+1:]...)
	}
	lt.sessions = append(lt.sessions, s)
}

// publicToken is a public_token waiting to be exchanged.
type publicToken struct {
	token     string
	expiresAt time.Time
	exchanged bool
	// item is the Item the token stands for. A new Item gets its access token on exchange; an
	// Item repaired in update mode already has one.
	item *item
}

// item is a Plaid Item.
type item struct {
	itemID      string
	accessToken string // empty until its public token is exchanged
	institution Institution
	products    []link.Product
	accounts    []link.SessionSuccessMetadataAccount
	webhook     string
	err         *link.Error

	// The Item's life after it was linked (items.go): the user_id of its link token, when its
	// consent expires and when it is to be disconnected (zero if not known or not pending), and
	// the accounts Plaid found since that the user has not shared yet.
	userID           string
	consentExpiresAt time.Time
	disconnectAt     time.Time
	newAccounts      []link.SessionSuccessMetadataAccount
}

// Lifetimes of the tokens the server issues, as Plaid documents them (see package linktest).
const (
	LinkTokenLifetime           = 4 * time.Hour
	UpdateModeLinkTokenLifetime = 30 * time.Minute
	PublicTokenLifetime         = 30 * time.Minute
	HostedLinkURLLifetime       = 30 * time.Minute
	HostedLinkEmailURLLifetime  = 7 * 24 * time.Hour
	HostedLinkSMSURLLifetime    = 24 * time.Hour
	MaxHostedLinkURLLifetime    = 21 * 24 * time.Hour
)
