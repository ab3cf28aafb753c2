package exchange_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/exchange"
	"github.com/plaidlink/plaidlink-go/link/linktest"
	"github.com/plaidlink/plaidlink-go/webhook"
)

// TestMain silences go-redis's logger, which reports every refused dial of the test that stops
// Redis on purpose.
func TestMain(m *testing.M) {
	redis.SetLogger(quietLogger{})
	os.Exit(m.Run())
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// noWait ends every wait of an Exchanger at once, for tests in which waiting decides nothing.
func noWait(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// exchangeCounter counts the requests to /item/public_token/exchange per public token, as they
// leave the client: what Plaid would see.
type exchangeCounter struct {
	next http.RoundTripper

	mu    sync.Mutex
	count map[string]int
}

func newExchangeCounter() *exchangeCounter {
	return &exchangeCounter{next: http.DefaultTransport, count: make(map[string]int)}
}

func (c *exchangeCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == linktest.PathPublicTokenExchange && r.Body != nil {
		body, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			return nil, err
		}
		var req link.ItemPublicTokenExchangeRequest
		_ = json.Unmarshal(body, &req)
		c.mu.Lock()
		c.count[req.PublicToken]++
		c.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	return c.next.RoundTrip(r)
}

// of is how many times token was sent to Plaid.
func (c *exchangeCounter) of(token string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count[token]
}

// total is how many exchanges were sent in all.
func (c *exchangeCounter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.count {
		n += v
	}
	return n
}

func (c *exchangeCounter) option() link.Option {
	return link.WithHTTPClient(&http.Client{Transport: c})
}

// gate holds the next request to /item/public_token/exchange on its way to Plaid until the test
// opens it: the exchange is then in flight for as long as the test wants.
type gate struct {
	next    http.RoundTripper
	arrived chan struct{} // closed when the request reaches the gate
	open    chan struct{} // closed by the test to let it through
	once    sync.Once
}

func newGate(next http.RoundTripper) *gate {
	return &gate{next: next, arrived: make(chan struct{}), open: make(chan struct{})}
}

func (g *gate) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == linktest.PathPublicTokenExchange {
		first := false
		g.once.Do(func() { first = true })
		if first {
			close(g.arrived)
			<-g.open
		}
	}
	return g.next.RoundTrip(r)
}

// savedItem is one call of a saver that succeeded.
type savedItem struct {
	ItemID, AccessToken string
}

// saver is a save function that records what it stored.
type saver struct {
	mu    sync.Mutex
	saved []savedItem
}

func (s *saver) save(_ context.Context, r *link.ItemPublicTokenExchangeResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saved = append(s.saved, savedItem{r.ItemID, r.AccessToken})
	return nil
}

func (s *saver) items() []savedItem {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]savedItem(nil), s.saved...)
}

// newToken creates a Hosted Link token on srv, Multi-Item if multi, whose webhooks go to hook
// (if not empty).
func newToken(t *testing.T, srv *linktest.Server, multi bool, hook string) string {
	t.Helper()
	req := &link.TokenCreateRequest{
		ClientName:   "exchange test",
		Language:     link.LanguageEnglish,
		CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User:         &link.TokenCreateRequestUser{ClientUserID: "user-1"},
		Products:     []link.Product{link.ProductTransactions},
		HostedLink:   &link.TokenCreateHostedLink{},
		Webhook:      hook,
	}
	if multi {
		req.EnableMultiItemLink = link.Ptr(true)
	}
	tok, err := srv.Client().CreateToken(testContext(t), req)
	require.NoError(t, err)
	return tok.LinkToken
}

// completeSession finishes a session on a fresh token and returns its public tokens.
func completeSession(t *testing.T, srv *linktest.Server) string {
	t.Helper()
	res, err := srv.CompleteSession(newToken(t, srv, false, ""))
	require.NoError(t, err)
	return res.PublicToken
}

// sources is one linked session's public tokens, as each of the three places a backend gets them
// from gives them.
type sources struct {
	linkToken string
	// onSuccess are the tokens the front end posts, from Link's onSuccess.
	onSuccess []string
	// webhooks are the ITEM_ADD_RESULT webhooks Plaid delivered, parsed.
	webhooks []*webhook.ItemAddResult
}

// webhookSink answers 200 to every webhook, as a receiver that queues them would.
func webhookSink(t *testing.T) string {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	t.Cleanup(s.Close)
	return s.URL
}

// linkedSession runs a Hosted Link session with extra Items beyond the first (Multi-Item Link if
// extra > 0) and returns its tokens from onSuccess and from the ITEM_ADD_RESULT webhooks.
func linkedSession(t *testing.T, srv *linktest.Server, hook string, extra int) sources {
	t.Helper()
	tok := newToken(t, srv, extra > 0, hook)
	var opts []linktest.SessionOption
	for range extra {
		opts = append(opts, linktest.WithAdditionalItem(""))
	}
	res, err := srv.CompleteSession(tok, opts...)
	require.NoError(t, err)
	require.NoError(t, res.WebhookErr())
	src := sources{linkToken: tok, onSuccess: res.PublicTokens}
	for _, d := range res.Webhooks {
		if d.Code != webhook.CodeItemAddResult {
			continue
		}
		ev, err := webhook.Parse(d.Body)
		require.NoError(t, err)
		add, ok := ev.(*webhook.ItemAddResult)
		require.True(t, ok)
		src.webhooks = append(src.webhooks, add)
	}
	require.Len(t, src.webhooks, extra+1, "one ITEM_ADD_RESULT per Item")
	return src
}

// outcomes tallies what Exchange returned, per public token.
type outcomes struct {
	mu  sync.Mutex
	got map[string][]error
}

func newOutcomes() *outcomes { return &outcomes{got: make(map[string][]error)} }

func (o *outcomes) add(token string, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.got[token] = append(o.got[token], err)
}

// assertOncePerToken checks that, for each of tokens, exactly one caller got nil and every other
// got ErrAlreadyExchanged.
func (o *outcomes) assertOncePerToken(t *testing.T, tokens []string) {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, tok := range tokens {
		nils := 0
		for _, err := range o.got[tok] {
			if err == nil {
				nils++
				continue
			}
			assert.ErrorIs(t, err, exchange.ErrAlreadyExchanged)
		}
		assert.Equal(t, 1, nils, "callers that got nil for one token")
	}
}

// failingStore is a Deduper whose every method fails, as a Redis that cannot be reached.
type failingStore struct{}

var errStoreDown = errors.New("store down")

func (failingStore) Claim(context.Context, string, string, time.Duration) (webhook.ClaimState, error) {
	return 0, errStoreDown
}
func (failingStore) Done(context.Context, string, time.Duration) error { return errStoreDown }
func (failingStore) Release(context.Context, string, string) error     { return errStoreDown }
