// Command webhookserver is an HTTP endpoint for Plaid's LINK webhooks built on webhook.NewHandler:
// every webhook is verified (ES256 JWT in the Plaid-Verification header, checked against Plaid's
// key before the body is read, then against the exact body) before it is parsed, each is processed
// once however often Plaid delivers it (webhook.WithDeduper), and each verified one is logged by
// type, code and link_session_id only. Bodies, JWTs and public tokens are never logged: they are
// credentials. The http.Server sets every timeout, so slow clients cannot hold connections.
//
// The public token of each ITEM_ADD_RESULT is exchanged once with a link/exchange Exchanger and its
// access token saved. The Exchanger works on the store the handler de-duplicates with, and is the
// one the other paths a public token arrives on (the front end's onSuccess, WaitForSession) use
// too: whichever comes first exchanges the token, on whichever instance.
//
// Webhooks are de-duplicated in memory, which is right for one instance. With REDIS_ADDR set (such
// as 127.0.0.1:6379) they are de-duplicated in that Redis instead, so that several instances
// behind a load balancer process each webhook once between them.
//
// Run it with no arguments and no keys:
//
//	go run ./examples/webhookserver
//
// It then starts linktest, the in-process fake Plaid, listens on 127.0.0.1 on a free port, creates
// a Hosted Link token whose webhook URL points at itself, has the fake complete the session, shows
// the three webhooks (ITEM_ADD_RESULT, EVENTS, SESSION_FINISHED) arriving verified (the first one's
// public token exchanged, and the same token from onSuccess then found exchanged) and a forged one
// (naming Plaid's real key ID but signed with another key) being refused for its signature, and
// exits. It then delivers SESSION_FINISHED again, as Plaid does after a lost 200, and shows it
// answered 200 without being processed twice. Last, it keeps an Item connected (items.go): the
// ITEM webhooks that say the user must go back to Link (ITEM_LOGIN_REQUIRED, NEW_ACCOUNTS_AVAILABLE)
// are recorded per Item, with the update-mode link token made for each, and the fake's user goes
// through update mode with it.
//
// With -addr it runs as a long-lived receiver instead, verifying webhooks with the keys of Plaid's
// Sandbox, which needs PLAID_CLIENT_ID and PLAID_SECRET in the environment:
//
//	PLAID_CLIENT_ID=... PLAID_SECRET=... go run ./examples/webhookserver -addr :8080
//
// Plaid must be able to reach it, so put it behind a public HTTPS URL (a tunnel will do) and give
// that URL plus /plaid/webhook as the webhook of your link tokens.
//
// With -metrics it also serves Prometheus metrics of the webhook handler (webhookotel) and of the
// Plaid client on http://ADDR/metrics, in either mode:
//
//	PLAID_CLIENT_ID=... PLAID_SECRET=... go run ./examples/webhookserver -addr :8080 -metrics 127.0.0.1:9464
package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/exchange"
	"github.com/plaidlink/plaidlink-go/link/linktest"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/redisdedup"
)

// webhookPath is where the receiver listens; any path works as long as the link token names it.
const webhookPath = "/plaid/webhook"

// shutdownGrace is how long webhooks already being handled get to finish when the server stops.
const shutdownGrace = 5 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg := config{clientID: os.Getenv("PLAID_CLIENT_ID"), secret: os.Getenv("PLAID_SECRET"), redisAddr: os.Getenv("REDIS_ADDR")}
	if err := run(ctx, os.Stdout, os.Args[1:], cfg); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "webhookserver:", err)
		os.Exit(1)
	}
}

// config is what run takes from its environment, so a test can supply it.
type config struct {
	// clientID and secret are Plaid Sandbox credentials, needed only with -addr.
	clientID, secret string
	// redisAddr is the Redis that de-duplicates webhooks across instances; empty means in memory.
	redisAddr string
	// clientOpts are appended to the Sandbox client's options. Only tests set them, to point the
	// -addr mode at a fake instead of Plaid.
	clientOpts []link.Option
	// handlerOpts and linkOpts are added to the webhook handler's and the Plaid client's options
	// in both modes; -metrics sets them (see metrics.go).
	handlerOpts []webhook.HandlerOption
	linkOpts    []link.Option
}

// run parses args and runs the self-contained demo, or with -addr the long-lived receiver.
func run(ctx context.Context, out io.Writer, args []string, cfg config) (err error) {
	fs := flag.NewFlagSet("webhookserver", flag.ContinueOnError)
	fs.SetOutput(out)
	addr := fs.String("addr", "", "serve webhooks on this address (such as :8080) until interrupted, verified with Plaid Sandbox's keys;\nneeds PLAID_CLIENT_ID and PLAID_SECRET. Without it, run a self-contained demo against a fake Plaid.")
	metricsAddr := fs.String("metrics", "", "serve Prometheus metrics of the webhook handler and the Plaid client on http://ADDR"+metricsPath+"\n(such as 127.0.0.1:9464) while running.")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	// The HTTP server's goroutines and this one both write to out.
	out = &syncWriter{w: out}
	if *metricsAddr != "" {
		inst, err := startMetrics(out, *metricsAddr)
		if err != nil {
			return fmt.Errorf("-metrics: %w", err)
		}
		cfg.handlerOpts = append(cfg.handlerOpts, inst.handlerOpts...)
		cfg.linkOpts = append(cfg.linkOpts, inst.linkOpts...)
		defer func() { err = errors.Join(err, inst.stop()) }()
	}
	if *addr == "" {
		return demo(ctx, out, cfg)
	}
	return serve(ctx, out, *addr, cfg)
}

// newLogger writes logfmt lines without timestamps, which would only add noise to a demo's output.
func newLogger(out io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
}

// newHandler serves webhookPath with webhook.NewHandler, which answers 401 to anything that fails
// verification (503 when Plaid's key cannot be fetched just now, so Plaid delivers again), so
// forged webhooks never reach onEvent, and runs onEvent once per webhook however often Plaid
// delivers it, as dedupe decides. lk, if not nil, exchanges the public token of each
// ITEM_ADD_RESULT. onEvent may be nil; opts are added to the handler's.
func newHandler(v *webhook.Verifier, dedupe webhook.Deduper, log *slog.Logger, lk *linker, onEvent func(webhook.Event), opts ...webhook.HandlerOption) http.Handler {
	fn := func(ctx context.Context, ev webhook.Event) error {
		// Only identifiers are logged: the body carries public tokens, which can be exchanged for
		// access to the user's bank data.
		if ie, ok := ev.(webhook.ItemEvent); ok {
			log.Info("verified webhook", "type", ev.Type(), "code", ev.Code(), "item_id", ie.Item())
		} else {
			log.Info("verified webhook", "type", ev.Type(), "code", ev.Code(), "link_session_id", ev.SessionID())
		}
		if onEvent != nil {
			onEvent(ev)
		}
		if add, ok := ev.(*webhook.ItemAddResult); ok && lk != nil {
			// An error makes the handler answer 500, so Plaid delivers the webhook again.
			return lk.itemAdded(ctx, add)
		}
		return nil
	}
	mux := http.NewServeMux()
	opts = append([]webhook.HandlerOption{webhook.WithDeduper(dedupe), webhook.WithLogger(log)}, opts...)
	mux.Handle(webhookPath, webhook.NewHandler(v, fn, opts...))
	return mux
}

// newDeduper returns the deduper cfg asks for: in this process's memory, or with a Redis address
// in that Redis, shared by every instance pointed at it. release frees what it holds.
func newDeduper(ctx context.Context, cfg config) (d webhook.Deduper, release func() error, err error) {
	if cfg.redisAddr == "" {
		return webhook.NewMemoryDeduper(0), func() error { return nil }, nil
	}
	// Short timeouts and one retry, so that with Redis down the handler's 503 goes out within the
	// handler's dedupe timeout, well inside the 10 s Plaid waits for an answer.
	client := redis.NewClient(&redis.Options{
		Addr:        cfg.redisAddr,
		DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second,
		MaxRetries: 1,
	})
	// Checked at start, so that a wrong address is an error now rather than a 503 for every webhook.
	pingCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := client.Ping(pingCtx).Err(); err != nil {
		_ = client.Close()
		return nil, nil, fmt.Errorf("REDIS_ADDR %s: %w", cfg.redisAddr, err)
	}
	return redisdedup.New(client), client.Close, nil
}

// Server timeouts. Plaid sends a few kilobytes and waits 10 s for the answer.
const (
	// readHeaderTimeout and readTimeout bound how long a client may take to send its request,
	// headers and body: a slow client cannot hold a connection and its buffer.
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	// writeTimeout bounds the request from its headers to the end of the answer, fn included; a
	// longer fn has missed Plaid's 10 s anyway, and Plaid delivers again.
	writeTimeout = 20 * time.Second
	// idleTimeout closes kept-alive connections Plaid is not using.
	idleTimeout = 60 * time.Second
)

// newServer returns the http.Server for h, with every timeout set.
func newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
	}
}

// startServer serves h on ln in the background. done yields the error that ended serving early;
// stop shuts the server down gracefully and returns what went wrong, if anything.
func startServer(ln net.Listener, h http.Handler) (done <-chan error, stop func() error) {
	hs := newServer(h)
	errc := make(chan error, 1)
	go func() {
		err := hs.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		errc <- err
	}()
	// stop may be called more than once (explicitly and deferred); only the first call shuts down.
	var once sync.Once
	var stopErr error
	return errc, func() error {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
			defer cancel()
			if stopErr = hs.Shutdown(ctx); stopErr == nil {
				stopErr = <-errc
			}
		})
		return stopErr
	}
}

// demo runs the whole round trip on this machine against the fake.
func demo(ctx context.Context, out io.Writer, cfg config) error {
	fake := linktest.NewServer()
	defer fake.Close()
	client, err := fake.NewClient(cfg.linkOpts...)
	if err != nil {
		return err
	}
	log := newLogger(out)
	dedupe, closeDedupe, err := newDeduper(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeDedupe()

	var (
		mu       sync.Mutex
		received []webhook.Event
	)
	// The verifier fetches the fake's signing key through the client, as it would fetch Plaid's.
	verifier := webhook.NewVerifier(client)
	lk := newLinker(client, dedupe, log)
	defer shutdownExchanger(lk.ex)
	keeper := newItemKeeper(client, itemsBaseRequest(), out) // ITEM webhooks: items.go
	keepItems(lk, keeper)
	h := newHandler(verifier, dedupe, log, lk, func(ev webhook.Event) {
		keeper.handle(ctx, ev)
		mu.Lock()
		defer mu.Unlock()
		received = append(received, ev)
	}, cfg.handlerOpts...)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	_, stop := startServer(ln, h)
	defer stop()
	url := "http://" + ln.Addr().String() + webhookPath
	fmt.Fprintf(out, "Receiving webhooks on %s (fake Plaid at %s).\n", url, fake.URL)

	tok, err := client.CreateToken(ctx, &link.TokenCreateRequest{
		ClientName:   "plaidlink webhookserver",
		Language:     link.LanguageEnglish,
		CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User:         &link.TokenCreateRequestUser{ClientUserID: "webhookserver-user-1"},
		Products:     []link.Product{link.ProductTransactions},
		// Plaid sends ITEM_ADD_RESULT and SESSION_FINISHED by default only for Hosted Link (and
		// Multi-Item Link) sessions, so this token is a Hosted Link one.
		HostedLink: &link.TokenCreateHostedLink{},
		Webhook:    url,
	})
	if err != nil {
		return fmt.Errorf("create link token: %w", err)
	}
	fmt.Fprintln(out, "1. Created a Hosted Link token whose webhook is that URL.")
	fmt.Fprintln(out, "2. The fake plays the user and finishes the session; its webhooks arrive:")

	session, err := fake.CompleteSession(tok.LinkToken)
	if err != nil {
		return fmt.Errorf("complete the session: %w", err)
	}
	if err := session.WebhookErr(); err != nil {
		return fmt.Errorf("deliver webhooks: %w", err)
	}

	mu.Lock()
	var codes []string
	verifiedForSession := true
	for _, ev := range received {
		codes = append(codes, ev.Code())
		verifiedForSession = verifiedForSession && ev.SessionID() == session.LinkSessionID
	}
	mu.Unlock()
	want := []string{webhook.CodeItemAddResult, webhook.CodeEvents, webhook.CodeSessionFinished}
	if !slices.Equal(codes, want) || !verifiedForSession {
		return fmt.Errorf("verified webhooks %v for session %s, want %v", codes, session.LinkSessionID, want)
	}
	fmt.Fprintf(out, "3. All %d webhooks arrived verified for session %s: %s.\n",
		len(codes), session.LinkSessionID, strings.Join(codes, ", "))

	// ITEM_ADD_RESULT's public token was exchanged in the handler. The front end's onSuccess
	// posts the same token: the same Exchanger, on the same store, finds it done.
	if n := lk.items.len(); n != 1 {
		return fmt.Errorf("%d Items saved from ITEM_ADD_RESULT, want 1", n)
	}
	if err := lk.exchange(ctx, session.LinkSessionID, session.PublicToken); !errors.Is(err, exchange.ErrAlreadyExchanged) {
		return fmt.Errorf("the public token from onSuccess, after ITEM_ADD_RESULT: got %v, want %v", err, exchange.ErrAlreadyExchanged)
	}
	fmt.Fprintf(out, "   ITEM_ADD_RESULT's public token was exchanged once and its access token saved; the same token from onSuccess: %v.\n",
		exchange.ErrAlreadyExchanged)

	// The forgery names the key Plaid really signs with (a kid is no secret: every webhook
	// carries it), so it gets past the key lookup and is refused for its signature alone.
	body := session.Webhooks[len(session.Webhooks)-1].Body
	forged, err := forgeHeader(body, fake.Signer().KeyID(), time.Now())
	if err != nil {
		return fmt.Errorf("forge a webhook: %w", err)
	}
	status, err := postWebhook(ctx, url, body, forged)
	if err != nil {
		return fmt.Errorf("send a forged webhook: %w", err)
	}
	if status != http.StatusUnauthorized {
		return fmt.Errorf("a forged webhook got HTTP %d, want %d", status, http.StatusUnauthorized)
	}
	// The handler's answer is only the status, as it should be; the verifier itself says why.
	reason := verifier.Verify(ctx, forged, body)
	if !errors.Is(reason, webhook.ErrInvalidSignature) {
		return fmt.Errorf("a forged webhook was refused for %v, want %v", reason, webhook.ErrInvalidSignature)
	}
	fmt.Fprintf(out, "4. A copy of SESSION_FINISHED under Plaid's key ID but signed with another key was refused: HTTP %d (%v).\n",
		status, webhook.ErrInvalidSignature)

	// Plaid delivers a webhook again when the 200 is lost; it is signed anew each time.
	status, err = postWebhook(ctx, url, body, fake.Signer().Sign(body))
	if err != nil {
		return fmt.Errorf("deliver SESSION_FINISHED again: %w", err)
	}
	mu.Lock()
	processed := len(received)
	mu.Unlock()
	if status != http.StatusOK || processed != len(want) {
		return fmt.Errorf("SESSION_FINISHED delivered again got HTTP %d and %d webhooks were processed, want %d and %d",
			status, processed, http.StatusOK, len(want))
	}
	fmt.Fprintf(out, "5. SESSION_FINISHED delivered again, as after a lost 200: HTTP %d, and not processed twice.\n", status)
	if err := itemsDemo(ctx, out, fake, client, url, keeper); err != nil {
		return err
	}
	return stop()
}

// forgeHeader builds the Plaid-Verification header an attacker who knows the format but not
// Plaid's private key would: a well-formed ES256 JWT naming Plaid's key ID kid, with true claims
// for body issued at now, signed with a P-256 key of the attacker's own.
func forgeHeader(body []byte, kid string, now time.Time) (string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	header, err := json.Marshal(map[string]string{"alg": "ES256", "kid": kid, "typ": "JWT"})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(body)
	claims, err := json.Marshal(map[string]any{"iat": now.Unix(), "request_body_sha256": hex.EncodeToString(sum[:])})
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	signingInput := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	digest := sha256.Sum256([]byte(signingInput))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		return "", err
	}
	// A JWS ES256 signature is R||S, each left-padded to 32 bytes (RFC 7518, 3.4).
	var sig [64]byte
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return signingInput + "." + enc.EncodeToString(sig[:]), nil
}

// postWebhook POSTs body to url with header as its Plaid-Verification and returns the status.
func postWebhook(ctx context.Context, url string, body []byte, header string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhook.HeaderName, header)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// serve receives webhooks on addr until ctx ends, verifying them with Plaid Sandbox's keys.
func serve(ctx context.Context, out io.Writer, addr string, cfg config) error {
	if cfg.clientID == "" || cfg.secret == "" {
		return errors.New("-addr needs PLAID_CLIENT_ID and PLAID_SECRET in the environment, to fetch Plaid's webhook keys")
	}
	opts := append([]link.Option{link.WithEnvironment(link.Sandbox)}, cfg.clientOpts...)
	opts = append(opts, cfg.linkOpts...)
	client, err := link.NewClient(cfg.clientID, cfg.secret, opts...)
	if err != nil {
		return err
	}
	dedupe, closeDedupe, err := newDeduper(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeDedupe()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	log := newLogger(out)
	lk := newLinker(client, dedupe, log)
	// After the server's own shutdown: exchanges whose webhook request ended go on until saved.
	defer shutdownExchanger(lk.ex)
	keeper := newItemKeeper(client, itemsBaseRequest(), out) // ITEM webhooks: items.go
	keepItems(lk, keeper)
	onEvent := func(ev webhook.Event) { keeper.handle(ctx, ev) }
	done, stop := startServer(ln, newHandler(webhook.NewVerifier(client), dedupe, log, lk, onEvent, cfg.handlerOpts...))
	where := "in memory"
	if cfg.redisAddr != "" {
		where = "in Redis at " + cfg.redisAddr
	}
	fmt.Fprintf(out, "Receiving Plaid webhooks on http://%s%s, de-duplicated %s; interrupt to stop.\n", ln.Addr(), webhookPath, where)

	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(out, "Stopping.")
	return stop()
}

// shutdownExchanger waits, up to shutdownGrace, for the exchanges and saves ex still has under
// way: those whose webhook request ended before they did.
func shutdownExchanger(ex *exchange.Exchanger) {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	_ = ex.Shutdown(ctx)
}

// syncWriter serialises writes from several goroutines to one writer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
