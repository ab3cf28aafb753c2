package link

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEndpoints calls every method against a mocked transport and checks the request on the wire
// (method, path, headers, body) and the decoded response.
func TestEndpoints(t *testing.T) {
	expiration := time.Date(2024, 7, 29, 22, 22, 36, 0, time.UTC)
	created := time.Date(2024, 7, 29, 18, 22, 36, 0, time.UTC)
	tests := []struct {
		name     string
		path     string
		call     func(*Client) (any, error)
		wantBody string
		reply    string
		want     any
	}{
		{
			name: "CreateToken",
			path: "/link/token/create",
			call: func(c *Client) (any, error) {
				req := tokenCreateRequest()
				req.Webhook = "https://example.com/hook"
				req.Transactions = &TokenTransactions{DaysRequested: Ptr(730)}
				return c.CreateToken(context.Background(), req)
			},
			wantBody: `{"client_name":"Plaid Test App","language":"en","country_codes":["US"],
				"user":{"client_user_id":"user-good"},"products":["auth"],
				"webhook":"https://example.com/hook","transactions":{"days_requested":730}}`,
			reply: `{"link_token":"` + testLink + `","expiration":"2024-07-29T22:22:36Z","request_id":"XQVgFigpGHXkb0b",
				"hosted_link_url":"https://secure.plaid.com/hl/abc"}`,
			want: &TokenCreateResponse{LinkToken: testLink, Expiration: expiration, RequestID: "XQVgFigpGHXkb0b",
				HostedLinkURL: "https://secure.plaid.com/hl/abc"},
		},
		{
			name: "GetToken",
			path: "/link/token/get",
			call: func(c *Client) (any, error) {
				return c.GetToken(context.Background(), &TokenGetRequest{LinkToken: testLink})
			},
			wantBody: `{"link_token":"` + testLink + `"}`,
			reply: `{"link_token":"` + testLink + `","created_at":"2024-07-29T18:22:36Z","expiration":"2024-07-29T22:22:36Z",
				"metadata":{"initial_products":["auth"],"webhook":"https://example.com/hook","country_codes":["US"],
				"language":"en","redirect_uri":null,"client_name":"Plaid Test App"},"request_id":"u0ydFs493XjyTYn"}`,
			want: &TokenGetResponse{LinkToken: testLink, CreatedAt: &created, Expiration: &expiration,
				Metadata: TokenGetMetadataResponse{InitialProducts: []Product{ProductAuth}, Webhook: "https://example.com/hook",
					CountryCodes: []CountryCode{CountryCodeUS}, Language: LanguageEnglish, ClientName: "Plaid Test App"},
				RequestID: "u0ydFs493XjyTYn"},
		},
		{
			name: "ExchangePublicToken",
			path: "/item/public_token/exchange",
			call: func(c *Client) (any, error) {
				return c.ExchangePublicToken(context.Background(), &ItemPublicTokenExchangeRequest{PublicToken: testPublic})
			},
			wantBody: `{"public_token":"` + testPublic + `"}`,
			reply:    `{"access_token":"` + testAccess + `","item_id":"M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op","request_id":"Aim3b"}`,
			want: &ItemPublicTokenExchangeResponse{AccessToken: testAccess,
				ItemID: "M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op", RequestID: "Aim3b"},
		},
		{
			name: "CreateSandboxPublicToken",
			path: "/sandbox/public_token/create",
			call: func(c *Client) (any, error) {
				return c.CreateSandboxPublicToken(context.Background(), &SandboxPublicTokenCreateRequest{
					InstitutionID:   "ins_109508",
					InitialProducts: []Product{ProductAuth},
					Options:         &SandboxPublicTokenCreateRequestOptions{Webhook: "https://example.com/hook"},
				})
			},
			wantBody: `{"institution_id":"ins_109508","initial_products":["auth"],"options":{"webhook":"https://example.com/hook"}}`,
			reply:    `{"public_token":"` + testPublic + `","request_id":"Aim3b"}`,
			want:     &SandboxPublicTokenCreateResponse{PublicToken: testPublic, RequestID: "Aim3b"},
		},
		{
			name: "ResetSandboxItemLogin",
			path: "/sandbox/item/reset_login",
			call: func(c *Client) (any, error) {
				return c.ResetSandboxItemLogin(context.Background(), &SandboxItemResetLoginRequest{AccessToken: testAccess})
			},
			wantBody: `{"access_token":"` + testAccess + `"}`,
			reply:    `{"reset_login":true,"request_id":"m8MDnv9okwxFNBV"}`,
			want:     &SandboxItemResetLoginResponse{ResetLogin: true, RequestID: "m8MDnv9okwxFNBV"},
		},
		{
			name: "CreateSessionToken",
			path: "/session/token/create",
			call: func(c *Client) (any, error) {
				return c.CreateSessionToken(context.Background(), &SessionTokenCreateRequest{
					TemplateID: "template_4uinBNe4B2x9",
					User:       &SessionTokenCreateRequestUser{ClientUserID: "user-good"},
				})
			},
			wantBody: `{"template_id":"template_4uinBNe4B2x9","user":{"client_user_id":"user-good"}}`,
			reply:    `{"request_id":"Aim3b","link":{"link_token":"` + testLink + `","expiration":"2024-07-29T22:22:36Z"}}`,
			want: &SessionTokenCreateResponse{RequestID: "Aim3b",
				Link: &SessionTokenCreateResponseLink{LinkToken: testLink, Expiration: expiration}},
		},
		{
			name: "GetWebhookVerificationKey",
			path: "/webhook_verification_key/get",
			call: func(c *Client) (any, error) {
				return c.GetWebhookVerificationKey(context.Background(), &WebhookVerificationKeyGetRequest{KeyID: "6c5516e1-92dc-479e-a8ff-5a51992e0001"})
			},
			wantBody: `{"key_id":"6c5516e1-92dc-479e-a8ff-5a51992e0001"}`,
			reply: `{"key":{"alg":"ES256","created_at":1560466150,"crv":"P-256","expired_at":null,
				"kid":"6c5516e1-92dc-479e-a8ff-5a51992e0001","kty":"EC","use":"sig",
				"x":"hKXLGIjWvCBv-cP5euCTxl8g9GLG9zHo_3pO5NN1DwQ","y":"shhexqPB7YffGn6fR6h2UhTSuCtPmfzQJ6ENVIoO4Ys"},
				"request_id":"RZ6Omi1bzzwDaLo"}`,
			want: &WebhookVerificationKeyGetResponse{Key: JWKPublicKey{Alg: "ES256", CreatedAt: 1560466150, Crv: "P-256",
				Kid: "6c5516e1-92dc-479e-a8ff-5a51992e0001", Kty: "EC", Use: "sig",
				X: "hKXLGIjWvCBv-cP5euCTxl8g9GLG9zHo_3pO5NN1DwQ", Y: "shhexqPB7YffGn6fR6h2UhTSuCtPmfzQJ6ENVIoO4Ys"},
				RequestID: "RZ6Omi1bzzwDaLo"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := mockClient(t)
			var got *http.Request
			var body string
			mt.RegisterResponder(http.MethodPost, "https://plaid.test"+tt.path, func(r *http.Request) (*http.Response, error) {
				got = r
				b, err := io.ReadAll(r.Body)
				body = string(b)
				if err != nil {
					return nil, err
				}
				return httpmock.NewStringResponse(200, tt.reply), nil
			})

			resp, err := tt.call(c)
			require.NoError(t, err)
			assert.Equal(t, tt.want, resp)

			require.Equal(t, 1, mt.GetTotalCallCount())
			assert.Equal(t, http.MethodPost, got.Method)
			assert.Equal(t, testClientID, got.Header.Get("PLAID-CLIENT-ID"))
			assert.Equal(t, testSecret, got.Header.Get("PLAID-SECRET"))
			assert.Equal(t, DefaultPlaidVersion, got.Header.Get("Plaid-Version"))
			assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
			assert.True(t, strings.HasPrefix(got.Header.Get("User-Agent"), "plaidlink-go/"))
			assert.JSONEq(t, tt.wantBody, body)
			assert.NotContains(t, body, "client_id", "credentials travel in headers only")
			assert.NotContains(t, body, "secret")
		})
	}
}

// TestValidation refuses requests missing a required field, naming it, before anything is sent.
func TestValidation(t *testing.T) {
	ctx := context.Background()
	tcr := func(mod func(*TokenCreateRequest)) *TokenCreateRequest {
		r := tokenCreateRequest()
		mod(r)
		return r
	}
	ficoReq := func() *TokenCreateRequestCraOptions {
		return &TokenCreateRequestCraOptions{DaysRequested: 365, PartnerInsights: &TokenCreateRequestCraOptionsPartnerInsights{
			FICO: &CraPartnerInsightsFicoInput{FICOLenderID: "l", LenderApplicationID: "a",
				UltraficoScoreRequests: []CraPartnerInsightsUltraFicoScoreRequest{{
					UltraficoScoreVersion: "1.0",
					BaseFICOScore:         CraPartnerInsightsBaseFicoScore{Bureau: "EQUIFAX", BaseFICOScoreVersion: "8"},
				}}},
		}}
	}
	tests := []struct {
		name   string
		call   func(*Client) error
		method string
		field  string
		msg    string
	}{
		{"nil CreateToken", func(c *Client) error { _, err := c.CreateToken(ctx, nil); return err },
			"CreateToken", "request", "link: CreateToken: request must not be nil"},
		{"client_name", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) { r.ClientName = "" }))
			return err
		}, "CreateToken", "client_name", "link: CreateToken: client_name is required"},
		{"language", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) { r.Language = "" }))
			return err
		}, "CreateToken", "language", "link: CreateToken: language is required"},
		{"country_codes", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) { r.CountryCodes = []CountryCode{} }))
			return err
		}, "CreateToken", "country_codes", "link: CreateToken: country_codes must not be empty"},
		{"user or user_id", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) { r.User = nil }))
			return err
		}, "CreateToken", "user", "link: CreateToken: user or user_id is required"},
		{"user.client_user_id", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) { r.User.ClientUserID = "" }))
			return err
		}, "CreateToken", "user.client_user_id", "link: CreateToken: user.client_user_id is required"},
		{"user.name.family_name", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) {
				r.User.Name = &IdentityVerificationRequestUserName{GivenName: "Leslie"}
			}))
			return err
		}, "CreateToken", "user.name.family_name", ""},
		{"user.address.country", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) { r.User.Address = &UserAddress{City: "Pawnee"} }))
			return err
		}, "CreateToken", "user.address.country", ""},
		{"user.id_number.type", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) { r.User.IDNumber = &UserIDNumber{Value: "123456789"} }))
			return err
		}, "CreateToken", "user.id_number.type", ""},
		{"card_switch.card_bin", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) { r.CardSwitch = &TokenCreateCardSwitch{} }))
			return err
		}, "CreateToken", "card_switch.card_bin", ""},
		{"account_filters.credit.account_subtypes", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) { r.AccountFilters = &TokenAccountFilters{Credit: &CreditFilter{}} }))
			return err
		}, "CreateToken", "account_filters.credit.account_subtypes", ""},
		{"payment_configuration.amount", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) {
				r.PaymentConfiguration = &TokenCreateRequestPaymentConfiguration{Description: "rent"}
			}))
			return err
		}, "CreateToken", "payment_configuration.amount", ""},
		{"identity_verification.template_id", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) {
				r.IdentityVerification = &TokenCreateRequestIdentityVerification{GaveConsent: Ptr(true)}
			}))
			return err
		}, "CreateToken", "identity_verification.template_id", ""},
		{"statements.end_date", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) {
				r.Statements = &TokenCreateRequestStatements{StartDate: NewDate(2024, time.January, 1)}
			}))
			return err
		}, "CreateToken", "statements.end_date", ""},
		{"impossible statements.start_date", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) {
				r.Statements = &TokenCreateRequestStatements{StartDate: NewDate(2024, time.February, 30), EndDate: NewDate(2024, 6, 30)}
			}))
			return err
		}, "CreateToken", "statements.start_date", "link: CreateToken: statements.start_date is not a valid date: 2024-02-30"},
		{"impossible user.date_of_birth", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) { r.User.DateOfBirth = NewDate(1990, 13, 1) }))
			return err
		}, "CreateToken", "user.date_of_birth", "link: CreateToken: user.date_of_birth is not a valid date: 1990-13-01"},
		{"empty income_insights_version", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) {
				r.CRAOptions = &TokenCreateRequestCraOptions{IncomeInsights: &TokenCreateRequestCraOptionsIncomeInsights{
					IncomeInsightsVersion: Ptr(IncomeInsightsVersion(""))}}
			}))
			return err
		}, "CreateToken", "cra_options.income_insights.income_insights_version", ""},
		{"fico bureau", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) {
				r.CRAOptions = ficoReq()
				r.CRAOptions.PartnerInsights.FICO.UltraficoScoreRequests[0].BaseFICOScore.Bureau = ""
			}))
			return err
		}, "CreateToken", "cra_options.partner_insights.fico.ultrafico_score_requests[0].base_fico_score.bureau", ""},
		{"fico lender", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) {
				r.CRAOptions = ficoReq()
				r.CRAOptions.PartnerInsights.FICO.FICOLenderID = ""
			}))
			return err
		}, "CreateToken", "cra_options.partner_insights.fico.fico_lender_id", ""},
		{"gse report_types", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) {
				r.CRAOptions = &TokenCreateRequestCraOptions{BaseReport: &TokenCreateRequestCraOptionsBaseReport{
					GSEOptions: &TokenCreateRequestCraOptionsBaseReportGSEOptions{}}}
			}))
			return err
		}, "CreateToken", "cra_options.base_report.gse_options.report_types", ""},
		{"home lending reports_requested", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) {
				r.CRAOptions = &TokenCreateRequestCraOptions{BaseReport: &TokenCreateRequestCraOptionsBaseReport{
					HomeLendingReportOptions: &CraCheckReportHomeLendingReportOptions{}}}
			}))
			return err
		}, "CreateToken", "cra_options.base_report.home_lending_report_options.reports_requested", ""},
		{"income insights included_categories", func(c *Client) error {
			_, err := c.CreateToken(ctx, tcr(func(r *TokenCreateRequest) {
				r.CRAOptions = &TokenCreateRequestCraOptions{IncomeInsights: &TokenCreateRequestCraOptionsIncomeInsights{
					IncomeInsightsFilter: &IncomeInsightsFilter{ExcludedCategories: []string{"x"}}}}
			}))
			return err
		}, "CreateToken", "cra_options.income_insights.income_insights_filter.included_categories", ""},

		{"nil GetToken", func(c *Client) error { _, err := c.GetToken(ctx, nil); return err }, "GetToken", "request", ""},
		{"link_token", func(c *Client) error { _, err := c.GetToken(ctx, &TokenGetRequest{}); return err },
			"GetToken", "link_token", "link: GetToken: link_token is required"},
		{"nil ExchangePublicToken", func(c *Client) error { _, err := c.ExchangePublicToken(ctx, nil); return err },
			"ExchangePublicToken", "request", ""},
		{"public_token", func(c *Client) error {
			_, err := c.ExchangePublicToken(ctx, &ItemPublicTokenExchangeRequest{})
			return err
		}, "ExchangePublicToken", "public_token", "link: ExchangePublicToken: public_token is required"},
		{"nil CreateSandboxPublicToken", func(c *Client) error { _, err := c.CreateSandboxPublicToken(ctx, nil); return err },
			"CreateSandboxPublicToken", "request", ""},
		{"institution_id", func(c *Client) error {
			_, err := c.CreateSandboxPublicToken(ctx, &SandboxPublicTokenCreateRequest{InitialProducts: []Product{ProductAuth}})
			return err
		}, "CreateSandboxPublicToken", "institution_id", "link: CreateSandboxPublicToken: institution_id is required"},
		{"initial_products", func(c *Client) error {
			_, err := c.CreateSandboxPublicToken(ctx, &SandboxPublicTokenCreateRequest{InstitutionID: "ins_109508"})
			return err
		}, "CreateSandboxPublicToken", "initial_products", "link: CreateSandboxPublicToken: initial_products must not be empty"},
		{"options.statements.start_date", func(c *Client) error {
			_, err := c.CreateSandboxPublicToken(ctx, &SandboxPublicTokenCreateRequest{InstitutionID: "ins_109508",
				InitialProducts: []Product{ProductAuth},
				Options:         &SandboxPublicTokenCreateRequestOptions{Statements: &SandboxPublicTokenCreateRequestOptionsStatements{}}})
			return err
		}, "CreateSandboxPublicToken", "options.statements.start_date", ""},
		{"impossible options.statements.end_date", func(c *Client) error {
			_, err := c.CreateSandboxPublicToken(ctx, &SandboxPublicTokenCreateRequest{InstitutionID: "ins_109508",
				InitialProducts: []Product{ProductAuth},
				Options: &SandboxPublicTokenCreateRequestOptions{Statements: &SandboxPublicTokenCreateRequestOptionsStatements{
					StartDate: NewDate(2023, 1, 1), EndDate: NewDate(2023, 4, 31)}}})
			return err
		}, "CreateSandboxPublicToken", "options.statements.end_date", "link: CreateSandboxPublicToken: options.statements.end_date is not a valid date: 2023-04-31"},
		{"impossible options.transactions.start_date", func(c *Client) error {
			_, err := c.CreateSandboxPublicToken(ctx, &SandboxPublicTokenCreateRequest{InstitutionID: "ins_109508",
				InitialProducts: []Product{ProductAuth},
				Options: &SandboxPublicTokenCreateRequestOptions{Transactions: &SandboxPublicTokenCreateRequestOptionsTransactions{
					StartDate: NewDate(2023, 2, 29)}}})
			return err
		}, "CreateSandboxPublicToken", "options.transactions.start_date", ""},
		{"nil ResetSandboxItemLogin", func(c *Client) error { _, err := c.ResetSandboxItemLogin(ctx, nil); return err },
			"ResetSandboxItemLogin", "request", ""},
		{"access_token", func(c *Client) error {
			_, err := c.ResetSandboxItemLogin(ctx, &SandboxItemResetLoginRequest{})
			return err
		}, "ResetSandboxItemLogin", "access_token", "link: ResetSandboxItemLogin: access_token is required"},
		{"nil CreateSessionToken", func(c *Client) error { _, err := c.CreateSessionToken(ctx, nil); return err },
			"CreateSessionToken", "request", ""},
		{"template_id", func(c *Client) error {
			_, err := c.CreateSessionToken(ctx, &SessionTokenCreateRequest{UserID: "usr_1"})
			return err
		}, "CreateSessionToken", "template_id", "link: CreateSessionToken: template_id is required"},
		{"session user or user_id", func(c *Client) error {
			_, err := c.CreateSessionToken(ctx, &SessionTokenCreateRequest{TemplateID: "template_1"})
			return err
		}, "CreateSessionToken", "user", "link: CreateSessionToken: user or user_id is required"},
		{"session user.client_user_id", func(c *Client) error {
			_, err := c.CreateSessionToken(ctx, &SessionTokenCreateRequest{TemplateID: "template_1", User: &SessionTokenCreateRequestUser{}})
			return err
		}, "CreateSessionToken", "user.client_user_id", ""},
		{"nil GetWebhookVerificationKey", func(c *Client) error { _, err := c.GetWebhookVerificationKey(ctx, nil); return err },
			"GetWebhookVerificationKey", "request", ""},
		{"key_id", func(c *Client) error {
			_, err := c.GetWebhookVerificationKey(ctx, &WebhookVerificationKeyGetRequest{})
			return err
		}, "GetWebhookVerificationKey", "key_id", "link: GetWebhookVerificationKey: key_id is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := mockClient(t)
			err := tt.call(c)
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tt.method, verr.Method)
			assert.Equal(t, tt.field, verr.Field)
			assert.Contains(t, err.Error(), tt.field)
			if tt.msg != "" {
				assert.Equal(t, tt.msg, err.Error())
			}
			assert.Equal(t, 0, mt.GetTotalCallCount(), "nothing is sent")
		})
	}
}

// TestValidRequestsPass checks that the validators do not refuse what the spec allows: a user_id
// instead of a user, and every nested object filled in.
func TestValidRequestsPass(t *testing.T) {
	c, mt := mockClient(t)
	var body string
	respond := func(reply string) httpmock.Responder {
		return func(r *http.Request) (*http.Response, error) {
			b, err := io.ReadAll(r.Body)
			body = string(b)
			return httpmock.NewStringResponse(200, reply), err
		}
	}
	mt.RegisterNoResponder(respond(tokenCreateReply))
	full := tokenCreateRequest()
	full.User = nil
	full.UserID = "usr_9nSp2KuZ2x4JDw"
	full.AccountFilters = &TokenAccountFilters{Depository: &DepositoryFilter{AccountSubtypes: []DepositoryAccountSubtype{"checking"}}}
	full.Statements = &TokenCreateRequestStatements{StartDate: NewDate(2024, 1, 1), EndDate: NewDate(2024, 6, 30)}
	full.CRAOptions = &TokenCreateRequestCraOptions{DaysRequested: 365,
		IncomeInsights: &TokenCreateRequestCraOptionsIncomeInsights{}} // a null income_insights_version is allowed
	resp, err := c.CreateToken(context.Background(), full)
	require.NoError(t, err)
	assert.Equal(t, testLink, resp.LinkToken)
	// income_insights_version is required and nullable: unset, it is sent as null, never as "".
	assert.JSONEq(t, `{
		"client_name": "Plaid Test App",
		"language": "en",
		"country_codes": ["US"],
		"user_id": "usr_9nSp2KuZ2x4JDw",
		"products": ["auth"],
		"account_filters": {"depository": {"account_subtypes": ["checking"]}},
		"statements": {"start_date": "2024-01-01", "end_date": "2024-06-30"},
		"cra_options": {"days_requested": 365, "income_insights": {"income_insights_version": null}}
	}`, body)

	full.CRAOptions.IncomeInsights.IncomeInsightsVersion = Ptr(IncomeInsightsVersionII2)
	_, err = c.CreateToken(context.Background(), full)
	require.NoError(t, err)
	assert.Contains(t, body, `"income_insights":{"income_insights_version":"II2"}`)

	mt.RegisterNoResponder(respond(`{"request_id":"r"}`))
	_, err = c.CreateSessionToken(context.Background(), &SessionTokenCreateRequest{TemplateID: "t", UserID: "usr_1"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"template_id": "t", "user_id": "usr_1"}`, body)
	assert.Equal(t, 3, mt.GetTotalCallCount())
}

func TestValidationErrorIsNotAPlaidError(t *testing.T) {
	c, _ := mockClient(t)
	_, err := c.GetToken(context.Background(), &TokenGetRequest{})
	var perr *Error
	assert.False(t, errors.As(err, &perr))
}
