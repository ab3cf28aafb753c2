package transport

import (
	"net/http"
)

// redirectPolicy returns the CheckRedirect for the Client's http.Client.
//
// Plaid's API never redirects, so without a caller's policy a 3xx is not followed: it comes back
// as the reply (and so as an API error with its status and body excerpt). A caller who set their
// own CheckRedirect (to go through a redirecting proxy, say) keeps it, with two limits. The
// credential headers are removed from any hop to another origin: net/http strips only
// Authorization and Cookie on a cross-host redirect, not PLAID-CLIENT-ID and PLAID-SECRET, and
// keeps them on a change of port or a downgrade from https to http. And a 307 or 308 to another
// origin, which would send the request body (a public or access token) there, is refused with
// ErrCrossOriginRedirect even when the caller's policy would follow it.
func redirectPolicy(user func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	if user == nil {
		return func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return func(req *http.Request, via []*http.Request) error {
		// net/http copies the headers afresh from the first request on every hop, so the first
		// request's origin (not the previous hop's) decides whether this hop may carry them.
		cross := len(via) == 0 || req.URL.Scheme != via[0].URL.Scheme || req.URL.Host != via[0].URL.Host
		if cross {
			req.Header.Del(keyClientID)
			req.Header.Del(keySecret)
		}
		if err := user(req, via); err != nil {
			if err == http.ErrUseLastResponse {
				return err // net/http compares it with ==
			}
			return &RedirectRefusedError{err: err}
		}
		if cross && req.Response != nil &&
			(req.Response.StatusCode == http.StatusTemporaryRedirect || req.Response.StatusCode == http.StatusPermanentRedirect) {
			return ErrCrossOriginRedirect
		}
		return nil
	}
}

// RedirectRefusedError marks an error from the caller's CheckRedirect, which no retry would
// change. Its message is that error's, and it unwraps to it.
type RedirectRefusedError struct{ err error }

func (e *RedirectRefusedError) Error() string { return e.err.Error() }

// Unwrap returns the CheckRedirect's error.
func (e *RedirectRefusedError) Unwrap() error { return e.err }
