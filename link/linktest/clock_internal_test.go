package linktest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestClockAndDefaults(t *testing.T) {
	s := NewServer()
	defer s.Close()
	now := s.Clock().Now()
	assert.Equal(t, time.UTC, now.Location())
	assert.Equal(t, now, now.Truncate(time.Second), "the default clock starts on a whole second")
	assert.WithinDuration(t, time.Now(), now, time.Minute)
	assert.Equal(t, DefaultWebhookTimeout, s.webhookTimeout)

	c := NewClock(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	assert.Equal(t, time.Date(2024, 1, 1, 0, 30, 0, 0, time.UTC), c.Advance(30*time.Minute))
	c.Set(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	assert.Equal(t, 2030, c.Now().Year())
}
