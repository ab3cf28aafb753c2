package link

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/plaidlink/plaidlink-go/internal/benchpair"
)

// The canned reply and request of the CreateToken benchmarks: the sample of Plaid's reference and
// a typical production request.
const benchTokenCreateReply = `{"link_token":"link-sandbox-af1a0311-da53-4636-b754-dd15cc058176",` +
	`"expiration":"2020-03-27T12:56:34Z","request_id":"XQVgFigpGHXkb0b"}`

func benchTokenCreateRequest() *TokenCreateRequest {
	return &TokenCreateRequest{
		ClientName:   "Wonderwallet",
		Language:     LanguageEnglish,
		CountryCodes: []CountryCode{CountryCodeUS},
		User:         &TokenCreateRequestUser{ClientUserID: "user-7c8d"},
		Products:     []Product{ProductAuth, ProductTransactions},
		Webhook:      "https://example.com/plaid/webhook",
	}
}

func benchTokenCreateServer(b *testing.B) *httptest.Server {
	reply := []byte(benchTokenCreateReply)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(reply)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// createTokenOp returns one CreateToken round trip through the SDK: validation, encoding, headers,
// the retry layer, decoding, draining the body.
func createTokenOp(b *testing.B, opts ...Option) func() {
	srv := benchTokenCreateServer(b)
	c, err := NewClient("client-id", "secret", append([]Option{WithBaseURL(srv.URL)}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	req := benchTokenCreateRequest()
	return func() {
		resp, err := c.CreateToken(ctx, req)
		if err != nil || resp.LinkToken == "" {
			b.Fatal(resp, err)
		}
	}
}

// floorTokenCreateRequest and floorTokenCreateResponse are the floor's own minimal types: just
// the fields the benchmark sends and reads, as a hand-rolled client would declare them. The floor
// must not share the SDK's types, or any cost in them would hide on both sides of the ratio.
type floorTokenCreateRequest struct {
	ClientName   string   `json:"client_name"`
	Language     string   `json:"language"`
	CountryCodes []string `json:"country_codes"`
	User         struct {
		ClientUserID string `json:"client_user_id"`
	} `json:"user"`
	Products []string `json:"products"`
	Webhook  string   `json:"webhook"`
}

type floorTokenCreateResponse struct {
	LinkToken  string    `json:"link_token"`
	Expiration time.Time `json:"expiration"`
	RequestID  string    `json:"request_id"`
}

// createTokenFloorOp returns the same call made with bare net/http and encoding/json, its own
// minimal types and no retry layer: the floor that CreateToken is held to (1.10x its time, +15
// allocations).
func createTokenFloorOp(b *testing.B) func() {
	srv := benchTokenCreateServer(b)
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	ctx := context.Background()
	req := &floorTokenCreateRequest{
		ClientName:   "Wonderwallet",
		Language:     "en",
		CountryCodes: []string{"US"},
		Products:     []string{"auth", "transactions"},
		Webhook:      "https://example.com/plaid/webhook",
	}
	req.User.ClientUserID = "user-7c8d"
	return func() {
		body, err := json.Marshal(req)
		if err != nil {
			b.Fatal(err)
		}
		hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/link/token/create", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		hreq.Header.Set("PLAID-CLIENT-ID", "client-id")
		hreq.Header.Set("PLAID-SECRET", "secret")
		hreq.Header.Set("Plaid-Version", "2020-09-14")
		hreq.Header.Set("Content-Type", "application/json")
		hresp, err := hc.Do(hreq)
		if err != nil {
			b.Fatal(err)
		}
		var resp floorTokenCreateResponse
		err = json.NewDecoder(hresp.Body).Decode(&resp)
		_, _ = io.Copy(io.Discard, hresp.Body)
		hresp.Body.Close()
		if err != nil || resp.LinkToken == "" {
			b.Fatal(resp, err)
		}
	}
}

// TestFloorSendsWhatTheSDKSends keeps the floor honest: its request body holds the same JSON
// values as the SDK's, field for field (the order of the fields may differ).
func TestFloorSendsWhatTheSDKSends(t *testing.T) {
	sdk, err := json.Marshal(benchTokenCreateRequest())
	if err != nil {
		t.Fatal(err)
	}
	floor := &floorTokenCreateRequest{ClientName: "Wonderwallet", Language: "en", CountryCodes: []string{"US"},
		Products: []string{"auth", "transactions"}, Webhook: "https://example.com/plaid/webhook"}
	floor.User.ClientUserID = "user-7c8d"
	want, err := json.Marshal(floor)
	if err != nil {
		t.Fatal(err)
	}
	var a, b map[string]any
	if err := json.Unmarshal(sdk, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("the SDK sends %s, the floor %s", sdk, want)
	}
}

// BenchmarkCreateToken is a whole CreateToken round trip through the SDK against an httptest
// server returning a canned response.
func BenchmarkCreateToken(b *testing.B) {
	op := createTokenOp(b)
	b.ReportAllocs()
	for b.Loop() {
		op()
	}
}

// BenchmarkCreateTokenFloor is the same call with bare net/http and encoding/json.
func BenchmarkCreateTokenFloor(b *testing.B) {
	op := createTokenFloorOp(b)
	b.ReportAllocs()
	for b.Loop() {
		op()
	}
}

// BenchmarkCreateTokenPair interleaves the two, call by call, and reports their time ratio (the
// figure internal/cmd/bench holds to 1.10x).
func BenchmarkCreateTokenPair(b *testing.B) {
	benchpair.Interleave(b, createTokenOp(b), createTokenFloorOp(b))
}

// BenchmarkCreateTokenWithoutTimeoutPair is BenchmarkCreateTokenPair with WithTimeout(0): what the
// per-attempt timeout, which the floor does not have, costs of the ratio.
func BenchmarkCreateTokenWithoutTimeoutPair(b *testing.B) {
	benchpair.Interleave(b, createTokenOp(b, WithTimeout(0)), createTokenFloorOp(b))
}

// BenchmarkCreateTokenFloorPair interleaves the floor with itself: its ratio, 1.00x give or take
// the measurement's own spread, is what BenchmarkCreateTokenPair's would be for an SDK that cost
// nothing.
func BenchmarkCreateTokenFloorPair(b *testing.B) {
	benchpair.Interleave(b, createTokenFloorOp(b), createTokenFloorOp(b))
}
