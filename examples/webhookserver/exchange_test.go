package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/internal/redistest"
	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/exchange"
	"github.com/plaidlink/plaidlink-go/link/linktest"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/redisdedup"
)

var exchangedLine = regexp.MustCompile(`(?m)^level=INFO msg="exchanged public token" link_session_id=(` + uuidPattern + `) item_id=([A-Za-z0-9]{37})$`)

// The demo exchanges ITEM_ADD_RESULT's public token in the handler, and the same token from
// onSuccess then finds it exchanged.
func TestRunDemoExchanges(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(testContext(t), &out, nil, config{}))
	got := out.String()
	m := exchangedLine.FindAllStringSubmatch(got, -1)
	require.Len(t, m, 1, got)
	assert.Contains(t, got, `level=INFO msg="public token already exchanged" link_session_id=`+m[0][1]+"\n")
	assert.Contains(t, got, "   ITEM_ADD_RESULT's public token was exchanged once and its access token saved; "+
		"the same token from onSuccess: exchange: the public token was already exchanged.\n")
	assert.NotContains(t, got, "access-sandbox-")
	// The update-mode link tokens are printed on purpose, for the front end (items_test.go).
	assertNoSecrets(t, updateTokenLine.ReplaceAllString(got, ""))
}

// With -addr, the receiver exchanges each ITEM_ADD_RESULT's token with the Plaid it is configured
// for.
func TestRunServeExchanges(t *testing.T) {
	const clientID, secret = "ws-client-id-5d0c", "ws-secret-e81a2f"
	fake := linktest.NewServer(linktest.WithCredentials(clientID, secret))
	defer fake.Close()
	r := startReceiver(t, fake, config{clientID: clientID, secret: secret})
	session := completeSession(t, fake, r.url)
	r.stop()

	got := r.out.String()
	m := exchangedLine.FindAllStringSubmatch(got, -1)
	require.Len(t, m, 1, got)
	assert.Equal(t, session.LinkSessionID, m[0][1])
	items := fake.Items()
	require.Len(t, items, 1)
	assert.Equal(t, items[0].ItemID, m[0][2])
	assert.NotContains(t, got, items[0].AccessToken)
	assertNoSecrets(t, got)
}

// instance is one receiver of a fleet: a webhook handler and a linker over its own Redis client,
// saving into the fleet's database.
type instance struct {
	url string
	lk  *linker
}

func newInstance(t *testing.T, fake *linktest.Server, rs *redistest.Server, db *itemStore, logs *lockedBuffer) *instance {
	t.Helper()
	store := redisdedup.New(rs.Client())
	log := newLogger(logs)
	lk := newLinker(fake.Client(), store, log)
	lk.items, lk.save = db, db.save
	srv := httptest.NewServer(newHandler(webhook.NewVerifier(fake.Client()), store, log, lk, nil))
	t.Cleanup(srv.Close)
	return &instance{url: srv.URL + webhookPath, lk: lk}
}

// One store serves both paths, across a fleet: ITEM_ADD_RESULT delivered to one instance and
// redelivered to another, the same token posted from onSuccess to each, and read back by
// WaitForSession on each, all at once. The token is exchanged once, its Item saved once, and every
// webhook is answered 200 (after Plaid's redelivery, for one answered 503 while another delivery
// of it was being processed).
func TestWebhookAndOnSuccessShareOneStore(t *testing.T) {
	rs := redistest.Start(t)
	fake := linktest.NewServer()
	defer fake.Close()
	sink := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer sink.Close()
	db := &itemStore{}
	logs := &lockedBuffer{}
	fleet := []*instance{newInstance(t, fake, rs, db, logs), newInstance(t, fake, rs, db, logs)}
	ctx := testContext(t)

	tok, err := fake.Client().CreateToken(ctx, &link.TokenCreateRequest{
		ClientName:   "webhookserver test",
		Language:     link.LanguageEnglish,
		CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User:         &link.TokenCreateRequestUser{ClientUserID: "u-1"},
		Products:     []link.Product{link.ProductAuth},
		HostedLink:   &link.TokenCreateHostedLink{},
		Webhook:      sink.URL,
	})
	require.NoError(t, err)
	session, err := fake.CompleteSession(tok.LinkToken)
	require.NoError(t, err)
	var itemAdd []byte
	for _, d := range session.Webhooks {
		if d.Code == webhook.CodeItemAddResult {
			itemAdd = d.Body
		}
	}
	require.NotNil(t, itemAdd)
	read, err := fake.Client().WaitForSession(ctx, tok.LinkToken)
	require.NoError(t, err)
	require.Equal(t, link.SessionLinked, read.Outcome())
	require.Equal(t, []string{session.PublicToken}, read.PublicTokens())

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses []int
		results  []error
	)
	start := make(chan struct{})
	for _, in := range fleet {
		for range 2 {
			wg.Add(3)
			go func() { // Plaid's delivery, and its redelivery
				defer wg.Done()
				<-start
				status, err := postWebhook(ctx, in.url, itemAdd, fake.Signer().Sign(itemAdd))
				require.NoError(t, err)
				mu.Lock()
				statuses = append(statuses, status)
				mu.Unlock()
			}()
			go func() { // the front end's onSuccess
				defer wg.Done()
				<-start
				err := in.lk.exchange(ctx, session.LinkSessionID, session.PublicToken)
				mu.Lock()
				results = append(results, err)
				mu.Unlock()
			}()
			go func() { // WaitForSession's read of /link/token/get
				defer wg.Done()
				<-start
				err := in.lk.exchange(ctx, read.LinkSessionID, read.PublicTokens()[0])
				mu.Lock()
				results = append(results, err)
				mu.Unlock()
			}()
		}
	}
	close(start)
	wg.Wait()

	// A delivery that found another being processed got 503, and Plaid delivers it again later.
	for _, s := range statuses {
		for range 20 {
			if s != http.StatusServiceUnavailable {
				break
			}
			s, err = postWebhook(ctx, fleet[0].url, itemAdd, fake.Signer().Sign(itemAdd))
			require.NoError(t, err)
		}
		assert.Equal(t, http.StatusOK, s)
	}
	for _, err := range results {
		if err != nil {
			assert.ErrorIs(t, err, exchange.ErrAlreadyExchanged)
		}
	}
	items := fake.Items()
	require.Len(t, items, 1, "one exchange reached Plaid")
	assert.Equal(t, 1, db.len())
	saved, ok := db.accessToken(items[0].ItemID)
	assert.True(t, ok)
	assert.Equal(t, items[0].AccessToken, saved)
	assert.Len(t, exchangedLine.FindAllStringSubmatch(logs.String(), -1), 1, logs.String())
	assertNoSecrets(t, logs.String())
	assert.NotContains(t, logs.String(), items[0].AccessToken)
}

// What the handler answers for ITEM_ADD_RESULT, by what the exchange returned: 200 when the token
// is exchanged or done (retrying cannot help), 500 when nothing was spent, so that Plaid's
// redelivery exchanges it.
func TestItemAddResultAnswers(t *testing.T) {
	type setup struct {
		fake *linktest.Server
		lk   *linker
	}
	tests := []struct {
		name       string
		arrange    func(t *testing.T, s setup, publicToken string)
		want       int
		wantItems  int
		wantLog    string
		redelivery int // the answer to a redelivery
	}{
		{
			name:    "exchanged",
			arrange: func(*testing.T, setup, string) {},
			want:    http.StatusOK, wantItems: 1, wantLog: `msg="exchanged public token"`, redelivery: http.StatusOK,
		},
		{
			name: "already exchanged from onSuccess",
			arrange: func(t *testing.T, s setup, publicToken string) {
				require.NoError(t, s.lk.exchange(testContext(t), "s", publicToken))
			},
			want: http.StatusOK, wantItems: 1, wantLog: `msg="public token already exchanged"`, redelivery: http.StatusOK,
		},
		{
			name: "lost reply",
			arrange: func(_ *testing.T, s setup, _ string) {
				s.fake.LoseReplyNext(linktest.PathPublicTokenExchange, 1, http.StatusGatewayTimeout)
			},
			want: http.StatusOK, wantItems: 0, wantLog: `level=ERROR msg="public token exchange lost its reply; the user must link again"`, redelivery: http.StatusOK,
		},
		{
			name: "save fails",
			arrange: func(_ *testing.T, s setup, _ string) {
				s.lk.save = func(context.Context, *link.ItemPublicTokenExchangeResponse) error { return errors.New("database down") }
			},
			want: http.StatusOK, wantItems: 0, wantLog: `level=ERROR msg="access token kept aside: save failed"`, redelivery: http.StatusOK,
		},
		{
			name: "rate limited",
			arrange: func(_ *testing.T, s setup, _ string) {
				s.fake.FailNext(linktest.PathPublicTokenExchange, 1, http.StatusTooManyRequests, &link.Error{
					ErrorType: link.ErrorTypeRateLimitExceeded, ErrorCode: link.ErrorCodeRateLimit, ErrorMessage: "rate limit exceeded",
				})
			},
			want: http.StatusInternalServerError, wantItems: 0, wantLog: `level=WARN msg="public token not exchanged yet"`, redelivery: http.StatusOK,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := linktest.NewServer()
			defer fake.Close()
			logs := &lockedBuffer{}
			store := webhook.NewMemoryDeduper(0)
			lk := newLinker(fake.Client(link.WithMaxRetries(0)), store, newLogger(logs))
			h := newHandler(webhook.NewVerifier(fake.Client()), store, newLogger(logs), lk, nil)
			sink := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			defer sink.Close()
			session := completeSession(t, fake, sink.URL)
			body := session.Webhooks[0].Body
			require.Equal(t, webhook.CodeItemAddResult, session.Webhooks[0].Code)
			tt.arrange(t, setup{fake: fake, lk: lk}, session.PublicToken)

			post := func() int {
				req := httptest.NewRequest(http.MethodPost, webhookPath, bytes.NewReader(body))
				req.Header.Set(webhook.HeaderName, fake.Signer().Sign(body))
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec.Code
			}
			assert.Equal(t, tt.want, post())
			assert.Contains(t, logs.String(), tt.wantLog)
			assert.Equal(t, tt.wantItems, lk.items.len())
			assert.Equal(t, tt.redelivery, post(), "a redelivery")
			assertNoSecrets(t, logs.String())
			for _, it := range fake.Items() {
				assert.NotContains(t, logs.String(), it.AccessToken)
			}
		})
	}
}
