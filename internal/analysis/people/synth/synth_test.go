package synth_test

import (
	"bytes"
	"reflect"
	"testing"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/analysis/people/synth"
	"github.com/interdict/interdict/internal/index/people"
)

func TestGenerate(t *testing.T) {
	cfg := synth.DefaultConfig()
	a, b := synth.Generate(cfg), synth.Generate(cfg)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two populations of one seed differ")
	}
	if n := len(a.People); n < 950 || n > 1100 {
		t.Errorf("%d people, want about 1,000", n)
	}
	if c := synth.Generate(synth.Config{Seed: 2, People: 1000, Clusters: 60, Families: 40, VPNs: 3}); reflect.DeepEqual(a.Truth, c.Truth) {
		t.Error("another seed gives the same population")
	}
	for _, c := range a.Truth.Clusters {
		if len(c.Members) < 2 || len(c.Members) > 8 {
			t.Errorf("planted cluster of %d personas", len(c.Members))
		}
	}
	if len(a.Truth.Clean)+personas(a.Truth) != len(a.People) {
		t.Error("clean and planted do not add up to the population")
	}
	v, _ := people.NewVault(bytes.Repeat([]byte{5}, people.KeySize))
	for i := range a.People {
		if _, err := v.Seal(&a.People[i]); err != nil {
			t.Fatalf("generated person does not seal: %v", err)
		}
	}
}

func personas(t synth.Truth) int {
	n := 0
	for _, c := range t.Clusters {
		n += len(c.Members)
	}
	return n
}

// TestMeasure holds the goals docs/benchmarks.md reports: cluster recall of
// 0.95 or more, 2% or fewer clean people flagged.
func TestMeasure(t *testing.T) {
	pop := synth.Generate(synth.DefaultConfig())
	v, _ := people.NewVault(bytes.Repeat([]byte{5}, people.KeySize))
	rep, err := synth.Measure(pop, v, vet.NewRules(vet.DefaultConfig(), nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", rep)
	for r, c := range rep.Rules {
		t.Logf("%-28s %+v", r, *c)
	}
	if rep.ClusterRecall < 0.95 {
		t.Errorf("cluster recall %.3f, want >= 0.95", rep.ClusterRecall)
	}
	if rep.CleanFlaggedRate > 0.02 {
		t.Errorf("clean flagged %.3f, want <= 0.02", rep.CleanFlaggedRate)
	}
}
