package ctxtest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type key struct{}

func TestDeadline(t *testing.T) {
	parent := context.WithValue(context.Background(), key{}, "v")
	ctx, end := Deadline(parent)
	at, ok := ctx.Deadline()
	require.True(t, ok)
	assert.Greater(t, time.Until(at), 50*time.Minute)
	assert.NoError(t, ctx.Err())
	assert.Equal(t, "v", ctx.Value(key{}))
	select {
	case <-ctx.Done():
		t.Fatal("done before end")
	default:
	}

	child, cancel := context.WithTimeout(ctx, time.Hour)
	defer cancel()
	end()
	end() // harmless
	<-ctx.Done()
	assert.ErrorIs(t, ctx.Err(), context.DeadlineExceeded)
	<-child.Done()
	assert.ErrorIs(t, child.Err(), context.DeadlineExceeded, "a child ends with it, as with a real deadline")
}

func TestOnLog(t *testing.T) {
	n := 0
	log := OnLog("waiting", func() { n++ })
	log.Debug("other")
	log.With("a", 1).WithGroup("g").Debug("waiting", "b", 2)
	log.Info("waiting")
	assert.Equal(t, 2, n)
	assert.True(t, log.Enabled(context.Background(), slog.LevelDebug))
}
