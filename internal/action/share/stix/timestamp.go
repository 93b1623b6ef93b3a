package stix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Timestamp is a STIX timestamp: RFC 3339 in UTC with a "Z" suffix and any
// number of fraction digits. It remembers how many digits it was read with so
// that a parsed object is written back unchanged; NewTimestamp gives the
// millisecond precision the specification requires of created and modified.
type Timestamp struct {
	t      time.Time
	digits int // fraction digits written; 0 means none
}

// NewTimestamp returns t in UTC, truncated to milliseconds and written with
// exactly three fraction digits.
func NewTimestamp(t time.Time) Timestamp {
	return Timestamp{t: t.UTC().Truncate(time.Millisecond), digits: 3}
}

// ParseTimestamp reads a STIX timestamp.
func ParseTimestamp(s string) (Timestamp, error) {
	if !strings.HasSuffix(s, "Z") {
		return Timestamp{}, fmt.Errorf("%w: %q does not end in Z (STIX timestamps are UTC)", ErrInvalid, s)
	}
	if len(s) < len("2006-01-02T15:04:05Z") || s[10] != 'T' {
		return Timestamp{}, fmt.Errorf("%w: %q is not YYYY-MM-DDTHH:MM:SS[.s+]Z", ErrInvalid, s)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return Timestamp{}, fmt.Errorf("%w: timestamp %q: %v", ErrInvalid, s, err)
	}
	digits := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		digits = len(s) - i - 2
		if digits == 0 {
			return Timestamp{}, fmt.Errorf("%w: timestamp %q has an empty fraction", ErrInvalid, s)
		}
	}
	return Timestamp{t: t.UTC(), digits: digits}, nil
}

// Time returns the instant.
func (ts Timestamp) Time() time.Time { return ts.t }

// IsZero reports whether ts is unset (omitted when marshalled).
func (ts Timestamp) IsZero() bool { return ts.t.IsZero() && ts.digits == 0 }

// String writes ts as STIX does.
func (ts Timestamp) String() string {
	s := ts.t.Format("2006-01-02T15:04:05")
	if ts.digits > 0 {
		frac := fmt.Sprintf("%09d", ts.t.Nanosecond())
		for len(frac) < ts.digits {
			frac += "0"
		}
		s += "." + frac[:ts.digits]
	}
	return s + "Z"
}

// MarshalJSON writes ts as a JSON string.
func (ts Timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + ts.String() + `"`), nil
}

// UnmarshalJSON reads a JSON string timestamp.
func (ts *Timestamp) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return fmt.Errorf("%w: timestamp is null", ErrInvalid)
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%w: timestamp is not a string: %s", ErrInvalid, b)
	}
	v, err := ParseTimestamp(s)
	if err != nil {
		return err
	}
	*ts = v
	return nil
}
