package linktest_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
)

// TestPageUpdateModeAccountSelection: after NEW_ACCOUNTS_AVAILABLE, the page of an update-mode
// token with account selection reconnects the Item's institution, lists its accounts and the new
// one, and shares those the user ticks.
func TestPageUpdateModeAccountSelection(t *testing.T) {
	s := newServer(t)
	rcv := newItemReceiver(t, s)
	base, ex := linkedItem(t, s, rcv.URL)
	_, err := s.FireItemWebhook(ex.AccessToken, linktest.ItemWebhookNewAccountsAvailable)
	require.NoError(t, err)

	tok := createToken(t, s.Client(), link.UpdateModeTokenRequest(base, ex.AccessToken, true))
	pageURL := s.LinkPageURL(tok.LinkToken)
	r, id := openPage(t, pageURL)
	assert.Contains(t, r.body, `<h1>Reconnect First Platypus Bank</h1>`)
	assert.Contains(t, r.body, `<p id="update-why">The institution has accounts you have not shared yet.</p>`)
	for _, mask := range []string{"0000", "1111", "2222"} {
		assert.Contains(t, r.body, `id="account-`+mask+`" checked>`)
	}
	assert.NotContains(t, r.body, `id="institution"`, "update mode opens on the Item's institution")

	_, out := submitPage(t, s, pageURL, url.Values{"submission": {id}, "action": {"continue"}, "account": {"1111", "2222"}})
	assert.Contains(t, out.body, "Reconnected First Platypus Bank: the Item was repaired.")
	it, _ := s.Item(ex.AccessToken)
	require.Len(t, it.Accounts, 2)
	assert.Equal(t, "1111", it.Accounts[0].Mask)
	assert.Equal(t, "2222", it.Accounts[1].Mask)
	assert.Empty(t, it.NewAccounts)
}

func TestPageUpdateModeConsent(t *testing.T) {
	s := newServer(t)
	rcv := newItemReceiver(t, s)
	base, ex := linkedItem(t, s, rcv.URL)
	_, err := s.FireItemWebhook(ex.AccessToken, linktest.ItemWebhookPendingExpiration)
	require.NoError(t, err)

	tok := createToken(t, s.Client(), link.UpdateModeTokenRequest(base, ex.AccessToken, false))
	r, _ := openPage(t, s.LinkPageURL(tok.LinkToken))
	assert.Contains(t, r.body, `<p id="update-why">Your consent to share data from this institution is about to expire: continue to renew it.</p>`)
	assert.NotContains(t, r.body, `id="accounts"`, "no account selection asked for")
}
