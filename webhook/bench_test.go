package webhook_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/plaidlink/plaidlink-go/internal/benchpair"
	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

// verifyOp returns one Verify of a signed EVENTS webhook with a warm key cache.
func verifyOp(b *testing.B) func() {
	signer := webhooktest.NewSigner()
	v := webhook.NewVerifier(signer)
	body := sample(b, "events.json")
	header := signer.Sign(body)
	ctx := context.Background()
	require.NoError(b, v.Verify(ctx, header, body))
	return func() {
		if err := v.Verify(ctx, header, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures Verify with a warm key cache; compare with BenchmarkVerifyFloor.
func BenchmarkVerify(b *testing.B) {
	op := verifyOp(b)
	b.ReportAllocs()
	for b.Loop() {
		op()
	}
}

// TestVerifyAllocations keeps a warm verification within its allocation budget.
func TestVerifyAllocations(t *testing.T) {
	signer := webhooktest.NewSigner()
	v := webhook.NewVerifier(signer)
	body := sample(t, "events.json")
	header := signer.Sign(body)
	ctx := context.Background()
	require.NoError(t, v.Verify(ctx, header, body))
	allocs := testing.AllocsPerRun(100, func() {
		if err := v.Verify(ctx, header, body); err != nil {
			t.Fatal(err)
		}
	})
	assert.LessOrEqual(t, allocs, 40.0)
}

// verifyFloorOp is the unavoidable work of a verification, the floor Verify is held to: hashing
// the body and one ecdsa.Verify of the same header's signature with the same key.
func verifyFloorOp(b *testing.B) func() {
	signer := webhooktest.NewSigner()
	body := sample(b, "events.json")
	header := signer.Sign(body)
	keyJSON, err := json.Marshal(signer.JWK())
	require.NoError(b, err)
	var key jose.JSONWebKey
	require.NoError(b, key.UnmarshalJSON(keyJSON))
	pub := key.Key.(*ecdsa.PublicKey)

	dot := strings.LastIndexByte(header, '.')
	sig, err := base64.RawURLEncoding.DecodeString(header[dot+1:])
	require.NoError(b, err)
	digest := sha256.Sum256([]byte(header[:dot]))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	require.True(b, ecdsa.Verify(pub, digest[:], r, s))
	return func() {
		sum := sha256.Sum256(body)
		if !ecdsa.Verify(pub, digest[:], r, s) || sum == [sha256.Size]byte{} {
			b.Fatal("verify failed")
		}
	}
}

// BenchmarkVerifyFloor measures the floor: sha256(body) and ecdsa.Verify.
func BenchmarkVerifyFloor(b *testing.B) {
	op := verifyFloorOp(b)
	b.ReportAllocs()
	for b.Loop() {
		op()
	}
}

// BenchmarkVerifyPair interleaves Verify and its floor, call by call, and reports their time
// ratio (the figure internal/cmd/bench holds to 1.25x).
func BenchmarkVerifyPair(b *testing.B) {
	benchpair.Interleave(b, verifyOp(b), verifyFloorOp(b))
}

// bigEvents returns an EVENTS body of at most n bytes, made of the sample's events repeated with
// fresh ids.
func bigEvents(t testing.TB, n int) []byte {
	ev, err := webhook.Parse(sample(t, "events.json"))
	require.NoError(t, err)
	e := ev.(*webhook.Events)
	base := e.Events
	e.Events = []link.Event{}
	empty, err := json.Marshal(e)
	require.NoError(t, err)
	at := bytes.Index(empty, []byte(`"events":[]`)) + len(`"events":[`)
	out := append([]byte(nil), empty[:at]...)
	for i := 0; ; i++ {
		x := base[i%len(base)]
		x.EventID = fmt.Sprintf("%08d-%s", i, x.EventID[9:])
		b, err := json.Marshal(x)
		require.NoError(t, err)
		if len(out)+1+len(b)+len(empty)-at > n {
			return append(out, empty[at:]...)
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, b...)
	}
}

// BenchmarkHandlerAtLimit sends an EVENTS webhook at the default 1 MiB body limit through the
// Handler, and reports the heap one request costs as a multiple of the body size (heap/body; the
// target is at most 3). EVENTS is the costliest body to hold: a decoded link.Event is larger than
// its JSON.
func BenchmarkHandlerAtLimit(b *testing.B) {
	signer := webhooktest.NewSigner()
	body := bigEvents(b, 1<<20-1024)
	h := webhook.NewHandler(webhook.NewVerifier(signer), func(context.Context, webhook.Event) error { return nil })
	header := signer.Sign(body)
	rd := bytes.NewReader(body)
	req := httptest.NewRequest(http.MethodPost, "/", rd)
	req.Header.Set(webhook.HeaderName, header)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		rd.Reset(body)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(len(body)), "heap/body")
}

// TestHandlerHeapPerRequest keeps what one request costs in heap under three times its body.
func TestHandlerHeapPerRequest(t *testing.T) {
	signer := webhooktest.NewSigner()
	padded := append([]byte(`{"webhook_type":"LINK","webhook_code":"SESSION_FINISHED","status":"SUCCESS","pad":"`),
		bytes.Repeat([]byte("x"), 1<<20-200)...)
	padded = append(padded, `"}`...)
	unknown := append([]byte(`{"webhook_type":"ITEM","webhook_code":"NEW","pad":"`), bytes.Repeat([]byte("y"), 1<<20-200)...)
	unknown = append(unknown, `"}`...)

	for name, body := range map[string][]byte{
		"padded SESSION_FINISHED": padded,
		"unknown webhook":         unknown,
		"EVENTS":                  bigEvents(t, 1<<20-1024),
	} {
		t.Run(name, func(t *testing.T) {
			h := webhook.NewHandler(webhook.NewVerifier(signer), func(context.Context, webhook.Event) error { return nil })
			header := signer.Sign(body)
			send := func() {
				req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
				req.Header.Set(webhook.HeaderName, header)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				require.Equal(t, http.StatusOK, rec.Code)
			}
			send() // warm the key cache
			const n = 3
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for range n {
				send()
			}
			runtime.ReadMemStats(&after)
			perRequest := (after.TotalAlloc - before.TotalAlloc) / n
			assert.LessOrEqual(t, perRequest, uint64(3*len(body)), "bytes per request for a %d-byte body", len(body))
		})
	}
}

// BenchmarkHandlerUnauthenticated sends requests that announce a 1 MiB body behind a header that
// is not authentic (Plaid's kid, another key's signature): B/op is the heap one costs, which the
// header-first handler keeps to a few kilobytes whatever Content-Length claims (the target is at
// most 64 KiB).
func BenchmarkHandlerUnauthenticated(b *testing.B) {
	signer := webhooktest.NewSigner()
	body := sample(b, "session_finished.json")
	h := webhook.NewHandler(webhook.NewVerifier(signer), func(context.Context, webhook.Event) error { return nil })
	warm := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	warm.Header.Set(webhook.HeaderName, signer.Sign(body))
	h.ServeHTTP(httptest.NewRecorder(), warm)

	forged := newForger(b).header(signer.KeyID(), body, time.Now())
	sent := make([]byte, 64<<10)
	rd := bytes.NewReader(sent)
	req := httptest.NewRequest(http.MethodPost, "/", rd)
	req.ContentLength = 1 << 20
	req.Header.Set(webhook.HeaderName, forged)
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(sent)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			b.Fatal(rec.Code)
		}
	}
}
