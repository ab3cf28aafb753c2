package exchange_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/exchange"
)

// A SaveError carries the access token, and shows it nowhere: not in its message, not under any
// formatting verb, not in JSON or a log record, even when save's own error quotes it, or quotes
// the public token.
func TestSaveErrorHidesTheTokens(t *testing.T) {
	f := newFixture(t, exchange.WithSaveAttempts(2))
	token := completeSession(t, f.srv)
	var accessToken string
	err := f.ex.Exchange(testContext(t), token, func(_ context.Context, r *link.ItemPublicTokenExchangeResponse) error {
		accessToken = r.AccessToken
		return fmt.Errorf("pq: duplicate key value violates unique constraint: (access_token)=(%s) from %s", r.AccessToken, token)
	})
	var saveErr *exchange.SaveError
	require.ErrorAs(t, err, &saveErr)
	require.NotEmpty(t, accessToken)
	require.Equal(t, accessToken, saveErr.Response().AccessToken, "the token is carried")
	itemID := saveErr.Response().ItemID
	require.NotEmpty(t, itemID)

	want := "exchange: the public token was exchanged but save failed 2 times for item_id " + itemID +
		"; keep the access token from SaveError.Response elsewhere: pq: duplicate key value violates unique constraint: " +
		"(access_token)=([access_token]) from [public_token]"
	assert.Equal(t, want, saveErr.Error())

	jsonBody, jerr := json.Marshal(saveErr)
	require.NoError(t, jerr)
	wrapped := fmt.Errorf("handling ITEM_ADD_RESULT: %w", err)
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Error("exchange failed", "err", saveErr)
	slog.New(slog.NewTextHandler(&logs, nil)).Error("exchange failed", "err", saveErr)

	renderings := map[string]string{
		"Error":       saveErr.Error(),
		"%v":          fmt.Sprintf("%v", saveErr),
		"%+v":         fmt.Sprintf("%+v", saveErr),
		"%#v":         fmt.Sprintf("%#v", saveErr),
		"%s":          fmt.Sprintf("%s", saveErr),
		"%q":          fmt.Sprintf("%q", saveErr),
		"%x":          fmt.Sprintf("%x", saveErr),
		"wrapped %+v": fmt.Sprintf("%+v", wrapped),
		"JSON":        string(jsonBody),
		"slog":        logs.String(),
	}
	for name, s := range renderings {
		assert.NotContains(t, s, accessToken, name)
		assert.NotContains(t, s, token, name)
		assert.Contains(t, s, itemID, name)
	}
	// A copy of the struct, printed field by field, shows no more: the reply is behind a pointer.
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		s := fmt.Sprintf(verb, *saveErr)
		assert.NotContains(t, s, accessToken, verb)
		assert.NotContains(t, s, token, verb)
	}
	assert.Equal(t, want, fmt.Sprintf("%+v", saveErr))
	assert.Equal(t, fmt.Sprintf("%q", want), fmt.Sprintf("%q", saveErr))
	assert.Contains(t, renderings["%#v"], `&exchange.SaveError{ItemID:"`+itemID+`", RequestID:"`)
	assert.Contains(t, renderings["%#v"], `Attempts:2, Err:"pq: duplicate key value`)

	var decoded map[string]any
	require.NoError(t, json.Unmarshal(jsonBody, &decoded))
	assert.Equal(t, want, decoded["error"])
	assert.Equal(t, itemID, decoded["item_id"])
	assert.EqualValues(t, 2, decoded["attempts"])
	assert.NotEmpty(t, decoded["request_id"])

	// Unwrap gives save's error as it was, for the caller's own handling.
	assert.Contains(t, errors.Unwrap(saveErr).Error(), accessToken)
}

func TestSaveErrorOneAttempt(t *testing.T) {
	f := newFixture(t, exchange.WithSaveAttempts(1))
	err := f.ex.Exchange(testContext(t), completeSession(t, f.srv), func(context.Context, *link.ItemPublicTokenExchangeResponse) error {
		return errors.New("disk full")
	})
	var saveErr *exchange.SaveError
	require.ErrorAs(t, err, &saveErr)
	assert.Equal(t, 1, saveErr.Attempts())
	assert.Regexp(t, `^exchange: the public token was exchanged but save failed 1 time for item_id \S+; keep the access token from SaveError.Response elsewhere: disk full$`, err.Error())
}
