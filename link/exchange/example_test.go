package exchange_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/exchange"
	"github.com/plaidlink/plaidlink-go/link/linktest"
	"github.com/plaidlink/plaidlink-go/webhook"
)

// The same public token arrives twice, from the front end's onSuccess and from the ITEM_ADD_RESULT
// webhook: the first exchanges it and saves the access token, the second finds it exchanged.
func ExampleExchanger_Exchange() {
	srv := linktest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	tok, err := client.CreateToken(ctx, &link.TokenCreateRequest{
		ClientName:   "My App",
		Language:     link.LanguageEnglish,
		CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User:         &link.TokenCreateRequestUser{ClientUserID: "user-1"},
		Products:     []link.Product{link.ProductTransactions},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	session, err := srv.CompleteSession(tok.LinkToken)
	if err != nil {
		fmt.Println(err)
		return
	}

	// One Exchanger per process, on the store every path (and instance) shares.
	ex := exchange.New(client, webhook.NewMemoryDeduper(0))
	save := func(_ context.Context, r *link.ItemPublicTokenExchangeResponse) error {
		fmt.Println("saved an access token:", strings.HasPrefix(r.AccessToken, "access-sandbox-"))
		return nil
	}
	for _, path := range []string{"onSuccess", "ITEM_ADD_RESULT"} {
		err := ex.Exchange(ctx, session.PublicToken, save)
		switch {
		case err == nil:
			fmt.Println(path + ": exchanged")
		case errors.Is(err, exchange.ErrAlreadyExchanged):
			fmt.Println(path + ": already exchanged")
		default:
			fmt.Println(path+":", err)
		}
	}
	// Output:
	// saved an access token: true
	// onSuccess: exchanged
	// ITEM_ADD_RESULT: already exchanged
}
