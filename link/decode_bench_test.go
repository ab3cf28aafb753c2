package link

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/plaidlink/plaidlink-go/internal/benchpair"
)

// largeTokenGetBody builds a /link/token/get response of 20 sessions with 60 events each (about
// 340 KB), by repeating the session of Plaid's sample payload with fresh ids, the size a busy
// multi-item or hosted-link token reaches.
func largeTokenGetBody(tb testing.TB) []byte {
	tb.Helper()
	raw, err := os.ReadFile("testdata/token_get_sample.json")
	if err != nil {
		tb.Fatal(err)
	}
	var sample map[string]any
	if err := json.Unmarshal(raw, &sample); err != nil {
		tb.Fatal(err)
	}
	session := sample["link_sessions"].([]any)[0].(map[string]any)
	// The sample session's own events, then the ERROR and EXIT events of the EVENTS webhook sample,
	// which carry the most metadata; a session with a failed attempt has both.
	sampleEvents := session["events"].([]any)
	var failed []any
	if err := json.Unmarshal([]byte(`[
		{"event_id": "", "event_name": "ERROR", "timestamp": "2024-05-21T00:18:09Z", "event_metadata": {
			"error_code": "INVALID_CREDENTIALS", "error_message": "the provided credentials were not correct",
			"error_type": "ITEM_ERROR", "institution_id": "ins_20", "institution_name": "Citizens Bank",
			"request_id": "ttK0NtGKaVAlbCR"}},
		{"event_id": "", "event_name": "EXIT", "timestamp": "2024-05-21T00:18:13Z", "event_metadata": {
			"error_code": "INVALID_CREDENTIALS", "error_message": "the provided credentials were not correct",
			"error_type": "ITEM_ERROR", "exit_status": "requires_credentials", "institution_id": "ins_20",
			"institution_name": "Citizens Bank", "request_id": "u1HcAeiCKtz3qmm"}}
	]`), &failed); err != nil {
		tb.Fatal(err)
	}

	sessions := make([]any, 20)
	for s := range sessions {
		copySession := make(map[string]any, len(session))
		for k, v := range session {
			copySession[k] = v
		}
		copySession["link_session_id"] = fmt.Sprintf("43face8b-a5c2-42a4-adec-%012d", s)
		events := make([]any, 60)
		for e := range events {
			ev := make(map[string]any)
			src := sampleEvents[e%len(sampleEvents)]
			if e%3 == 2 {
				src = failed[(e/3)%2]
			}
			for k, v := range src.(map[string]any) {
				ev[k] = v
			}
			ev["event_id"] = fmt.Sprintf("8b2b5d28-79ec-468b-%04d-%012d", s, e)
			events[e] = ev
		}
		copySession["events"] = events
		sessions[s] = copySession
	}
	sample["link_sessions"] = sessions
	body, err := json.Marshal(sample)
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

func TestLargeTokenGetBodyShape(t *testing.T) {
	body := largeTokenGetBody(t)
	var resp TokenGetResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.LinkSessions) != 20 || len(resp.LinkSessions[19].Events) != 60 {
		t.Fatalf("got %d sessions, %d events in the last", len(resp.LinkSessions), len(resp.LinkSessions[19].Events))
	}
	if n := len(body); n < 320_000 || n > 360_000 {
		t.Fatalf("body is %d bytes, want about 340 KB", n)
	}
}

// decodeTokenGetOp decodes a large /link/token/get response into the typed struct.
func decodeTokenGetOp(b *testing.B, body []byte) func() {
	return func() {
		var resp TokenGetResponse
		if err := json.Unmarshal(body, &resp); err != nil {
			b.Fatal(err)
		}
	}
}

// decodeTokenGetFloorOp decodes the same bytes into map[string]any: the floor the typed decode is
// held to (at most 1.25x its time).
func decodeTokenGetFloorOp(b *testing.B, body []byte) func() {
	return func() {
		var resp map[string]any
		if err := json.Unmarshal(body, &resp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeTokenGet decodes a large /link/token/get response into the typed struct.
func BenchmarkDecodeTokenGet(b *testing.B) {
	body := largeTokenGetBody(b)
	op := decodeTokenGetOp(b, body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		op()
	}
}

// BenchmarkDecodeTokenGetFloorMap decodes the same bytes into map[string]any.
func BenchmarkDecodeTokenGetFloorMap(b *testing.B) {
	body := largeTokenGetBody(b)
	op := decodeTokenGetFloorOp(b, body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		op()
	}
}

// BenchmarkDecodeTokenGetPair interleaves the two, decode by decode, and reports their time ratio
// (the figure internal/cmd/bench holds to 1.25x).
func BenchmarkDecodeTokenGetPair(b *testing.B) {
	body := largeTokenGetBody(b)
	benchpair.Interleave(b, decodeTokenGetOp(b, body), decodeTokenGetFloorOp(b, body))
}
