package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"reflect"
	"strconv"
	"strings"
)

// Decode unmarshals a request body the way Plaid reads one: a field it does not know is refused
// with UNKNOWN_FIELDS (client_id and secret excepted, which Plaid takes in the body too), a value
// of the wrong JSON type with INVALID_FIELD, and anything else with INVALID_BODY. The caller has
// already checked that body is one valid JSON value.
func Decode(body []byte, v any) *Error {
	// client_id and secret are not fields of the request types, because link.Client sends them as
	// headers; they are dropped before the strict decode so that a body carrying them still works.
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return decodeError(err)
	}
	_, hasID := fields["client_id"]
	_, hasSecret := fields["secret"]
	if hasID || hasSecret {
		delete(fields, "client_id")
		delete(fields, "secret")
		var err error
		if body, err = json.Marshal(fields); err != nil {
			return ErrInvalidBody("re-encoding the body failed")
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return decodeError(dec.Decode(v))
}

// decodeError maps an error from encoding/json to Plaid's reply; nil stays nil.
func decodeError(err error) *Error {
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field == "" {
			return ErrInvalidBody("the body must be a JSON object")
		}
		return errWrongType(typeErr)
	}
	// encoding/json reports an unknown field only in its message, as: json: unknown field "name".
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if unquoted, uerr := strconv.Unquote(name); uerr == nil {
			name = unquoted
		}
		return errUnknownFields(name)
	}
	return errInvalidField("%s", plaidMessage(err))
}

// plaidMessage is err's message as Plaid would word it: without the Go package prefix ("link: ",
// "json: ") that the decoders of package link and encoding/json put first.
func plaidMessage(err error) string {
	msg := err.Error()
	for {
		rest, ok := strings.CutPrefix(msg, "json: ")
		if !ok {
			rest, ok = strings.CutPrefix(rest, "link: ")
		}
		if !ok {
			return msg
		}
		msg = rest
	}
}

// errWrongType says what was wrong with a value encoding/json could not store: a number that is
// out of range or not whole is a number still, so saying it must be one would mislead.
func errWrongType(typeErr *json.UnmarshalTypeError) *Error {
	field, kind := typeErr.Field, typeErr.Type.Kind()
	num, isNumber := strings.CutPrefix(typeErr.Value, "number ")
	switch {
	case isNumber && isIntKind(kind):
		if f, _, err := big.ParseFloat(num, 10, 64, big.ToNearestEven); err == nil && !f.IsInt() {
			return errInvalidField("%s must be a whole number, got %s", field, num)
		}
		return errInvalidField("%s is out of range, got %s", field, num)
	case isNumber && (kind == reflect.Float32 || kind == reflect.Float64):
		return errInvalidField("%s is out of range, got %s", field, num)
	}
	return errInvalidField("%s must be a JSON %s, got %s", field, jsonKind(kind), typeErr.Value)
}

func isIntKind(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "object"
	case reflect.Bool:
		return "boolean"
	default:
		return "number"
	}
}
