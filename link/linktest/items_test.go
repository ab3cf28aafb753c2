package linktest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
	"github.com/plaidlink/plaidlink-go/webhook"
)

// itemReceiver is an Item's webhook endpoint as a backend builds it: webhook.NewHandler with a
// real Verifier (keys fetched from the server) and a deduper, so that a redelivery is processed
// once. fail answers the next n deliveries 503 before they reach the handler.
type itemReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	events []webhook.Event
	fail   int
}

func newItemReceiver(t *testing.T, s *linktest.Server) *itemReceiver {
	t.Helper()
	r := &itemReceiver{}
	h := webhook.NewHandler(webhook.NewVerifier(s.Client(), webhook.WithClock(s.Clock().Now)),
		func(_ context.Context, ev webhook.Event) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.events = append(r.events, ev)
			return nil
		}, webhook.WithDeduper(webhook.NewMemoryDeduper(0)))
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		failing := r.fail > 0
		if failing {
			r.fail--
		}
		r.mu.Unlock()
		if failing {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *itemReceiver) received() []webhook.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func (r *itemReceiver) failNext(n int) {
	r.mu.Lock()
	r.fail = n
	r.mu.Unlock()
}

// linkedItem links an Item through a standard Link session on a token whose webhook is url, and
// returns the request it used (the base of its update-mode tokens) and its access token.
func linkedItem(t *testing.T, s *linktest.Server, url string) (*link.TokenCreateRequest, *link.ItemPublicTokenExchangeResponse) {
	t.Helper()
	c := s.Client()
	req := tokenRequest()
	req.Webhook = url
	sess, err := s.CompleteSession(createToken(t, c, req).LinkToken)
	require.NoError(t, err)
	require.Empty(t, sess.Webhooks, "a standard session gets no LINK webhooks")
	ex, err := c.ExchangePublicToken(context.Background(), &link.ItemPublicTokenExchangeRequest{PublicToken: sess.PublicToken})
	require.NoError(t, err)
	return req, ex
}

// TestItemLoginRequiredRepairedThroughUpdateMode takes an Item from linked, to
// ITEM_LOGIN_REQUIRED (a verified ITEM ERROR webhook, redelivered like every webhook and processed
// once), to repaired through the app's update mode, with no LOGIN_REPAIRED sent.
func TestItemLoginRequiredRepairedThroughUpdateMode(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	rcv := newItemReceiver(t, s)
	base, ex := linkedItem(t, s, rcv.URL+"/plaid")
	ctx := context.Background()

	// The receiver is down for the first attempt: Plaid's schedule sends it again 30 s later.
	rcv.failNext(1)
	_, err := c.ResetSandboxItemLogin(ctx, &link.SandboxItemResetLoginRequest{AccessToken: ex.AccessToken})
	require.NoError(t, err)
	it, ok := s.Item(ex.AccessToken)
	require.True(t, ok)
	require.NotNil(t, it.Error)
	assert.Equal(t, link.ErrorCodeItemLoginRequired, it.Error.ErrorCode)

	ds := s.Deliveries()
	require.Len(t, ds, 1)
	assert.Equal(t, "ERROR", ds[0].Code)
	assert.Equal(t, rcv.URL+"/plaid", ds[0].URL)
	assert.Equal(t, http.StatusServiceUnavailable, ds[0].StatusCode)
	assert.NotEmpty(t, ds[0].Verification, "signed")
	assert.Equal(t, s.Clock().Now().Add(linktest.WebhookRetryFirstDelay), ds[0].NextAttempt)
	assert.Empty(t, rcv.received())

	s.Clock().Advance(linktest.WebhookRetryFirstDelay)
	got := rcv.received()
	require.Len(t, got, 1, "the retry was verified and handled")
	ie, ok := got[0].(*webhook.ItemError)
	require.True(t, ok, "got %T", got[0])
	assert.Equal(t, ex.ItemID, ie.Item())
	assert.Equal(t, "ITEM", ie.WebhookType)
	assert.Equal(t, "ERROR", ie.WebhookCode)
	assert.Equal(t, webhook.EnvironmentSandbox, ie.Environment)
	require.NotNil(t, ie.Error)
	assert.Equal(t, link.ErrorTypeItemError, ie.Error.ErrorType)
	assert.Equal(t, link.ErrorCodeItemLoginRequired, ie.Error.ErrorCode)
	require.NotNil(t, ie.Error.Status)
	assert.Equal(t, 400, *ie.Error.Status)
	assert.Equal(t, webhook.UserActionReauthenticate, webhook.UserActionFor(ie))

	// A replay of the same webhook is verified again and answered 200, but not processed twice.
	again, err := s.Redeliver(ds[0].ID)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, again.StatusCode)
	assert.Len(t, rcv.received(), 1)

	// The app sends the user through update mode, which repairs the Item.
	upd := createToken(t, c, link.UpdateModeTokenRequest(base, ex.AccessToken, false))
	sess, err := s.CompleteSession(upd.LinkToken)
	require.NoError(t, err)
	assert.Empty(t, sess.Webhooks)
	it, _ = s.Item(ex.AccessToken)
	assert.Nil(t, it.Error, "update mode repaired the Item")

	// Nothing else is ever sent: no LOGIN_REPAIRED, whose absence the app's own repair implies.
	s.Clock().Advance(linktest.WebhookRetryWindow + time.Hour)
	assert.Len(t, rcv.received(), 1)
	for _, d := range s.Deliveries() {
		assert.Equal(t, "ERROR", d.Code)
	}
}

func TestRepairItemOutsideAppSendsLoginRepaired(t *testing.T) {
	s := newServer(t)
	rcv := newItemReceiver(t, s)
	_, ex := linkedItem(t, s, rcv.URL)

	_, err := s.RepairItemOutsideApp(ex.AccessToken)
	require.ErrorContains(t, err, "not in ITEM_LOGIN_REQUIRED")
	assert.NotContains(t, err.Error(), ex.AccessToken)

	_, err = s.Client().ResetSandboxItemLogin(context.Background(), &link.SandboxItemResetLoginRequest{AccessToken: ex.AccessToken})
	require.NoError(t, err)
	d, err := s.RepairItemOutsideApp(ex.AccessToken)
	require.NoError(t, err)
	require.NoError(t, d.Err)
	assert.Equal(t, "LOGIN_REPAIRED", d.Code)

	it, _ := s.Item(ex.AccessToken)
	assert.Nil(t, it.Error)
	got := rcv.received()
	require.Len(t, got, 2)
	assert.IsType(t, &webhook.ItemError{}, got[0])
	lr, ok := got[1].(*webhook.LoginRepaired)
	require.True(t, ok, "got %T", got[1])
	assert.Equal(t, ex.ItemID, lr.ItemID)
	assert.Equal(t, webhook.UserActionNone, webhook.UserActionFor(lr))
}

// TestFireItemWebhook fires each ITEM webhook: each arrives verified as its own type, about the
// Item, and puts the Item in the state it reports.
func TestFireItemWebhook(t *testing.T) {
	s := newServer(t)
	rcv := newItemReceiver(t, s)
	_, ex := linkedItem(t, s, rcv.URL)
	before, _ := s.Item(ex.AccessToken)

	tests := []struct {
		code   string
		want   webhook.Event
		action webhook.UserAction
		check  func(t *testing.T, ev webhook.Event, it linktest.Item)
	}{
		{linktest.ItemWebhookError, &webhook.ItemError{}, webhook.UserActionReauthenticate, func(t *testing.T, ev webhook.Event, it linktest.Item) {
			require.NotNil(t, it.Error)
			assert.Equal(t, link.ErrorCodeItemLoginRequired, it.Error.ErrorCode)
		}},
		{linktest.ItemWebhookPendingExpiration, &webhook.PendingExpiration{}, webhook.UserActionRenewConsent, func(t *testing.T, ev webhook.Event, it linktest.Item) {
			want := s.Clock().Now().Add(linktest.PendingNotice)
			assert.True(t, ev.(*webhook.PendingExpiration).ConsentExpirationTime.Equal(want))
			assert.True(t, it.ConsentExpirationTime.Equal(want))
		}},
		{linktest.ItemWebhookPendingDisconnect, &webhook.PendingDisconnect{}, webhook.UserActionRenewConsent, func(t *testing.T, ev webhook.Event, it linktest.Item) {
			pd := ev.(*webhook.PendingDisconnect)
			assert.Equal(t, webhook.PendingDisconnectInstitutionTokenExpiration, pd.Reason)
			assert.True(t, pd.DisconnectTime.Equal(it.DisconnectTime))
			assert.False(t, it.DisconnectTime.IsZero())
		}},
		{linktest.ItemWebhookNewAccountsAvailable, &webhook.NewAccountsAvailable{}, webhook.UserActionChooseAccounts, func(t *testing.T, ev webhook.Event, it linktest.Item) {
			assert.Nil(t, ev.(*webhook.NewAccountsAvailable).Error)
			require.Len(t, it.NewAccounts, 1)
			assert.Equal(t, "2222", it.NewAccounts[0].Mask)
			assert.Equal(t, before.Accounts, it.Accounts, "not shared until the user selects it")
		}},
		{linktest.ItemWebhookLoginRepaired, &webhook.LoginRepaired{}, webhook.UserActionNone, func(t *testing.T, ev webhook.Event, it linktest.Item) {
			assert.Nil(t, it.Error)
		}},
		{linktest.ItemWebhookUserPermissionRevoked, &webhook.UserPermissionRevoked{}, webhook.UserActionNone, func(t *testing.T, ev webhook.Event, it linktest.Item) {
			upr := ev.(*webhook.UserPermissionRevoked)
			require.NotNil(t, upr.Error)
			assert.Equal(t, link.ErrorCodeUserPermissionRevoked, upr.Error.ErrorCode)
			require.NotNil(t, it.Error)
			assert.Equal(t, link.ErrorCodeUserPermissionRevoked, it.Error.ErrorCode)
		}},
		{linktest.ItemWebhookUserAccountRevoked, &webhook.UserAccountRevoked{}, webhook.UserActionNone, func(t *testing.T, ev webhook.Event, it linktest.Item) {
			assert.Equal(t, it.Accounts[0].ID, ev.(*webhook.UserAccountRevoked).AccountID)
		}},
		{linktest.ItemWebhookWebhookUpdateAcknowledged, &webhook.WebhookUpdateAcknowledged{}, webhook.UserActionNone, func(t *testing.T, ev webhook.Event, it linktest.Item) {
			assert.Equal(t, rcv.URL, ev.(*webhook.WebhookUpdateAcknowledged).NewWebhookURL)
		}},
	}
	for i, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			d, err := s.FireItemWebhook(ex.AccessToken, tc.code)
			require.NoError(t, err)
			require.NoError(t, d.Err)
			assert.Equal(t, tc.code, d.Code)
			got := rcv.received()
			require.Len(t, got, i+1)
			ev := got[i]
			require.IsType(t, tc.want, ev)
			ie, ok := ev.(webhook.ItemEvent)
			require.True(t, ok)
			assert.Equal(t, ex.ItemID, ie.Item())
			assert.Equal(t, tc.action, webhook.UserActionFor(ev))
			it, _ := s.Item(ex.AccessToken)
			tc.check(t, ev, it)
		})
	}
}

func TestFireItemWebhookRefuses(t *testing.T) {
	s := newServer(t)
	rcv := newItemReceiver(t, s)
	_, ex := linkedItem(t, s, rcv.URL)

	_, err := s.FireItemWebhook(ex.AccessToken, "DEFAULT_UPDATE")
	require.ErrorContains(t, err, `"DEFAULT_UPDATE" is not an ITEM webhook code`)

	_, err = s.FireItemWebhook("access-sandbox-not-an-item", linktest.ItemWebhookError)
	require.ErrorContains(t, err, "no Item has this access token")
	assert.NotContains(t, err.Error(), "access-sandbox-not-an-item", "an access token is never put in an error")

	// An Item made without a webhook has nowhere to send one.
	_, silent := linkedItem(t, s, "")
	_, err = s.FireItemWebhook(silent.AccessToken, linktest.ItemWebhookError)
	require.ErrorContains(t, err, "no webhook URL")
	// reset_login still works without one, and sends nothing.
	_, err = s.Client().ResetSandboxItemLogin(context.Background(), &link.SandboxItemResetLoginRequest{AccessToken: silent.AccessToken})
	require.NoError(t, err)
	assert.Empty(t, s.Deliveries())
}

func TestNewAccountsSharedThroughUpdateModeWithAccountSelection(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	rcv := newItemReceiver(t, s)
	base, ex := linkedItem(t, s, rcv.URL)
	before, _ := s.Item(ex.AccessToken)
	require.Len(t, before.Accounts, 2)

	_, err := s.FireItemWebhook(ex.AccessToken, linktest.ItemWebhookNewAccountsAvailable)
	require.NoError(t, err)
	action := webhook.UserActionFor(rcv.received()[0])
	require.True(t, action.AccountSelection())

	// Update mode without account selection leaves the accounts as they are.
	_, err = s.CompleteSession(createToken(t, c, link.UpdateModeTokenRequest(base, ex.AccessToken, false)).LinkToken)
	require.NoError(t, err)
	it, _ := s.Item(ex.AccessToken)
	assert.Equal(t, before.Accounts, it.Accounts)
	require.Len(t, it.NewAccounts, 1)
	found := it.NewAccounts[0]

	// With it, the user keeps the checking account and adds the new one.
	tok := createToken(t, c, link.UpdateModeTokenRequest(base, ex.AccessToken, action.AccountSelection()))
	_, err = s.CompleteSession(tok.LinkToken, linktest.WithAccounts(
		link.SessionSuccessMetadataAccount{Mask: "0000"}, link.SessionSuccessMetadataAccount{ID: found.ID}))
	require.NoError(t, err)
	it, _ = s.Item(ex.AccessToken)
	assert.Equal(t, []link.SessionSuccessMetadataAccount{before.Accounts[0], found}, it.Accounts)
	assert.Empty(t, it.NewAccounts)

	// Selecting an account the Item does not have is the test's mistake.
	tok = createToken(t, c, link.UpdateModeTokenRequest(base, ex.AccessToken, true))
	_, err = s.CompleteSession(tok.LinkToken, linktest.WithAccounts(link.SessionSuccessMetadataAccount{Mask: "9999"}))
	require.ErrorContains(t, err, `mask "9999"`)
	it2, _ := s.Item(ex.AccessToken)
	assert.Equal(t, it.Accounts, it2.Accounts, "a refused selection changes nothing")
}

func TestNewAccountsSelectedByDefault(t *testing.T) {
	s := newServer(t)
	rcv := newItemReceiver(t, s)
	base, ex := linkedItem(t, s, rcv.URL)
	_, err := s.FireItemWebhook(ex.AccessToken, linktest.ItemWebhookNewAccountsAvailable)
	require.NoError(t, err)
	before, _ := s.Item(ex.AccessToken)

	res, err := s.CompleteSession(createToken(t, s.Client(), link.UpdateModeTokenRequest(base, ex.AccessToken, true)).LinkToken)
	require.NoError(t, err)
	it, _ := s.Item(ex.AccessToken)
	assert.Equal(t, append(slices.Clone(before.Accounts), before.NewAccounts...), it.Accounts)
	assert.Equal(t, it.Accounts, res.Accounts, "the session reports the accounts selected")
}

func TestPendingExpirationRenewedThroughUpdateMode(t *testing.T) {
	s := newServer(t)
	rcv := newItemReceiver(t, s)
	base, ex := linkedItem(t, s, rcv.URL)

	_, err := s.FireItemWebhook(ex.AccessToken, linktest.ItemWebhookPendingExpiration)
	require.NoError(t, err)
	_, err = s.FireItemWebhook(ex.AccessToken, linktest.ItemWebhookPendingDisconnect)
	require.NoError(t, err)
	it, _ := s.Item(ex.AccessToken)
	expiring := it.ConsentExpirationTime
	require.False(t, expiring.IsZero())
	require.False(t, it.DisconnectTime.IsZero())

	s.Clock().Advance(24 * time.Hour)
	started := s.Clock().Now()
	_, err = s.CompleteSession(createToken(t, s.Client(), link.UpdateModeTokenRequest(base, ex.AccessToken, false)).LinkToken)
	require.NoError(t, err)
	it, _ = s.Item(ex.AccessToken)
	assert.True(t, it.ConsentExpirationTime.Equal(started.Add(linktest.ConsentRenewal)), "renewed: %v", it.ConsentExpirationTime)
	assert.True(t, it.ConsentExpirationTime.After(expiring))
	assert.True(t, it.DisconnectTime.IsZero(), "the disconnection is called off")
}

// TestTokenCreateRefusesWhatPlaidRefuses posts requests link.Client would send (or, for update
// mode, refuse itself) straight to the server.
func TestTokenCreateRefusesWhatPlaidRefuses(t *testing.T) {
	s := newServer(t)
	base := func(edit func(m map[string]any)) map[string]any {
		m := map[string]any{
			"client_name": "Wonderwallet", "language": "en", "country_codes": []string{"US"},
			"user": map[string]any{"client_user_id": "user-1"}, "products": []string{"transactions"},
		}
		edit(m)
		return m
	}
	tests := []struct {
		name string
		edit func(m map[string]any)
		code link.ErrorCode
		msg  string
	}{
		{"appearance_mode", func(m map[string]any) { m["appearance_mode"] = "NEON" }, link.ErrorCodeInvalidField,
			`appearance_mode must be one of [LIGHT, DARK, SYSTEM], got "NEON"`},
		{"consumer_report_permissible_purpose", func(m map[string]any) { m["consumer_report_permissible_purpose"] = "CURIOSITY" },
			link.ErrorCodeInvalidField, `consumer_report_permissible_purpose must be one of [ACCOUNT_REVIEW_CREDIT,`},
		{"a nested enum", func(m map[string]any) {
			m["user"] = map[string]any{"client_user_id": "user-1", "id_number": map[string]any{"value": "1", "type": "us_nope"}}
		}, link.ErrorCodeInvalidField, `user.id_number.type must be one of [`},
		{"an enum in a list", func(m map[string]any) {
			m["account_filters"] = map[string]any{"depository": map[string]any{"account_subtypes": []string{"checking", "piggy bank"}}}
		}, link.ErrorCodeInvalidField, `account_filters.depository.account_subtypes[1] must be one of [`},
		{"institution_id", func(m map[string]any) { m["institution_id"] = "ins_nope" }, link.ErrorCodeInvalidInstitution,
			`invalid institution_id provided`},
		{"update mode with products", func(m map[string]any) { m["access_token"] = "access-sandbox-x" }, link.ErrorCodeInvalidField,
			`products must be omitted when launching Link in update mode`},
		{"a bad date", func(m map[string]any) {
			m["user"] = map[string]any{"client_user_id": "user-1", "date_of_birth": "1990-02-30"}
		}, link.ErrorCodeInvalidField, `invalid date "1990-02-30"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := rawPost(t, s, linktest.PathTokenCreate, base(tc.edit))
			require.Equal(t, http.StatusBadRequest, r.status, "body: %v", r.body)
			assert.Equal(t, string(tc.code), r.body["error_code"])
			msg, _ := r.body["error_message"].(string)
			assert.Contains(t, msg, tc.msg)
			for _, prefix := range []string{"link:", "json:", "linktest:"} {
				assert.False(t, strings.HasPrefix(msg, prefix), "a Go package prefix in %q", msg)
			}
		})
	}

	// What Plaid accepts still passes: a known enum value, a known institution, update mode adding
	// a credit product (the access token is then what is wrong).
	for name, edit := range map[string]func(m map[string]any){
		"LIGHT":       func(m map[string]any) { m["appearance_mode"] = "LIGHT" },
		"institution": func(m map[string]any) { m["institution_id"] = linktest.DefaultInstitutionID },
		"credit":      func(m map[string]any) { m["access_token"] = "access-sandbox-x"; m["products"] = []string{"statements"} },
	} {
		r := rawPost(t, s, linktest.PathTokenCreate, base(edit))
		if name == "credit" {
			assert.Equal(t, string(link.ErrorCodeInvalidAccessToken), r.body["error_code"], name)
			continue
		}
		assert.Equal(t, http.StatusOK, r.status, "%s: %v", name, r.body)
	}
}

// TestSandboxAndSessionTokensRefuseMadeUpEnums: the other endpoints with enum fields refuse a
// value Plaid does not list too.
func TestSandboxAndSessionTokensRefuseMadeUpEnums(t *testing.T) {
	s := newServer(t)
	r := rawPost(t, s, linktest.PathSandboxPublicTokenCreate, map[string]any{
		"institution_id": linktest.DefaultInstitutionID, "initial_products": []string{"income_verification"},
		"options": map[string]any{"income_verification": map[string]any{"income_source_types": []string{"bank", "lottery"}}},
	})
	requirePlaidErrorBody(t, r, http.StatusBadRequest, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField)
	assert.Equal(t, `options.income_verification.income_source_types[1] must be one of [bank, payroll], got "lottery"`, r.body["error_message"])

	r = rawPost(t, s, linktest.PathSandboxPublicTokenCreate, map[string]any{
		"institution_id": linktest.DefaultInstitutionID, "initial_products": []string{"income_verification"},
		"options": map[string]any{"income_verification": map[string]any{"income_source_types": []string{"bank"}}},
	})
	assert.Equal(t, http.StatusOK, r.status, "%v", r.body)
}
