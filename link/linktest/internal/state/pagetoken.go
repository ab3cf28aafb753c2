package state

import (
	"time"
)

// TokenView is what the Link page needs of a live link token, copied out under the lock.
type TokenView struct {
	Token      string
	HostedID   string // empty unless the token was created with hosted_link
	Redirect   string // hosted_link.completion_redirect_uri
	Webhook    string // the webhook URL the token names, if any
	MultiItem  bool   // created with enable_multi_item_link
	ClientName string
	ExpiresAt  time.Time
	// Institutions are those serving the token's country_codes, DefaultInstitutionID first.
	Institutions []Institution
	// UpdateItem is the Item an update-mode token reconnects, with its Institution; nil for a
	// token not in update mode.
	UpdateItem        *Item
	UpdateInstitution Institution
	// AccountSelection is update.account_selection_enabled of an update-mode token.
	AccountSelection bool
}

// LookupFailure says why TokenView found no live link token.
type LookupFailure int

// The reasons TokenView can give.
const (
	Found             LookupFailure = iota
	UnknownHostedLink               // the hosted link id was never issued, or its token is forgotten
	UnknownLinkToken                // never issued, or forgotten
	ExpiredLinkToken                // TokenView.ExpiresAt says when
	UpdateItemGone                  // the Item an update-mode token repairs no longer exists
)

// TokenView finds the live link token key names: a link token, or a hosted link id if hosted.
func (s *State) TokenView(key string, hosted bool) (TokenView, LookupFailure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	token := key
	if hosted {
		t, ok := s.hosted[key]
		if !ok {
			return TokenView{}, UnknownHostedLink
		}
		token = t
	}
	lt, ok := s.linkTokens.Get(token)
	if !ok {
		return TokenView{}, UnknownLinkToken
	}
	v := TokenView{
		Token:            lt.token,
		HostedID:         lt.hostedID,
		Redirect:         lt.completionRedirectURI,
		Webhook:          lt.webhook,
		MultiItem:        lt.multiItem,
		ClientName:       lt.metadata.ClientName,
		ExpiresAt:        lt.expiresAt,
		AccountSelection: lt.accountSelection,
	}
	if !now.Before(lt.expiresAt) {
		return v, ExpiredLinkToken
	}
	for _, at := range lt.updateTokens {
		if it, ok := s.items.Get(at); ok {
			snap := it.snapshot()
			v.UpdateItem, v.UpdateInstitution = &snap, it.institution
			break
		}
	}
	if len(lt.updateTokens) > 0 && v.UpdateItem == nil {
		return v, UpdateItemGone
	}
	for _, in := range institutions {
		if servesAny(in, lt.metadata.CountryCodes) {
			v.Institutions = append(v.Institutions, in)
		}
	}
	return v, Found
}
