package linktest

import (
	"errors"
	"slices"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/state"
)

// EventInterval is how far a session driver steps the server's clock before each Link event it
// records, so that the events of a session have strictly increasing timestamps, whole seconds
// apart as in Plaid's samples, and a session takes some fake time as a real one does.
const EventInterval = state.EventInterval

// AbandonedSessionWebhookDelay is how long after the last user interaction the EVENTS and
// SESSION_FINISHED webhooks of an abandoned session are due; Plaid sends them 5 to 15 minutes
// after it.
const AbandonedSessionWebhookDelay = state.AbandonedSessionWebhookDelay

// SessionOption configures a Link session driven by [Server.CompleteSession],
// [Server.ExitSession] or [Server.OpenSession].
type SessionOption func(*state.SessionConfig)

// WithInstitution sets the institution the user picks, one of [Institutions]. It must serve one of
// the link token's country_codes, as only those are listed in Link; otherwise the session fails
// with INVALID_INSTITUTION. Without it the user picks [DefaultInstitutionID] if it serves one of
// those countries (it serves US and CA), or else the first of [Institutions] that does. An
// update-mode session always uses its Item's institution.
func WithInstitution(institutionID string) SessionOption {
	return func(c *state.SessionConfig) { c.InstitutionID = institutionID }
}

// WithAccounts sets the accounts the user links; the default is a checking and a savings account.
// Accounts without an ID get a random one. An update-mode session keeps its Item's accounts,
// unless its link token enables account selection (update.account_selection_enabled): the
// accounts given are then those the user selects, matched by ID (or by mask if without one) among
// the Item's accounts and the new ones Plaid found ([Item].NewAccounts), and they become the
// Item's accounts; without the option the user selects them all.
func WithAccounts(accounts ...link.SessionSuccessMetadataAccount) SessionOption {
	return func(c *state.SessionConfig) { c.Accounts = slices.Clone(accounts) }
}

// WithExitStatus sets the point at which the user left Link in an exited session
// (exit.metadata.status and the EXIT event's exit_status); the default is
// link.ExitStatusRequiresCredentials.
func WithExitStatus(status link.ExitStatus) SessionOption {
	return func(c *state.SessionConfig) { c.ExitStatus = status }
}

// WithEventsWebhooks makes a session that gets the EVENTS webhook get it n times, as Plaid may
// send it more than once for one session: each webhook carries every event so far, the first
// about 1/n of the session's events, the last all of them, so a receiver must merge them (as
// webhook.MergeEvents does) rather than append. 1 means once, the default; n must be from 1 to
// 16, or the session driver refuses the session with an error naming the option and the value. It changes
// nothing for a session that gets no EVENTS webhook (see [Server.CompleteSession]).
func WithEventsWebhooks(n int) SessionOption {
	return func(c *state.SessionConfig) {
		if n < 1 || n > state.MaxEventsParts {
			c.Refuse("WithEventsWebhooks(%d): n must be from 1 to %d", n, state.MaxEventsParts)
			return
		}
		c.EventsParts = n
	}
}

// WithAdditionalItem makes the user of a Multi-Item Link session (a link token created with
// enable_multi_item_link) link one more Item after the first, at institutionID (which must serve
// one of the token's country_codes; empty picks as [WithInstitution] does) with accounts (the
// default checking and savings accounts if none). Each Item gets its own public token, in
// [SessionResult.PublicTokens], results.item_add_results, its own ITEM_ADD_RESULT webhook and
// SESSION_FINISHED's public_tokens, as in Plaid's Multi-Item Link. The option may be repeated, up
// to 32 times; the session driver refuses a session given more.
// [Server.CompleteSession] refuses it for a link token without enable_multi_item_link.
func WithAdditionalItem(institutionID string, accounts ...link.SessionSuccessMetadataAccount) SessionOption {
	return func(c *state.SessionConfig) {
		if len(c.ExtraItems) >= state.MaxExtraItems {
			c.Refuse("WithAdditionalItem(%q): at most %d additional Items per session", institutionID, state.MaxExtraItems)
			return
		}
		c.ExtraItems = append(c.ExtraItems, state.ExtraItem{InstitutionID: institutionID, Accounts: slices.Clone(accounts)})
	}
}

// WithInstitutionSearch makes the user type query into Link's institution search before picking
// the institution: the session's events then have a SEARCH_INSTITUTION, with query in its
// institution_search_query, before SELECT_INSTITUTION, as Link records a search. An update-mode
// session, which opens on its Item's institution, has no search.
func WithInstitutionSearch(query string) SessionOption {
	return func(c *state.SessionConfig) { c.SearchQuery = query }
}

// MFA types Link reports in event_metadata.mfa_type, for [WithMFA].
const (
	MFATypeCode       = state.MFATypeCode
	MFATypeDevice     = state.MFATypeDevice
	MFATypeQuestions  = state.MFATypeQuestions
	MFATypeSelections = state.MFATypeSelections
)

// WithMFA makes the institution ask the user of a [Server.CompleteSession] for multi-factor
// authentication of mfaType ([MFATypeCode], [MFATypeDevice], [MFATypeQuestions] or
// [MFATypeSelections]) after the credentials: the events then have a TRANSITION_VIEW to the MFA
// pane and a SUBMIT_MFA, both with mfa_type, between SUBMIT_CREDENTIALS and the loading pane, as
// Link records them. CompleteSession refuses another mfaType.
func WithMFA(mfaType string) SessionOption {
	return func(c *state.SessionConfig) { c.MFAType = mfaType }
}

// SessionResult is what a Link session driven from a test produced.
type SessionResult struct {
	// LinkSessionID is the session's link_session_id.
	LinkSessionID string
	// PublicToken is the public_token of the session's first Item; empty for an exited session.
	PublicToken string
	// PublicTokens are the public tokens of all Items of the session, one for each Item repaired
	// by an update-mode session that names several access tokens.
	PublicTokens []string
	// InstitutionID is the institution of the session.
	InstitutionID string
	// Accounts are the accounts linked (or, in update mode, kept) by the session.
	Accounts []link.SessionSuccessMetadataAccount
	// Events are the Link events of the session, oldest first, as Link's front end reports them
	// to onEvent (with the link_session_id in their metadata): for every session, whether or not
	// /link/token/get and webhooks show them.
	Events []link.Event
	// Webhooks are the deliveries made during the call, in order: the first attempt at each
	// webhook the session is sent. Later attempts are in [Server.Deliveries].
	Webhooks []WebhookDelivery
}

// WebhookErr returns the delivery errors of the session joined into one, or nil if every webhook
// was delivered (or none was due).
func (r SessionResult) WebhookErr() error {
	var errs []error
	for _, d := range r.Webhooks {
		if d.Err != nil {
			errs = append(errs, d.Err)
		}
	}
	return errors.Join(errs...)
}

// CompleteSession plays an end user who opens Link with linkToken, picks an institution, logs in
// and finishes. It records the session for /link/token/get (on_success, results.item_add_results
// and the events OPEN, TRANSITION_VIEW, SELECT_INSTITUTION, SUBMIT_CREDENTIALS and HANDOFF, with
// SEARCH_INSTITUTION if [WithInstitutionSearch] and SUBMIT_MFA if [WithMFA] is given, each
// [EventInterval] after the last on the server's clock, which the session moves) and issues a
// public token for /item/public_token/exchange.
//
// If the link token names a webhook, the webhooks Plaid sends for such a session are POSTed to it,
// signed, before the call returns, and sent again on Plaid's schedule if they fail (see
// [Server.Deliveries]): ITEM_ADD_RESULT for a Hosted Link (hosted_link set) or Multi-Item Link
// (enable_multi_item_link) token; EVENTS for a Hosted Link token; SESSION_FINISHED for a Hosted
// Link, Multi-Item Link or Layer (/session/token/create) token; none for a standard one. With
// [WithLinkWebhooksForAllSessions], every session gets EVENTS and SESSION_FINISHED. A Multi-Item
// Link session links more than one Item with [WithAdditionalItem].
//
// With a link token in update mode (created with access_token), the session repairs that Item
// instead: its error is cleared (and, as at Plaid, no LOGIN_REPAIRED is sent, since the app's own
// update mode did it), a consent about to expire is renewed for [ConsentRenewal], a pending
// disconnection is called off, account selection adds the accounts chosen (see [WithAccounts]),
// no new Item is made and no ITEM_ADD_RESULT is sent. The public
// token it returns need not be exchanged, but exchanging it gives the Item's existing access token.
//
// The error, if any, is the *link.Error the real Link would show: INVALID_LINK_TOKEN for an
// unknown or expired link token, INVALID_INSTITUTION for an unknown institution or one that serves
// none of the link token's country_codes (see [WithInstitution]). A failed webhook
// delivery does not fail the session; see [SessionResult.WebhookErr].
func (s *Server) CompleteSession(linkToken string, opts ...SessionOption) (SessionResult, error) {
	sess, b, err := s.state.Complete(linkToken, sessionConfig(state.SessionConfig{}, opts))
	if err != nil {
		return SessionResult{}, err
	}
	res := sessionResult(sess)
	res.Webhooks = s.sendNow(b)
	return res, nil
}

// ExitSession plays an end user who opens Link with linkToken and leaves without linking an
// Item, after the error perr if it is not nil (for example ITEM_ERROR / INVALID_CREDENTIALS). It
// records the session for /link/token/get (exit with a copy of perr and metadata; the events
// OPEN, TRANSITION_VIEW, SELECT_INSTITUTION, then SUBMIT_CREDENTIALS and ERROR if perr is set, and
// EXIT, stepped on the server's clock as in [Server.CompleteSession]). The link token's webhook,
// if any, gets the webhooks Plaid sends for an exited session of its kind, as for
// [Server.CompleteSession] but never ITEM_ADD_RESULT: EVENTS and SESSION_FINISHED with status
// EXITED. Errors are as for [Server.CompleteSession].
func (s *Server) ExitSession(linkToken string, perr *link.Error, opts ...SessionOption) (SessionResult, error) {
	cfg := sessionConfig(state.SessionConfig{ExitStatus: link.ExitStatusRequiresCredentials}, opts)
	sess, b, err := s.state.Exit(linkToken, perr, cfg)
	if err != nil {
		return SessionResult{}, err
	}
	res := sessionResult(sess)
	res.Webhooks = s.sendNow(b)
	return res, nil
}

// OpenSession plays an end user who opens Link with linkToken, picks an institution and stops at
// the credentials pane without finishing: the session shows in /link/token/get with its events
// (OPEN, TRANSITION_VIEW, SELECT_INSTITUTION) and no finished_at, and no webhook is sent yet. It
// stays open until the test abandons it with [Server.AbandonSession] or the link token expires on
// the server's clock; either way the session is then abandoned, as when a user closes the Hosted
// Link page or leaves Link open too long, and its EVENTS and SESSION_FINISHED (status EXITED)
// webhooks, if its kind gets them (see [Server.CompleteSession]), are due
// [AbandonedSessionWebhookDelay] after the last event, or at once if that has passed. They are
// sent when the clock reaches that time (see [Clock.Advance]). Errors are as for
// [Server.CompleteSession].
func (s *Server) OpenSession(linkToken string, opts ...SessionOption) (SessionResult, error) {
	sess, abandoned, err := s.state.Open(linkToken, sessionConfig(state.SessionConfig{}, opts))
	if err != nil {
		return SessionResult{}, err
	}
	s.schedule(abandoned)
	return sessionResult(sess), nil
}

// AbandonSession says the user of a session begun with [Server.OpenSession] has left it: closed
// the Hosted Link page, or stopped interacting. The session's webhooks are then due as
// [Server.OpenSession] describes; those already due are sent before AbandonSession returns. The
// result has the session's events. It is an error to abandon a session that is not open (unknown,
// or already abandoned).
func (s *Server) AbandonSession(linkSessionID string) (SessionResult, error) {
	sess, batches, err := s.state.Abandon(linkSessionID)
	// The sessions found expired on the way are abandoned whether or not this one was open.
	s.schedule(batches)
	if err != nil {
		return SessionResult{}, err
	}
	return sessionResult(sess), nil
}

// sessionConfig applies opts over cfg.
func sessionConfig(cfg state.SessionConfig, opts []SessionOption) state.SessionConfig {
	for i, o := range opts {
		if o == nil {
			cfg.Refuse("session option %d of %d is nil", i+1, len(opts))
			continue
		}
		o(&cfg)
	}
	return cfg
}

// sessionResult is the SessionResult of a session the state ran, without its webhooks.
func sessionResult(sess state.Session) SessionResult {
	res := SessionResult{
		LinkSessionID: sess.ID,
		PublicTokens:  sess.PublicTokens,
		InstitutionID: sess.InstitutionID,
		Accounts:      sess.Accounts,
		Events:        sess.Events,
	}
	if len(sess.PublicTokens) > 0 {
		res.PublicToken = sess.PublicTokens[0]
	}
	return res
}
