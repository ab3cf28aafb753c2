package link

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newItemRequest() *TokenCreateRequest {
	return &TokenCreateRequest{
		ClientName:       "Plaid Test App",
		Language:         LanguageEnglish,
		CountryCodes:     []CountryCode{CountryCodeUS},
		User:             &TokenCreateRequestUser{ClientUserID: "user-1"},
		Products:         []Product{ProductTransactions, ProductAssets},
		OptionalProducts: []Product{ProductIdentity},
		Webhook:          "https://example.com/plaid",
		RedirectURI:      "https://example.com/oauth",
	}
}

func TestUpdateModeTokenRequest(t *testing.T) {
	base := newItemRequest()
	req := UpdateModeTokenRequest(base, "access-sandbox-1", false)

	assert.Equal(t, "access-sandbox-1", req.AccessToken)
	assert.Nil(t, req.Products, "repairing an Item adds no product, not even one update mode could add")
	assert.Nil(t, req.OptionalProducts)
	assert.Nil(t, req.Update, "no account selection asked for")
	assert.Equal(t, base.ClientName, req.ClientName)
	assert.Equal(t, base.Webhook, req.Webhook)
	assert.Equal(t, base.RedirectURI, req.RedirectURI)
	assert.Equal(t, base.User, req.User)
	require.NoError(t, validateTokenCreate(req), "the builder's request passes validation")

	// base is untouched.
	assert.Equal(t, "", base.AccessToken)
	assert.Equal(t, []Product{ProductTransactions, ProductAssets}, base.Products)

	sel := UpdateModeTokenRequest(base, "access-sandbox-1", true)
	require.NotNil(t, sel.Update)
	require.NotNil(t, sel.Update.AccountSelectionEnabled)
	assert.True(t, *sel.Update.AccountSelectionEnabled)
	assert.Nil(t, base.Update)

	// No base: only the update-mode fields.
	multi := true
	hosted := newItemRequest()
	hosted.HostedLink = &TokenCreateHostedLink{}
	hosted.EnableMultiItemLink = &multi
	fromHosted := UpdateModeTokenRequest(hosted, "access-sandbox-1", false)
	assert.NotNil(t, fromHosted.HostedLink, "Hosted Link works in update mode")
	assert.Nil(t, fromHosted.EnableMultiItemLink, "Multi-Item Link adds new Items only")

	bare := UpdateModeTokenRequest(nil, "access-sandbox-2", false)
	assert.Equal(t, &TokenCreateRequest{AccessToken: "access-sandbox-2"}, bare)
}

func TestValidateTokenCreateUpdateMode(t *testing.T) {
	on := true
	tests := []struct {
		name      string
		edit      func(r *TokenCreateRequest)
		wantField string
	}{
		{"products in update mode", func(r *TokenCreateRequest) {
			r.AccessToken = "access-sandbox-1"
			r.Products = []Product{ProductTransactions}
		}, "products[0]"},
		{"a credit product added in update mode", func(r *TokenCreateRequest) {
			r.AccessToken = "access-sandbox-1"
			r.Products = []Product{ProductStatements}
		}, ""},
		{"update mode without products", func(r *TokenCreateRequest) {
			r.AccessToken = "access-sandbox-1"
			r.Products = nil
			r.Update = &TokenCreateRequestUpdate{AccountSelectionEnabled: &on}
		}, ""},
		{"account selection without access_token", func(r *TokenCreateRequest) {
			r.Update = &TokenCreateRequestUpdate{AccountSelectionEnabled: &on}
		}, "update.account_selection_enabled"},
		{"item_ids without update.user", func(r *TokenCreateRequest) {
			r.Update = &TokenCreateRequestUpdate{ItemIDs: []string{"item-1"}}
		}, "update.item_ids"},
		{"item_ids with update.user", func(r *TokenCreateRequest) {
			r.Products = nil
			r.UserToken = "user-sandbox-1"
			r.Update = &TokenCreateRequestUpdate{User: &on, ItemIDs: []string{"item-1"}}
		}, ""},
		{"update.user without a user", func(r *TokenCreateRequest) {
			r.Update = &TokenCreateRequestUpdate{User: &on}
		}, "update.user"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newItemRequest()
			tc.edit(r)
			err := validateTokenCreate(r)
			if tc.wantField == "" {
				require.NoError(t, err)
				return
			}
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tc.wantField, verr.Field)
			assert.Equal(t, "CreateToken", verr.Method)
		})
	}
}
