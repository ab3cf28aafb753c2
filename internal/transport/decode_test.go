package transport

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeTarget has a field of each kind a reply has: a string, a number, a nested object, a list.
type decodeTarget struct {
	Value  string            `json:"value"`
	N      int               `json:"n"`
	Nested *struct{ A bool } `json:"nested"`
	List   []string          `json:"list"`
}

// replyBody is a reply's body: data, then err instead of io.EOF when err is not nil (a
// connection reset, or an attempt cut off).
func replyBody(data string, err error) io.Reader {
	if err == nil {
		return strings.NewReader(data)
	}
	return io.MultiReader(strings.NewReader(data), failingReader{err})
}

// requireDecodesAsStreaming checks that readAndDecode comes to what decodeWhole, streaming the
// body, comes to: the same error, or none, and the same value.
func requireDecodesAsStreaming(t *testing.T, data string, readErr error, limit int64) {
	t.Helper()
	var want, got decodeTarget
	wantErr := decodeWhole(&limitedReader{r: replyBody(data, readErr), n: limit}, &want)
	gotErr := readAndDecode(&limitedReader{r: replyBody(data, readErr), n: limit}, new(bytes.Buffer), &got)
	if wantErr == nil {
		require.NoError(t, gotErr, "body %q", data)
	} else {
		require.Error(t, gotErr, "body %q", data)
		require.Equal(t, wantErr.Error(), gotErr.Error(), "body %q", data)
		for _, target := range []error{errNotObject, errTrailingData, errTooLarge, io.ErrUnexpectedEOF, io.EOF, syscall.ECONNRESET} {
			require.Equal(t, errors.Is(wantErr, target), errors.Is(gotErr, target), "body %q: errors.Is %v", data, target)
		}
	}
	require.True(t, reflect.DeepEqual(want, got), "body %q: %+v != %+v", data, want, got)
}

func TestReadAndDecodeAsStreaming(t *testing.T) {
	bodies := []string{
		`{"value":"ok","n":7,"nested":{"A":true},"list":["a","b"]}`,
		" \n\t{\"value\":\"spaced\"} \r\n",
		``, `   `,
		`null`, `"text"`, `12`, `[1,2]`, `true`,
		`{"value":"a"} {"value":"b"}`, `{"value":"a"}<html>`, `{"value":"a"}}`, `{"value":"a"}null`,
		`{"value":`, `{"value":"cut`, `{"n":"seven"}`, `{"n":7.5}`, `{"nested":[]}`, `{"value":"a",}`,
		`<html><body>Bad Gateway</body></html>`, "{\"value\":\"\xff\"}", `{"value":"\ud800"}`,
	}
	resets := []error{nil, syscall.ECONNRESET, ErrAttemptTimeout}
	for _, data := range bodies {
		for _, readErr := range resets {
			requireDecodesAsStreaming(t, data, readErr, 1<<20)
		}
		// At and past the limit: the limit falls inside the body, at its end, and just after it.
		for _, limit := range []int64{int64(len(data)) / 2, int64(len(data)), int64(len(data)) + 1} {
			requireDecodesAsStreaming(t, data, nil, limit)
		}
	}
}

func TestReadAndDecodeKeepsAWholeObjectThatArrivedBeforeABreak(t *testing.T) {
	var got decodeTarget
	err := readAndDecode(&limitedReader{r: replyBody(`{"value":"access-sandbox-kept"}`, syscall.ECONNRESET), n: 1 << 20},
		new(bytes.Buffer), &got)
	require.NoError(t, err)
	assert.Equal(t, "access-sandbox-kept", got.Value)
}

// FuzzReadAndDecode holds readAndDecode to the streaming decode for any body, cut off or not, at
// any limit.
func FuzzReadAndDecode(f *testing.F) {
	f.Add(`{"value":"ok","n":1}`, false, uint16(100))
	f.Add(`{"value":"ok"} x`, true, uint16(8))
	f.Add(` null `, false, uint16(0))
	f.Fuzz(func(t *testing.T, data string, cut bool, limit uint16) {
		var readErr error
		if cut {
			readErr = syscall.ECONNRESET
		}
		requireDecodesAsStreaming(t, data, readErr, int64(limit))
	})
}
