// Command hostedlink shows Plaid's Hosted Link flow, where Plaid hosts the Link page and your
// backend never sees the front end: create a link_token with hosted_link set, send the user to
// its hosted_link_url, then poll /link/token/get until the session has finished, and print what
// it produced (session id, institution, accounts, public tokens).
//
// Run it with no arguments and no keys:
//
//	go run ./examples/hostedlink
//
// It then starts linktest, the in-process fake Plaid, and a goroutine plays the user, finishing
// Link a moment later, so the polling really polls. With PLAID_CLIENT_ID and PLAID_SECRET set it
// uses Plaid's Sandbox instead: open the printed URL in a browser and log in to First Platypus Bank
// with user_good / pass_good within ten minutes. Tokens are then printed masked.
//
// Production code usually waits for the SESSION_FINISHED webhook instead of polling (see
// examples/webhookserver); polling is the fallback when no webhook endpoint is reachable.
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

// Polling against the fake can be brisk; against Plaid it is gentler on rate limits, and a person
// needs minutes, not seconds, to get through Link.
const (
	fakePollEvery    = 50 * time.Millisecond
	fakeTimeout      = 10 * time.Second
	fakeUserDelay    = 300 * time.Millisecond
	sandboxPollEvery = 2 * time.Second
	sandboxTimeout   = 10 * time.Minute
)

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
	// clientOpts are appended to the Sandbox client's options. Only tests set them, to point the
	// Sandbox path at a fake instead of Plaid.
	clientOpts []link.Option
	// pollEvery and timeout override the defaults for the chosen mode when positive.
	pollEvery, timeout time.Duration
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
		client, err := srv.NewClient()
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "Using the built-in fake Plaid at %s (set PLAID_CLIENT_ID and PLAID_SECRET to use Plaid's Sandbox).\n", srv.URL)
		p := poll{every: or(cfg.pollEvery, fakePollEvery), timeout: or(cfg.timeout, fakeTimeout)}
		_, err = hostedLink(ctx, out, client, p, completeAfter(srv, fakeUserDelay), reveal)
		return err
	}

	opts := append([]link.Option{link.WithEnvironment(link.Sandbox)}, cfg.clientOpts...)
	client, err := link.NewClient(cfg.clientID, cfg.secret, opts...)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "Using Plaid's Sandbox with the credentials from PLAID_CLIENT_ID and PLAID_SECRET; tokens are shown masked.")
	p := poll{every: or(cfg.pollEvery, sandboxPollEvery), timeout: or(cfg.timeout, sandboxTimeout)}
	_, err = hostedLink(ctx, out, client, p, nil, mask)
	return err
}

// poll says how often /link/token/get is asked and how long the user is waited for.
type poll struct {
	every, timeout time.Duration
}

// outcome is what hostedLink saw: the finished session and how many polls it took.
type outcome struct {
	LinkToken     string
	HostedLinkURL string
	Session       link.TokenGetSessionsResponse
	Polls         int
}

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

	// The user works in parallel with the polling, as a real one would in their browser. The
	// goroutine is stopped and waited for before returning, so it never outlives the fake.
	userErr := make(chan error, 1)
	if user != nil {
		userCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			userErr <- user(userCtx, tok.LinkToken)
		}()
		defer func() {
			cancel()
			<-done
		}()
		fmt.Fprintln(out, "   (a goroutine plays the user, who finishes Link shortly)")
	}

	fmt.Fprintf(out, "2. Polling /link/token/get every %s, for up to %s, until the session finishes...\n", p.every, p.timeout)
	session, polls, err := waitForSession(ctx, client, tok.LinkToken, p, userErr)
	oc.Polls = polls
	if err != nil {
		return oc, err
	}
	oc.Session = *session
	fmt.Fprintf(out, "3. The session finished (seen on poll %d):\n", polls)
	printSession(out, session, show)
	return oc, nil
}

// waitForSession asks /link/token/get for linkToken's sessions every p.every until one has
// finished, and gives up after p.timeout. A non-nil error from userErr ends the wait at once,
// since no session will come.
func waitForSession(ctx context.Context, client *link.Client, linkToken string, p poll, userErr <-chan error) (*link.TokenGetSessionsResponse, int, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	ticker := time.NewTicker(p.every)
	defer ticker.Stop()

	for polls := 1; ; polls++ {
		resp, err := client.GetToken(ctx, &link.TokenGetRequest{LinkToken: linkToken})
		if err != nil {
			if ctx.Err() != nil {
				return nil, polls, stopped(ctx, p, polls)
			}
			return nil, polls, fmt.Errorf("read the link token back: %w", err)
		}
		if s := finishedSession(resp.LinkSessions); s != nil {
			return s, polls, nil
		}
		select {
		case <-ctx.Done():
			return nil, polls, stopped(ctx, p, polls)
		case err := <-userErr:
			if err != nil {
				return nil, polls, fmt.Errorf("the simulated user could not finish Link: %w", err)
			}
			userErr = nil // the user is done; the next poll will see their session
		case <-ticker.C:
		}
	}
}

// stopped explains why the wait ended early: the timeout, or the caller giving up.
func stopped(ctx context.Context, p poll, polls int) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("gave up waiting for the user after %s (%d polls): no Link session finished for this link token: %w",
			p.timeout, polls, ctx.Err())
	}
	return fmt.Errorf("stopped waiting for the user after %d polls: %w", polls, ctx.Err())
}

// finishedSession returns the first session that has ended, by success or exit. Plaid lists a
// Hosted Link session as soon as the user opens the URL, before it has any result, so a session
// being present is not enough.
func finishedSession(sessions []link.TokenGetSessionsResponse) *link.TokenGetSessionsResponse {
	for i := range sessions {
		s := &sessions[i]
		if !s.FinishedAt.IsZero() || s.OnSuccess != nil || s.Exit != nil || s.OnExit != nil {
			return s
		}
	}
	return nil
}

func printSession(out io.Writer, s *link.TokenGetSessionsResponse, show func(string) string) {
	fmt.Fprintf(out, "   session:       %s\n", s.LinkSessionID)

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

	if len(adds) == 0 {
		fmt.Fprintf(out, "   outcome:       the user left Link without linking an Item%s\n", exitDetail(s))
		return
	}
	fmt.Fprintln(out, "   outcome:       success")
	tokens := make([]string, len(adds))
	for i, add := range adds {
		if add.Institution != nil {
			fmt.Fprintf(out, "   institution:   %s (%s)\n", add.Institution.Name, add.Institution.InstitutionID)
		}
		for _, a := range add.Accounts {
			fmt.Fprintf(out, "   account:       %s ••%s (%s/%s)\n", a.Name, a.Mask, a.Type, a.Subtype)
		}
		tokens[i] = show(add.PublicToken)
	}
	fmt.Fprintf(out, "   public tokens: %s\n", strings.Join(tokens, ", "))
	fmt.Fprintln(out, "Exchange each public token with ExchangePublicToken within 30 minutes to keep the Item.")
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

func or(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
