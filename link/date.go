package link

import (
	"encoding/json"
	"fmt"
	"time"
)

// Date is a civil date such as a date of birth or a statement start date, sent to and from Plaid as
// "YYYY-MM-DD". It carries no time of day and no time zone, so it cannot drift across zones the way
// a time.Time at midnight can.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

const dateLayout = "2006-01-02"

// NewDate returns the Date for the given year, month and day.
func NewDate(year int, month time.Month, day int) Date {
	return Date{Year: year, Month: month, Day: day}
}

// ParseDate parses a "YYYY-MM-DD" string, refusing impossible dates such as "2023-02-30".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("link: invalid date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// IsZero reports whether d is the zero Date; `omitzero` uses it to leave unset dates out of requests.
func (d Date) IsZero() bool { return d == Date{} }

// valid reports whether d is a real day that "YYYY-MM-DD" can carry, that is one [ParseDate] gives
// back unchanged: not 2024-02-30, not month 13, not a five-digit year.
func (d Date) valid() bool {
	if d.Year < 0 || d.Year > 9999 {
		return false
	}
	return DateOf(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)) == d
}

// String returns d as "YYYY-MM-DD".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// MarshalJSON encodes d as a "YYYY-MM-DD" string, and the zero Date as null. An impossible date
// such as 2024-02-30 is an error rather than a string Plaid would refuse or, worse, read as another
// day.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		// "0000-00-00" is not a date either; null is what UnmarshalJSON reads back as the zero Date.
		return []byte("null"), nil
	}
	if !d.valid() {
		return nil, fmt.Errorf("link: invalid date %s", d)
	}
	b := make([]byte, 0, 12)
	b = append(b, '"')
	b = append(b, d.String()...)
	return append(b, '"'), nil
}

// UnmarshalJSON decodes a "YYYY-MM-DD" string; JSON null leaves d unchanged, as encoding/json does
// for other types.
func (d *Date) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("link: date must be a JSON string, got %s", truncate(data, 40))
	}
	parsed, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// truncate shortens b for an error message so a huge bad value cannot flood a log.
func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}
