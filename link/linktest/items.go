package linktest

import (
	"errors"
	"fmt"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/state"
)

// ITEM webhook codes [Server.FireItemWebhook] sends, as Plaid's /sandbox/item/fire_webhook does
// (https://plaid.com/docs/api/sandbox/#sandboxitemfire_webhook; the webhooks are documented at
// https://plaid.com/docs/api/items/#webhooks).
const (
	ItemWebhookError                     = state.ItemWebhookError
	ItemWebhookPendingExpiration         = state.ItemWebhookPendingExpiration
	ItemWebhookPendingDisconnect         = state.ItemWebhookPendingDisconnect
	ItemWebhookNewAccountsAvailable      = state.ItemWebhookNewAccountsAvailable
	ItemWebhookLoginRepaired             = state.ItemWebhookLoginRepaired
	ItemWebhookUserPermissionRevoked     = state.ItemWebhookUserPermissionRevoked
	ItemWebhookUserAccountRevoked        = state.ItemWebhookUserAccountRevoked
	ItemWebhookWebhookUpdateAcknowledged = state.ItemWebhookWebhookUpdateAcknowledged
)

const (
	// PendingNotice is how long before an Item's consent expires (PENDING_EXPIRATION) or the Item
	// is disconnected (PENDING_DISCONNECT) Plaid warns: 7 days
	// (https://plaid.com/docs/api/items/#pending_expiration).
	PendingNotice = state.PendingNotice
	// ConsentRenewal is how long a consent renewed through update mode lasts from the session, on
	// the server's clock: the 90 days of a UK or EU open-banking consent.
	ConsentRenewal = state.ConsentRenewal
)

// Item is a snapshot of an Item the server holds, for assertions in tests: ItemID, AccessToken,
// InstitutionID, Products, Accounts and Webhook as the Item was linked, and its life since:
// Error (nil while healthy, ITEM_LOGIN_REQUIRED after /sandbox/item/reset_login until an
// update-mode session or [Server.RepairItemOutsideApp] repairs it, or the error of an ITEM
// webhook [Server.FireItemWebhook] sent), ConsentExpirationTime (zero until PENDING_EXPIRATION,
// then [ConsentRenewal] after each update-mode session), DisconnectTime (PENDING_DISCONNECT, or
// zero) and NewAccounts (found by NEW_ACCOUNTS_AVAILABLE and not yet shared). The fields are
// documented in package internal/state, which owns Items.
type Item = state.Item

// Item returns the Item an access token belongs to; ok is false for an unknown access token.
func (s *Server) Item(accessToken string) (it Item, ok bool) { return s.state.Item(accessToken) }

// Items returns the Items the server holds, oldest first: those whose public token has been
// exchanged. A test can see with it that an exchange took effect although its reply was lost
// (see [Server.LoseReplyNext]).
func (s *Server) Items() []Item { return s.state.Items() }

// FireItemWebhook sends the ITEM webhook code (one of the ItemWebhook constants) about the Item of
// accessToken to the Item's webhook, as Plaid's /sandbox/item/fire_webhook does
// (https://plaid.com/docs/api/sandbox/#sandboxitemfire_webhook): signed, before the call returns,
// and again on Plaid's schedule if it fails, like every webhook (see [Server.Deliveries]).
//
// The Item is first put into the state the webhook reports, so that a test can then take it
// through update mode as a user would (see [Server.CompleteSession]):
//   - ERROR: ITEM_LOGIN_REQUIRED, as after /sandbox/item/reset_login;
//   - PENDING_EXPIRATION: its consent expires [PendingNotice] from now ([Item].ConsentExpirationTime);
//   - PENDING_DISCONNECT: it is disconnected PendingNotice from now ([Item].DisconnectTime), for
//     INSTITUTION_TOKEN_EXPIRATION;
//   - NEW_ACCOUNTS_AVAILABLE: the institution has a new account, "Plaid CD" (mask 2222), which the
//     user can share in update mode with account selection ([Item].NewAccounts);
//   - LOGIN_REPAIRED: the Item's error is cleared, as when the user repaired it in another app
//     (see [Server.RepairItemOutsideApp]);
//   - USER_PERMISSION_REVOKED: the Item carries the USER_PERMISSION_REVOKED error;
//   - USER_ACCOUNT_REVOKED: names the Item's first account; WEBHOOK_UPDATE_ACKNOWLEDGED: names
//     the Item's webhook URL. Neither changes the Item.
//
// The error is for an unknown access token, an Item without a webhook (Plaid has nowhere to send
// it), or an unknown code; how the delivery went is in the returned WebhookDelivery's Err.
func (s *Server) FireItemWebhook(accessToken, code string) (WebhookDelivery, error) {
	return s.fireItemWebhook("FireItemWebhook", accessToken, code, nil)
}

// RepairItemOutsideApp repairs the Item of accessToken, which must be in ITEM_LOGIN_REQUIRED,
// without the app's update mode, as when the user fixed it in another app that uses Plaid, and
// sends LOGIN_REPAIRED to the Item's webhook, the one case in which Plaid sends it
// (https://plaid.com/docs/api/items/#login_repaired). An update-mode session of the app's own
// ([Server.CompleteSession] with a link token made with access_token) repairs the Item without
// it.
func (s *Server) RepairItemOutsideApp(accessToken string) (WebhookDelivery, error) {
	return s.fireItemWebhook("RepairItemOutsideApp", accessToken, ItemWebhookLoginRepaired, func(it Item) error {
		if it.Error == nil || it.Error.ErrorCode != link.ErrorCodeItemLoginRequired {
			return errors.New("the Item is not in ITEM_LOGIN_REQUIRED; there is nothing to repair")
		}
		return nil
	})
}

func (s *Server) fireItemWebhook(method, accessToken, code string, check func(Item) error) (WebhookDelivery, error) {
	b, err := s.state.ItemWebhook(method, accessToken, code, check)
	if err != nil {
		return WebhookDelivery{}, err
	}
	ds := s.sendNow(b)
	if len(ds) == 0 {
		return WebhookDelivery{}, fmt.Errorf("linktest: %s: the %s webhook could not be encoded (see Deliveries)", method, code)
	}
	return ds[0], nil
}
