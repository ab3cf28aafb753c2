package linktest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/ids"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/page"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/state"
)

// endpoint handles one API path: it decodes body and returns the response or an error reply.
type endpoint func(s *Server, ctx context.Context, body []byte, requestID string) (any, *state.Error)

// handle adapts a handler of decoded requests to an endpoint: the body is decoded as Plaid reads
// one (see state.Decode) before the handler sees it.
func handle[Req any](f func(s *Server, ctx context.Context, req *Req, requestID string) (any, *state.Error)) endpoint {
	return func(s *Server, ctx context.Context, body []byte, requestID string) (any, *state.Error) {
		var req Req
		if e := state.Decode(body, &req); e != nil {
			return nil, e
		}
		return f(s, ctx, &req, requestID)
	}
}

var endpoints = map[string]endpoint{
	PathTokenCreate: handle(func(s *Server, _ context.Context, req *link.TokenCreateRequest, id string) (any, *state.Error) {
		return s.state.CreateToken(req, id)
	}),
	PathTokenGet: handle(func(s *Server, _ context.Context, req *link.TokenGetRequest, id string) (any, *state.Error) {
		return s.state.GetToken(req, id)
	}),
	PathPublicTokenExchange: handle(func(s *Server, _ context.Context, req *link.ItemPublicTokenExchangeRequest, id string) (any, *state.Error) {
		return s.state.ExchangePublicToken(req, id)
	}),
	PathSandboxPublicTokenCreate: handle(func(s *Server, _ context.Context, req *link.SandboxPublicTokenCreateRequest, id string) (any, *state.Error) {
		return s.state.CreateSandboxPublicToken(req, id)
	}),
	PathSandboxItemResetLogin: handle(func(s *Server, _ context.Context, req *link.SandboxItemResetLoginRequest, id string) (any, *state.Error) {
		resp, b, e := s.state.ResetLogin(req, id)
		if e == nil {
			// The ITEM ERROR webhook is sent before the reply, like the session drivers' webhooks,
			// and redelivered on Plaid's schedule.
			s.sendNow(b)
		}
		return resp, e
	}),
	PathSessionTokenCreate: handle(func(s *Server, _ context.Context, req *link.SessionTokenCreateRequest, id string) (any, *state.Error) {
		return s.state.CreateSessionToken(req, id)
	}),
	PathWebhookVerificationKey: handle(func(s *Server, ctx context.Context, req *link.WebhookVerificationKeyGetRequest, id string) (any, *state.Error) {
		return s.state.GetWebhookVerificationKey(ctx, req, id)
	}),
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := ids.RequestID()
	path := r.URL.Path

	if page.IsPagePath(path) {
		s.page.ServeHTTP(w, r)
		return
	}

	// A fault is meant for a request the endpoint would serve, so a request that no endpoint
	// serves is answered before it can use one up.
	ep, ok := endpoints[path]
	if !ok || r.Method != http.MethodPost {
		e := state.ErrNotFound(r.Method, path)
		writeError(w, e.Status, e.Err, requestID)
		return
	}

	// The body is read before any injected delay: only once it is consumed does net/http watch
	// the connection, so that the request's context ends when the client gives up.
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBodyBytes))

	if f, ok := s.takeFault(path); ok {
		if f.delay > 0 {
			t := time.NewTimer(f.delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			case <-s.done:
				t.Stop()
				e := state.ErrClosing()
				writeError(w, e.Status, e.Err, requestID)
				return
			}
		}
		if f.err != nil {
			writeError(w, f.status, f.err, requestID)
			return
		}
	}

	// Date is Plaid's clock, as for any HTTP server: here the fake clock, so that a client that
	// compares a token's expiration with the server's time sees the time the test set. It is read
	// before the request is performed, so that a test moving the clock meanwhile never gets an
	// answer dated after the state it reflects (a token still known, dated past its retention).
	date := s.clock.Now().UTC().Format(http.TimeFormat)
	status, reply := s.perform(r, ep, body, readErr, requestID)
	// The request has had its effect whatever the reply; LoseReplyNext loses only the reply.
	if lost, ok := s.takeLostReply(path); ok {
		loseReply(w, lost)
		return
	}
	w.Header().Set("Date", date)
	writeJSON(w, status, reply)
}

// perform answers a request that no fault stopped: it checks the body and credentials, runs the
// endpoint, and returns the HTTP status and the body to reply with.
func (s *Server) perform(r *http.Request, ep endpoint, body []byte, readErr error, requestID string) (int, any) {
	fail := func(e *state.Error) (int, any) { return e.Status, toWire(e.Err, requestID) }
	if readErr != nil {
		var tooBig *http.MaxBytesError
		if errors.As(readErr, &tooBig) {
			return fail(state.ErrBodyTooLarge(MaxRequestBodyBytes))
		}
		return fail(state.ErrInvalidBody("reading the body failed"))
	}
	if !json.Valid(body) {
		return fail(state.ErrInvalidBody("the body is not valid JSON"))
	}
	var creds struct {
		ClientID string `json:"client_id"`
		Secret   string `json:"secret"`
	}
	// The body may be a JSON value other than an object; credentials then come from headers only.
	_ = json.Unmarshal(body, &creds)
	if e := s.authenticate(r.Header, creds.ClientID, creds.Secret); e != nil {
		return fail(e)
	}
	resp, e := ep(s, r.Context(), body, requestID)
	if e != nil {
		return fail(e)
	}
	return http.StatusOK, resp
}

// authenticate checks credentials the way Plaid does: from the PLAID-CLIENT-ID and PLAID-SECRET
// headers, or else from client_id and secret in the body.
func (s *Server) authenticate(h http.Header, bodyID, bodySecret string) *state.Error {
	id, secret := h.Get("PLAID-CLIENT-ID"), h.Get("PLAID-SECRET")
	if id == "" {
		id = bodyID
	}
	if secret == "" {
		secret = bodySecret
	}
	var missing []string
	if id == "" {
		missing = append(missing, "client_id")
	}
	if secret == "" {
		missing = append(missing, "secret")
	}
	if len(missing) > 0 {
		return state.ErrMissingFields(missing...)
	}
	if id != s.clientID || secret != s.secret {
		return state.ErrInvalidAPIKeys()
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		e := state.ErrInternal()
		status = e.Status
		b, _ = json.Marshal(toWire(e.Err, ids.RequestID()))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, e *link.Error, requestID string) {
	writeJSON(w, status, toWire(e, requestID))
}

// wireError is PlaidError as Plaid puts it on the wire: display_message, error_code_reason and
// suggested_action are JSON null when they have no value, which link.Error's plain strings
// cannot express.
type wireError struct {
	DisplayMessage          *string           `json:"display_message"`
	DocumentationURL        string            `json:"documentation_url"`
	ErrorCode               string            `json:"error_code"`
	ErrorCodeReason         *string           `json:"error_code_reason"`
	ErrorMessage            string            `json:"error_message"`
	ErrorType               link.ErrorType    `json:"error_type"`
	RequestID               string            `json:"request_id"`
	SuggestedAction         *string           `json:"suggested_action"`
	Causes                  []json.RawMessage `json:"causes,omitempty"`
	RequiredAccountSubtypes []string          `json:"required_account_subtypes,omitempty"`
	ProvidedAccountSubtypes []string          `json:"provided_account_subtypes,omitempty"`
}

// documentationURL returns the Plaid error reference page for an error, in the form Plaid uses.
func documentationURL(t link.ErrorType, code string) string {
	slug := strings.ToLower(string(t))
	slug = strings.TrimSuffix(slug, "_error")
	slug = strings.ReplaceAll(slug, "_", "-")
	if slug == "" {
		return "https://plaid.com/docs/errors/"
	}
	return "https://plaid.com/docs/errors/" + slug + "/#" + strings.ToLower(code)
}

func toWire(e *link.Error, requestID string) wireError {
	doc := e.DocumentationURL
	if doc == "" {
		doc = documentationURL(e.ErrorType, string(e.ErrorCode))
	}
	return wireError{
		DisplayMessage:          nullable(e.DisplayMessage),
		DocumentationURL:        doc,
		ErrorCode:               string(e.ErrorCode),
		ErrorCodeReason:         nullable(e.ErrorCodeReason),
		ErrorMessage:            e.ErrorMessage,
		ErrorType:               e.ErrorType,
		RequestID:               requestID,
		SuggestedAction:         nullable(e.SuggestedAction),
		Causes:                  e.Causes,
		RequiredAccountSubtypes: e.RequiredAccountSubtypes,
		ProvidedAccountSubtypes: e.ProvidedAccountSubtypes,
	}
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
