package webhook

import "github.com/plaidlink/plaidlink-go/link"

// UserAction says whether the user must go back to Link's update mode for an Item, and why. The
// zero value, [UserActionNone], means there is nothing for the user to fix.
type UserAction string

// UserAction values.
const (
	// UserActionNone: nothing for the user to fix (LOGIN_REPAIRED, USER_PERMISSION_REVOKED,
	// WEBHOOK_UPDATE_ACKNOWLEDGED, an ERROR other than ITEM_LOGIN_REQUIRED, any other webhook).
	UserActionNone UserAction = ""
	// UserActionReauthenticate: the Item's login must be repaired in update mode (ERROR with
	// ITEM_LOGIN_REQUIRED).
	UserActionReauthenticate UserAction = "REAUTHENTICATE"
	// UserActionRenewConsent: the Item's consent expires or it is about to be disconnected; update
	// mode renews it (PENDING_EXPIRATION, PENDING_DISCONNECT).
	UserActionRenewConsent UserAction = "RENEW_CONSENT"
	// UserActionChooseAccounts: the institution has accounts the user has not shared; update mode
	// with account selection lets them choose (NEW_ACCOUNTS_AVAILABLE).
	UserActionChooseAccounts UserAction = "CHOOSE_NEW_ACCOUNTS"
)

// NeedsUser reports whether a is an action the user must take in Link.
func (a UserAction) NeedsUser() bool { return a != UserActionNone }

// AccountSelection reports whether the update-mode link token for a needs
// update.account_selection_enabled: only to choose new accounts.
func (a UserAction) AccountSelection() bool { return a == UserActionChooseAccounts }

// UserActionFor says whether the webhook ev asks the user to go back to Link in update mode, and
// why. The rules follow Plaid's Item webhook reference (https://plaid.com/docs/api/items/#webhooks)
// and its update-mode guide (https://plaid.com/docs/link/update-mode/). For an action that
// NeedsUser, make a link token with [link.UpdateModeTokenRequest] for the Item's access token.
func UserActionFor(ev Event) UserAction {
	switch ev := ev.(type) {
	case *ItemError:
		// https://plaid.com/docs/link/update-mode/#resolving-item_login_required-errors: only
		// ITEM_LOGIN_REQUIRED is resolved by the user in update mode; other Item errors (an
		// institution down, say) pass without the user.
		if ev.Error != nil && ev.Error.ErrorCode == link.ErrorCodeItemLoginRequired {
			return UserActionReauthenticate
		}
	case *PendingExpiration, *PendingDisconnect:
		// https://plaid.com/docs/api/items/#pending_expiration and #pending_disconnect: "This can
		// be resolved by having the user go through Link's update mode."
		return UserActionRenewConsent
	case *NewAccountsAvailable:
		// https://plaid.com/docs/link/update-mode/#using-update-mode-to-request-new-accounts
		return UserActionChooseAccounts
	}
	// LOGIN_REPAIRED (https://plaid.com/docs/api/items/#login_repaired) means the Item is fixed:
	// silence any message to the user. USER_PERMISSION_REVOKED and USER_ACCOUNT_REVOKED
	// (https://plaid.com/docs/api/items/#user_permission_revoked) mean the user chose to stop
	// sharing: delete the data rather than send them back.
	return UserActionNone
}
