package linktest_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
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

// pageReply is a page the server answered with.
type pageReply struct {
	status int
	header http.Header
	body   string
}

// pageDo sends a request to the page without following redirects, so that tests see the 303 a
// submission answers with.
func pageDo(t *testing.T, method, rawURL string, form url.Values) pageReply {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, rawURL, body)
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return pageReply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

var submissionRE = regexp.MustCompile(`name="submission" value="([^"]+)"`)

// openPage GETs a page that must show the form and returns the form's submission id.
func openPage(t *testing.T, pageURL string) (pageReply, string) {
	t.Helper()
	r := pageDo(t, http.MethodGet, pageURL, nil)
	require.Equal(t, http.StatusOK, r.status, r.body)
	m := submissionRE.FindStringSubmatch(r.body)
	require.NotNil(t, m, "the page has no form: %s", r.body)
	return r, m[1]
}

// submitPage posts form to pageURL, expects the 303 to the outcome and returns the outcome page.
func submitPage(t *testing.T, s *linktest.Server, pageURL string, form url.Values) (location string, outcome pageReply) {
	t.Helper()
	r := pageDo(t, http.MethodPost, pageURL, form)
	require.Equal(t, http.StatusSeeOther, r.status, r.body)
	location = r.header.Get("Location")
	require.True(t, strings.HasPrefix(location, "/"), location)
	outcome = pageDo(t, http.MethodGet, s.URL+location, nil)
	require.Equal(t, http.StatusOK, outcome.status, outcome.body)
	return location, outcome
}

// pageSetup is a server, its client, a standard link token, its page and the submission id of
// the form the page showed.
type pageSetup struct {
	s       *linktest.Server
	c       *link.Client
	tok     *link.TokenCreateResponse
	pageURL string
	id      string
}

func newPageSetup(t *testing.T) pageSetup {
	t.Helper()
	p := pageSetup{s: newServer(t)}
	p.c = p.s.Client()
	p.tok = createToken(t, p.c, tokenRequest())
	p.pageURL = p.s.LinkPageURL(p.tok.LinkToken)
	_, p.id = openPage(t, p.pageURL)
	return p
}

func getSessions(t *testing.T, c *link.Client, linkToken string) []link.TokenGetSessionsResponse {
	t.Helper()
	resp, err := c.GetToken(context.Background(), &link.TokenGetRequest{LinkToken: linkToken})
	require.NoError(t, err)
	return resp.LinkSessions
}

func TestPageForm(t *testing.T) {
	s := newServer(t)
	req := tokenRequest()
	req.ClientName = `Wonder<script>alert("x")</script>`
	tok := createToken(t, s.Client(), req)

	r, id := openPage(t, s.LinkPageURL(tok.LinkToken))
	assert.Regexp(t, `^[0-9a-f-]{36}$`, id)
	assert.Equal(t, "text/html; charset=utf-8", r.header.Get("Content-Type"))
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	assert.Equal(t, "same-origin", r.header.Get("Referrer-Policy"))
	assert.Contains(t, r.header.Get("Content-Security-Policy"), "default-src 'none'")

	assert.Contains(t, r.body, `<button type="submit" id="continue" name="action" value="continue">`)
	assert.Contains(t, r.body, `<button type="submit" id="exit" name="action" value="exit">`)
	assert.Contains(t, r.body, `<code id="link-token">`+tok.LinkToken+`</code>`)
	assert.NotContains(t, r.body, "<script", "the client name is escaped")
	assert.Contains(t, r.body, `Wonder&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`)
	assert.NotContains(t, r.body, "http://", "the page loads nothing from anywhere")

	// A US token lists the US institutions, the default first and selected, and no GB ones.
	assert.Contains(t, r.body, `<option value="ins_109508" selected>First Platypus Bank</option>`)
	assert.Contains(t, r.body, `<option value="ins_127287">Platypus OAuth Bank</option>`)
	assert.NotContains(t, r.body, "ins_117650")
	// The default accounts are ticked, the others offered.
	assert.Contains(t, r.body, `value="0000" id="account-0000" checked>`)
	assert.Contains(t, r.body, `value="1111" id="account-1111" checked>`)
	assert.Contains(t, r.body, `value="3333" id="account-3333">`)
	// Every exit status of Plaid's, requires_credentials chosen.
	for _, st := range []string{"requires_questions", "requires_selections", "requires_code", "choose_device",
		"requires_account_selection", "requires_oauth", "institution_not_found", "institution_not_supported"} {
		assert.Contains(t, r.body, `<option value="`+st+`">`+st+`</option>`)
	}
	assert.Contains(t, r.body, `<option value="requires_credentials" selected>`)

	// Each opening of the page gets its own submission id.
	_, id2 := openPage(t, s.LinkPageURL(tok.LinkToken))
	assert.NotEqual(t, id, id2)

	// A GB token lists only the GB institutions.
	gb := tokenRequest()
	gb.CountryCodes = []link.CountryCode{link.CountryCodeGB}
	gbTok := createToken(t, s.Client(), gb)
	r, _ = openPage(t, s.LinkPageURL(gbTok.LinkToken))
	assert.Contains(t, r.body, `<option value="ins_116834" selected>Flexible Platypus Open Banking</option>`)
	assert.Contains(t, r.body, `<option value="ins_117650">Royal Bank of Plaid</option>`)
	assert.NotContains(t, r.body, "ins_109508")
}

func TestPageContinue(t *testing.T) {
	p := newPageSetup(t)
	s, c, tok, pageURL, id := p.s, p.c, p.tok, p.pageURL, p.id

	form := url.Values{"submission": {id}, "action": {"continue"}, "institution": {"ins_109511"},
		"account": {"3333", "0000"}, "exit_status": {"requires_code"}}
	loc, out := submitPage(t, s, pageURL, form)
	assert.Equal(t, "/link/page/"+tok.LinkToken+"?result="+id, loc)

	sessions := getSessions(t, c, tok.LinkToken)
	require.Len(t, sessions, 1)
	got := sessions[0]
	require.NotNil(t, got.OnSuccess)
	assert.Nil(t, got.Exit)
	require.NotNil(t, got.OnSuccess.Metadata)
	assert.Equal(t, "ins_109511", got.OnSuccess.Metadata.Institution.InstitutionID)
	assert.Equal(t, "Tartan Bank", got.OnSuccess.Metadata.Institution.Name)
	accounts := got.OnSuccess.Metadata.Accounts
	require.Len(t, accounts, 2)
	assert.Equal(t, "Plaid Credit Card", accounts[0].Name)
	assert.Equal(t, link.AccountTypeCredit, accounts[0].Type)
	assert.Equal(t, "credit card", accounts[0].Subtype)
	assert.Equal(t, "Plaid Checking", accounts[1].Name)
	assert.Equal(t, "0000", accounts[1].Mask)
	assert.NotEmpty(t, accounts[0].ID)

	assert.Contains(t, out.body, `<section id="outcome" data-status="completed">`)
	assert.Contains(t, out.body, "Tartan Bank was linked: 1 Item created.")
	assert.Contains(t, out.body, `<code id="link-session-id">`+got.LinkSessionID+`</code>`)
	assert.Contains(t, out.body, "Plaid Credit Card (credit card, ···3333), Plaid Checking (checking, ···0000)")
	assert.NotContains(t, out.body, got.OnSuccess.PublicToken, "the page does not show the public token")
	assert.Contains(t, out.body, `<a id="again" href="/link/page/`+tok.LinkToken+`">`)
	assert.NotContains(t, out.body, "http-equiv=\"refresh\"", "only Hosted Link goes anywhere afterwards")

	// The Item the page created is real: its public token exchanges.
	exch, err := c.ExchangePublicToken(context.Background(), &link.ItemPublicTokenExchangeRequest{PublicToken: got.OnSuccess.PublicToken})
	require.NoError(t, err)
	item, ok := s.Item(exch.AccessToken)
	require.True(t, ok)
	assert.Equal(t, "ins_109511", item.InstitutionID)
	assert.Len(t, item.Accounts, 2)

	// A standard link token can run another session from a freshly opened page.
	_, id2 := openPage(t, pageURL)
	_, out2 := submitPage(t, s, pageURL, url.Values{"submission": {id2}, "action": {"exit"},
		"institution": {"ins_109508"}, "exit_status": {"requires_oauth"}})
	assert.Contains(t, out2.body, `data-status="exited"`)
	assert.Len(t, getSessions(t, c, tok.LinkToken), 2)
}

func TestPageExit(t *testing.T) {
	p := newPageSetup(t)
	s, c, tok, pageURL, id := p.s, p.c, p.tok, p.pageURL, p.id

	_, out := submitPage(t, s, pageURL, url.Values{"submission": {id}, "action": {"exit"},
		"institution": {"ins_109512"}, "exit_status": {"institution_not_supported"}})

	sessions := getSessions(t, c, tok.LinkToken)
	require.Len(t, sessions, 1)
	got := sessions[0]
	assert.Nil(t, got.OnSuccess)
	require.NotNil(t, got.Exit)
	require.NotNil(t, got.Exit.Metadata)
	assert.Equal(t, link.ExitStatusInstitutionNotSupported, got.Exit.Metadata.Status)
	assert.Equal(t, "ins_109512", got.Exit.Metadata.Institution.InstitutionID)
	assert.Nil(t, got.Exit.Error)
	assert.Nil(t, got.Results)

	assert.Contains(t, out.body, `<section id="outcome" data-status="exited">`)
	assert.Contains(t, out.body, "The user left Link at Houndstooth Bank with exit status <code>institution_not_supported</code>.")
	assert.Contains(t, out.body, `<code id="exit-status">institution_not_supported</code>`)
	assert.Contains(t, out.body, `<code id="link-session-id">`+got.LinkSessionID+`</code>`)
	assert.Contains(t, out.body, `<p id="webhooks">None:`, "the token names no webhook")
}

// A form posted again, one after the other or at the same moment, shows the first post's outcome
// and does not run a second session.
func TestPageDoubleSubmit(t *testing.T) {
	p := newPageSetup(t)
	s, c, tok, pageURL, id := p.s, p.c, p.tok, p.pageURL, p.id
	form := url.Values{"submission": {id}, "action": {"continue"}, "institution": {"ins_109508"}, "account": {"0000"}}
	loc1, out1 := submitPage(t, s, pageURL, form)
	loc2, out2 := submitPage(t, s, pageURL, form)
	assert.Equal(t, loc1, loc2)
	assert.Equal(t, out1.body, out2.body)
	// Even a post that asks for something else shows what the submission did.
	exitForm := url.Values{"submission": {id}, "action": {"exit"}, "institution": {"ins_109508"}, "exit_status": {"requires_code"}}
	loc3, _ := submitPage(t, s, pageURL, exitForm)
	assert.Equal(t, loc1, loc3)
	require.Len(t, getSessions(t, c, tok.LinkToken), 1)

	_, id = openPage(t, pageURL)
	form.Set("submission", id)
	const posts = 8
	locs := make([]string, posts)
	var wg sync.WaitGroup
	for i := range posts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			locs[i] = pageDo(t, http.MethodPost, pageURL, form).header.Get("Location")
		}()
	}
	wg.Wait()
	for _, l := range locs {
		assert.Equal(t, "/link/page/"+tok.LinkToken+"?result="+id, l)
	}
	assert.Len(t, getSessions(t, c, tok.LinkToken), 2, "eight posts of one form make one session")
}

func TestPageHostedLink(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	rcv := newReceiver(t, c, webhook.WithClock(s.Clock().Now))
	req := tokenRequest()
	req.Webhook = rcv.URL + "/plaid"
	redirect := `https://app.example/done?from=plaid&x="><script>alert(1)</script>`
	req.HostedLink = &link.TokenCreateHostedLink{CompletionRedirectURI: redirect}
	tok := createToken(t, c, req)
	require.NotEmpty(t, tok.HostedLinkURL)

	r, id := openPage(t, tok.HostedLinkURL)
	assert.Contains(t, r.body, "(Hosted Link)")
	hostedPath := strings.TrimPrefix(tok.HostedLinkURL, s.URL)
	assert.Contains(t, r.body, `<form method="post" action="`+hostedPath+`">`)

	form := url.Values{"submission": {id}, "action": {"continue"}, "institution": {"ins_109509"}, "account": {"1111"}}
	loc, out := submitPage(t, s, tok.HostedLinkURL, form)
	assert.Equal(t, hostedPath+"?result="+id, loc)
	assert.NotContains(t, out.body, "<script", "the redirect URI is escaped")
	assert.Contains(t, out.body, `<meta http-equiv="refresh" content="2;url=https://app.example/done?from=plaid&amp;x=&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">`)
	assert.Contains(t, out.body, `<a id="redirect" href="https://app.example/done?from=plaid&amp;x=%22%3e%3cscript%3ealert%281%29%3c/script%3e">`)
	assert.NotContains(t, out.body, `id="again"`, "a Hosted Link URL is good for one session")
	assert.Contains(t, out.body, "First Gingham Credit Union was linked")

	sessions := getSessions(t, c, tok.LinkToken)
	require.Len(t, sessions, 1)
	sessionID := sessions[0].LinkSessionID
	require.NotNil(t, sessions[0].OnSuccess)

	// The webhooks of a Hosted Link session went to the token's webhook URL, and the page lists them.
	var codes []string
	for _, ev := range rcv.received() {
		codes = append(codes, ev.Code())
		switch ev := ev.(type) {
		case *webhook.ItemAddResult:
			assert.Equal(t, sessionID, ev.LinkSessionID)
			assert.Equal(t, sessions[0].OnSuccess.PublicToken, ev.PublicToken)
		case *webhook.SessionFinished:
			assert.Equal(t, sessionID, ev.LinkSessionID)
			assert.Equal(t, webhook.SessionStatus("SUCCESS"), ev.Status)
		case *webhook.Events:
			assert.Equal(t, sessionID, ev.LinkSessionID)
		}
	}
	assert.ElementsMatch(t, []string{"ITEM_ADD_RESULT", "EVENTS", "SESSION_FINISHED"}, codes)
	for _, code := range codes {
		assert.Contains(t, out.body, `<li><code>`+code+`</code> to <code>`+rcv.URL+`/plaid</code>: <span>answered 200</span></li>`)
	}

	// The URL now shows how its session ended; a second session cannot start from it, even with a
	// fresh form from another tab.
	again := pageDo(t, http.MethodGet, tok.HostedLinkURL, nil)
	assert.Equal(t, http.StatusSeeOther, again.status)
	assert.Equal(t, loc, again.header.Get("Location"))
	form.Set("submission", "another-tab")
	form.Set("action", "exit")
	form.Set("exit_status", "requires_code")
	loc2, _ := submitPage(t, s, tok.HostedLinkURL, form)
	assert.Equal(t, loc, loc2)
	assert.Len(t, getSessions(t, c, tok.LinkToken), 1)

	// The same token's page under /link/page/ knows it too.
	viaToken := pageDo(t, http.MethodGet, s.LinkPageURL(tok.LinkToken), nil)
	assert.Equal(t, http.StatusSeeOther, viaToken.status)
}

// A Hosted Link token without completion_redirect_uri stays on the outcome.
func TestPageHostedLinkWithoutRedirect(t *testing.T) {
	s := newServer(t)
	req := tokenRequest()
	req.HostedLink = &link.TokenCreateHostedLink{}
	tok := createToken(t, s.Client(), req)
	_, id := openPage(t, tok.HostedLinkURL)
	_, out := submitPage(t, s, tok.HostedLinkURL, url.Values{"submission": {id}, "action": {"exit"},
		"institution": {"ins_109508"}, "exit_status": {"requires_questions"}})
	assert.Contains(t, out.body, `data-status="exited"`)
	assert.NotContains(t, out.body, "refresh")
	assert.NotContains(t, out.body, `id="redirect"`)
}

func TestPageUpdateMode(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	ctx := context.Background()
	session, err := s.CompleteSession(createToken(t, c, tokenRequest()).LinkToken, linktest.WithInstitution("ins_109510"))
	require.NoError(t, err)
	exch, err := c.ExchangePublicToken(ctx, &link.ItemPublicTokenExchangeRequest{PublicToken: session.PublicToken})
	require.NoError(t, err)
	_, err = c.ResetSandboxItemLogin(ctx, &link.SandboxItemResetLoginRequest{AccessToken: exch.AccessToken})
	require.NoError(t, err)

	req := tokenRequest()
	req.Products = nil
	req.AccessToken = exch.AccessToken
	tok := createToken(t, c, req)
	pageURL := s.LinkPageURL(tok.LinkToken)
	r, id := openPage(t, pageURL)
	assert.Contains(t, r.body, `<h1>Reconnect Tattersall Federal Credit Union</h1>`)
	assert.Contains(t, r.body, `<p id="update-reconnect">Reconnect your account at <strong>Tattersall Federal Credit Union</strong>`)
	assert.Contains(t, r.body, `<p id="update-why">The institution needs you to log in again (ITEM_LOGIN_REQUIRED).</p>`)
	assert.NotContains(t, r.body, `id="institution"`)
	assert.NotContains(t, r.body, `id="accounts"`)

	_, out := submitPage(t, s, pageURL, url.Values{"submission": {id}, "action": {"continue"}})
	assert.Contains(t, out.body, "Reconnected Tattersall Federal Credit Union: the Item was repaired.")
	item, ok := s.Item(exch.AccessToken)
	require.True(t, ok)
	assert.Nil(t, item.Error, "the session cleared ITEM_LOGIN_REQUIRED")
}

func TestPageBadForms(t *testing.T) {
	p := newPageSetup(t)
	s, tok, pageURL, id := p.s, p.tok, p.pageURL, p.id

	tests := []struct {
		name    string
		form    url.Values
		status  int
		message string
		keeps   []string // what the re-rendered form still shows as chosen
	}{
		{"no submission id", url.Values{"action": {"continue"}, "institution": {"ins_109508"}, "account": {"0000"}},
			http.StatusBadRequest, "The form has no valid submission id", nil},
		{"a submission id of the wrong shape", url.Values{"submission": {"a b<"}, "action": {"continue"}},
			http.StatusBadRequest, "The form has no valid submission id", nil},
		{"no action", url.Values{"submission": {id}, "institution": {"ins_109508"}, "account": {"0000"}},
			http.StatusBadRequest, "Press Continue or Exit (the form asked for &#34;&#34;).", nil},
		{"an unknown action", url.Values{"submission": {id}, "action": {"<b>go</b>"}},
			http.StatusBadRequest, "Press Continue or Exit (the form asked for &#34;&lt;b&gt;go&lt;/b&gt;&#34;).", nil},
		{"no account", url.Values{"submission": {id}, "action": {"continue"}, "institution": {"ins_109512"}},
			http.StatusBadRequest, "Pick at least one account to link.",
			[]string{`<option value="ins_109512" selected>`, `value="0000" id="account-0000">`}},
		{"an unknown account", url.Values{"submission": {id}, "action": {"continue"}, "institution": {"ins_109508"}, "account": {"0000", "9999"}},
			http.StatusBadRequest, "There is no account with mask &#34;9999&#34; on this page.", []string{`value="0000" id="account-0000" checked>`}},
		{"an account twice", url.Values{"submission": {id}, "action": {"continue"}, "institution": {"ins_109508"}, "account": {"0000", "0000"}},
			http.StatusBadRequest, "The account with mask &#34;0000&#34; is picked twice.", nil},
		{"no institution", url.Values{"submission": {id}, "action": {"continue"}, "account": {"0000"}},
			http.StatusBadRequest, "Pick an institution.", nil},
		{"an institution of another country", url.Values{"submission": {id}, "action": {"continue"}, "institution": {"ins_117650"}, "account": {"0000"}},
			http.StatusBadRequest, "Institution &#34;ins_117650&#34; is not one the page lists for this link token.", nil},
		{"an unknown exit status", url.Values{"submission": {id}, "action": {"exit"}, "institution": {"ins_109508"}, "exit_status": {"bored"}},
			http.StatusBadRequest, "Pick one of Plaid&#39;s exit statuses, not &#34;bored&#34;.", nil},
		{"an exit without institution", url.Values{"submission": {id}, "action": {"exit"}, "exit_status": {"requires_code"}},
			http.StatusBadRequest, "Pick an institution.", []string{`<option value="requires_code" selected>`}},
		{"a form over 16 KiB", url.Values{"submission": {id}, "action": {"continue"}, "padding": {strings.Repeat("x", 17<<10)}},
			http.StatusRequestEntityTooLarge, "The form is larger than 16384 bytes.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := pageDo(t, http.MethodPost, pageURL, tt.form)
			assert.Equal(t, tt.status, r.status, r.body)
			assert.Contains(t, r.body, `<p class="error" id="error" role="alert">`+tt.message)
			for _, k := range tt.keeps {
				assert.Contains(t, r.body, k)
			}
		})
	}
	assert.Empty(t, getSessions(t, s.Client(), tok.LinkToken), "no bad form starts a session")

	// The submission id of a refused form is still good once the form is fixed.
	_, out := submitPage(t, s, pageURL, url.Values{"submission": {id}, "action": {"continue"}, "institution": {"ins_109508"}, "account": {"0000"}})
	assert.Contains(t, out.body, `data-status="completed"`)
}

func TestPageErrors(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	tok := createToken(t, c, tokenRequest())
	hosted := tokenRequest()
	hosted.HostedLink = &link.TokenCreateHostedLink{URLLifetimeSeconds: link.Ptr(600)}
	hostedTok := createToken(t, c, hosted)
	other := createToken(t, c, tokenRequest())

	_, id := openPage(t, s.LinkPageURL(tok.LinkToken))
	done, _ := submitPage(t, s, s.LinkPageURL(tok.LinkToken), url.Values{"submission": {id}, "action": {"exit"},
		"institution": {"ins_109508"}, "exit_status": {"requires_code"}})

	tests := []struct {
		name, method, url string
		status            int
		message           string
	}{
		{"an unknown link token", http.MethodGet, s.LinkPageURL("link-sandbox-00000000-0000-4000-8000-000000000000"),
			http.StatusNotFound, "The server knows no such link token"},
		{"an unknown link token, posted", http.MethodPost, s.LinkPageURL("link-sandbox-nope"),
			http.StatusNotFound, "The server knows no such link token"},
		{"a link token with markup", http.MethodGet, s.LinkPageURL(`<b>x`),
			http.StatusNotFound, "The server knows no such link token"},
		{"an unknown Hosted Link URL", http.MethodGet, s.URL + "/hl/00000000-0000-4000-8000-000000000000",
			http.StatusNotFound, "This Hosted Link URL is unknown"},
		{"no token", http.MethodGet, s.URL + "/link/page/", http.StatusNotFound, "No such page"},
		{"a deeper path", http.MethodGet, s.LinkPageURL(tok.LinkToken) + "/more", http.StatusNotFound, "No such page"},
		{"another method", http.MethodPut, s.LinkPageURL(tok.LinkToken), http.StatusMethodNotAllowed, "The page answers GET and POST only."},
		{"an unknown result", http.MethodGet, s.LinkPageURL(tok.LinkToken) + "?result=nope",
			http.StatusNotFound, "The server remembers no such result for this link token."},
		{"another token's result", http.MethodGet, s.LinkPageURL(other.LinkToken) + "?result=" + id,
			http.StatusNotFound, "The server remembers no such result for this link token."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var form url.Values
			if tt.method == http.MethodPost {
				form = url.Values{"submission": {"x"}, "action": {"exit"}}
			}
			r := pageDo(t, tt.method, tt.url, form)
			assert.Equal(t, tt.status, r.status, r.body)
			assert.Contains(t, r.body, `<p class="error" id="error" role="alert">`+tt.message)
			assert.NotContains(t, r.body, "<b>")
			assert.NotContains(t, r.body, `id="continue"`)
		})
	}
	assert.Equal(t, "GET, HEAD, POST", pageDo(t, http.MethodDelete, s.LinkPageURL(tok.LinkToken), nil).header.Get("Allow"))

	// Once the tokens expire their pages are gone, with 410, but an outcome stays readable.
	_, hostedID := openPage(t, hostedTok.HostedLinkURL)
	s.Clock().Advance(10 * time.Minute)
	for _, u := range []string{hostedTok.HostedLinkURL, s.LinkPageURL(hostedTok.LinkToken)} {
		r := pageDo(t, http.MethodGet, u, nil)
		assert.Equal(t, http.StatusGone, r.status)
		assert.Contains(t, r.body, "This link token expired at ")
		r = pageDo(t, http.MethodPost, u, url.Values{"submission": {hostedID}, "action": {"exit"},
			"institution": {"ins_109508"}, "exit_status": {"requires_code"}})
		assert.Equal(t, http.StatusGone, r.status)
	}
	s.Clock().Advance(4 * time.Hour)
	r := pageDo(t, http.MethodGet, s.LinkPageURL(tok.LinkToken), nil)
	assert.Equal(t, http.StatusGone, r.status)
	r = pageDo(t, http.MethodGet, s.URL+done, nil)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, r.body, `data-status="exited"`)
}

// A choice the session refuses (here a token whose countries no Sandbox institution serves) shows
// the form again with Plaid's error.
func TestPageNoInstitution(t *testing.T) {
	s := newServer(t)
	req := tokenRequest()
	req.CountryCodes = []link.CountryCode{link.CountryCodeDE}
	tok := createToken(t, s.Client(), req)
	r, id := openPage(t, s.LinkPageURL(tok.LinkToken))
	assert.NotContains(t, r.body, "<option value=\"ins_")
	r = pageDo(t, http.MethodPost, s.LinkPageURL(tok.LinkToken), url.Values{"submission": {id}, "action": {"continue"}, "institution": {"ins_109508"}, "account": {"0000"}})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.body, "No Sandbox institution serves this link token&#39;s country_codes")
}

func TestLinkPageURL(t *testing.T) {
	s := newServer(t)
	assert.Equal(t, s.URL+"/link/page/link-sandbox-1", s.LinkPageURL("link-sandbox-1"))
	assert.Equal(t, s.URL+"/link/page/a%2Fb%3F", s.LinkPageURL("a/b?"))
}

// After a completed session the page tells the developer where the backend gets the public token
// and, when no webhook was sent, why: the webhooks differ by kind of session as at Plaid.
func TestPageSaysWhereThePublicTokenComesFrom(t *testing.T) {
	const get = "/link/token/get (link_sessions[].results.item_add_results)"
	const onSuccess = "; in production, Link&#39;s onSuccess callback hands it to your front end"
	tests := []struct {
		name       string
		kind       int // index in sessionKinds
		webhook    bool
		all        bool
		tokenFrom  string
		noWebhooks string // the text instead of a list; empty when webhooks were sent
	}{
		{"standard without a webhook URL", 0, false, false, get + onSuccess, "None: the link token names no webhook URL."},
		{"standard with a webhook URL", 0, true, false, get + onSuccess, "None: Plaid sends no LINK webhook for a standard Link session"},
		{"standard with Link events for all sessions", 0, true, true, get + " or the SESSION_FINISHED webhook (public_tokens)" + onSuccess, ""},
		{"hosted", 1, true, false, get + " or the ITEM_ADD_RESULT webhook", ""},
		{"multi-item", 2, true, false, get + " or the ITEM_ADD_RESULT webhook", ""},
		{"layer", 3, true, false, get + " or the SESSION_FINISHED webhook (public_tokens)" + onSuccess, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []linktest.Option
			if tt.all {
				opts = append(opts, linktest.WithLinkWebhooksForAllSessions())
			}
			s := newServer(t, opts...)
			hook := ""
			if tt.webhook {
				hook = newHookSink(t).URL
			}
			token := sessionKinds[tt.kind].create(t, s.Client(), hook)
			pageURL := s.LinkPageURL(token)
			_, id := openPage(t, pageURL)
			_, out := submitPage(t, s, pageURL, url.Values{"submission": {id}, "action": {"continue"},
				"institution": {linktest.DefaultInstitutionID}, "account": {"0000"}})
			assert.Contains(t, out.body, `<p id="token-from">Your backend gets the public_token from `+tt.tokenFrom+`, and exchanges it.</p>`)
			if tt.noWebhooks != "" {
				assert.Contains(t, out.body, `<p id="webhooks">`+tt.noWebhooks)
				assert.NotContains(t, out.body, `<ul id="webhooks">`)
			} else {
				assert.Contains(t, out.body, `<ul id="webhooks">`)
				assert.NotContains(t, out.body, `<p id="webhooks">`)
			}
		})
	}
}

// A webhook the receiver refuses shows as failed, with when Plaid's schedule sends it again.
func TestPageShowsAFailedWebhook(t *testing.T) {
	s := newServer(t)
	sink := newHookSink(t, http.StatusInternalServerError)
	token := sessionKinds[3].create(t, s.Client(), sink.URL) // Layer: SESSION_FINISHED only
	pageURL := s.LinkPageURL(token)
	_, id := openPage(t, pageURL)
	_, out := submitPage(t, s, pageURL, url.Values{"submission": {id}, "action": {"exit"},
		"institution": {linktest.DefaultInstitutionID}, "exit_status": {"requires_credentials"}})
	ds := s.Deliveries()
	require.Len(t, ds, 1)
	next := ds[0].NextAttempt.UTC().Format(time.TimeOnly)
	assert.Contains(t, out.body, `<li><code>SESSION_FINISHED</code> to <code>`+sink.URL+`</code>: <span class="failed">answered 500, not 200; next attempt at `+next+`</span></li>`)
}
