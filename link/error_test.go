package link

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/internal/transport"
)

func TestErrorString(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"plaid error", &Error{ErrorType: ErrorTypeInvalidRequest, ErrorCode: "MISSING_FIELDS",
			ErrorMessage: "the following required fields are missing: client_name", RequestID: "m8MDnv9okwxFNBV", HTTPStatus: 400},
			"INVALID_REQUEST MISSING_FIELDS (HTTP 400): the following required fields are missing: client_name [request_id=m8MDnv9okwxFNBV]"},
		{"from a webhook", &Error{ErrorType: ErrorTypeItemError, ErrorCode: "ITEM_LOGIN_REQUIRED",
			ErrorMessage: "the login details of this item have changed", Status: Ptr(400)},
			"ITEM_ERROR ITEM_LOGIN_REQUIRED (HTTP 400): the login details of this item have changed"},
		{"no status", &Error{ErrorType: ErrorTypeAPIError, ErrorCode: "INTERNAL_SERVER_ERROR"},
			"API_ERROR INTERNAL_SERVER_ERROR"},
		{"not a plaid error", &Error{HTTPStatus: 502, RawBody: "<html>Bad Gateway</html>", RequestID: "hdr-1"},
			"HTTP 502: not a Plaid error: <html>Bad Gateway</html> [request_id=hdr-1]"},
		{"empty body", &Error{HTTPStatus: 503}, "HTTP 503: empty response body"},
		{"zero", &Error{}, "unknown Plaid error"},
		{"token in message", &Error{ErrorCode: "INVALID_ACCESS_TOKEN", ErrorMessage: "bad " + testAccess, HTTPStatus: 400},
			"INVALID_ACCESS_TOKEN (HTTP 400): bad access-sandbox-[REDACTED]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
	var nilErr *Error
	assert.Equal(t, "<nil Plaid error>", nilErr.Error())
}

// TestAPIErrorCarriesEveryField decodes a reply that sets every PlaidError field.
func TestAPIErrorCarriesEveryField(t *testing.T) {
	body := `{
		"error_type": "ITEM_ERROR",
		"error_code": "NO_ACCOUNTS",
		"error_code_reason": "OAUTH_CONSENT_EXPIRED",
		"error_message": "no valid accounts were found for this item",
		"display_message": "No valid accounts were found at the bank.",
		"request_id": "HNTDNrA8F1shFEW",
		"causes": [{"error_code":"X","item_id":"i1"}],
		"status": 400,
		"documentation_url": "https://plaid.com/docs/errors/item/#no_accounts",
		"suggested_action": "Link again",
		"required_account_subtypes": ["401k"],
		"provided_account_subtypes": ["ira"]
	}`
	c, mt := mockClient(t)
	mt.RegisterResponder(http.MethodPost, "https://plaid.test/link/token/create",
		httpmock.NewStringResponder(400, body).HeaderSet(http.Header{"X-Request-Id": {"from-header"}}))
	_, err := c.CreateToken(context.Background(), tokenCreateRequest())

	var perr *Error
	require.ErrorAs(t, fmt.Errorf("setting up link: %w", err), &perr)
	assert.Equal(t, &Error{
		ErrorType:               ErrorTypeItemError,
		ErrorCode:               "NO_ACCOUNTS",
		ErrorCodeReason:         "OAUTH_CONSENT_EXPIRED",
		ErrorMessage:            "no valid accounts were found for this item",
		DisplayMessage:          "No valid accounts were found at the bank.",
		RequestID:               "HNTDNrA8F1shFEW", // the body's id wins over the header's
		Causes:                  []json.RawMessage{json.RawMessage(`{"error_code":"X","item_id":"i1"}`)},
		Status:                  Ptr(400),
		DocumentationURL:        "https://plaid.com/docs/errors/item/#no_accounts",
		SuggestedAction:         "Link again",
		RequiredAccountSubtypes: []string{"401k"},
		ProvidedAccountSubtypes: []string{"ira"},
		HTTPStatus:              400,
	}, perr)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

// TestAPIErrorMasksEveryTextField fills every text field of a PlaidError (found by reflection, so a
// field added later is covered too) with the credentials, as a server echoing its request might.
func TestAPIErrorMasksEveryTextField(t *testing.T) {
	echo := "echo " + testClientID + " " + testSecret + " " + testAccess
	masked := "echo [REDACTED] [REDACTED] access-sandbox-[REDACTED]"
	var sent Error
	v := reflect.ValueOf(&sent).Elem()
	texts := 0
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch {
		case v.Type().Field(i).Tag.Get("json") == "-":
		case f.Type() == reflect.TypeOf([]json.RawMessage(nil)):
			f.Set(reflect.ValueOf([]json.RawMessage{json.RawMessage(`{"error_message":"` + echo + `"}`)}))
			texts++
		case f.Kind() == reflect.String:
			f.SetString(echo)
			texts++
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String:
			f.Set(reflect.ValueOf([]string{echo}).Convert(f.Type()))
			texts++
		}
	}
	require.Equal(t, 11, texts, "every text field of PlaidError is filled")
	body, err := json.Marshal(&sent)
	require.NoError(t, err)

	got := newAPIError(400, body, "hdr", transport.NewRedactor(testSecret, testClientID))
	assert.Equal(t, masked, got.ErrorMessage)
	assert.Equal(t, masked, got.DisplayMessage)
	assert.Equal(t, ErrorType(masked), got.ErrorType)
	assert.Equal(t, []string{masked}, got.RequiredAccountSubtypes)
	assert.Equal(t, []json.RawMessage{json.RawMessage(`{"error_message":"` + masked + `"}`)}, got.Causes)
	out, err := json.Marshal(got)
	require.NoError(t, err)
	for _, s := range []string{got.Error(), fmt.Sprintf("%+v", *got), string(out)} {
		for _, secret := range []string{testClientID, testSecret, testAccess} {
			assert.NotContains(t, s, secret)
		}
	}

	// A credential with JSON punctuation in it can be matched across a string's end; the cause is
	// then dropped rather than left as invalid JSON.
	odd := `s3cr3t"}`
	got = newAPIError(400, []byte(`{"error_code":"X","causes":[{"m":"s3cr3t"}]}`), "", transport.NewRedactor(odd))
	assert.Equal(t, []json.RawMessage{json.RawMessage("null")}, got.Causes)
	_, err = json.Marshal(got)
	assert.NoError(t, err)
}

func TestNonPlaidErrorBodies(t *testing.T) {
	html := "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n" +
		"<hr><center>nginx</center>\r\n" + strings.Repeat("<!-- padding -->\r\n", 40) + "</body>\r\n</html>\r\n"
	tests := []struct {
		name        string
		status      int
		body        string
		attempts    int
		wantRaw     string
		wantPrefix  string
		wantMessage string
	}{
		{name: "html from a proxy", status: 502, body: html, attempts: 3,
			wantPrefix:  "<html> <head><title>502 Bad Gateway</title></head> <body> <center><h1>502 Bad Gateway</h1></center>",
			wantMessage: "HTTP 502: not a Plaid error: <html> <head><title>502 Bad Gateway</title></head>"},
		{name: "empty", status: 503, body: "", attempts: 3, wantRaw: "",
			wantMessage: "HTTP 503: empty response body [request_id=hdr-9]"},
		{name: "blank 400", status: 400, body: " \n ", attempts: 1, wantRaw: "",
			wantMessage: "HTTP 400: empty response body [request_id=hdr-9]"},
		{name: "gateway json", status: 403, body: `{"message":"Forbidden"}`, attempts: 1, wantRaw: `{"message":"Forbidden"}`,
			wantMessage: `HTTP 403: not a Plaid error: {"message":"Forbidden"} [request_id=hdr-9]`},
		{name: "plain text echoing secrets", status: 400,
			body:     "denied for " + testClientID + ":" + testSecret + " with " + testAccess,
			attempts: 1, wantRaw: "denied for [REDACTED]:[REDACTED] with access-sandbox-[REDACTED]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := mockClient(t)
			mt.RegisterResponder(http.MethodPost, "https://plaid.test/link/token/get",
				httpmock.NewStringResponder(tt.status, tt.body).HeaderSet(http.Header{"X-Request-Id": {"hdr-9"}}))
			_, err := c.GetToken(context.Background(), &TokenGetRequest{LinkToken: testLink})
			var perr *Error
			require.ErrorAs(t, err, &perr)
			assert.Equal(t, tt.status, perr.HTTPStatus)
			assert.Equal(t, "hdr-9", perr.RequestID)
			assert.Empty(t, perr.ErrorCode)
			assert.Equal(t, tt.attempts, mt.GetTotalCallCount())
			if tt.wantPrefix != "" {
				assert.True(t, strings.HasPrefix(perr.RawBody, tt.wantPrefix), perr.RawBody)
				assert.LessOrEqual(t, len(perr.RawBody), rawBodyExcerpt+len("..."))
				assert.True(t, strings.HasSuffix(perr.RawBody, "..."))
				assert.NotContains(t, perr.RawBody, "\n")
			} else {
				assert.Equal(t, tt.wantRaw, perr.RawBody)
			}
			if tt.wantMessage != "" {
				want := tt.wantMessage
				if tt.attempts > 1 {
					want = "link: GetToken: gave up after 3 attempts: " + want
				} else {
					want = "link: GetToken: " + want
				}
				assert.True(t, strings.HasPrefix(err.Error(), want), err.Error())
			}
			for _, secret := range []string{testClientID, testSecret, testAccess} {
				assert.NotContains(t, err.Error(), secret)
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	r := transport.NewRedactor(testSecret)
	assert.Equal(t, "", excerpt(nil, r))
	assert.Equal(t, "a b c", excerpt([]byte("a\n\tb\x00\x01c"), r))
	assert.Equal(t, "bad \uFFFD byte", excerpt([]byte("bad \xff byte"), r))
	long := excerpt([]byte(strings.Repeat("é", 300)), r)
	assert.LessOrEqual(t, len(long), rawBodyExcerpt+3)
	assert.True(t, strings.HasSuffix(long, "é..."), "cut on a rune boundary")
	// A secret straddling the excerpt's end is masked before the cut, so no prefix of it survives.
	straddle := excerpt([]byte(strings.Repeat("a", rawBodyExcerpt-5)+" "+testSecret), r)
	assert.NotContains(t, straddle, testSecret[:4])
}

func TestSuccessReplyProblems(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"html", "<html>maintenance</html>", "link: CreateToken: decoding HTTP 200 response: invalid JSON"},
		{"empty", "", "link: CreateToken: HTTP 200 response has an empty body, want JSON"},
		{"truncated", `{"link_token":"` + testLink, "link: CreateToken: decoding HTTP 200 response: invalid JSON"},
		{"wrong types", `{"link_token":42}`, "link: CreateToken: decoding HTTP 200 response: field link_token: a JSON number cannot be a Go string"},
		{"null", `null`, "link: CreateToken: decoding HTTP 200 response: body is not a JSON object"},
		{"trailing junk", `{"link_token":"` + testLink + `"} <html>`, "link: CreateToken: decoding HTTP 200 response: body has data after its JSON object"},
		{"two replies", tokenCreateReply + tokenCreateReply, "link: CreateToken: decoding HTTP 200 response: body has data after its JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := mockClient(t)
			mt.RegisterResponder(http.MethodPost, "https://plaid.test/link/token/create", httpmock.NewStringResponder(200, tt.body))
			resp, err := c.CreateToken(context.Background(), tokenCreateRequest())
			require.Error(t, err)
			assert.Nil(t, resp, "never a zero struct")
			assert.True(t, strings.HasPrefix(err.Error(), tt.want), err.Error())
			assert.NotContains(t, err.Error(), testLink)
			var perr *Error
			assert.False(t, errors.As(err, &perr), "a bad 2xx reply is not a Plaid error")
			assert.Equal(t, 1, mt.GetTotalCallCount())
		})
	}
}

func TestOversizeReplyIsRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"link_token":"`))
		chunk := []byte(strings.Repeat("a", 1<<20))
		for range 11 { // 11 MiB, over the 10 MiB limit
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		_, _ = w.Write([]byte(`","request_id":"r"}`))
	}))
	defer srv.Close()

	_, err := newTestClient(t, srv.URL).CreateToken(context.Background(), tokenCreateRequest())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "link: CreateToken: HTTP 200 response body exceeds 10485760 bytes")
}

// TestErrorCodeConstants: the codes issue 8 names, and those a program branches on most, have
// their constants with Plaid's exact spelling, and a code without a constant decodes as it came.
func TestErrorCodeConstants(t *testing.T) {
	tests := map[ErrorCode]string{
		ErrorCodeInvalidLinkToken:                "INVALID_LINK_TOKEN",
		ErrorCodeInvalidPublicToken:              "INVALID_PUBLIC_TOKEN",
		ErrorCodeInvalidAPIKeys:                  "INVALID_API_KEYS",
		ErrorCodeInvalidField:                    "INVALID_FIELD",
		ErrorCodeMissingFields:                   "MISSING_FIELDS",
		ErrorCodeUnknownFields:                   "UNKNOWN_FIELDS",
		ErrorCodeInvalidBody:                     "INVALID_BODY",
		ErrorCodeInvalidHeaders:                  "INVALID_HEADERS",
		ErrorCodeInvalidConfiguration:            "INVALID_CONFIGURATION",
		ErrorCodeInvalidProduct:                  "INVALID_PRODUCT",
		ErrorCodeInvalidInstitution:              "INVALID_INSTITUTION",
		ErrorCodeRateLimit:                       "RATE_LIMIT",
		ErrorCodeInternalServerError:             "INTERNAL_SERVER_ERROR",
		ErrorCodePlannedMaintenance:              "PLANNED_MAINTENANCE",
		ErrorCodeInvalidAccessToken:              "INVALID_ACCESS_TOKEN",
		ErrorCodeItemLoginRequired:               "ITEM_LOGIN_REQUIRED",
		ErrorCodeItemNoError:                     "ITEM_NO_ERROR",
		ErrorCodeAdditionLimit:                   "ADDITION_LIMIT",
		ErrorCodeSandboxProductNotEnabled:        "SANDBOX_PRODUCT_NOT_ENABLED",
		ErrorCodeInvalidWebhookVerificationKeyID: "INVALID_WEBHOOK_VERIFICATION_KEY_ID",
	}
	for c, want := range tests {
		assert.Equal(t, want, string(c))
		var e Error
		require.NoError(t, json.Unmarshal([]byte(`{"error_type":"INVALID_INPUT","error_code":"`+want+`"}`), &e))
		assert.Equal(t, c, e.ErrorCode)
	}
	var e Error
	require.NoError(t, json.Unmarshal([]byte(`{"error_type":"INVALID_INPUT","error_code":"A_CODE_FROM_NEXT_YEAR"}`), &e))
	assert.Equal(t, ErrorCode("A_CODE_FROM_NEXT_YEAR"), e.ErrorCode)
	b, err := json.Marshal(&e)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"error_code":"A_CODE_FROM_NEXT_YEAR"`)
}
