package deliver_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/interdict/interdict/internal/action/deliver"
)

func TestVerify(t *testing.T) {
	at := time.Unix(1_764_000_000, 0)
	body := []byte(`{"event_id":7,"alert":{"address":"bc1qxyz"}}`)
	good := deliver.Sign(secret, at, body)
	for _, c := range []struct {
		name   string
		secret string
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		{"the signature of the body is accepted", secret, good, body, at.Add(time.Minute), nil},
		{"a signature by another secret is refused", "whsec_another-secret-000000", good, body, at, deliver.ErrBadSignature},
		{"a changed body is refused", secret, good, []byte(strings.Replace(string(body), "7", "8", 1)), at, deliver.ErrBadSignature},
		{"a changed timestamp is refused", secret, strings.Replace(good, "t=1764000000", "t=1764000001", 1), body, at, deliver.ErrBadSignature},
		{"a signature older than the tolerance is stale", secret, good, body, at.Add(6 * time.Minute), deliver.ErrStale},
		{"a signature from the future beyond the tolerance is stale", secret, good, body, at.Add(-6 * time.Minute), deliver.ErrStale},
		{"a rotated secret: one of two v1 values matching is enough", secret, good + ",v1=" + strings.Repeat("00", 32), body, at, nil},
		{"an empty header is refused", secret, "", body, at, deliver.ErrBadSignature},
		{"a header without v1 is refused", secret, "t=1764000000", body, at, deliver.ErrBadSignature},
		{"a v1 that is not hex is refused", secret, "t=1764000000,v1=zz", body, at, deliver.ErrBadSignature},
		{"a timestamp that is not a number is refused", secret, strings.Replace(good, "t=1764000000", "t=soon", 1), body, at, deliver.ErrBadSignature},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := deliver.Verify(c.secret, c.header, c.body, 0, c.now)
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("Verify = %v, want %v", err, c.want)
			}
		})
	}
}

func FuzzVerify(f *testing.F) {
	at := time.Unix(1_764_000_000, 0)
	f.Add(deliver.Sign(secret, at, []byte("{}")), []byte("{}"))
	f.Add("t=1,v1=00,v1=", []byte(""))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := deliver.Verify(secret, header, body, 0, at)
		if err == nil && header != deliver.Sign(secret, at, body) && !strings.Contains(header, ",") {
			t.Errorf("Verify accepted %q for %q", header, body)
		}
	})
}

func BenchmarkSign(b *testing.B) {
	body := []byte(strings.Repeat(`{"alert":1}`, 100))
	at := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		_ = deliver.Sign(secret, at, body)
	}
}
