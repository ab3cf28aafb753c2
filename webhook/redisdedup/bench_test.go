package redisdedup_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/internal/redistest"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/redisdedup"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

// signedWebhook is a body and the Plaid-Verification header signed for it.
type signedWebhook struct {
	body   []byte
	header string
}

// webhookMaker makes distinct webhooks of one kind from the samples: each has a link_session_id
// of its own, so that no two share a dedupe key.
type webhookMaker struct {
	signer *webhooktest.Signer
	sample map[string]any
	event  map[string]any // EVENTS: the sample's first event, repeated with fresh ids
	events int
	n      atomic.Int64
}

// newWebhookMaker makes SESSION_FINISHED webhooks (one key) for events 0, and EVENTS webhooks of
// that many events (one key each) otherwise.
func newWebhookMaker(t testing.TB, signer *webhooktest.Signer, events int) *webhookMaker {
	m := &webhookMaker{signer: signer, events: events}
	name := "session_finished.json"
	if events > 0 {
		name = "events.json"
	}
	require.NoError(t, json.Unmarshal(sample(t, name), &m.sample))
	if events > 0 {
		m.event = m.sample["events"].([]any)[0].(map[string]any)
	}
	return m
}

// next returns a new webhook. It is safe for concurrent use.
func (m *webhookMaker) next(t testing.TB) signedWebhook {
	i := m.n.Add(1)
	w := make(map[string]any, len(m.sample))
	for k, v := range m.sample {
		w[k] = v
	}
	w["link_session_id"] = fmt.Sprintf("bench-session-%d-%d", time.Now().UnixNano(), i)
	if m.events > 0 {
		evs := make([]any, m.events)
		for e := range evs {
			ev := make(map[string]any, len(m.event))
			for k, v := range m.event {
				ev[k] = v
			}
			ev["event_id"] = fmt.Sprintf("%08x-0000-4000-8000-%012d", i, e)
			evs[e] = ev
		}
		w["events"] = evs
	}
	body, err := json.Marshal(w)
	require.NoError(t, err)
	return signedWebhook{body: body, header: m.signer.Sign(body)}
}

// serve sends w to h in process, as net/http would, and returns the status.
func serve(h http.Handler, w signedWebhook) int {
	req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(w.body))
	req.Header.Set(webhook.HeaderName, w.header)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// benchGoroutines is how many goroutines send webhooks at once, as concurrent deliveries would.
const benchGoroutines = 8

// BenchmarkHandlerDedupe measures the handler's throughput with no deduper, a MemoryDeduper and
// redisdedup on a redis-server on loopback, for SESSION_FINISHED (one key) and EVENTS of 34 events
// (34 keys): distinct signed webhooks, served in process from 8 goroutines, each processed once.
// Each iteration serves a round of webhooks with each deduper in turn, in a rotating order, so
// that all three see the same machine; it reports each one's webhooks per second, and the
// memory's and Redis's as a share of no deduper's (memory-ratio, redis-ratio). Signing the
// webhooks is outside the timed rounds. Per core: webhooks per CPU second of this process
// (…-webhooks/cpu-s), and for Redis the redis-server's CPU besides (redis-server-cpu-µs/webhook),
// since on this machine the two share the cores; memory-cpu-ratio and redis-cpu-ratio are the
// shares from CPU time (Redis's included), steadier than wall time on a shared machine.
//
//	go test ./webhook/redisdedup -run '^$' -bench HandlerDedupe -benchtime 20x -count 5
func BenchmarkHandlerDedupe(b *testing.B) {
	srv := redistest.Start(b)
	for _, kind := range []struct {
		name   string
		events int
	}{{"one-key", 0}, {"events-34", 34}} {
		b.Run(kind.name, func(b *testing.B) {
			signer := webhooktest.NewSigner()
			verifier := webhook.NewVerifier(signer)
			fn := func(context.Context, webhook.Event) error { return nil }
			type setup struct {
				name    string
				handler http.Handler
				elapsed time.Duration
				cpu     time.Duration
				served  int
			}
			setups := []*setup{
				{name: "none", handler: webhook.NewHandler(verifier, fn)},
				{name: "memory", handler: webhook.NewHandler(verifier, fn, webhook.WithDeduper(webhook.NewMemoryDeduper(0)))},
				{name: "redis", handler: webhook.NewHandler(verifier, fn, webhook.WithDeduper(redisdedup.New(srv.Client())))},
			}
			maker := newWebhookMaker(b, signer, kind.events)
			const round = 160 // webhooks per deduper per iteration
			batch := make([]signedWebhook, round)
			sign := func() {
				var wg sync.WaitGroup
				var next atomic.Int64
				for range benchGoroutines {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := next.Add(1) - 1; i < round; i = next.Add(1) - 1 {
							batch[i] = maker.next(b)
						}
					}()
				}
				wg.Wait()
			}
			redisCPUStart := redisCPU(b, srv)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				for j := range setups {
					s := setups[(i+j)%len(setups)]
					b.StopTimer()
					sign()
					b.StartTimer()
					start, cpuStart := time.Now(), cpuTime()
					if bad := serveAll(s.handler, batch); bad != 0 {
						b.Fatalf("%s: %d webhooks were not answered 200", s.name, bad)
					}
					s.elapsed += time.Since(start)
					s.cpu += cpuTime() - cpuStart
					s.served += round
				}
			}
			rate := map[string]float64{}
			for _, s := range setups {
				rate[s.name] = float64(s.served) / s.elapsed.Seconds()
				b.ReportMetric(rate[s.name], s.name+"-webhooks/s")
				if s.cpu > 0 {
					b.ReportMetric(float64(s.served)/s.cpu.Seconds(), s.name+"-webhooks/cpu-s")
				}
			}
			serverPerWebhook := float64(redisCPU(b, srv)-redisCPUStart) / float64(setups[2].served)
			b.ReportMetric(serverPerWebhook, "redis-server-cpu-µs/webhook")
			b.ReportMetric(rate["memory"]/rate["none"], "memory-ratio")
			b.ReportMetric(rate["redis"]/rate["none"], "redis-ratio")
			// The same shares from CPU time, which other work on a shared machine disturbs far less
			// than wall time: what a webhook costs without a deduper over what it costs with one,
			// redis-server's CPU included.
			perWebhook := func(s *setup) float64 { return float64(s.cpu.Microseconds()) / float64(s.served) }
			if none := perWebhook(setups[0]); none > 0 {
				b.ReportMetric(none/perWebhook(setups[1]), "memory-cpu-ratio")
				b.ReportMetric(none/(perWebhook(setups[2])+serverPerWebhook), "redis-cpu-ratio")
			}
		})
	}
}

// redisCPU returns the CPU time redis-server has used, user and system, in microseconds. Only the
// Redis runs use it: the other rounds leave it idle.
func redisCPU(b *testing.B, srv *redistest.Server) float64 {
	info, err := srv.Client().InfoMap(context.Background(), "cpu").Result()
	require.NoError(b, err)
	var total float64
	for _, field := range []string{"used_cpu_user", "used_cpu_sys"} {
		s, err := strconv.ParseFloat(info["CPU"][field], 64)
		require.NoError(b, err)
		total += s * 1e6
	}
	return total
}

// serveAll serves ws to h from benchGoroutines goroutines, and returns how many were not answered
// 200.
func serveAll(h http.Handler, ws []signedWebhook) int {
	var wg sync.WaitGroup
	var next, bad atomic.Int64
	for range benchGoroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(len(ws)); i = next.Add(1) - 1 {
				if serve(h, ws[i]) != http.StatusOK {
					bad.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return int(bad.Load())
}

// BenchmarkRedisMemoryPerDoneKey reports the memory Redis uses per done marker (B/done-key, from
// INFO memory's used_memory over 20,400 markers of EVENTS webhooks of 34 events, as the handler
// writes them), and MEMORY USAGE of one session's hash over its number of markers
// (B/done-key-usage).
//
//	go test ./webhook/redisdedup -run '^$' -bench RedisMemoryPerDoneKey -benchtime 1x
func BenchmarkRedisMemoryPerDoneKey(b *testing.B) {
	ctx := context.Background()
	srv := redistest.Start(b)
	c := srv.Client()
	d := redisdedup.New(c)
	signer := webhooktest.NewSigner()
	maker := newWebhookMaker(b, signer, 34)
	usedMemory := func() float64 {
		info, err := c.InfoMap(ctx, "memory").Result()
		require.NoError(b, err)
		n, err := strconv.ParseFloat(info["Memory"]["used_memory"], 64)
		require.NoError(b, err)
		return n
	}
	const webhooks = 600 // 20,400 keys
	for b.Loop() {
		require.NoError(b, c.FlushAll(ctx).Err())
		before := usedMemory()
		keys := 0
		for range webhooks {
			w := maker.next(b)
			// The handler's own keys, through a handler that marks them done.
			var got []string
			h := webhook.NewHandler(webhook.NewVerifier(signer), func(context.Context, webhook.Event) error { return nil },
				webhook.WithDeduper(keyRecorder{d, &got}))
			require.Equal(b, http.StatusOK, serve(h, w))
			keys += len(got)
		}
		after := usedMemory()
		b.ReportMetric((after-before)/float64(keys), "B/done-key")
		sampleKey, err := c.RandomKey(ctx).Result()
		require.NoError(b, err)
		usage, err := c.MemoryUsage(ctx, sampleKey).Result()
		require.NoError(b, err)
		fields, err := c.HLen(ctx, sampleKey).Result()
		require.NoError(b, err)
		b.ReportMetric(float64(usage)/float64(fields), "B/done-key-usage")
	}
}

// keyRecorder is a Deduper that records the keys it marks done.
type keyRecorder struct {
	*redisdedup.Deduper
	done *[]string
}

func (r keyRecorder) DoneBatch(ctx context.Context, keys []string, ttl time.Duration) error {
	*r.done = append(*r.done, keys...)
	return r.Deduper.DoneBatch(ctx, keys, ttl)
}
