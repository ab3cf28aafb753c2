package link_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
)

// A Hosted Link backend waits for the user's session and exchanges what it linked. Here the fake
// Plaid plays a user who leaves once, after a wrong password, and links an Item on a second try.
func ExampleClient_WaitForSession() {
	srv := linktest.NewServer() // in production: link.NewClient with your keys
	defer srv.Close()
	client := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute) // how long the user has
	defer cancel()

	tok, err := client.CreateToken(ctx, &link.TokenCreateRequest{
		ClientName: "Wonderwallet", Language: link.LanguageEnglish, CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User: &link.TokenCreateRequestUser{ClientUserID: "user-1"}, Products: []link.Product{link.ProductAuth},
		HostedLink: &link.TokenCreateHostedLink{},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The user opens tok.HostedLinkURL; the fake plays them. A success wins over an earlier exit.
	_, _ = srv.ExitSession(tok.LinkToken, &link.Error{ErrorType: link.ErrorTypeItemError,
		ErrorCode: link.ErrorCodeInvalidCredentials, ErrorMessage: "the provided credentials were not correct"})
	_, _ = srv.CompleteSession(tok.LinkToken) // a second session of the same token links an Item

	session, err := client.WaitForSession(ctx, tok.LinkToken)
	switch {
	case errors.Is(err, link.ErrLinkTokenExpired):
		fmt.Println("the link expired unused; send a new one")
		return
	case err != nil:
		fmt.Println(err)
		return
	}
	if session.Results == nil {
		fmt.Println("the user left Link")
		return
	}
	for _, add := range session.Results.ItemAddResults {
		item, err := client.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: add.PublicToken})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("linked an Item at", add.Institution.Name, "with", len(add.Accounts), "accounts:", item.ItemID != "")
	}
	// Output: linked an Item at First Platypus Bank with 2 accounts: true
}
