package linktest_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
)

// An option given a value it cannot use makes NewServer panic, naming the option and the value,
// instead of keeping the default as if nothing had been asked.
func TestNewServerPanicsOnBadOption(t *testing.T) {
	cases := []struct {
		opt  linktest.Option
		want string
	}{
		{linktest.WithCredentials("", ""), `linktest: NewServer: WithCredentials("", ""): the client_id and secret must not be empty`},
		{linktest.WithCredentials("", "s3cret"), `linktest: NewServer: WithCredentials("", ...): the client_id must not be empty`},
		{linktest.WithCredentials("id", ""), `linktest: NewServer: WithCredentials(..., ""): the secret must not be empty`},
		{linktest.WithClock(nil), "linktest: NewServer: WithClock(nil): the clock must not be nil"},
		{linktest.WithSigningClock(nil), "linktest: NewServer: WithSigningClock(nil): the signing clock must not be nil"},
		{linktest.WithWebhookTimeout(0), "linktest: NewServer: WithWebhookTimeout(0s): the timeout must be positive"},
		{linktest.WithWebhookTimeout(-time.Second), "linktest: NewServer: WithWebhookTimeout(-1s): the timeout must be positive"},
		{linktest.WithWebhookClient(nil), "linktest: NewServer: WithWebhookClient(nil): the client must not be nil"},
		{linktest.WithListener(nil), "linktest: NewServer: WithListener(nil): the listener must not be nil"},
		{nil, "linktest: NewServer: option 2 of 2 is nil"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			assert.PanicsWithValue(t, tc.want, func() {
				s := linktest.NewServer(linktest.WithLinkWebhooksForAllSessions(), tc.opt)
				s.Close()
			})
		})
	}
}

// The panic names the first bad option, and never shows a secret.
func TestNewServerPanicNamesFirstBadOptionWithoutSecret(t *testing.T) {
	defer func() {
		msg := fmt.Sprint(recover())
		assert.Equal(t, "linktest: NewServer: WithWebhookTimeout(-1ns): the timeout must be positive", msg)
		assert.NotContains(t, msg, "hunter2")
	}()
	linktest.NewServer(linktest.WithWebhookTimeout(-1), linktest.WithCredentials("", "hunter2"))
	t.Fatal("NewServer did not panic")
}

// Good values are taken as given.
func TestNewServerTakesGoodOptions(t *testing.T) {
	clock := linktest.NewClock(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
	s := linktest.NewServer(linktest.WithCredentials("my-id", "my-secret"), linktest.WithClock(clock),
		linktest.WithWebhookTimeout(time.Second), linktest.WithWebhookClient(&http.Client{}))
	defer s.Close()
	assert.Equal(t, "my-id", s.ClientID())
	assert.Equal(t, "my-secret", s.Secret())
	require.Same(t, clock, s.Clock())
}

// A session option given a value it cannot use fails the session with an error naming the
// option and the value, instead of being clamped or dropped; nothing is recorded.
func TestSessionOptionsRefuseBadValues(t *testing.T) {
	s := newServer(t)
	c := s.Client()
	req := tokenRequest()
	req.EnableMultiItemLink = link.Ptr(true)
	token := createToken(t, c, req).LinkToken

	tooMany := make([]linktest.SessionOption, 0, 33)
	for range 33 {
		tooMany = append(tooMany, linktest.WithAdditionalItem(""))
	}
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"events 0", func() error {
			_, err := s.CompleteSession(token, linktest.WithEventsWebhooks(0))
			return err
		}, "linktest: CompleteSession: WithEventsWebhooks(0): n must be from 1 to 16"},
		{"events 17", func() error {
			_, err := s.ExitSession(token, nil, linktest.WithEventsWebhooks(17))
			return err
		}, "linktest: ExitSession: WithEventsWebhooks(17): n must be from 1 to 16"},
		{"33 additional Items", func() error {
			_, err := s.CompleteSession(token, tooMany...)
			return err
		}, `linktest: CompleteSession: WithAdditionalItem(""): at most 32 additional Items per session`},
		{"nil option", func() error {
			_, err := s.OpenSession(token, linktest.WithMFA(linktest.MFATypeCode), nil)
			return err
		}, "linktest: OpenSession: session option 2 of 2 is nil"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.EqualError(t, tc.run(), tc.want)
		})
	}
	got, err := c.GetToken(t.Context(), &link.TokenGetRequest{LinkToken: token})
	require.NoError(t, err)
	assert.Empty(t, got.LinkSessions, "a refused session is not recorded")

	// The bounds themselves are accepted.
	res, err := s.CompleteSession(token, linktest.WithEventsWebhooks(16), linktest.WithAdditionalItem(""))
	require.NoError(t, err)
	assert.Len(t, res.PublicTokens, 2)
}
