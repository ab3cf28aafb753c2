package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linktest"
)

// After the wait, the session's outcome decides what follows: a linked session's public token is
// exchanged once and its access token saved, and run prints the step.
func TestRunExchanges(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(testContext(t), &out, config{}))
	got := out.String()
	assert.Contains(t, got, "4. Exchanging each public token once (link/exchange), within its 30 minutes:\n")
	assert.Regexp(t, `\n   public-sandbox-`+uuidPattern+`: item_id [A-Za-z0-9]{37}, access token access-sandbox-`+uuidPattern+` saved\n$`, got)
}

// With masking, the exchange step shows each token's kind and nothing of its identifier.
func TestHostedLinkExchangeMasked(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	var out bytes.Buffer
	oc, err := hostedLink(testContext(t), &out, srv.Client(), quickPoll, completeAfter(srv, 0), mask)
	require.NoError(t, err)
	require.Len(t, oc.Items, 1)
	assert.Contains(t, out.String(), "   public-sandbox-…: item_id "+oc.Items[0].ItemID+", access token access-sandbox-… saved\n")
	assert.NotContains(t, out.String(), oc.Items[0].AccessToken)
}

// A session that linked no Item is not exchanged: exited and abandoned sessions say how they
// ended, and stop there.
func TestHostedLinkNoItemNoExchange(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	exit := func(_ context.Context, linkToken string) error {
		_, err := srv.ExitSession(linkToken, nil)
		return err
	}
	abandon := func(_ context.Context, linkToken string) error {
		open, err := srv.OpenSession(linkToken)
		if err != nil {
			return err
		}
		_, err = srv.AbandonSession(open.LinkSessionID)
		return err
	}
	tests := []struct {
		name    string
		user    endUser
		want    link.SessionOutcome
		printed string
	}{
		{"exited", exit, link.SessionExited, "   outcome:       the user left Link without linking an Item (status requires_credentials)\n"},
		{"abandoned", abandon, link.SessionAbandoned, "   outcome:       the user abandoned Link (closed the page, or stopped interacting)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			oc, err := hostedLink(testContext(t), &out, srv.Client(), quickPoll, tt.user, reveal)
			require.NoError(t, err)
			assert.Equal(t, tt.want, oc.Session.Outcome())
			assert.Contains(t, out.String(), tt.printed)
			assert.NotContains(t, out.String(), "4. Exchanging")
			assert.Empty(t, oc.Items)
		})
	}
	assert.Empty(t, srv.Items())
}

// A lost reply to the exchange: the example says the access token is lost with it and the user
// must link again, and saves nothing.
func TestHostedLinkExchangeLostReply(t *testing.T) {
	srv := linktest.NewServer()
	defer srv.Close()
	srv.LoseReplyNext(linktest.PathPublicTokenExchange, 1, 0)
	var out bytes.Buffer
	oc, err := hostedLink(testContext(t), &out, srv.Client(), quickPoll, completeAfter(srv, 0), reveal)
	require.ErrorIs(t, err, link.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "ask the user to link again")
	assert.NotRegexp(t, regexp.MustCompile(`public-sandbox-`+uuidPattern), err.Error())
	assert.Empty(t, oc.Items)
	assert.Len(t, srv.Items(), 1, "Plaid made the Item whose access token was lost")
}
