package link

import (
	"encoding/json"
	"fmt"
	"time"
)

// Timestamp is the time of a Link event (LinkEvent.timestamp). Plaid's spec types it as an
// "ISO 8601" string rather than a date-time, so it is read leniently: RFC 3339 (what Plaid sends
// today) gives the instant, ISO 8601 without a zone is taken as UTC, and anything else leaves the
// Time zero rather than failing the whole response or webhook that carries the event. Whatever
// was not RFC 3339 is kept as sent, and encoding gives it back unchanged.
type Timestamp struct {
	time.Time
	// raw is the text as Plaid sent it, when it was not RFC 3339. A pointer, as it is rare: a
	// large EVENTS webhook holds thousands of Timestamps, and each is 8 bytes smaller for it.
	raw *string
}

// zonelessLayouts are the ISO 8601 forms without a zone that Timestamp accepts, as UTC.
var zonelessLayouts = []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"}

// Raw returns the timestamp's text: as Plaid sent it, or in RFC 3339 when it was RFC 3339.
func (t Timestamp) Raw() string {
	if t.raw != nil {
		return *t.raw
	}
	if t.Time.IsZero() {
		return ""
	}
	return t.Time.Format(time.RFC3339Nano)
}

// Valid reports whether the timestamp holds a time, that is, whether it was read as one.
func (t Timestamp) Valid() bool { return !t.Time.IsZero() }

// IsZero reports whether t holds neither a time nor text; `omitzero` uses it.
func (t Timestamp) IsZero() bool { return t.Time.IsZero() && t.raw == nil }

// MarshalJSON encodes the time in RFC 3339, or the text as it was received when it was not RFC
// 3339, or null when there is neither.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	switch {
	case t.raw != nil:
		return json.Marshal(*t.raw)
	case t.Time.IsZero():
		return []byte("null"), nil
	default:
		return t.Time.MarshalJSON()
	}
}

// UnmarshalJSON reads a JSON string leniently (see [Timestamp]); only a value that is not a
// string at all is an error. JSON null leaves t unchanged.
func (t *Timestamp) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	// The common case, a plain RFC 3339 string, is parsed in place with no allocation.
	if len(data) >= 2 && data[0] == '"' && data[len(data)-1] == '"' {
		var tm time.Time
		if err := tm.UnmarshalText(data[1 : len(data)-1]); err == nil {
			*t = Timestamp{Time: tm}
			return nil
		}
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("link: event timestamp must be a JSON string, got %s", truncate(data, 40))
	}
	*t = Timestamp{}
	if s != "" {
		t.raw = &s
	}
	for _, layout := range zonelessLayouts {
		if tm, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			t.Time = tm
			break
		}
	}
	return nil
}
