// Package page owns the Link page: the HTML page that stands in for Link's front end, so that a
// person can play the end user of a link token in a browser. Package linktest serves it on the
// fake's own origin, because a Hosted Link token's hosted_link_url must point there. The page
// looks link tokens up in the state package, runs the session the form asks for through a
// function package linktest gives it (so that the session's webhooks are sent as for any other
// session), remembers each submission so that a form posted twice runs one session, and refuses
// cross-site posts.
package page

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/delivery"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/ids"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/state"
)

// LinkPrefix is the path of the Link stand-in page for any link token, as
// LinkPrefix + link_token. A Hosted Link token's hosted_link_url (HostedPrefix + id)
// serves the same page.
const LinkPrefix = "/link/page/"

// HostedPrefix is the path of the Hosted Link pages the server hands out as hosted_link_url.
const HostedPrefix = "/hl/"

// Bounds of the page, so that a browser left open or a script posting forms cannot make the server
// grow without limit.
const (
	// maxPageFormBytes bounds a submitted form; the page's own forms are a few hundred bytes.
	maxPageFormBytes = 16 << 10
	// maxPageSubmissions is how many submissions (and so outcomes) the page remembers.
	maxPageSubmissions = 1000
	// maxSubmissionIDLen bounds the submission id a form carries; the page makes 36-character ids.
	maxSubmissionIDLen = 64
)

// pageRedirectDelay is how long the outcome of a Hosted Link session stays on screen before the
// page goes to the token's completion_redirect_uri: long enough to read what happened.
const pageRedirectDelay = 2 * time.Second

// IsPagePath reports whether path is one of the Link stand-in page's.
func IsPagePath(path string) bool {
	return strings.HasPrefix(path, LinkPrefix) || strings.HasPrefix(path, HostedPrefix)
}

// Request is the session the form asks for: completed (Complete) at InstitutionID with Accounts,
// or exited with ExitStatus. An update-mode session has no InstitutionID, and Accounts only with
// account selection.
type Request struct {
	Complete      bool
	LinkToken     string
	InstitutionID string
	Accounts      []link.SessionSuccessMetadataAccount
	ExitStatus    link.ExitStatus
}

// Result is what the page shows of a session it ran.
type Result struct {
	LinkSessionID string
	InstitutionID string
	PublicTokens  int
	Accounts      []link.SessionSuccessMetadataAccount
	// Webhooks are the first attempts at the webhooks the session sent.
	Webhooks []delivery.WebhookDelivery
}

// RunFunc runs a session as Server.CompleteSession or Server.ExitSession does.
type RunFunc func(Request) (Result, error)

// Handler serves the Link page. Its methods are safe for concurrent use.
type Handler struct {
	state *state.State
	run   RunFunc
	pages pageStore
}

// New returns a Handler that looks link tokens up in st and runs the sessions the form asks for
// with run.
func New(st *state.State, run RunFunc) *Handler {
	return &Handler{state: st, run: run}
}

// pageAccount is an account the page offers, as Plaid's Sandbox user_good has them. The mask is
// unique among them and is what the form sends.
type pageAccount struct {
	Name    string
	Mask    string
	Type    link.AccountType
	Subtype string
	// Default is whether the account is ticked when the page opens; the defaults match the
	// accounts of a session driven without WithAccounts.
	Default bool
}

var pageAccounts = []pageAccount{
	{Name: "Plaid Checking", Mask: "0000", Type: link.AccountTypeDepository, Subtype: "checking", Default: true},
	{Name: "Plaid Saving", Mask: "1111", Type: link.AccountTypeDepository, Subtype: "savings", Default: true},
	{Name: "Plaid CD", Mask: "2222", Type: link.AccountTypeDepository, Subtype: "cd"},
	{Name: "Plaid Credit Card", Mask: "3333", Type: link.AccountTypeCredit, Subtype: "credit card"},
	{Name: "Plaid Money Market", Mask: "4444", Type: link.AccountTypeDepository, Subtype: "money market"},
	{Name: "Plaid IRA", Mask: "5555", Type: link.AccountTypeInvestment, Subtype: "ira"},
	{Name: "Plaid 401k", Mask: "6666", Type: link.AccountTypeInvestment, Subtype: "401k"},
	{Name: "Plaid Student Loan", Mask: "7777", Type: link.AccountTypeLoan, Subtype: "student"},
	{Name: "Plaid Mortgage", Mask: "8888", Type: link.AccountTypeLoan, Subtype: "mortgage"},
}

// exitStatuses are the statuses the page offers for an exit: Plaid's, in the spec's order.
var exitStatuses = []link.ExitStatus{
	link.ExitStatusRequiresQuestions,
	link.ExitStatusRequiresSelections,
	link.ExitStatusRequiresCode,
	link.ExitStatusChooseDevice,
	link.ExitStatusRequiresCredentials,
	link.ExitStatusRequiresAccountSelection,
	link.ExitStatusRequiresOAuth,
	link.ExitStatusInstitutionNotFound,
	link.ExitStatusInstitutionNotSupported,
}

// The form's actions, the values of the buttons with ids continue and exit.
const (
	pageActionContinue = "continue"
	pageActionExit     = "exit"
)

// pageToken is what the page needs of a live link token, copied out under s.mu.
type pageToken struct {
	token      string
	hostedID   string // empty unless the token was created with hosted_link
	redirect   string // hosted_link.completion_redirect_uri
	webhook    string // the webhook URL the token names, if any
	multiItem  bool   // created with enable_multi_item_link
	clientName string
	insts      []state.Institution // those serving the token's country_codes
	update     bool
	updateInst state.Institution // the Item's institution in update mode
	updateView *pageUpdate       // what the page shows in update mode (page_update.go)
}

// pageError is an error page: the HTTP status and what to tell the developer.
type pageError struct {
	status int
	msg    string
}

// lookupPageToken finds the live link token a page path names: key is a link token, or a hosted
// link id if hosted.
func (h *Handler) lookupPageToken(key string, hosted bool) (pageToken, *pageError) {
	v, failure := h.state.TokenView(key, hosted)
	switch failure {
	case state.UnknownHostedLink:
		return pageToken{}, &pageError{http.StatusNotFound, "This Hosted Link URL is unknown to the server: it was never issued, or its link token has been forgotten."}
	case state.UnknownLinkToken:
		return pageToken{}, &pageError{http.StatusNotFound, "The server knows no such link token: create one with /link/token/create first. Link tokens are forgotten six hours after they expire."}
	case state.ExpiredLinkToken:
		return pageToken{}, &pageError{http.StatusGone, fmt.Sprintf("This link token expired at %s; create a new one.", v.ExpiresAt.UTC().Format(time.RFC3339))}
	case state.UpdateItemGone:
		return pageToken{}, &pageError{http.StatusGone, "The Item this update-mode link token repairs no longer exists."}
	}
	pt := pageToken{
		token:      v.Token,
		hostedID:   v.HostedID,
		redirect:   v.Redirect,
		webhook:    v.Webhook,
		multiItem:  v.MultiItem,
		clientName: v.ClientName,
		insts:      v.Institutions,
	}
	if v.UpdateItem != nil {
		pt.update, pt.updateInst = true, v.UpdateInstitution
		pt.updateView = updatePageView(v.AccountSelection, v.UpdateInstitution, *v.UpdateItem)
	}
	return pt, nil
}

// pageChoice is what the user chose on the form.
type pageChoice struct {
	action      string
	institution string
	masks       []string
	exitStatus  link.ExitStatus
}

// ServeHTTP serves the Link stand-in page: GET shows the form (or a remembered outcome), POST
// runs the session the form asks for.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	// The page carries a link token in its URL: it must not be cached or leak through Referer to
	// the completion_redirect_uri; and it needs nothing from anywhere else. same-origin rather
	// than no-referrer, under which a browser sends the page's own form posts with Origin: null,
	// which the cross-site check must refuse.
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Referrer-Policy", "same-origin")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")

	key, hosted := strings.CutPrefix(r.URL.Path, HostedPrefix)
	if !hosted {
		key = strings.TrimPrefix(r.URL.Path, LinkPrefix)
	}
	if key == "" || strings.Contains(key, "/") {
		h.renderPageError(w, &pageError{http.StatusNotFound, "No such page: open " + LinkPrefix + "<link_token>, or a hosted_link_url."})
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.pageGet(w, r, key, hosted)
	case http.MethodPost:
		if why := crossSiteRefusal(r.Header, r.Host); why != "" {
			h.renderPageError(w, &pageError{http.StatusForbidden, why + crossSiteHelp})
			return
		}
		h.pagePost(w, r, key, hosted)
	default:
		hdr.Set("Allow", "GET, HEAD, POST")
		h.renderPageError(w, &pageError{http.StatusMethodNotAllowed, "The page answers GET and POST only."})
	}
}

func (h *Handler) pageGet(w http.ResponseWriter, r *http.Request, key string, hosted bool) {
	// An outcome stays readable after its token expires: it is the record of what happened.
	if id := r.URL.Query().Get("result"); id != "" {
		e, ok := h.pages.lookup(id)
		if !ok || (key != e.token && key != e.hostedID) {
			h.renderPageError(w, &pageError{http.StatusNotFound, "The server remembers no such result for this link token."})
			return
		}
		select {
		case <-e.done:
		case <-r.Context().Done():
			return
		}
		if e.outcome == nil {
			h.renderPageError(w, &pageError{http.StatusNotFound, "That submission failed; open the page again to retry."})
			return
		}
		h.renderPage(w, http.StatusOK, pageView{Title: e.outcome.title(), Outcome: e.outcome})
		return
	}
	pt, perr := h.lookupPageToken(key, hosted)
	if perr != nil {
		h.renderPageError(w, perr)
		return
	}
	if pt.hostedID != "" {
		if e, ok := h.pages.hostedOutcome(pt.token); ok {
			http.Redirect(w, r, resultPath(r.URL.Path, e.id), http.StatusSeeOther)
			return
		}
	}
	h.renderForm(w, http.StatusOK, pt, r.URL.Path, ids.UUID(), pageChoice{}, "")
}

func (h *Handler) pagePost(w http.ResponseWriter, r *http.Request, key string, hosted bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxPageFormBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.renderPageError(w, &pageError{http.StatusRequestEntityTooLarge, fmt.Sprintf("The form is larger than %d bytes.", maxPageFormBytes)})
			return
		}
		h.renderPageError(w, &pageError{http.StatusBadRequest, "The form could not be read: " + err.Error()})
		return
	}
	pt, perr := h.lookupPageToken(key, hosted)
	if perr != nil {
		h.renderPageError(w, perr)
		return
	}
	f := r.PostForm
	id := f.Get("submission")
	if !validSubmissionID(id) {
		h.renderPageError(w, &pageError{http.StatusBadRequest, "The form has no valid submission id; open the page again and use its form."})
		return
	}
	c := pageChoice{
		action:      f.Get("action"),
		institution: f.Get("institution"),
		masks:       f["account"],
		exitStatus:  link.ExitStatus(f.Get("exit_status")),
	}
	req, msg := pt.sessionOptions(c)
	if msg != "" {
		h.renderForm(w, http.StatusBadRequest, pt, r.URL.Path, id, c, msg)
		return
	}

	for {
		e, mine := h.pages.claim(id, pt)
		if !mine {
			select {
			case <-e.done:
			case <-r.Context().Done():
				return
			}
			if e.outcome != nil {
				http.Redirect(w, r, resultPath(r.URL.Path, e.id), http.StatusSeeOther)
				return
			}
			// The earlier post failed and was forgotten: this one tries again.
			continue
		}
		oc, err := h.runPageSession(pt, c, req)
		h.pages.finish(e, oc, err)
		if err != nil {
			h.renderSessionError(w, pt, r.URL.Path, id, c, err)
			return
		}
		http.Redirect(w, r, resultPath(r.URL.Path, e.id), http.StatusSeeOther)
		return
	}
}

// validSubmissionID reports whether id looks like one the page made.
func validSubmissionID(id string) bool {
	if id == "" || len(id) > maxSubmissionIDLen {
		return false
	}
	for _, r := range id {
		if !(r == '-' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}

func resultPath(pagePath, id string) string {
	return pagePath + "?result=" + url.QueryEscape(id)
}

// sessionOptions checks the user's choice against what the page offered and turns it into
// session options; msg says what is wrong, if anything.
func (pt pageToken) sessionOptions(c pageChoice) (req Request, msg string) {
	switch c.action {
	case pageActionContinue:
		if pt.update {
			return pt.updateSessionOptions(c)
		}
		inst, msg := pt.institution(c.institution)
		if msg != "" {
			return Request{}, msg
		}
		if len(c.masks) == 0 {
			return Request{}, "Pick at least one account to link."
		}
		var accounts []link.SessionSuccessMetadataAccount
		for _, m := range c.masks {
			i := slices.IndexFunc(pageAccounts, func(a pageAccount) bool { return a.Mask == m })
			if i < 0 {
				return Request{}, fmt.Sprintf("There is no account with mask %q on this page.", m)
			}
			a := pageAccounts[i]
			if slices.ContainsFunc(accounts, func(x link.SessionSuccessMetadataAccount) bool { return x.Mask == a.Mask }) {
				return Request{}, fmt.Sprintf("The account with mask %q is picked twice.", m)
			}
			accounts = append(accounts, link.SessionSuccessMetadataAccount{Name: a.Name, Mask: a.Mask, Type: a.Type, Subtype: a.Subtype})
		}
		return Request{Complete: true, LinkToken: pt.token, InstitutionID: inst, Accounts: accounts}, ""
	case pageActionExit:
		if !slices.Contains(exitStatuses, c.exitStatus) {
			return Request{}, fmt.Sprintf("Pick one of Plaid's exit statuses, not %q.", c.exitStatus)
		}
		req := Request{LinkToken: pt.token, ExitStatus: c.exitStatus}
		if pt.update {
			return req, ""
		}
		inst, msg := pt.institution(c.institution)
		if msg != "" {
			return Request{}, msg
		}
		req.InstitutionID = inst
		return req, ""
	}
	return Request{}, fmt.Sprintf("Press Continue or Exit (the form asked for %q).", c.action)
}

// institution checks an institution id from the form against those the page lists.
func (pt pageToken) institution(id string) (string, string) {
	if len(pt.insts) == 0 {
		return "", "No Sandbox institution serves this link token's country_codes, so there is nothing to link."
	}
	if id == "" {
		return "", "Pick an institution."
	}
	if !slices.ContainsFunc(pt.insts, func(in state.Institution) bool { return in.InstitutionID == id }) {
		return "", fmt.Sprintf("Institution %q is not one the page lists for this link token.", id)
	}
	return id, ""
}

// runPageSession runs the session the form asked for.
func (h *Handler) runPageSession(pt pageToken, c pageChoice, req Request) (*pageOutcome, error) {
	res, err := h.run(req)
	if err != nil {
		return nil, err
	}
	oc := &pageOutcome{
		Completed:     c.action == pageActionContinue,
		Update:        pt.update,
		LinkToken:     pt.token,
		LinkSessionID: res.LinkSessionID,
		InstitutionID: res.InstitutionID,
		Items:         res.PublicTokens,
		ExitStatus:    c.exitStatus,
	}
	if inst, ok := state.LookupInstitution(res.InstitutionID); ok {
		oc.InstitutionName = inst.Name
	}
	for _, a := range res.Accounts {
		oc.Accounts = append(oc.Accounts, fmt.Sprintf("%s (%s, ···%s)", a.Name, a.Subtype, a.Mask))
	}
	oc.TokenFrom, oc.NoWebhooks = tokenSources(pt, res.Webhooks)
	for _, d := range res.Webhooks {
		wd := pageWebhook{Code: d.Code, URL: d.URL, Status: d.Outcome(), Failed: d.Err != nil}
		oc.Webhooks = append(oc.Webhooks, wd)
	}
	if pt.hostedID != "" && pt.redirect != "" {
		oc.Redirect = pt.redirect
		oc.Refresh = fmt.Sprintf("%d;url=%s", int(pageRedirectDelay/time.Second), pt.redirect)
	}
	if pt.hostedID == "" {
		oc.Again = LinkPrefix + url.PathEscape(pt.token)
	}
	return oc, nil
}

// tokenSources says where a backend gets a completed session's public tokens, given the webhooks
// sent, and, if none was, why not.
func tokenSources(pt pageToken, sent []delivery.WebhookDelivery) (tokenFrom, noWebhooks string) {
	codes := map[string]bool{}
	for _, d := range sent {
		codes[d.Code] = true
	}
	tokenFrom = "/link/token/get (link_sessions[].results.item_add_results)"
	switch {
	case codes["ITEM_ADD_RESULT"]:
		tokenFrom += " or the ITEM_ADD_RESULT webhook"
	case codes["SESSION_FINISHED"]:
		tokenFrom += " or the SESSION_FINISHED webhook (public_tokens)"
	}
	// Plaid's front end hands the public token over in onSuccess except in the flows that
	// /link/token/get exists for: Hosted Link and Multi-Item Link.
	if pt.hostedID == "" && !pt.multiItem {
		tokenFrom += "; in production, Link's onSuccess callback hands it to your front end"
	}
	switch {
	case len(sent) > 0:
	case pt.webhook == "":
		noWebhooks = "None: the link token names no webhook URL."
	default:
		noWebhooks = "None: Plaid sends no LINK webhook for a standard Link session (no hosted_link, " +
			"no enable_multi_item_link, not a Layer session token) unless Link events are enabled for " +
			"all sessions on the account, which linktest.WithLinkWebhooksForAllSessions mirrors."
	}
	return tokenFrom, noWebhooks
}

// renderSessionError shows why CompleteSession or ExitSession refused: the form again when the
// user can fix it, an error page when the link token itself is no longer usable.
func (h *Handler) renderSessionError(w http.ResponseWriter, pt pageToken, path, id string, c pageChoice, err error) {
	var perr *link.Error
	if errors.As(err, &perr) {
		switch perr.ErrorCode {
		case link.ErrorCodeInvalidLinkToken, link.ErrorCodeInvalidAccessToken:
			h.renderPageError(w, &pageError{http.StatusGone, string(perr.ErrorCode) + ": " + perr.ErrorMessage})
			return
		}
		h.renderForm(w, http.StatusBadRequest, pt, path, id, c, string(perr.ErrorCode)+": "+perr.ErrorMessage)
		return
	}
	h.renderPageError(w, &pageError{http.StatusInternalServerError, err.Error()})
}
