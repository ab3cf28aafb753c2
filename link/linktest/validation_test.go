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
		code     string
		inMesage string
	}{
		{"unknown language", func(r *link.TokenCreateRequest) { r.Language = "xx" },
			link.ErrorTypeInvalidRequest, "INVALID_FIELD", "language"},
		{"unknown country code", func(r *link.TokenCreateRequest) {
			r.CountryCodes = []link.CountryCode{link.CountryCodeUS, "ZZ"}
		}, link.ErrorTypeInvalidRequest, "INVALID_FIELD", "country_codes"},
		{"no products", func(r *link.TokenCreateRequest) { r.Products = nil },
			link.ErrorTypeInvalidRequest, "INVALID_FIELD", "products"},
		{"only optional products", func(r *link.TokenCreateRequest) {
			r.Products = nil
			r.OptionalProducts = []link.Product{link.ProductIdentity}
		}, link.ErrorTypeInvalidRequest, "INVALID_FIELD", "products"},
		{"products and optional_products overlap", func(r *link.TokenCreateRequest) {
			r.OptionalProducts = []link.Product{link.ProductTransactions}
		}, link.ErrorTypeInvalidRequest, "INVALID_FIELD", "optional_products"},
		{"required_if_supported and additional_consented overlap", func(r *link.TokenCreateRequest) {
			r.RequiredIfSupportedProducts = []link.Product{link.ProductIdentity}
			r.AdditionalConsentedProducts = []link.Product{link.ProductIdentity}
		}, link.ErrorTypeInvalidRequest, "INVALID_FIELD", "additional_consented_products"},
		{"products and required_if_supported overlap", func(r *link.TokenCreateRequest) {
			r.RequiredIfSupportedProducts = []link.Product{link.ProductTransactions}
		}, link.ErrorTypeInvalidRequest, "INVALID_FIELD", "required_if_supported_products"},
		{"unknown product", func(r *link.TokenCreateRequest) {
			r.Products = []link.Product{"teleportation"}
		}, link.ErrorTypeInvalidRequest, "INVALID_FIELD", "teleportation"},
		{"balance in products", func(r *link.TokenCreateRequest) {
			r.Products = []link.Product{link.ProductBalance}
		}, link.ErrorTypeInvalidRequest, "INVALID_FIELD", "balance"},
		{"redirect_uri with a query", func(r *link.TokenCreateRequest) {
			r.RedirectURI = "https://example.com/oauth?state=1"
		}, link.ErrorTypeInvalidRequest, "INVALID_FIELD", "redirect_uri"},
		{"redirect_uri not a URL", func(r *link.TokenCreateRequest) { r.RedirectURI = "not a url" },
			link.ErrorTypeInvalidRequest, "INVALID_FIELD", "redirect_uri"},
		{"webhook not a URL", func(r *link.TokenCreateRequest) { r.Webhook = "ftp://example.com/hook" },
			link.ErrorTypeInvalidRequest, "INVALID_FIELD", "webhook"},
		{"client_name too long", func(r *link.TokenCreateRequest) { r.ClientName = strings.Repeat("x", 31) },
			link.ErrorTypeInvalidRequest, "INVALID_FIELD", "client_name"},
		{"hosted link lifetime not positive", func(r *link.TokenCreateRequest) {
			r.HostedLink = &link.TokenCreateHostedLink{URLLifetimeSeconds: link.Ptr(0)}
		}, link.ErrorTypeInvalidRequest, "INVALID_FIELD", "url_lifetime_seconds"},
		{"update mode with an unknown access_token", func(r *link.TokenCreateRequest) {
			r.Products = nil
			r.AccessToken = "access-sandbox-00000000-0000-4000-8000-000000000000"
		}, link.ErrorTypeInvalidInput, "INVALID_ACCESS_TOKEN", "access token"},
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
			requirePlaidErrorBody(t, r, http.StatusBadRequest, "INVALID_REQUEST", "MISSING_FIELDS")
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
			requirePlaidErrorBody(t, r, http.StatusBadRequest, "INVALID_REQUEST", "MISSING_FIELDS")
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
		assert.Equal(t, "INVALID_API_KEYS", perr.ErrorCode)
		assert.Equal(t, http.StatusBadRequest, perr.HTTPStatus)
		assert.Equal(t, "invalid client_id or secret provided", perr.ErrorMessage)
	})

	t.Run("wrong client id in headers", func(t *testing.T) {
		r := rawDo(t, s, http.MethodPost, linktest.PathTokenGet, map[string]any{"link_token": "x"},
			map[string]string{"PLAID-CLIENT-ID": "someone-else", "PLAID-SECRET": s.Secret()})
		requirePlaidErrorBody(t, r, http.StatusBadRequest, "INVALID_INPUT", "INVALID_API_KEYS")
	})

	t.Run("none at all", func(t *testing.T) {
		r := rawDo(t, s, http.MethodPost, linktest.PathTokenGet, map[string]any{"link_token": "x"}, nil)
		requirePlaidErrorBody(t, r, http.StatusBadRequest, "INVALID_REQUEST", "MISSING_FIELDS")
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
		assert.Equal(t, "INVALID_API_KEYS", plaidErr(t, err).ErrorCode)
	})
}

func TestMalformedRequests(t *testing.T) {
	s := newServer(t)

	t.Run("not JSON", func(t *testing.T) {
		r := rawPost(t, s, linktest.PathTokenCreate, `{"client_name": `)
		requirePlaidErrorBody(t, r, http.StatusBadRequest, "INVALID_REQUEST", "INVALID_BODY")
	})
	t.Run("empty body", func(t *testing.T) {
		r := rawPost(t, s, linktest.PathTokenGet, ``)
		requirePlaidErrorBody(t, r, http.StatusBadRequest, "INVALID_REQUEST", "INVALID_BODY")
	})
	t.Run("not an object", func(t *testing.T) {
		r := rawPost(t, s, linktest.PathTokenGet, `["link_token"]`)
		requirePlaidErrorBody(t, r, http.StatusBadRequest, "INVALID_REQUEST", "INVALID_BODY")
	})
	t.Run("field of the wrong type", func(t *testing.T) {
		r := rawPost(t, s, linktest.PathTokenCreate, `{"client_name": "App", "language": "en", "country_codes": "US"}`)
		requirePlaidErrorBody(t, r, http.StatusBadRequest, "INVALID_REQUEST", "INVALID_FIELD")
		assert.Contains(t, r.body["error_message"], "country_codes must be a JSON array")
	})
	t.Run("unknown path", func(t *testing.T) {
		r := rawPost(t, s, "/item/get", map[string]any{"access_token": "x"})
		requirePlaidErrorBody(t, r, http.StatusNotFound, "INVALID_REQUEST", "NOT_FOUND")
	})
	t.Run("wrong method", func(t *testing.T) {
		r := rawDo(t, s, http.MethodGet, linktest.PathTokenCreate, nil, nil)
		requirePlaidErrorBody(t, r, http.StatusNotFound, "INVALID_REQUEST", "NOT_FOUND")
	})
	t.Run("error body has Plaid's fields", func(t *testing.T) {
		r := rawPost(t, s, linktest.PathTokenGet, map[string]any{"link_token": "link-sandbox-nope"})
		requirePlaidErrorBody(t, r, http.StatusBadRequest, "INVALID_INPUT", "INVALID_LINK_TOKEN")
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
		code    string
	}{
		{"GetToken unknown link token", func() error {
			_, err := c.GetToken(ctx, &link.TokenGetRequest{LinkToken: "link-sandbox-00000000-0000-4000-8000-000000000000"})
			return err
		}, link.ErrorTypeInvalidInput, "INVALID_LINK_TOKEN"},
		{"exchange unknown public token", func() error {
			_, err := c.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: "public-sandbox-00000000-0000-4000-8000-000000000000"})
			return err
		}, link.ErrorTypeInvalidInput, "INVALID_PUBLIC_TOKEN"},
		{"exchange malformed public token", func() error {
			_, err := c.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: "garbage"})
			return err
		}, link.ErrorTypeInvalidInput, "INVALID_PUBLIC_TOKEN"},
		{"sandbox unknown institution", func() error {
			_, err := c.CreateSandboxPublicToken(ctx, &link.SandboxPublicTokenCreateRequest{
				InstitutionID: "ins_999999", InitialProducts: []link.Product{link.ProductAuth}})
			return err
		}, link.ErrorTypeInvalidInput, "INVALID_INSTITUTION"},
		{"sandbox unknown product", func() error {
			_, err := c.CreateSandboxPublicToken(ctx, &link.SandboxPublicTokenCreateRequest{
				InstitutionID: linktest.DefaultInstitutionID, InitialProducts: []link.Product{"nope"}})
			return err
		}, link.ErrorTypeInvalidRequest, "INVALID_FIELD"},
		{"reset login unknown access token", func() error {
			_, err := c.ResetSandboxItemLogin(ctx, &link.SandboxItemResetLoginRequest{AccessToken: "access-sandbox-nope"})
			return err
		}, link.ErrorTypeInvalidInput, "INVALID_ACCESS_TOKEN"},
		{"session token redirect_uri with a query", func() error {
			_, err := c.CreateSessionToken(ctx, &link.SessionTokenCreateRequest{TemplateID: "tmpl_1",
				User: &link.SessionTokenCreateRequestUser{ClientUserID: "u"}, RedirectURI: "https://example.com/cb?x=1"})
			return err
		}, link.ErrorTypeInvalidRequest, "INVALID_FIELD"},
		{"unknown webhook key id", func() error {
			_, err := c.GetWebhookVerificationKey(ctx, &link.WebhookVerificationKeyGetRequest{KeyID: "not-a-kid"})
			return err
		}, link.ErrorTypeInvalidInput, "INVALID_WEBHOOK_VERIFICATION_KEY_ID"},
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
