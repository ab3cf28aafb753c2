// Package state owns what the fake Plaid knows: link tokens, public tokens, Items and the Link
// sessions run on link tokens. It holds the endpoint handlers, which take decoded requests and
// return Plaid's responses or errors, with the validation Plaid does on each request; the session
// drivers, which play the end user; and the ITEM lifecycle. It decides which webhooks Plaid would
// send and builds their bodies, and hands them back as delivery.Batch values for package delivery
// to send: it never sends anything itself, and knows nothing of HTTP serving (it imports net/http
// only for the status codes a PlaidError carries).
//
// A State has its own lock, which guards everything above; no method returns holding it, and it
// is never held while a webhook is sent.
package state

import (
	"slices"
	"sync"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/fifo"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

// Config is what a State works with.
type Config struct {
	// Now reads the fake clock, and Step moves it by d without waking its subscribers, for the
	// session drivers to step it by EventInterval per Link event.
	Now  func() time.Time
	Step func(d time.Duration) time.Time
	// Signer signs webhooks; /webhook_verification_key/get serves its key.
	Signer *webhooktest.Signer
	// HostedLinkURL is the hosted_link_url of the Hosted Link page with the given id.
	HostedLinkURL func(id string) string
	// AllSessions mirrors linktest.WithLinkWebhooksForAllSessions.
	AllSessions bool
}

// State is the fake's knowledge of tokens, sessions and Items. Its methods are safe for concurrent
// use.
type State struct {
	now           func() time.Time
	step          func(time.Duration) time.Time
	signer        *webhooktest.Signer
	hostedLinkURL func(string) string
	allSessions   bool

	mu           sync.Mutex
	linkTokens   *fifo.Map[*linkToken]
	hosted       map[string]string // hosted link id -> link token
	publicTokens *fifo.Map[*publicToken]
	items        *fifo.Map[*item]        // by access token
	open         *fifo.Map[*openSession] // sessions begun with Open and not yet abandoned
	lastPrune    time.Time
}

// New returns an empty State working with cfg.
func New(cfg Config) *State {
	return &State{
		now:           cfg.Now,
		step:          cfg.Step,
		signer:        cfg.Signer,
		hostedLinkURL: cfg.HostedLinkURL,
		allSessions:   cfg.AllSessions,
		linkTokens:    fifo.New[*linkToken](MaxLinkTokens),
		hosted:        make(map[string]string),
		publicTokens:  fifo.New[*publicToken](MaxPublicTokens),
		items:         fifo.New[*item](MaxItems),
		open:          fifo.New[*openSession](MaxLinkTokens),
	}
}

// SetLimits lowers the store bounds, for tests that reach them.
func (s *State) SetLimits(linkTokens, publicTokens, items int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.linkTokens.SetMax(linkTokens)
	s.publicTokens.SetMax(publicTokens)
	s.items.SetMax(items)
}

// Counts reports how many link tokens, public tokens, Items and Hosted Link pages s holds.
func (s *State) Counts() (linkTokens, publicTokens, items, hosted int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nowLocked()
	return s.linkTokens.Len(), s.publicTokens.Len(), s.items.Len(), len(s.hosted)
}

// nowLocked returns the fake time and forgets what expired long enough ago; it does the pruning
// only when the clock has moved since the last call. The caller must hold s.mu.
func (s *State) nowLocked() time.Time {
	now := s.now()
	if !now.Equal(s.lastPrune) {
		s.lastPrune = now
		for _, lt := range s.linkTokens.DeleteIf(func(lt *linkToken) bool {
			return !now.Before(lt.expiresAt.Add(LinkTokenRetention))
		}) {
			delete(s.hosted, lt.hostedID)
		}
		s.publicTokens.DeleteIf(func(pt *publicToken) bool {
			return !now.Before(pt.expiresAt.Add(PublicTokenRetention))
		})
	}
	return now
}

// putLinkTokenLocked stores lt, forgetting the oldest link token if the store is full.
// The caller must hold s.mu.
func (s *State) putLinkTokenLocked(lt *linkToken) {
	for _, old := range s.linkTokens.Put(lt.token, lt) {
		delete(s.hosted, old.hostedID)
	}
	if lt.hostedID != "" {
		s.hosted[lt.hostedID] = lt.token
	}
}

// Item is a snapshot of an Item the server holds, for assertions in tests.
type Item struct {
	// ItemID is the Item's item_id.
	ItemID string
	// AccessToken is the Item's access_token.
	AccessToken string
	// InstitutionID is the institution the Item is at.
	InstitutionID string
	// Products are the products the Item was created with.
	Products []link.Product
	// Accounts are the Item's accounts.
	Accounts []link.SessionSuccessMetadataAccount
	// Webhook is the webhook URL the Item was created with, if any.
	Webhook string
	// Error is the Item's error: nil while the Item is healthy, ITEM_LOGIN_REQUIRED after
	// /sandbox/item/reset_login until an update-mode session repairs it (or
	// Server.RepairItemOutsideApp), or the error of an ITEM webhook Server.FireItemWebhook sent.
	Error *link.Error
	// ConsentExpirationTime is when the Item's consent expires: zero until PENDING_EXPIRATION
	// (Server.FireItemWebhook), then ConsentRenewal after each update-mode session.
	ConsentExpirationTime time.Time
	// DisconnectTime is when the Item is to be disconnected (PENDING_DISCONNECT), or zero; an
	// update-mode session calls the disconnection off.
	DisconnectTime time.Time
	// NewAccounts are the accounts Plaid found at the institution (NEW_ACCOUNTS_AVAILABLE) that
	// the user has not yet shared through update mode with account selection.
	NewAccounts []link.SessionSuccessMetadataAccount
}

// Item returns the Item an access token belongs to; ok is false for an unknown access token.
func (s *State) Item(accessToken string) (it Item, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nowLocked()
	in, ok := s.items.Get(accessToken)
	if !ok {
		return Item{}, false
	}
	return in.snapshot(), true
}

// Items returns the Items held, oldest first: those whose public token has been exchanged.
func (s *State) Items() []Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nowLocked()
	out := make([]Item, 0, s.items.Len())
	s.items.Each(func(in *item) { out = append(out, in.snapshot()) })
	return out
}

func (in *item) snapshot() Item {
	it := Item{
		ItemID:        in.itemID,
		AccessToken:   in.accessToken,
		InstitutionID: in.institution.InstitutionID,
		Products:      slices.Clone(in.products),
		Accounts:      slices.Clone(in.accounts),
		Webhook:       in.webhook,

		ConsentExpirationTime: in.consentExpiresAt,
		DisconnectTime:        in.disconnectAt,
		NewAccounts:           slices.Clone(in.newAccounts),
	}
	if in.err != nil {
		e := *in.err
		it.Error = &e
	}
	return it
}
