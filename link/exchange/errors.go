package exchange

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/plaidlink/plaidlink-go/link"
)

// Errors of [Exchanger.Exchange] besides the link.Client's own.
var (
	// ErrAlreadyExchanged is the error of a caller that found the public token done, or waited
	// while another caller held it until it was: another caller (on this instance or another
	// sharing the store) sent it to Plaid and got the outcome. That caller's save stored the
	// access token if the exchange succeeded; if its reply was lost (link.ErrOutcomeUnknown), that
	// caller was told. Treat it as "handled elsewhere": a webhook answers 200, a front end reads
	// the Item from where save puts it.
	ErrAlreadyExchanged = errors.New("exchange: the public token was already exchanged")
	// ErrInFlight is the error of a caller whose context ended while the public token was being
	// exchanged, by this caller or another. The exchange and save go on without the caller, on a
	// context of their own, so the access token is not lost: it reaches save. The error also
	// matches the context's error (context.Canceled or context.DeadlineExceeded). A later call
	// gets [ErrAlreadyExchanged], or makes the exchange if that one spent nothing.
	ErrInFlight = errors.New("exchange: the public token is being exchanged; its access token goes to save")
	// ErrStoreUnavailable is the error of a caller whose claim on the public token failed
	// because the store did not answer (Redis unreachable, a MemoryDeduper full of claims). It
	// wraps the store's error. Nothing was sent to Plaid: call again later.
	ErrStoreUnavailable = errors.New("exchange: the store of exchanged public tokens is unavailable")
	// ErrClosed is the error of Exchange after [Exchanger.Shutdown]. Nothing was sent to Plaid.
	ErrClosed = errors.New("exchange: the Exchanger is shut down")
)

// SaveError is the error of an exchange that succeeded but whose save kept failing: the access
// token is in hand, and [SaveError.Response] hands it back so that it can be kept elsewhere (a
// queue, another store), since Plaid will not give it again. The public token is done: later
// calls get [ErrAlreadyExchanged].
//
// Its Error, its formatting with any verb (%v, %+v, %#v, %s, %q), its JSON and its slog value
// name the item_id, the request_id, the attempts and save's error, never the access token or the
// public token: an error may end up in a log. Save's error is shown with both tokens masked
// wherever they appear in it; Unwrap returns it as save returned it.
type SaveError struct {
	resp     *link.ItemPublicTokenExchangeResponse
	attempts int
	err      error
	// masked is err's message with the access token and the public token masked, made once.
	masked string
}

// newSaveError is the SaveError of save's last failure err after attempts calls.
func newSaveError(resp *link.ItemPublicTokenExchangeResponse, publicToken string, attempts int, err error) *SaveError {
	e := &SaveError{resp: resp, attempts: attempts, err: err}
	if err != nil {
		e.masked = mask(err.Error(), resp.AccessToken, maskedAccessToken)
		e.masked = mask(e.masked, publicToken, maskedPublicToken)
	}
	return e
}

// mask replaces every occurrence of secret in s with stand.
func mask(s, secret, stand string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, stand)
}

// Response returns the exchange's reply, with the access token and item_id that save could not
// store.
func (e *SaveError) Response() *link.ItemPublicTokenExchangeResponse { return e.resp }

// Attempts returns how many times save was called.
func (e *SaveError) Attempts() int { return e.attempts }

// Unwrap returns save's last error, as save returned it.
func (e *SaveError) Unwrap() error { return e.err }

// Error describes the failure without the access token.
func (e *SaveError) Error() string {
	var b strings.Builder
	b.WriteString("exchange: the public token was exchanged but save failed ")
	b.WriteString(strconv.Itoa(e.attempts))
	if e.attempts == 1 {
		b.WriteString(" time")
	} else {
		b.WriteString(" times")
	}
	if id := e.itemID(); id != "" {
		b.WriteString(" for item_id " + id)
	}
	b.WriteString("; keep the access token from SaveError.Response elsewhere")
	if e.masked != "" {
		b.WriteString(": " + e.masked)
	}
	return b.String()
}

// Format prints [SaveError.Error] for every verb, and for %#v a Go-syntax form without the
// access token, so that no verb reaches the response's fields.
func (e *SaveError) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprintf(f, "&exchange.SaveError{ItemID:%q, RequestID:%q, Attempts:%d, Err:%q}",
			e.itemID(), e.requestID(), e.attempts, e.cause())
		return
	}
	if verb == 'q' {
		fmt.Fprintf(f, "%q", e.Error())
		return
	}
	_, _ = f.Write([]byte(e.Error()))
}

// saveErrorJSON is the JSON of a SaveError: what identifies the Item, never its access token.
type saveErrorJSON struct {
	Error     string `json:"error"`
	ItemID    string `json:"item_id,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	Attempts  int    `json:"attempts"`
}

// MarshalJSON encodes the error message, item_id, request_id and attempts, not the access token.
func (e *SaveError) MarshalJSON() ([]byte, error) {
	return json.Marshal(saveErrorJSON{Error: e.Error(), ItemID: e.itemID(), RequestID: e.requestID(), Attempts: e.attempts})
}

// LogValue logs the same fields as [SaveError.MarshalJSON].
func (e *SaveError) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("error", e.Error()),
		slog.String("item_id", e.itemID()),
		slog.String("request_id", e.requestID()),
		slog.Int("attempts", e.attempts),
	)
}

func (e *SaveError) itemID() string {
	if e.resp == nil {
		return ""
	}
	return e.resp.ItemID
}

func (e *SaveError) requestID() string {
	if e.resp == nil {
		return ""
	}
	return e.resp.RequestID
}

// cause is save's error message with the tokens masked.
func (e *SaveError) cause() string { return e.masked }

// What stands for the tokens in a SaveError's text.
const (
	maskedAccessToken = "[access_token]"
	maskedPublicToken = "[public_token]"
)

// savePanic is save's panic, recovered so that the access token is not lost with the process.
type savePanic struct{ value any }

func (p *savePanic) Error() string { return fmt.Sprintf("exchange: save panicked: %v", p.value) }
