package notify

import (
	"encoding/json"
	"fmt"
	"time"
)

// Both state stores keep a flag as one row of notify_flags with times as
// microseconds since the Unix epoch (0: none) and the effective record as
// JSON. ScanFlag reads such a row, so the backends decode it one way.

// FlagColumns is the column order ScanFlag reads.
const FlagColumns = "id, issuer, key_id, state, issued_at, expires_at, amended_at, updated_at, received_at, source, revoked_by, pending, record"

// Micros is a time as stored: microseconds since the epoch, 0 for zero.
func Micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// FromMicros is Micros reversed, in UTC.
func FromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// FlagRow is a flag's row values in FlagColumns order, for an INSERT.
func FlagRow(f Flag) ([]any, error) {
	rec, err := Canonical(f.Record)
	if err != nil {
		return nil, err
	}
	return []any{f.ID, f.Issuer, f.KeyID, string(f.State), Micros(f.IssuedAt), Micros(f.ExpiresAt),
		Micros(f.AmendedAt), Micros(f.UpdatedAt), Micros(f.ReceivedAt), string(f.Source), f.RevokedBy, f.Pending, string(rec)}, nil
}

// ScanFlag reads one row of FlagColumns.
func ScanFlag(row interface{ Scan(...any) error }) (Flag, error) {
	var (
		f                                  Flag
		state, src, rec                    string
		issued, expires, amended, upd, rcv int64
	)
	if err := row.Scan(&f.ID, &f.Issuer, &f.KeyID, &state, &issued, &expires, &amended, &upd, &rcv, &src, &f.RevokedBy, &f.Pending, &rec); err != nil {
		return Flag{}, err
	}
	id, issuer := f.ID, f.Issuer
	if err := json.Unmarshal([]byte(rec), &f.Record); err != nil {
		return Flag{}, fmt.Errorf("flag %s: stored record: %w", id, err)
	}
	f.ID, f.Issuer = id, issuer
	f.State, f.Source = State(state), Source(src)
	f.IssuedAt, f.ExpiresAt, f.AmendedAt, f.UpdatedAt, f.ReceivedAt = FromMicros(issued), FromMicros(expires), FromMicros(amended), FromMicros(upd), FromMicros(rcv)
	return f, nil
}
