package taxii_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/interdict/interdict/internal/action/share/taxii"
)

// FuzzDecodeEnvelope feeds arbitrary bytes to the envelope decoder and the
// object head parser: they must return ErrInvalid or a value that holds to
// its promises, never panic. The seed corpus is in testdata/fuzz.
func FuzzDecodeEnvelope(f *testing.F) {
	f.Add([]byte(`{"more":false,"objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--1","created":"2020-01-01T00:00:00Z","modified":"2020-01-01T00:00:00.123Z"}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		env, err := taxii.DecodeEnvelope(b)
		if err != nil {
			if !errors.Is(err, taxii.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		for _, raw := range env.Objects {
			if !json.Valid(raw) || bytes.TrimSpace(raw)[0] != '{' {
				t.Fatalf("object %q is not a JSON object", raw)
			}
			o, err := taxii.ParseObject(raw)
			if err != nil {
				if !errors.Is(err, taxii.ErrInvalid) {
					t.Fatalf("ParseObject error %v does not wrap ErrInvalid", err)
				}
				continue
			}
			if o.ID == "" || o.Type == "" || (o.SpecVersion != "2.0" && o.SpecVersion != "2.1") || o.MediaType != taxii.STIXMediaType(o.SpecVersion) {
				t.Fatalf("accepted object with bad head %+v", o)
			}
			if o.Version != "" && o.VersionTime.IsZero() {
				t.Fatalf("version %q without a time", o.Version)
			}
		}
		again, err := json.Marshal(env)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		env2, err := taxii.DecodeEnvelope(again)
		if err != nil || len(env2.Objects) != len(env.Objects) || env2.More != env.More || env2.Next != env.Next {
			t.Fatalf("round trip changed the envelope: %v", err)
		}
	})
}
