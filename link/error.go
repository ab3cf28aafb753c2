package link

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plaidlink/plaidlink-go/internal/transport"
)

// rawBodyExcerpt caps [Error.RawBody]: enough to recognize a proxy's error page, too little to
// flood a log.
const rawBodyExcerpt = 200

// Error returns a one-line description naming the error type, code and message, the HTTP status
// and the request id, such as
//
//	INVALID_REQUEST MISSING_FIELDS (HTTP 400): the following required fields are missing: client_name [request_id=m8MDnv9okwxFNBV]
//
// It has no prefix of its own: a method's error is a [*CallError] around it, whose message adds
// "link: " and the method's name. Anything shaped like a Plaid token is masked.
func (e *Error) Error() string {
	if e == nil {
		return "<nil Plaid error>"
	}
	status := e.HTTPStatus
	if status == 0 && e.Status != nil {
		status = *e.Status
	}
	code := strings.TrimSpace(string(e.ErrorType) + " " + string(e.ErrorCode))

	var b strings.Builder
	switch {
	case code != "" && status != 0:
		b.WriteString(code + " (HTTP " + strconv.Itoa(status) + ")")
	case code != "":
		b.WriteString(code)
	case status != 0:
		b.WriteString("HTTP " + strconv.Itoa(status))
	}
	switch {
	case e.ErrorMessage != "":
		b.WriteString(": " + e.ErrorMessage)
	case e.RawBody != "":
		b.WriteString(": not a Plaid error: " + e.RawBody)
	case code == "" && status != 0:
		b.WriteString(": empty response body")
	case code == "":
		b.WriteString("unknown Plaid error")
	}
	if e.RequestID != "" {
		b.WriteString(" [request_id=" + e.RequestID + "]")
	}
	return transport.RedactTokens(b.String())
}

// ErrOutcomeUnknown matches the error of a call that failed in a way that leaves open whether
// Plaid carried it out: for [Client.ExchangePublicToken], a timeout or a dropped connection once a
// connection to Plaid was made, a proxy's 502 or 504, a Plaid 500, a 2xx reply that could not be
// read, or your context ending while the request was in flight. The public token may already be spent;
// if so, the Item exists, but its access token was in the lost reply and cannot be recovered, so
// the user must link again (and the orphaned Item shows in the Dashboard). The error also wraps
// its cause, for errors.As to [*Error] or a network error.
var ErrOutcomeUnknown = transport.ErrOutcomeUnknown

// ErrAttemptTimeout matches the error of a call whose last attempt ran past the per-attempt
// timeout ([WithTimeout]) while the caller's context was still alive. Such an error does not match
// context.DeadlineExceeded, which is kept for a context that ended.
var ErrAttemptTimeout = transport.ErrAttemptTimeout

// ErrCrossOriginRedirect matches the error of a call whose [WithHTTPClient] CheckRedirect would
// have followed a 307 or 308 to another origin, sending the request body (tokens) there.
var ErrCrossOriginRedirect = transport.ErrCrossOriginRedirect

// ExhaustedError is the error of a call that was retried until its retries ran out
// ([WithMaxRetries]): it names the number of attempts and unwraps to the last one's error.
type ExhaustedError = transport.ExhaustedError

// OutcomeUnknownError is the error of a single-use call ([Client.ExchangePublicToken]) that may
// have been carried out though it failed: it matches [ErrOutcomeUnknown], names the number of
// attempts and unwraps to the last one's error.
type OutcomeUnknownError = transport.OutcomeUnknownError

// AttemptTimeoutError is the error of an attempt cut short by [WithTimeout]: it matches
// [ErrAttemptTimeout] and not context.DeadlineExceeded.
type AttemptTimeoutError = transport.AttemptTimeoutError

// RedactedError stands in a chain for an error whose message quoted a credential or a token
// (net/http quotes what a server sent): it holds the masked message only, still matches through
// errors.Is what the original matched (context.DeadlineExceeded, say), and does not unwrap to
// the original.
type RedactedError = transport.RedactedError

// RedirectRefusedError is the error of an attempt whose redirect the CheckRedirect of your
// http.Client ([WithHTTPClient]) refused: it unwraps to that CheckRedirect's error. Such an
// attempt is not retried.
type RedirectRefusedError = transport.RedirectRefusedError

// IsErrorCode reports whether err, or any error it wraps, is an [*Error] with the given code:
//
//	if link.IsErrorCode(err, link.ErrorCodeInvalidPublicToken) { ... }
func IsErrorCode(err error, code ErrorCode) bool {
	var e *Error
	return errors.As(err, &e) && e.ErrorCode == code
}

// Retryable reports whether sending the same request again may succeed, by the rule the Client
// retries its repeatable methods with: see the package documentation's Retries section.
func (e *Error) Retryable() bool {
	if e == nil {
		return false
	}
	status := e.HTTPStatus
	if status == 0 && e.Status != nil {
		status = *e.Status
	}
	return transport.RetryableReply(status, e.isPlaid(), string(e.ErrorType), string(e.ErrorCode))
}

// isPlaid reports whether e came from a Plaid error body, rather than from a reply that was not one.
func (e *Error) isPlaid() bool {
	return e.RawBody == "" && (e.ErrorType != "" || e.ErrorCode != "")
}

// newAPIError builds the *Error for a non-2xx reply. A body that is not a PlaidError (an HTML
// page, a gateway's JSON, nothing at all) still gives an *Error, with the status and an excerpt.
func newAPIError(status int, body []byte, headerRequestID string, r *transport.Redactor) *Error {
	body = bytes.TrimSpace(body)
	e := new(Error)
	if len(body) == 0 || body[0] != '{' || !decodePlaidError(body, e) {
		*e = Error{RawBody: excerpt(body, r)}
	} else {
		e.redact(r)
	}
	e.HTTPStatus = status
	if e.RequestID == "" {
		e.RequestID = headerRequestID // masked by the transport
	}
	return e
}

// decodePlaidError reports whether body is a PlaidError: JSON with an error_type or error_code.
// A field of an unexpected type does not disqualify it; the fields that did decode are kept.
func decodePlaidError(body []byte, e *Error) bool {
	err := json.Unmarshal(body, e)
	if _, isTypeErr := err.(*json.UnmarshalTypeError); err != nil && !isTypeErr {
		return false
	}
	return e.ErrorType != "" || e.ErrorCode != ""
}

// redact masks credentials and tokens in every text a server put in e. A server (or a proxy
// posing as one) may echo the request's headers into any field, and every field can end up in a
// log: Error() prints the message, and callers print the rest.
func (e *Error) redact(r *transport.Redactor) {
	e.ErrorType = ErrorType(r.Redact(string(e.ErrorType)))
	e.ErrorCode = ErrorCode(r.Redact(string(e.ErrorCode)))
	e.ErrorCodeReason = r.Redact(e.ErrorCodeReason)
	e.ErrorMessage = r.Redact(e.ErrorMessage)
	e.DisplayMessage = r.Redact(e.DisplayMessage)
	e.RequestID = r.Redact(e.RequestID)
	e.DocumentationURL = r.Redact(e.DocumentationURL)
	e.SuggestedAction = r.Redact(e.SuggestedAction)
	for i, s := range e.RequiredAccountSubtypes {
		e.RequiredAccountSubtypes[i] = r.Redact(s)
	}
	for i, s := range e.ProvidedAccountSubtypes {
		e.ProvidedAccountSubtypes[i] = r.Redact(s)
	}
	for i, c := range e.Causes {
		masked := r.Redact(string(c))
		if masked == string(c) {
			continue
		}
		// A credential containing JSON punctuation could be matched across a string's end, and a
		// RawMessage that is not JSON would make the whole Error fail to marshal: drop the cause.
		if !json.Valid([]byte(masked)) {
			masked = "null"
		}
		e.Causes[i] = json.RawMessage(masked)
	}
}

// excerpt returns the start of body as one line of valid UTF-8 of at most rawBodyExcerpt bytes,
// with credentials and tokens masked.
func excerpt(body []byte, r *transport.Redactor) string {
	if len(body) == 0 {
		return ""
	}
	// Mask first, on the whole (size-limited) body, so that no cut can split a secret into
	// pieces the masking would no longer recognize.
	s := r.Redact(strings.ToValidUTF8(string(body), "\uFFFD"))
	s = strings.Join(strings.FieldsFunc(s, isSpaceOrControl), " ")
	if len(s) <= rawBodyExcerpt {
		return s
	}
	cut := rawBodyExcerpt
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func isSpaceOrControl(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }
