package stix

import (
	"encoding/json"
	"testing"
)

// Seeds beside testdata/fuzz: objects of several kinds and broken ones.
var objectSeeds = []string{
	`{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","pattern":"[ipv4-addr:value = '198.51.100.1/32']","pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z","object_marking_refs":["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]}`,
	`{"type":"x-custom","id":"x-custom--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","a":{"b":[1,null,true]}}`,
	`{"type":"file","id":"file--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","hashes":{"MD5":"00"},"size":-1,"mtime":"2016-04-06T20:03:48Z"}`,
	`{"type":"marking-definition","id":"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9","definition_type":"tlp","definition":{"tlp":"white"}}`,
	`{"type":"relationship","id":"relationship--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","source_ref":3}`,
	`{"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.Z"}`,
	`{"type":"","id":""}`,
	`[`,
}

func FuzzParseObject(f *testing.F) {
	for _, s := range objectSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := Parse(data)
		if err != nil {
			return
		}
		out, err := Marshal(o)
		if err != nil {
			t.Fatalf("parsed object does not marshal: %v", err)
		}
		o2, err := Parse(out)
		if err != nil {
			t.Fatalf("re-emitted object does not parse: %v\n%s", err, out)
		}
		out2, err := Marshal(o2)
		if err != nil || string(out) != string(out2) {
			t.Fatalf("second round trip differs:\n%s\n%s", out, out2)
		}
		_ = Marking(o)
		if IsSCO(o.Core().Type) {
			if _, err := SCOID(o); err != nil {
				t.Fatalf("SCOID: %v", err)
			}
		}
	})
}

func FuzzParseBundle(f *testing.F) {
	for _, s := range objectSeeds {
		f.Add([]byte(`{"type":"bundle","id":"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","objects":[` + s + `]}`))
	}
	f.Add([]byte(`{"type":"bundle","id":"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","objects":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBundle(data)
		if err != nil {
			return
		}
		out, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("parsed bundle does not marshal: %v", err)
		}
		if _, err := ParseBundle(out); err != nil {
			t.Fatalf("re-emitted bundle does not parse: %v\n%s", err, out)
		}
		_ = b.Markings()
	})
}
