package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/internal/redistest"
	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/redisdedup"
)

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

const uuidPattern = `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`

var verifiedLine = regexp.MustCompile(`(?m)^level=INFO msg="verified webhook" type=LINK code=(\w+) link_session_id=(` + uuidPattern + `)$`)

// assertNoSecrets checks that nothing that could be exchanged or replayed reached the output: no
// public or link tokens, no JWT (a base64url JSON header starts "eyJ"), no JSON body.
func assertNoSecrets(t *testing.T, got string) {
	t.Helper()
	assert.NotContains(t, got, "public-sandbox-")
	assert.NotContains(t, got, "link-sandbox-")
	assert.NotContains(t, got, "eyJ")
	assert.NotContains(t, got, `"webhook_code"`)
}

// With no flags, run shows the three webhooks of a Hosted Link session arriving verified, in
// order, all for the same session, and a forged one refused.
func TestRunDemo(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(testContext(t), &out, nil, config{}))
	got := out.String()

	matches := verifiedLine.FindAllStringSubmatch(got, -1)
	require.Len(t, matches, 3, got)
	codes := []string{matches[0][1], matches[1][1], matches[2][1]}
	assert.Equal(t, []string{"ITEM_ADD_RESULT", "EVENTS", "SESSION_FINISHED"}, codes)
	session := matches[0][2]
	assert.Equal(t, session, matches[1][2])
	assert.Equal(t, session, matches[2][2])

	assert.Regexp(t, `^Receiving webhooks on http://127\.0\.0\.1:\d+/plaid/webhook \(fake Plaid at http://127\.0\.0\.1:\d+\)\.\n`, got)
	assert.Contains(t, got, "3. All 3 webhooks arrived verified for session "+session+": ITEM_ADD_RESULT, EVENTS, SESSION_FINISHED.\n")
	// The forgery carries the real kid, so it is refused for its signature, not for an unknown key.
	assert.Contains(t, got, `level=WARN msg="webhook refused" status=401 method=POST reason="webhook: invalid JWT signature"`)
	assert.NotContains(t, got, "no verification key for kid")
	assert.Contains(t, got, "4. A copy of SESSION_FINISHED under Plaid's key ID but signed with another key was refused: "+
		"HTTP 401 (webhook: invalid JWT signature).\n")
	// The handler logs after it has answered, so its lines may come after the demo's next step.
	var steps []string
	for _, line := range strings.SplitAfter(got, "\n") {
		if !strings.HasPrefix(line, "level=") {
			steps = append(steps, line)
		}
	}
	assert.Contains(t, strings.Join(steps, ""), "5. SESSION_FINISHED delivered again, as after a lost 200: HTTP 200, and not processed twice.\n6. ", got)
	// The update-mode link tokens are printed on purpose, for the front end (items_test.go).
	assertNoSecrets(t, updateTokenLine.ReplaceAllString(got, ""))
}

// The handler passes on only what it verified, and logs identifiers only.
func TestHandler(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()

	var (
		logs     bytes.Buffer
		mu       sync.Mutex
		received []webhook.Event
	)
	h := newHandler(webhook.NewVerifier(srv.Client()), webhook.NewMemoryDeduper(0), newLogger(&syncWriter{w: &logs}), nil, func(ev webhook.Event) {
		mu.Lock()
		defer mu.Unlock()
		received = append(received, ev)
	})
	body := []byte(`{"webhook_type":"LINK","webhook_code":"ITEM_ADD_RESULT","link_session_id":"356dbb28-7f98-44d1-8e6d-0cec580f3171",` +
		`"link_token":"link-sandbox-af1a0311-da53-4636-b754-dd15cc058176","public_token":"public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d","environment":"sandbox"}`)

	post := func(body []byte, header string) int {
		req := httptest.NewRequest(http.MethodPost, webhookPath, bytes.NewReader(body))
		req.Header.Set(webhook.HeaderName, header)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}

	tampered := bytes.Replace(body, []byte("b0e2c4ee"), []byte("00000000"), 1)
	assert.Equal(t, http.StatusUnauthorized, post(tampered, srv.Signer().Sign(body)), "a body altered after signing")
	assert.Equal(t, http.StatusUnauthorized, post(body, ""), "no signature")
	assert.Equal(t, http.StatusOK, post(body, srv.Signer().Sign(body)))
	assert.Equal(t, http.StatusOK, post(body, srv.Signer().Sign(body)), "a redelivery")

	mu.Lock()
	require.Len(t, received, 1)
	ev, ok := received[0].(*webhook.ItemAddResult)
	mu.Unlock()
	require.True(t, ok)
	assert.Equal(t, "public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d", ev.PublicToken)

	got := logs.String()
	assert.Contains(t, got, `level=INFO msg="verified webhook" type=LINK code=ITEM_ADD_RESULT link_session_id=356dbb28-7f98-44d1-8e6d-0cec580f3171`+"\n")
	assert.Contains(t, got, `reason="webhook: body does not match request_body_sha256"`)
	assert.Contains(t, got, `reason="webhook: missing Plaid-Verification header"`)
	assertNoSecrets(t, got)
}

// lockedBuffer lets a test read output that a running server is still writing.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// receiver is one `run -addr` of the test's, serving until stop.
type receiver struct {
	url  string
	out  *lockedBuffer
	stop func() // ends run and checks that it returned without error
}

// startReceiver runs `run -addr 127.0.0.1:0` with cfg and args against fake, and waits until it
// listens.
func startReceiver(t *testing.T, fake *linktest.Server, cfg config, args ...string) *receiver {
	t.Helper()
	cfg.clientOpts = []link.Option{link.WithBaseURL(fake.URL)}
	ctx, cancel := context.WithCancel(testContext(t))
	t.Cleanup(cancel)
	out := &lockedBuffer{}
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, out, append([]string{"-addr", "127.0.0.1:0"}, args...), cfg) }()

	where := "in memory"
	if cfg.redisAddr != "" {
		where = "in Redis at " + regexp.QuoteMeta(cfg.redisAddr)
	}
	listening := regexp.MustCompile(`Receiving Plaid webhooks on (http://127\.0\.0\.1:\d+/plaid/webhook), de-duplicated ` + where + `; interrupt to stop\.`)
	r := &receiver{out: out}
	require.Eventually(t, func() bool {
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			r.url = m[1]
			return true
		}
		return false
	}, 5*time.Second, 10*time.Millisecond, "the server never said where it listens")
	r.stop = func() {
		cancel()
		select {
		case err := <-errc:
			require.NoError(t, err)
		case <-time.After(5 * time.Second):
			t.Fatal("run did not return after its context ended")
		}
	}
	return r
}

// completeSession has fake run a Hosted Link session whose webhooks go to url.
func completeSession(t *testing.T, fake *linktest.Server, url string) linktest.SessionResult {
	t.Helper()
	tok, err := fake.Client().CreateToken(testContext(t), &link.TokenCreateRequest{
		ClientName:   "webhookserver test",
		Language:     link.LanguageEnglish,
		CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User:         &link.TokenCreateRequestUser{ClientUserID: "u-1"},
		Products:     []link.Product{link.ProductAuth},
		HostedLink:   &link.TokenCreateHostedLink{},
		Webhook:      url,
	})
	require.NoError(t, err)
	session, err := fake.CompleteSession(tok.LinkToken)
	require.NoError(t, err)
	require.NoError(t, session.WebhookErr())
	require.Len(t, session.Webhooks, 3)
	for _, d := range session.Webhooks {
		assert.Equal(t, http.StatusOK, d.StatusCode, d.Code)
	}
	return session
}

// With -addr, run is a long-lived receiver that verifies webhooks with the keys of the Plaid it
// is configured for (here a fake standing in for Sandbox), until its context ends.
func TestRunServe(t *testing.T) {
	const clientID, secret = "ws-client-id-4e2f", "ws-secret-8b1d70"
	fake := linktest.NewServer(linktest.WithCredentials(clientID, secret))
	defer fake.Close()

	r := startReceiver(t, fake, config{clientID: clientID, secret: secret})
	session := completeSession(t, fake, r.url)
	r.stop()

	got := r.out.String()
	matches := verifiedLine.FindAllStringSubmatch(got, -1)
	require.Len(t, matches, 3, got)
	for _, m := range matches {
		assert.Equal(t, session.LinkSessionID, m[2])
	}
	assert.True(t, strings.HasSuffix(got, "Stopping.\n"), got)
	assert.NotContains(t, got, clientID)
	assert.NotContains(t, got, secret)
	assertNoSecrets(t, got)
}

// With REDIS_ADDR, two receivers sharing one Redis process each webhook once between them: the
// webhooks of a session go to the first, and their redeliveries to the second get 200 without
// being processed again.
func TestRunServeFleetWithRedis(t *testing.T) {
	rs := redistest.Start(t)
	redisAddr := rs.Addr
	const clientID, secret = "ws-client-id-77a1", "ws-secret-0c3e55"
	fake := linktest.NewServer(linktest.WithCredentials(clientID, secret))
	defer fake.Close()
	cfg := config{clientID: clientID, secret: secret, redisAddr: redisAddr}
	first, second := startReceiver(t, fake, cfg), startReceiver(t, fake, cfg)

	session := completeSession(t, fake, first.url)
	ctx := testContext(t)
	for _, d := range session.Webhooks {
		status, err := postWebhook(ctx, second.url, d.Body, fake.Signer().Sign(d.Body))
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, status, "the redelivery of %s", d.Code)
	}
	first.stop()
	second.stop()

	assert.Len(t, verifiedLine.FindAllStringSubmatch(first.out.String(), -1), 3, first.out.String())
	assert.Empty(t, verifiedLine.FindAllStringSubmatch(second.out.String(), -1), second.out.String())
	keys, err := rs.Client().Keys(ctx, redisdedup.DefaultPrefix+"*").Result()
	require.NoError(t, err)
	// ITEM_ADD_RESULT, SESSION_FINISHED and the session's EVENTS: a Redis hash each, with a field
	// per event in the last; and the Exchanger's claim on the public token, on the same store.
	assert.Len(t, keys, 4, "%q", keys)
	exchangeKeys := 0
	for _, k := range keys {
		if strings.HasPrefix(k, redisdedup.DefaultPrefix+"exchange:") {
			exchangeKeys++
		}
	}
	assert.Equal(t, 1, exchangeKeys, "one exchange claim for the session's one public token: %q", keys)
	fields := 0
	for _, k := range keys {
		n, err := rs.Client().HLen(ctx, k).Result()
		require.NoError(t, err)
		fields += int(n)
	}
	assert.Greater(t, fields, 3)
	for _, k := range keys {
		assert.NotContains(t, k, "public-", "no token in clear in Redis")
		assert.NotContains(t, k, session.LinkSessionID)
	}
	assertNoSecrets(t, first.out.String()+second.out.String())
}

// A REDIS_ADDR nothing answers on is an error at start, not a 503 for every webhook.
func TestRunServeRedisUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	var out bytes.Buffer
	err = run(testContext(t), &out, []string{"-addr", "127.0.0.1:0"}, config{clientID: "id", secret: "s", redisAddr: addr})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "REDIS_ADDR "+addr+": ")
	assert.NotContains(t, out.String(), "Receiving")
}

// The server sets every timeout, so that slow clients cannot hold connections.
func TestServerTimeouts(t *testing.T) {
	hs := newServer(http.NotFoundHandler())
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": hs.ReadHeaderTimeout, "ReadTimeout": hs.ReadTimeout,
		"WriteTimeout": hs.WriteTimeout, "IdleTimeout": hs.IdleTimeout,
	} {
		assert.Positive(t, d, name)
	}
	assert.LessOrEqual(t, hs.ReadTimeout, 10*time.Second, "a request is read within the time Plaid waits")
	assert.Greater(t, hs.WriteTimeout, hs.ReadTimeout, "fn gets time beyond reading the request")
}

func TestRunArgs(t *testing.T) {
	tests := []struct {
		name string
		args []string
		cfg  config
		want string
	}{
		{"addr without credentials", []string{"-addr", "127.0.0.1:0"}, config{}, "-addr needs PLAID_CLIENT_ID and PLAID_SECRET"},
		{"addr with half the credentials", []string{"-addr", "127.0.0.1:0"}, config{clientID: "id"}, "-addr needs PLAID_CLIENT_ID and PLAID_SECRET"},
		{"stray argument", []string{"serve"}, config{}, `unexpected arguments ["serve"]`},
		{"unknown flag", []string{"-port", "80"}, config{}, "flag provided but not defined: -port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(testContext(t), &out, tt.args, tt.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// Serving, the receiver keeps Items connected too: an Item linked through ITEM_ADD_RESULT and then
// reported as needing its login gets an update-mode link token, printed for the front end, and
// neither the access token nor any other token shows.
func TestRunServeKeepsItemsConnected(t *testing.T) {
	const clientID, secret = "ws-client-id-5d0e", "ws-secret-91ab7c"
	fake := linktest.NewServer(linktest.WithCredentials(clientID, secret))
	defer fake.Close()
	r := startReceiver(t, fake, config{clientID: clientID, secret: secret})

	completeSession(t, fake, r.url)
	items := fake.Items()
	require.Len(t, items, 1)
	item := items[0]
	delivery, err := fake.FireItemWebhook(item.AccessToken, linktest.ItemWebhookError)
	require.NoError(t, err)
	require.NoError(t, delivery.Err)
	r.stop()

	out := r.out.String()
	needs := regexp.MustCompile(`Item ` + regexp.QuoteMeta(item.ItemID) + ` needs its user \(([^)]+)\); update-mode link token for the front end: (link-sandbox-\S+)`)
	m := needs.FindStringSubmatch(out)
	require.NotNil(t, m, out)
	assert.Equal(t, string(webhook.UserActionReauthenticate), m[1])
	assert.NotContains(t, out, item.AccessToken)
	// The one link token shown is the update-mode one the line above names.
	assertNoSecrets(t, strings.ReplaceAll(out, m[2], "LINKTOKEN"))
}
