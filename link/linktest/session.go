package linktest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
)

// SessionOption configures a Link session driven by [Server.CompleteSession] or
// [Server.ExitSession].
type SessionOption func(*sessionConfig)

type sessionConfig struct {
	institutionID string
	accounts      []link.SessionSuccessMetadataAccount
	exitStatus    link.ExitStatus
}

// sessionStart is what both session drivers begin with: the live link token, the institution the
// user is at, the Items an update-mode token repairs (none otherwise), the time and a new id.
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
	lt, inst, updates, e := s.openSessionLocked(linkToken, cfg)
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
// Accounts without an ID get a random one. An update-mode session keeps its Item's accounts.
func WithAccounts(accounts ...link.SessionSuccessMetadataAccount) SessionOption {
	return func(c *sessionConfig) { c.accounts = slices.Clone(accounts) }
}

// WithExitStatus sets the point at which the user left Link in an exited session
// (exit.metadata.status and the EXIT event's exit_status); the default is
// link.ExitStatusRequiresCredentials.
func WithExitStatus(status link.ExitStatus) SessionOption {
	return func(c *sessionConfig) { c.exitStatus = status }
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
	// Events are the Link events of the session, oldest first.
	Events []link.Event
	// Webhooks are the deliveries made to the link token's webhook URL, in order; none if the
	// link token has no webhook.
	Webhooks []WebhookDelivery
}

// WebhookDelivery is one webhook the server POSTed for a session.
type WebhookDelivery struct {
	// Code is the webhook_code: "ITEM_ADD_RESULT", "EVENTS" or "SESSION_FINISHED".
	Code string
	// URL is where the webhook was sent.
	URL string
	// Body is the JSON body that was sent.
	Body []byte
	// StatusCode is the receiver's HTTP status, or 0 if no answer came.
	StatusCode int
	// Err is nil if the receiver answered with a 2xx status, and says why not otherwise.
	Err error
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

// openSessionLocked looks up a live link token and the institution a session on it uses.
// The caller must hold s.mu.
func (s *Server) openSessionLocked(linkToken string, cfg *sessionConfig) (*linkToken, Institution, []*item, *apiError) {
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
	ccs := lt.metadata.CountryCodes
	if cfg.institutionID == "" {
		// Institutions lists DefaultInstitutionID first, so a US or CA token gets it.
		for _, in := range institutions {
			if servesAny(in, ccs) {
				return lt, in, nil, nil
			}
		}
		return nil, Institution{}, nil, errNoInstitutionForCountries(ccs)
	}
	inst, ok := lookupInstitution(cfg.institutionID)
	if !ok {
		return nil, Institution{}, nil, errInvalidInstitution(cfg.institutionID)
	}
	if !servesAny(inst, ccs) {
		return nil, Institution{}, nil, errInstitutionCountry(inst, ccs)
	}
	return lt, inst, nil, nil
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

func newEvent(name link.EventName, at time.Time, inst *Institution) link.Event {
	ev := link.Event{
		EventName:     name,
		Timestamp:     link.Timestamp{Time: at},
		EventID:       newUUID(),
		EventMetadata: link.EventMetadata{RequestID: newRequestID()},
	}
	if inst != nil {
		ev.EventMetadata.InstitutionID = inst.InstitutionID
		ev.EventMetadata.InstitutionName = inst.Name
	}
	return ev
}

// CompleteSession plays an end user who opens Link with linkToken, picks an institution, logs in
// and finishes: it records the session (events OPEN, SELECT_INSTITUTION, SUBMIT_CREDENTIALS and
// HANDOFF, on_success and results.item_add_results) for /link/token/get, issues a public token
// for /item/public_token/exchange, and, if the link token names a webhook, POSTs the signed
// ITEM_ADD_RESULT, EVENTS and SESSION_FINISHED webhooks to it before returning. Every timestamp is
// the server clock's current time.
//
// With a link token in update mode (created with access_token), the session repairs that Item
// instead: its error is cleared, no new Item is made and no ITEM_ADD_RESULT is sent. The public
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
	lt, inst, updates, now, sessionID := st.lt, st.inst, st.updates, st.now, st.id
	update := len(updates) > 0

	events := []link.Event{newEvent(link.EventNameOpen, now, nil)}
	if !update {
		events = append(events, newEvent(link.EventNameSelectInstitution, now, &inst))
	}
	events = append(events,
		newEvent(link.EventNameSubmitCredentials, now, &inst),
		newEvent(link.EventNameHandoff, now, &inst))

	items := updates
	if !update {
		items = []*item{newItem(inst, slices.Clone(lt.metadata.InitialProducts), cfg.accounts, lt.webhook)}
	}
	institution := &link.SessionSuccessMetadataInstitution{Name: inst.Name, InstitutionID: inst.InstitutionID}
	res := SessionResult{LinkSessionID: sessionID, InstitutionID: inst.InstitutionID, Events: slices.Clone(events)}
	var adds []link.SessionItemAddResult
	for _, it := range items {
		it.err = nil
		pt := &publicToken{token: newPublicToken(), expiresAt: now.Add(PublicTokenLifetime), item: it}
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
		StartedAt:     now,
		FinishedAt:    now,
		OnSuccess: &link.SessionSuccess{
			PublicToken: res.PublicToken,
			Metadata: &link.SessionSuccessMetadata{
				Institution:   institution,
				Accounts:      slices.Clone(items[0].accounts),
				LinkSessionID: sessionID,
			},
		},
		Events: events,
		Results: &link.SessionResults{
			ItemAddResults:       adds,
			CRAItemAddResults:    []link.SessionCraItemAddResult{},
			CRAUpdateResults:     []link.SessionCraUpdateResult{},
			BankIncomeResults:    []link.SessionBankIncomeResult{},
			PayrollIncomeResults: []link.SessionPayrollIncomeResult{},
		},
	})

	var hooks []pendingWebhook
	if lt.webhook != "" {
		if !update {
			for _, pt := range res.PublicTokens {
				hooks = append(hooks, pendingWebhook{"ITEM_ADD_RESULT", itemAddResultWebhook{
					WebhookType: "LINK", WebhookCode: "ITEM_ADD_RESULT", LinkSessionID: sessionID,
					LinkToken: lt.token, PublicToken: pt, Environment: webhookEnvironment,
				}})
			}
		}
		hooks = append(hooks, s.finishHooks(lt, sessionID, events, "SUCCESS", res.PublicTokens)...)
	}
	webhookURL := lt.webhook
	s.mu.Unlock()

	res.Webhooks = s.deliver(webhookURL, hooks)
	return res, nil
}

// ExitSession plays an end user who opens Link with linkToken and leaves without linking an
// Item, after the error perr if it is not nil (for example ITEM_ERROR / INVALID_CREDENTIALS). It
// records the session (events OPEN, SELECT_INSTITUTION, then SUBMIT_CREDENTIALS and ERROR if perr
// is set, and EXIT; exit with a copy of perr and metadata) for /link/token/get and, if the link token names a webhook, POSTs
// the signed EVENTS and SESSION_FINISHED (status EXITED) webhooks to it before returning.
// Errors are as for [Server.CompleteSession].
func (s *Server) ExitSession(linkToken string, perr *link.Error, opts ...SessionOption) (SessionResult, error) {
	cfg := sessionConfig{exitStatus: link.ExitStatusRequiresCredentials}
	st, err := s.startSession(linkToken, &cfg, opts)
	if err != nil {
		return SessionResult{}, err
	}
	lt, inst, updates, now, sessionID := st.lt, st.inst, st.updates, st.now, st.id

	events := []link.Event{newEvent(link.EventNameOpen, now, nil)}
	if len(updates) == 0 {
		events = append(events, newEvent(link.EventNameSelectInstitution, now, &inst))
	}
	var exitErr *link.Error
	if perr != nil {
		ee := *perr
		exitErr = &ee
		events = append(events, newEvent(link.EventNameSubmitCredentials, now, &inst))
		ev := newEvent(link.EventNameError, now, &inst)
		ev.EventMetadata.ErrorType = ee.ErrorType
		ev.EventMetadata.ErrorCode = string(ee.ErrorCode)
		ev.EventMetadata.ErrorMessage = ee.ErrorMessage
		if exitErr.RequestID == "" {
			exitErr.RequestID = ev.EventMetadata.RequestID
		}
		events = append(events, ev)
	}
	exit := newEvent(link.EventNameExit, now, &inst)
	exit.EventMetadata.ExitStatus = cfg.exitStatus
	if exitErr != nil {
		exit.EventMetadata.ErrorType = exitErr.ErrorType
		exit.EventMetadata.ErrorCode = string(exitErr.ErrorCode)
		exit.EventMetadata.ErrorMessage = exitErr.ErrorMessage
	}
	events = append(events, exit)

	lt.addSession(link.TokenGetSessionsResponse{
		LinkSessionID: sessionID,
		StartedAt:     now,
		FinishedAt:    now,
		Exit: &link.SessionExit{
			Error: exitErr,
			Metadata: &link.SessionExitMetadata{
				Institution:   &link.SessionExitMetadataInstitution{Name: inst.Name, InstitutionID: inst.InstitutionID},
				Status:        cfg.exitStatus,
				LinkSessionID: sessionID,
				RequestID:     exit.EventMetadata.RequestID,
			},
		},
		Events: events,
	})

	var hooks []pendingWebhook
	if lt.webhook != "" {
		hooks = s.finishHooks(lt, sessionID, events, "EXITED", nil)
	}
	webhookURL := lt.webhook
	s.mu.Unlock()

	res := SessionResult{LinkSessionID: sessionID, InstitutionID: inst.InstitutionID, Events: slices.Clone(events)}
	res.Webhooks = s.deliver(webhookURL, hooks)
	return res, nil
}

// finishHooks builds the EVENTS and SESSION_FINISHED webhooks that end every session.
func (s *Server) finishHooks(lt *linkToken, sessionID string, events []link.Event, status string, publicTokens []string) []pendingWebhook {
	return []pendingWebhook{
		{"EVENTS", eventsWebhook{
			WebhookType: "LINK", WebhookCode: "EVENTS", Events: slices.Clone(events),
			LinkSessionID: sessionID, LinkToken: lt.token, Environment: webhookEnvironment,
		}},
		{"SESSION_FINISHED", sessionFinishedWebhook{
			WebhookType: "LINK", WebhookCode: "SESSION_FINISHED", Status: status,
			LinkSessionID: sessionID, LinkToken: lt.token, PublicTokens: slices.Clone(publicTokens),
			UserID: lt.userID, Environment: webhookEnvironment,
		}},
	}
}

// maxWebhookReply bounds how much of a receiver's reply is read before the connection is reused.
const maxWebhookReply = 64 << 10

// deliver POSTs each webhook to url in order, signed with the server's signer, each within the
// webhook timeout. It never holds s.mu (it takes only the clock's lock).
func (s *Server) deliver(url string, hooks []pendingWebhook) []WebhookDelivery {
	out := make([]WebhookDelivery, 0, len(hooks))
	for _, h := range hooks {
		d := WebhookDelivery{Code: h.code, URL: url}
		body, err := json.Marshal(h.body)
		if err != nil {
			d.Err = fmt.Errorf("linktest: encoding webhook %s: %w", h.code, err)
			out = append(out, d)
			continue
		}
		d.Body = body
		d.StatusCode, d.Err = s.post(url, h.code, body)
		out = append(out, d)
	}
	return out
}

func (s *Server) post(url, code string, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.webhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("linktest: webhook %s to %s: %w", code, url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	// Issued at the fake clock's time, like every other timestamp the server makes, so that a
	// verifier reading the same clock accepts it however far the test has moved the clock.
	req.Header.Set("Plaid-Verification", s.signer.SignAt(body, s.clock.Now()))
	resp, err := s.webhookClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("linktest: webhook %s to %s: %w", code, url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxWebhookReply))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("linktest: webhook %s to %s: receiver answered %s", code, url, resp.Status)
	}
	return resp.StatusCode, nil
}
