package people_test

import (
	"testing"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/index/people"
)

func TestNearEmail(t *testing.T) {
	v := testVault(t)
	tests := []struct {
		name     string
		a, b     string
		joined   bool
		wantType []people.Type // what a shares with b
	}{
		{"the same address is one exact finding", "kalo.vin12@example.com", "KALO.VIN12@example.com", true, []people.Type{people.Email}},
		{"a swapped pair joins as near", "kalo.vin12@example.com", "kalo.vni12@example.com", true, []people.Type{people.EmailNear}},
		{"a mistyped provider joins as near", "kalo.vin12@gmail.com", "kalovin12+job3@gmial.com", true, []people.Type{people.EmailNear}},
		{"relatives stay apart", "a.kalovin@example.com", "b.kalovin@example.com", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := vet.NewGraph()
			for id, e := range map[string]string{"a": tt.a, "b": tt.b} {
				p := people.Person{ID: id, Kind: people.Applicant, Identifiers: []people.Identifier{{Type: people.Email, Value: e}}}
				g.Add(vet.WithDerived(v, rec(t, v, id, "email", e), &p))
			}
			c, _ := g.ClusterOf("a")
			if got := len(c.Members) == 2; got != tt.joined {
				t.Errorf("joined = %v, want %v", got, tt.joined)
			}
			var types []people.Type
			for _, sh := range g.SharedBy("a") {
				types = append(types, sh.Type)
				if len(sh.Others) != 1 || sh.Others[0] != "b" {
					t.Errorf("%s shared with %v, want [b]", sh.Type, sh.Others)
				}
			}
			if len(types) != len(tt.wantType) || (len(types) > 0 && types[0] != tt.wantType[0]) {
				t.Errorf("shared %v, want %v", types, tt.wantType)
			}
			if tt.joined && len(c.Evidence) != 1 {
				t.Errorf("cluster evidence %+v, want one entry", c.Evidence)
			}
			sig := vet.NewRules(vet.DefaultConfig(), nil).Evaluate(vet.Subject{PersonID: "a", Shared: g.SharedBy("a")})
			if vet.Flagged(sig) != tt.joined {
				t.Errorf("flagged = %v, want %v: %+v", vet.Flagged(sig), tt.joined, sig)
			}
		})
	}
}
