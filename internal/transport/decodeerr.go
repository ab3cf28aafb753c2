package transport

import (
	"encoding"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// describeFieldError names the field of a 2xx body that failed to decode into out, and why,
// without quoting its value. encoding/json names the field only for a type mismatch; an error
// from a field's own UnmarshalJSON (time.Time's quotes most of the value) comes without it, so the
// body is walked again, field by field, to find it. That costs a second decode, on a failure only.
func describeFieldError(err error, raw []byte, out any) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		kind, _, _ := strings.Cut(te.Value, " ") // "number 1e999" would quote the number
		field := te.Field
		if field == "" {
			field = "(top level)"
		}
		return "field " + field + ": a JSON " + kind + " cannot be a Go " + typeName(te.Type)
	}
	if raw != nil && out != nil {
		if path, ferr := findBadField(reflect.TypeOf(out), raw, ""); path != "" {
			return "field " + path + ": " + describeValueError(ferr)
		}
	}
	return "a field has an invalid value: " + describeValueError(err)
}

func typeName(t reflect.Type) string {
	if t == nil {
		return "value"
	}
	return t.String()
}

// describeValueError says what kind of value was refused, in words of its own.
func describeValueError(err error) string {
	var pe *time.ParseError
	switch {
	case errors.As(err, &pe):
		return "not a valid time in layout " + strconv.Quote(pe.Layout) + " (value withheld)"
	case errors.Is(err, strconv.ErrRange):
		return "number out of range (value withheld)"
	case errors.Is(err, strconv.ErrSyntax):
		return "malformed number (value withheld)"
	}
	var se interface{ SafeReason() string }
	if errors.As(err, &se) {
		return se.SafeReason() + " (value withheld)"
	}
	return "invalid value of its type (value withheld)"
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// findBadField returns the JSON path, under path, of the first value in raw that fails to decode
// into a t, and its error; "" if none does.
func findBadField(t reflect.Type, raw []byte, path string) (string, error) {
	if string(raw) == "null" {
		return "", nil
	}
	pt := reflect.PointerTo(t)
	if t.Kind() != reflect.Pointer && (pt.Implements(jsonUnmarshaler) || pt.Implements(textUnmarshaler)) {
		if err := json.Unmarshal(raw, reflect.New(t).Interface()); err != nil {
			return orTop(path), err
		}
		return "", nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		return findBadField(t.Elem(), raw, path)
	case reflect.Struct:
		var fields map[string]json.RawMessage
		if json.Unmarshal(raw, &fields) != nil {
			break
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			v, ok := fields[name]
			if !ok {
				for k, kv := range fields {
					if strings.EqualFold(k, name) {
						v, ok = kv, true
						break
					}
				}
			}
			if !ok {
				continue
			}
			if p, err := findBadField(f.Type, v, join(path, name)); p != "" {
				return p, err
			}
		}
		return "", nil
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			break
		}
		for i, v := range items {
			if p, err := findBadField(t.Elem(), v, orTop(path)+"["+strconv.Itoa(i)+"]"); p != "" {
				return p, err
			}
		}
		return "", nil
	case reflect.Map:
		var items map[string]json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			break
		}
		for _, v := range items {
			// The key came from the server: it is not named.
			if p, err := findBadField(t.Elem(), v, join(path, "(a key)")); p != "" {
				return p, err
			}
		}
		return "", nil
	}
	if err := json.Unmarshal(raw, reflect.New(t).Interface()); err != nil {
		return orTop(path), err
	}
	return "", nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func orTop(path string) string {
	if path == "" {
		return "(top level)"
	}
	return path
}
