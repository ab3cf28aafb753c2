package funnel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/funnel"
	"github.com/plaidlink/plaidlink-go/link/linktest"
	"github.com/plaidlink/plaidlink-go/webhook"
)

// Add groups events from each of Plaid's three sources by session with no id passed beside them:
// onEvent metadata names the session, and GetToken and webhook.Parse fill it in. Each source alone
// gives the whole funnel, and all three together, with EVENTS sent three times for one session,
// give the same: the same session's events count once.
func TestAddTakesEventsFromEverySource(t *testing.T) {
	receiver := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer receiver.Close()
	srv := linktest.NewServer(linktest.WithLinkWebhooksForAllSessions())
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	req := &link.TokenCreateRequest{ClientName: "Wonderwallet", Language: link.LanguageEnglish,
		CountryCodes: []link.CountryCode{link.CountryCodeUS}, User: &link.TokenCreateRequestUser{ClientUserID: "u"},
		Products: []link.Product{link.ProductAuth}, Webhook: receiver.URL}
	linked, err := client.CreateToken(ctx, req)
	require.NoError(t, err)
	exited, err := client.CreateToken(ctx, req)
	require.NoError(t, err)
	done, err := srv.CompleteSession(linked.LinkToken, linktest.WithEventsWebhooks(3))
	require.NoError(t, err)
	require.NoError(t, done.WebhookErr())
	left, err := srv.ExitSession(exited.LinkToken, nil)
	require.NoError(t, err)
	require.NoError(t, left.WebhookErr())

	// The front end's onEvent view.
	onEvent := [][]link.Event{done.Events, left.Events}
	// /link/token/get, whose events carry their session's id once GetToken has read them.
	var tokenGet [][]link.Event
	for _, tok := range []string{linked.LinkToken, exited.LinkToken} {
		got, err := client.GetToken(ctx, &link.TokenGetRequest{LinkToken: tok})
		require.NoError(t, err)
		require.Len(t, got.LinkSessions, 1)
		require.NotEmpty(t, got.LinkSessions[0].Events)
		for _, e := range got.LinkSessions[0].Events {
			assert.Equal(t, got.LinkSessions[0].LinkSessionID, e.EventMetadata.LinkSessionID)
		}
		tokenGet = append(tokenGet, got.LinkSessions[0].Events)
	}
	// EVENTS webhooks, as the handler parses them: three for the linked session, each with the
	// events so far, and one for the exited session.
	var hooks [][]link.Event
	for _, d := range srv.Deliveries() {
		if d.Code != webhook.CodeEvents {
			continue
		}
		ev, err := webhook.Parse(d.Body)
		require.NoError(t, err)
		hooks = append(hooks, ev.(*webhook.Events).Events)
	}
	require.Len(t, hooks, 4)

	report := func(sources ...[][]link.Event) funnel.Report {
		f := funnel.New()
		for _, src := range sources {
			for _, events := range src {
				f.Add(events...)
			}
		}
		return f.Report()
	}
	r := report(onEvent, tokenGet, hooks)
	assert.Equal(t, 2, r.Sessions)
	assert.Equal(t, 1, r.HandedOff)
	assert.Equal(t, 1, r.Exited)
	assert.Zero(t, r.Unattributed)
	assert.Equal(t, link.EventNameOpen, r.Steps[0].Name)
	assert.Equal(t, 2, r.Steps[0].Sessions)
	assert.Equal(t, 1, r.Steps[len(r.Steps)-1].Sessions)
	for name, src := range map[string][][]link.Event{"onEvent": onEvent, "/link/token/get": tokenGet, "EVENTS webhooks": hooks} {
		assert.Equal(t, r, report(src), name)
	}
}

// The Plaid sample EVENTS webhook, parsed by webhook.Parse, goes into Add as it is, and a resent
// webhook with a subset of its events changes nothing.
func TestAddTakesParsedSampleWebhook(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "events_webhook.json"))
	require.NoError(t, err)
	ev, err := webhook.Parse(body)
	require.NoError(t, err)
	events := ev.(*webhook.Events).Events
	f := funnel.New()
	f.Add(events...)
	f.Add(events[:4]...)
	r := f.Report()
	assert.Equal(t, 1, r.Sessions)
	assert.Equal(t, 1, r.Exited)
	assert.Zero(t, r.Unattributed)
	assert.Equal(t, []funnel.Count{{Key: "ERROR", Sessions: 1}, {Key: "EXIT", Sessions: 1}, {Key: "SELECT_INSTITUTION", Sessions: 1},
		{Key: "SKIP_SUBMIT_PHONE", Sessions: 1}, {Key: "SUBMIT_CREDENTIALS", Sessions: 1}, {Key: "TRANSITION_VIEW", Sessions: 1}}, r.Events)
}
