package linktest

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
)

// EventInterval is how far a session driver steps the server's clock before each Link event it
// records, so that the events of a session have strictly increasing timestamps, whole seconds
// apart as in Plaid's samples, and a session takes some fake time as a real one does.
const EventInterval = time.Second

// AbandonedSessionWebhookDelay is how long after the last user interaction the EVENTS and
// SESSION_FINISHED webhooks of an abandoned session are due; Plaid sends them 5 to 15 minutes
// after it.
const AbandonedSessionWebhookDelay = 10 * time.Minute

// SessionOption configures a Link session driven by [Server.CompleteSession],
// [Server.ExitSession] or [Server.OpenSession].
type SessionOption func(*sessionConfig)

type sessionConfig struct {
	institutionID string
	accounts      []link.SessionSuccessMetadataAccount
	exitStatus    link.ExitStatus
	eventsParts   int
	extraItems    []extraItem
	searchQuery   string
	mfaType       string
}

// extraItem is an Item a Multi-Item Link session links after its first.
type extraItem struct {
	institutionID string
	accounts      []link.SessionSuccessMetadataAccount
}

// sessionStart is what every session driver begins with: the live link token, the institution
// the user is at, the Items an update-mode token repairs (none otherwise), the time and a new id.
type sessionStart struct {
	lt      *linkToken
	inst    Institution
	updates []*item
	now     time.Time
	id      string
}

// startSession applies opts over cfg and opens a session on linkToken. On success it returns
// with s.mu held, for the driver to record the session; on failure s.mu is released.
func (s *Server) startSession(linkToken string, cfg *sessionConfig, opts []SessionOption) (sessionStart, error) {
	for _, o := range opts {
		if o != nil {
			o(cfg)
		}
	}
	s.mu.Lock()
	lt, inst, updates, e := s.lookupSessionLocked(linkToken, cfg)
	if e != nil {
		s.mu.Unlock()
		return sessionStart{}, sessionError(e)
	}
	return sessionStart{lt: lt, inst: inst, updates: updates, now: s.nowLocked(), id: newUUID()}, nil
}

// WithInstitution sets the institution the user picks, one of [Institutions]. It must serve one of
// the link token's country_codes, as only those are listed in Link; otherwise the session fails
// with INVALID_INSTITUTION. Without it the user picks [DefaultInstitutionID] if it serves one of
// those countries (it serves US and CA), or else the first of [Institutions] that does. An
// update-mode session always uses its Item's institution.
func WithInstitution(institutionID string) SessionOption {
	return func(c *sessionConfig) { c.institutionID = institutionID }
}

// WithAccounts sets the accounts the user links; the default is a checking and a savings account.
// Accounts without an ID get a random one. An update-mode session keeps its Item's accounts,
// unless its link token enables account selection (update.account_selection_enabled): the
// accounts given are then those the user selects, matched by ID (or by mask if without one) among
// the Item's accounts and the new ones Plaid found ([Item].NewAccounts), and they become the
// Item's accounts; without the option the user selects them all.
func WithAccounts(accounts ...link.SessionSuccessMetadataAccount) SessionOption {
	return func(c *sessionConfig) { c.accounts = slices.Clone(accounts) }
}

// WithExitStatus sets the point at which the user left Link in an exited session
// (exit.metadata.status and the EXIT event's exit_status); the default is
// link.ExitStatusRequiresCredentials.
func WithExitStatus(status link.ExitStatus) SessionOption {
	return func(c *sessionConfig) { c.exitStatus = status }
}

// WithEventsWebhooks makes a session that gets the EVENTS webhook get it n times, as Plaid may
// send it more than once for one session: each webhook carries every event so far, the first
// about 1/n of the session's events, the last all of them, so a receiver must merge them (as
// webhook.MergeEvents does) rather than append. Values below 2 mean once, the default. It changes
// nothing for a session that gets no EVENTS webhook (see [Server.CompleteSession]).
func WithEventsWebhooks(n int) SessionOption {
	return func(c *sessionConfig) { c.eventsParts = min(max(n, 1), maxEventsParts) }
}

// WithAdditionalItem makes the user of a Multi-Item Link session (a link token created with
// enable_multi_item_link) link one more Item after the first, at institutionID (which must serve
// one of the token's country_codes; empty picks as [WithInstitution] does) with accounts (the
// default checking and savings accounts if none). Each Item gets its own public token, in
// [SessionResult.PublicTokens], results.item_add_results, its own ITEM_ADD_RESULT webhook and
// SESSION_FINISHED's public_tokens, as in Plaid's Multi-Item Link. The option may be repeated.
// [Server.CompleteSession] refuses it for a link token without enable_multi_item_link.
func WithAdditionalItem(institutionID string, accounts ...link.SessionSuccessMetadataAccount) SessionOption {
	return func(c *sessionConfig) {
		if len(c.extraItems) < maxExtraItems {
			c.extraItems = append(c.extraItems, extraItem{institutionID, slices.Clone(accounts)})
		}
	}
}

// WithInstitutionSearch makes the user type query into Link's institution search before picking
// the institution: the session's events then have a SEARCH_INSTITUTION, with query in its
// institution_search_query, before SELECT_INSTITUTION, as Link records a search. An update-mode
// session, which opens on its Item's institution, has no search.
func WithInstitutionSearch(query string) SessionOption {
	return func(c *sessionConfig) { c.searchQuery = query }
}

// MFA types Link reports in event_metadata.mfa_type, for [WithMFA].
const (
	MFATypeCode       = "code"
	MFATypeDevice     = "device"
	MFATypeQuestions  = "questions"
	MFATypeSelections = "selections"
)

// WithMFA makes the institution ask the user of a [Server.CompleteSession] for multi-factor
// authentication of mfaType ([MFATypeCode], [MFATypeDevice], [MFATypeQuestions] or
// [MFATypeSelections]) after the credentials: the events then have a TRANSITION_VIEW to the MFA
// pane and a SUBMIT_MFA, both with mfa_type, between SUBMIT_CREDENTIALS and the loading pane, as
// Link records them. CompleteSession refuses another mfaType.
func WithMFA(mfaType string) SessionOption {
	return func(c *sessionConfig) { c.mfaType = mfaType }
}

// maxExtraItems bounds WithAdditionalItem, far above what a user links in one session.
const maxExtraItems = 32

// maxEventsParts bounds WithEventsWebhooks, since each part is a delivery the server keeps.
const maxEventsParts = 16

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

// onEventView copies a session's events as Link's onEvent gives them, whose metadata names the
// session; /link/token/get and EVENTS webhooks carry the id beside the events instead.
func onEventView(linkSessionID string, events []link.Event) []link.Event {
	out := slices.Clone(events)
	link.FillSessionID(linkSessionID, out)
	return out
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

// Environment every webhook names, as Plaid's Sandbox does.
const webhookEnvironment = "sandbox"

// pendingWebhook is a webhook body built under the lock and sent after it is released, because the
// receiver may call back into the server (a verifier fetches the signing key from it).
type pendingWebhook struct {
	code string
	body any
}

type itemAddResultWebhook struct {
	WebhookType   string `json:"webhook_type"`
	WebhookCode   string `json:"webhook_code"`
	LinkSessionID string `json:"link_session_id"`
	LinkToken     string `json:"link_token"`
	PublicToken   string `json:"public_token"`
	Environment   string `json:"environment"`
}

type eventsWebhook struct {
	WebhookType   string       `json:"webhook_type"`
	WebhookCode   string       `json:"webhook_code"`
	Events        []link.Event `json:"events"`
	LinkSessionID string       `json:"link_session_id"`
	LinkToken     string       `json:"link_token"`
	Environment   string       `json:"environment"`
}

type sessionFinishedWebhook struct {
	WebhookType   string   `json:"webhook_type"`
	WebhookCode   string   `json:"webhook_code"`
	Status        string   `json:"status"`
	LinkSessionID string   `json:"link_session_id"`
	LinkToken     string   `json:"link_token"`
	PublicTokens  []string `json:"public_tokens,omitempty"`
	UserID        string   `json:"user_id,omitempty"`
	Environment   string   `json:"environment"`
}

// sessionError is the error a session driver returns: the same *link.Error the API would give.
func sessionError(e *apiError) error {
	err := *e.err
	return &err
}

// lookupSessionLocked looks up a live link token and the institution a session on it uses.
// The caller must hold s.mu.
func (s *Server) lookupSessionLocked(linkToken string, cfg *sessionConfig) (*linkToken, Institution, []*item, *apiError) {
	now := s.nowLocked()
	lt, ok := s.linkTokens.get(linkToken)
	if !ok {
		return nil, Institution{}, nil, errInvalidLinkToken("invalid")
	}
	if !now.Before(lt.expiresAt) {
		return nil, Institution{}, nil, errInvalidLinkToken("expired")
	}
	var updates []*item
	for _, at := range lt.updateTokens {
		it, ok := s.items.get(at)
		if !ok {
			return nil, Institution{}, nil, errInvalidAccessToken()
		}
		updates = append(updates, it)
	}
	if len(updates) > 0 {
		return lt, updates[0].institution, updates, nil
	}
	inst, e := pickInstitution(lt.metadata.CountryCodes, cfg.institutionID)
	if e != nil {
		return nil, Institution{}, nil, e
	}
	return lt, inst, nil, nil
}

// pickInstitution returns the institution id names, which must serve one of ccs, or with id
// empty the first institution that does.
func pickInstitution(ccs []link.CountryCode, id string) (Institution, *apiError) {
	if id == "" {
		// Institutions lists DefaultInstitutionID first, so a US or CA token gets it.
		for _, in := range institutions {
			if servesAny(in, ccs) {
				return in, nil
			}
		}
		return Institution{}, errNoInstitutionForCountries(ccs)
	}
	inst, ok := lookupInstitution(id)
	if !ok {
		return Institution{}, errInvalidInstitution(id)
	}
	if !servesAny(inst, ccs) {
		return Institution{}, errInstitutionCountry(inst, ccs)
	}
	return inst, nil
}

// servesAny reports whether inst serves one of ccs.
func servesAny(inst Institution, ccs []link.CountryCode) bool {
	for _, cc := range ccs {
		if slices.Contains(inst.CountryCodes, cc) {
			return true
		}
	}
	return false
}

// eventLog records a session's events the way Link reports them: each a clock step after the
// last, institution_id and institution_name once the user has picked one, and the request_id of
// the last request Link made, which several events share until Link makes another.
type eventLog struct {
	clock     *Clock
	inst      *Institution
	requestID string
	events    []link.Event
}

func newEventLog(clock *Clock) *eventLog {
	return &eventLog{clock: clock, requestID: newRequestID()}
}

// request starts a new Link request: later events carry its request_id.
func (l *eventLog) request() { l.requestID = newRequestID() }

// pick records that the user is at inst from now on.
func (l *eventLog) pick(inst Institution) { l.inst = &inst }

func (l *eventLog) add(name link.EventName) *link.Event {
	ev := link.Event{
		EventName: name,
		// Plaid's event timestamps are whole seconds (2024-07-29T20:23:59Z), whatever the clock's
		// fraction; EventInterval being a whole second keeps them strictly increasing.
		Timestamp:     link.Timestamp{Time: l.clock.step(EventInterval).Truncate(time.Second)},
		EventID:       newUUID(),
		EventMetadata: link.EventMetadata{RequestID: l.requestID},
	}
	if l.inst != nil {
		ev.EventMetadata.InstitutionID = l.inst.InstitutionID
		ev.EventMetadata.InstitutionName = l.inst.Name
	}
	l.events = append(l.events, ev)
	return &l.events[len(l.events)-1]
}

// view records a TRANSITION_VIEW to the named pane.
func (l *eventLog) view(name string) {
	l.add(link.EventNameTransitionView).EventMetadata.ViewName = name
}

// last is the time of the latest event.
func (l *eventLog) last() time.Time { return l.events[len(l.events)-1].Timestamp.Time }

// openLink records a user opening Link and reaching the credentials pane of inst: searching for it
// (if query is set) and picking it first unless the session is in update mode, where Link opens on
// the Item's institution.
func (l *eventLog) openLink(inst Institution, update bool, query string) {
	l.add(link.EventNameOpen)
	if update {
		l.pick(inst)
	} else {
		l.view("CONSENT")
		l.view("SELECT_INSTITUTION")
		if query != "" {
			// A search is a request of Link's, which the events after it carry.
			l.request()
			l.add(link.EventNameSearchInstitution).EventMetadata.InstitutionSearchQuery = query
		}
		l.request()
		l.pick(inst)
		l.add(link.EventNameSelectInstitution)
	}
	l.view("CREDENTIAL")
}

// submitCredentials records the user submitting their credentials.
func (l *eventLog) submitCredentials() {
	l.request()
	l.add(link.EventNameSubmitCredentials)
}

// linkItem records the user logging in from the credentials pane, answering the institution's MFA
// of mfaType if it is set, and Link handing the Item off.
func (l *eventLog) linkItem(mfaType string) {
	l.submitCredentials()
	if mfaType != "" {
		// mfa_type is emitted by SUBMIT_MFA and by TRANSITION_VIEW when view_name is MFA.
		mfa := l.add(link.EventNameTransitionView)
		mfa.EventMetadata.ViewName, mfa.EventMetadata.MFAType = "MFA", mfaType
		l.request()
		l.add(link.EventNameSubmitMFA).EventMetadata.MFAType = mfaType
	}
	l.view("LOADING")
	l.view("CONNECTED")
	l.add(link.EventNameHandoff)
}

// checkExtraItems resolves the institutions of WithAdditionalItem, which only a Multi-Item Link
// session (not in update mode) can link.
func checkExtraItems(lt *linkToken, update bool, extras []extraItem) ([]Institution, error) {
	if len(extras) == 0 {
		return nil, nil
	}
	if !lt.multiItem || update {
		return nil, errors.New("linktest: CompleteSession: WithAdditionalItem needs a link token created with enable_multi_item_link, not in update mode")
	}
	out := make([]Institution, len(extras))
	for i, x := range extras {
		inst, e := pickInstitution(lt.metadata.CountryCodes, x.institutionID)
		if e != nil {
			return nil, sessionError(e)
		}
		out[i] = inst
	}
	return out, nil
}

// checkMFAType refuses an mfa_type Link does not report, which a test could not meet in Plaid.
func checkMFAType(t string) error {
	switch t {
	case "", MFATypeCode, MFATypeDevice, MFATypeQuestions, MFATypeSelections:
		return nil
	}
	return fmt.Errorf("linktest: CompleteSession: WithMFA(%q): the mfa_type Link reports is one of code, device, questions, selections", t)
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
	var cfg sessionConfig
	st, err := s.startSession(linkToken, &cfg, opts)
	if err != nil {
		return SessionResult{}, err
	}
	lt, inst, updates, sessionID := st.lt, st.inst, st.updates, st.id
	update := len(updates) > 0
	extras, err := checkExtraItems(lt, update, cfg.extraItems)
	if err == nil {
		err = checkMFAType(cfg.mfaType)
	}
	if err == nil && update {
		err = updateItemsLocked(lt, updates, cfg.accounts, st.now)
	}
	if err != nil {
		s.mu.Unlock()
		return SessionResult{}, err
	}

	log := newEventLog(s.clock)
	log.openLink(inst, update, cfg.searchQuery)
	log.linkItem(cfg.mfaType)
	items := updates
	if !update {
		items = []*item{newItem(inst, slices.Clone(lt.metadata.InitialProducts), cfg.accounts, lt.webhook)}
		items[0].userID = lt.userID
	}
	for i, x := range extras {
		// As in Plaid's Multi-Item sample: after a HANDOFF, Link goes back to institution select.
		log.inst = nil
		log.request()
		log.view("SELECT_INSTITUTION")
		log.request()
		log.pick(x)
		log.add(link.EventNameSelectInstitution)
		log.view("CREDENTIAL")
		log.linkItem("")
		items = append(items, newItem(x, slices.Clone(lt.metadata.InitialProducts), cfg.extraItems[i].accounts, lt.webhook))
	}
	finished := log.last()
	institution := &link.SessionSuccessMetadataInstitution{Name: inst.Name, InstitutionID: inst.InstitutionID}
	res := SessionResult{LinkSessionID: sessionID, InstitutionID: inst.InstitutionID, Events: onEventView(sessionID, log.events)}
	var adds []link.SessionItemAddResult
	for _, it := range items {
		it.err = nil
		pt := &publicToken{token: newPublicToken(), expiresAt: finished.Add(PublicTokenLifetime), item: it}
		s.publicTokens.put(pt.token, pt)
		res.PublicTokens = append(res.PublicTokens, pt.token)
		adds = append(adds, link.SessionItemAddResult{
			PublicToken: pt.token,
			Accounts:    slices.Clone(it.accounts),
			Institution: &link.SessionSuccessMetadataInstitution{Name: it.institution.Name, InstitutionID: it.institution.InstitutionID},
		})
	}
	res.PublicToken = res.PublicTokens[0]
	res.Accounts = slices.Clone(items[0].accounts)

	lt.addSession(link.TokenGetSessionsResponse{
		LinkSessionID: sessionID,
		StartedAt:     st.now,
		FinishedAt:    finished,
		OnSuccess: &link.SessionSuccess{
			PublicToken: res.PublicToken,
			Metadata: &link.SessionSuccessMetadata{
				Institution:   institution,
				Accounts:      slices.Clone(items[0].accounts),
				LinkSessionID: sessionID,
			},
		},
		Events: log.events,
		Results: &link.SessionResults{
			ItemAddResults:       adds,
			CRAItemAddResults:    []link.SessionCraItemAddResult{},
			CRAUpdateResults:     []link.SessionCraUpdateResult{},
			BankIncomeResults:    []link.SessionBankIncomeResult{},
			PayrollIncomeResults: []link.SessionPayrollIncomeResult{},
		},
	})

	var itemAdds []string
	if !update {
		itemAdds = res.PublicTokens
	}
	hooks := s.sessionHooks(lt, sessionID, log.events, "SUCCESS", res.PublicTokens, itemAdds, cfg.eventsParts)
	jobs := s.queueLocked(lt.webhook, sessionID, hooks, finished, true)
	s.mu.Unlock()

	res.Webhooks = s.sendNow(jobs)
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
	cfg := sessionConfig{exitStatus: link.ExitStatusRequiresCredentials}
	st, err := s.startSession(linkToken, &cfg, opts)
	if err != nil {
		return SessionResult{}, err
	}
	lt, inst, updates, sessionID := st.lt, st.inst, st.updates, st.id

	log := newEventLog(s.clock)
	log.openLink(inst, len(updates) > 0, cfg.searchQuery)
	var exitErr *link.Error
	if perr != nil {
		ee := *perr
		exitErr = &ee
		log.submitCredentials()
		ev := log.add(link.EventNameError)
		ev.EventMetadata.ErrorType = ee.ErrorType
		ev.EventMetadata.ErrorCode = string(ee.ErrorCode)
		ev.EventMetadata.ErrorMessage = ee.ErrorMessage
		if exitErr.RequestID == "" {
			exitErr.RequestID = ev.EventMetadata.RequestID
		}
		log.view("ERROR")
	}
	// Closing Link is a request of its own; the sample EXIT event has a request_id no other has.
	log.request()
	exit := log.add(link.EventNameExit)
	exit.EventMetadata.ExitStatus = cfg.exitStatus
	if exitErr != nil {
		exit.EventMetadata.ErrorType = exitErr.ErrorType
		exit.EventMetadata.ErrorCode = string(exitErr.ErrorCode)
		exit.EventMetadata.ErrorMessage = exitErr.ErrorMessage
	}
	exitRequestID := exit.EventMetadata.RequestID
	finished := log.last()

	lt.addSession(link.TokenGetSessionsResponse{
		LinkSessionID: sessionID,
		StartedAt:     st.now,
		FinishedAt:    finished,
		Exit: &link.SessionExit{
			Error: exitErr,
			Metadata: &link.SessionExitMetadata{
				Institution:   &link.SessionExitMetadataInstitution{Name: inst.Name, InstitutionID: inst.InstitutionID},
				Status:        cfg.exitStatus,
				LinkSessionID: sessionID,
				RequestID:     exitRequestID,
			},
		},
		Events: log.events,
	})

	hooks := s.sessionHooks(lt, sessionID, log.events, "EXITED", nil, nil, cfg.eventsParts)
	jobs := s.queueLocked(lt.webhook, sessionID, hooks, finished, true)
	s.mu.Unlock()

	res := SessionResult{LinkSessionID: sessionID, InstitutionID: inst.InstitutionID, Events: onEventView(sessionID, log.events)}
	res.Webhooks = s.sendNow(jobs)
	return res, nil
}

// openSession is a session the user opened and has not finished.
type openSession struct {
	id      string
	lt      *linkToken
	events  []link.Event
	last    time.Time // of the last user interaction
	parts   int
	started time.Time
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
	var cfg sessionConfig
	st, err := s.startSession(linkToken, &cfg, opts)
	if err != nil {
		return SessionResult{}, err
	}
	log := newEventLog(s.clock)
	log.openLink(st.inst, len(st.updates) > 0, cfg.searchQuery)
	st.lt.addSession(link.TokenGetSessionsResponse{
		LinkSessionID: st.id,
		StartedAt:     st.now,
		Events:        log.events,
	})
	op := &openSession{id: st.id, lt: st.lt, events: log.events, last: log.last(), parts: cfg.eventsParts, started: st.now}
	for _, old := range s.open.put(op.id, op) {
		// The oldest open session makes room: it is abandoned now rather than forgotten.
		s.abandonLocked(old, s.clock.Now())
	}
	s.mu.Unlock()
	s.clock.notify()
	return SessionResult{LinkSessionID: st.id, InstitutionID: st.inst.InstitutionID, Events: onEventView(st.id, log.events)}, nil
}

// AbandonSession says the user of a session begun with [Server.OpenSession] has left it: closed
// the Hosted Link page, or stopped interacting. The session's webhooks are then due as
// [Server.OpenSession] describes; those already due are sent before AbandonSession returns. The
// result has the session's events. It is an error to abandon a session that is not open (unknown,
// or already abandoned).
func (s *Server) AbandonSession(linkSessionID string) (SessionResult, error) {
	s.mu.Lock()
	now := s.nowLocked()
	s.abandonExpiredLocked(now)
	op, ok := s.open.get(linkSessionID)
	if !ok {
		s.mu.Unlock()
		return SessionResult{}, fmt.Errorf("linktest: AbandonSession: no open Link session %q (it never was opened with OpenSession, or has ended)", linkSessionID)
	}
	s.abandonLocked(op, now)
	s.mu.Unlock()
	s.clock.notify()
	return SessionResult{LinkSessionID: op.id, Events: onEventView(op.id, op.events)}, nil
}

// abandonLocked ends an open session at the time at and queues its webhooks. The caller must
// hold s.mu.
func (s *Server) abandonLocked(op *openSession, at time.Time) {
	s.open.del(op.id)
	for i := range op.lt.sessions {
		if op.lt.sessions[i].LinkSessionID == op.id {
			op.lt.sessions[i].FinishedAt = at
		}
	}
	due := op.last.Add(AbandonedSessionWebhookDelay)
	if at.After(due) {
		due = at
	}
	hooks := s.sessionHooks(op.lt, op.id, op.events, "EXITED", nil, nil, op.parts)
	s.queueLocked(op.lt.webhook, op.id, hooks, due, false)
}

// abandonExpiredLocked abandons the open sessions whose link token has expired by now. The
// caller must hold s.mu.
func (s *Server) abandonExpiredLocked(now time.Time) {
	if s.open.len() == 0 {
		return
	}
	for _, op := range s.open.deleteIf(func(op *openSession) bool { return !now.Before(op.lt.expiresAt) }) {
		s.abandonLocked(op, op.lt.expiresAt)
	}
}

// linkData is what Plaid sends about a session on one link token beyond its outcome: the Link
// webhooks and the events /link/token/get shows.
type linkData struct {
	// events is the EVENTS webhook, and the events in /link/token/get: for Hosted Link sessions,
	// or every session on an account enabled for Link events.
	events bool
	// itemAddResult is the ITEM_ADD_RESULT webhook: for Hosted Link and Multi-Item Link sessions.
	itemAddResult bool
	// sessionFinished is the SESSION_FINISHED webhook: for Hosted Link, Multi-Item Link and Layer
	// sessions, or every session on an account enabled for Link events.
	sessionFinished bool
}

// linkDataFor is the one place that decides, as Plaid's reference does, what a session on lt
// gets (see [WithLinkWebhooksForAllSessions]).
func (s *Server) linkDataFor(lt *linkToken) linkData {
	hosted := lt.hostedID != ""
	return linkData{
		events:          hosted || s.allSessions,
		itemAddResult:   hosted || lt.multiItem,
		sessionFinished: hosted || lt.multiItem || lt.layer || s.allSessions,
	}
}

// sessionHooks builds the webhooks Plaid sends when a session on lt ends, those linkDataFor
// allows: ITEM_ADD_RESULT for each of itemAdds, EVENTS (parts times, cumulative), then
// SESSION_FINISHED. None if lt has no webhook.
func (s *Server) sessionHooks(lt *linkToken, sessionID string, events []link.Event, status string, publicTokens, itemAdds []string, parts int) []pendingWebhook {
	if lt.webhook == "" {
		return nil
	}
	send := s.linkDataFor(lt)
	var hooks []pendingWebhook
	eventsHook := func(evs []link.Event) pendingWebhook {
		return pendingWebhook{"EVENTS", eventsWebhook{
			WebhookType: "LINK", WebhookCode: "EVENTS", Events: unordered(sessionID, evs),
			LinkSessionID: sessionID, LinkToken: lt.token, Environment: webhookEnvironment,
		}}
	}
	if send.events {
		// Earlier EVENTS webhooks carry the events so far; Plaid sends them while the session runs.
		for k := 1; k < parts; k++ {
			if n := len(events) * k / parts; n > 0 {
				hooks = append(hooks, eventsHook(events[:n]))
			}
		}
	}
	if send.itemAddResult {
		for _, pt := range itemAdds {
			hooks = append(hooks, pendingWebhook{"ITEM_ADD_RESULT", itemAddResultWebhook{
				WebhookType: "LINK", WebhookCode: "ITEM_ADD_RESULT", LinkSessionID: sessionID,
				LinkToken: lt.token, PublicToken: pt, Environment: webhookEnvironment,
			}})
		}
	}
	if send.events {
		hooks = append(hooks, eventsHook(events))
	}
	if send.sessionFinished {
		hooks = append(hooks, pendingWebhook{"SESSION_FINISHED", sessionFinishedWebhook{
			WebhookType: "LINK", WebhookCode: "SESSION_FINISHED", Status: status,
			LinkSessionID: sessionID, LinkToken: lt.token, PublicTokens: slices.Clone(publicTokens),
			UserID: lt.userID, Environment: webhookEnvironment,
		}})
	}
	return hooks
}

// unordered returns a copy of a session's events in the order an EVENTS webhook lists them: no
// particular one, as in Plaid's sample, where TRANSITION_VIEW at 00:17:54 comes first and EXIT
// at 00:18:13 fourth. A receiver must sort them (webhook.MergeEvents does) and the fake makes sure
// that it has to: the order is a shuffle, seeded by the session and the list's length, and never
// the chronological one.
func unordered(sessionID string, events []link.Event) []link.Event {
	out := slices.Clone(events)
	if len(out) < 2 {
		return out
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(sessionID))
	r := rand.New(rand.NewPCG(h.Sum64(), uint64(len(out))))
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	if slices.EqualFunc(out, events, func(a, b link.Event) bool { return a.EventID == b.EventID }) {
		out[0], out[1] = out[1], out[0]
	}
	return out
}
