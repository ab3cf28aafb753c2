package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

var sampleFiles = []string{"item_add_result.json", "events.json", "events_earlier.json", "session_finished.json"}

func FuzzParse(f *testing.F) {
	for _, name := range sampleFiles {
		f.Add(sample(f, name))
	}
	f.Add([]byte(`{"webhook_type":"ITEM","webhook_code":"ERROR","error":{"error_code":"ITEM_LOGIN_REQUIRED"}}`))
	f.Add([]byte(`{"webhook_type":"LINK","webhook_code":"EVENTS","events":[{"timestamp":"2024-05-21T00:17:54.123+02:00"}]}`))
	f.Add([]byte(`{"webhook_type":"LINK"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := webhook.Parse(body)
		if err != nil {
			require.ErrorIs(t, err, webhook.ErrInvalidPayload)
			require.Nil(t, ev)
			return
		}
		require.NotNil(t, ev)
		require.NotEmpty(t, ev.Type())
		require.NotEmpty(t, ev.Code())
		switch e := ev.(type) {
		case *webhook.Unknown:
			require.Equal(t, body, []byte(e.Raw))
			require.Equal(t, e.LinkSessionID, e.SessionID())
		case *webhook.ItemAddResult:
			require.Equal(t, e.LinkSessionID, e.SessionID())
		case *webhook.Events:
			require.Equal(t, e.LinkSessionID, e.SessionID())
		case *webhook.SessionFinished:
			require.Equal(t, e.LinkSessionID, e.SessionID())
		}
		if e, ok := ev.(*webhook.Events); ok {
			merged := webhook.MergeEvents(e.Events, e.Events)
			for i := 1; i < len(merged); i++ {
				require.False(t, merged[i].Timestamp.Before(merged[i-1].Timestamp.Time), "merged events are in time order")
			}
		}
	})
}

func FuzzVerify(f *testing.F) {
	signer := webhooktest.NewSigner()
	now := time.Date(2024, 5, 21, 0, 18, 13, 0, time.UTC)
	v := webhook.NewVerifier(signer, webhook.WithClock(func() time.Time { return now }))
	var bodies [][]byte
	for _, name := range sampleFiles {
		body := sample(f, name)
		bodies = append(bodies, body)
		f.Add(signer.SignAt(body, now), body)
		f.Add(signer.SignAt(body, now.Add(-6*time.Minute)), body)
	}
	f.Add("", []byte(nil))
	f.Add("eyJhbGciOiJub25lIn0.e30.", []byte(`{}`))
	f.Add("a.b.c", []byte(`{}`))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := v.Verify(context.Background(), header, body)
		// The split form the Handler uses decides the same.
		claims, headerErr := v.VerifyHeader(context.Background(), header)
		if headerErr != nil {
			require.Nil(t, claims)
			require.Equal(t, headerErr.Error(), err.Error())
		} else {
			require.Equal(t, err, claims.VerifyBody(body))
		}
		if err == nil {
			// Only the Signer can make a valid header, and it signed nothing but the samples.
			found := false
			for _, b := range bodies {
				found = found || bytes.Equal(b, body)
			}
			require.True(t, found, "verified a body nobody signed")
			return
		}
		n := 0
		for _, s := range allSentinels {
			if errors.Is(err, s) {
				n++
			}
		}
		require.Equal(t, 1, n, "error %v wraps exactly one sentinel", err)
	})
}
