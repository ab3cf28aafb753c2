package transport

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBackoffGrowsWithJitterAndCap(t *testing.T) {
	minWait, maxWait := 100*time.Millisecond, time.Second
	for attempt, base := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		base *= time.Millisecond
		for range 50 {
			d := Backoff(minWait, maxWait, attempt)
			assert.GreaterOrEqual(t, d, base/2, "attempt %d", attempt)
			assert.LessOrEqual(t, d, base, "attempt %d", attempt)
		}
	}
	assert.LessOrEqual(t, Backoff(minWait, maxWait, 1000), maxWait, "no overflow on huge attempts")
	assert.Equal(t, time.Duration(0), Backoff(0, maxWait, 3))
	assert.LessOrEqual(t, Backoff(minWait, -time.Second, 2), minWait, "a max below min is raised to min")
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 7, 29, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"1", time.Second, true},
		{" 120 ", 120 * time.Second, true},
		{"0", 0, true},
		{"-3", 0, false},
		{"soon", 0, false},
		{"99999999999999", 24 * time.Hour, true},
		{now.Add(5 * time.Second).Format(http.TimeFormat), 5 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestBackoffPolicyHonoursRetryAfterUpToCap(t *testing.T) {
	c := &Client{}
	const capped = 30 * time.Second
	resp := func(v string) http.Header { return http.Header{"Retry-After": {v}} }
	assert.Equal(t, 2*time.Second, c.backoff(time.Millisecond, time.Millisecond, capped, 0, resp("2")))
	assert.Equal(t, 30*time.Second, c.backoff(time.Millisecond, time.Millisecond, capped, 0, resp("3600")))
	assert.Equal(t, time.Duration(0), c.backoff(0, 0, 0, 0, resp("3600")), "a zero cap makes retries instant")
	d := c.backoff(time.Millisecond, 2*time.Millisecond, capped, 0, resp("garbage"))
	assert.LessOrEqual(t, d, time.Millisecond, "unparseable Retry-After falls back to backoff")
	d = c.backoff(10*time.Millisecond, 20*time.Millisecond, capped, 1, nil)
	assert.GreaterOrEqual(t, d, 10*time.Millisecond)
	assert.LessOrEqual(t, d, 20*time.Millisecond)
}
