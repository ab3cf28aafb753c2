package redisdedup_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/plaidlink/plaidlink-go/internal/redistest"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/redisdedup"
)

// BenchmarkProcessEvents costs the deduper's part of processing an EVENTS of 11 new events, as
// the handler does it: a Claim per event, then a Done per event, one round trip each, against a
// redis-server on loopback. go test ./webhook/redisdedup -run '^$' -bench ProcessEvents
func BenchmarkProcessEvents(b *testing.B) {
	ctx := context.Background()
	d := redisdedup.New(redistest.Start(b).Client())
	const events = 11
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		for e := range events {
			key := "EVENTS:" + strconv.Itoa(i) + "-" + strconv.Itoa(e)
			if st, err := d.Claim(ctx, key, "owner", time.Minute); err != nil || st != webhook.ClaimOK {
				b.Fatal(st, err)
			}
		}
		for e := range events {
			if err := d.Done(ctx, "EVENTS:"+strconv.Itoa(i)+"-"+strconv.Itoa(e), time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	}
}
