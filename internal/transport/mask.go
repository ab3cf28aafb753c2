package transport

import (
	"errors"
	"net"
	"net/url"
)

// MaskError returns err with every credential and token that its text quotes masked by r, and
// the chain kept as far as it can be: net/http's errors quote what a server sent (a status line,
// a header line, a length, a chunk size) and a *url.Error quotes the URL of a redirect, any of
// which may echo a credential.
//
// An error whose text needs no masking is returned as it is. Otherwise the errors this package
// makes (*ExhaustedError, *OutcomeUnknownError) and a *url.Error are masked in place, field by
// field, so that errors.As still reaches them; any other error is replaced by a *RedactedError
// holding its masked text, which still matches, through errors.Is, what the original matched.
func MaskError(r *Redactor, err error) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	masked := r.Redact(text)
	if masked == text {
		return err
	}
	switch e := err.(type) {
	case *ExhaustedError:
		e.Last = MaskError(r, e.Last)
		return e
	case *OutcomeUnknownError:
		e.Cause = MaskError(r, e.Cause)
		return e
	case *url.Error:
		e.URL = r.Redact(e.URL)
		e.Err = MaskError(r, e.Err)
		return e
	}
	return &RedactedError{text: masked, orig: err}
}

// RedactedError is an error whose text quoted a credential or a token: it holds the masked text
// only. It matches (errors.Is) whatever the original error matched, such as
// context.DeadlineExceeded, and reports the original's Timeout, but does not unwrap to it, since
// the original's text is not masked.
type RedactedError struct {
	text string
	orig error
}

func (e *RedactedError) Error() string { return e.text }

// Is reports whether the original error matches target.
func (e *RedactedError) Is(target error) bool { return errors.Is(e.orig, target) }

// Timeout reports whether the original error was a timeout, as net.Error does.
func (e *RedactedError) Timeout() bool {
	var ne net.Error
	return errors.As(e.orig, &ne) && ne.Timeout()
}
