package deliver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of a webhook request; see the package comment.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderEventID        = "Interdict-Event-Id"
	HeaderTimestamp      = "Interdict-Timestamp"
	HeaderSignature      = "Interdict-Signature"
)

// DefaultTolerance is how old a signed timestamp Verify accepts by default.
const DefaultTolerance = 5 * time.Minute

// Verification errors.
var (
	// ErrBadSignature: the header is missing, malformed, or no v1 value
	// matches the body.
	ErrBadSignature = errors.New("webhook signature does not match")
	// ErrStale: the signed timestamp is outside the tolerance.
	ErrStale = errors.New("webhook timestamp outside the tolerance")
)

// Sign returns the Interdict-Signature header value for body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a received webhook: header is the Interdict-Signature value,
// body the raw bytes received, now the receiver's clock. A timestamp more
// than tolerance away from now (either way) is ErrStale; tolerance <= 0
// means DefaultTolerance. Several v1 values are allowed (a secret being
// rotated); one matching is enough.
func Verify(secret, header string, body []byte, tolerance time.Duration, now time.Time) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	var (
		ts   string
		sigs [][]byte
	)
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("%w: malformed header", ErrBadSignature)
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != sha256.Size {
				return fmt.Errorf("%w: v1 is not a hex SHA-256 MAC", ErrBadSignature)
			}
			sigs = append(sigs, b)
		}
	}
	if ts == "" || len(sigs) == 0 {
		return fmt.Errorf("%w: header needs t= and v1=", ErrBadSignature)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q is not unix seconds", ErrBadSignature, ts)
	}
	want := mac(secret, ts, body)
	ok := false
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			ok = true
		}
	}
	if !ok {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: signed %s ago", ErrStale, d.Round(time.Second))
	}
	return nil
}

// VerifyRequest checks the signature of a received request whose body was
// already read into body.
func VerifyRequest(secret string, h http.Header, body []byte, tolerance time.Duration, now time.Time) error {
	return Verify(secret, h.Get(HeaderSignature), body, tolerance, now)
}
