package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/delivery"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/ids"
)

// ITEM webhook codes Server.FireItemWebhook sends, as Plaid's /sandbox/item/fire_webhook does
// (https://plaid.com/docs/api/sandbox/#sandboxitemfire_webhook; the webhooks are documented at
// https://plaid.com/docs/api/items/#webhooks).
const (
	ItemWebhookError                     = "ERROR"
	ItemWebhookPendingExpiration         = "PENDING_EXPIRATION"
	ItemWebhookPendingDisconnect         = "PENDING_DISCONNECT"
	ItemWebhookNewAccountsAvailable      = "NEW_ACCOUNTS_AVAILABLE"
	ItemWebhookLoginRepaired             = "LOGIN_REPAIRED"
	ItemWebhookUserPermissionRevoked     = "USER_PERMISSION_REVOKED"
	ItemWebhookUserAccountRevoked        = "USER_ACCOUNT_REVOKED"
	ItemWebhookWebhookUpdateAcknowledged = "WEBHOOK_UPDATE_ACKNOWLEDGED"
)

// itemWebhookCodes are the codes FireItemWebhook accepts, in the order its error lists them.
var itemWebhookCodes = []string{
	ItemWebhookError, ItemWebhookPendingExpiration, ItemWebhookPendingDisconnect,
	ItemWebhookNewAccountsAvailable, ItemWebhookLoginRepaired, ItemWebhookUserPermissionRevoked,
	ItemWebhookUserAccountRevoked, ItemWebhookWebhookUpdateAcknowledged,
}

const (
	// PendingNotice is how long before an Item's consent expires (PENDING_EXPIRATION) or the Item
	// is disconnected (PENDING_DISCONNECT) Plaid warns: 7 days
	// (https://plaid.com/docs/api/items/#pending_expiration).
	PendingNotice = 7 * 24 * time.Hour
	// ConsentRenewal is how long a consent renewed through update mode lasts from the session, on
	// the server's clock: the 90 days of a UK or EU open-banking consent.
	ConsentRenewal = 90 * 24 * time.Hour
)

// newAccountFound is the account NEW_ACCOUNTS_AVAILABLE says Plaid found at the institution, as
// Plaid's Sandbox names its certificate of deposit account. Its id is made per Item.
func newAccountFound() link.SessionSuccessMetadataAccount {
	return link.SessionSuccessMetadataAccount{Name: "Plaid CD", Mask: "2222", Type: link.AccountTypeDepository, Subtype: "cd"}
}

// itemWebhookError is PlaidError as an ITEM webhook carries it (Plaid's sample): with status, no
// request_id, and null for the strings that have no value.
type itemWebhookError struct {
	DisplayMessage  *string        `json:"display_message"`
	ErrorCode       string         `json:"error_code"`
	ErrorCodeReason *string        `json:"error_code_reason"`
	ErrorMessage    string         `json:"error_message"`
	ErrorType       link.ErrorType `json:"error_type"`
	Status          int            `json:"status"`
}

// itemWebhook is the body of every ITEM webhook, with the fields of each code set and the others
// left out, in the field order of Plaid's samples.
type itemWebhook struct {
	WebhookType           string          `json:"webhook_type"`
	WebhookCode           string          `json:"webhook_code"`
	ItemID                string          `json:"item_id"`
	UserID                string          `json:"user_id,omitempty"`
	AccountID             string          `json:"account_id,omitempty"`
	Reason                string          `json:"reason,omitempty"`
	ConsentExpirationTime *time.Time      `json:"consent_expiration_time,omitempty"`
	DisconnectTime        *time.Time      `json:"disconnect_time,omitempty"`
	NewWebhookURL         string          `json:"new_webhook_url,omitempty"`
	Error                 json.RawMessage `json:"error,omitempty"`
	Environment           string          `json:"environment"`
}

// webhookError encodes e as itemWebhookError; nil gives null, as NEW_ACCOUNTS_AVAILABLE and
// WEBHOOK_UPDATE_ACKNOWLEDGED carry it.
func webhookError(e *link.Error) json.RawMessage {
	if e == nil {
		return json.RawMessage("null")
	}
	b, err := json.Marshal(itemWebhookError{
		DisplayMessage: nullable(e.DisplayMessage), ErrorCode: string(e.ErrorCode),
		ErrorCodeReason: nullable(e.ErrorCodeReason), ErrorMessage: e.ErrorMessage,
		ErrorType: e.ErrorType, Status: http.StatusBadRequest,
	})
	if err != nil {
		// A struct of strings and an int always encodes.
		return json.RawMessage("null")
	}
	return b
}

// userPermissionRevoked is the error an Item carries once its user revoked the app's access.
func userPermissionRevoked() *link.Error {
	return &link.Error{
		ErrorType:    link.ErrorTypeItemError,
		ErrorCode:    link.ErrorCodeUserPermissionRevoked,
		ErrorMessage: "the holder of this account has revoked their permission for your application to access it",
	}
}

// itemEventLocked puts it into the state the ITEM webhook code reports, as of now, and returns
// the webhook. The caller must hold s.mu.
func itemEventLocked(it *item, code string, now time.Time) (delivery.Hook, error) {
	w := itemWebhook{WebhookType: "ITEM", WebhookCode: code, ItemID: it.itemID, UserID: it.userID, Environment: webhookEnvironment}
	switch code {
	case ItemWebhookError:
		// As /sandbox/item/reset_login: the Item needs its user to log in again.
		it.err = itemLoginRequired()
		w.Error = webhookError(it.err)
	case ItemWebhookPendingExpiration:
		at := now.Add(PendingNotice)
		it.consentExpiresAt = at
		w.ConsentExpirationTime = &at
	case ItemWebhookPendingDisconnect:
		at := now.Add(PendingNotice)
		it.disconnectAt = at
		w.Reason = "INSTITUTION_TOKEN_EXPIRATION"
		w.DisconnectTime = &at
	case ItemWebhookNewAccountsAvailable:
		if len(it.newAccounts) == 0 {
			acct := newAccountFound()
			acct.ID = ids.AccountID()
			it.newAccounts = append(it.newAccounts, acct)
		}
		w.Error = webhookError(nil)
	case ItemWebhookLoginRepaired:
		// Repaired outside the app: the only case in which Plaid sends LOGIN_REPAIRED.
		it.err = nil
	case ItemWebhookUserPermissionRevoked:
		it.err = userPermissionRevoked()
		w.Error = webhookError(it.err)
	case ItemWebhookUserAccountRevoked:
		if len(it.accounts) == 0 {
			return delivery.Hook{}, errors.New("the Item has no account to revoke")
		}
		w.AccountID = it.accounts[0].ID
	case ItemWebhookWebhookUpdateAcknowledged:
		w.NewWebhookURL = it.webhook
		w.Error = webhookError(nil)
	default:
		return delivery.Hook{}, fmt.Errorf("%q is not an ITEM webhook code the server sends; use one of %q", code, itemWebhookCodes)
	}
	return delivery.Hook{Code: code, Body: w}, nil
}

// ItemWebhook puts the Item of accessToken into the state the ITEM webhook code reports, as of
// now, and returns the webhook for the caller to send; check, if set, may refuse the Item first.
// method names the caller in errors. The error is for an unknown access token, an Item without a
// webhook (Plaid has nowhere to send it), an unknown code, or check's refusal.
func (s *State) ItemWebhook(method, accessToken, code string, check func(Item) error) (delivery.Batch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	it, ok := s.items.Get(accessToken)
	var err error
	switch {
	case !ok:
		// The access token is a secret: the error does not repeat it.
		err = errors.New("no Item has this access token")
	case it.webhook == "":
		err = errors.New("the Item has no webhook URL (make its link token with webhook set)")
	case check != nil:
		err = check(it.snapshot())
	}
	var hook delivery.Hook
	if err == nil {
		hook, err = itemEventLocked(it, code, now)
	}
	if err != nil {
		return delivery.Batch{}, fmt.Errorf("linktest: %s: %w", method, err)
	}
	return delivery.Batch{URL: it.webhook, Hooks: []delivery.Hook{hook}, Due: now}, nil
}

// checkUpdateModeProducts refuses products in an update-mode link token, which Plaid's update-mode
// guide says to omit unless update mode adds a credit product to the Item
// (https://plaid.com/docs/link/update-mode/#using-update-mode-to-request-additional-products).
func checkUpdateModeProducts(req *link.TokenCreateRequest, updateMode bool) *Error {
	if !updateMode {
		return nil
	}
	for _, p := range req.Products {
		if !link.IsUpdateModeProduct(p) {
			return errInvalidField("products must be omitted when launching Link in update mode with an access_token, "+
				"unless adding a credit product (assets, statements, income_verification or a Plaid Check product); got %q", p)
		}
	}
	return nil
}

// updateItemsLocked applies an update-mode session to its Items, as of now: each is repaired
// (its error cleared, with no LOGIN_REPAIRED: https://plaid.com/docs/api/items/#login_repaired),
// its consent renewed (https://plaid.com/docs/link/update-mode/) and its disconnection called
// off, and with account selection the first Item's accounts become those the user selected among
// its accounts and the new ones Plaid found
// (https://plaid.com/docs/link/update-mode/#using-update-mode-to-request-new-accounts). The
// selection is checked before anything changes. The caller must hold s.mu.
func updateItemsLocked(lt *linkToken, items []*item, chosen []link.SessionSuccessMetadataAccount, now time.Time) error {
	var selected []link.SessionSuccessMetadataAccount
	if lt.accountSelection {
		var err error
		if selected, err = selectAccounts(items[0], chosen); err != nil {
			return err
		}
	}
	for _, it := range items {
		it.err = nil
		if !it.consentExpiresAt.IsZero() {
			it.consentExpiresAt = now.Add(ConsentRenewal)
		}
		it.disconnectAt = time.Time{}
	}
	if lt.accountSelection {
		items[0].accounts = selected
		items[0].newAccounts = nil
	}
	return nil
}

// selectAccounts returns the accounts of it the user selects in update mode with account
// selection: each of chosen matched by ID, or by mask if it has no ID, among the Item's accounts
// and its new ones; all of them if chosen is empty.
func selectAccounts(it *item, chosen []link.SessionSuccessMetadataAccount) ([]link.SessionSuccessMetadataAccount, error) {
	all := append(slices.Clone(it.accounts), it.newAccounts...)
	if len(chosen) == 0 {
		return all, nil
	}
	var out []link.SessionSuccessMetadataAccount
	for _, c := range chosen {
		i := slices.IndexFunc(all, func(a link.SessionSuccessMetadataAccount) bool {
			if c.ID != "" {
				return a.ID == c.ID
			}
			return a.Mask == c.Mask
		})
		if i < 0 {
			return nil, fmt.Errorf("linktest: CompleteSession: WithAccounts: the Item has no account with id %q or mask %q to select", c.ID, c.Mask)
		}
		out = append(out, all[i])
	}
	return out, nil
}
