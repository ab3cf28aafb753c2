package transport

import (
	"context"
	"io"
	"net/http"
	"time"
)

// attemptTransport is the only RoundTripper retryablehttp sees. It exists for two reasons.
//
// First, retryablehttp (v0.7.8) calls HTTPClient.CloseIdleConnections whenever a call fails for
// good or its context ends during a backoff wait, which would close every idle connection in the
// pool: one rate-limited call would cost every concurrent caller a new TLS handshake, and the
// caller's own http.Client shares that pool. http.Client.CloseIdleConnections does nothing when
// its Transport lacks that method, so this type deliberately implements RoundTrip only.
//
// Second, it bounds each attempt itself rather than through http.Client.Timeout: net/http only
// applies a Timeout cheaply to RoundTrippers it knows (*http.Transport); for any other one, such as
// this wrapper, it spawns a goroutine and a timer per request.
type attemptTransport struct {
	// rt is the caller's RoundTripper; nil means http.DefaultTransport, looked up per request as
	// http.Client does, so a test that swaps the default (httpmock.Activate) still takes effect.
	rt      http.RoundTripper
	timeout time.Duration // per attempt, headers and body; 0 means none
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rt := t.rt
	if rt == nil {
		rt = http.DefaultTransport
	}
	if t.timeout <= 0 {
		return rt.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := rt.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return resp, err
	}
	// The deadline must keep bounding the body read, so it is released only when the body is closed.
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose releases an attempt's timeout context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// redirectPolicy returns the CheckRedirect for the Client's http.Client.
//
// Plaid's API never redirects, so without a caller's policy a 3xx is not followed: it comes back
// as the reply (and so as an API error with its status and body excerpt). A caller who set their
// own CheckRedirect (to go through a redirecting proxy, say) keeps it, but the credential headers
// are removed from any hop to another origin: net/http strips only Authorization and Cookie on a
// cross-host redirect, not PLAID-CLIENT-ID and PLAID-SECRET, and keeps them on a change of port or
// a downgrade from https to http.
func redirectPolicy(user func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	if user == nil {
		return func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return func(req *http.Request, via []*http.Request) error {
		// net/http copies the headers afresh from the first request on every hop, so the first
		// request's origin (not the previous hop's) decides whether this hop may carry them.
		if len(via) == 0 || req.URL.Scheme != via[0].URL.Scheme || req.URL.Host != via[0].URL.Host {
			req.Header.Del(keyClientID)
			req.Header.Del(keySecret)
		}
		return user(req, via)
	}
}
