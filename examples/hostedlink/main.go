// Command hostedlink shows Plaid's Hosted Link flow, where Plaid hosts the Link page and your
// backend never sees the front end: create a link_token with hosted_link set, send the user to
// its hosted_link_url, then wait with [link.Client.WaitForSession] (which polls /link/token/get,
// backing off) until the session has finished, read how it ended with
// [link.TokenGetSessionsResponse.Outcome], print what it produced (session id, institution,
// accounts, public tokens), and exchange each public token once with an [exchange.Exchanger],
// saving the access token.
//
// Run it with no arguments and no keys:
//
//	go run ./examples/hostedlink
//
// It then starts linktest, the in-process fake Plaid, and a goroutine plays the user, finishing
// Link a moment later, so the wait really polls. With PLAID_CLIENT_ID and PLAID_SECRET set it
// uses Plaid's Sandbox instead: open the printed URL in a browser and log in to First Platypus Bank
// with user_good / pass_good within ten minutes. Tokens are then printed masked.
//
// Production code usually waits for the SESSION_FINISHED webhook instead of polling (see
// examples/webhookserver); polling is the fallback when no webhook endpoint is reachable. Both
// can run at once: the Exchanger, shared by every path a public token arrives on and backed by
// one store (webhook/redisdedup for a fleet), sends each token to Plaid once.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/exchange"
	"github.com/plaidlink/plaidlink-go/link/linktest"
	"github.com/plaidlink/plaidlink-go/webhook"
)

// Polling the fake can be brisk; against Plaid, WaitForSession's own pacing (1 s backing off to
// 15 s) is gentle on rate limits, and a person needs minutes, not seconds, to get through Link.
var (
	fakePoll    = poll{first: 20 * time.Millisecond, max: 100 * time.Millisecond, timeout: 10 * time.Second}
	sandboxPoll = poll{first: link.DefaultPollInterval, max: link.DefaultMaxPollInterval, timeout: 10 * time.Minute}
)

const fakeUserDelay = 300 * time.Millisecond

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	cfg := config{clientID: os.Getenv("PLAID_CLIENT_ID"), secret: os.Getenv("PLAID_SECRET")}
	if err := run(ctx, os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "hostedlink:", err)
		os.Exit(1)
	}
}

// config is what run takes from its environment, so a test can supply it.
type config struct {
	// clientID and secret are Plaid Sandbox credentials; with both empty, run uses the fake.
	clientID, secret string
	// clientOpts are appended to the client's options. Only tests set them: to count calls, or to
	// point the Sandbox path at a fake instead of Plaid.
	clientOpts []link.Option
	// poll overrides the chosen mode's pacing and timeout where its fields are positive.
	poll poll
}

// poll is how WaitForSession paces its calls, and how long the user is waited for.
type poll struct {
	first, max, timeout time.Duration
}

// or is p with def's values where p has none.
func (p poll) or(def poll) poll {
	if p.first <= 0 || p.max < p.first {
		p.first, p.max = def.first, def.max
	}
	if p.timeout <= 0 {
		p.timeout = def.timeout
	}
	return p
}

// endUser plays the person who opens hosted_link_url. Nil means nobody does.
type endUser func(ctx context.Context, linkToken string) error

// completeAfter is a user who takes delay to get through Link on the fake and then succeeds.
func completeAfter(srv *linktest.Server, delay time.Duration) endUser {
	return func(ctx context.Context, linkToken string) error {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return ctx.Err()
		}
		_, err := srv.CompleteSession(linkToken)
		return err
	}
}

// run picks the fake or Plaid's Sandbox from cfg and runs the Hosted Link flow against it.
func run(ctx context.Context, out io.Writer, cfg config) error {
	if (cfg.clientID == "") != (cfg.secret == "") {
		// Falling back to the fake here would hide a typo in the environment.
		return errors.New("set both PLAID_CLIENT_ID and PLAID_SECRET to use Plaid's Sandbox, or neither to use the fake")
	}
	if cfg.clientID == "" {
		srv := linktest.NewServer()
		defer srv.Close()
		client, err := srv.NewClient(cfg.clientOpts...)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "Using the built-in fake Plaid at %s (set PLAID_CLIENT_ID and PLAID_SECRET to use Plaid's Sandbox).\n", srv.URL)
		_, err = hostedLink(ctx, out, client, cfg.poll.or(fakePoll), completeAfter(srv, fakeUserDelay), reveal)
		return err
	}

	opts := append([]link.Option{link.WithEnvironment(link.Sandbox)}, cfg.clientOpts...)
	client, err := link.NewClient(cfg.clientID, cfg.secret, opts...)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "Using Plaid's Sandbox with the credentials from PLAID_CLIENT_ID and PLAID_SECRET; tokens are shown masked.")
	_, err = hostedLink(ctx, out, client, cfg.poll.or(sandboxPoll), nil, mask)
	return err
}

// outcome is what hostedLink saw: the token, its URL, the finished session, and the Items whose
// access tokens it saved.
type outcome struct {
	LinkToken     string
	HostedLinkURL string
	Session       link.TokenGetSessionsResponse
	Items         []savedItem
}

// savedItem is what the example's save keeps: in a real service, a row of your database.
type savedItem struct {
	ItemID, AccessToken string
}

// errUserFailed ends the wait when the simulated user could not get through Link: no session
// will finish then, and waiting to the timeout would only hide why.
var errUserFailed = errors.New("the simulated user could not finish Link")

// hostedLink creates a Hosted Link token, starts user (if any) on it, waits for the session to
// finish and prints it. show decides how much of each token is printed.
func hostedLink(ctx context.Context, out io.Writer, client *link.Client, p poll, user endUser, show func(string) string) (outcome, error) {
	var oc outcome
	tok, err := client.CreateToken(ctx, &link.TokenCreateRequest{
		ClientName:   "plaidlink hostedlink",
		Language:     link.LanguageEnglish,
		CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User:         &link.TokenCreateRequestUser{ClientUserID: "hostedlink-user-1"},
		Products:     []link.Product{link.ProductTransactions},
		// An empty hosted_link object is what turns Hosted Link on; its fields are all optional.
		HostedLink: &link.TokenCreateHostedLink{},
	})
	if err != nil {
		return oc, fmt.Errorf("create link token: %w", err)
	}
	if tok.HostedLinkURL == "" {
		return oc, errors.New("create link token: no hosted_link_url in the reply (is Hosted Link enabled for this client?)")
	}
	oc.LinkToken, oc.HostedLinkURL = tok.LinkToken, tok.HostedLinkURL
	fmt.Fprintf(out, "1. Created Hosted Link token %s; send the user to:\n   %s\n", show(tok.LinkToken), tok.HostedLinkURL)

	// A deadline is what ends the wait for a user who never opens the URL: the token lives hours.
	waitCtx, cancelWait := context.WithTimeout(ctx, p.timeout)
	defer cancelWait()
	// The user works in parallel with the polling, as a real one would in their browser. If they
	// fail, the wait is cancelled with that cause. The goroutine is stopped and waited for before
	// returning, so it never outlives the fake.
	userCtx, userFailed := context.WithCancelCause(waitCtx)
	defer userFailed(nil)
	if user != nil {
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := user(userCtx, tok.LinkToken); err != nil {
				userFailed(fmt.Errorf("%w: %w", errUserFailed, err))
			}
		}()
		defer func() {
			userFailed(nil)
			<-done
		}()
		fmt.Fprintln(out, "   (a goroutine plays the user, who finishes Link shortly)")
	}

	fmt.Fprintf(out, "2. Waiting up to %s for the session to finish (WaitForSession polls /link/token/get every %s, backing off to %s)...\n",
		p.timeout, p.first, p.max)
	session, err := client.WaitForSession(userCtx, tok.LinkToken, link.WithPollInterval(p.first, p.max))
	if err != nil {
		return oc, waitFailed(ctx, userCtx, p, err)
	}
	oc.Session = *session
	fmt.Fprintln(out, "3. The session finished:")
	printSession(out, session, show)
	if session.Outcome() != link.SessionLinked {
		return oc, nil
	}
	oc.Items, err = exchangeAll(ctx, out, client, session.PublicTokens(), show)
	return oc, err
}

// exchangeTimeout bounds the exchanges and saves still under way when hostedLink returns.
const exchangeTimeout = 30 * time.Second

// exchangeAll exchanges each public token once and saves its access token, with an Exchanger on
// an in-memory store.
func exchangeAll(ctx context.Context, out io.Writer, client *link.Client, tokens []string, show func(string) string) ([]savedItem, error) {
	// A service makes one Exchanger and shares it between every path a public token arrives on
	// (this wait, the front end's onSuccess, the ITEM_ADD_RESULT webhook), over one store: in
	// memory for one instance, webhook/redisdedup's for a fleet sharing a Redis.
	ex := exchange.New(client, webhook.NewMemoryDeduper(0))
	var (
		mu    sync.Mutex
		items []savedItem
	)
	save := func(_ context.Context, r *link.ItemPublicTokenExchangeResponse) error {
		// A real save is an upsert keyed by item_id, in your database.
		mu.Lock()
		defer mu.Unlock()
		items = append(items, savedItem{ItemID: r.ItemID, AccessToken: r.AccessToken})
		return nil
	}
	fmt.Fprintln(out, "4. Exchanging each public token once (link/exchange), within its 30 minutes:")
	err := exchangeEach(ctx, out, ex, tokens, save, show)

	// An exchange whose caller gave up (ctx ended) goes on in the background: wait for its save.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), exchangeTimeout)
	defer cancel()
	_ = ex.Shutdown(sctx)
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(items), err
}

// exchangeEach exchanges tokens one by one with ex, printing each outcome, and stops at the first
// that did not end in the token being saved.
func exchangeEach(ctx context.Context, out io.Writer, ex *exchange.Exchanger, tokens []string, save exchange.SaveFunc, show func(string) string) error {
	for _, tok := range tokens {
		var saved *link.ItemPublicTokenExchangeResponse
		err := ex.Exchange(ctx, tok, func(ctx context.Context, r *link.ItemPublicTokenExchangeResponse) error {
			if err := save(ctx, r); err != nil {
				return err
			}
			saved = r
			return nil
		})
		var saveErr *exchange.SaveError
		switch {
		case err == nil:
			// nil means this call's save ran and returned: saved is set.
			fmt.Fprintf(out, "   %s: item_id %s, access token %s saved\n", show(tok), saved.ItemID, show(saved.AccessToken))
		case errors.Is(err, exchange.ErrAlreadyExchanged):
			fmt.Fprintf(out, "   %s: exchanged already, by another path\n", show(tok))
		case errors.Is(err, link.ErrOutcomeUnknown):
			// The token is spent or may be; its access token was in the lost reply.
			return fmt.Errorf("exchange: the reply was lost, so the Item's access token is too; ask the user to link again: %w", err)
		case errors.As(err, &saveErr):
			// saveErr.Response() holds the access token: a service would keep it elsewhere now.
			return fmt.Errorf("exchange: %w", err)
		default:
			// Nothing was spent (the store or Plaid refused for now, ctx ended while the exchange
			// goes on): a later try may succeed, or find it exchanged.
			return fmt.Errorf("exchange: %w", err)
		}
	}
	return nil
}

// waitFailed explains why WaitForSession gave up: the simulated user failing, the timeout, the
// caller stopping, or Plaid's answer (an expired token, a *link.Error).
func waitFailed(ctx, userCtx context.Context, p poll, err error) error {
	switch cause := context.Cause(userCtx); {
	case userCtx.Err() == nil:
		return fmt.Errorf("wait for the session: %w", err)
	case errors.Is(cause, errUserFailed):
		return cause
	case ctx.Err() != nil:
		return fmt.Errorf("stopped waiting for the user: %w", err)
	default:
		return fmt.Errorf("gave up waiting for the user after %s: no Link session finished for this link token: %w", p.timeout, err)
	}
}

func printSession(out io.Writer, s *link.TokenGetSessionsResponse, show func(string) string) {
	fmt.Fprintf(out, "   session:       %s\n", s.LinkSessionID)

	// Outcome reads which of results, exit, on_success, on_exit and finished_at Plaid filled.
	switch s.Outcome() {
	case link.SessionExited:
		fmt.Fprintf(out, "   outcome:       the user left Link without linking an Item%s\n", exitDetail(s))
		return
	case link.SessionAbandoned:
		fmt.Fprintln(out, "   outcome:       the user abandoned Link (closed the page, or stopped interacting)")
		return
	case link.SessionInProgress:
		fmt.Fprintln(out, "   outcome:       still in progress")
		return
	}
	fmt.Fprintln(out, "   outcome:       success")

	// results.item_add_results replaces the deprecated on_success, and can hold several Items.
	var adds []link.SessionItemAddResult
	if s.Results != nil {
		adds = s.Results.ItemAddResults
	}
	if len(adds) == 0 && s.OnSuccess != nil {
		add := link.SessionItemAddResult{PublicToken: s.OnSuccess.PublicToken}
		if md := s.OnSuccess.Metadata; md != nil {
			add.Institution, add.Accounts = md.Institution, md.Accounts
		}
		adds = append(adds, add)
	}
	for _, add := range adds {
		if add.Institution != nil {
			fmt.Fprintf(out, "   institution:   %s (%s)\n", add.Institution.Name, add.Institution.InstitutionID)
		}
		for _, a := range add.Accounts {
			fmt.Fprintf(out, "   account:       %s ••%s (%s/%s)\n", a.Name, a.Mask, a.Type, a.Subtype)
		}
	}
	var tokens []string
	for _, tok := range s.PublicTokens() {
		tokens = append(tokens, show(tok))
	}
	fmt.Fprintf(out, "   public tokens: %s\n", strings.Join(tokens, ", "))
}

// exitDetail says where and why the user left, from exit (or the deprecated on_exit).
func exitDetail(s *link.TokenGetSessionsResponse) string {
	ex := s.Exit
	if ex == nil && s.OnExit != nil {
		ex = &link.SessionExit{Error: s.OnExit.Error, Metadata: s.OnExit.Metadata}
	}
	if ex == nil {
		return ""
	}
	var parts []string
	if ex.Metadata != nil && ex.Metadata.Status != "" {
		parts = append(parts, "status "+string(ex.Metadata.Status))
	}
	if ex.Error != nil && ex.Error.ErrorCode != "" {
		parts = append(parts, "error "+string(ex.Error.ErrorCode))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// reveal prints a token whole: the fake's tokens unlock nothing.
func reveal(s string) string { return s }

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
