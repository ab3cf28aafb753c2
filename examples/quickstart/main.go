// Command quickstart walks through the server side of Plaid Link in four numbered steps: create a
// link_token, let the user finish Link, read the session back with /link/token/get, and exchange
// the public_token for an access_token, which it prints last. Every token is printed masked
// ("access-sandbox-…"), the fake's too: a backend never logs one, and an example should not teach
// it to.
//
// Run it with no arguments and no keys:
//
//	go run ./examples/quickstart
//
// It then starts linktest, the in-process fake Plaid, which also plays the end user. With
// PLAID_CLIENT_ID and PLAID_SECRET set it talks to Plaid's Sandbox instead; since nobody opens Link
// there, /sandbox/public_token/create (First Platypus Bank, transactions) stands in for the user.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
)

// sandboxInstitution is First Platypus Bank, the Sandbox bank whose test login always works.
const sandboxInstitution = "ins_109508"

// runTimeout bounds the whole run, so a hung network never leaves the example waiting forever.
const runTimeout = time.Minute

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()

	cfg := config{clientID: os.Getenv("PLAID_CLIENT_ID"), secret: os.Getenv("PLAID_SECRET")}
	if err := run(ctx, os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// config is what run takes from its environment, so a test can supply it.
type config struct {
	// clientID and secret are Plaid Sandbox credentials; with both empty, run uses the fake.
	clientID, secret string
	// clientOpts are appended to the Sandbox client's options. Only tests set them, to point the
	// Sandbox path at a fake instead of Plaid.
	clientOpts []link.Option
}

// result is what one pass through the flow produced.
type result struct {
	LinkToken     string
	PublicToken   string
	LinkSessionID string // empty in Sandbox mode, where nobody opened Link
	ItemID        string
	AccessToken   string
}

// run picks the fake or Plaid's Sandbox from cfg and runs the Link flow against it.
func run(ctx context.Context, out io.Writer, cfg config) error {
	if (cfg.clientID == "") != (cfg.secret == "") {
		// Falling back to the fake here would hide a typo in the environment.
		return errors.New("set both PLAID_CLIENT_ID and PLAID_SECRET to use Plaid's Sandbox, or neither to use the fake")
	}
	if cfg.clientID == "" {
		srv := linktest.NewServer()
		defer srv.Close()
		client, err := srv.NewClient()
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "Using the built-in fake Plaid at %s (set PLAID_CLIENT_ID and PLAID_SECRET to use Plaid's Sandbox).\n", srv.URL)
		_, err = flow(ctx, out, client, fakeUser(srv))
		return err
	}

	opts := append([]link.Option{link.WithEnvironment(link.Sandbox)}, cfg.clientOpts...)
	client, err := link.NewClient(cfg.clientID, cfg.secret, opts...)
	if err != nil {
		return err
	}
	// The credentials themselves are never printed, not even in part.
	fmt.Fprintln(out, "Using Plaid's Sandbox with the credentials from PLAID_CLIENT_ID and PLAID_SECRET.")
	_, err = flow(ctx, out, client, sandboxUser(client))
	return err
}

// endUser stands in for the person who opens Link with linkToken and links a bank: it returns
// the public_token that Link's onSuccess would hand to the front end, and a line describing
// what happened.
type endUser func(ctx context.Context, linkToken string) (publicToken, what string, err error)

// fakeUser has the fake play the user, so the session shows up in /link/token/get as a real one
// would.
func fakeUser(srv *linktest.Server) endUser {
	return func(_ context.Context, linkToken string) (string, string, error) {
		s, err := srv.CompleteSession(linkToken)
		if err != nil {
			return "", "", err
		}
		return s.PublicToken, fmt.Sprintf("The user linked %s in Link (the fake played the user)", institutionName(s.InstitutionID)), nil
	}
}

// sandboxUser skips Link altogether: Sandbox can mint a public_token for a test Item directly.
func sandboxUser(client *link.Client) endUser {
	return func(ctx context.Context, _ string) (string, string, error) {
		resp, err := client.CreateSandboxPublicToken(ctx, &link.SandboxPublicTokenCreateRequest{
			InstitutionID:   sandboxInstitution,
			InitialProducts: []link.Product{link.ProductTransactions},
		})
		if err != nil {
			return "", "", err
		}
		return resp.PublicToken, "Sandbox created a test Item at " + sandboxInstitution + " in place of the user", nil
	}
}

// flow is the Link flow itself; it prints every token masked.
func flow(ctx context.Context, out io.Writer, client *link.Client, user endUser) (result, error) {
	var res result

	tok, err := client.CreateToken(ctx, &link.TokenCreateRequest{
		ClientName:   "plaidlink quickstart",
		Language:     link.LanguageEnglish,
		CountryCodes: []link.CountryCode{link.CountryCodeUS},
		// client_user_id is your own stable id for the user; Plaid uses it to recognise them.
		User:     &link.TokenCreateRequestUser{ClientUserID: "quickstart-user-1"},
		Products: []link.Product{link.ProductTransactions},
	})
	if err != nil {
		return res, fmt.Errorf("create link token: %w", err)
	}
	res.LinkToken = tok.LinkToken
	fmt.Fprintf(out, "1. Created link token %s (expires %s)\n", mask(tok.LinkToken), tok.Expiration.UTC().Format(time.RFC3339))

	publicToken, what, err := user(ctx, tok.LinkToken)
	if err != nil {
		return res, fmt.Errorf("link an Item: %w", err)
	}
	res.PublicToken = publicToken
	fmt.Fprintf(out, "2. %s: public token %s\n", what, mask(publicToken))

	got, err := client.GetToken(ctx, &link.TokenGetRequest{LinkToken: tok.LinkToken})
	if err != nil {
		return res, fmt.Errorf("read the link token back: %w", err)
	}
	if len(got.LinkSessions) == 0 {
		fmt.Fprintln(out, "3. Read the link token back: no Link sessions, as nobody opened Link with it")
	} else {
		// Plaid lists the most recent session first.
		s := got.LinkSessions[0]
		res.LinkSessionID = s.LinkSessionID
		fmt.Fprintf(out, "3. Read the session back: %s, events %s, %d account(s)\n",
			s.LinkSessionID, eventNames(s.Events), countAccounts(s))
	}

	exch, err := client.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: res.PublicToken})
	if err != nil {
		return res, fmt.Errorf("exchange the public token: %w", err)
	}
	res.ItemID, res.AccessToken = exch.ItemID, exch.AccessToken
	fmt.Fprintf(out, "4. Exchanged the public token for item %s\n", exch.ItemID)
	// The access token is what a backend keeps (encrypted) to call Plaid for this Item from now on.
	fmt.Fprintf(out, "Access token: %s\n", mask(exch.AccessToken))
	return res, nil
}

// mask keeps only a token's kind-and-environment prefix, up to and including its second '-'
// ("access-sandbox-…", "link-production-…"), so that no part of the secret identifier after it
// lands in a terminal's scrollback or a CI log. A fixed number of characters would not do: the
// prefixes differ in length, and "link-sandbox-" is shorter than "access-sandbox-". A string
// without that prefix is hidden whole.
func mask(s string) string {
	kind, rest, ok := strings.Cut(s, "-")
	if !ok {
		return "…"
	}
	env, _, ok := strings.Cut(rest, "-")
	if !ok {
		return "…"
	}
	return kind + "-" + env + "-…"
}

func institutionName(id string) string {
	for _, in := range linktest.Institutions() {
		if in.InstitutionID == id {
			return in.Name
		}
	}
	return id
}

// eventNames names a session's events from /link/token/get oldest first, leaving out the
// TRANSITION_VIEWs between them; /link/token/get lists them newest first, and fills them in only
// for Hosted Link sessions unless the account is enabled for Link events.
func eventNames(events []link.Event) string {
	if len(events) == 0 {
		return "none (Plaid returns them for Hosted Link sessions, or once Link events are enabled for the account)"
	}
	names := make([]string, 0, len(events))
	for i := len(events) - 1; i >= 0; i-- {
		if ev := events[i]; ev.EventName != link.EventNameTransitionView {
			names = append(names, string(ev.EventName))
		}
	}
	return strings.Join(names, " → ")
}

func countAccounts(s link.TokenGetSessionsResponse) int {
	if s.Results == nil {
		return 0
	}
	n := 0
	for _, r := range s.Results.ItemAddResults {
		n += len(r.Accounts)
	}
	return n
}
