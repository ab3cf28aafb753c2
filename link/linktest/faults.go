package linktest

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest/internal/state"
)

// fault is one injected misbehaviour for one request: a delay, an error reply, or both.
type fault struct {
	delay  time.Duration
	status int
	err    *link.Error
}

// maxQueuedFaults bounds the faults queued for one path, so a huge n cannot exhaust memory.
const maxQueuedFaults = 1 << 16

func normalizePath(p string) string {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}

// FailNext makes the next n POST requests to path (one of the Path constants, such as
// [PathTokenCreate]) fail with the HTTP status and the PlaidError body perr, before credentials or
// the body are looked at; each reply gets its own request_id. A request the endpoint does not
// serve (another method) is answered 404 and leaves the faults queued. Like httptest's helpers,
// FailNext panics if path is not one the server serves, because a mistyped path would otherwise
// make the fault silently never fire. A nil perr sends Plaid's API_ERROR / INTERNAL_SERVER_ERROR, and a status
// outside 400-599 is taken as 500. Use it to test a client's retries. Faults queued for a path are
// used in order, at most 65536 of them.
func (s *Server) FailNext(path string, n int, status int, perr *link.Error) {
	path = mustEndpointPath("FailNext", path)
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
		if perr != nil && perr.HTTPStatus >= 400 && perr.HTTPStatus <= 599 {
			status = perr.HTTPStatus
		}
	}
	var e link.Error
	if perr != nil {
		e = *perr
	} else {
		e = *state.ErrInternal().Err
	}
	s.queueFaults(path, n, fault{status: status, err: &e})
}

// DelayNext makes the next n POST requests to path wait d (real time, not the fake clock) before
// they are answered normally, or end without an answer if the client gives up first, or are
// answered 503 if the server is closed meanwhile. Use it to test a client's timeouts. Faults are
// used and paths checked as for [Server.FailNext]: DelayNext panics on a path the server does not
// serve.
func (s *Server) DelayNext(path string, n int, d time.Duration) {
	path = mustEndpointPath("DelayNext", path)
	if d <= 0 {
		return
	}
	s.queueFaults(path, n, fault{delay: d})
}

// mustEndpointPath normalizes path and panics, naming the caller, if no endpoint serves it.
func mustEndpointPath(caller, path string) string {
	p := normalizePath(path)
	if _, ok := endpoints[p]; !ok {
		panic(fmt.Sprintf("linktest: %s: the server serves no endpoint at %q; use one of the linktest.Path constants", caller, path))
	}
	return p
}

// LoseReplyNext makes the next n POST requests to path (one of the Path constants) be performed
// and then lose their reply, as when a connection breaks or a proxy times out after Plaid has done
// the work: the request has its full effect (a public token is spent and its Item made, a link
// token is created, ...) and the client never sees the answer. With status 0 the server drops the
// connection without writing anything; with another status it answers that status with a body
// that is not Plaid's, a proxy's HTML error page (for example 502 or 504). A status that is not 0
// and not in 200-599 is taken as 504. Use it to test that a client treats an unknown outcome as
// such instead of retrying blindly or reporting a failure.
//
// These faults are queued apart from those of [Server.FailNext] and [Server.DelayNext]: a request
// that takes a FailNext fault is not performed and leaves a LoseReplyNext fault queued for the
// next one; a delayed request that is then performed loses its reply. Paths are checked as for
// FailNext: LoseReplyNext panics on a path the server does not serve.
func (s *Server) LoseReplyNext(path string, n int, status int) {
	path = mustEndpointPath("LoseReplyNext", path)
	if status != 0 && (status < 200 || status > 599) {
		status = http.StatusGatewayTimeout
	}
	s.faultsMu.Lock()
	defer s.faultsMu.Unlock()
	pushN(s.lostReplies, path, n, status)
}

func (s *Server) takeLostReply(path string) (int, bool) {
	s.faultsMu.Lock()
	defer s.faultsMu.Unlock()
	return popFront(s.lostReplies, path)
}

// proxyPage is the body of a reply lost behind a proxy: the page nginx sends, not a PlaidError.
const proxyPage = "<html>\r\n<head><title>%[1]d %[2]s</title></head>\r\n<body>\r\n<center><h1>%[1]d %[2]s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

// loseReply loses the reply to a performed request: it drops the connection (status 0) or sends
// a proxy's error page with status.
func loseReply(w http.ResponseWriter, status int) {
	if status == 0 {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
			return
		}
		// A server that cannot hand over its connection (HTTP/2) is told to abort the reply,
		// which net/http does silently by resetting the stream.
		panic(http.ErrAbortHandler)
	}
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, proxyPage, status, http.StatusText(status))
}

// ClearFaults drops every fault queued by FailNext, DelayNext and LoseReplyNext.
func (s *Server) ClearFaults() {
	s.faultsMu.Lock()
	defer s.faultsMu.Unlock()
	clear(s.faults)
	clear(s.lostReplies)
}

// queueFaults queues n copies of f for path, which the caller has checked and normalized.
func (s *Server) queueFaults(path string, n int, f fault) {
	s.faultsMu.Lock()
	defer s.faultsMu.Unlock()
	pushN(s.faults, path, n, f)
}

func (s *Server) takeFault(path string) (fault, bool) {
	s.faultsMu.Lock()
	defer s.faultsMu.Unlock()
	return popFront(s.faults, path)
}

// pushN queues n copies of v for path, up to maxQueuedFaults in all.
func pushN[T any](queues map[string][]T, path string, n int, v T) {
	q := queues[path]
	for i := 0; i < n && len(q) < maxQueuedFaults; i++ {
		q = append(q, v)
	}
	if len(q) > 0 {
		queues[path] = q
	}
}

// popFront takes the first value queued for path.
func popFront[T any](queues map[string][]T, path string) (T, bool) {
	q := queues[path]
	if len(q) == 0 {
		var zero T
		return zero, false
	}
	if len(q) == 1 {
		delete(queues, path)
	} else {
		queues[path] = q[1:]
	}
	return q[0], true
}
