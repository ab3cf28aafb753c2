package main

// This file keeps Items connected: the ITEM webhooks that arrive at the Item's webhook URL (the
// one its link token named) say when the user must go back to Link's update mode
// (https://plaid.com/docs/link/update-mode/), and the keeper makes the update-mode link token for
// each such Item.

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
	"github.com/plaidlink/plaidlink-go/webhook"
)

// itemNeed is what an Item needs of its user: the action, and the update-mode link token made for
// it (or why none could be made).
type itemNeed struct {
	Action    webhook.UserAction
	LinkToken string
	Err       error
}

// itemKeeper records which Items need their user and makes an update-mode link token for each. A
// real backend keeps both maps in its database, beside the access tokens it already stores.
type itemKeeper struct {
	client *link.Client
	// base is the request the app makes link tokens with; update-mode tokens are made from it.
	base *link.TokenCreateRequest
	out  io.Writer

	mu     sync.Mutex
	access map[string]string // item_id -> access_token, the app's own store
	needs  map[string]itemNeed
}

func newItemKeeper(client *link.Client, base *link.TokenCreateRequest, out io.Writer) *itemKeeper {
	return &itemKeeper{client: client, base: base, out: out, access: map[string]string{}, needs: map[string]itemNeed{}}
}

// keepItems makes every save of lk also give k the Item's access token, as one database holding
// both would, so that the keeper can make update-mode link tokens for Items linked through any
// path.
func keepItems(lk *linker, k *itemKeeper) {
	save := lk.save
	lk.save = func(ctx context.Context, r *link.ItemPublicTokenExchangeResponse) error {
		if err := save(ctx, r); err != nil {
			return err
		}
		k.remember(r.ItemID, r.AccessToken)
		return nil
	}
}

// remember stores an Item's access token, as the app does after exchanging its public token.
func (k *itemKeeper) remember(itemID, accessToken string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.access[itemID] = accessToken
}

// need returns what the Item needs of its user, if anything.
func (k *itemKeeper) need(itemID string) (itemNeed, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	n, ok := k.needs[itemID]
	return n, ok
}

// done records that the user finished update mode for the Item in this app.
func (k *itemKeeper) done(itemID string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.needs, itemID)
}

// handle acts on one verified webhook: an ITEM webhook that needs the user gets an update-mode
// link token (with account selection for new accounts); LOGIN_REPAIRED silences the need, as
// Plaid's reference asks (https://plaid.com/docs/api/items/#login_repaired). Everything else is
// not the keeper's business. Only identifiers are printed, never an access token.
func (k *itemKeeper) handle(ctx context.Context, ev webhook.Event) {
	ie, ok := ev.(webhook.ItemEvent)
	if !ok {
		return
	}
	itemID := ie.Item()
	if _, repaired := ev.(*webhook.LoginRepaired); repaired {
		k.done(itemID)
		fmt.Fprintf(k.out, "   Item %s was repaired outside this app: nothing to ask of its user.\n", itemID)
		return
	}
	action := webhook.UserActionFor(ev)
	if !action.NeedsUser() {
		return
	}
	k.mu.Lock()
	accessToken, known := k.access[itemID]
	k.mu.Unlock()
	n := itemNeed{Action: action}
	if !known {
		n.Err = fmt.Errorf("no access token stored for Item %s", itemID)
	} else {
		// A real backend returns this error from the webhook function, so that Plaid delivers the
		// webhook again and the token is made then.
		tok, err := k.client.CreateToken(ctx, link.UpdateModeTokenRequest(k.base, accessToken, action.AccountSelection()))
		if err != nil {
			n.Err = err
		} else {
			n.LinkToken = tok.LinkToken
		}
	}
	k.mu.Lock()
	k.needs[itemID] = n
	k.mu.Unlock()
	if n.Err != nil {
		fmt.Fprintf(k.out, "   Item %s needs its user (%s), but no update-mode link token was made: %v\n", itemID, action, n.Err)
		return
	}
	fmt.Fprintf(k.out, "   Item %s needs its user (%s); update-mode link token for the front end: %s\n", itemID, action, n.LinkToken)
}

// itemsDemo takes an Item through its life on the fake, with url as its webhook: linked, its
// login reset (ITEM ERROR, ITEM_LOGIN_REQUIRED), repaired through update mode (no LOGIN_REPAIRED
// follows), new accounts found (NEW_ACCOUNTS_AVAILABLE) and shared through update mode with
// account selection. k must be handling the webhooks url receives.
func itemsDemo(ctx context.Context, out io.Writer, fake *linktest.Server, client *link.Client, url string, k *itemKeeper) error {
	req := *k.base
	req.Webhook = url
	tok, err := client.CreateToken(ctx, &req)
	if err != nil {
		return fmt.Errorf("create link token: %w", err)
	}
	session, err := fake.CompleteSession(tok.LinkToken)
	if err != nil {
		return fmt.Errorf("complete the session: %w", err)
	}
	ex, err := client.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: session.PublicToken})
	if err != nil {
		return fmt.Errorf("exchange the public token: %w", err)
	}
	k.remember(ex.ItemID, ex.AccessToken)
	fmt.Fprintf(out, "6. Keeping Items connected: linked Item %s, whose webhook is that URL too.\n", ex.ItemID)

	fmt.Fprintln(out, "7. Its login is reset (/sandbox/item/reset_login); ITEM ERROR arrives:")
	if _, err := client.ResetSandboxItemLogin(ctx, &link.SandboxItemResetLoginRequest{AccessToken: ex.AccessToken}); err != nil {
		return fmt.Errorf("reset the Item's login: %w", err)
	}
	n, ok := k.need(ex.ItemID)
	if !ok || n.Action != webhook.UserActionReauthenticate || n.LinkToken == "" {
		return fmt.Errorf("after ITEM_LOGIN_REQUIRED the Item needs %+v, want a REAUTHENTICATE link token", n)
	}
	before := len(fake.Deliveries())
	if _, err := fake.CompleteSession(n.LinkToken); err != nil {
		return fmt.Errorf("update mode: %w", err)
	}
	k.done(ex.ItemID)
	it, _ := fake.Item(ex.AccessToken)
	if it.Error != nil || len(fake.Deliveries()) != before {
		return fmt.Errorf("after update mode the Item has error %v and %d more webhooks went out, want none", it.Error, len(fake.Deliveries())-before)
	}
	fmt.Fprintln(out, "8. The user went through update mode with that token: the Item is repaired, and Plaid sends no LOGIN_REPAIRED for it.")

	fmt.Fprintln(out, "9. Plaid finds a new account at the institution; NEW_ACCOUNTS_AVAILABLE arrives:")
	if _, err := fake.FireItemWebhook(ex.AccessToken, linktest.ItemWebhookNewAccountsAvailable); err != nil {
		return fmt.Errorf("fire NEW_ACCOUNTS_AVAILABLE: %w", err)
	}
	n, ok = k.need(ex.ItemID)
	if !ok || n.Action != webhook.UserActionChooseAccounts || n.LinkToken == "" {
		return fmt.Errorf("after NEW_ACCOUNTS_AVAILABLE the Item needs %+v, want a CHOOSE_NEW_ACCOUNTS link token", n)
	}
	res, err := fake.CompleteSession(n.LinkToken)
	if err != nil {
		return fmt.Errorf("update mode with account selection: %w", err)
	}
	k.done(ex.ItemID)
	fmt.Fprintf(out, "10. The user shared it through update mode with account selection: the Item has %d accounts.\n", len(res.Accounts))
	return nil
}

// itemsBaseRequest is the request the demo app makes link tokens for new Items with.
func itemsBaseRequest() *link.TokenCreateRequest {
	return &link.TokenCreateRequest{
		ClientName:   "plaidlink webhookserver",
		Language:     link.LanguageEnglish,
		CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User:         &link.TokenCreateRequestUser{ClientUserID: "webhookserver-user-1"},
		Products:     []link.Product{link.ProductTransactions},
	}
}
