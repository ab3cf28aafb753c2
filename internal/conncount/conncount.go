// Package conncount serves tests that need to know how many TCP connections a client opened: a
// client that keeps its pool across failed calls opens one, one that drops it opens more.
package conncount

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// Server starts an httptest server for h that counts the TCP connections it accepts; it is closed
// when the test ends.
func Server(t testing.TB, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}
