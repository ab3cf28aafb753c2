package linktest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
)

// TestCreateTokenValidationThroughClient covers the checks link.Client leaves to the server: the
// reply must reach the caller as a *link.Error with Plaid's type, code and status.
func TestCreateTokenValidationThroughClient(t *testing.T) {
	s := newServer(t)
	c := s.Client()

	tests := []struct {
		name     string
		mutate   func(r *link.TokenCreateRequest)
		errType  link.ErrorType
		code     link.ErrorCode
		inMesage string
	}{
		{"unknown language", func(r *link.TokenCreateRequest) { r.Language = "xx" },
			link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField, "language"},
		{"unknown country code", func(r *link.TokenCreateRequest) {
			r.CountryCodes = []link.CountryCode{link.CountryCodeUS, "ZZ"}
		}, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField, "country_codes"},
		{"no products", func(r *link.TokenCreateRequest) { r.Products = nil },
			link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField, "products"},
		{"only optional products", func(r *link.TokenCreateRequest) {
			r.Products = nil
			r.OptionalProducts = []link.Product{link.ProductIdentity}
		}, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField, "products"},
		{"products and optional_products overlap", func(r *link.TokenCreateRequest) {
			r.OptionalProducts = []link.Product{link.ProductTransactions}
		}, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField, "optional_products"},
		{"required_if_supported and additional_consented overlap", func(r *link.TokenCreateRequest) {
			r.RequiredIfSupportedProducts = []link.Product{link.ProductIdentity}
			r.AdditionalConsentedProducts = []link.Product{link.ProductIdentity}
		}, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField, "additional_consented_products"},
		{"products and required_if_supported overlap", func(r *link.TokenCreateRequest) {
			r.RequiredIfSupportedProducts = []link.Product{link.ProductTransactions}
		}, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField, "required_if_supported_products"},
		{"unknown product", func(r *link.TokenCreateRequest) {
			r.Products = []link.Product{"teleportation"}
		}, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField, "teleportation"},
		{"balance in products", func(r *link.TokenCreateRequest) {
			r.Products = []link.Product{link.ProductBalance}
		}, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField, "balance"},
		{"redirect_uri with a query", func(r *link.TokenCreateRequest) {
			r.RedirectURI = "https://example.com/oauth?state=1"
		}, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField, "redirect_uri"},
		{"redirect_uri not a URL", func(r *link.TokenCreateRequest) { r.RedirectURI = "not a url" },
			link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField, "redirect_uri"},
		{"webhook not a URL", func(r *link.TokenCreateRequest) { r.Webhook = "ftp://example.com/hook" },
			link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField, "webhook"},
		{"hosted link lifetime zero", func(r *link.TokenCreateRequest) {
			r.HostedLink = &link.TokenCreateHostedLink{URLLifetimeSeconds: link.Ptr(0)}
		}, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField, "hosted_link.url_lifetime_seconds must be positive"},
		{"hosted link lifetime negative", func(r *link.TokenCreateRequest) {
			r.HostedLink = &link.TokenCreateHostedLink{URLLifetimeSeconds: link.Ptr(-60)}
		}, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField, "hosted_link.url_lifetime_seconds must be positive"},
		{"hosted link lifetime over 21 days", func(r *link.TokenCreateRequest) {
			r.HostedLink = &link.TokenCreateHostedLink{URLLifetimeSeconds: link.Ptr(21*24*60*60 + 1)}
		}, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField, "hosted_link.url_lifetime_seconds cannot be longer than 21 days (1814400 seconds)"},
		{"hosted link lifetime that would overflow a Duration", func(r *link.TokenCreateRequest) {
			r.HostedLink = &link.TokenCreateHostedLink{URLLifetimeSeconds: link.Ptr(9223372037)}
		}, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField, "cannot be longer than 21 days"},
		{"hosted link unknown delivery_method", func(r *link.TokenCreateRequest) {
			r.HostedLink = &link.TokenCreateHostedLink{DeliveryMethod: "carrier-pigeon"}
		}, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField, `hosted_link.delivery_method "carrier-pigeon"`},
		{"update mode with an unknown access_token", func(r *link.TokenCreateRequest) {
			r.Products = nil
			r.AccessToken = "access-sandbox-00000000-0000-4000-8000-000000000000"
		}, link.ErrorTypeInvalidInput, link.ErrorCodeInvalidAccessToken, "access token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tokenRequest()
			tt.mutate(req)
			resp, err := c.CreateToken(context.Background(), req)
			assert.Nil(t, resp)
			perr := plaidErr(t, err)
			assert.Equal(t, tt.errType, perr.ErrorType)
			assert.Equal(t, tt.code, perr.ErrorCode)
			assert.Equal(t, http.StatusBadRequest, perr.HTTPStatus)
			assert.Contains(t, perr.ErrorMessage, tt.inMesage)
			assert.Empty(t, perr.DisplayMessage)
			assert.Regexp(t, `^[A-Za-z0-9]{15}$`, perr.RequestID)
		})
	}
}

// Plaid accepts a client_name over its 30-character limit (Link then shows "This Application"), so
// the fake must too, and echo it back whole, however many bytes its characters take.
func TestCreateTokenLongClientNameAccepted(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	for _, name := range []string{
		strings.Repeat("x", 31),
		strings.Repeat("é", 30), // 30 characters, 60 bytes
		"Wonderwallet Personal Finance & Budgeting for Families",
	} {
		req := tokenRequest()
		req.ClientName = name
		tok := createToken(t, c, req)
		got, err := c.GetToken(context.Background(), &link.TokenGetRequest{LinkToken: tok.LinkToken})
		require.NoError(t, err)
		assert.Equal(t, name, got.Metadata.ClientName)
	}
}

// An overflowing url_lifetime_seconds sent as raw JSON is refused, not turned into an expiration
// centuries away.
func TestHostedLinkLifetimeOverflowRaw(t *testing.T) {
	s := newServer(t)
	body := map[string]any{"client_name": "App", "language": "en", "country_codes": []string{"US"},
		"products": []string{"auth"}, "user": map[string]any{"client_user_id": "u"},
		"hosted_link": map[string]any{"url_lifetime_seconds": 9223372037}}
	r := rawPost(t, s, linktest.PathTokenCreate, body)
	requirePlaidErrorBody(t, r, http.StatusBadRequest, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField)
	assert.Equal(t, "hosted_link.url_lifetime_seconds cannot be longer than 21 days (1814400 seconds)", r.body["error_message"])
	assert.NotContains(t, r.body, "expiration")
}

// TestCreateTokenMissingFields posts raw JSON, because link.Client refuses these requests itself.
func TestCreateTokenMissingFields(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name    string
		body    map[string]any
		missing string
	}{
		{"everything", map[string]any{"products": []string{"auth"}, "user": map[string]any{"client_user_id": "u"}},
			"client_name, language, country_codes"},
		{"client_name", map[string]any{"language": "en", "country_codes": []string{"US"},
			"products": []string{"auth"}, "user": map[string]any{"client_user_id": "u"}}, "client_name"},
		{"language", map[string]any{"client_name": "App", "country_codes": []string{"US"},
			"products": []string{"auth"}, "user": map[string]any{"client_user_id": "u"}}, "language"},
		{"country_codes empty", map[string]any{"client_name": "App", "language": "en", "country_codes": []string{},
			"products": []string{"auth"}, "user": map[string]any{"client_user_id": "u"}}, "country_codes"},
		{"user and user_id", map[string]any{"client_name": "App", "language": "en", "country_codes": []string{"US"},
			"products": []string{"auth"}}, "user"},
		{"user.client_user_id", map[string]any{"client_name": "App", "language": "en", "country_codes": []string{"US"},
			"products": []string{"auth"}, "user": map[string]any{}}, "user.client_user_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rawPost(t, s, linktest.PathTokenCreate, tt.body)
			requirePlaidErrorBody(t, r, http.StatusBadRequest, link.ErrorTypeInvalidRequest, link.ErrorCodeMissingFields)
			assert.Equal(t, "the following required fields are missing: "+tt.missing, r.body["error_message"])
		})
	}

	t.Run("user_id instead of user is enough", func(t *testing.T) {
		r := rawPost(t, s, linktest.PathTokenCreate, map[string]any{"client_name": "App", "language": "en",
			"country_codes": []string{"US"}, "products": []string{"auth"}, "user_id": "usr_123"})
		require.Equal(t, http.StatusOK, r.status, "body: %v", r.body)
		assert.Equal(t, "usr_123", r.body["user_id"])
	})
}

func TestOtherMissingFields(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		path    string
		body    map[string]any
		missing string
	}{
		{linktest.PathTokenGet, map[string]any{}, "link_token"},
		{linktest.PathPublicTokenExchange, map[string]any{}, "public_token"},
		{linktest.PathSandboxPublicTokenCreate, map[string]any{"institution_id": "ins_109508"}, "initial_products"},
		{linktest.PathSandboxPublicTokenCreate, map[string]any{}, "institution_id, initial_products"},
		{linktest.PathSandboxItemResetLogin, map[string]any{}, "access_token"},
		{linktest.PathSessionTokenCreate, map[string]any{"user": map[string]any{"client_user_id": "u"}}, "template_id"},
		{linktest.PathSessionTokenCreate, map[string]any{"template_id": "tmpl_1"}, "user"},
		{linktest.PathWebhookVerificationKey, map[string]any{}, "key_id"},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.missing, func(t *testing.T) {
			r := rawPost(t, s, tt.path, tt.body)
			requirePlaidErrorBody(t, r, http.StatusBadRequest, link.ErrorTypeInvalidRequest, link.ErrorCodeMissingFields)
			assert.Equal(t, "the following required fields are missing: "+tt.missing, r.body["error_message"])
		})
	}
}

func TestCredentials(t *testing.T) {
	s := newServer(t)

	t.Run("wrong secret through the client", func(t *testing.T) {
		c, err := link.NewClient(s.ClientID(), "wrong-secret", link.WithBaseURL(s.URL), link.WithMaxRetries(0))
		require.NoError(t, err)
		_, err = c.CreateToken(context.Background(), tokenRequest())
		perr := plaidErr(t, err)
		assert.Equal(t, link.ErrorTypeInvalidInput, perr.ErrorType)
		assert.Equal(t, link.ErrorCodeInvalidAPIKeys, perr.ErrorCode)
		assert.Equal(t, http.StatusBadRequest, perr.HTTPStatus)
		assert.Equal(t, "invalid client_id or secret provided", perr.ErrorMessage)
	})

	t.Run("wrong client id in headers", func(t *testing.T) {
		r := rawDo(t, s, http.MethodPost, linktest.PathTokenGet, map[string]any{"link_token": "x"},
			map[string]string{"PLAID-CLIENT-ID": "someone-else", "PLAID-SECRET": s.Secret()})
		requirePlaidErrorBody(t, r, http.StatusBadRequest, link.ErrorTypeInvalidInput, link.ErrorCodeInvalidAPIKeys)
	})

	t.Run("none at all", func(t *testing.T) {
		r := rawDo(t, s, http.MethodPost, linktest.PathTokenGet, map[string]any{"link_token": "x"}, nil)
		requirePlaidErrorBody(t, r, http.StatusBadRequest, link.ErrorTypeInvalidRequest, link.ErrorCodeMissingFields)
		assert.Equal(t, "the following required fields are missing: client_id, secret", r.body["error_message"])
	})

	t.Run("in the body", func(t *testing.T) {
		body := map[string]any{"client_id": s.ClientID(), "secret": s.Secret(), "client_name": "App",
			"language": "en", "country_codes": []string{"US"}, "products": []string{"auth"},
			"user": map[string]any{"client_user_id": "u"}}
		r := rawDo(t, s, http.MethodPost, linktest.PathTokenCreate, body, nil)
		require.Equal(t, http.StatusOK, r.status, "body: %v", r.body)
		assert.Regexp(t, `^link-sandbox-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, r.body["link_token"])
	})

	t.Run("custom credentials", func(t *testing.T) {
		s2 := newServer(t, linktest.WithCredentials("my-id", "my-secret"))
		assert.Equal(t, "my-id", s2.ClientID())
		_, err := s2.Client().CreateToken(context.Background(), tokenRequest())
		require.NoError(t, err)
		c, err := link.NewClient(linktest.ClientID, linktest.Secret, link.WithBaseURL(s2.URL), link.WithMaxRetries(0))
		require.NoError(t, err)
		_, err = c.CreateToken(context.Background(), tokenRequest())
		assert.Equal(t, link.ErrorCodeInvalidAPIKeys, plaidErr(t, err).ErrorCode)
	})
}

func TestMalformedRequests(t *testing.T) {
	s := newServer(t)

	t.Run("not JSON", func(t *testing.T) {
		r := rawPost(t, s, linktest.PathTokenCreate, `{"client_name": `)
		requirePlaidErrorBody(t, r, http.StatusBadRequest, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidBody)
	})
	t.Run("empty body", func(t *testing.T) {
		r := rawPost(t, s, linktest.PathTokenGet, ``)
		requirePlaidErrorBody(t, r, http.StatusBadRequest, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidBody)
	})
	t.Run("not an object", func(t *testing.T) {
		r := rawPost(t, s, linktest.PathTokenGet, `["link_token"]`)
		requirePlaidErrorBody(t, r, http.StatusBadRequest, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidBody)
	})
	t.Run("field of the wrong type", func(t *testing.T) {
		r := rawPost(t, s, linktest.PathTokenCreate, `{"client_name": "App", "language": "en", "country_codes": "US"}`)
		requirePlaidErrorBody(t, r, http.StatusBadRequest, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField)
		assert.Contains(t, r.body["error_message"], "country_codes must be a JSON array")
	})
	t.Run("integer field given an out-of-range number", func(t *testing.T) {
		r := rawPost(t, s, linktest.PathTokenCreate, `{"client_name": "App", "language": "en", "hosted_link": {"url_lifetime_seconds": 1e30}}`)
		requirePlaidErrorBody(t, r, http.StatusBadRequest, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField)
		assert.Equal(t, "hosted_link.url_lifetime_seconds is out of range, got 1e30", r.body["error_message"])
	})
	t.Run("integer field given a fraction", func(t *testing.T) {
		r := rawPost(t, s, linktest.PathTokenCreate, `{"client_name": "App", "language": "en", "hosted_link": {"url_lifetime_seconds": 1.5}}`)
		requirePlaidErrorBody(t, r, http.StatusBadRequest, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField)
		assert.Equal(t, "hosted_link.url_lifetime_seconds must be a whole number, got 1.5", r.body["error_message"])
	})
	t.Run("unknown path", func(t *testing.T) {
		r := rawPost(t, s, "/item/get", map[string]any{"access_token": "x"})
		requirePlaidErrorBody(t, r, http.StatusNotFound, link.ErrorTypeInvalidRequest, link.ErrorCodeNotFound)
	})
	t.Run("wrong method", func(t *testing.T) {
		r := rawDo(t, s, http.MethodGet, linktest.PathTokenCreate, nil, nil)
		requirePlaidErrorBody(t, r, http.StatusNotFound, link.ErrorTypeInvalidRequest, link.ErrorCodeNotFound)
	})
	t.Run("error body has Plaid's fields", func(t *testing.T) {
		r := rawPost(t, s, linktest.PathTokenGet, map[string]any{"link_token": "link-sandbox-nope"})
		requirePlaidErrorBody(t, r, http.StatusBadRequest, link.ErrorTypeInvalidInput, link.ErrorCodeInvalidLinkToken)
		for _, k := range []string{"error_code_reason", "suggested_action"} {
			v, ok := r.body[k]
			assert.True(t, ok, k)
			assert.Nil(t, v, k)
		}
		assert.Equal(t, "https://plaid.com/docs/errors/invalid-input/#invalid_link_token", r.body["documentation_url"])
	})
}

func TestTokenAndItemErrorsThroughClient(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	ctx := context.Background()

	tests := []struct {
		name    string
		call    func() error
		errType link.ErrorType
		code    link.ErrorCode
	}{
		{"GetToken unknown link token", func() error {
			_, err := c.GetToken(ctx, &link.TokenGetRequest{LinkToken: "link-sandbox-00000000-0000-4000-8000-000000000000"})
			return err
		}, link.ErrorTypeInvalidInput, link.ErrorCodeInvalidLinkToken},
		{"exchange unknown public token", func() error {
			_, err := c.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: "public-sandbox-00000000-0000-4000-8000-000000000000"})
			return err
		}, link.ErrorTypeInvalidInput, link.ErrorCodeInvalidPublicToken},
		{"exchange malformed public token", func() error {
			_, err := c.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: "garbage"})
			return err
		}, link.ErrorTypeInvalidInput, link.ErrorCodeInvalidPublicToken},
		{"sandbox unknown institution", func() error {
			_, err := c.CreateSandboxPublicToken(ctx, &link.SandboxPublicTokenCreateRequest{
				InstitutionID: "ins_999999", InitialProducts: []link.Product{link.ProductAuth}})
			return err
		}, link.ErrorTypeInvalidInput, link.ErrorCodeInvalidInstitution},
		{"sandbox unknown product", func() error {
			_, err := c.CreateSandboxPublicToken(ctx, &link.SandboxPublicTokenCreateRequest{
				InstitutionID: linktest.DefaultInstitutionID, InitialProducts: []link.Product{"nope"}})
			return err
		}, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField},
		{"reset login unknown access token", func() error {
			_, err := c.ResetSandboxItemLogin(ctx, &link.SandboxItemResetLoginRequest{AccessToken: "access-sandbox-nope"})
			return err
		}, link.ErrorTypeInvalidInput, link.ErrorCodeInvalidAccessToken},
		{"session token redirect_uri with a query", func() error {
			_, err := c.CreateSessionToken(ctx, &link.SessionTokenCreateRequest{TemplateID: "tmpl_1",
				User: &link.SessionTokenCreateRequestUser{ClientUserID: "u"}, RedirectURI: "https://example.com/cb?x=1"})
			return err
		}, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidField},
		{"unknown webhook key id", func() error {
			_, err := c.GetWebhookVerificationKey(ctx, &link.WebhookVerificationKeyGetRequest{KeyID: "not-a-kid"})
			return err
		}, link.ErrorTypeInvalidInput, link.ErrorCodeInvalidWebhookVerificationKeyID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			perr := plaidErr(t, tt.call())
			assert.Equal(t, tt.errType, perr.ErrorType)
			assert.Equal(t, tt.code, perr.ErrorCode)
			assert.Equal(t, http.StatusBadRequest, perr.HTTPStatus)
			assert.Regexp(t, `^[A-Za-z0-9]{15}$`, perr.RequestID)
		})
	}
}

// Plaid refuses a body field it does not know with INVALID_REQUEST / UNKNOWN_FIELDS, at any depth,
// but takes client_id and secret in any body.
func TestUnknownFields(t *testing.T) {
	s := newServer(t)
	valid := func() map[string]any {
		return map[string]any{"client_name": "App", "language": "en", "country_codes": []string{"US"},
			"products": []string{"auth"}, "user": map[string]any{"client_user_id": "u"}}
	}

	t.Run("top level", func(t *testing.T) {
		r := rawPost(t, s, linktest.PathTokenGet, map[string]any{"link_token": "link-sandbox-x", "include_secrets": true})
		requirePlaidErrorBody(t, r, http.StatusBadRequest, link.ErrorTypeInvalidRequest, link.ErrorCodeUnknownFields)
		assert.Equal(t, "the following fields are not recognized by this endpoint: include_secrets", r.body["error_message"])
	})
	t.Run("nested", func(t *testing.T) {
		body := valid()
		body["user"] = map[string]any{"client_user_id": "u", "nickname": "Al"}
		r := rawPost(t, s, linktest.PathTokenCreate, body)
		requirePlaidErrorBody(t, r, http.StatusBadRequest, link.ErrorTypeInvalidRequest, link.ErrorCodeUnknownFields)
		assert.Equal(t, "the following fields are not recognized by this endpoint: nickname", r.body["error_message"])
	})
	t.Run("misspelled field", func(t *testing.T) {
		r := rawPost(t, s, linktest.PathPublicTokenExchange, map[string]any{"publicToken": "public-sandbox-x"})
		requirePlaidErrorBody(t, r, http.StatusBadRequest, link.ErrorTypeInvalidRequest, link.ErrorCodeUnknownFields)
		assert.Contains(t, r.body["error_message"], "publicToken")
	})
	t.Run("credentials in the body beside headers", func(t *testing.T) {
		body := valid()
		body["client_id"], body["secret"] = s.ClientID(), s.Secret()
		r := rawPost(t, s, linktest.PathTokenCreate, body)
		require.Equal(t, http.StatusOK, r.status, "body: %v", r.body)
	})
	t.Run("credentials in the body do not hide an unknown field", func(t *testing.T) {
		body := valid()
		body["client_id"], body["secret"], body["colour"] = s.ClientID(), s.Secret(), "blue"
		r := rawDo(t, s, http.MethodPost, linktest.PathTokenCreate, body, nil)
		requirePlaidErrorBody(t, r, http.StatusBadRequest, link.ErrorTypeInvalidRequest, link.ErrorCodeUnknownFields)
		assert.Equal(t, "the following fields are not recognized by this endpoint: colour", r.body["error_message"])
	})
	t.Run("every field link.Client sends is known", func(t *testing.T) {
		req := tokenRequest()
		req.Webhook = "https://example.com/hook"
		req.RedirectURI = "https://example.com/oauth"
		req.HostedLink = &link.TokenCreateHostedLink{URLLifetimeSeconds: link.Ptr(600), IsMobileApp: link.Ptr(false)}
		req.AccountFilters = &link.TokenAccountFilters{}
		_, err := s.Client().CreateToken(context.Background(), req)
		require.NoError(t, err)
	})
}

// A body over 64 KiB is refused with 413 and a PlaidError body before it is decoded; one under it
// is served.
func TestRequestBodyLimit(t *testing.T) {
	s := newServer(t)
	body := func(nameLen int) map[string]any {
		return map[string]any{"client_name": strings.Repeat("n", nameLen), "language": "en", "country_codes": []string{"US"},
			"products": []string{"auth"}, "user": map[string]any{"client_user_id": "u"}}
	}
	assert.Equal(t, 64<<10, linktest.MaxRequestBodyBytes)

	r := rawPost(t, s, linktest.PathTokenCreate, body(linktest.MaxRequestBodyBytes-1024))
	require.Equal(t, http.StatusOK, r.status, "a body just under the limit is served")

	r = rawPost(t, s, linktest.PathTokenCreate, body(linktest.MaxRequestBodyBytes))
	requirePlaidErrorBody(t, r, http.StatusRequestEntityTooLarge, link.ErrorTypeInvalidRequest, link.ErrorCodeInvalidBody)
	assert.Equal(t, "request body is larger than 65536 bytes", r.body["error_message"])
}

// /link/token/get sends JSON null, as Plaid does, for the nullable metadata the token was created
// without, and the strings it was created with.
func TestTokenGetNullMetadataOnTheWire(t *testing.T) {
	s := newServer(t)
	c := s.Client()

	bare := createToken(t, c, tokenRequest())
	r := rawPost(t, s, linktest.PathTokenGet, map[string]any{"link_token": bare.LinkToken})
	require.Equal(t, http.StatusOK, r.status, "body: %v", r.body)
	md, ok := r.body["metadata"].(map[string]any)
	require.True(t, ok, "metadata: %v", r.body["metadata"])
	for _, k := range []string{"webhook", "redirect_uri"} {
		v, present := md[k]
		assert.True(t, present, k)
		assert.Nil(t, v, k)
	}
	assert.Equal(t, "Wonderwallet", md["client_name"])
	assert.Equal(t, []any{"transactions"}, md["initial_products"])
	assert.Equal(t, []any{"US"}, md["country_codes"])
	assert.Equal(t, "en", md["language"])

	full := tokenRequest()
	full.Webhook = "https://example.com/hook"
	full.RedirectURI = "https://example.com/oauth"
	tok := createToken(t, c, full)
	r = rawPost(t, s, linktest.PathTokenGet, map[string]any{"link_token": tok.LinkToken})
	md = r.body["metadata"].(map[string]any)
	assert.Equal(t, "https://example.com/hook", md["webhook"])
	assert.Equal(t, "https://example.com/oauth", md["redirect_uri"])

	// A Layer session token has no client_name at all.
	sess, err := c.CreateSessionToken(context.Background(), &link.SessionTokenCreateRequest{TemplateID: "tmpl_1",
		User: &link.SessionTokenCreateRequestUser{ClientUserID: "u"}})
	require.NoError(t, err)
	r = rawPost(t, s, linktest.PathTokenGet, map[string]any{"link_token": sess.Link.LinkToken})
	md = r.body["metadata"].(map[string]any)
	v, present := md["client_name"]
	assert.True(t, present)
	assert.Nil(t, v)

	// link.Client reads null back as the empty string.
	got, err := c.GetToken(context.Background(), &link.TokenGetRequest{LinkToken: bare.LinkToken})
	require.NoError(t, err)
	assert.Empty(t, got.Metadata.Webhook)
	assert.Empty(t, got.Metadata.RedirectURI)
	assert.Equal(t, "Wonderwallet", got.Metadata.ClientName)
}

// A key fetch whose request context ended is the server's failure, not an unknown kid.
func TestWebhookKeyFetchCancelled(t *testing.T) {
	s := newServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	status, perr := linktest.WebhookKeyGet(s, ctx, s.Signer().KeyID())
	assert.Equal(t, http.StatusInternalServerError, status)
	require.NotNil(t, perr)
	assert.Equal(t, link.ErrorTypeAPIError, perr.ErrorType)
	assert.Equal(t, link.ErrorCodeInternalServerError, perr.ErrorCode)

	status, perr = linktest.WebhookKeyGet(s, context.Background(), "not-a-kid")
	assert.Equal(t, http.StatusBadRequest, status)
	require.NotNil(t, perr)
	assert.Equal(t, link.ErrorCodeInvalidWebhookVerificationKeyID, perr.ErrorCode)

	status, perr = linktest.WebhookKeyGet(s, context.Background(), s.Signer().KeyID())
	assert.Equal(t, http.StatusOK, status)
	assert.Nil(t, perr)
}
