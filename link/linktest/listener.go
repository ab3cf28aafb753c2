package linktest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"time"
)

// Timeouts of a server given a listener by [WithListener]: such a server is long-lived and reached
// by browsers and other processes, so, like any server a developer leaves running, it does not let
// a stalled client hold a connection forever. They are far above what any request to the fake
// takes; [Server.DelayNext] longer than listenerWriteTimeout would be cut off there.
const (
	listenerReadHeaderTimeout = 10 * time.Second
	listenerReadTimeout       = time.Minute
	listenerWriteTimeout      = 2 * time.Minute
	listenerIdleTimeout       = 2 * time.Minute
)

// WithListener makes the server serve on l instead of a new listener on a random loopback port,
// for a fake Plaid on a fixed address such as examples/devserver's 127.0.0.1:8585. The server's
// URL is "http://" + l.Addr(), and [Server.Close] closes l. A nil listener makes NewServer panic
// (see [Option]). Such a server sets read-header, read, write and idle timeouts (10 s, 1 min, 2 min, 2 min).
//
// Listening is left to the caller so that an address in use is the caller's error to report
// rather than a panic in [NewServer].
func WithListener(l net.Listener) Option {
	return func(c *config) {
		if l == nil {
			c.refuse("WithListener(nil): the listener must not be nil")
			return
		}
		c.listener = l
	}
}

// startHTTPServer starts h on l, or like httptest.NewServer on a random loopback port if l is nil.
func startHTTPServer(l net.Listener, h http.Handler) *httptest.Server {
	if l == nil {
		return httptest.NewServer(h)
	}
	ts := httptest.NewUnstartedServer(h)
	// NewUnstartedServer has already listened on a loopback port of its own; that one is unused.
	_ = ts.Listener.Close()
	ts.Listener = l
	ts.Config.ReadHeaderTimeout = listenerReadHeaderTimeout
	ts.Config.ReadTimeout = listenerReadTimeout
	ts.Config.WriteTimeout = listenerWriteTimeout
	ts.Config.IdleTimeout = listenerIdleTimeout
	ts.Start()
	return ts
}
