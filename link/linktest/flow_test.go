package linktest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
)

const uuidPattern = `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`

func TestFullFlow(t *testing.T) {
	start := time.Date(2024, 7, 29, 20, 22, 21, 0, time.UTC)
	s := newServer(t, linktest.WithClock(linktest.NewClock(start)))
	c := s.Client()
	ctx := context.Background()

	// A webhook URL nobody listens on: the session still completes and says why delivery failed.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	req := tokenRequest()
	req.Webhook = dead.URL + "/plaid-webhook"
	req.RedirectURI = "https://example.com/oauth.html"
	req.AccountFilters = &link.TokenAccountFilters{
		Depository: &link.DepositoryFilter{AccountSubtypes: []link.DepositoryAccountSubtype{"checking", "savings"}},
	}
	tok := createToken(t, c, req)
	assert.Regexp(t, `^link-sandbox-`+uuidPattern+`$`, tok.LinkToken)
	assert.Equal(t, start.Add(4*time.Hour), tok.Expiration)
	assert.Regexp(t, `^[A-Za-z0-9]{15}$`, tok.RequestID)
	assert.Empty(t, tok.HostedLinkURL)

	// Before any session, GetToken echoes the create call.
	got, err := c.GetToken(ctx, &link.TokenGetRequest{LinkToken: tok.LinkToken})
	require.NoError(t, err)
	assert.Equal(t, tok.LinkToken, got.LinkToken)
	require.NotNil(t, got.CreatedAt)
	require.NotNil(t, got.Expiration)
	assert.Equal(t, start, *got.CreatedAt)
	assert.Equal(t, start.Add(4*time.Hour), *got.Expiration)
	assert.Empty(t, got.LinkSessions)
	assert.Equal(t, link.TokenGetMetadataResponse{
		InitialProducts: []link.Product{link.ProductTransactions},
		Webhook:         dead.URL + "/plaid-webhook",
		CountryCodes:    []link.CountryCode{link.CountryCodeUS},
		Language:        link.LanguageEnglish,
		AccountFilters: &link.AccountFiltersResponse{
			Depository: &link.DepositoryFilter{AccountSubtypes: []link.DepositoryAccountSubtype{"checking", "savings"}},
		},
		RedirectURI: "https://example.com/oauth.html",
		ClientName:  "Wonderwallet",
	}, got.Metadata)

	s.Clock().Advance(time.Minute)
	sess, err := s.CompleteSession(tok.LinkToken)
	require.NoError(t, err)
	assert.Regexp(t, `^`+uuidPattern+`$`, sess.LinkSessionID)
	assert.Regexp(t, `^public-sandbox-`+uuidPattern+`$`, sess.PublicToken)
	assert.Equal(t, []string{sess.PublicToken}, sess.PublicTokens)
	assert.Equal(t, linktest.DefaultInstitutionID, sess.InstitutionID)
	require.Len(t, sess.Accounts, 2)
	assert.Equal(t, "Plaid Checking", sess.Accounts[0].Name)
	assert.Equal(t, "savings", sess.Accounts[1].Subtype)
	assert.Regexp(t, `^[A-Za-z0-9]{37}$`, sess.Accounts[0].ID)
	assert.Empty(t, sess.Webhooks, "Plaid sends a standard session no webhook")
	assert.Empty(t, s.Deliveries())
	require.Len(t, sess.Events, 9)
	assert.Equal(t, link.EventNameHandoff, sess.Events[8].EventName)

	got, err = c.GetToken(ctx, &link.TokenGetRequest{LinkToken: tok.LinkToken})
	require.NoError(t, err)
	require.Len(t, got.LinkSessions, 1)
	ls := got.LinkSessions[0]
	sessionAt := start.Add(time.Minute)
	assert.Equal(t, sess.LinkSessionID, ls.LinkSessionID)
	assert.Equal(t, sessionAt, ls.StartedAt)
	assert.Equal(t, sessionAt.Add(9*linktest.EventInterval), ls.FinishedAt, "one EventInterval per event")
	assert.Equal(t, ls.FinishedAt, s.Clock().Now(), "the session moved the clock")
	assert.Nil(t, ls.Exit)
	assert.Empty(t, ls.Events, "no events in /link/token/get for a standard session without the enablement")

	require.NotNil(t, ls.Results)
	require.Len(t, ls.Results.ItemAddResults, 1)
	add := ls.Results.ItemAddResults[0]
	assert.Equal(t, sess.PublicToken, add.PublicToken)
	assert.Equal(t, sess.Accounts, add.Accounts)
	assert.Equal(t, &link.SessionSuccessMetadataInstitution{Name: "First Platypus Bank", InstitutionID: "ins_109508"}, add.Institution)
	require.NotNil(t, ls.OnSuccess)
	assert.Equal(t, sess.PublicToken, ls.OnSuccess.PublicToken)
	assert.Equal(t, sess.LinkSessionID, ls.OnSuccess.Metadata.LinkSessionID)

	exch, err := c.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: sess.PublicToken})
	require.NoError(t, err)
	assert.Regexp(t, `^access-sandbox-`+uuidPattern+`$`, exch.AccessToken)
	assert.Regexp(t, `^[A-Za-z0-9]{37}$`, exch.ItemID)

	it, ok := s.Item(exch.AccessToken)
	require.True(t, ok)
	assert.Equal(t, exch.ItemID, it.ItemID)
	assert.Equal(t, linktest.DefaultInstitutionID, it.InstitutionID)
	assert.Equal(t, []link.Product{link.ProductTransactions}, it.Products)
	assert.Equal(t, sess.Accounts, it.Accounts)
	assert.Nil(t, it.Error)

	_, err = c.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: sess.PublicToken})
	perr := plaidErr(t, err)
	assert.Equal(t, link.ErrorCodeInvalidPublicToken, perr.ErrorCode)
	assert.Equal(t, link.ErrorTypeInvalidInput, perr.ErrorType)
	assert.Equal(t, http.StatusBadRequest, perr.HTTPStatus)
	assert.Contains(t, perr.ErrorMessage, "already exchanged")
}

func TestCompleteSessionOptions(t *testing.T) {
	s := newServer(t)
	tok := createToken(t, s.Client(), tokenRequest())

	acct := link.SessionSuccessMetadataAccount{Name: "Plaid Credit Card", Mask: "3333", Type: link.AccountTypeCredit, Subtype: "credit card"}
	sess, err := s.CompleteSession(tok.LinkToken, linktest.WithInstitution("ins_109511"), linktest.WithAccounts(acct))
	require.NoError(t, err)
	assert.Equal(t, "ins_109511", sess.InstitutionID)
	require.Len(t, sess.Accounts, 1)
	assert.NotEmpty(t, sess.Accounts[0].ID)
	acct.ID = sess.Accounts[0].ID
	assert.Equal(t, acct, sess.Accounts[0])
	assert.Empty(t, sess.Webhooks, "no webhook URL, no deliveries")
	assert.NoError(t, sess.WebhookErr())

	_, err = s.CompleteSession(tok.LinkToken, linktest.WithInstitution("ins_nope"))
	perr := plaidErr(t, err)
	assert.Equal(t, link.ErrorCodeInvalidInstitution, perr.ErrorCode)

	_, err = s.CompleteSession("link-sandbox-unknown")
	assert.Equal(t, link.ErrorCodeInvalidLinkToken, plaidErr(t, err).ErrorCode)

	// Sessions are listed most recent first.
	second, err := s.CompleteSession(tok.LinkToken)
	require.NoError(t, err)
	got, err := s.Client().GetToken(context.Background(), &link.TokenGetRequest{LinkToken: tok.LinkToken})
	require.NoError(t, err)
	require.Len(t, got.LinkSessions, 2)
	assert.Equal(t, second.LinkSessionID, got.LinkSessions[0].LinkSessionID)
	assert.Equal(t, sess.LinkSessionID, got.LinkSessions[1].LinkSessionID)
}

func TestLinkTokenExpiry(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	ctx := context.Background()

	tok := createToken(t, c, tokenRequest())
	assert.Equal(t, s.Clock().Now().Add(linktest.LinkTokenLifetime), tok.Expiration)

	s.Clock().Advance(4*time.Hour - time.Second)
	_, err := s.CompleteSession(tok.LinkToken)
	require.NoError(t, err, "still valid one second before expiry")

	s.Clock().Advance(time.Second)
	_, err = s.CompleteSession(tok.LinkToken)
	perr := plaidErr(t, err)
	assert.Equal(t, link.ErrorTypeInvalidInput, perr.ErrorType)
	assert.Equal(t, link.ErrorCodeInvalidLinkToken, perr.ErrorCode)
	assert.Contains(t, perr.ErrorMessage, "expired")

	// Session data stays readable for a while after expiry, then the token is forgotten.
	got, err := c.GetToken(ctx, &link.TokenGetRequest{LinkToken: tok.LinkToken})
	require.NoError(t, err)
	assert.Len(t, got.LinkSessions, 1)
	s.Clock().Advance(linktest.LinkTokenRetention)
	_, err = c.GetToken(ctx, &link.TokenGetRequest{LinkToken: tok.LinkToken})
	perr = plaidErr(t, err)
	assert.Equal(t, link.ErrorCodeInvalidLinkToken, perr.ErrorCode)
	assert.Equal(t, http.StatusBadRequest, perr.HTTPStatus)
}

func TestPublicTokenExpiry(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	ctx := context.Background()
	tok := createToken(t, c, tokenRequest())

	// A public token is made when the session ends, which is where the clock is afterwards.
	early, err := s.CompleteSession(tok.LinkToken)
	require.NoError(t, err)
	s.Clock().Advance(30*time.Minute - time.Second)
	_, err = c.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: early.PublicToken})
	require.NoError(t, err)

	late, err := s.CompleteSession(tok.LinkToken)
	require.NoError(t, err)
	s.Clock().Advance(30 * time.Minute)
	_, err = c.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: late.PublicToken})
	perr := plaidErr(t, err)
	assert.Equal(t, link.ErrorTypeInvalidInput, perr.ErrorType)
	assert.Equal(t, link.ErrorCodeInvalidPublicToken, perr.ErrorCode)
	assert.Contains(t, perr.ErrorMessage, "expired")
}

func TestExitSession(t *testing.T) {
	s := newServer(t, linktest.WithLinkWebhooksForAllSessions())
	c := s.Client()
	tok := createToken(t, c, tokenRequest())

	credErr := &link.Error{
		ErrorType:      link.ErrorTypeItemError,
		ErrorCode:      link.ErrorCodeInvalidCredentials,
		ErrorMessage:   "the provided credentials were not correct",
		DisplayMessage: "The provided credentials were not correct. Please try again.",
	}
	res, err := s.ExitSession(tok.LinkToken, credErr, linktest.WithInstitution("ins_109509"))
	require.NoError(t, err)
	assert.Empty(t, res.PublicToken)
	assert.Empty(t, res.PublicTokens)
	assert.Equal(t, "ins_109509", res.InstitutionID)

	got, err := c.GetToken(context.Background(), &link.TokenGetRequest{LinkToken: tok.LinkToken})
	require.NoError(t, err)
	require.Len(t, got.LinkSessions, 1)
	ls := got.LinkSessions[0]
	assert.Equal(t, res.LinkSessionID, ls.LinkSessionID)
	assert.Nil(t, ls.OnSuccess)
	assert.Nil(t, ls.Results)
	require.NotNil(t, ls.Exit)
	require.NotNil(t, ls.Exit.Error)
	assert.Equal(t, link.ErrorTypeItemError, ls.Exit.Error.ErrorType)
	assert.Equal(t, link.ErrorCodeInvalidCredentials, ls.Exit.Error.ErrorCode)
	assert.Equal(t, "The provided credentials were not correct. Please try again.", ls.Exit.Error.DisplayMessage)
	require.NotNil(t, ls.Exit.Metadata)
	assert.Equal(t, link.ExitStatusRequiresCredentials, ls.Exit.Metadata.Status)
	assert.Equal(t, res.LinkSessionID, ls.Exit.Metadata.LinkSessionID)
	assert.Equal(t, &link.SessionExitMetadataInstitution{Name: "First Gingham Credit Union", InstitutionID: "ins_109509"}, ls.Exit.Metadata.Institution)

	// /link/token/get lists events newest first; the result has them oldest first.
	assert.Equal(t, res.Events, reversed(ls.Events))
	assert.Equal(t, []string{"OPEN", "TRANSITION_VIEW:CONSENT", "TRANSITION_VIEW:SELECT_INSTITUTION",
		"SELECT_INSTITUTION", "TRANSITION_VIEW:CREDENTIAL", "SUBMIT_CREDENTIALS", "ERROR",
		"TRANSITION_VIEW:ERROR", "EXIT"}, eventNames(res.Events))
	errEv, exitEv := res.Events[6], res.Events[8]
	assert.Equal(t, string(link.ErrorCodeInvalidCredentials), errEv.EventMetadata.ErrorCode)
	assert.Equal(t, link.ErrorTypeItemError, errEv.EventMetadata.ErrorType)
	assert.Equal(t, "the provided credentials were not correct", errEv.EventMetadata.ErrorMessage)
	assert.Equal(t, "ins_109509", errEv.EventMetadata.InstitutionID)
	assert.Equal(t, link.ExitStatusRequiresCredentials, exitEv.EventMetadata.ExitStatus)
	assert.Equal(t, string(link.ErrorCodeInvalidCredentials), exitEv.EventMetadata.ErrorCode)
	assert.Equal(t, ls.Exit.Metadata.RequestID, exitEv.EventMetadata.RequestID)
	assert.Equal(t, ls.Exit.Error.RequestID, errEv.EventMetadata.RequestID)

	// The caller's error is copied, not kept.
	credErr.ErrorCode = "CHANGED"
	got, err = c.GetToken(context.Background(), &link.TokenGetRequest{LinkToken: tok.LinkToken})
	require.NoError(t, err)
	assert.Equal(t, link.ErrorCodeInvalidCredentials, got.LinkSessions[0].Exit.Error.ErrorCode)
}

func TestExitSessionWithoutError(t *testing.T) {
	s := newServer(t, linktest.WithLinkWebhooksForAllSessions())
	tok := createToken(t, s.Client(), tokenRequest())
	_, err := s.ExitSession(tok.LinkToken, nil, linktest.WithExitStatus(link.ExitStatusInstitutionNotFound))
	require.NoError(t, err)

	got, err := s.Client().GetToken(context.Background(), &link.TokenGetRequest{LinkToken: tok.LinkToken})
	require.NoError(t, err)
	ls := got.LinkSessions[0]
	require.NotNil(t, ls.Exit)
	assert.Nil(t, ls.Exit.Error)
	assert.Equal(t, link.ExitStatusInstitutionNotFound, ls.Exit.Metadata.Status)
	require.Len(t, ls.Events, 6)
	assert.Equal(t, link.EventNameExit, ls.Events[0].EventName, "newest first")
	assert.Equal(t, link.ExitStatusInstitutionNotFound, ls.Events[0].EventMetadata.ExitStatus)
	assert.Empty(t, ls.Events[0].EventMetadata.ErrorCode)

	_, err = s.ExitSession("link-sandbox-unknown", nil)
	assert.Equal(t, link.ErrorCodeInvalidLinkToken, plaidErr(t, err).ErrorCode)
}

func TestSandboxResetLoginAndUpdateMode(t *testing.T) {
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	s := newServer(t, linktest.WithClock(linktest.NewClock(start)), linktest.WithLinkWebhooksForAllSessions())
	c := s.Client()
	ctx := context.Background()

	pub, err := c.CreateSandboxPublicToken(ctx, &link.SandboxPublicTokenCreateRequest{
		InstitutionID:   "ins_109510",
		InitialProducts: []link.Product{link.ProductAuth, link.ProductIdentity},
		Options:         &link.SandboxPublicTokenCreateRequestOptions{Webhook: "https://example.com/items"},
	})
	require.NoError(t, err)
	assert.Regexp(t, `^public-sandbox-`+uuidPattern+`$`, pub.PublicToken)
	exch, err := c.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: pub.PublicToken})
	require.NoError(t, err)

	it, ok := s.Item(exch.AccessToken)
	require.True(t, ok)
	assert.Equal(t, "ins_109510", it.InstitutionID)
	assert.Equal(t, []link.Product{link.ProductAuth, link.ProductIdentity}, it.Products)
	assert.Equal(t, "https://example.com/items", it.Webhook)
	assert.Len(t, it.Accounts, 2)
	assert.Nil(t, it.Error)

	reset, err := c.ResetSandboxItemLogin(ctx, &link.SandboxItemResetLoginRequest{AccessToken: exch.AccessToken})
	require.NoError(t, err)
	assert.True(t, reset.ResetLogin)
	assert.Regexp(t, `^[A-Za-z0-9]{15}$`, reset.RequestID)
	it, _ = s.Item(exch.AccessToken)
	require.NotNil(t, it.Error)
	assert.Equal(t, link.ErrorTypeItemError, it.Error.ErrorType)
	assert.Equal(t, link.ErrorCodeItemLoginRequired, it.Error.ErrorCode)

	// Update mode: access_token set, no products; the token lives 30 minutes.
	req := tokenRequest()
	req.Products = nil
	req.AccessToken = exch.AccessToken
	tok := createToken(t, c, req)
	assert.Equal(t, start.Add(30*time.Minute), tok.Expiration)

	sess, err := s.CompleteSession(tok.LinkToken, linktest.WithInstitution("ins_109508"))
	require.NoError(t, err)
	assert.Equal(t, "ins_109510", sess.InstitutionID, "update mode keeps the Item's institution")
	assert.Equal(t, it.Accounts, sess.Accounts)
	it, _ = s.Item(exch.AccessToken)
	assert.Nil(t, it.Error, "the update session repairs the Item")

	got, err := c.GetToken(ctx, &link.TokenGetRequest{LinkToken: tok.LinkToken})
	require.NoError(t, err)
	require.Len(t, got.LinkSessions, 1)
	assert.Equal(t, []string{"OPEN", "TRANSITION_VIEW:CREDENTIAL", "SUBMIT_CREDENTIALS", "TRANSITION_VIEW:LOADING",
		"TRANSITION_VIEW:CONNECTED", "HANDOFF"}, eventNames(reversed(got.LinkSessions[0].Events)),
		"update mode opens on the Item's institution")
	assert.Equal(t, sess.PublicToken, got.LinkSessions[0].Results.ItemAddResults[0].PublicToken)
	assert.Empty(t, got.Metadata.InitialProducts)

	// Exchanging the update-mode public token is unnecessary but harmless: same Item, same token.
	again, err := c.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: sess.PublicToken})
	require.NoError(t, err)
	assert.Equal(t, exch.AccessToken, again.AccessToken)
	assert.Equal(t, exch.ItemID, again.ItemID)

	// An update-mode link token expires after 30 minutes.
	tok2 := createToken(t, c, req)
	s.Clock().Advance(30 * time.Minute)
	_, err = s.CompleteSession(tok2.LinkToken)
	assert.Equal(t, link.ErrorCodeInvalidLinkToken, plaidErr(t, err).ErrorCode)
}

func TestHostedLink(t *testing.T) {
	s := newServer(t)
	req := tokenRequest()
	req.HostedLink = &link.TokenCreateHostedLink{URLLifetimeSeconds: link.Ptr(600)}
	tok := createToken(t, s.Client(), req)
	require.True(t, strings.HasPrefix(tok.HostedLinkURL, s.URL+"/hl/"), tok.HostedLinkURL)
	assert.Equal(t, s.Clock().Now().Add(10*time.Minute), tok.Expiration, "a Hosted Link token expires with its URL")

	resp, err := http.Get(tok.HostedLinkURL)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	s.Clock().Advance(10 * time.Minute)
	resp, err = http.Get(tok.HostedLinkURL)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusGone, resp.StatusCode)
}

// A Hosted Link token expires with its URL: after 30 minutes by default (Plaid's default for a
// URL not sent by Link Delivery), after the delivery method's default, or after
// url_lifetime_seconds up to 21 days.
func TestHostedLinkLifetime(t *testing.T) {
	s := newServer(t)
	c := s.Client()

	tests := []struct {
		name   string
		hosted *link.TokenCreateHostedLink
		update bool
		want   time.Duration
	}{
		{"default", &link.TokenCreateHostedLink{}, false, 30 * time.Minute},
		{"default in update mode", &link.TokenCreateHostedLink{}, true, 30 * time.Minute},
		{"delivered by email", &link.TokenCreateHostedLink{DeliveryMethod: link.HostedLinkDeliveryMethodEmail}, false, 7 * 24 * time.Hour},
		{"delivered by SMS", &link.TokenCreateHostedLink{DeliveryMethod: link.HostedLinkDeliveryMethodSMS}, false, 24 * time.Hour},
		{"one second", &link.TokenCreateHostedLink{URLLifetimeSeconds: link.Ptr(1)}, false, time.Second},
		{"the 21-day maximum", &link.TokenCreateHostedLink{URLLifetimeSeconds: link.Ptr(21 * 24 * 60 * 60)}, false, 21 * 24 * time.Hour},
		{"set lifetime beats the delivery default", &link.TokenCreateHostedLink{
			DeliveryMethod: link.HostedLinkDeliveryMethodEmail, URLLifetimeSeconds: link.Ptr(3600)}, false, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tokenRequest()
			req.HostedLink = tt.hosted
			if tt.update {
				pub, err := c.CreateSandboxPublicToken(context.Background(), &link.SandboxPublicTokenCreateRequest{
					InstitutionID: linktest.DefaultInstitutionID, InitialProducts: []link.Product{link.ProductAuth}})
				require.NoError(t, err)
				exch, err := c.ExchangePublicToken(context.Background(), &link.ItemPublicTokenExchangeRequest{PublicToken: pub.PublicToken})
				require.NoError(t, err)
				req.Products, req.AccessToken = nil, exch.AccessToken
			}
			tok := createToken(t, c, req)
			assert.Equal(t, s.Clock().Now().Add(tt.want), tok.Expiration)
			got, err := c.GetToken(context.Background(), &link.TokenGetRequest{LinkToken: tok.LinkToken})
			require.NoError(t, err)
			assert.Equal(t, tok.Expiration, *got.Expiration)
		})
	}
	assert.Equal(t, 30*time.Minute, linktest.HostedLinkURLLifetime)
	assert.Equal(t, 21*24*time.Hour, linktest.MaxHostedLinkURLLifetime)

	// The default token really is unusable after 30 minutes, not 4 hours.
	req := tokenRequest()
	req.HostedLink = &link.TokenCreateHostedLink{}
	tok := createToken(t, c, req)
	s.Clock().Advance(30 * time.Minute)
	_, err := s.CompleteSession(tok.LinkToken)
	assert.Equal(t, link.ErrorCodeInvalidLinkToken, plaidErr(t, err).ErrorCode)
}

// A session links an institution that serves one of the link token's country_codes, as real Link
// lists only those.
func TestSessionInstitutionFollowsCountryCodes(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	token := func(ccs ...link.CountryCode) string {
		req := tokenRequest()
		req.CountryCodes = ccs
		return createToken(t, c, req).LinkToken
	}

	t.Run("US gets the default institution", func(t *testing.T) {
		sess, err := s.CompleteSession(token(link.CountryCodeUS))
		require.NoError(t, err)
		assert.Equal(t, linktest.DefaultInstitutionID, sess.InstitutionID)
	})
	t.Run("CA gets the default institution", func(t *testing.T) {
		sess, err := s.CompleteSession(token(link.CountryCodeCA))
		require.NoError(t, err)
		assert.Equal(t, linktest.DefaultInstitutionID, sess.InstitutionID)
	})
	t.Run("GB gets a GB institution", func(t *testing.T) {
		sess, err := s.CompleteSession(token(link.CountryCodeGB))
		require.NoError(t, err)
		assert.Equal(t, "ins_116834", sess.InstitutionID)
		exch, err := c.ExchangePublicToken(context.Background(), &link.ItemPublicTokenExchangeRequest{PublicToken: sess.PublicToken})
		require.NoError(t, err)
		it, ok := s.Item(exch.AccessToken)
		require.True(t, ok)
		assert.Equal(t, "ins_116834", it.InstitutionID)
	})
	t.Run("GB token may pick another GB institution", func(t *testing.T) {
		sess, err := s.CompleteSession(token(link.CountryCodeGB), linktest.WithInstitution("ins_117650"))
		require.NoError(t, err)
		assert.Equal(t, "ins_117650", sess.InstitutionID)
	})
	t.Run("GB and US token may pick a US institution", func(t *testing.T) {
		sess, err := s.CompleteSession(token(link.CountryCodeGB, link.CountryCodeUS), linktest.WithInstitution("ins_127287"))
		require.NoError(t, err)
		assert.Equal(t, "ins_127287", sess.InstitutionID)
	})
	t.Run("GB token refuses a US institution", func(t *testing.T) {
		lt := token(link.CountryCodeGB)
		_, err := s.CompleteSession(lt, linktest.WithInstitution(linktest.DefaultInstitutionID))
		perr := plaidErr(t, err)
		assert.Equal(t, link.ErrorTypeInvalidInput, perr.ErrorType)
		assert.Equal(t, link.ErrorCodeInvalidInstitution, perr.ErrorCode)
		assert.Equal(t, "invalid institution_id provided: ins_109508 (First Platypus Bank) serves [US, CA], none of the link token's country_codes [GB]", perr.ErrorMessage)

		_, err = s.ExitSession(lt, nil, linktest.WithInstitution(linktest.DefaultInstitutionID))
		assert.Equal(t, link.ErrorCodeInvalidInstitution, plaidErr(t, err).ErrorCode)
		got, err := c.GetToken(context.Background(), &link.TokenGetRequest{LinkToken: lt})
		require.NoError(t, err)
		assert.Empty(t, got.LinkSessions, "a refused session is not recorded")
	})
	t.Run("no institution serves FR", func(t *testing.T) {
		_, err := s.CompleteSession(token(link.CountryCodeFR))
		perr := plaidErr(t, err)
		assert.Equal(t, link.ErrorCodeInvalidInstitution, perr.ErrorCode)
		assert.Contains(t, perr.ErrorMessage, "country_codes [FR]")
	})
}

func TestSessionToken(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	ctx := context.Background()

	resp, err := c.CreateSessionToken(ctx, &link.SessionTokenCreateRequest{
		TemplateID: "template_4uinBNe4B2x9",
		User:       &link.SessionTokenCreateRequestUser{ClientUserID: "user-1"},
		Webhook:    "https://example.com/hook",
	})
	require.NoError(t, err)
	require.NotNil(t, resp.Link)
	assert.Regexp(t, `^link-sandbox-`+uuidPattern+`$`, resp.Link.LinkToken)
	assert.Equal(t, s.Clock().Now().Add(4*time.Hour), resp.Link.Expiration)
	assert.Regexp(t, `^[A-Za-z0-9]{15}$`, resp.RequestID)

	// The session token is a link token: Link sessions run on it and show in GetToken.
	sess, err := s.CompleteSession(resp.Link.LinkToken)
	require.NoError(t, err)
	got, err := c.GetToken(ctx, &link.TokenGetRequest{LinkToken: resp.Link.LinkToken})
	require.NoError(t, err)
	assert.Equal(t, "https://example.com/hook", got.Metadata.Webhook)
	assert.Equal(t, []link.Product{link.ProductLayer}, got.Metadata.InitialProducts)
	require.Len(t, got.LinkSessions, 1)
	assert.Equal(t, sess.LinkSessionID, got.LinkSessions[0].LinkSessionID)

	resp, err = c.CreateSessionToken(ctx, &link.SessionTokenCreateRequest{TemplateID: "t", UserID: "usr_9"})
	require.NoError(t, err)
	assert.Equal(t, "usr_9", resp.Link.UserID)
}

func TestClientOptionsOverride(t *testing.T) {
	s := newServer(t)
	_, err := s.NewClient(link.WithMaxRetries(-1))
	assert.Error(t, err, "an invalid option is reported, not hidden")
	assert.Panics(t, func() { s.Client(link.WithMaxRetries(-1)) })
	assert.NotNil(t, s.Client(link.WithMaxRetries(3)))
}
