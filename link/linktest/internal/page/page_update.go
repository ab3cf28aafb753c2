package page

import (
	"fmt"
	"html/template"
	"slices"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/state"
)

// This file is the update-mode part of the Link stand-in page: a link token made with
// access_token opens Link on the Item's institution, to reconnect it, as Plaid's update mode does
// (https://plaid.com/docs/link/update-mode/).

// pageUpdate is what the page shows of an update-mode session: the institution being reconnected,
// why the user is there, and with account selection the accounts they can share.
type pageUpdate struct {
	Institution string
	Why         string
	Selection   bool
	Accounts    []pageCheckbox
}

// The "update" template renders pageUpdate inside the page's form (page_template.go calls it); it
// is registered with pageTemplate at package initialization, before any page is rendered.
var _ = template.Must(pageTemplate.New("update").Parse(`
<section id="update">
<p id="update-reconnect">Reconnect your account at <strong>{{.Institution}}</strong> (update mode: the Item is repaired, no new Item is made).</p>
<p id="update-why">{{.Why}}</p>
{{- if .Selection}}
<fieldset id="accounts"><legend>Accounts to share with the app</legend>
{{- range .Accounts}}
<label><input type="checkbox" name="account" value="{{.Mask}}" id="account-{{.Mask}}"{{if .Checked}} checked{{end}}> {{.Label}}</label>
{{- end}}
</fieldset>
{{- end}}
</section>`))

// updatePageView describes the update-mode session that reconnects it, at inst, with account
// selection if selection is set.
func updatePageView(selection bool, inst state.Institution, it state.Item) *pageUpdate {
	v := &pageUpdate{Institution: inst.Name, Selection: selection}
	switch {
	case it.Error != nil && it.Error.ErrorCode == link.ErrorCodeItemLoginRequired:
		v.Why = "The institution needs you to log in again (ITEM_LOGIN_REQUIRED)."
	case it.Error != nil:
		v.Why = fmt.Sprintf("The Item reports %s.", it.Error.ErrorCode)
	case !it.DisconnectTime.IsZero() || !it.ConsentExpirationTime.IsZero():
		v.Why = "Your consent to share data from this institution is about to expire: continue to renew it."
	case len(it.NewAccounts) > 0:
		v.Why = "The institution has accounts you have not shared yet."
	default:
		v.Why = "The Item is healthy; continuing reconnects it all the same."
	}
	if selection {
		for _, a := range append(slices.Clone(it.Accounts), it.NewAccounts...) {
			v.Accounts = append(v.Accounts, pageCheckbox{Mask: a.Mask, Label: fmt.Sprintf("%s (%s, ···%s)", a.Name, a.Subtype, a.Mask), Checked: true})
		}
	}
	return v
}

// updateSessionOptions is the update-mode session the form asks for: with account selection,
// with the accounts picked, by mask.
func (pt pageToken) updateSessionOptions(c pageChoice) (Request, string) {
	req := Request{Complete: true, LinkToken: pt.token}
	if pt.updateView == nil || !pt.updateView.Selection {
		return req, ""
	}
	if len(c.masks) == 0 {
		return Request{}, "Pick at least one account to share."
	}
	var accounts []link.SessionSuccessMetadataAccount
	for _, m := range c.masks {
		if !slices.ContainsFunc(pt.updateView.Accounts, func(a pageCheckbox) bool { return a.Mask == m }) {
			return Request{}, fmt.Sprintf("There is no account with mask %q on this page.", m)
		}
		if slices.ContainsFunc(accounts, func(a link.SessionSuccessMetadataAccount) bool { return a.Mask == m }) {
			return Request{}, fmt.Sprintf("The account with mask %q is picked twice.", m)
		}
		accounts = append(accounts, link.SessionSuccessMetadataAccount{Mask: m})
	}
	req.Accounts = accounts
	return req, ""
}
