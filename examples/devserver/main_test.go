package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
)

// started is a run in progress: its output so far and how to stop it.
type started struct {
	lines chan string // every line run prints, closed once run has returned
	err   chan error
	stop  context.CancelFunc
}

// start runs the dev server with args and returns once it has printed its banner, with the banner.
func start(t *testing.T, args ...string) (*started, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &started{lines: make(chan string, 100), err: make(chan error, 1), stop: cancel}
	go func() {
		err := run(ctx, args, pw)
		_ = pw.Close()
		s.err <- err
	}()
	go func() {
		defer close(s.lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		cancel()
		for range s.lines {
		}
	})

	var banner strings.Builder
	timeout := time.After(10 * time.Second)
	for {
		select {
		case line, ok := <-s.lines:
			if !ok {
				t.Fatalf("run ended before its banner: %v\n%s", <-s.err, banner.String())
			}
			banner.WriteString(line + "\n")
			if line == "Press Ctrl+C to stop." {
				return s, banner.String()
			}
		case <-timeout:
			t.Fatalf("no banner after 10s:\n%s", banner.String())
		}
	}
}

// field reads a "  name  value" line of the banner.
func field(t *testing.T, banner, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^  ` + name + ` +(\S+)$`).FindStringSubmatch(banner)
	require.NotNil(t, m, "no %s in the banner:\n%s", name, banner)
	return m[1]
}

func TestRun(t *testing.T) {
	s, banner := start(t, "-addr", "127.0.0.1:0")
	base := field(t, banner, "URL")
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, base)
	clientID, secret := field(t, banner, "client_id"), field(t, banner, "secret")
	assert.Equal(t, linktest.ClientID, clientID)
	assert.Equal(t, linktest.Secret, secret)
	assert.Contains(t, banner, "link.NewClient(clientID, secret, link.WithBaseURL(\""+base+"\"))\n")
	assert.Contains(t, banner, "  "+base+"/link/page/<link_token>\n")

	// A client configured from what was printed works against it.
	ctx := context.Background()
	c, err := link.NewClient(clientID, secret, link.WithBaseURL(base))
	require.NoError(t, err)
	req := &link.TokenCreateRequest{
		ClientName:   "Wonderwallet",
		Language:     link.LanguageEnglish,
		CountryCodes: []link.CountryCode{link.CountryCodeUS},
		User:         &link.TokenCreateRequestUser{ClientUserID: "user-1"},
		Products:     []link.Product{link.ProductTransactions},
		HostedLink:   &link.TokenCreateHostedLink{},
	}
	tok, err := c.CreateToken(ctx, req)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(tok.HostedLinkURL, base+"/hl/"), tok.HostedLinkURL)
	// Its clock is the wall clock's, so a token expires in real time.
	assert.WithinDuration(t, time.Now().Add(linktest.HostedLinkURLLifetime), tok.Expiration, time.Minute)
	assert.Zero(t, tok.Expiration.Nanosecond(), "whole seconds, as Plaid's expiration")

	// The token's Link page is served there, and pressing Continue on it completes the session.
	page := get(t, base+"/link/page/"+tok.LinkToken)
	assert.Contains(t, page, `id="continue"`)
	id := regexp.MustCompile(`name="submission" value="([^"]+)"`).FindStringSubmatch(page)
	require.NotNil(t, id, page)
	resp, err := http.PostForm(tok.HostedLinkURL, url.Values{"submission": {id[1]}, "action": {"continue"},
		"institution": {linktest.DefaultInstitutionID}, "account": {"0000"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	got, err := c.GetToken(ctx, &link.TokenGetRequest{LinkToken: tok.LinkToken})
	require.NoError(t, err)
	require.Len(t, got.LinkSessions, 1)
	require.NotNil(t, got.LinkSessions[0].OnSuccess)

	// Interrupted, it stops cleanly and the port is free again.
	s.stop()
	select {
	case err := <-s.err:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
	var rest []string
	for line := range s.lines {
		rest = append(rest, line)
	}
	assert.Equal(t, []string{"Stopping: waiting for requests in flight."}, rest)
	u, err := url.Parse(base)
	require.NoError(t, err)
	l, err := net.Listen("tcp", u.Host)
	require.NoError(t, err, "the port is released")
	l.Close()
}

func get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
	return string(b)
}

func TestRunRefuses(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"an unknown flag", []string{"-port", "1"}, "flag provided but not defined: -port"},
		{"extra arguments", []string{"serve"}, `unexpected arguments ["serve"]`},
		{"an address that is not one", []string{"-addr", "nowhere"}, "listening on nowhere: listen tcp: address nowhere: missing port in address"},
		{"an address in use", []string{"-addr", busy.Addr().String()}, "listening on " + busy.Addr().String() + ": "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var out strings.Builder
			err := run(ctx, tt.args, &out)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestRunHelp(t *testing.T) {
	var out strings.Builder
	err := run(context.Background(), []string{"-h"}, &out)
	require.ErrorIs(t, err, flag.ErrHelp)
	assert.Contains(t, out.String(), "-addr string")
	assert.Contains(t, out.String(), `(default "127.0.0.1:8585")`)
}

// The clock is brought up to the wall clock but never back: a session steps it ahead, and the
// times the fake stamps must keep increasing.
func TestFollowRealTime(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := linktest.NewClock(t0)
	var wall atomic.Int64
	wall.Store(t0.Add(time.Hour).UnixNano())
	var reads atomic.Int64
	now := func() time.Time {
		reads.Add(1)
		return time.Unix(0, wall.Load()).UTC()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		followRealTime(ctx, clock, time.Millisecond, now, nil)
	}()
	defer func() {
		cancel()
		<-done
	}()

	require.Eventually(t, func() bool { return clock.Now().Equal(t0.Add(time.Hour)) }, 5*time.Second, time.Millisecond)

	clock.Set(t0.Add(2 * time.Hour))
	seen := reads.Load()
	require.Eventually(t, func() bool { return reads.Load() >= seen+3 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, t0.Add(2*time.Hour), clock.Now(), "a clock ahead of the wall clock is left alone")

	wall.Store(t0.Add(3 * time.Hour).UnixNano())
	require.Eventually(t, func() bool { return clock.Now().Equal(t0.Add(3 * time.Hour)) }, 5*time.Second, time.Millisecond)

	// A wall clock part way through a second moves the clock to the whole second only.
	wall.Store(t0.Add(4*time.Hour + 750*time.Millisecond).UnixNano())
	require.Eventually(t, func() bool { return clock.Now().Equal(t0.Add(4 * time.Hour)) }, 5*time.Second, time.Millisecond)
	seen = reads.Load()
	require.Eventually(t, func() bool { return reads.Load() >= seen+3 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, t0.Add(4*time.Hour), clock.Now(), "never a fraction of a second")
}

func TestDeliveryLog(t *testing.T) {
	at := func(hms string) time.Time {
		tm, err := time.Parse(time.TimeOnly, hms)
		require.NoError(t, err)
		return time.Date(2026, 1, 2, tm.Hour(), tm.Minute(), tm.Second(), 0, time.UTC)
	}
	refused := &url.Error{Op: "Post", URL: "http://127.0.0.1:1/hook", Err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused")}
	first := []linktest.WebhookDelivery{
		{ID: "a", Code: "ITEM_ADD_RESULT", URL: "http://127.0.0.1:8080/hook", Attempt: 1, Time: at("10:00:00"),
			StatusCode: 500, Err: errors.New("linktest: webhook ITEM_ADD_RESULT to http://127.0.0.1:8080/hook: receiver answered 500 Internal Server Error, not 200"),
			NextAttempt: at("10:00:30")},
		{ID: "b", Code: "EVENTS", URL: "http://127.0.0.1:8080/hook", Attempt: 1, Time: at("10:00:00"), StatusCode: 200},
		{ID: "c", Code: "SESSION_FINISHED", URL: "http://127.0.0.1:1/hook", Attempt: 1, Time: at("10:00:00"),
			Err: fmt.Errorf("linktest: webhook SESSION_FINISHED to http://127.0.0.1:1/hook: %w", refused), NextAttempt: at("10:00:30")},
	}
	var out strings.Builder
	l := &deliveryLog{w: &out}
	l.print(first)
	assert.Equal(t, `10:00:00 webhook ITEM_ADD_RESULT (attempt 1) to http://127.0.0.1:8080/hook: answered 500, not 200; next attempt at 10:00:30
10:00:00 webhook EVENTS (attempt 1) to http://127.0.0.1:8080/hook: answered 200
10:00:00 webhook SESSION_FINISHED (attempt 1) to http://127.0.0.1:1/hook: no answer: dial tcp 127.0.0.1:1: connect: connection refused; next attempt at 10:00:30
`, out.String())

	// The next look prints only the attempts made since: the retry of a.
	out.Reset()
	retry := linktest.WebhookDelivery{ID: "a", Code: "ITEM_ADD_RESULT", URL: "http://127.0.0.1:8080/hook", Attempt: 2,
		Time: at("10:00:30"), StatusCode: 200}
	l.print(append(first[1:], retry))
	assert.Equal(t, "10:00:30 webhook ITEM_ADD_RESULT (attempt 2) to http://127.0.0.1:8080/hook: answered 200\n", out.String())
	assert.Len(t, l.seen, 3, "a forgotten attempt is not remembered")
}

// A webhook the dev server sends shows in its output, with how the receiver answered.
func TestRunPrintsDeliveries(t *testing.T) {
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(rcv.Close)
	s, banner := start(t, "-addr", "127.0.0.1:0")
	base := field(t, banner, "URL")
	c, err := link.NewClient(linktest.ClientID, linktest.Secret, link.WithBaseURL(base))
	require.NoError(t, err)
	tok, err := c.CreateSessionToken(context.Background(), &link.SessionTokenCreateRequest{
		TemplateID: "template_4uinBNe4B2x9", User: &link.SessionTokenCreateRequestUser{ClientUserID: "u"}, Webhook: rcv.URL})
	require.NoError(t, err)
	page := get(t, base+"/link/page/"+tok.Link.LinkToken)
	id := regexp.MustCompile(`name="submission" value="([^"]+)"`).FindStringSubmatch(page)
	require.NotNil(t, id, page)
	resp, err := http.PostForm(base+"/link/page/"+tok.Link.LinkToken, url.Values{"submission": {id[1]}, "action": {"exit"},
		"institution": {linktest.DefaultInstitutionID}, "exit_status": {"requires_credentials"}})
	require.NoError(t, err)
	resp.Body.Close()

	want := regexp.MustCompile(`^\d\d:\d\d:\d\d webhook SESSION_FINISHED \(attempt 1\) to ` + regexp.QuoteMeta(rcv.URL) +
		`: answered 503, not 200; next attempt at \d\d:\d\d:\d\d$`)
	select {
	case line := <-s.lines:
		assert.Regexp(t, want, line)
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery line within 10 s")
	}
}
