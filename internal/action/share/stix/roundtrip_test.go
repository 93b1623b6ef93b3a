package stix

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
)

// sharedValidator compiles the OASIS schemas of the shared data folder.
func sharedValidator(t testing.TB) *Validator {
	t.Helper()
	dir := sharedtest.Path(t, "stix", "oasis-stix21-json-schemas")
	v, err := NewValidator(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// jsonEqual compares two JSON documents as values.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("left: %v", err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("right: %v", err)
	}
	return reflect.DeepEqual(va, vb)
}

// roundTrip parses a bundle or a single object, writes it back and returns
// the objects and the re-emitted JSON.
func roundTrip(t *testing.T, data []byte) ([]Object, []byte) {
	t.Helper()
	var head struct{ Type string }
	if err := json.Unmarshal(data, &head); err != nil {
		t.Fatal(err)
	}
	if head.Type == "bundle" {
		b, err := ParseBundle(data)
		if err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		return b.Objects, out
	}
	o, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	return []Object{o}, out
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func exampleFiles(t *testing.T) []string {
	t.Helper()
	dir := sharedtest.Path(t, "stix", "oasis-examples")
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

func TestEveryOASISExampleRoundTripsAndValidates(t *testing.T) {
	v := sharedValidator(t)
	files := exampleFiles(t)
	if len(files) != 8 {
		t.Fatalf("found %d example files, want 8", len(files))
	}
	objects, typed := 0, 0
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			objs, out := roundTrip(t, data)
			if !jsonEqual(t, data, out) {
				t.Errorf("re-emitted JSON differs from the input:\n in: %s\nout: %s", data, out)
			}
			for _, o := range objs {
				objects++
				if _, ok := o.(*Generic); !ok {
					typed++
				}
				if err := v.Validate(o); err != nil {
					t.Errorf("%v", err)
				}
			}
		})
	}
	t.Logf("OASIS examples: %d files, %d objects (%d as typed structs) parse, round-trip and validate", len(files), objects, typed)
	if objects != 260 {
		t.Errorf("%d objects, want 260 (see the shared data README)", objects)
	}
}

func TestMITREBundlesRoundTripAndValidate(t *testing.T) {
	v := sharedValidator(t)
	for _, c := range []struct {
		file string
		want int
	}{
		{"mitre_attack_dprk_subset.stix21.json", 155},
		{"mitre_attack_dprk_subset_with_techniques.stix21.json.gz", 1996},
		{"mitre_attack_dprk_mitigations.stix21.json", 0},
	} {
		t.Run(c.file, func(t *testing.T) {
			data := sharedtest.ReadAll(t, "stix", c.file)
			objs, out := roundTrip(t, data)
			if c.want != 0 && len(objs) != c.want {
				t.Errorf("%d objects, want %d", len(objs), c.want)
			}
			if !jsonEqual(t, data, out) {
				t.Error("re-emitted bundle differs from the input")
			}
			for _, o := range objs {
				if err := v.Validate(o); err != nil {
					t.Errorf("%v", err)
				}
				if err := Check(o); err != nil {
					t.Errorf("%v", err)
				}
			}
			t.Logf("%s: %d objects round-trip, validate and pass Check", c.file, len(objs))
		})
	}
}
