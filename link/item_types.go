package link

// ItemPublicTokenExchangeRequest mirrors Plaid's ItemPublicTokenExchangeRequest schema.
//
// ItemPublicTokenExchangeRequest defines the request schema for /item/public_token/exchange
type ItemPublicTokenExchangeRequest struct {
	// Your public_token, obtained from the Link onSuccess callback or /sandbox/public_token/create.
	PublicToken string `json:"public_token"`
}

// ItemPublicTokenExchangeResponse mirrors Plaid's ItemPublicTokenExchangeResponse schema.
//
// ItemPublicTokenExchangeResponse defines the response schema for /item/public_token/exchange
type ItemPublicTokenExchangeResponse struct {
	// The access token associated with the Item for which data is being requested.
	AccessToken string `json:"access_token"`
	// The item_id value of the Item associated with the returned access_token
	ItemID string `json:"item_id"`
	// A unique identifier for the request, which can be used for troubleshooting. This identifier,
	// like all Plaid identifiers, is case sensitive.
	RequestID string `json:"request_id"`
}
