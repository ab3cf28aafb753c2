package transport

import (
	"bytes"
	"errors"
	"io"
	"sync"
)

// recPool holds the buffers that 2xx bodies are read into and decoded from.
var recPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledRec keeps a buffer that grew for a huge body from being held by the pool.
const maxPooledRec = 1 << 20

// errTooLarge reports a response body longer than the limit it was read through.
var errTooLarge = errors.New("response body too large")

// drainLimit bounds how much of an unread body is discarded to keep its connection: past this,
// closing (and losing the connection) is cheaper than reading on.
const drainLimit = 64 << 10

// limitedReader reads at most n bytes and then reports errTooLarge, unlike io.LimitReader which
// reports a silent io.EOF that would make an oversize body look like a truncated one.
type limitedReader struct {
	r     io.Reader
	n     int64
	probe [1]byte

	// first is the first byte that is not JSON whitespace, once one has been read: it tells a JSON
	// object from a bare value without buffering or re-reading the body.
	first byte

	// readErr is the first error of the underlying reader other than io.EOF: the body broke off
	// (a reset, a connection closed early, an attempt cut short), as opposed to arriving whole.
	readErr error
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// At the limit: the body is too large only if there is more of it.
		n, err := l.r.Read(l.probe[:])
		if n > 0 {
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	if err != nil && err != io.EOF && l.readErr == nil {
		l.readErr = err
	}
	l.n -= int64(n)
	if l.first == 0 {
		l.first = firstNonSpace(p[:n])
	}
	return n, err
}

// drainAndClose discards up to drainLimit more bytes of body, so that the HTTP/1.1 connection
// can be reused, and closes it. lr is the reader already wrapping body; it is reused so the
// drain costs no allocation.
func drainAndClose(lr *limitedReader, body io.ReadCloser) {
	lr.n = drainLimit
	_, _ = io.Copy(io.Discard, lr) // io.Discard's ReaderFrom reuses a pooled buffer
	_ = body.Close()
}

// requestBody is a call's JSON body, for go-retryablehttp to rewind: each attempt (and each
// GetBody of net/http's) reads it through a reader of its own, since net/http may still be
// reading an earlier attempt's body after that attempt ended. The first reader is held in the
// call's state and handed out once, by the first rewind of the call's loop, so that a call sent
// once allocates none. (It stays a *bytes.Reader, which net/http knows to be in memory and so
// sends in the same write as the headers.)
type requestBody struct {
	data  []byte
	first bytes.Reader
	// sending is set when the loop starts; firstUsed once the first reader went to an attempt.
	sending, firstUsed bool
}

// reader is the body's go-retryablehttp ReaderFunc. It is only called from the goroutine that
// runs the call: by go-retryablehttp before and between attempts, by net/http's GetBody on a
// redirect or a retry on a fresh connection.
func (b *requestBody) reader() (io.Reader, error) {
	switch {
	case !b.sending:
		// go-retryablehttp reading the length while it builds the request: nothing is sent yet.
		b.first.Reset(b.data)
		return &b.first, nil
	case !b.firstUsed:
		b.firstUsed = true
		b.first.Reset(b.data)
		return &b.first, nil
	}
	return bytes.NewReader(b.data), nil
}
