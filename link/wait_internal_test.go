package link

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/plaidlink/plaidlink-go/internal/transport"
)

func TestPollSchedule(t *testing.T) {
	var got []time.Duration
	for w := DefaultPollInterval; len(got) < 10; w = nextPollWait(w, DefaultMaxPollInterval) {
		got = append(got, w)
	}
	ms := time.Millisecond
	assert.Equal(t, []time.Duration{1000 * ms, 1500 * ms, 2250 * ms, 3375 * ms, 5062500 * time.Microsecond,
		7593750 * time.Microsecond, 11390625 * time.Microsecond, 15 * time.Second, 15 * time.Second, 15 * time.Second}, got)

	assert.Equal(t, 8*time.Second, jitter(10*time.Second, 0))
	assert.Equal(t, 10*time.Second, jitter(10*time.Second, 0.5))
	assert.Less(t, jitter(10*time.Second, 0.9999999), 12*time.Second)
}

func TestPollAgain(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"rate limit", &Error{ErrorType: ErrorTypeRateLimitExceeded, ErrorCode: ErrorCodeRateLimit, HTTPStatus: 429}, true},
		{"plaid internal error", &Error{ErrorType: ErrorTypeAPIError, ErrorCode: ErrorCodeInternalServerError, HTTPStatus: 500}, true},
		{"invalid link token", &Error{ErrorType: ErrorTypeInvalidInput, ErrorCode: ErrorCodeInvalidLinkToken, HTTPStatus: 400}, false},
		{"invalid api keys", &Error{ErrorType: ErrorTypeInvalidInput, ErrorCode: ErrorCodeInvalidAPIKeys, HTTPStatus: 400}, false},
		{"attempt timeout", ErrAttemptTimeout, true},
		{"retries spent", &transport.ExhaustedError{Attempts: 3, Last: errors.New("502")}, true},
		{"refused redirect", ErrCrossOriginRedirect, false},
		{"validation", &ValidationError{Field: "link_token"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, pollAgain(tc.err)) })
	}
	assert.True(t, slowDownAsked(&Error{ErrorType: ErrorTypeRateLimitExceeded}))
	assert.False(t, slowDownAsked(&Error{ErrorType: ErrorTypeAPIError}))
}

func TestExpiredFor(t *testing.T) {
	exp := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	resp := &TokenGetResponse{Expiration: &exp}
	at := func(t time.Time) http.Header { return http.Header{"Date": {t.Format(http.TimeFormat)}} }
	assert.False(t, expiredFor(resp, at(exp.Add(-time.Hour))))
	assert.False(t, expiredFor(resp, at(exp.Add(expiredGrace))), "within the grace")
	assert.True(t, expiredFor(resp, at(exp.Add(expiredGrace+time.Second))))
	assert.False(t, expiredFor(&TokenGetResponse{}, at(exp.Add(24*time.Hour))), "no expiration: never")
	// Without a Date header, this machine's clock decides.
	past := time.Now().Add(-time.Hour)
	assert.True(t, expiredFor(&TokenGetResponse{Expiration: &past}, http.Header{}))
}
