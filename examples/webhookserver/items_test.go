package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
	"github.com/plaidlink/plaidlink-go/webhook"
)

// updateTokenLine is the keeper's line for an Item that needs its user, naming the update-mode
// link token it made.
var updateTokenLine = regexp.MustCompile(`(?m)^   Item (\w+) needs its user \((\w+)\); update-mode link token for the front end: (link-sandbox-` + uuidPattern + `)\n`)

// The demo takes an Item from linked to ITEM_LOGIN_REQUIRED, repaired through update mode, and to
// NEW_ACCOUNTS_AVAILABLE, shared through update mode with account selection.
func TestRunDemoKeepsItemsConnected(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(testContext(t), &out, nil, config{}))
	got := out.String()

	m := updateTokenLine.FindAllStringSubmatch(got, -1)
	require.Len(t, m, 2, got)
	assert.Equal(t, m[0][1], m[1][1], "both about the one Item")
	assert.Equal(t, string(webhook.UserActionReauthenticate), m[0][2])
	assert.Equal(t, string(webhook.UserActionChooseAccounts), m[1][2])
	assert.NotEqual(t, m[0][3], m[1][3])
	assert.Contains(t, got, "6. Keeping Items connected: linked Item "+m[0][1]+", whose webhook is that URL too.\n")
	assert.Contains(t, got, `level=INFO msg="verified webhook" type=ITEM code=ERROR`)
	assert.Contains(t, got, "8. The user went through update mode with that token: the Item is repaired, and Plaid sends no LOGIN_REPAIRED for it.\n")
	assert.True(t, strings.HasSuffix(got, "10. The user shared it through update mode with account selection: the Item has 3 accounts.\n"), got)
	assert.NotContains(t, got, "access-sandbox-", "access tokens are never printed")
}

// The keeper makes a token only for the ITEM webhooks that need the user, with account selection
// for new accounts, and forgets the need on LOGIN_REPAIRED.
func TestItemKeeper(t *testing.T) {
	fake := linktest.NewServer()
	t.Cleanup(fake.Close)
	client := fake.Client()
	ctx := context.Background()
	var out bytes.Buffer
	k := newItemKeeper(client, itemsBaseRequest(), &out)

	sess, err := fake.CompleteSession(createTokenFor(t, client).LinkToken)
	require.NoError(t, err)
	ex, err := client.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: sess.PublicToken})
	require.NoError(t, err)

	// Unknown Item: recorded, but no token without its access token.
	k.handle(ctx, &webhook.PendingExpiration{WebhookType: "ITEM", WebhookCode: "PENDING_EXPIRATION", ItemID: ex.ItemID})
	n, ok := k.need(ex.ItemID)
	require.True(t, ok)
	assert.Equal(t, webhook.UserActionRenewConsent, n.Action)
	assert.Empty(t, n.LinkToken)
	require.Error(t, n.Err)

	k.remember(ex.ItemID, ex.AccessToken)
	k.handle(ctx, &webhook.NewAccountsAvailable{WebhookType: "ITEM", WebhookCode: "NEW_ACCOUNTS_AVAILABLE", ItemID: ex.ItemID})
	n, _ = k.need(ex.ItemID)
	require.NoError(t, n.Err)
	got, err := client.GetToken(ctx, &link.TokenGetRequest{LinkToken: n.LinkToken})
	require.NoError(t, err)
	assert.Empty(t, got.Metadata.InitialProducts, "an update-mode token names no products")

	// The token was made with account selection: the user can pick among the Item's accounts.
	_, err = fake.CompleteSession(n.LinkToken, linktest.WithAccounts(link.SessionSuccessMetadataAccount{Mask: "0000"}))
	require.NoError(t, err)
	it, _ := fake.Item(ex.AccessToken)
	require.Len(t, it.Accounts, 1)
	assert.Equal(t, "0000", it.Accounts[0].Mask)

	k.handle(ctx, &webhook.LoginRepaired{WebhookType: "ITEM", WebhookCode: "LOGIN_REPAIRED", ItemID: ex.ItemID})
	_, ok = k.need(ex.ItemID)
	assert.False(t, ok, "LOGIN_REPAIRED silences the need")

	// Other webhooks are not the keeper's business.
	k.handle(ctx, &webhook.UserPermissionRevoked{WebhookType: "ITEM", WebhookCode: "USER_PERMISSION_REVOKED", ItemID: "other"})
	k.handle(ctx, &webhook.SessionFinished{WebhookType: "LINK", WebhookCode: "SESSION_FINISHED"})
	_, ok = k.need("other")
	assert.False(t, ok)
	assert.NotContains(t, out.String(), ex.AccessToken)
}

func createTokenFor(t *testing.T, c *link.Client) *link.TokenCreateResponse {
	t.Helper()
	tok, err := c.CreateToken(context.Background(), itemsBaseRequest())
	require.NoError(t, err)
	return tok
}
