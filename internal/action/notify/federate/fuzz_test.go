package federate_test

import (
	"testing"

	"github.com/interdict/interdict/internal/action/notify/federate"
)

// FuzzDecode feeds Decode arbitrary objects: it must return an error or an
// envelope whose indicator agrees with its record, and never panic.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, rec, ind, err := federate.Decode(raw)
		if err != nil {
			return
		}
		if ind == nil {
			t.Fatal("no error and no indicator")
		}
		if err := federate.Agree(ind, rec); err != nil {
			t.Fatalf("Decode accepted an indicator that disagrees: %v", err)
		}
	})
}
