package link_test

import (
	"fmt"

	"github.com/plaidlink/plaidlink-go/link"
)

// The update-mode request for an Item comes from the request the app makes for new Items.
func ExampleUpdateModeTokenRequest() {
	base := &link.TokenCreateRequest{
		ClientName:   "Wonderwallet",
		Language:     link.LanguageEnglish,
		CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User:         &link.TokenCreateRequestUser{ClientUserID: "user-1"},
		Products:     []link.Product{link.ProductTransactions},
	}
	// After NEW_ACCOUNTS_AVAILABLE, the user chooses accounts: account selection on.
	req := link.UpdateModeTokenRequest(base, "access-sandbox-de3ce8ef-33f8-452c-a685-8671031fc0f6", true)
	fmt.Println(req.ClientName, len(req.Products), *req.Update.AccountSelectionEnabled)
	// Output: Wonderwallet 0 true
}
