package link_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
)

// decodeSession decodes one session of /link/token/get from its JSON.
func decodeSession(t *testing.T, body string) *link.TokenGetSessionsResponse {
	t.Helper()
	var s link.TokenGetSessionsResponse
	require.NoError(t, json.Unmarshal([]byte(body), &s), body)
	return &s
}

// The sessions are written as Plaid sends them, from the fields its reference documents for
// /link/token/get: results (item_add_results, and cra_item_add_results for Plaid Check), exit,
// the deprecated on_success and on_exit, and finished_at.
func TestSessionOutcome(t *testing.T) {
	const (
		started  = `"link_session_id":"s-1","started_at":"2024-07-29T20:22:36.522196741Z"`
		finished = `,"finished_at":"2024-07-29T20:24:05.330312653Z"`
		emptyRes = `,"results":{"item_add_results":[],"cra_item_add_results":[],"cra_update_results":[],` +
			`"bank_income_results":[],"payroll_income_results":[],"document_income_results":null,"protect_results":null}`
		oneAdd = `,"results":{"item_add_results":[{"public_token":"public-sandbox-3b9687f0-3abd-4913-9889-f0ba816d4a3a",` +
			`"accounts":[],"institution":{"institution_id":"ins_127989","name":"Bank of America"}}]}`
		exit = `,"exit":{"error":null,"metadata":{"status":"requires_credentials","link_session_id":"s-1","request_id":"r"}}`
	)
	tests := []struct {
		name string
		body string
		want link.SessionOutcome
	}{
		{"nothing yet", `{` + started + `}`, link.SessionInProgress},
		{"nothing yet, events only", `{` + started + `,"events":[{"event_name":"OPEN","event_id":"e","timestamp":"2024-07-29T20:22:39Z","event_metadata":{}}]}`, link.SessionInProgress},
		{"an empty results object alone", `{` + started + emptyRes + `}`, link.SessionInProgress},
		{"item_add_results", `{` + started + finished + oneAdd + `}`, link.SessionLinked},
		{"item_add_results without finished_at", `{` + started + oneAdd + `}`, link.SessionLinked},
		{"Multi-Item: Items added, then exit", `{` + started + finished + oneAdd + exit + `}`, link.SessionLinked},
		{"legacy on_success", `{` + started + finished + `,"on_success":{"public_token":"public-sandbox-1","metadata":null}}`, link.SessionLinked},
		{"legacy on_success, then on_exit", `{` + started + finished + `,"on_success":{"public_token":"public-sandbox-1","metadata":null},` +
			`"on_exit":{"error":null,"metadata":{"status":"requires_credentials"}}}`, link.SessionLinked},
		{"Plaid Check Item", `{` + started + finished + `,"results":{"item_add_results":[],"cra_item_add_results":[{"item_id":"i-1","accounts":[],"institution":null}]}}`, link.SessionLinked},
		{"exit", `{` + started + finished + exit + `}`, link.SessionExited},
		{"exit with an empty results object", `{` + started + finished + emptyRes + exit + `}`, link.SessionExited},
		{"exit after an error", `{` + started + finished + `,"exit":{"error":{"error_type":"ITEM_ERROR","error_code":"INVALID_CREDENTIALS",` +
			`"error_message":"the provided credentials were not correct","display_message":null},"metadata":{"status":"requires_credentials"}}}`, link.SessionExited},
		{"legacy on_exit", `{` + started + finished + `,"on_exit":{"error":null,"metadata":{"status":"institution_not_found"}}}`, link.SessionExited},
		{"exit without finished_at", `{` + started + exit + `}`, link.SessionExited},
		{"finished_at alone", `{` + started + finished + `}`, link.SessionAbandoned},
		{"finished_at and an empty results object", `{` + started + finished + emptyRes + `}`, link.SessionAbandoned},
		{"explicit nulls", `{` + started + finished + `,"results":null,"exit":null,"on_success":null,"on_exit":null}`, link.SessionAbandoned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, decodeSession(t, tt.body).Outcome())
		})
	}

	var nilSession *link.TokenGetSessionsResponse
	assert.Equal(t, link.SessionInProgress, nilSession.Outcome())
	assert.Equal(t, link.SessionInProgress, link.SessionOutcome(0), "the zero value")
}

func TestSessionOutcomeString(t *testing.T) {
	assert.Equal(t, "SessionInProgress", link.SessionInProgress.String())
	assert.Equal(t, "SessionLinked", link.SessionLinked.String())
	assert.Equal(t, "SessionExited", link.SessionExited.String())
	assert.Equal(t, "SessionAbandoned", link.SessionAbandoned.String())
	assert.Equal(t, "SessionOutcome(9)", link.SessionOutcome(9).String())
	assert.Equal(t, "SessionOutcome(-1)", link.SessionOutcome(-1).String())
}

// Plaid's own sample of /link/token/get: a Multi-Item session with two Items in
// results.item_add_results and the deprecated on_success repeating the first.
func TestSessionPublicTokensPlaidSample(t *testing.T) {
	body, err := os.ReadFile("testdata/token_get_sample.json")
	require.NoError(t, err)
	var resp link.TokenGetResponse
	require.NoError(t, json.Unmarshal(body, &resp))
	require.Len(t, resp.LinkSessions, 1)
	s := &resp.LinkSessions[0]

	assert.Equal(t, link.SessionLinked, s.Outcome())
	assert.Equal(t, []string{
		"public-sandbox-3b9687f0-3abd-4913-9889-f0ba816d4a3a",
		"public-sandbox-44ba202e-bf6b-45c6-a5ba-d526765626a9",
	}, s.PublicTokens(), "each token once, in Plaid's order, on_success's not repeated")
}

func TestSessionPublicTokens(t *testing.T) {
	add := func(tokens ...string) *link.SessionResults {
		r := &link.SessionResults{}
		for _, tok := range tokens {
			r.ItemAddResults = append(r.ItemAddResults, link.SessionItemAddResult{PublicToken: tok})
		}
		return r
	}
	tests := []struct {
		name    string
		session *link.TokenGetSessionsResponse
		want    []string
	}{
		{"nil", nil, nil},
		{"in progress", &link.TokenGetSessionsResponse{}, nil},
		{"item_add_results", &link.TokenGetSessionsResponse{Results: add("public-a", "public-b", "public-c")}, []string{"public-a", "public-b", "public-c"}},
		{"repeated and empty tokens", &link.TokenGetSessionsResponse{Results: add("public-a", "", "public-a", "public-b")}, []string{"public-a", "public-b"}},
		{"legacy on_success only", &link.TokenGetSessionsResponse{OnSuccess: &link.SessionSuccess{PublicToken: "public-legacy"}}, []string{"public-legacy"}},
		{"legacy on_success and an empty results object", &link.TokenGetSessionsResponse{
			Results: add(), OnSuccess: &link.SessionSuccess{PublicToken: "public-legacy"},
		}, []string{"public-legacy"}},
		{"both: item_add_results win", &link.TokenGetSessionsResponse{
			Results: add("public-a", "public-b"), OnSuccess: &link.SessionSuccess{PublicToken: "public-a"},
		}, []string{"public-a", "public-b"}},
		{"on_success without a token", &link.TokenGetSessionsResponse{OnSuccess: &link.SessionSuccess{}}, nil},
		{"exited", &link.TokenGetSessionsResponse{Exit: &link.SessionExit{}, FinishedAt: time.Unix(1, 0)}, nil},
		{"Plaid Check Item only", &link.TokenGetSessionsResponse{Results: &link.SessionResults{
			CRAItemAddResults: []link.SessionCraItemAddResult{{ItemID: "i-1"}},
		}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.session.PublicTokens())
		})
	}
}

// Against the fake Plaid, every way a session can go reads back as the outcome it had, and
// WaitForSession returns only sessions that are not in progress.
func TestSessionOutcomeFromFake(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	newToken := func(multi bool) string {
		t.Helper()
		req := &link.TokenCreateRequest{
			ClientName: "outcome test", Language: link.LanguageEnglish,
			CountryCodes: []link.CountryCode{link.CountryCodeUS},
			User:         &link.TokenCreateRequestUser{ClientUserID: "u-1"},
			Products:     []link.Product{link.ProductTransactions},
			HostedLink:   &link.TokenCreateHostedLink{},
		}
		if multi {
			req.EnableMultiItemLink = link.Ptr(true)
		}
		tok, err := client.CreateToken(ctx, req)
		require.NoError(t, err)
		return tok.LinkToken
	}
	only := func(linkToken string) *link.TokenGetSessionsResponse {
		t.Helper()
		resp, err := client.GetToken(ctx, &link.TokenGetRequest{LinkToken: linkToken})
		require.NoError(t, err)
		require.Len(t, resp.LinkSessions, 1)
		return &resp.LinkSessions[0]
	}
	wait := func(linkToken string) *link.TokenGetSessionsResponse {
		t.Helper()
		s, err := client.WaitForSession(ctx, linkToken, link.WithPollInterval(time.Millisecond, time.Millisecond))
		require.NoError(t, err)
		return s
	}

	linked := newToken(false)
	done, err := srv.CompleteSession(linked)
	require.NoError(t, err)
	assert.Equal(t, link.SessionLinked, only(linked).Outcome())
	assert.Equal(t, []string{done.PublicToken}, only(linked).PublicTokens())
	assert.Equal(t, link.SessionLinked, wait(linked).Outcome())

	multi := newToken(true)
	done, err = srv.CompleteSession(multi, linktest.WithAdditionalItem(""), linktest.WithAdditionalItem(""))
	require.NoError(t, err)
	require.Len(t, done.PublicTokens, 3)
	assert.Equal(t, link.SessionLinked, wait(multi).Outcome())
	assert.Equal(t, done.PublicTokens, wait(multi).PublicTokens(), "one token per Item, in order")

	exited := newToken(false)
	_, err = srv.ExitSession(exited, &link.Error{ErrorType: link.ErrorTypeItemError, ErrorCode: link.ErrorCodeInvalidCredentials})
	require.NoError(t, err)
	assert.Equal(t, link.SessionExited, wait(exited).Outcome())
	assert.Nil(t, wait(exited).PublicTokens())

	abandoned := newToken(false)
	open, err := srv.OpenSession(abandoned)
	require.NoError(t, err)
	assert.Equal(t, link.SessionInProgress, only(abandoned).Outcome())
	_, err = srv.AbandonSession(open.LinkSessionID)
	require.NoError(t, err)
	assert.Equal(t, link.SessionAbandoned, only(abandoned).Outcome())
	assert.Equal(t, link.SessionAbandoned, wait(abandoned).Outcome())
	assert.Nil(t, wait(abandoned).PublicTokens())
}
