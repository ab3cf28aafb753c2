package redisdedup_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/internal/redistest"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/redisdedup"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

// commandLog is a go-redis hook that records the name of each command sent: one round trip each.
type commandLog struct {
	mu   sync.Mutex
	sent []string
}

func (l *commandLog) DialHook(next redis.DialHook) redis.DialHook { return next }

func (l *commandLog) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		l.mu.Lock()
		l.sent = append(l.sent, cmd.Name())
		l.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (l *commandLog) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		l.mu.Lock()
		l.sent = append(l.sent, "pipeline")
		l.mu.Unlock()
		return next(ctx, cmds)
	}
}

func (l *commandLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	sent := l.sent
	l.sent = nil
	return sent
}

var _ redis.Hook = (*commandLog)(nil)

// TestRoundTripsPerWebhook checks that a webhook costs Redis one round trip to claim its keys and
// one to mark them done or release them, whatever its number of keys.
func TestRoundTripsPerWebhook(t *testing.T) {
	c := redistest.Start(t).Client()
	var log commandLog
	c.AddHook(&log)
	signer := webhooktest.NewSigner()
	var fnErr error
	h := webhook.NewHandler(webhook.NewVerifier(signer), func(context.Context, webhook.Event) error { return fnErr },
		webhook.WithDeduper(redisdedup.New(c)))

	// The first call of each script loads it (EVALSHA answered NOSCRIPT, then EVAL).
	warm := newWebhookMaker(t, signer, 2)
	require.Equal(t, http.StatusOK, serve(h, warm.next(t)))
	fnErr = errors.New("database down")
	require.Equal(t, http.StatusInternalServerError, serve(h, warm.next(t)))
	fnErr = nil
	log.take()

	for _, events := range []int{0, 1, 34, 300} {
		maker := newWebhookMaker(t, signer, events)
		w := maker.next(t)

		require.Equal(t, http.StatusOK, serve(h, w))
		assert.Equal(t, []string{"evalsha", "evalsha"}, log.take(), "%d events: claim, done", events)
		require.Equal(t, http.StatusOK, serve(h, w))
		assert.Equal(t, []string{"evalsha"}, log.take(), "%d events: a duplicate: claim", events)

		fnErr = errors.New("database down")
		require.Equal(t, http.StatusInternalServerError, serve(h, maker.next(t)))
		assert.Equal(t, []string{"evalsha", "evalsha"}, log.take(), "%d events: claim, release", events)
		fnErr = nil
	}
}

// TestScriptsLoadOnAFreshServer checks that the scripts work on a Redis that has never seen them
// (go-redis falls back from EVALSHA to EVAL), as after a restart or failover.
func TestScriptsLoadOnAFreshServer(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	c := srv.Client()
	d := redisdedup.New(c)
	require.NoError(t, c.ScriptFlush(ctx).Err())
	states, err := d.ClaimBatch(ctx, []string{"EVENTS:{s}1", "EVENTS:{s}2"}, "a", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, []webhook.ClaimState{webhook.ClaimOK, webhook.ClaimOK}, states)
	require.NoError(t, c.ScriptFlush(ctx).Err())
	require.NoError(t, d.DoneBatch(ctx, []string{"EVENTS:{s}1", "EVENTS:{s}2"}, time.Hour))
	require.NoError(t, c.ScriptFlush(ctx).Err())
	require.NoError(t, d.ReleaseBatch(ctx, []string{"EVENTS:{s}1"}, "a"))
	st, err := d.Claim(ctx, "EVENTS:{s}1", "b", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, webhook.ClaimDone, st)
}
