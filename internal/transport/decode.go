package transport

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
)

// readAndDecode reads lr to its end into buf and decodes from it, as decodeWhole would from lr.
// A body that is one whole JSON value, the usual reply, is decoded with json.Unmarshal, which
// needs no json.Decoder and no buffer of its own (2 allocations and about 800 bytes a call less).
// Any other body, one that broke off or is not one valid JSON value (which json.Unmarshal refuses
// before decoding anything), is decoded by decodeWhole as a stream of what arrived followed by the
// read's error, so that its outcome is decodeWhole's: the same errors, and a whole object that
// arrived before a break is kept.
func readAndDecode(lr *limitedReader, buf *bytes.Buffer, out any) error {
	_, err := buf.ReadFrom(lr)
	data := buf.Bytes()
	if err == nil {
		// json.Unmarshal checks that data is one JSON value before it decodes anything: an error
		// other than a syntax error is one the streaming decoder gives too, for the same value.
		uerr := json.Unmarshal(data, out)
		if uerr == nil {
			if firstNonSpace(data) != '{' {
				return errNotObject // as checkWholeObject: a null, which decodes into a struct as nothing
			}
			return nil
		}
		if _, syntax := uerr.(*json.SyntaxError); !syntax {
			return uerr
		}
	}
	var r io.Reader = bytes.NewReader(data)
	if err != nil {
		r = io.MultiReader(r, failingReader{err})
	}
	return decodeWhole(&limitedReader{r: r, n: math.MaxInt64}, out) // data was read within the limit
}

// failingReader returns err from every Read.
type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

// firstNonSpace returns the first byte of b that is not JSON whitespace, or 0.
func firstNonSpace(b []byte) byte {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c
		}
	}
	return 0
}

// decodeWhole decodes one JSON object from lr into out and checks nothing but whitespace follows.
func decodeWhole(lr *limitedReader, out any) error {
	dec := json.NewDecoder(lr)
	err := dec.Decode(out)
	if err == nil {
		err = checkWholeObject(dec, lr)
	}
	return err
}

// Errors for a 2xx body that decoded but is not exactly one JSON object.
var (
	errNotObject    = errors.New("body is not a JSON object")
	errTrailingData = errors.New("body has data after its JSON object")
)

// checkWholeObject refuses a body that decoded without error but is not one JSON object: a
// literal null (which decodes into a struct as "nothing", leaving a zero response that looks like
// success), or an object followed by anything but whitespace (a proxy's page appended to a
// reply, or two replies run together). It costs no allocation on a good body: the first byte was
// noted by lr as it passed, and reading one more token at the end of the input only finds io.EOF.
func checkWholeObject(dec *json.Decoder, lr *limitedReader) error {
	if lr.first != '{' {
		return errNotObject
	}
	switch _, err := dec.Token(); {
	case err == io.EOF:
		return nil
	case err == nil, isSyntaxError(err):
		return errTrailingData
	case errors.Is(err, errTooLarge):
		return err
	default:
		// The whole object arrived, and then the connection broke or stalled until the attempt
		// ended: what arrived is the reply, and for an exchange it holds the only copy of the
		// access token, so it is kept.
		return nil
	}
}
