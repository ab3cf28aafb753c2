package redisdedup_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/internal/redistest"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/redisdedup"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

// Handlers sharing a Redis, as the instances of a fleet do, receiving webhooks signed the way
// Plaid signs them over real HTTP.

func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/" + name)
	require.NoError(t, err)
	return b
}

// receiver is one instance: a handler on its own verifier and HTTP server, processing webhooks
// with the fleet's fn.
type receiver struct{ url string }

// fleet is n receivers sharing one Redis, and the fn they run.
type fleet struct {
	t         *testing.T
	signer    *webhooktest.Signer
	receivers []receiver
	mu        sync.Mutex
	processed map[string]int // webhook_code and link_session_id (and event ids) -> fn calls
	fn        func(ctx context.Context, ev webhook.Event) error
}

func newFleet(t *testing.T, srv *redistest.Server, n int) *fleet {
	f := &fleet{t: t, signer: webhooktest.NewSigner(), processed: map[string]int{}}
	for range n {
		d := redisdedup.New(srv.Client())
		h := webhook.NewHandler(webhook.NewVerifier(f.signer), func(ctx context.Context, ev webhook.Event) error {
			f.mu.Lock()
			fn := f.fn
			f.processed[describe(ev)]++
			f.mu.Unlock()
			if fn != nil {
				return fn(ctx, ev)
			}
			return nil
		}, webhook.WithDeduper(d))
		s := httptest.NewServer(h)
		t.Cleanup(s.Close)
		f.receivers = append(f.receivers, receiver{url: s.URL})
	}
	return f
}

func describe(ev webhook.Event) string {
	s := ev.Code() + " " + ev.SessionID()
	if e, ok := ev.(*webhook.Events); ok {
		s += fmt.Sprintf(" %d events", len(e.Events))
	}
	return s
}

// setFn makes fn run after the fleet's counting, for the deliveries from then on.
func (f *fleet) setFn(fn func(ctx context.Context, ev webhook.Event) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fn = fn
}

func (f *fleet) calls(what string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.processed[what]
}

// deliver posts body to receiver i with a fresh JWT, as each of Plaid's deliveries has, and
// returns the status.
func (f *fleet) deliver(i int, body []byte) int {
	status, err := f.post(i, body, f.signer.Sign(body))
	require.NoError(f.t, err)
	return status
}

// post is deliver with a given JWT, safe to call from any goroutine.
func (f *fleet) post(i int, body []byte, jwt string) (int, error) {
	req, err := http.NewRequest(http.MethodPost, f.receivers[i%len(f.receivers)].url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set(webhook.HeaderName, jwt)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, resp.Body.Close()
}

const itemAdded = "ITEM_ADD_RESULT 356dbb28-7f98-44d1-8e6d-0cec580f3171"

func TestFleetProcessesOnce(t *testing.T) {
	tests := []struct {
		name string
		// hold keeps fn running until every other delivery was answered.
		hold bool
	}{
		{name: "fn outlasts every duplicate", hold: true},
		{name: "fn returns at once"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFleet(t, redistest.Start(t), 2)
			body := sample(t, "item_add_result.json")
			const n = 50
			jwts := make([]string, n)
			seen := map[string]bool{}
			for i := range jwts {
				jwts[i] = f.signer.Sign(body)
				seen[jwts[i]] = true
			}
			require.Len(t, seen, n, "each delivery has its own JWT")

			answered := make(chan struct{}, n)
			if tc.hold {
				f.setFn(func(ctx context.Context, _ webhook.Event) error {
					for range n - 1 {
						select {
						case <-answered:
						case <-time.After(30 * time.Second):
							return errors.New("the other deliveries were not answered")
						}
					}
					return nil
				})
			}
			statuses := make([]int, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var err error
					statuses[i], err = f.post(i, body, jwts[i])
					assert.NoError(t, err)
					answered <- struct{}{}
				}()
			}
			wg.Wait()

			count := map[int]int{}
			for _, s := range statuses {
				count[s]++
			}
			assert.Equal(t, 1, f.calls(itemAdded), "fn runs exactly once")
			assert.Equal(t, n, count[http.StatusOK]+count[http.StatusServiceUnavailable], "every answer is 200 or 503: %v", count)
			if tc.hold {
				assert.Equal(t, map[int]int{http.StatusOK: 1, http.StatusServiceUnavailable: n - 1}, count,
					"duplicates while fn runs get 503, so Plaid delivers them again")
			}
			f.setFn(nil)
			for i := range 2 {
				assert.Equal(t, http.StatusOK, f.deliver(i, body), "a later redelivery to receiver %d", i)
			}
			assert.Equal(t, 1, f.calls(itemAdded), "a later redelivery does not run fn")
		})
	}
}

func TestFleetRedeliversFailures(t *testing.T) {
	srv := redistest.Start(t)
	f := newFleet(t, srv, 2)
	body := sample(t, "item_add_result.json")
	var attempts atomic.Int32
	f.setFn(func(context.Context, webhook.Event) error {
		if attempts.Add(1) == 1 {
			return errors.New("database down")
		}
		return nil
	})
	assert.Equal(t, http.StatusInternalServerError, f.deliver(0, body))
	assert.Equal(t, http.StatusOK, f.deliver(1, body), "the redelivery, to the other receiver, runs fn")
	assert.Equal(t, http.StatusOK, f.deliver(0, body))
	assert.Equal(t, http.StatusOK, f.deliver(1, body))
	assert.Equal(t, 2, f.calls(itemAdded))

	// A permanent failure is not redelivered: Plaid gets 200 and the duplicate does not run fn.
	finished := sample(t, "session_finished.json")
	f.setFn(func(context.Context, webhook.Event) error {
		return fmt.Errorf("no such user: %w", webhook.ErrPermanent)
	})
	assert.Equal(t, http.StatusOK, f.deliver(0, finished))
	assert.Equal(t, http.StatusOK, f.deliver(1, finished))
	assert.Equal(t, 1, f.calls("SESSION_FINISHED 356dbb28-7f98-44d1-8e6d-0cec580f3171"))

	// Nothing Redis holds gives a token away.
	keys, err := srv.Client().Keys(context.Background(), "*").Result()
	require.NoError(t, err)
	require.Len(t, keys, 2)
	for _, k := range keys {
		assert.True(t, strings.HasPrefix(k, redisdedup.DefaultPrefix), k)
		assert.NotContains(t, k, "public-sandbox")
		assert.NotContains(t, k, "356dbb28")
	}
}

func TestFleetEvents(t *testing.T) {
	f := newFleet(t, redistest.Start(t), 2)
	earlier, later := sample(t, "events_earlier.json"), sample(t, "events.json")
	const session = "EVENTS 1daca4d5-9a0d-4e85-a2e9-1e905ecaa32e"
	assert.Equal(t, http.StatusOK, f.deliver(0, earlier))
	assert.Equal(t, http.StatusOK, f.deliver(1, earlier), "the same events again")
	assert.Equal(t, http.StatusOK, f.deliver(1, later), "more events of the session")
	assert.Equal(t, http.StatusOK, f.deliver(0, earlier), "events all processed")
	assert.Equal(t, http.StatusOK, f.deliver(0, later))
	assert.Equal(t, 1, f.calls(session+" 7 events"))
	assert.Equal(t, 1, f.calls(session+" 11 events"))

	// Other webhooks repeat byte for byte for distinct notifications: each runs fn.
	sync := []byte(`{"webhook_type":"TRANSACTIONS","webhook_code":"SYNC_UPDATES_AVAILABLE","item_id":"wz666MBjYWTp2PDzzggYhM6oWWmBb","initial_update_complete":true,"historical_update_complete":false,"environment":"production"}`)
	for i := range 3 {
		assert.Equal(t, http.StatusOK, f.deliver(i, sync))
	}
	assert.Equal(t, 3, f.calls("SYNC_UPDATES_AVAILABLE "))
}

func TestFleetRedisStops(t *testing.T) {
	srv := redistest.Start(t)
	f := newFleet(t, srv, 2)
	item, finished := sample(t, "item_add_result.json"), sample(t, "session_finished.json")
	const finishedKey = "SESSION_FINISHED 356dbb28-7f98-44d1-8e6d-0cec580f3171"

	srv.Stop()
	for i := range 2 {
		assert.Equal(t, http.StatusServiceUnavailable, f.deliver(i, item), "receiver %d, Redis down", i)
	}
	assert.Equal(t, 0, f.calls(itemAdded), "fn does not run unguarded")

	srv.Restart()
	assert.Equal(t, http.StatusOK, f.deliver(0, item), "Plaid's redelivery once Redis is back")
	assert.Equal(t, http.StatusOK, f.deliver(1, item))
	assert.Equal(t, 1, f.calls(itemAdded), "processed once")

	// Redis stops while fn runs and fn fails: the claim cannot be released, but it is gone with
	// Redis's data, so the redelivery runs fn.
	f.setFn(func(context.Context, webhook.Event) error {
		srv.Stop()
		return errors.New("database down")
	})
	assert.Equal(t, http.StatusInternalServerError, f.deliver(0, finished))
	f.setFn(nil)
	assert.Equal(t, http.StatusServiceUnavailable, f.deliver(1, finished))
	srv.Restart()
	assert.Equal(t, http.StatusOK, f.deliver(1, finished))
	assert.Equal(t, 2, f.calls(finishedKey))
	assert.Equal(t, http.StatusOK, f.deliver(0, finished))
	assert.Equal(t, 2, f.calls(finishedKey))

	// Redis stops while fn runs and fn succeeds: fn's work stands, 200.
	events := sample(t, "events_earlier.json")
	f.setFn(func(context.Context, webhook.Event) error { srv.Stop(); return nil })
	assert.Equal(t, http.StatusOK, f.deliver(0, events))
	assert.Equal(t, 1, f.calls("EVENTS 1daca4d5-9a0d-4e85-a2e9-1e905ecaa32e 7 events"))
}

// TestFleetLeaseEndsWhileFnRuns plays, against Redis, an instance whose fn outlasts its lease:
// A's fn is still running when its claim expires, B's delivery claims the key and runs fn too, A
// succeeds and marks the key done over B's claim, and B then fails. The webhook stays processed:
// B's release (compare-and-delete) leaves A's done marker, and later deliveries get 200 without fn.
func TestFleetLeaseEndsWhileFnRuns(t *testing.T) {
	srv := redistest.Start(t)
	signer := webhooktest.NewSigner()
	body := sample(t, "item_add_result.json")
	const lease = 100 * time.Millisecond
	var calls atomic.Int32
	aIn, aGo, bIn, bGo := make(chan struct{}), make(chan struct{}), make(chan struct{}), make(chan struct{})
	fn := func(context.Context, webhook.Event) error {
		switch calls.Add(1) {
		case 1: // A
			close(aIn)
			<-aGo
			return nil
		case 2: // B
			close(bIn)
			<-bGo
			return errors.New("database down")
		}
		t.Error("fn ran for a processed webhook")
		return nil
	}
	var handlers []http.Handler
	for range 2 {
		handlers = append(handlers, webhook.NewHandler(webhook.NewVerifier(signer), fn,
			webhook.WithDeduper(redisdedup.New(srv.Client()), webhook.WithLease(lease))))
	}
	deliver := func(i int) int {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set(webhook.HeaderName, signer.Sign(body))
		rec := httptest.NewRecorder()
		handlers[i].ServeHTTP(rec, req)
		return rec.Code
	}

	aStatus := make(chan int)
	go func() { aStatus <- deliver(0) }()
	<-aIn
	// B's deliveries get 503 while A's lease runs, and then claim the key.
	bStatus := make(chan int)
	go func() {
		st := deliver(1)
		for deadline := time.Now().Add(30 * time.Second); st == http.StatusServiceUnavailable && time.Now().Before(deadline); st = deliver(1) {
			time.Sleep(lease / 10)
		}
		bStatus <- st
	}()
	select {
	case <-bIn:
	case <-time.After(30 * time.Second):
		t.Fatal("B never claimed the key after A's lease ended")
	}
	close(aGo)
	assert.Equal(t, http.StatusOK, <-aStatus, "A succeeded")
	assert.Equal(t, http.StatusOK, deliver(0), "a delivery while B runs is a duplicate of A's")
	close(bGo)
	assert.Equal(t, http.StatusInternalServerError, <-bStatus, "B failed")
	for i := range 2 {
		assert.Equal(t, http.StatusOK, deliver(i), "B's release left A's done marker")
	}
	assert.Equal(t, int32(2), calls.Load())
}
