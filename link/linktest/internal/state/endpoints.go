package state

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/delivery"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/ids"
)

// CreateToken answers /link/token/create.
func (s *State) CreateToken(req *link.TokenCreateRequest, requestID string) (any, *Error) {
	if e := validateTokenCreate(req); e != nil {
		return nil, e
	}

	var updateTokens []string
	if req.AccessToken != "" {
		updateTokens = append(updateTokens, req.AccessToken)
	}
	for _, at := range req.AccessTokens {
		if !slices.Contains(updateTokens, at) {
			updateTokens = append(updateTokens, at)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	for _, at := range updateTokens {
		if _, ok := s.items.Get(at); !ok {
			return nil, errInvalidAccessToken()
		}
	}

	lifetime := LinkTokenLifetime
	if len(updateTokens) > 0 {
		lifetime = UpdateModeLinkTokenLifetime
	}
	if req.HostedLink != nil {
		// A Hosted Link token expires with its URL, as Plaid documents for
		// LinkTokenCreateResponse.expiration.
		lifetime = hostedLinkLifetime(req.HostedLink)
	}
	lt := &linkToken{
		token:        ids.LinkToken(),
		createdAt:    now,
		expiresAt:    now.Add(lifetime),
		webhook:      req.Webhook,
		userID:       req.UserID,
		updateTokens: updateTokens,
		multiItem:    req.EnableMultiItemLink != nil && *req.EnableMultiItemLink,
		accountSelection: len(updateTokens) > 0 && req.Update != nil &&
			req.Update.AccountSelectionEnabled != nil && *req.Update.AccountSelectionEnabled,
		metadata: link.TokenGetMetadataResponse{
			InitialProducts: slices.Clone(req.Products),
			Webhook:         req.Webhook,
			CountryCodes:    slices.Clone(req.CountryCodes),
			Language:        req.Language,
			InstitutionData: req.InstitutionData,
			AccountFilters:  accountFiltersResponse(req.AccountFilters),
			RedirectURI:     req.RedirectURI,
			ClientName:      req.ClientName,
		},
	}
	if lt.metadata.InitialProducts == nil {
		lt.metadata.InitialProducts = []link.Product{}
	}
	resp := &link.TokenCreateResponse{
		LinkToken:  lt.token,
		Expiration: lt.expiresAt,
		RequestID:  requestID,
		UserID:     req.UserID,
	}
	if req.HostedLink != nil {
		lt.hostedID = ids.UUID()
		lt.completionRedirectURI = req.HostedLink.CompletionRedirectURI
		resp.HostedLinkURL = s.hostedLinkURL(lt.hostedID)
	}
	s.putLinkTokenLocked(lt)
	return resp, nil
}

func accountFiltersResponse(f *link.TokenAccountFilters) *link.AccountFiltersResponse {
	if f == nil {
		return nil
	}
	return &link.AccountFiltersResponse{
		Depository: f.Depository,
		Credit:     f.Credit,
		Loan:       f.Loan,
		Investment: f.Investment,
	}
}

// GetToken answers /link/token/get.
func (s *State) GetToken(req *link.TokenGetRequest, requestID string) (any, *Error) {
	if req.LinkToken == "" {
		return nil, ErrMissingFields("link_token")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nowLocked()
	lt, ok := s.linkTokens.Get(req.LinkToken)
	if !ok {
		return nil, errInvalidLinkToken("invalid or has expired")
	}
	created, expires := lt.createdAt, lt.expiresAt
	resp := &wireTokenGetResponse{
		TokenGetResponse: link.TokenGetResponse{
			LinkToken:  lt.token,
			CreatedAt:  &created,
			Expiration: &expires,
			UserID:     lt.userID,
			RequestID:  requestID,
		},
		Metadata: wireTokenGetMetadata{
			TokenGetMetadataResponse: lt.metadata,
			Webhook:                  nullable(lt.metadata.Webhook),
			RedirectURI:              nullable(lt.metadata.RedirectURI),
			ClientName:               nullable(lt.metadata.ClientName),
		},
	}
	// Plaid returns complete event data only for the sessions that get the EVENTS webhook; the
	// other sessions come back without events.
	withEvents := s.linkDataFor(lt).events
	// Sessions are stored oldest first; Plaid lists the most recent first, and so its events
	// too, as in its sample.
	for i := len(lt.sessions) - 1; i >= 0; i-- {
		ls := lt.sessions[i]
		ls.Events = nil
		if withEvents {
			ls.Events = make([]link.Event, len(lt.sessions[i].Events))
			for j, ev := range lt.sessions[i].Events {
				ls.Events[len(ls.Events)-1-j] = ev
			}
		}
		resp.LinkSessions = append(resp.LinkSessions, ls)
	}
	return resp, nil
}

// wireTokenGetResponse is LinkTokenGetResponse as Plaid puts it on the wire; only its metadata
// differs from link.TokenGetResponse.
type wireTokenGetResponse struct {
	link.TokenGetResponse
	// Metadata shadows the embedded field of the same JSON name, which encoding/json then ignores.
	Metadata wireTokenGetMetadata `json:"metadata"`
}

// wireTokenGetMetadata is LinkTokenGetMetadataResponse as Plaid sends it: webhook, redirect_uri
// and client_name are JSON null when the token was created without them (Plaid's sample shows
// "redirect_uri": null), which link's plain strings cannot express. These fields shadow the
// embedded ones of the same JSON names; every other field is encoded from the embedded struct.
type wireTokenGetMetadata struct {
	link.TokenGetMetadataResponse
	Webhook     *string `json:"webhook"`
	RedirectURI *string `json:"redirect_uri"`
	ClientName  *string `json:"client_name"`
}

// ExchangePublicToken answers /item/public_token/exchange.
func (s *State) ExchangePublicToken(req *link.ItemPublicTokenExchangeRequest, requestID string) (any, *Error) {
	if req.PublicToken == "" {
		return nil, ErrMissingFields("public_token")
	}
	if !strings.HasPrefix(req.PublicToken, "public-") {
		return nil, errInvalidPublicToken("in an invalid format. expected format: public-<environment>-<identifier>")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	pt, ok := s.publicTokens.Get(req.PublicToken)
	switch {
	case !ok:
		return nil, errInvalidPublicToken("not a valid public token")
	case pt.exchanged:
		return nil, errInvalidPublicToken("already exchanged; a public token can be exchanged only once")
	case !now.Before(pt.expiresAt):
		return nil, errInvalidPublicToken("expired. Public tokens expire 30 minutes after creation at which point they can no longer be exchanged")
	}
	it := pt.item
	if it.accessToken == "" {
		it.accessToken = ids.AccessToken()
		s.items.Put(it.accessToken, it)
	} else if _, ok := s.items.Get(it.accessToken); !ok {
		// The Item this update-mode token repaired has since been forgotten.
		return nil, errInvalidPublicToken("for an Item that no longer exists")
	}
	pt.exchanged = true
	return &link.ItemPublicTokenExchangeResponse{
		AccessToken: it.accessToken,
		ItemID:      it.itemID,
		RequestID:   requestID,
	}, nil
}

// CreateSandboxPublicToken answers /sandbox/public_token/create.
func (s *State) CreateSandboxPublicToken(req *link.SandboxPublicTokenCreateRequest, requestID string) (any, *Error) {
	var missing []string
	if req.InstitutionID == "" {
		missing = append(missing, "institution_id")
	}
	if len(req.InitialProducts) == 0 {
		missing = append(missing, "initial_products")
	}
	if len(missing) > 0 {
		return nil, ErrMissingFields(missing...)
	}
	if e := checkProducts("initial_products", req.InitialProducts, false); e != nil {
		return nil, e
	}
	if e := checkEnums(req); e != nil {
		return nil, e
	}
	inst, ok := lookupInstitution(req.InstitutionID)
	if !ok {
		return nil, errInvalidInstitution(req.InstitutionID)
	}
	var webhook string
	if req.Options != nil {
		if e := checkURL("options.webhook", req.Options.Webhook, true); e != nil {
			return nil, e
		}
		webhook = req.Options.Webhook
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	it := newItem(inst, slices.Clone(req.InitialProducts), nil, webhook)
	pt := &publicToken{token: ids.PublicToken(), expiresAt: now.Add(PublicTokenLifetime), item: it}
	s.publicTokens.Put(pt.token, pt)
	return &link.SandboxPublicTokenCreateResponse{PublicToken: pt.token, RequestID: requestID}, nil
}

// newItem makes an Item at inst with the given accounts (the Sandbox defaults if none), giving
// each account an id if it has none. It gets its access token when its public token is exchanged.
func newItem(inst Institution, ps []link.Product, accounts []link.SessionSuccessMetadataAccount, webhook string) *item {
	if len(accounts) == 0 {
		accounts = defaultAccounts()
	} else {
		accounts = slices.Clone(accounts)
	}
	for i := range accounts {
		if accounts[i].ID == "" {
			accounts[i].ID = ids.AccountID()
		}
	}
	return &item{itemID: ids.ItemID(), institution: inst, products: ps, accounts: accounts, webhook: webhook}
}

// ResetLogin answers /sandbox/item/reset_login. "If the Item has a webhook, an
// ITEM_LOGIN_REQUIRED webhook will be fired" (Plaid's reference,
// https://plaid.com/docs/api/sandbox/#sandboxitemreset_login): the returned batch holds ITEM
// ERROR, for the caller to send before the reply like the session drivers' webhooks.
func (s *State) ResetLogin(req *link.SandboxItemResetLoginRequest, requestID string) (any, delivery.Batch, *Error) {
	if req.AccessToken == "" {
		return nil, delivery.Batch{}, ErrMissingFields("access_token")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	it, ok := s.items.Get(req.AccessToken)
	if !ok {
		return nil, delivery.Batch{}, errInvalidAccessToken()
	}
	var b delivery.Batch
	if hook, err := itemEventLocked(it, ItemWebhookError, now); err == nil {
		b = delivery.Batch{URL: it.webhook, Hooks: []delivery.Hook{hook}, Due: now}
	}
	return &link.SandboxItemResetLoginResponse{ResetLogin: true, RequestID: requestID}, b, nil
}

func (s *State) CreateSessionToken(req *link.SessionTokenCreateRequest, requestID string) (any, *Error) {
	var missing []string
	if req.TemplateID == "" {
		missing = append(missing, "template_id")
	}
	if req.User == nil && req.UserID == "" {
		missing = append(missing, "user")
	} else if req.User != nil && req.User.ClientUserID == "" && req.UserID == "" {
		missing = append(missing, "user.client_user_id")
	}
	if len(missing) > 0 {
		return nil, ErrMissingFields(missing...)
	}
	if e := checkURL("redirect_uri", req.RedirectURI, false); e != nil {
		return nil, e
	}
	if e := checkURL("webhook", req.Webhook, true); e != nil {
		return nil, e
	}
	if e := checkEnums(req); e != nil {
		return nil, e
	}
	userID := req.UserID
	if userID == "" && req.User != nil {
		userID = req.User.UserID
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	lt := &linkToken{
		token:     ids.LinkToken(),
		createdAt: now,
		expiresAt: now.Add(LinkTokenLifetime),
		webhook:   req.Webhook,
		userID:    userID,
		layer:     true,
		metadata: link.TokenGetMetadataResponse{
			InitialProducts: []link.Product{link.ProductLayer},
			Webhook:         req.Webhook,
			CountryCodes:    []link.CountryCode{link.CountryCodeUS},
			Language:        link.LanguageEnglish,
			RedirectURI:     req.RedirectURI,
		},
	}
	s.putLinkTokenLocked(lt)
	return &link.SessionTokenCreateResponse{
		RequestID: requestID,
		Link:      &link.SessionTokenCreateResponseLink{LinkToken: lt.token, Expiration: lt.expiresAt, UserID: userID},
	}, nil
}

// GetWebhookVerificationKey answers /webhook_verification_key/get with the signer's key.
func (s *State) GetWebhookVerificationKey(ctx context.Context, req *link.WebhookVerificationKeyGetRequest, requestID string) (any, *Error) {
	if req.KeyID == "" {
		return nil, ErrMissingFields("key_id")
	}
	resp, err := s.signer.GetWebhookVerificationKey(ctx, req)
	if err != nil {
		var perr *link.Error
		if errors.As(err, &perr) {
			e := *perr
			return nil, &Error{Status: http.StatusBadRequest, Err: &e}
		}
		// Anything but Plaid's refusal of the kid (the request's context ending mid-fetch) is the
		// server's failure, not a sign that the kid is wrong.
		return nil, ErrInternal()
	}
	out := *resp
	out.RequestID = requestID
	return &out, nil
}
