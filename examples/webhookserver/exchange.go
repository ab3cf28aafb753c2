package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/exchange"
	"github.com/plaidlink/plaidlink-go/webhook"
)

// linker exchanges the public token of each ITEM_ADD_RESULT once and saves the access token. Its
// Exchanger is the one every other path that receives public tokens uses too (the front end's
// onSuccess, WaitForSession), over the store the webhook handler de-duplicates with: in memory
// for one instance, in Redis for a fleet. Whichever path comes first exchanges the token; the
// others hear exchange.ErrAlreadyExchanged.
type linker struct {
	ex    *exchange.Exchanger
	items *itemStore
	// save is items.save; tests swap it for a failing one.
	save exchange.SaveFunc
	log  *slog.Logger
}

// newLinker returns a linker exchanging with client over store, saving into a new itemStore.
func newLinker(client *link.Client, store webhook.Deduper, log *slog.Logger) *linker {
	items := &itemStore{}
	return &linker{ex: exchange.New(client, store), items: items, save: items.save, log: log}
}

// exchange exchanges publicToken once, saving the access token, and logs what happened by
// identifiers only. It returns what Exchange returned.
func (l *linker) exchange(ctx context.Context, linkSessionID, publicToken string) error {
	var itemID string
	err := l.ex.Exchange(ctx, publicToken, func(ctx context.Context, r *link.ItemPublicTokenExchangeResponse) error {
		itemID = r.ItemID
		return l.save(ctx, r)
	})
	var saveErr *exchange.SaveError
	switch {
	case err == nil:
		l.log.Info("exchanged public token", "link_session_id", linkSessionID, "item_id", itemID)
	case errors.Is(err, exchange.ErrAlreadyExchanged):
		l.log.Info("public token already exchanged", "link_session_id", linkSessionID)
	case errors.Is(err, link.ErrOutcomeUnknown):
		// The token is spent, or may be, and its access token was in the lost reply: the user
		// must link again. The Item shows in the Dashboard with no access token here.
		l.log.Error("public token exchange lost its reply; the user must link again", "link_session_id", linkSessionID, "err", err)
	case errors.As(err, &saveErr):
		// The access token is in hand and save could not keep it: keep it somewhere else, here
		// a list an operator drains. The SaveError logs without the token.
		l.items.keepAside(saveErr.Response())
		l.log.Error("access token kept aside: save failed", "link_session_id", linkSessionID, "err", saveErr)
	default:
		// Nothing was spent (the store, a rate limit, this request ending while the exchange goes
		// on): a later delivery, or another path, gets the token exchanged.
		l.log.Warn("public token not exchanged yet", "link_session_id", linkSessionID, "err", err)
	}
	return err
}

// itemAdded handles an ITEM_ADD_RESULT for the webhook handler. Its error decides the answer:
// nil (exchanged here, or already by another path) and errors that retrying cannot help (a lost
// reply, a spent token, a save that failed: each token is done) answer 200, wrapping
// webhook.ErrPermanent; anything else answers 500, so that Plaid delivers the webhook again and a
// later delivery finds the token exchanged, or exchanges it.
func (l *linker) itemAdded(ctx context.Context, ev *webhook.ItemAddResult) error {
	err := l.exchange(ctx, ev.LinkSessionID, ev.PublicToken)
	var saveErr *exchange.SaveError
	switch {
	case err == nil, errors.Is(err, exchange.ErrAlreadyExchanged):
		return nil
	case errors.Is(err, link.ErrOutcomeUnknown), link.IsErrorCode(err, link.ErrorCodeInvalidPublicToken), errors.As(err, &saveErr):
		return fmt.Errorf("%w: %w", webhook.ErrPermanent, err)
	}
	return err
}

// itemStore stands in for the database a service saves access tokens in.
type itemStore struct {
	mu    sync.Mutex
	items map[string]string // item_id → access_token
	aside []*link.ItemPublicTokenExchangeResponse
}

// save is the Exchanger's save: an upsert keyed by item_id, so that a repeated call is harmless.
func (s *itemStore) save(_ context.Context, r *link.ItemPublicTokenExchangeResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.items == nil {
		s.items = make(map[string]string)
	}
	s.items[r.ItemID] = r.AccessToken
	return nil
}

// keepAside keeps a reply whose save failed, so that its access token is not lost.
func (s *itemStore) keepAside(r *link.ItemPublicTokenExchangeResponse) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.aside = append(s.aside, r)
}

// accessToken returns the access token saved for itemID.
func (s *itemStore) accessToken(itemID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok, ok := s.items[itemID]
	return tok, ok
}

// len returns how many Items are saved.
func (s *itemStore) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.items)
}
