package transport

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryAttemptSendsTheWholeBody: the first attempt's reader lives in the call's state, the
// later ones are fresh; each attempt carries the same bytes and Content-Length.
func TestEveryAttemptSendsTheWholeBody(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	var lengths []int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		lengths = append(lengths, r.ContentLength)
		n := len(bodies)
		mu.Unlock()
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"value":"ok","request_id":"req-3"}`)
	}))
	defer srv.Close()

	out, err := post(newTestClient(t, srv.URL), context.Background())
	require.NoError(t, err)
	assert.Equal(t, "ok", out.Value)
	want := `{"access_token":"` + testAccess + `","n":7}`
	assert.Equal(t, []string{want, want, want}, bodies)
	assert.Equal(t, []int64{int64(len(want)), int64(len(want)), int64(len(want))}, lengths)
}

// TestRequestBodyHandsOutItsFirstReaderOnce: before the loop starts (go-retryablehttp reading
// the length) and for the first attempt the reader is the one held in the state, rewound; after
// that each reader is new, so an earlier attempt's reader that net/http may still be reading is
// never rewound under it.
func TestRequestBodyHandsOutItsFirstReaderOnce(t *testing.T) {
	b := &requestBody{data: []byte(`{"a":1}`)}
	readAll := func(r io.Reader) string {
		got, err := io.ReadAll(r)
		require.NoError(t, err)
		return string(got)
	}

	probe, err := b.reader()
	require.NoError(t, err)
	assert.Same(t, &b.first, probe)
	assert.Equal(t, `{"a":1}`, readAll(probe))

	b.sending = true
	first, err := b.reader()
	require.NoError(t, err)
	assert.Same(t, &b.first, first, "the first attempt's reader is the state's")
	assert.Equal(t, `{"a":1}`, readAll(first), "rewound after the length was read")

	second, err := b.reader()
	require.NoError(t, err)
	third, err := b.reader()
	require.NoError(t, err)
	assert.NotSame(t, &b.first, second)
	assert.NotSame(t, second, third)
	assert.Equal(t, `{"a":1}`, readAll(second))
	assert.Equal(t, `{"a":1}`, readAll(third))
}
