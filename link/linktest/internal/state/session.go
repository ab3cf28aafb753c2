package state

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/delivery"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/ids"
)

// EventInterval is how far a session driver steps the server's clock before each Link event it
// records, so that the events of a session have strictly increasing timestamps, whole seconds
// apart as in Plaid's samples, and a session takes some fake time as a real one does.
const EventInterval = time.Second

// AbandonedSessionWebhookDelay is how long after the last user interaction the EVENTS and
// SESSION_FINISHED webhooks of an abandoned session are due; Plaid sends them 5 to 15 minutes
// after it.
const AbandonedSessionWebhookDelay = 10 * time.Minute

// MFA types Link reports in event_metadata.mfa_type.
const (
	MFATypeCode       = "code"
	MFATypeDevice     = "device"
	MFATypeQuestions  = "questions"
	MFATypeSelections = "selections"
)

// MaxExtraItems bounds the Items a Multi-Item Link session adds after its first, far above what a
// user links in one session.
const MaxExtraItems = 32

// MaxEventsParts bounds how many times a session may send EVENTS, since each part is a delivery
// the server keeps.
const MaxEventsParts = 16

// SessionConfig is what the session options of package linktest set.
type SessionConfig struct {
	InstitutionID string
	Accounts      []link.SessionSuccessMetadataAccount
	ExitStatus    link.ExitStatus
	EventsParts   int
	ExtraItems    []ExtraItem
	SearchQuery   string
	MFAType       string
	// Bad says which option was given a value it cannot use; the session is then refused.
	Bad string
}

// Refuse records that an option was given a value it cannot use; the first one wins.
func (c *SessionConfig) Refuse(format string, args ...any) {
	if c.Bad == "" {
		c.Bad = fmt.Sprintf(format, args...)
	}
}

// ExtraItem is an Item a Multi-Item Link session links after its first.
type ExtraItem struct {
	InstitutionID string
	Accounts      []link.SessionSuccessMetadataAccount
}

// Session is what a session driver reports of a session.
type Session struct {
	ID            string
	PublicTokens  []string
	InstitutionID string
	Accounts      []link.SessionSuccessMetadataAccount
	// Events are as Link's onEvent sees them: oldest first, with the link_session_id in their
	// metadata.
	Events []link.Event
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

// startLocked checks cfg and opens a session on linkToken. The caller must hold s.mu.
func (s *State) startLocked(method, linkToken string, cfg *SessionConfig) (sessionStart, error) {
	if cfg.Bad != "" {
		return sessionStart{}, fmt.Errorf("linktest: %s: %s", method, cfg.Bad)
	}
	lt, inst, updates, e := s.lookupSessionLocked(linkToken, cfg)
	if e != nil {
		return sessionStart{}, sessionError(e)
	}
	return sessionStart{lt: lt, inst: inst, updates: updates, now: s.nowLocked(), id: ids.UUID()}, nil
}

// onEventView copies a session's events as Link's onEvent gives them, whose metadata names the
// session; /link/token/get and EVENTS webhooks carry the id beside the events instead.
func onEventView(linkSessionID string, events []link.Event) []link.Event {
	out := slices.Clone(events)
	link.FillSessionID(linkSessionID, out)
	return out
}

// sessionError is the error a session driver returns: the same *link.Error the API would give.
func sessionError(e *Error) error {
	return e.Link()
}

// lookupSessionLocked looks up a live link token and the institution a session on it uses.
// The caller must hold s.mu.
func (s *State) lookupSessionLocked(linkToken string, cfg *SessionConfig) (*linkToken, Institution, []*item, *Error) {
	now := s.nowLocked()
	lt, ok := s.linkTokens.Get(linkToken)
	if !ok {
		return nil, Institution{}, nil, errInvalidLinkToken("invalid")
	}
	if !now.Before(lt.expiresAt) {
		return nil, Institution{}, nil, errInvalidLinkToken("expired")
	}
	var updates []*item
	for _, at := range lt.updateTokens {
		it, ok := s.items.Get(at)
		if !ok {
			return nil, Institution{}, nil, errInvalidAccessToken()
		}
		updates = append(updates, it)
	}
	if len(updates) > 0 {
		return lt, updates[0].institution, updates, nil
	}
	inst, e := pickInstitution(lt.metadata.CountryCodes, cfg.InstitutionID)
	if e != nil {
		return nil, Institution{}, nil, e
	}
	return lt, inst, nil, nil
}

// pickInstitution returns the institution id names, which must serve one of ccs, or with id
// empty the first institution that does.
func pickInstitution(ccs []link.CountryCode, id string) (Institution, *Error) {
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

// checkExtraItems resolves the institutions of WithAdditionalItem, which only a Multi-Item Link
// session (not in update mode) can link.
func checkExtraItems(lt *linkToken, update bool, extras []ExtraItem) ([]Institution, error) {
	if len(extras) == 0 {
		return nil, nil
	}
	if !lt.multiItem || update {
		return nil, errors.New("linktest: CompleteSession: WithAdditionalItem needs a link token created with enable_multi_item_link, not in update mode")
	}
	out := make([]Institution, len(extras))
	for i, x := range extras {
		inst, e := pickInstitution(lt.metadata.CountryCodes, x.InstitutionID)
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

// Complete plays an end user who finishes a session on linkToken (see Server.CompleteSession): it
// records the session, issues its public tokens, and returns the webhooks Plaid sends for it,
// first due when the session finished, for the caller to send.
func (s *State) Complete(linkToken string, cfg SessionConfig) (Session, delivery.Batch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.startLocked("CompleteSession", linkToken, &cfg)
	if err != nil {
		return Session{}, delivery.Batch{}, err
	}
	lt, inst, updates, sessionID := st.lt, st.inst, st.updates, st.id
	update := len(updates) > 0
	extras, err := checkExtraItems(lt, update, cfg.ExtraItems)
	if err == nil {
		err = checkMFAType(cfg.MFAType)
	}
	if err == nil && update {
		err = updateItemsLocked(lt, updates, cfg.Accounts, st.now)
	}
	if err != nil {
		return Session{}, delivery.Batch{}, err
	}

	log := newEventLog(s.step)
	log.openLink(inst, update, cfg.SearchQuery)
	log.linkItem(cfg.MFAType)
	items := updates
	if !update {
		items = []*item{newItem(inst, slices.Clone(lt.metadata.InitialProducts), cfg.Accounts, lt.webhook)}
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
		items = append(items, newItem(x, slices.Clone(lt.metadata.InitialProducts), cfg.ExtraItems[i].Accounts, lt.webhook))
	}
	finished := log.last()
	institution := &link.SessionSuccessMetadataInstitution{Name: inst.Name, InstitutionID: inst.InstitutionID}
	res := Session{ID: sessionID, InstitutionID: inst.InstitutionID, Events: onEventView(sessionID, log.events)}
	var adds []link.SessionItemAddResult
	for _, it := range items {
		it.err = nil
		pt := &publicToken{token: ids.PublicToken(), expiresAt: finished.Add(PublicTokenLifetime), item: it}
		s.publicTokens.Put(pt.token, pt)
		res.PublicTokens = append(res.PublicTokens, pt.token)
		adds = append(adds, link.SessionItemAddResult{
			PublicToken: pt.token,
			Accounts:    slices.Clone(it.accounts),
			Institution: &link.SessionSuccessMetadataInstitution{Name: it.institution.Name, InstitutionID: it.institution.InstitutionID},
		})
	}
	res.Accounts = slices.Clone(items[0].accounts)

	lt.addSession(link.TokenGetSessionsResponse{
		LinkSessionID: sessionID,
		StartedAt:     st.now,
		FinishedAt:    finished,
		OnSuccess: &link.SessionSuccess{
			PublicToken: res.PublicTokens[0],
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
	hooks := s.sessionHooks(lt, sessionID, log.events, "SUCCESS", res.PublicTokens, itemAdds, cfg.EventsParts)
	return res, delivery.Batch{URL: lt.webhook, SessionID: sessionID, Hooks: hooks, Due: finished}, nil
}

// Exit plays an end user who leaves a session on linkToken, after perr if it is not nil (see
// Server.ExitSession), and returns the webhooks Plaid sends for it, for the caller to send.
func (s *State) Exit(linkToken string, perr *link.Error, cfg SessionConfig) (Session, delivery.Batch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.startLocked("ExitSession", linkToken, &cfg)
	if err != nil {
		return Session{}, delivery.Batch{}, err
	}
	lt, inst, updates, sessionID := st.lt, st.inst, st.updates, st.id

	log := newEventLog(s.step)
	log.openLink(inst, len(updates) > 0, cfg.SearchQuery)
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
	exit.EventMetadata.ExitStatus = cfg.ExitStatus
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
				Status:        cfg.ExitStatus,
				LinkSessionID: sessionID,
				RequestID:     exitRequestID,
			},
		},
		Events: log.events,
	})

	hooks := s.sessionHooks(lt, sessionID, log.events, "EXITED", nil, nil, cfg.EventsParts)
	res := Session{ID: sessionID, InstitutionID: inst.InstitutionID, Events: onEventView(sessionID, log.events)}
	return res, delivery.Batch{URL: lt.webhook, SessionID: sessionID, Hooks: hooks, Due: finished}, nil
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

// Open plays an end user who opens a session on linkToken and stops at the credentials pane (see
// Server.OpenSession). The batches are the webhooks of the oldest open session, abandoned to make
// room if too many are open, for the caller to schedule.
func (s *State) Open(linkToken string, cfg SessionConfig) (Session, []delivery.Batch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.startLocked("OpenSession", linkToken, &cfg)
	if err != nil {
		return Session{}, nil, err
	}
	log := newEventLog(s.step)
	log.openLink(st.inst, len(st.updates) > 0, cfg.SearchQuery)
	st.lt.addSession(link.TokenGetSessionsResponse{
		LinkSessionID: st.id,
		StartedAt:     st.now,
		Events:        log.events,
	})
	op := &openSession{id: st.id, lt: st.lt, events: log.events, last: log.last(), parts: cfg.EventsParts, started: st.now}
	var abandoned []delivery.Batch
	for _, old := range s.open.Put(op.id, op) {
		// The oldest open session makes room: it is abandoned now rather than forgotten.
		abandoned = append(abandoned, s.abandonLocked(old, s.now()))
	}
	return Session{ID: st.id, InstitutionID: st.inst.InstitutionID, Events: onEventView(st.id, log.events)}, abandoned, nil
}

// Abandon ends the open session linkSessionID (see Server.AbandonSession) and returns the
// webhooks to schedule: its own, and those of the open sessions whose link token has expired.
func (s *State) Abandon(linkSessionID string) (Session, []delivery.Batch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	batches := s.abandonExpiredLocked(now)
	op, ok := s.open.Get(linkSessionID)
	if !ok {
		return Session{}, batches, fmt.Errorf("linktest: AbandonSession: no open Link session %q (it never was opened with OpenSession, or has ended)", linkSessionID)
	}
	batches = append(batches, s.abandonLocked(op, now))
	return Session{ID: op.id, Events: onEventView(op.id, op.events)}, batches, nil
}

// AbandonExpired abandons the open sessions whose link token has expired by now and returns their
// webhooks, for the caller to schedule.
func (s *State) AbandonExpired(now time.Time) []delivery.Batch {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.abandonExpiredLocked(now)
}

// abandonLocked ends an open session at the time at and returns its webhooks, due
// AbandonedSessionWebhookDelay after its last event or at at, whichever is later. The caller must
// hold s.mu.
func (s *State) abandonLocked(op *openSession, at time.Time) delivery.Batch {
	s.open.Del(op.id)
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
	return delivery.Batch{URL: op.lt.webhook, SessionID: op.id, Hooks: hooks, Due: due}
}

// abandonExpiredLocked abandons the open sessions whose link token has expired by now. The
// caller must hold s.mu.
func (s *State) abandonExpiredLocked(now time.Time) []delivery.Batch {
	if s.open.Len() == 0 {
		return nil
	}
	var out []delivery.Batch
	for _, op := range s.open.DeleteIf(func(op *openSession) bool { return !now.Before(op.lt.expiresAt) }) {
		out = append(out, s.abandonLocked(op, op.lt.expiresAt))
	}
	return out
}
