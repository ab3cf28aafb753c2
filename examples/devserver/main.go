// Command devserver runs linktest, the fake Plaid, on a fixed address, so that a service and its
// front end can be developed and clicked through offline, with no Plaid keys:
//
//	go run ./examples/devserver                      # http://127.0.0.1:8585
//	go run ./examples/devserver -addr 127.0.0.1:9000
//
// It prints its URL and the credentials it accepts (linktest's fixed test values, [linktest.ClientID]
// and [linktest.Secret]) and runs until interrupted (Ctrl+C or SIGTERM). Point the SDK at it with
// link.WithBaseURL and those credentials. Every link token has a Link page at
// /link/page/<link_token> where you pick an institution and accounts and press Continue, or pick an
// exit status and press Exit; a Hosted Link token's hosted_link_url opens the same page and, after
// the session, goes to the token's completion_redirect_uri. Webhooks go to the token's webhook URL
// as Plaid sends them, signed with the key /webhook_verification_key/get serves, and again on
// Plaid's schedule (30 s, 2 min, 8 min, ...) while the receiver does not answer 200; the server
// prints a line for each attempt (code, URL, answer, when the next is due), never a body.
//
// The fake's clock follows the wall clock, so tokens expire in real time. A session steps it
// ahead by linktest.EventInterval per Link event, as the events of a real session are spread over
// time, so that event timestamps increase within a session; the clock then waits for the wall
// clock to catch up, and many sessions in a quick burst leave it minutes ahead. Webhooks are
// nonetheless signed with the wall clock's time of sending (linktest.WithSigningClock), so a
// receiver verifying them with a default webhook.NewVerifier on real time accepts every one,
// however many sessions are completed and however fast, as an automated browser suite does.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/plaidlink/plaidlink-go/link/linktest"
)

// defaultAddr is where the server listens without -addr: loopback only, on a port that stays the
// same from run to run so a front end's configuration can name it.
const defaultAddr = "127.0.0.1:8585"

// clockTick is how often the fake's clock is brought up to the wall clock.
const clockTick = time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "devserver:", err)
		os.Exit(1)
	}
}

// run parses args, serves the fake until ctx ends, and then shuts it down, waiting for requests in
// flight.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("devserver", flag.ContinueOnError)
	fs.SetOutput(stdout)
	addr := fs.String("addr", defaultAddr, "serve the fake Plaid on this host:port (port 0 picks a free one)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", *addr, err)
	}
	// Whole seconds, as Plaid's token times are (expiration 2020-03-27T12:56:34Z).
	clock := linktest.NewClock(time.Now().UTC().Truncate(time.Second))
	// The JWTs are issued at the wall clock's time, which receivers verify against, even while
	// a burst of sessions has moved the clock ahead of it.
	srv := linktest.NewServer(linktest.WithListener(l), linktest.WithClock(clock), linktest.WithSigningClock(time.Now))
	defer srv.Close()

	printBanner(stdout, srv)

	var wg sync.WaitGroup
	followCtx, stopFollowing := context.WithCancel(ctx)
	wg.Add(1)
	go func() {
		defer wg.Done()
		log := &deliveryLog{w: stdout}
		followRealTime(followCtx, clock, clockTick, time.Now, func() { log.print(srv.Deliveries()) })
	}()
	defer func() {
		stopFollowing()
		wg.Wait()
	}()

	<-ctx.Done()
	// The follower writes to stdout too; it stops first so that the lines do not interleave.
	stopFollowing()
	wg.Wait()
	fmt.Fprintln(stdout, "Stopping: waiting for requests in flight.")
	return nil
}

// printBanner tells the developer how to use the server. The credentials are linktest's fixed
// test values, not secrets, and the developer needs them to configure the SDK.
func printBanner(w io.Writer, srv *linktest.Server) {
	fmt.Fprintf(w, `linktest dev server: a fake Plaid Link API for offline development.

  URL        %[1]s
  client_id  %[2]s
  secret     %[3]s

Point the SDK at it:
  link.NewClient(clientID, secret, link.WithBaseURL(%[1]q))
Create a link token, then open its Link page in a browser:
  %[4]s
A Hosted Link token's hosted_link_url opens the same page.
Each webhook attempt is printed below as it is made.

Press Ctrl+C to stop.
`, srv.URL, srv.ClientID(), srv.Secret(), srv.LinkPageURL("")+"<link_token>")
}

// followRealTime moves clock up to now(), in whole seconds as Plaid's times are, every tick until
// ctx ends. It never moves the clock back: a session steps the clock ahead of the wall clock, and
// then it waits for the wall clock to catch up, so that the times the fake stamps keep increasing.
// After each tick it calls onTick, if not nil.
func followRealTime(ctx context.Context, clock *linktest.Clock, every time.Duration, now func() time.Time, onTick func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if d := now().Truncate(time.Second).Sub(clock.Now()); d > 0 {
				clock.Advance(d)
			}
			if onTick != nil {
				onTick()
			}
		}
	}
}

// deliveryLog prints each webhook attempt once, so that a developer sees in the terminal what
// went to their receiver, the retries Plaid's schedule brings included. It prints no body: a body
// can carry a public token.
type deliveryLog struct {
	w    io.Writer
	seen map[deliveryKey]bool // the attempts printed that the server still lists
}

type deliveryKey struct {
	id      string
	attempt int
}

// print writes the attempts in ds not printed before.
func (l *deliveryLog) print(ds []linktest.WebhookDelivery) {
	now := make(map[deliveryKey]bool, len(ds))
	for _, d := range ds {
		k := deliveryKey{d.ID, d.Attempt}
		now[k] = true
		if l.seen[k] {
			continue
		}
		outcome := d.Outcome()
		fmt.Fprintf(l.w, "%s webhook %s (attempt %d) to %s: %s\n",
			d.Time.UTC().Format(time.TimeOnly), d.Code, d.Attempt, d.URL, outcome)
	}
	// Only what the server still lists is remembered, so the set stays as bounded as its list.
	l.seen = now
}
