// Package ctxtest lets a test end a context at a point it chooses, instead of after a wall-clock
// delay that a busy machine may overrun: a deadline that passes when the test says so, and a
// logger that runs a function when the code under test logs a given message.
package ctxtest

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// deadline is a context whose deadline passes when end is called.
type deadline struct {
	context.Context
	at   time.Time
	done chan struct{}
	once sync.Once
}

func (d *deadline) Deadline() (time.Time, bool) { return d.at, true }
func (d *deadline) Done() <-chan struct{}       { return d.done }

func (d *deadline) Err() error {
	select {
	case <-d.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

func (d *deadline) end() { d.once.Do(func() { close(d.done) }) }

// Deadline returns a context with the values of parent whose deadline passes, with
// context.DeadlineExceeded as a real one does, only when end is called (more than once is
// harmless). Its Deadline reports a time an hour away, so that code sizing its waits by the
// deadline sees plenty left.
func Deadline(parent context.Context) (ctx context.Context, end func()) {
	d := &deadline{Context: parent, at: time.Now().Add(time.Hour), done: make(chan struct{})}
	return d, d.end
}

// OnLog returns a logger, enabled at every level, that calls fn each time a record with message
// msg is logged, before the logging call returns. Code that logs just before it waits (a client
// about to back off before a retry) thus tells the test the moment the wait begins.
func OnLog(msg string, fn func()) *slog.Logger {
	return slog.New(&hookHandler{msg: msg, fn: fn})
}

type hookHandler struct {
	msg string
	fn  func()
}

func (h *hookHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *hookHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.fn()
	}
	return nil
}

func (h *hookHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *hookHandler) WithGroup(string) slog.Handler      { return h }
