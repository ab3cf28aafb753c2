package page

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"

	"github.com/plaidlink/plaidlink-go/link"
)

// pageOutcome is what the page shows after a session.
type pageOutcome struct {
	Completed       bool
	Update          bool
	LinkToken       string
	LinkSessionID   string
	InstitutionID   string
	InstitutionName string
	Accounts        []string
	Items           int
	ExitStatus      link.ExitStatus
	Webhooks        []pageWebhook
	// TokenFrom says where a backend finds the session's public tokens, and NoWebhooks why no
	// webhook was sent: the page is where a developer learns which webhooks Plaid would send.
	TokenFrom, NoWebhooks string
	// Redirect is the completion_redirect_uri of a Hosted Link token, and Refresh the meta refresh
	// that goes there.
	Redirect, Refresh string
	// Again is the page to start another session on the same link token; Hosted Link URLs are
	// good for one session, so it is empty for them.
	Again string
}

func (oc *pageOutcome) title() string {
	if oc.Completed {
		return "Session completed"
	}
	return "Session exited"
}

type pageWebhook struct {
	Code, URL, Status string
	Failed            bool
}

// pageView is what the page template renders: a form, an outcome or an error.
type pageView struct {
	Title   string
	Error   string
	Form    *pageForm
	Outcome *pageOutcome
}

type pageForm struct {
	Action       string
	Submission   string
	LinkToken    string
	ClientName   string
	Hosted       bool
	Update       bool
	UpdateInst   string
	UpdateView   *pageUpdate
	Institutions []pageOption
	Accounts     []pageCheckbox
	ExitStatuses []pageOption
}

type pageOption struct {
	Value, Label string
	Selected     bool
}

type pageCheckbox struct {
	Mask, Label string
	Checked     bool
}

// renderForm shows the form for pt, keeping the choice c (the defaults if it is empty).
func (h *Handler) renderForm(w http.ResponseWriter, status int, pt pageToken, action, id string, c pageChoice, msg string) {
	f := &pageForm{
		Action:     action,
		Submission: id,
		LinkToken:  pt.token,
		ClientName: pt.clientName,
		Hosted:     pt.hostedID != "",
		Update:     pt.update,
		UpdateInst: pt.updateInst.Name,
		UpdateView: pt.updateView,
	}
	fresh := c.action == ""
	for i, in := range pt.insts {
		sel := in.InstitutionID == c.institution || (c.institution == "" && i == 0)
		f.Institutions = append(f.Institutions, pageOption{Value: in.InstitutionID, Label: in.Name, Selected: sel})
	}
	for _, a := range pageAccounts {
		checked := slices.Contains(c.masks, a.Mask) || (fresh && a.Default)
		f.Accounts = append(f.Accounts, pageCheckbox{Mask: a.Mask, Label: fmt.Sprintf("%s (%s, ···%s)", a.Name, a.Subtype, a.Mask), Checked: checked})
	}
	status0 := c.exitStatus
	if status0 == "" {
		status0 = link.ExitStatusRequiresCredentials
	}
	for _, st := range exitStatuses {
		f.ExitStatuses = append(f.ExitStatuses, pageOption{Value: string(st), Label: string(st), Selected: st == status0})
	}
	title := "Connect an account"
	if pt.update {
		title = "Reconnect " + pt.updateInst.Name
	}
	h.renderPage(w, status, pageView{Title: title, Error: msg, Form: f})
}

func (h *Handler) renderPageError(w http.ResponseWriter, e *pageError) {
	h.renderPage(w, e.status, pageView{Title: http.StatusText(e.status), Error: e.msg})
}

func (h *Handler) renderPage(w http.ResponseWriter, status int, v pageView) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, v); err != nil {
		http.Error(w, "linktest: rendering the Link page failed: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
