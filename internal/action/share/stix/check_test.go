package stix

import (
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	base := `"spec_version":"2.1","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z"`
	for _, c := range []struct{ name, in, err string }{
		{"a sound indicator", `{"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",` + base + `,"pattern":"[url:value = 'x']","pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z","granular_markings":[{"marking_ref":"` + TLP20Red + `","selectors":["pattern","external_references.[0].url"]}],"external_references":[{"source_name":"x","url":"https://x.test"}]}`, ""},
		{"modified before created", `{"type":"malware","id":"malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","spec_version":"2.1","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:47.999Z","is_family":true}`, "is before created"},
		{"a pattern that does not parse", `{"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",` + base + `,"pattern":"[url:value = ]","pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z"}`, "pattern:"},
		{"valid_until not after valid_from", `{"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",` + base + `,"pattern":"x","pattern_type":"sigma","valid_from":"2016-01-01T00:00:00Z","valid_until":"2016-01-01T00:00:00Z"}`, "valid_until"},
		{"a relationship to a non-id", `{"type":"relationship","id":"relationship--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",` + base + `,"relationship_type":"uses","source_ref":"lazarus","target_ref":"malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}`, "source_ref"},
		{"a marking ref of the wrong type", `{"type":"tool","id":"tool--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",` + base + `,"name":"x","object_marking_refs":["identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"]}`, "object_marking_refs[0]"},
		{"a selector naming nothing", `{"type":"tool","id":"tool--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",` + base + `,"name":"x","granular_markings":[{"marking_ref":"` + TLP20Red + `","selectors":["description","name.[0]"]}]}`, `selector "description"`},
		{"a sighting seen backwards", `{"type":"sighting","id":"sighting--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",` + base + `,"sighting_of_ref":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","first_seen":"2016-01-02T00:00:00Z","last_seen":"2016-01-01T00:00:00Z"}`, "last_seen"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o, err := Parse([]byte(c.in))
			if err != nil {
				t.Fatal(err)
			}
			err = Check(o)
			if c.err == "" {
				if err != nil {
					t.Errorf("Check = %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Check = %v, want ErrInvalid containing %q", err, c.err)
			}
		})
	}
}

func TestSharedBundlesPassCheck(t *testing.T) {
	for _, f := range exampleFiles(t) {
		data := readFile(t, f)
		objs, _ := roundTrip(t, data)
		for _, o := range objs {
			if err := Check(o); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
}
