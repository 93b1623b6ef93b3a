package stix

import (
	"encoding/json"
	"testing"

	"github.com/interdict/interdict/internal/sharedtest"
)

// BenchmarkParseBundle: the ATT&CK DPRK subset with techniques (1,996
// objects) parsed into typed structs and written back.
func BenchmarkParseBundle(b *testing.B) {
	data := sharedtest.ReadAll(b, "stix", "mitre_attack_dprk_subset_with_techniques.stix21.json.gz")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		bd, err := ParseBundle(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(bd); err != nil {
			b.Fatal(err)
		}
		n += len(bd.Objects)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkValidate: every object of the same bundle checked against its
// OASIS schema.
func BenchmarkValidate(b *testing.B) {
	v := sharedValidator(b)
	bd, err := ParseBundle(sharedtest.ReadAll(b, "stix", "mitre_attack_dprk_subset_with_techniques.stix21.json.gz"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for _, o := range bd.Objects {
			if err := v.Validate(o); err != nil {
				b.Fatal(err)
			}
		}
		n += len(bd.Objects)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "objects/s")
}
