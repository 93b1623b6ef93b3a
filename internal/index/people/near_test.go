package people_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/interdict/interdict/internal/index/people"
)

// nearMeet reports whether two emails share a near-variant hash.
func nearMeet(t *testing.T, v *people.Vault, a, b string) bool {
	t.Helper()
	hashes := func(id, e string) []people.Hash {
		p := people.Person{ID: id, Kind: people.Applicant, Identifiers: []people.Identifier{{Type: people.Email, Value: e}}}
		var out []people.Hash
		for _, si := range v.Derived(&p) {
			if si.Type == people.EmailNear {
				out = append(out, si.Hash)
			}
		}
		return out
	}
	ha, hb := hashes("a", a), hashes("b", b)
	return slices.ContainsFunc(ha, func(h people.Hash) bool { return slices.Contains(hb, h) })
}

func TestNearVariants(t *testing.T) {
	v, err := people.NewVault(bytes.Repeat([]byte{3}, people.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"swap at the start", "kalo.vin12@example.com", "aklo.vin12@example.com", true},
		{"swap in the middle", "kalo.vin12@example.com", "kalo.ivn12@example.com", true},
		{"swap at the split", "abcdef@example.org", "abcdfe@example.org", true},
		{"swap in the domain", "kalo.vin12@example.com", "kalo.vin12@exmaple.com", true},
		{"swap across the @", "kalo.vin12@example.com", "kalo.vin1@2example.com", true},
		{"mistyped provider domain", "kalo.vin12@gmail.com", "KALO.VIN12@GMAIL.CMO", true},
		{"mistyped provider domain with a tag", "kalovin12@gmail.com", "kalo.vin12+job3@gmial.com", true},
		{"relatives: another initial", "a.kalovin@example.com", "b.kalovin@example.com", false},
		{"numbered accounts", "kalovin1@example.com", "kalovin2@example.com", false},
		{"one letter more", "kalovin@example.com", "kalovinn@example.com", false},
		{"swaps in both halves", "kalo.vin12@example.com", "aklo.vin12@examlpe.com", false},
		{"digits swapped: the cost, an anagram within one half", "kalovin.tar12@example.com", "kalovin.tar21@example.com", true},
		{"unrelated", "kalo.vin12@example.com", "tarmel.dro7@example.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nearMeet(t, v, tt.a, tt.b); got != tt.want {
				t.Errorf("%s ~ %s = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
	if got := people.NearVariants("abcde"); got != nil {
		t.Errorf("a 5-rune value gave variants %q", got)
	}
}

func TestNearIsDerived(t *testing.T) {
	v, _ := people.NewVault(bytes.Repeat([]byte{3}, people.KeySize))
	p := people.Person{ID: "p", Kind: people.Applicant, Identifiers: []people.Identifier{{Type: people.EmailNear, Value: "x"}}}
	if _, err := v.Seal(&p); !errors.Is(err, people.ErrInvalid) {
		t.Errorf("an email_near given as input: %v, want ErrInvalid", err)
	}
	if slices.Contains(people.Types(), people.EmailNear) {
		t.Error("Types lists the derived email_near")
	}
	p.Identifiers = []people.Identifier{{Type: people.Email, Value: "kalo.vin12@example.com"}}
	r, err := v.Seal(&p)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Identifiers) != 1 {
		t.Errorf("sealed %d identifiers, want the email alone: variants are not stored", len(r.Identifiers))
	}
	if d := v.Derived(&p); len(d) != 2 || d[0].Type != people.EmailNear || d[0].Sealed != nil {
		t.Errorf("derived %+v, want 2 email_near hashes", d)
	}
}
