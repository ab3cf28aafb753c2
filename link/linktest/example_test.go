package linktest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
	"github.com/plaidlink/plaidlink-go/webhook"
)

// The whole Link flow against the fake: create a link token, let the "user" finish Link, read the
// session back and exchange the public token.
func Example() {
	srv := linktest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	tok, err := client.CreateToken(ctx, &link.TokenCreateRequest{
		ClientName:   "Wonderwallet",
		Language:     link.LanguageEnglish,
		CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User:         &link.TokenCreateRequestUser{ClientUserID: "user-1"},
		Products:     []link.Product{link.ProductTransactions},
	})
	if err != nil {
		panic(err)
	}

	session, err := srv.CompleteSession(tok.LinkToken)
	if err != nil {
		panic(err)
	}

	// The events Link's front end reports, oldest first, one EventInterval apart on the fake clock.
	for _, ev := range session.Events {
		if ev.EventName != link.EventNameTransitionView {
			fmt.Println(ev.EventName)
		}
	}

	got, err := client.GetToken(ctx, &link.TokenGetRequest{LinkToken: tok.LinkToken})
	if err != nil {
		panic(err)
	}
	fmt.Println(got.LinkSessions[0].OnSuccess.PublicToken == session.PublicToken)

	exch, err := client.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: session.PublicToken})
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(exch.AccessToken, "access-sandbox-"))

	// The link token expires after four hours of the server's clock.
	srv.Clock().Advance(4 * time.Hour)
	_, err = srv.CompleteSession(tok.LinkToken)
	fmt.Println(err.(*link.Error).ErrorCode)
	// Output:
	// OPEN
	// SELECT_INSTITUTION
	// SUBMIT_CREDENTIALS
	// HANDOFF
	// true
	// true
	// INVALID_LINK_TOKEN
}

// Webhooks from the fake are signed with its own key, so a receiver that verifies them with a
// webhook.Verifier built on the fake's client accepts them. As at Plaid, a Hosted Link session
// gets all three LINK webhooks; a standard one gets none unless the server is made with
// WithLinkWebhooksForAllSessions.
func Example_webhooks() {
	srv := linktest.NewServer()
	defer srv.Close()
	client := srv.Client()

	receiver := httptest.NewServer(webhook.NewHandler(webhook.NewVerifier(client),
		func(_ context.Context, ev webhook.Event) error {
			fmt.Println("received", ev.Code())
			return nil
		}))
	defer receiver.Close()

	tok, err := client.CreateToken(context.Background(), &link.TokenCreateRequest{
		ClientName:   "Wonderwallet",
		Language:     link.LanguageEnglish,
		CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User:         &link.TokenCreateRequestUser{ClientUserID: "user-1"},
		Products:     []link.Product{link.ProductAuth},
		Webhook:      receiver.URL,
		HostedLink:   &link.TokenCreateHostedLink{},
	})
	if err != nil {
		panic(err)
	}
	session, err := srv.CompleteSession(tok.LinkToken)
	if err != nil {
		panic(err)
	}
	fmt.Println("delivery errors:", session.WebhookErr())
	// Output:
	// received ITEM_ADD_RESULT
	// received EVENTS
	// received SESSION_FINISHED
	// delivery errors: <nil>
}

// FailNext makes the fake fail the next calls to an endpoint, to test a client's retries.
func ExampleServer_FailNext() {
	srv := linktest.NewServer()
	defer srv.Close()

	srv.FailNext(linktest.PathSandboxPublicTokenCreate, 1, http.StatusServiceUnavailable, nil)
	_, err := srv.Client().CreateSandboxPublicToken(context.Background(), &link.SandboxPublicTokenCreateRequest{
		InstitutionID:   linktest.DefaultInstitutionID,
		InitialProducts: []link.Product{link.ProductAuth},
	})
	var plaidErr *link.Error
	if errors.As(err, &plaidErr) {
		fmt.Println(plaidErr.ErrorCode, plaidErr.HTTPStatus)
	}
	// Output: INTERNAL_SERVER_ERROR 503
}

// A webhook the receiver does not answer 200 is sent again on Plaid's schedule as the test moves
// the fake's clock: 30 seconds after the first attempt, then 2 minutes after that, and so on.
func ExampleServer_Deliveries() {
	srv := linktest.NewServer()
	defer srv.Close()
	client := srv.Client()

	var calls atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable) // down for the first attempt
		}
	}))
	defer receiver.Close()

	// A Layer session token: its only webhook is SESSION_FINISHED.
	tok, err := client.CreateSessionToken(context.Background(), &link.SessionTokenCreateRequest{
		TemplateID: "template_4uinBNe4B2x9",
		User:       &link.SessionTokenCreateRequestUser{ClientUserID: "user-1"},
		Webhook:    receiver.URL,
	})
	if err != nil {
		panic(err)
	}
	if _, err := srv.ExitSession(tok.Link.LinkToken, nil); err != nil {
		panic(err)
	}
	srv.Clock().Advance(30 * time.Second) // the retry is sent before Advance returns
	for _, d := range srv.Deliveries() {
		fmt.Println(d.Code, "attempt", d.Attempt, d.StatusCode)
	}
	// Output:
	// SESSION_FINISHED attempt 1 503
	// SESSION_FINISHED attempt 2 200
}
