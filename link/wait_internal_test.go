package link

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
		// As net/http returns them: every error of its client is a *url.Error, a net.Error.
		{"refused redirect from net/http", &url.Error{Op: "Post", URL: "https://plaid.test/link/token/get", Err: ErrCrossOriginRedirect}, false},
		{"untrusted certificate from net/http", &url.Error{Op: "Post", URL: "https://plaid.test/link/token/get",
			Err: &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}}, false},
		{"connection reset from net/http", &url.Error{Op: "Post", URL: "https://plaid.test/link/token/get",
			Err: &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}}, true},
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
	idv := &TokenGetResponse{Expiration: &exp, Metadata: TokenGetMetadataResponse{
		InitialProducts: []Product{ProductIdentityVerification}}}
	assert.False(t, expiredFor(idv, at(exp.Add(24*time.Hour))), "identity verification: never")
	idv.Metadata.InitialProducts = []Product{ProductAuth}
	assert.True(t, expiredFor(idv, at(exp.Add(24*time.Hour))))
	// Without a Date header, this machine's clock decides.
	past := time.Now().Add(-time.Hour)
	assert.True(t, expiredFor(&TokenGetResponse{Expiration: &past}, http.Header{}))
}

func TestFinishedSession(t *testing.T) {
	at := func(min int) time.Time { return time.Date(2026, 12, 1, 12, min, 0, 0, time.UTC) }
	open := func(id string, start int) TokenGetSessionsResponse {
		return TokenGetSessionsResponse{LinkSessionID: id, StartedAt: at(start)}
	}
	exit := func(id string, start, end int) TokenGetSessionsResponse {
		return TokenGetSessionsResponse{LinkSessionID: id, StartedAt: at(start), FinishedAt: at(end), Exit: &SessionExit{}}
	}
	linked := func(id string, start, end int) TokenGetSessionsResponse {
		return TokenGetSessionsResponse{LinkSessionID: id, StartedAt: at(start), FinishedAt: at(end),
			Results: &SessionResults{ItemAddResults: []SessionItemAddResult{{PublicToken: "public-sandbox-" + id}}}}
	}
	abandoned := TokenGetSessionsResponse{LinkSessionID: "abandoned", StartedAt: at(0), FinishedAt: at(15)}
	legacyExit := TokenGetSessionsResponse{LinkSessionID: "legacy-exit", StartedAt: at(0), OnExit: &SessionExitDeprecated{}}
	legacySuccess := TokenGetSessionsResponse{LinkSessionID: "legacy-success", StartedAt: at(0), OnSuccess: &SessionSuccess{}}
	exitedWithResults := TokenGetSessionsResponse{LinkSessionID: "exit-with-results", StartedAt: at(0), FinishedAt: at(1),
		Exit: &SessionExit{}, Results: &SessionResults{}}
	multiItemThenExit := TokenGetSessionsResponse{LinkSessionID: "multi", StartedAt: at(0), FinishedAt: at(2), Exit: &SessionExit{},
		Results: &SessionResults{ItemAddResults: []SessionItemAddResult{{PublicToken: "public-sandbox-m1"}}}}
	emptyResults := TokenGetSessionsResponse{LinkSessionID: "empty", StartedAt: at(0), Results: &SessionResults{}}

	tests := []struct {
		name     string
		sessions []TokenGetSessionsResponse
		expired  bool
		want     string // "" for keep waiting
	}{
		{"none", nil, false, ""},
		{"open only", []TokenGetSessionsResponse{open("a", 0)}, false, ""},
		{"linked", []TokenGetSessionsResponse{linked("a", 0, 2)}, false, "a"},
		{"exited", []TokenGetSessionsResponse{exit("a", 0, 2)}, false, "a"},
		{"abandoned: finished_at alone", []TokenGetSessionsResponse{abandoned}, false, "abandoned"},
		{"legacy on_exit", []TokenGetSessionsResponse{legacyExit}, false, "legacy-exit"},
		{"legacy on_success", []TokenGetSessionsResponse{legacySuccess}, false, "legacy-success"},
		{"results beside an exit are an exit", []TokenGetSessionsResponse{exitedWithResults, open("b", 0)}, false, "exit-with-results"},
		// As Outcome decides: a Multi-Item session that linked Items and then exited is linked,
		// and an empty results object alone ends nothing.
		{"multi-item linked then exited", []TokenGetSessionsResponse{exit("b", 3, 9), multiItemThenExit}, false, "multi"},
		{"empty results alone", []TokenGetSessionsResponse{emptyResults}, false, ""},
		// The user left, then opened the same token again: wait for that attempt.
		{"retry in progress", []TokenGetSessionsResponse{open("b", 3), exit("a", 0, 2)}, false, ""},
		{"retry begun the second the exit ended", []TokenGetSessionsResponse{open("b", 2), exit("a", 0, 2)}, false, ""},
		{"retry linked", []TokenGetSessionsResponse{linked("b", 3, 5), exit("a", 0, 2)}, false, "b"},
		{"retry exited too: the latest exit", []TokenGetSessionsResponse{exit("a", 0, 2), exit("b", 3, 5)}, false, "b"},
		{"a success beats a later exit", []TokenGetSessionsResponse{exit("b", 3, 9), linked("a", 0, 2)}, false, "a"},
		{"the latest of two successes", []TokenGetSessionsResponse{linked("a", 0, 2), linked("b", 3, 5)}, false, "b"},
		// A session left open since before the exit does not hold it back: the user chose to leave.
		{"older session still open", []TokenGetSessionsResponse{exit("b", 3, 5), open("a", 0)}, false, "b"},
		// Past the expiry's grace Plaid has closed every attempt: the exit stands.
		{"retry in progress, token expired", []TokenGetSessionsResponse{open("b", 3), exit("a", 0, 2)}, true, "a"},
		{"expired, nothing finished", []TokenGetSessionsResponse{open("a", 0)}, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := finishedSession(tc.sessions, tc.expired)
			if tc.want == "" {
				assert.Nil(t, got)
				return
			}
			if assert.NotNil(t, got) {
				assert.Equal(t, tc.want, got.LinkSessionID)
			}
			// Plaid lists the most recent first; the choice must not depend on it.
			rev := make([]TokenGetSessionsResponse, len(tc.sessions))
			for i, s := range tc.sessions {
				rev[len(rev)-1-i] = s
			}
			if got := finishedSession(rev, tc.expired); assert.NotNil(t, got) {
				assert.Equal(t, tc.want, got.LinkSessionID)
			}
		})
	}
}

// The loop itself paces as documented: each wait within a fifth of the schedule, and after
// RATE_LIMIT_EXCEEDED the longest at once; none once the session is seen.
func TestWaitForSessionPacing(t *testing.T) {
	for _, tc := range []struct {
		name        string
		rateLimited int64 // the call refused, 0 for none
		calls       int64 // the call that sees the finished session
		want        []time.Duration
	}{
		{"backs off to the cap", 0, 11, func() []time.Duration {
			var want []time.Duration
			for w := DefaultPollInterval; len(want) < 10; w = nextPollWait(w, DefaultMaxPollInterval) {
				want = append(want, w)
			}
			return want
		}()},
		{"rate limited", 3, 6, []time.Duration{time.Second, 1500 * time.Millisecond, 15 * time.Second, 15 * time.Second, 15 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var waits []time.Duration
			recordWaits := func(ctx context.Context, d time.Duration) error {
				waits = append(waits, d)
				return ctx.Err()
			}
			var calls atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := calls.Add(1)
				w.Header().Set("Content-Type", "application/json")
				switch {
				case n == tc.rateLimited:
					w.WriteHeader(http.StatusTooManyRequests)
					fmt.Fprint(w, `{"error_type":"RATE_LIMIT_EXCEEDED","error_code":"RATE_LIMIT","error_message":"slow down","display_message":null,"request_id":"r"}`)
				case n < tc.calls:
					fmt.Fprint(w, `{"link_token":"link-sandbox-x","link_sessions":[],"request_id":"r"}`)
				default:
					fmt.Fprint(w, `{"link_token":"link-sandbox-x","link_sessions":[{"link_session_id":"s1","started_at":"2026-12-01T12:00:00Z","finished_at":"2026-12-01T12:01:00Z"}],"request_id":"r"}`)
				}
			}))
			defer srv.Close()
			c, err := NewClient("id", "secret", WithBaseURL(srv.URL), WithMaxRetries(0))
			require.NoError(t, err)
			s, err := c.waitForSession(context.Background(), "link-sandbox-x", recordWaits, nil)
			require.NoError(t, err)
			assert.Equal(t, "s1", s.LinkSessionID)
			assert.Equal(t, tc.calls, calls.Load())

			require.Len(t, waits, len(tc.want), "one wait between calls: %v", waits)
			for i, w := range tc.want {
				assert.GreaterOrEqual(t, waits[i], w*8/10, "wait %d", i)
				assert.Less(t, waits[i], w*12/10, "wait %d", i)
			}
			// Jittered: the three last waits, all of the same nominal length, differ.
			last := waits[len(waits)-3:]
			assert.False(t, last[0] == last[1] && last[1] == last[2], "no jitter in %v", last)
		})
	}
}
