package inspect

import (
	"crypto/ed25519"
	"testing"
)

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvaluate(b *testing.B) {
	c := loadCatalogue(b)
	_, cfg, err := DecodeScenario([]byte(`{"heist":"radiant-2024","config":{"multisig":{"signers":11,"threshold":3,"distinct_devices":true,"guard":false,"timelock_hours":0}}}`))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Evaluate(cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignedReport builds and signs a report with every control answered.
func BenchmarkSignedReport(b *testing.B) {
	c := loadCatalogue(b)
	var as []Answer
	for i, k := range c.Controls() {
		as = append(as, ans(k, []Status{Implemented, Partial, NotImplemented, Unknown}[i%4]))
	}
	_, priv, _ := ed25519.GenerateKey(nil)
	in := Inspection{ID: "q", Org: "acme", Created: reportTime}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(c.BuildReport(in, as, nil, nil, nil, reportTime), priv); err != nil {
			b.Fatal(err)
		}
	}
}
