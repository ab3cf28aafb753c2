package link_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/plaidlink/plaidlink-go/link"
)

// fakePlaid stands in for Plaid so the examples run offline.
func fakePlaid() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/link/token/create":
			_, _ = io.WriteString(w, `{"link_token":"link-sandbox-af1a0311-da53-4636-b754-dd15cc058176",
				"expiration":"2024-07-29T22:22:36Z","request_id":"XQVgFigpGHXkb0b"}`)
		default:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error_type":"INVALID_INPUT","error_code":"INVALID_PUBLIC_TOKEN",
				"error_message":"provided public token is in an invalid format","display_message":null,
				"request_id":"Nnclj9HntPMu5dm"}`)
		}
	}))
}

func ExampleNewClient() {
	srv := fakePlaid() // in production, leave out WithBaseURL and use WithEnvironment(link.Production)
	defer srv.Close()

	client, err := link.NewClient("your-client-id", "your-secret", link.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := client.CreateToken(context.Background(), &link.TokenCreateRequest{
		ClientName:   "Plaid Test App",
		Language:     link.LanguageEnglish,
		CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User:         &link.TokenCreateRequestUser{ClientUserID: "user-123"},
		Products:     []link.Product{link.ProductAuth},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.LinkToken)
	fmt.Println(resp.Expiration.Format("2006-01-02 15:04 MST"))
	// Output:
	// link-sandbox-af1a0311-da53-4636-b754-dd15cc058176
	// 2024-07-29 22:22 UTC
}

func ExampleError() {
	srv := fakePlaid()
	defer srv.Close()
	client, _ := link.NewClient("your-client-id", "your-secret", link.WithBaseURL(srv.URL))

	_, err := client.ExchangePublicToken(context.Background(), &link.ItemPublicTokenExchangeRequest{
		PublicToken: "public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d",
	})
	var plaidErr *link.Error
	if errors.As(err, &plaidErr) {
		fmt.Println(plaidErr.HTTPStatus, plaidErr.ErrorType, plaidErr.ErrorCode)
		fmt.Println(err)
	}
	// Output:
	// 400 INVALID_INPUT INVALID_PUBLIC_TOKEN
	// link: ExchangePublicToken: INVALID_INPUT INVALID_PUBLIC_TOKEN (HTTP 400): provided public token is in an invalid format [request_id=Nnclj9HntPMu5dm]
}

func ExampleValidationError() {
	client, _ := link.NewClient("your-client-id", "your-secret")

	// Nothing is sent: the request lacks a field Plaid requires.
	_, err := client.GetToken(context.Background(), &link.TokenGetRequest{})
	var verr *link.ValidationError
	if errors.As(err, &verr) {
		fmt.Println(verr.Field)
		fmt.Println(err)
	}
	// Output:
	// link_token
	// link: GetToken: link_token is required
}

func ExampleWithResponseInto() {
	srv := fakePlaid()
	defer srv.Close()
	client, _ := link.NewClient("your-client-id", "your-secret", link.WithBaseURL(srv.URL))

	var raw link.Response
	_, err := client.CreateToken(context.Background(), &link.TokenCreateRequest{
		ClientName:   "Plaid Test App",
		Language:     link.LanguageEnglish,
		CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User:         &link.TokenCreateRequestUser{ClientUserID: "user-123"},
		Products:     []link.Product{link.ProductAuth},
	}, link.WithMaxRetries(0), link.WithResponseInto(&raw))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(raw.StatusCode, raw.RequestID, raw.Attempts, raw.Header.Get("Content-Type"))
	fmt.Println(len(raw.RawJSON), "bytes, exactly as received")
	// Output:
	// 200 XQVgFigpGHXkb0b 1 application/json
	// 138 bytes, exactly as received
}

func ExampleIsErrorCode() {
	srv := fakePlaid()
	defer srv.Close()
	client, _ := link.NewClient("your-client-id", "your-secret", link.WithBaseURL(srv.URL))

	_, err := client.ExchangePublicToken(context.Background(), &link.ItemPublicTokenExchangeRequest{
		PublicToken: "public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d",
	})
	switch {
	case errors.Is(err, link.ErrOutcomeUnknown):
		fmt.Println("the exchange may have happened: ask the user to link again")
	case link.IsErrorCode(err, link.ErrorCodeInvalidPublicToken):
		fmt.Println("the public token is spent or expired: ask the user to link again")
	case err != nil:
		fmt.Println(err)
	}
	// Output:
	// the public token is spent or expired: ask the user to link again
}

func ExampleParseEnvironment() {
	env, err := link.ParseEnvironment("Production") // from configuration, say os.Getenv("PLAID_ENV")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(env)
	_, err = link.ParseEnvironment("development")
	fmt.Println(err)
	// Output:
	// https://production.plaid.com
	// link: ParseEnvironment: unknown environment "development": want "sandbox", "production", "https://sandbox.plaid.com" or "https://production.plaid.com" (for any other host, use WithBaseURL)
}
