package delivery

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// receiver answers each attempt with the next of its statuses (200 once they run out) and
// records when each came.
type receiver struct {
	statuses []int
	got      []string // code@time
}

func (r *receiver) send(url, code string, body []byte, now time.Time) (string, int, error) {
	status := 200
	if len(r.statuses) > 0 {
		status, r.statuses = r.statuses[0], r.statuses[1:]
	}
	r.got = append(r.got, code+"@"+now.Format("15:04:05"))
	if status != 200 {
		return "jwt", status, errors.New("not 200")
	}
	return "jwt", status, nil
}

func TestScheduleFollowsPlaidsRedeliverySchedule(t *testing.T) {
	clock := &fakeClock{now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	rcv := &receiver{statuses: []int{500, 500, 503}}
	d := New(Config{Now: clock.Now, Send: rcv.send})

	first := d.Send(Batch{URL: "http://r", SessionID: "s", Hooks: []Hook{{Code: "EVENTS", Body: map[string]int{"n": 1}}}, Due: clock.Now()})
	require.Len(t, first, 1)
	assert.Equal(t, 500, first[0].StatusCode)
	assert.Equal(t, clock.Now().Add(RetryFirstDelay), first[0].NextAttempt)
	assert.JSONEq(t, `{"n":1}`, string(first[0].Body))

	clock.advance(29 * time.Second)
	d.DeliverDue()
	assert.Len(t, rcv.got, 1, "nothing is due before 30 s")
	clock.advance(time.Second)
	d.DeliverDue()
	clock.advance(2 * time.Minute)
	d.DeliverDue()
	assert.Equal(t, []string{"EVENTS@00:00:00", "EVENTS@00:00:30", "EVENTS@00:02:30"}, rcv.got)
	clock.advance(8 * time.Minute)
	d.DeliverDue()
	assert.Len(t, rcv.got, 4, "the fourth attempt is answered 200")
	clock.advance(24 * time.Hour)
	d.DeliverDue()
	assert.Len(t, rcv.got, 4, "a delivered webhook is not sent again")

	all := d.Deliveries()
	require.Len(t, all, 4)
	assert.Equal(t, []int{1, 2, 3, 4}, []int{all[0].Attempt, all[1].Attempt, all[2].Attempt, all[3].Attempt})
	assert.True(t, all[3].NextAttempt.IsZero())

	again, ok := d.Redeliver(all[0].ID)
	require.True(t, ok)
	assert.True(t, again.Redelivered)
	assert.Equal(t, 5, again.Attempt)
	_, ok = d.Redeliver("whk_unknown")
	assert.False(t, ok)
}

func TestScheduledWebhooksAndExpiredGoOutInDueOrderUntilClosed(t *testing.T) {
	clock := &fakeClock{now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	rcv := &receiver{}
	var expiredAt []time.Time
	d := New(Config{Now: clock.Now, Send: rcv.send, Expired: func(now time.Time) []Batch {
		expiredAt = append(expiredAt, now)
		if len(expiredAt) > 1 {
			return nil
		}
		return []Batch{{URL: "http://r", Hooks: []Hook{{Code: "SESSION_FINISHED", Body: 1}}, Due: now.Add(time.Minute)}}
	}})
	d.Schedule(Batch{URL: "http://r", Hooks: []Hook{{Code: "B", Body: 1}}, Due: clock.Now().Add(2 * time.Minute)})
	d.Schedule(Batch{URL: "http://r", Hooks: []Hook{{Code: "A", Body: 1}}, Due: clock.Now().Add(2 * time.Minute)})
	d.Schedule(Batch{URL: "", Hooks: []Hook{{Code: "NOWHERE", Body: 1}}, Due: clock.Now()})
	d.DeliverDue()
	assert.Empty(t, rcv.got)
	require.NotEmpty(t, expiredAt, "the owner is asked what expired before the due attempts are taken")

	clock.advance(2 * time.Minute)
	d.DeliverDue()
	assert.Equal(t, []string{"SESSION_FINISHED@00:02:00", "B@00:02:00", "A@00:02:00"}, rcv.got,
		"earliest due first, and queueing order between equal due times")

	d.Schedule(Batch{URL: "http://r", Hooks: []Hook{{Code: "LATE", Body: 1}}, Due: clock.Now()})
	d.Close()
	d.DeliverDue()
	assert.Len(t, rcv.got, 3, "a closed dispatcher sends nothing more")
}

func TestBoundsDropTheOldest(t *testing.T) {
	clock := &fakeClock{now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	rcv := &receiver{statuses: []int{500, 500, 500}}
	d := New(Config{Now: clock.Now, Send: rcv.send, MaxWebhooks: 1, MaxDeliveries: 2})
	first := d.Send(Batch{URL: "http://r", Hooks: []Hook{{Code: "ONE", Body: 1}}, Due: clock.Now()})
	d.Send(Batch{URL: "http://r", Hooks: []Hook{{Code: "TWO", Body: 1}, {Code: "THREE", Body: 1}}, Due: clock.Now()})
	_, ok := d.Redeliver(first[0].ID)
	assert.False(t, ok, "a webhook over the bound is forgotten")
	all := d.Deliveries()
	require.Len(t, all, 2)
	assert.Equal(t, "TWO", all[0].Code)

	clock.advance(time.Hour)
	d.DeliverDue()
	assert.Equal(t, []string{"ONE@00:00:00", "TWO@00:00:00", "THREE@00:00:00", "THREE@01:00:00"}, rcv.got,
		"only the webhook still remembered gets its retry")
}

func TestRetryWait(t *testing.T) {
	want := []time.Duration{30 * time.Second, 2 * time.Minute, 8 * time.Minute, 32 * time.Minute, 128 * time.Minute, 512 * time.Minute}
	for i, w := range want {
		assert.Equal(t, w, retryWait(i+1), "after attempt %d", i+1)
	}
}

func TestOutcome(t *testing.T) {
	at := time.Date(2024, 1, 1, 12, 0, 30, 0, time.UTC)
	assert.Equal(t, "answered 200", WebhookDelivery{StatusCode: 200}.Outcome())
	assert.Equal(t, "answered 503, not 200; next attempt at 12:00:30",
		WebhookDelivery{StatusCode: 503, Err: errors.New("x"), NextAttempt: at}.Outcome())
	assert.Equal(t, "not sent: boom", WebhookDelivery{Err: errors.New("boom")}.Outcome())
}
